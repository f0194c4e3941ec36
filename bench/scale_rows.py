"""The rows of the scale benchmark's table (which measurement, which metric) and the issue's goals for them."""

from __future__ import annotations

# (row id, label, implementation, metric, rss metric or None)
ROWS = [
    (
        "engine_duckdb",
        "**our engine, DuckDB**: `classify(engine)` → every client's class, cluster, region",
        "engine_duckdb",
        "wall",
        "rss",
    ),
    ("engine_postgresql", "**our engine, PostgreSQL 15**: `classify(engine)`", "engine_postgresql", "wall", "rss"),
    ("engine_chdb", "**our engine, ClickHouse (chDB, embedded)**: `classify(engine)`", "engine_chdb", "wall", "rss"),
    (
        "cli_duckdb",
        "`rfma classify --out FILE.csv`, DuckDB — whole CLI process (interpreter start, imports, CSV)",
        "cli_duckdb",
        "wall",
        "rss",
    ),
    (
        "cli_postgresql",
        "`rfma classify --out FILE.csv`, PostgreSQL — whole CLI process",
        "cli_postgresql",
        "wall",
        "rss",
    ),
    ("base_load", "`load_client_base` only (the SQL aggregation + fetch), DuckDB", "regrade_duckdb", "base_load", None),
    ("regrade", "re-grading only: `classify_base(base, new pins)` on a loaded base", "regrade_duckdb", "wall", None),
    ("lifetimes", "lifetimes `summary_data_from_transaction_data`, Parquet load included", "lifetimes", "wall", "rss"),
    ("lifetimes_load", "  of which: Parquet load + identified-card filter", "lifetimes", "load", None),
    ("lifetimes_compute", "  of which: the summary", "lifetimes", "compute", None),
    ("pymc", "pymc-marketing `rfm_summary`, Parquet load included", "pymc", "wall", "rss"),
    ("pymc_compute", "  of which: the summary", "pymc", "compute", None),
    ("pandas", "plain pandas groupby + gap percentile, Parquet load included", "pandas", "wall", "rss"),
    ("pandas_compute", "  of which: groupby + gaps", "pandas", "compute", None),
    (
        "final_cold_duckdb",
        "dashboard «Финал», cold (empty cache: SQL + grading + render), DuckDB",
        "dashboard_duckdb",
        "final_cold",
        "rss_after_final",
    ),
    (
        "final_cached_duckdb",
        "dashboard «Финал», cached (same request again), DuckDB",
        "dashboard_duckdb",
        "final_cached",
        None,
    ),
    (
        "final_pin_duckdb",
        "dashboard «Финал» after pinning r1 (re-grade from the cached base), DuckDB",
        "dashboard_duckdb",
        "final_pin",
        None,
    ),
    (
        "final_cold_postgresql",
        "dashboard «Финал», cold, PostgreSQL",
        "dashboard_postgresql",
        "final_cold",
        "rss_after_final",
    ),
    ("final_cached_postgresql", "dashboard «Финал», cached, PostgreSQL", "dashboard_postgresql", "final_cached", None),
    (
        "page_first",
        "client table, first page of 100 (server-side paging), DuckDB",
        "dashboard_duckdb",
        "page_first",
        None,
    ),
    ("page_next", "client table, next page", "dashboard_duckdb", "page_next", None),
    ("page_sorted", "client table, first page sorted by revenue", "dashboard_duckdb", "page_sorted", None),
    (
        "export_dashboard",
        "dashboard «Скачать CSV», every client, streamed (`GET download/clients.csv`, to the last byte)",
        "dashboard_duckdb",
        "export_csv",
        "rss",
    ),
    (
        "export_engine",
        "every client to CSV (`write_classified_csv`, the `rfma classify` file), after classify",
        "export_duckdb",
        "wall",
        "rss",
    ),
]

GIB15 = 1.5e9


def goal_for(row: str, size: str):
    """(text, check(median_seconds, peak_rss_bytes)) or None — the issue's goals, at the size they are stated for."""
    g = {
        ("engine_duckdb", "1m"): ("≤ 0.5 s", lambda s, r: s <= 0.5),
        ("engine_duckdb", "10m"): ("≤ 3 s, RSS ≤ 1.5 GB", lambda s, r: s <= 3 and (r or 0) <= GIB15),
        ("engine_postgresql", "10m"): ("≤ 12 s, RSS ≤ 1.5 GB", lambda s, r: s <= 12 and (r or 0) <= GIB15),
        ("regrade", "10m"): ("≤ 0.5 s", lambda s, r: s <= 0.5),
        ("final_cold_duckdb", "demo"): ("≤ 1 s", lambda s, r: s <= 1),
        ("final_cached_duckdb", "demo"): ("≤ 150 ms", lambda s, r: s <= 0.15),
        ("final_cold_postgresql", "demo"): ("≤ 1 s", lambda s, r: s <= 1),
        ("final_cached_postgresql", "demo"): ("≤ 150 ms", lambda s, r: s <= 0.15),
        ("final_cold_duckdb", "10m"): ("≤ 5 s", lambda s, r: s <= 5),
        ("final_cached_duckdb", "10m"): ("≤ 200 ms", lambda s, r: s <= 0.2),
        ("final_cached_postgresql", "10m"): ("≤ 200 ms", lambda s, r: s <= 0.2),
        ("export_dashboard", "10m"): ("≤ 20 s", lambda s, r: s <= 20),
        ("export_engine", "10m"): ("≤ 20 s", lambda s, r: s <= 20),
    }
    return g.get((row, size))
