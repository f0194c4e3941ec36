"""Benchmark: segment-history snapshots (issue 14) — one snapshot (classification + bulk save), a monthly series,
and the reads of «История» (sizes over the snapshots, comparing two snapshots, one client's path).

Goals (issue 14, at 10M cheques / 1.5M clients): a snapshot ≤ 5 s including the classification, a 12-month series
≤ 60 s. The cheques are the demo chain at each scale in a DuckDB file; the application database is a SQLite file
(the embedded default), and with --pg a PostgreSQL database of a server started here (tests/support/postgres.py).

    .venv/bin/python bench/bench_history.py                         # scales 1 and 35, SQLite
    .venv/bin/python bench/bench_history.py --scales 1,35,260 --pg  # + 10M cheques, + PostgreSQL app database
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from pathlib import Path

from common import PERFORMANCE, build_demo, peak_rss_bytes, reset_peak_rss, workspace, write_section

HEADING = "## Segment history: snapshots (bench/bench_history.py)"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="1,35", help="comma list of demo scales (1 = demo, 35, 260 ≈ 10M)")
    parser.add_argument("--runs", type=int, default=3, help="runs of the single snapshot (the series runs once)")
    parser.add_argument("--months", type=int, default=12, help="month ends of the series (the data's last ones)")
    parser.add_argument("--pg", action="store_true", help="also an application database on PostgreSQL")
    parser.add_argument("--data", help="folder of cached demo<K>.duckdb files: reused when present, else built there")
    parser.add_argument("--no-write", action="store_true")
    return parser.parse_args()


def seconds(values: list[float]) -> str:
    median = statistics.median(values)
    spread = f" ({min(values):.2f}–{max(values):.2f})" if len(values) > 1 else ""
    return f"{median:.2f} s{spread}"


def measure(url: str, app_url: str, runs: int, months: int) -> dict:
    """Every figure of one cheques database and one application database."""
    from core import history
    from core.classify import classify, classify_series
    from core.db import make_engine
    from core.model import AnalysisOptions, Period, ThresholdPins
    from core.periods import period_bounds
    from dashboard.appdb import open_snapshots
    from dashboard.services.history import HistoryService

    engine = make_engine(url)
    store = open_snapshots(app_url, url)
    options, pins = AnalysisOptions(), ThresholdPins()
    with engine.connect() as conn:
        first, last = period_bounds(conn, Period())
    out: dict = {"classify": [], "save": [], "replace": [], "total": []}
    reset_peak_rss()
    for run in range(runs):
        t0 = time.perf_counter()
        result = classify(engine, Period(), pins, options)
        t1 = time.perf_counter()
        saved = store.save_classification(result, options, pins, "bench", "bench")
        t2 = time.perf_counter()
        out["classify"].append(t1 - t0)
        out["save" if run == 0 else "replace"].append(t2 - t1)
        out["total"].append(t2 - t0)
        assert saved.replaced == (run > 0)
    out["clients"] = len(result.clients)
    out["snapshot_rss"] = peak_rss_bytes()
    ends = history.month_ends(first, last)[-months:]
    series_start = dt.date(ends[0].year, ends[0].month, 1) if len(ends) == months else first
    t0 = time.perf_counter()
    made = []
    periods = [Period(series_start, end) for end in ends]
    for one in classify_series(engine, periods, pins, options):  # as `rfma snapshot --monthly`
        if one.message is None:
            made.append(store.save_classification(one, options, pins, "bench", "bench --monthly").snapshot)
    out["series"] = time.perf_counter() - t0
    out["series_n"] = len(made)
    out["series_from"] = series_start
    out["series_rss"] = peak_rss_bytes()
    t0 = time.perf_counter()
    sizes = store.sizes()
    history.sizes_over_snapshots(sizes, "region")
    out["sizes"] = time.perf_counter() - t0
    a, b = made[-2], made[-1]
    t0 = time.perf_counter()
    _, new = store.clients(a.id), store.clients(b.id)
    out["load_two"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    pair = HistoryService._compare(store, a, b)  # what «История» computes for a pair (reads both again)
    for level in history.LEVELS:
        history.flow_matrix(pair.flows, level)
    out["compare"] = time.perf_counter() - t0
    card = str(new["card"].iloc[len(new) // 2])
    t0 = time.perf_counter()
    path = store.path(card)
    out["path"] = time.perf_counter() - t0
    assert len(path) >= 1
    engine.dispose()
    return out


def section(rows: list[tuple[str, str, dict]], runs: int, months: int) -> list[str]:
    lines = [
        HEADING,
        "",
        f"Machine: {os.cpu_count()} cores shared with other work; {time.strftime('%Y-%m-%dT%H:%M')} UTC. The cheques: "
        "`rfma demo --scale K` in a DuckDB file; the snapshot = `classify` of all data (SQL + grading) + "
        "`Snapshots.save_classification` (one transaction: the snapshot's row, its clients as one Parquet block, "
        "segment sizes); «Сохранить снимок» in the dashboard reuses the tab's cached classification, so it costs "
        "the save column alone. "
        f"Single snapshot: median of {runs} runs (min–max), the first a new snapshot, the next ones replacing it. "
        f"Series: the data's last {months} month ends e, each classifying [first day of the series' first month, e] "
        "(`classify_series`, as `rfma snapshot --monthly`) and saved, one run. Compare = `HistoryService._compare` "
        "(both blocks read and decoded, one card alignment, flows, entered/left at the three levels) + the three "
        "matrices: what «История» computes for a pair before rendering; in brackets reading both blocks alone. "
        "The 1-minute load average at the start of each row is in its first cell. Peak RSS of the whole process.",
        "",
        "| cheques DB | app DB | clients | classify | save (new) | replace | snapshot total | goal ≤ 5 s at 10M "
        "| series | goal ≤ 60 s at 10M | sizes | compare (read 2) | path | peak RSS |",
        "|---|---|---:|---:|---:|---:|---:|:-:|---:|:-:|---:|---:|---:|---:|",
    ]
    for name, app, r in rows:
        big = r["clients"] >= 1_000_000
        total = statistics.median(r["total"])
        ok_snap = ("✓" if total <= 5 else "✗") if big else ""
        ok_series = ("✓" if r["series"] <= 60 else "✗") if big else ""
        lines.append(
            f"| {name} | {app} | {r['clients']:,} | {seconds(r['classify'])} | {seconds(r['save'])} | "
            f"{seconds(r['replace']) if r['replace'] else '—'} | {seconds(r['total'])} | {ok_snap} | "
            f"{r['series']:.1f} s ({r['series_n']} snapshots from {r['series_from']}) | {ok_series} | "
            f"{r['sizes'] * 1000:.0f} ms | {r['compare']:.2f} s ({r['load_two']:.2f} s) | {r['path'] * 1000:.0f} ms | "
            f"{max(r['snapshot_rss'], r['series_rss']) / 2**20:.0f} MiB |"
        )
    return lines


def main() -> int:
    args = parse_args()
    scales = [float(s) for s in args.scales.split(",") if s]
    work = workspace("rfma-bench-history-")
    server = None
    rows = []
    try:
        pg_base = None
        if args.pg:
            from tests.support.postgres import PostgresServer, postgres_bin

            bindir = postgres_bin()
            if bindir is None:
                raise SystemExit("PostgreSQL is not installed")
            server = PostgresServer(bindir)
            server.start()
            pg_base = server.url()
        for scale in scales:
            t0 = time.perf_counter()
            cached = Path(args.data) / f"demo{scale:g}.duckdb" if args.data else None
            if cached is not None and cached.exists():
                url, built_text = f"duckdb:///{cached}", "cached file"
            else:
                url = build_demo(cached or work / f"demo{scale:g}.duckdb", scale)
                built_text = f"built in {time.perf_counter() - t0:.0f} s"
            from core.db import make_engine

            engine = make_engine(url)
            with engine.connect() as conn:
                cheques = conn.exec_driver_sql("select count(*) from bonuscheques").scalar_one()
            engine.dispose()
            load = os.getloadavg()[0]
            name = f"scale {scale:g}: {cheques:,} cheques ({built_text}; load {load:.1f})"
            apps = [("SQLite", f"sqlite:///{work / f'app{scale:g}.sqlite'}")]
            if pg_base:
                import sqlalchemy as sa

                db = f"bench_history_{int(scale)}"
                admin = sa.create_engine(pg_base, isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    conn.exec_driver_sql(f"drop database if exists {db}")
                    conn.exec_driver_sql(f"create database {db}")
                admin.dispose()
                apps.append(("PostgreSQL", pg_base.rsplit("/", 1)[0] + f"/{db}"))
            for app_name, app_url in apps:
                result = measure(url, app_url, args.runs, args.months)
                rows.append((name, app_name, result))
                print(section(rows, args.runs, args.months)[-1], flush=True)
    finally:
        if server is not None:
            server.stop()
    lines = section(rows, args.runs, args.months)
    print("\n".join(lines))
    if not args.no_write:
        write_section(PERFORMANCE, HEADING, "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
