"""Benchmark: «Скачать всё в Excel» — the whole dashboard's workbook (every table of the period, native charts, no
client list) for the demo and for larger chains.

Cold = a fresh app with an empty cache: the SQL, the classification, the research, the migration and the XLSX;
warm = the same request again in the same worker (the tabs' results cached, as after the user visited the tabs):
mostly the XLSX itself. Medians of several runs; peak RSS increase of one cold build (VmHWM reset before it).

    .venv/bin/python bench/bench_workbook.py [--runs 5] [--scales 1 35] [--no-write]

The demo databases are generated once into .cache/bench/workbook/ and reused. Replaces the "Workbook" section of
docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

from common import ROOT, build_demo, peak_rss_bytes, publish, reset_peak_rss, rss_now_bytes, workspace

SECTION = "## Workbook (bench/bench_workbook.py)"
CACHE = ROOT / ".cache" / "bench" / "workbook"


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 35.0])
    parser.add_argument("--no-write", action="store_true")
    return parser.parse_args()


def demo_url(scale: float) -> tuple[str, float]:
    """The demo chain at `scale` under .cache/bench/workbook/ (generated when missing): URL, seconds to build."""
    from core.demo import DEMO_SEED

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"demo-s{scale:g}-seed{DEMO_SEED}.duckdb"
    if path.exists():
        return f"duckdb:///{path}", 0.0
    t0 = time.perf_counter()
    url = build_demo(path.with_suffix(".tmp"), scale)
    path.with_suffix(".tmp").rename(path)
    return url.replace(".tmp", ".duckdb"), time.perf_counter() - t0


def build_once(app, bonus: str | None) -> tuple[float, int, int]:
    """(seconds, bytes, rows) of one workbook build in a request of `app`."""
    from dashboard.services.tables import Selection
    from dashboard.services.workbook import ThresholdSource

    services = app.server.extensions["rfma_services"]
    with app.server.test_request_context():
        request = services.requests.build(None, None)
        t0 = time.perf_counter()
        selection, source = Selection(bonus_date=bonus), ThresholdSource("suggested")
        _, data = services.downloads.workbook_file(request, selection, source)
        seconds = time.perf_counter() - t0
    entry = services.audit.entries(action="download_workbook")[-1]
    return seconds, len(data), int(entry.rows or 0)


def measure(scale: float, runs: int, work) -> dict:
    from dashboard.app import create_app
    from dashboard.settings import Settings

    url, built = demo_url(scale)
    probe = create_app(Settings.from_env(url, state_dir=str(work / f"probe-{scale:g}"), auth="none"))
    with probe.server.test_request_context():
        services = probe.server.extensions["rfma_services"]
        source = services.source.read()
        clients = len(services.analyses.classification(services.requests.build(None, None)).clients)
    first, last = source.first_datetime.date(), source.last_datetime.date()
    bonus = (first + (last - first) / 2).isoformat()
    cold, warm, plain, sizes, rows = [], [], [], [], 0
    for run in range(runs):
        app = create_app(Settings.from_env(url, state_dir=str(work / f"state-{scale:g}-{run}"), auth="none"))
        with app.server.test_request_context():
            app.server.extensions["rfma_services"].source.read()
        seconds, size, rows = build_once(app, bonus)
        cold.append(seconds)
        sizes.append(size)
        warm.append(build_once(app, bonus)[0])
        # cold without «Миграция» (no bonus date): its two extra client bases are most of a cold build
        app = create_app(Settings.from_env(url, state_dir=str(work / f"plain-{scale:g}-{run}"), auth="none"))
        plain.append(build_once(app, None)[0])
    # where a cold build's time goes: each tab's analysis from an empty cache, in the order the workbook needs them
    app = create_app(Settings.from_env(url, state_dir=str(work / f"parts-{scale:g}"), auth="none"))
    s = app.server.extensions["rfma_services"]
    parts = {}
    with app.server.test_request_context():
        request = s.requests.build(None, None)
        for part, call in (
            ("client base (SQL)", lambda: s.analyses.client_base(request)),
            ("classification", lambda: s.analyses.classification(request)),
            ("overview (SQL)", lambda: s.analyses.overview(request)),
            ("research", lambda: s.thresholds.research(request)),
            ("regions, clusters, classes", lambda: s.final.view(request)),
            ("migration (two more client bases)", lambda: s.migration.view(request, bonus)),
        ):
            t0 = time.perf_counter()
            call()
            parts[part] = time.perf_counter() - t0
    app = create_app(Settings.from_env(url, state_dir=str(work / f"state-{scale:g}-memory"), auth="none"))
    before = rss_now_bytes()
    exact = reset_peak_rss()
    build_once(app, bonus)
    peak = peak_rss_bytes() - before if exact else None
    return {
        "scale": scale,
        "cheques": source.cheques,
        "clients": clients,
        "built": built,
        "cold": statistics.median(cold),
        "warm": statistics.median(warm),
        "plain": statistics.median(plain),
        "kib": statistics.median(sizes) / 1024,
        "rows": rows,
        "peak_mib": peak / 2**20 if peak is not None else None,
        "parts": parts,
    }


def main() -> int:
    args = parse()
    load = os.getloadavg()[0]
    work = workspace("rfma-bench-workbook-")
    results = [measure(scale, args.runs, work) for scale in args.scales]
    lines = [
        SECTION,
        "",
        f"«Скачать всё в Excel» (and `rfma workbook`): the whole period, the suggested thresholds, the migration "
        f"matrix at the period's middle, no client list. Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}. Median of {args.runs} runs; cold = a fresh app and cache (SQL, "
        "classification, research, migration, XLSX), warm = the same request again in the same worker (the tabs' "
        "results cached). Peak RSS increase = VmHWM during one more cold build − RSS before it. Goals: the demo "
        f"≤ 2 s, 1.5M clients ≤ 5 s. 1-minute load average before the run: {load:.2f}.",
        "",
        "| chain | cheques | clients | cold, s | cold without «Миграция», s | warm, s | workbook, KiB | table rows "
        "| peak RSS increase (cold), MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        peak = f"{r['peak_mib']:.0f}" if r["peak_mib"] is not None else "n/a"
        lines.append(
            f"| demo scale {r['scale']:g} | {r['cheques']:,} | {r['clients']:,} | {r['cold']:.2f} | {r['plain']:.2f} "
            f"| {r['warm']:.2f} "
            f"| {r['kib']:.0f} | {r['rows']:,} | {peak} |"
        )
    for r in results:
        parts = ", ".join(f"{part} {seconds:.2f} s" for part, seconds in r["parts"].items())
        lines.append(f"- Scale {r['scale']:g}, a cold build's parts (once each, empty cache): {parts}.")
    lines.append(
        "- Warm is the workbook's own cost (the tables from the cached views, the XLSX with its charts); cold adds "
        "every tab's analysis from nothing, the same work the tabs do when first shown (see «Dashboard render»)."
    )
    publish(lines, SECTION, write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
