"""Caching apart from computing: the shared flask-caching store and the worker's own memory.

A value is computed by a service and kept under the key its request builds (`AnalysisRequest.key`); this
module only stores. Small results (view models, client bases, overviews) go to the shared cache, which every
worker process sees. Graded client frames (hundreds of MB at 1.5M clients) and client-table row orders stay in
the worker's memory: writing them to the shared cache costs more than recomputing them from the cached base.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask_caching import Cache

from dashboard.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
PRIMITIVES = (str, int, float, bool, type(None))


def check_primitive_key(key: tuple) -> None:
    """A cache key holds primitives only (str/int/float/bool/None, nested tuples of them): never a DataFrame."""
    for part in key:
        if isinstance(part, tuple):
            check_primitive_key(part)
        elif not isinstance(part, PRIMITIVES):
            raise TypeError(f"cache key part {part!r} is not a primitive")


def key_digest(key: tuple) -> str:
    """The shared cache's key of a primitive tuple: its first part (a name) and a digest of the rest."""
    check_primitive_key(key)
    return f"{key[0]}:" + hashlib.sha256(repr(key).encode("utf-8")).hexdigest()


class SharedCache:
    """flask-caching get/set under keys built from primitives only (FileSystemCache, Redis, …).

    A cache is a copy, never the truth: an entry that cannot be read is a miss (and is replaced), and a cache
    directory deleted under a running server is created again.
    """

    def __init__(self, cache: Cache, directory: str | None = None):
        self.cache = cache
        self.directory = directory

    def get_or_compute(self, key: tuple, compute: Callable[[], T]) -> T:
        """The cached value of `key`, or compute() stored under it (errors are raised, not cached)."""
        digest = key_digest(key)
        value = self.get(digest)
        if value is None:
            value = compute()
            self.set(digest, value)
        return value

    def get(self, key: str) -> Any:
        """A value stored under a plain string key (None when missing, expired or unreadable)."""
        try:
            return self.cache.get(key)
        except Exception:  # a corrupt or foreign entry: a miss, and it goes
            log.warning("unreadable cache entry %s… is dropped", key[:40], exc_info=True)
            try:
                self.cache.delete(key)
            except Exception:
                log.warning("could not drop the cache entry %s…", key[:40], exc_info=True)
            return None

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:
        """Store a value under a plain string key (re-creating a deleted cache directory once)."""
        if self.cache.set(key, value, timeout=timeout) is False and self.directory:
            os.makedirs(self.directory, exist_ok=True)
            if self.cache.set(key, value, timeout=timeout) is False:
                log.warning("the cache could not store %s…", key[:40])


class WorkerMemory:
    """The last `size` results kept in this process (least recently used dropped first), thread-safe."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: tuple, compute: Callable[[], T]) -> T:
        """The kept value of `key`, or compute() kept under it (errors are raised, not kept)."""
        check_primitive_key(key)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()  # outside the lock: two requests may compute the same value once each
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


def create_cache(server, settings: Settings) -> Cache:
    """The app's flask-caching extension (FileSystemCache by default, RedisCache when configured)."""
    return Cache(server, config=settings.cache_config())
