"""The benchmark's PostgreSQL settings; the server itself is the shared one of tests/support/postgres.py.

The benchmark's cluster is kept under .cache/bench/pg<version> between runs (a 10M-cheque table is loaded once),
created with the C.UTF-8 locale, and runs with the settings below.
"""

from __future__ import annotations

# Settings the benchmark server runs with (documented in docs/SCALING.md). fsync/synchronous_commit/
# full_page_writes only speed up the one-time bulk load; the timed queries only read.
BENCH_SETTINGS: dict[str, str] = {
    "shared_buffers": "1GB",
    "work_mem": "256MB",
    "maintenance_work_mem": "1GB",
    "effective_cache_size": "8GB",
    "max_parallel_workers_per_gather": "2",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}
LOCALE = "C.UTF-8"
