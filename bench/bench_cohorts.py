"""Benchmark: the cohort engine (issue 13, SPEC §7) — the cohort table cold on DuckDB and PostgreSQL, the client-base
dynamics of the chain and every pharmacy, Pareto, and the same cohort table in plain pandas from Parquet.

    .venv/bin/python bench/bench_cohorts.py                 # scale 260: ≈ 10M cheque rows, 1.5M clients
    .venv/bin/python bench/bench_cohorts.py --scale 1 --runs 2 --no-write    # a quick check

The data (DuckDB file, PostgreSQL database, Parquet export of the same cheques) is generated once per scale by the
scale benchmark's own preparation (bench/scale_data.py) and kept under .cache/bench/cohorts/. Every timed
measurement runs in a fresh Python process (cold: a new engine and connection, nothing cached in the process; the
operating system's file cache is warm after the first run); the time is the call itself, imports excluded; the peak
memory is that process's ru_maxrss (PostgreSQL's own memory is the server's, not counted). Measurements alternate
within each run (A B C … A B C …); the table gives the median and the min–max. The pandas result is checked equal
to the engine's. Replaces the «Когорты: движок» section of docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, maxrss_bytes, write_section
from pg import BENCH_SETTINGS, LOCALE
from scale_data import prepare_size

SECTION = "## Когорты: движок (bench/bench_cohorts.py)"
CACHE = ROOT / ".cache" / "bench" / "cohorts"
MARK = "COHORTS_RESULT "
GOALS = {"cohorts_duckdb": 3.0, "cohorts_postgresql": 12.0, "dynamics_duckdb": 5.0}
LABELS = {
    "cohorts_duckdb": "cohort table, DuckDB (cold)",
    "cohorts_postgresql": "cohort table, PostgreSQL (cold)",
    "cohorts_pandas": "cohort table, plain pandas from Parquet (load included)",
    "dynamics_duckdb": "dynamics, chain + every pharmacy, DuckDB",
    "dynamics_postgresql": "dynamics, chain + every pharmacy, PostgreSQL",
    "pareto_duckdb": "Pareto, DuckDB",
    "pareto_postgresql": "Pareto, PostgreSQL",
}


# --- the measurements (each in a fresh process) ---------------------------------------------------------------------


def _engine(url: str):
    import duckdb_engine  # noqa: F401  (drivers imported before the clock starts)
    import psycopg  # noqa: F401

    from core.db import make_engine

    return make_engine(url)


def child_cohorts(p: dict) -> dict:
    """load_cohorts of the whole period; the cells are written to p["out"] (Parquet) for the comparison."""
    from core.cohorts import load_cohorts

    engine = _engine(p["url"])
    t0 = time.perf_counter()
    cohorts = load_cohorts(engine)
    wall = time.perf_counter() - t0
    if p.get("out"):
        cohorts.cells.to_parquet(p["out"])
    return {"wall": wall, "cells": len(cohorts.cells), "cohorts": int(cohorts.cells["cohort"].nunique())}


def child_dynamics(p: dict) -> dict:
    """load_dynamics of the whole period (the chain and every pharmacy) with the given r3."""
    from core.cohorts import load_dynamics

    engine = _engine(p["url"])
    t0 = time.perf_counter()
    dynamics = load_dynamics(engine, int(p["r3"]))
    wall = time.perf_counter() - t0
    return {"wall": wall, "rows": len(dynamics.rows), "scopes": int(dynamics.rows["shop"].nunique())}


def child_pareto(p: dict) -> dict:
    """load_pareto of the whole period."""
    from core.cohorts import load_pareto

    engine = _engine(p["url"])
    t0 = time.perf_counter()
    pareto = load_pareto(engine)
    wall = time.perf_counter() - t0
    return {"wall": wall, **pareto.as_json()}


def child_r3(p: dict) -> dict:
    """The suggested r3 of the whole period (what `rfma dynamics` uses), not timed."""
    from core.client_base import load_client_base
    from core.model import ThresholdPins
    from core.thresholds import suggest_thresholds

    engine = _engine(p["url"])
    thresholds = suggest_thresholds(load_client_base(engine), ThresholdPins()).thresholds
    return {"r3": int(thresholds.r3) if thresholds is not None else 90}


def pandas_cohorts(path: str):
    """§7's cohort table in plain pandas from the Parquet cheques (the peer; same rules as core.cohorts)."""
    import numpy as np
    import pandas as pd

    frame = pd.read_parquet(path, columns=["datetime", "card", "doc_id", "summ_with_disc"])
    days = frame["datetime"].to_numpy().astype("datetime64[D]")
    analysis = days.max()
    first = days.min()
    frame = frame[frame["card"].str.fullmatch(r"\d+", na=False).to_numpy() & (days <= analysis)]
    frame = frame.assign(day=frame["datetime"].to_numpy().astype("datetime64[D]"))
    purchases = frame.groupby(["card", "doc_id"], sort=False).agg(day=("day", "min"), amount=("summ_with_disc", "sum"))
    months = purchases["day"].to_numpy().astype("datetime64[M]").astype("int64") + 1970 * 12
    purchases = pd.DataFrame(
        {"card": purchases.index.get_level_values("card"), "month": months, "amount": purchases["amount"].to_numpy()}
    )
    purchases["cohort"] = purchases.groupby("card", sort=False)["month"].transform("min")
    last = int(np.datetime64(analysis, "M").astype("int64")) + 1970 * 12
    start = int(np.datetime64(first, "M").astype("int64")) + 1970 * 12
    purchases = purchases[(purchases["cohort"] >= start) & (purchases["cohort"] <= last)]
    purchases["months_since"] = purchases["month"] - purchases["cohort"]
    sizes = purchases.groupby("cohort")["card"].nunique().rename("cohort_clients").reset_index()
    cells = (
        purchases.groupby(["cohort", "months_since"])
        .agg(active_clients=("card", "nunique"), purchases=("card", "size"), revenue=("amount", "sum"))
        .reset_index()
    )
    spans = last - sizes["cohort"].to_numpy() + 1
    grid = pd.DataFrame(
        {
            "cohort": np.repeat(sizes["cohort"].to_numpy(), spans),
            "months_since": np.concatenate([np.arange(s) for s in spans]),
            "cohort_clients": np.repeat(sizes["cohort_clients"].to_numpy(), spans),
        }
    ).merge(cells, on=["cohort", "months_since"], how="left")
    grid[["active_clients", "purchases"]] = grid[["active_clients", "purchases"]].fillna(0).astype("int64")
    grid["revenue"] = grid["revenue"].fillna(0.0)
    grid["retention"] = grid["active_clients"] / grid["cohort_clients"]
    grid["avg_cheque"] = (grid["revenue"] / grid["purchases"]).where(grid["purchases"] > 0)
    grid["ltv"] = grid.groupby("cohort")["revenue"].cumsum() / grid["cohort_clients"]
    month_end = (np.datetime64(analysis, "M") + 1).astype("datetime64[D]") - 1
    grid["partial"] = (analysis != month_end) & (grid["cohort"] + grid["months_since"] == last)
    return grid


def child_pandas(p: dict) -> dict:
    """The cohort table by plain pandas from Parquet, load included; written to p["out"] for the comparison."""
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    t0 = time.perf_counter()
    grid = pandas_cohorts(p["parquet"])
    wall = time.perf_counter() - t0
    if p.get("out"):
        grid.to_parquet(p["out"])
    return {"wall": wall, "cells": len(grid)}


CHILDREN = {
    "cohorts": child_cohorts,
    "dynamics": child_dynamics,
    "pareto": child_pareto,
    "r3": child_r3,
    "pandas": child_pandas,
}


def child_main(task: str, params: dict) -> int:
    os.environ["RFMA_DEMO_PATH"] = str(Path(tempfile.mkdtemp(prefix="rfma-bench-cohorts-")) / "unused.duckdb")
    result = CHILDREN[task](params)
    result["rss"] = maxrss_bytes()
    print(MARK + json.dumps(result, default=str), flush=True)
    return 0


def run(task: str, params: dict, timeout: float = 3600) -> dict:
    """One measurement in a fresh interpreter."""
    cmd = [sys.executable, __file__, "--child", task, "--params", json.dumps(params)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    raise RuntimeError(f"{task} failed: {done.stderr.strip()[-2000:]}")


# --- the parent -----------------------------------------------------------------------------------------------------


def start_postgres():
    """The benchmark's PostgreSQL (bench/pg.py settings), its cluster kept under CACHE; None when not installed."""
    from tests.support.postgres import PostgresServer, postgres_bin

    bindir = postgres_bin()
    if bindir is None:
        return None
    server = PostgresServer(bindir, root=CACHE / f"pg{bindir.parent.name}", settings=BENCH_SETTINGS, locale=LOCALE)
    server.start()
    return server


def compare(engine_cells: str, pandas_cells: str) -> str:
    """'equal' when pandas' cohort table equals the engine's (counts exactly, amounts to 1e-6), else what differs."""
    import pandas as pd

    from core.cohorts import CELL_COLUMNS

    a = pd.read_parquet(engine_cells)[CELL_COLUMNS].sort_values(["cohort", "months_since"]).reset_index(drop=True)
    b = pd.read_parquet(pandas_cells)[CELL_COLUMNS].sort_values(["cohort", "months_since"]).reset_index(drop=True)
    try:
        pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-6, atol=1e-6)
    except AssertionError as exc:
        return "DIFFERENT: " + str(exc).splitlines()[0][:200]
    return "equal"


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=260.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=None, help="the demo's seed (default: DEMO_SEED)")
    parser.add_argument("--no-postgresql", action="store_true")
    parser.add_argument("--prepare-only", action="store_true", help="only generate and load the data")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--params", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child_main(args.child, json.loads(args.params or "{}"))

    from core.demo import DEMO_SEED

    seed = DEMO_SEED if args.seed is None else args.seed
    CACHE.mkdir(parents=True, exist_ok=True)
    pg = None if args.no_postgresql else start_postgres()
    try:
        data = prepare_size(f"scale {args.scale:g}", args.scale, seed, CACHE, pg)
        if args.prepare_only:
            return 0
        return measure(args, data)
    finally:
        if pg is not None:
            pg.stop()


def measure(args, data: dict) -> int:
    urls, parquet, info = data["urls"], data["parquet"], data["info"]
    load_before = os.getloadavg()
    uptime_before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    r3 = run("r3", {"url": urls["duckdb"]})["r3"]
    work = Path(tempfile.mkdtemp(prefix="rfma-bench-cohorts-"))
    tasks: list[tuple[str, str, dict]] = []
    for backend, url in urls.items():
        tasks.append((f"cohorts_{backend}", "cohorts", {"url": url}))
    tasks.append(("cohorts_pandas", "pandas", {"parquet": parquet}))
    for backend, url in urls.items():
        tasks.append((f"dynamics_{backend}", "dynamics", {"url": url, "r3": r3}))
        tasks.append((f"pareto_{backend}", "pareto", {"url": url}))
    results: dict[str, list[dict]] = {name: [] for name, _, _ in tasks}
    for number in range(args.runs):
        for name, task, params in tasks:
            params = dict(params)
            if number == 0 and task in ("cohorts", "pandas"):
                params["out"] = str(work / f"{name}.parquet")
            result = run(task, params)
            results[name].append(result)
            print(f"run {number + 1}/{args.runs} {name}: {result['wall']:.2f} s, {result['rss'] / 2**20:.0f} MiB")
    checks = {
        name: compare(str(work / "cohorts_duckdb.parquet"), str(work / f"{name}.parquet"))
        for name in ("cohorts_postgresql", "cohorts_pandas")
        if name in results
    }
    uptime_after = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    first = results["cohorts_duckdb"][0]
    pareto = results["pareto_duckdb"][0]
    lines = [
        SECTION,
        "",
        f"The demo chain at scale {args.scale:g}: {info.get('rows', 0):,} cheque rows, {info.get('clients', 0):,} "
        f"clients; the whole period; {first['cohorts']} cohorts, {first['cells']:,} cells; dynamics with r3 = {r3} "
        f"days (the suggested thresholds'). Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; PostgreSQL with bench/pg.py's settings. Every measurement in a fresh process "
        f"(cold: a new engine and connection; the OS file cache warm), median (min–max) of {args.runs} runs, "
        "alternating; peak memory = that process's ru_maxrss (the PostgreSQL server's memory not counted). "
        "**The machine is shared with other helpers' work**: load average (1, 5, 15 min) before the run "
        f"{load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f}; `uptime` before: `{uptime_before}`; "
        f"after: `{uptime_after}`.",
        "",
        "| measurement | median (min–max), s | goal, s | peak RSS, MiB |",
        "|---|---:|---:|---:|",
    ]
    for name, runs in results.items():
        goal = GOALS.get(name)
        verdict = (
            ""
            if goal is None
            else f"≤ {goal:g} " + ("✓" if statistics.median([r["wall"] for r in runs]) <= goal else "✗")
        )
        rss = statistics.median([r["rss"] for r in runs]) / 2**20
        lines.append(f"| {LABELS[name]} | {fmt([r['wall'] for r in runs])} | {verdict} | {rss:.0f} |")
    lines.append(
        f"- Pareto: {pareto['clients']:,} clients, top 20% bring {pareto['top20_revenue_share']:.1%} of the revenue; "
        f"80% of the revenue comes from {pareto['clients_share_for_80_revenue']:.1%} of the clients."
    )
    for name, verdict in checks.items():
        lines.append(f"- {LABELS[name]} against the DuckDB engine's cells: {verdict}.")
    text = "\n".join([*lines, ""])
    print(text)
    if not args.no_write:
        write_section(ROOT / "docs" / "PERFORMANCE.md", SECTION, text)
    return 0 if all(v == "equal" for v in checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
