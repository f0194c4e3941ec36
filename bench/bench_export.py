"""Benchmark: the «Финал» client list at ~200,000 clients (demo --scale 35): table paging, CSV export, report.

Each measurement calls what one Dash request does (the callback: services through the cache, pandas filtering,
sorting and paging, the CSV/HTML text, `dcc.send_bytes`) plus the JSON serialisation of its output. The
classification is computed once (cold, timed apart) and then read from the FileSystemCache on every request, as
under gunicorn. Medians of several runs; peak Python memory (tracemalloc) of one extra, untimed run.

    .venv/bin/python bench/bench_export.py [--runs 5] [--scale 35] [--no-write]

Appends (replaces) the "Client list export" section of docs/PERFORMANCE.md.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import sys
import time

import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import build_demo, parse_args, publish, workspace  # noqa: E402  (bench/ is the script's own folder on sys.path)

import plotly.utils

from callbacks import final
from dashboard import ids

SECTION = "## Client list export (bench/bench_export.py)"
NO_FILTERS = (None, None, None, None, None, None)


def thousands(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def response_bytes(output) -> int:
    return len(json.dumps(output, cls=plotly.utils.PlotlyJSONEncoder))


def measure(app, call, runs: int) -> dict:
    times, sizes = [], []
    for _ in range(runs):
        with app.server.test_request_context():
            t0 = time.perf_counter()
            sizes.append(response_bytes(call()))
            times.append(time.perf_counter() - t0)
    with app.server.test_request_context():
        tracemalloc.start()
        call()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {"ms": statistics.median(times) * 1000, "peak_mib": peak / 2**20, "kib": statistics.median(sizes) / 1024}


def main() -> int:
    args = parse_args(default_scale=35.0)

    from dashboard.app import create_app
    from dashboard.settings import Settings

    work = workspace("rfma-bench-export-")
    t0 = time.perf_counter()
    url = build_demo(work / "demo.duckdb", args.scale)
    build_s = time.perf_counter() - t0

    app = create_app(Settings.from_env(url, state_dir=str(work / "state")))
    with app.server.test_request_context():
        services = app.server.extensions["rfma_services"]
        source = services.source()
        period = (source.first_datetime.date().isoformat(), source.last_datetime.date().isoformat())
        t0 = time.perf_counter()
        clients = services.classification(services.key(*period), {}).clients
        services.shop_clients(services.key(*period))
        cold_s = time.perf_counter() - t0
    n_clients = len(clients)
    start, end = period
    first_page = {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "revenue", "sort": "desc"}], "filterModel": {}}
    deep_page = {
        "startRow": 100_000, "endRow": 100_050, "sortModel": [{"colId": "class_name", "sort": "asc"}],
        "filterModel": {"avg_cheque": {"filterType": "number", "type": "greaterThan", "filter": 300}},
    }  # fmt: skip
    vip = int((clients["region"].astype("int64") == 110).sum())
    calls = {
        "Таблица: 1-я страница, все клиенты, сортировка по выручке": lambda: final.grid_rows(
            first_page, ids.TAB_FINAL, start, end, {}, "all", *NO_FILTERS),
        "Таблица: страница 2001, сортировка по описанию класса, фильтр по среднему чеку": lambda: final.grid_rows(
            deep_page, ids.TAB_FINAL, start, end, {}, "all", *NO_FILTERS),
        "Таблица: 1-я страница, аптека + R + поиск по карте": lambda: final.grid_rows(
            first_page, ids.TAB_FINAL, start, end, {}, "all", ["Аптека 1"], [1, 2], None, None, None, "12"),
        "Сводка + RFM-диаграмма (выборка 50 000 точек) + разбивка, все клиенты": lambda: final.update_selection(
            ids.TAB_FINAL, start, end, {}, "all", *NO_FILTERS, {}),
        f"Скачать CSV: все {thousands(n_clients)} клиентов (Excel ;)": lambda: final.download_csv(
            1, start, end, {}, "all", *NO_FILTERS, {}, None, "excel"),
        f"Скачать CSV: регион 110 ({thousands(vip)} клиентов)": lambda: final.download_csv(
            1, start, end, {}, "r110", *NO_FILTERS, {}, None, "excel"),
        "Скачать отчёт (HTML), все клиенты": lambda: final.download_report(
            1, start, end, {}, "all", *NO_FILTERS, {}),
    }  # fmt: skip
    results = {name: measure(app, call, args.runs) for name, call in calls.items()}

    with app.server.test_request_context():
        data, _ = final.download_csv(1, start, end, {}, "all", *NO_FILTERS, {}, None, "excel")
    import base64

    csv_mib = len(base64.b64decode(data["content"])) / 2**20

    # the scheduled job: `rfma classify --region 110` (SQL + grading + filter + CSV), one process call
    from dashboard.cli import main as rfma

    cli_times = []
    for _ in range(max(1, args.runs // 2)):
        t0 = time.perf_counter()
        rfma(["classify", "--db", url, "--out", str(work / "vip.csv"), "--region", "110"])
        cli_times.append(time.perf_counter() - t0)

    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        SECTION,
        "",
        f"Demo database scale {args.scale:g}: {thousands(source.cheques)} cheques, {thousands(n_clients)} identified clients, period "
        f"{start} … {end} (built in {build_s:.1f} s). Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}. Median of {args.runs} runs of the callback + JSON serialisation of its output; "
        "the classification comes from the FileSystemCache (as on every request). Peak memory = tracemalloc of one "
        "more run.",
        "",
        "| request | median, ms | peak Python memory, MiB | response JSON, KiB |",
        "|---|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(f"| {name} | {r['ms']:.0f} | {r['peak_mib']:.0f} | {thousands(r['kib'])} |")
    lines += [
        "",
        f"- Cold start of the tab's data for this period (SQL aggregation + grading + who-bought-where query, then "
        f"cached): {cold_s:.1f} s, once per period/data version.",
        f"- The CSV of all clients is {csv_mib:.1f} MiB (UTF-8 with BOM); `dcc.send_bytes` sends it base64-encoded "
        "in the callback response.",
        f"- `rfma classify --region 110` (the scheduled-job equivalent, SQL included): median "
        f"{statistics.median(cli_times):.1f} s.",
        f"- Process max RSS after the benchmark: {maxrss:.0f} MiB.",
        "",
    ]
    publish(lines, SECTION, ROOT / "docs" / "PERFORMANCE.md", write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
