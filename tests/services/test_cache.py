"""The cache layer: primitive keys only, the shared cache's get-or-compute, the worker's LRU memory."""

from __future__ import annotations

import pandas as pd
import pytest
from cachelib import SimpleCache

from dashboard.services.cache import SharedCache, WorkerMemory, key_digest


class FakeFlaskCache:
    """flask-caching's get/set over a cachelib SimpleCache (what SharedCache uses)."""

    def __init__(self):
        self.store = SimpleCache()

    def get(self, key):
        return self.store.get(key)

    def set(self, key, value, timeout=None):
        self.store.set(key, value, timeout=timeout)


def test_keys_accept_only_primitives():
    with pytest.raises(TypeError):
        key_digest(("x", pd.DataFrame({"a": [1]})))
    with pytest.raises(TypeError):
        WorkerMemory(2).get_or_compute(("x", [1, 2]), lambda: 1)
    assert key_digest(("x", 1, "a", None, 2.5, True, ("nested", 1))).startswith("x:")


def test_equal_keys_share_a_digest_and_different_ones_do_not():
    assert key_digest(("final", "db", "v1", 21)) == key_digest(("final", "db", "v1", 21))
    assert key_digest(("final", "db", "v1", 21)) != key_digest(("final", "db", "v2", 21))
    assert key_digest(("final", 1)) != key_digest(("final", "1"))  # a number is not its text


def test_the_shared_cache_computes_once_and_never_keeps_an_error():
    cache, calls = SharedCache(FakeFlaskCache()), []
    assert cache.get_or_compute(("k", 1), lambda: calls.append(1) or "value") == "value"
    assert cache.get_or_compute(("k", 1), lambda: calls.append(1) or "other") == "value"
    assert calls == [1]
    with pytest.raises(ZeroDivisionError):
        cache.get_or_compute(("bad",), lambda: 1 / 0)
    assert cache.get_or_compute(("bad",), lambda: "now fine") == "now fine"


def test_worker_memory_drops_the_least_recently_used():
    memory, calls = WorkerMemory(2), []

    def compute(name):
        return lambda: calls.append(name) or name

    memory.get_or_compute(("a",), compute("a"))
    memory.get_or_compute(("b",), compute("b"))
    memory.get_or_compute(("a",), compute("a"))  # a is now the most recent
    memory.get_or_compute(("c",), compute("c"))  # b goes
    memory.get_or_compute(("a",), compute("a"))
    memory.get_or_compute(("b",), compute("b"))
    assert calls == ["a", "b", "c", "b"]


def test_an_unreadable_entry_is_a_miss_and_is_replaced(services, full):
    from pathlib import Path

    from dashboard.services.cache import key_digest

    first = services.final.view(full)
    digest = key_digest(full.key("final"))
    backend = services.analyses.cache.cache.cache  # cachelib's FileSystemCache behind flask-caching
    path = Path(backend._get_filename(digest))
    assert path.exists()
    path.write_bytes(b"\xff\xff\xff\x7f" + b"\x80\x09garbage")  # far-future expiry, then no valid pickle
    again = services.final.view(full)
    assert again.clients == first.clients and list(again.regions["clients"]) == list(first.regions["clients"])
    assert services.analyses.cache.get(digest) is not None  # the entry was written anew


def test_a_deleted_cache_directory_is_created_again(services, full):
    import shutil

    from core.client_filter import ClientFilter
    from dashboard.services.exports import ClientListExport

    shutil.rmtree(services.settings.cache_dir)
    _, token = services.exports.keep_client_list(ClientListExport(full, ClientFilter.build("r110")))
    name, chunks = services.exports.kept_client_list(token)
    assert name.startswith("rfma_110_VIP_") and b"".join(chunks).decode("utf-8-sig").startswith("Карта;")


def test_simultaneous_callers_of_one_key_compute_it_once():
    import concurrent.futures
    import threading
    import time

    cache, memory = SharedCache(FakeFlaskCache()), WorkerMemory(4)
    calls: list[str] = []
    started = threading.Barrier(8)

    def slow(name):
        def compute():
            calls.append(name)
            time.sleep(0.2)  # long enough for every caller to arrive while it runs
            return name

        return compute

    def ask(i):
        started.wait()
        return cache.get_or_compute(("k",), slow("shared")), memory.get_or_compute(("k",), slow("worker"))

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(ask, range(8)))
    assert answers == [("shared", "worker")] * 8
    assert sorted(calls) == ["shared", "worker"]  # once each, not once per caller
