"""Engines shared by the threads of one process, created on first use; a forked child (a gunicorn worker under
--preload) starts with none of its parent's."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable

import sqlalchemy as sa


class ProcessEngines:
    """One engine per key in this process; after a fork the child opens its own."""

    def __init__(self) -> None:
        self._engines: dict[Hashable, sa.Engine] = {}
        self._lock = threading.Lock()
        os.register_at_fork(after_in_child=self.forget_after_fork)

    def get(self, key: Hashable, create: Callable[[], sa.Engine]) -> sa.Engine:
        """The engine of `key`, created by `create()` on first use."""
        with self._lock:
            engine = self._engines.get(key)
            if engine is None:
                engine = self._engines[key] = create()
            return engine

    def forget_after_fork(self) -> None:
        """In a forked child: never use the parent's pooled connections (left to the parent: `close=False`)."""
        for engine in self._engines.values():
            engine.dispose(close=False)
        self._engines.clear()
        self._lock = threading.Lock()  # a lock held by another thread at fork time would never be released
