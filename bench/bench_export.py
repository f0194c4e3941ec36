"""Benchmark: the «Финал» client list at ~200,000 clients (demo --scale 35): table paging, the CSV link, the report;
and the streamed CSV export of all clients against the old in-memory one (scale 260 ≈ 10M cheques, 1.5M clients).

Each table row calls what one Dash request does (the callback: services through the cache, pandas filtering,
sorting and paging, the HTML text) plus the JSON serialisation of its output. The classification is computed once
(cold, timed apart) and then kept in the worker's memory (re-graded from the cached base in a fresh worker).
Medians of several runs; peak Python memory (tracemalloc) of one extra, untimed run.

The export comparison runs each path once in a fresh process (`--probe`, same cache directory): the streamed route
through `app.server.test_client()` consumed chunk by chunk, and the old path (filtered copy, sorted copy, one CSV
string, `dcc.send_bytes` base64 in the callback's JSON). Peak RSS increase = the process's peak RSS during the request
(VmHWM, reset through /proc/self/clear_refs) minus its RSS just before it (after one data-version query).

    .venv/bin/python bench/bench_export.py [--runs 5] [--scale 35] [--no-write]

Appends (replaces) the "Client list export" section of docs/PERFORMANCE.md.
"""

from __future__ import annotations

import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc

import plotly.utils
from common import (  # bench/ is the script's own folder on sys.path; common puts the repo root on it too
    build_demo,
    maxrss_bytes,
    parse_args,
    peak_rss_bytes,
    publish,
    reset_peak_rss,
    rss_now_bytes,
    workspace,
)

from callbacks.final import FinalCallbacks
from dashboard import ids

SECTION = "## Client list export (bench/bench_export.py)"
NO_FILTERS = (None, None, None, None, None, None)
BY_REVENUE = [{"colId": "revenue", "sort": "desc", "sortIndex": 0}]  # the grid's default order


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


def old_export(services, start: str, end: str) -> dict:
    """The export as it was before streaming (all clients, by revenue): the callback's `dcc.send_bytes` output."""
    from dash import dcc

    from core.client_filter import TABLE_COLUMNS, ClientFilter, sort_clients
    from core.export import BOM, CSV_FORMATS, client_list_filename, client_list_header
    from dashboard.grid import sort_keys

    flt = ClientFilter.build("all")
    chosen = services.analyses.selection(services.requests.build(start, end), flt)  # a filtered copy of the base …
    ordered = sort_clients(chosen.clients, sort_keys(BY_REVENUE))  # … a sorted copy …
    header = client_list_header(
        f"клиенты сегмента {flt.segment_obj.label}",
        chosen.date_from,
        chosen.date_to,
        chosen.analysis_date,
        chosen.thresholds,
        flt.describe(),
        len(ordered),
    )
    sep, decimal = CSV_FORMATS["excel"]
    frame = ordered[TABLE_COLUMNS]  # … its columns, then the whole file as one string and as bytes
    rounded = {c: frame[c].astype("float64").round(2) for c in ("revenue", "avg_cheque", "bonus_spent") if c in frame}
    frame = frame.assign(frequency=frame["frequency"].astype("float64").round(6), **rounded)
    buffer = io.StringIO()
    buffer.write(BOM + "".join(line + "\n" for line in header))
    frame.to_csv(buffer, sep=sep, decimal=decimal, index=False, date_format="%Y-%m-%d", lineterminator="\n")
    content = buffer.getvalue().encode("utf-8")
    name = client_list_filename(flt.segment_obj.file_part(), chosen.date_from, chosen.date_to)
    return dcc.send_bytes(content, name, type="text/csv")


def probe(spec: dict) -> dict:
    """One export in this (fresh) process: seconds to the first and the last byte, bytes sent, peak RSS increase."""
    from dashboard.app import create_app
    from dashboard.settings import Settings

    app = create_app(Settings.from_env(spec["url"], state_dir=spec["state_dir"]))
    with app.server.test_request_context():  # warm up: the first database query and its imports, not the export
        app.server.extensions["rfma_services"].source.read()
    before = rss_now_bytes()
    exact = reset_peak_rss()  # else the max RSS of the whole process (imports included) bounds the peak from above
    t0 = time.perf_counter()
    first, size = None, 0
    if spec["kind"] == "stream":
        response = app.server.test_client().get(spec["link"], buffered=False)
        assert response.status_code == 200 and response.is_streamed, response.status
        for chunk in response.response:
            first = first if first is not None else time.perf_counter() - t0
            size += len(chunk)
        response.close()
    else:
        with app.server.test_request_context():
            services = app.server.extensions["rfma_services"]
            if spec["kind"] == "old":
                size = len(
                    json.dumps(
                        {"response": {"data": old_export(services, spec["start"], spec["end"])}},
                        cls=plotly.utils.PlotlyJSONEncoder,
                    )
                )
            else:  # "load": only reading the cached classification, the one copy every request holds
                services.analyses.classification(services.requests.build(spec["start"], spec["end"]))
    last = time.perf_counter() - t0
    peak = peak_rss_bytes() if exact else maxrss_bytes()
    return {
        "first_s": last if first is None else first,
        "last_s": last,
        "bytes": size,
        "rss_mib": (peak - before) / 2**20,
    }


def run_probe(spec: dict) -> dict:
    """`probe` in a fresh Python process (so one path's freed memory cannot hide the other's peak)."""
    done = subprocess.run(
        [sys.executable, __file__, "--probe", json.dumps(spec)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"probe {spec['kind']} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--probe":
        print(json.dumps(probe(json.loads(sys.argv[2]))))
        return 0
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
        source = services.source.read()
        period = (source.first_datetime.date().isoformat(), source.last_datetime.date().isoformat())
        t0 = time.perf_counter()
        request = services.requests.build(*period)
        clients = services.analyses.classification(request).clients
        services.analyses.shop_clients(request)
        cold_s = time.perf_counter() - t0
    n_clients = len(clients)
    start, end = period
    first_page = {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "revenue", "sort": "desc"}], "filterModel": {}}
    deep_page = {
        "startRow": 100_000,
        "endRow": 100_050,
        "sortModel": [{"colId": "class_name", "sort": "asc"}],
        "filterModel": {"avg_cheque": {"filterType": "number", "type": "greaterThan", "filter": 300}},
    }
    vip = int((clients["region"].astype("int64") == 110).sum())
    final = FinalCallbacks(services)
    calls = {
        "Таблица: 1-я страница, все клиенты, сортировка по выручке": lambda: final.grid_rows(
            first_page, ids.TAB_FINAL, start, end, {}, "all", *NO_FILTERS
        ),
        "Таблица: страница 2001, сортировка по описанию класса, фильтр по среднему чеку": lambda: final.grid_rows(
            deep_page, ids.TAB_FINAL, start, end, {}, "all", *NO_FILTERS
        ),
        "Таблица: 1-я страница, аптека + R + поиск по карте": lambda: final.grid_rows(
            first_page, ids.TAB_FINAL, start, end, {}, "all", ["Аптека 1"], [1, 2], None, None, None, "12"
        ),
        "Сводка + RFM-диаграмма (выборка 50 000 точек) + разбивка, все клиенты": lambda: final.update_selection(
            ids.TAB_FINAL, start, end, {}, "all", *NO_FILTERS, {}
        ),
        f"Скачать CSV (проверка и ссылка): все {thousands(n_clients)} клиентов": lambda: final.download_csv(
            1, start, end, {}, "all", *NO_FILTERS, {}, BY_REVENUE, "excel"
        ),
        f"Скачать CSV (проверка и ссылка): регион 110 ({thousands(vip)} клиентов)": lambda: final.download_csv(
            1, start, end, {}, "r110", *NO_FILTERS, {}, BY_REVENUE, "excel"
        ),
        "Скачать отчёт (HTML), все клиенты": lambda: final.download_report(1, start, end, {}, "all", *NO_FILTERS, {}),
    }
    results = {name: measure(app, call, args.runs) for name, call in calls.items()}

    with app.server.test_request_context():
        link, _ = final.download_csv(1, start, end, {}, "all", *NO_FILTERS, {}, BY_REVENUE, "excel")
    base = {"url": url, "state_dir": str(work / "state"), "start": start, "end": end}
    exports = {
        "streamed route (`GET /download/clients.csv`, chunks of 50 000 rows)": run_probe(
            base | {"kind": "stream", "link": link}
        ),
        "old: `dcc.send_bytes` (base64) in the callback's JSON": run_probe(base | {"kind": "old"}),
        "for scale: getting the classification alone (a fresh process: cached base + re-grading)": run_probe(
            base | {"kind": "load"}
        ),
    }
    csv_mib = next(iter(exports.values()))["bytes"] / 2**20

    # the scheduled job: `rfma classify --region 110` (SQL + grading + filter + CSV), one process call
    from dashboard.cli import main as rfma

    cli_times = []
    for _ in range(max(1, args.runs // 2)):
        t0 = time.perf_counter()
        rfma(["classify", "--db", url, "--out", str(work / "vip.csv"), "--region", "110"])
        cli_times.append(time.perf_counter() - t0)

    lines = [
        SECTION,
        "",
        (
            f"Demo database scale {args.scale:g}: {thousands(source.cheques)} cheques, "
            f"{thousands(n_clients)} identified clients, period {start} … {end} (built in {build_s:.1f} s). "
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
            f"Median of {args.runs} runs of the callback + JSON serialisation of its output; the classification is "
            "the worker's in-memory one (as on every request after the first). "
            "Peak memory = tracemalloc of one more run."
        ),
        "",
        "| request | median, ms | peak Python memory, MiB | response JSON, KiB |",
        "|---|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(f"| {name} | {r['ms']:.0f} | {r['peak_mib']:.0f} | {thousands(r['kib'])} |")
    lines += [
        "",
        (
            f"- Cold start of the tab's data for this period (SQL aggregation + grading + who-bought-where query, then "
            f"cached): {cold_s:.1f} s, once per period/data version."
        ),
        (
            f"- The CSV of all clients is {csv_mib:.1f} MiB (UTF-8 with BOM), sorted by revenue. Each export once, "
            "in a fresh process reading the same cache; "
            "peak RSS increase = peak RSS during the request − RSS before it:"
        ),
        "",
        "| export of all clients | to first byte, s | to last byte, s | response, MiB | peak RSS increase, MiB |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {name} | {r['first_s']:.1f} | {r['last_s']:.1f} | {r['bytes'] / 2**20:.1f} | {r['rss_mib']:.0f} |"
            for name, r in exports.items()
        ),
        "",
        (
            f"- `rfma classify --region 110` (the scheduled-job equivalent, SQL included): median "
            f"{statistics.median(cli_times):.1f} s."
        ),
    ]
    publish(lines, SECTION, write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
