"""Benchmark: the tab «Когорты» — its first render in a real browser and the cohort table from the service, cold and
with a warm cache, on the demo database and on `rfma demo --scale 35`.

Service (in this process, an app on the database with an empty FileSystemCache): `CohortsService.cohorts` (all
clients) cold = the first call (SQL + grid), cached = later calls of the same request (read from the shared cache);
the same for a segment (110 VIP: classification + SQL), Pareto, dynamics (chain and every pharmacy), and a pick's
clients (a heatmap cell, first page).

Browser (bench_browser's server, Chromium and «quiet page»): a fresh browser opens `?tab=cohorts` straight away; the
time until the page is quiet with the heatmap drawn. Cold = the first pass on an empty server cache, warm = the
median (min–max) of the passes that follow, each in a fresh browser. Then a click on the Pareto band «топ 20 %»
until its clients are listed, and, for comparison under the same load, the first render of «Клиенты» by its link.

    .venv/bin/python bench/bench_cohorts_tab.py [--runs 5] [--scales 1,35] [--no-write]

Replaces the «Когорты» section of docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import bench_browser
from bench_browser import click, contains, demo_database, load_average, new_driver, wait_quiet
from common import ROOT, write_section

from dashboard import ids

SECTION = "## «Когорты» (bench/bench_cohorts_tab.py)"
BAND = '[id=\'{"band":1,"type":"cohort-band"}\']'


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="warm passes / calls per database")
    parser.add_argument("--scales", default="1,35", help="demo scales, comma-separated")
    parser.add_argument("--no-write", action="store_true")
    return parser.parse_args()


def timed(call) -> float:
    t0 = time.perf_counter()
    call()
    return time.perf_counter() - t0


def service_figures(url: str, runs: int, work: Path) -> dict[str, tuple[float, list[float]]]:
    """name → (cold seconds, warm seconds of `runs` calls)."""
    from core.cohorts import month_label
    from core.segment_tree import Segment
    from dashboard.app import create_app
    from dashboard.services import EXTENSION_KEY
    from dashboard.settings import Settings

    results: dict[str, tuple[float, list[float]]] = {}

    def measure(name: str, call) -> None:
        cold = timed(call)
        results[name] = (cold, [timed(call) for _ in range(runs)])

    app = create_app(Settings.from_env(url, state_dir=str(Path(tempfile.mkdtemp(dir=work))), auth="none"))
    s = app.server.extensions[EXTENSION_KEY]
    with app.server.test_request_context():
        request = s.requests.build(None, None, {})
        measure("cohort table, all clients", lambda: s.cohorts.cohorts(request, Segment()))
        measure("cohort table, segment 110 VIP", lambda: s.cohorts.cohorts(request, Segment.parse("r110")))
        measure("Pareto (figures, curve, bands)", lambda: s.cohorts.pareto(request))
        measure("dynamics (chain and every pharmacy)", lambda: s.cohorts.dynamics(request))
        view = s.cohorts.cohorts(request, Segment())
        cohort = view.cells["cohort"].min()
        pick = s.cohorts.pick(f"cell|all|{month_label(int(cohort))}|1")
        measure("a heatmap cell's clients (first page)", lambda: s.cohorts.pick_page(request, pick, 0, 50, ()))
    return results


def browser_pass(address: str, work: Path) -> dict[str, float]:
    downloads = Path(tempfile.mkdtemp(prefix="csv-", dir=work))
    driver = new_driver(downloads)
    times: dict[str, float] = {}
    try:
        t0 = time.perf_counter()
        driver.get(f"{address}?tab=cohorts")
        times["first render of «Когорты» (opened by its link)"] = wait_quiet(
            driver, t0, contains(driver, f"#{ids.COHORTS.HEATMAP} .gtitle", "Когорты")
        )
        t0 = time.perf_counter()
        click(driver, BAND)
        times["Pareto band «топ 20 %» → its clients listed"] = wait_quiet(
            driver, t0, contains(driver, f"#{ids.COHORTS.PICK_COUNT}", "топ 20")
        )
        t0 = time.perf_counter()
        driver.get(f"{address}?tab=clients")
        times["for comparison: first render of «Клиенты» (opened by its link)"] = wait_quiet(
            driver, t0, contains(driver, f"#{ids.CLIENTS.GRAPH_CHEQUES} .main-svg", "")
        )
    finally:
        driver.quit()
    return times


def browser_figures(url: str, runs: int, work: Path) -> tuple[dict[str, float], dict[str, list[float]]]:
    state = Path(tempfile.mkdtemp(prefix="state-", dir=work))
    server, address = bench_browser.start_server(url, state)
    try:
        cold = browser_pass(address, work)
        warm: dict[str, list[float]] = {}
        for _ in range(runs):
            for name, seconds in browser_pass(address, work).items():
                warm.setdefault(name, []).append(seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return cold, warm


def cheques(url: str) -> int:
    from core.db import data_source, make_engine

    engine = make_engine(url)
    try:
        return data_source(engine).cheques
    finally:
        engine.dispose()


def spread(values: list[float], scale: float = 1.0, digits: int = 2) -> str:
    if not values:
        return "—"
    return (
        f"{statistics.median(values) * scale:.{digits}f} "
        f"({min(values) * scale:.{digits}f}–{max(values) * scale:.{digits}f})"
    )


def main() -> int:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="rfma-bench-cohorts-"))
    os.environ["RFMA_DEMO_PATH"] = str(work / "unused-default.duckdb")
    scales = [float(s) for s in args.scales.split(",") if s.strip()]
    before = load_average()
    urls = {scale: demo_database(scale) for scale in scales}
    service = {}
    for scale in scales:
        service[scale] = service_figures(urls[scale], args.runs, work)
        print(scale, service[scale], flush=True)
    browser = {scale: browser_figures(urls[scale], args.runs, work) for scale in scales}
    after = load_average()
    lines = [
        SECTION,
        "",
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, DuckDB; load average "
        f"(1 / 5 min) {before} before and {after} after the run (other sessions' tests ran meanwhile). "
        + ", ".join(f"scale {s:g} = {cheques(urls[s]):,} cheques".replace(",", " ") for s in scales)
        + " (`rfma demo --scale K`, cached in .cache/bench/).",
        "",
        "Service calls (`dashboard.services.cohorts.CohortsService`, in process, FileSystemCache): cold = the first "
        f"call on an empty cache; cached = median (min–max) of {args.runs} later calls, in milliseconds.",
        "",
        "| call | " + " | ".join(f"scale {s:g}: cold, s | cached, ms" for s in scales) + " |",
        "|---|" + "---:|---:|" * len(scales),
    ]
    for name in service[scales[0]]:
        cells = [f"{service[s][name][0]:.2f} | {spread(service[s][name][1], 1000, 1)}" for s in scales]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Browser (headless Chromium, `rfma serve`, bench_browser's «quiet page»): seconds; warm = median (min–max) of "
        f"{args.runs} passes in fresh browsers after one cold pass on an empty server cache.",
        "",
        "| step | " + " | ".join(f"scale {s:g}: warm | cold" for s in scales) + " |",
        "|---|" + "---:|---:|" * len(scales),
    ]
    for name in browser[scales[0]][0]:
        cells = [f"{spread(browser[s][1].get(name, []))} | {browser[s][0].get(name, float('nan')):.2f}" for s in scales]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        write_section(ROOT / "docs" / "PERFORMANCE.md", SECTION, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
