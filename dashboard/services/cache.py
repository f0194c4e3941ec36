"""Caching apart from computing: the shared flask-caching store and the worker's own memory.

A value is computed by a service and kept under the key its request builds (`AnalysisRequest.key`); this
module only stores. Small results (view models, client bases, overviews) go to the shared cache, which every
worker process sees. Graded client frames (hundreds of MB at 1.5M clients) and client-table row orders stay in
the worker's memory: writing them to the shared cache costs more than recomputing them from the cached base.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
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


class SingleFlight:
    """One computation per key at a time in this process: callers of a key being computed wait for that result
    instead of computing it again (simultaneous cold requests would otherwise each run the same SQL)."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[threading.Lock, list[int]]] = {}
        self._guard = threading.Lock()

    @contextlib.contextmanager
    def hold(self, key: Hashable) -> Iterator[None]:
        """Hold the key's lock for the block (the lock goes when its last holder or waiter leaves)."""
        with self._guard:
            lock, users = self._locks.setdefault(key, (threading.Lock(), [0]))
            users[0] += 1
        try:
            with lock:
                yield
        finally:
            with self._guard:
                users[0] -= 1
                if users[0] == 0:
                    self._locks.pop(key, None)


class SharedCache:
    """flask-caching get/set under keys built from primitives only (FileSystemCache, Redis, …).

    A cache is a copy, never the truth: an entry that cannot be read is a miss (and is replaced), and a cache
    directory deleted under a running server is created again.
    """

    def __init__(self, cache: Cache, directory: str | None = None):
        self.cache = cache
        self.directory = directory
        self._flights = SingleFlight()

    def get_or_compute(self, key: tuple, compute: Callable[[], T]) -> T:
        """The cached value of `key`, or compute() stored under it (errors are raised, not cached); computed once
        in this process however many requests ask at the same time."""
        digest = key_digest(key)
        value = self.get(digest)
        if value is not None:
            return value
        with self._flights.hold(digest):
            value = self.get(digest)  # another request may have stored it meanwhile
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
        self._flights = SingleFlight()

    def get_or_compute(self, key: tuple, compute: Callable[[], T]) -> T:
        """The kept value of `key`, or compute() kept under it (errors are raised, not kept); computed once however
        many threads ask at the same time."""
        check_primitive_key(key)
        found, value = self._kept(key)
        if found:
            return value
        with self._flights.hold(key):
            found, value = self._kept(key)
            if not found:
                value = compute()
                with self._lock:
                    self._items[key] = value
                    self._items.move_to_end(key)
                    while len(self._items) > self.size:
                        self._items.popitem(last=False)
        return value

    def _kept(self, key: tuple) -> tuple[bool, Any]:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return True, self._items[key]
        return False, None


def create_cache(server, settings: Settings) -> Cache:
    """The app's flask-caching extension (FileSystemCache by default, RedisCache when configured)."""
    return Cache(server, config=settings.cache_config())
