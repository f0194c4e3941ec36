"""Benchmark: cold and cached render of every dashboard tab on the demo database.

A "render" is what one Dash request does for a tab: the callback (service calls through the cache,
figure building, components) plus the JSON serialisation of its output. Cold = a fresh, empty cache
(a new FileSystemCache directory); cached = the same call again. Medians of several runs; peak Python
memory (tracemalloc) of a cold render and the process's max RSS.

    .venv/bin/python bench/bench_dashboard.py [--runs 5] [--scale 1.0] [--no-write]

Appends (replaces) the "Dashboard render" section of docs/PERFORMANCE.md.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
import tracemalloc

import plotly.utils
from common import build_demo, parse_args, publish, workspace  # puts the repo root on sys.path

from callbacks import clients, final, migration, pharmacies, thresholds
from core.model import THRESHOLD_NAMES
from dashboard import ids

SECTION = "## Dashboard render (bench/bench_dashboard.py)"


def tab_calls(period, bonus, card):
    start, end = period
    names = list(THRESHOLD_NAMES)
    return {
        "Клиенты": lambda: clients.update_clients(ids.TAB_CLIENTS, start, end),
        "Аптеки": lambda: pharmacies.update_pharmacies(ids.TAB_PHARMACIES, start, end),
        "Пороги (Recency + поля порогов)": lambda: (
            thresholds.threshold_editor(names, [None] * 9, None, start, end, {}),
            thresholds.update_research(ids.TAB_THRESHOLDS, ids.SUBTAB_RECENCY, start, end, {}),
        ),
        "Финал": lambda: final.update_final(ids.TAB_FINAL, start, end, {}),
        "Финал: поиск карты": lambda: final.lookup_card(1, None, ids.TAB_FINAL, start, end, {}, card),
        "Миграция": lambda: migration.update_migration(ids.TAB_MIGRATION, bonus, "region", "clients", start, end, {}),
    }


def render(call) -> int:
    output = call()
    return len(json.dumps(output, cls=plotly.utils.PlotlyJSONEncoder))


def main() -> int:
    args = parse_args(default_scale=1.0)

    from dashboard.app import create_app
    from dashboard.settings import Settings

    work = workspace("rfma-bench-")
    url = build_demo(work / "demo.duckdb", args.scale)

    probe = create_app(Settings.from_env(url, state_dir=str(work / "probe")))
    with probe.server.test_request_context():
        services = probe.server.extensions["rfma_services"]
        source = services.source()
        first, last = source.first_datetime.date(), source.last_datetime.date()
        card = services.classification(services.key(None, None), {}).clients["card"].iloc[0]
    period = (first.isoformat(), last.isoformat())
    bonus = (first + (last - first) / 2).isoformat()
    calls = tab_calls(period, bonus, card)

    results = {}
    for name, call in calls.items():
        cold, cached, peaks, sizes = [], [], [], []
        for run in range(args.runs):
            app = create_app(Settings.from_env(url, state_dir=str(work / f"state-{name}-{run}")))
            with app.server.test_request_context():
                app.server.extensions["rfma_services"].source()  # the per-request data-version query, once
            with app.server.test_request_context():
                t0 = time.perf_counter()
                sizes.append(render(call))
                cold.append(time.perf_counter() - t0)
            with app.server.test_request_context():
                t0 = time.perf_counter()
                render(call)
                cached.append(time.perf_counter() - t0)
        # peak memory of one more cold render, untimed (tracemalloc slows Python down several times)
        app = create_app(Settings.from_env(url, state_dir=str(work / f"state-{name}-memory")))
        with app.server.test_request_context():
            tracemalloc.start()
            render(call)
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        results[name] = {
            "cold_ms": statistics.median(cold) * 1000,
            "cached_ms": statistics.median(cached) * 1000,
            "peak_mib": max(peaks) / 2**20,
            "json_kib": statistics.median(sizes) / 1024,
        }

    # pinning a threshold: re-grade from the cached ClientBase (no SQL)
    app = create_app(Settings.from_env(url, state_dir=str(work / "state-pin")))
    with app.server.test_request_context():
        render(calls["Пороги (Recency + поля порогов)"])
    pin_times = []
    for run in range(args.runs):
        with app.server.test_request_context():
            t0 = time.perf_counter()
            thresholds.update_research(ids.TAB_THRESHOLDS, ids.SUBTAB_RECENCY, *period, {"r1": 20 + run})
            final.update_final(ids.TAB_FINAL, *period, {"r1": 20 + run})
            pin_times.append(time.perf_counter() - t0)

    # the per-request data-version query (runs once per request, never cached)
    version_times = []
    for _ in range(args.runs):
        with app.server.test_request_context():
            t0 = time.perf_counter()
            app.server.extensions["rfma_services"].source()
            version_times.append(time.perf_counter() - t0)

    lines = [
        SECTION,
        "",
        f"Demo database: {source.cheques:,} cheques (scale {args.scale}), period {period[0]} … {period[1]}, "
        f"bonus date {bonus}. Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}. "
        f"Median of {args.runs} runs; cold = empty FileSystemCache, cached = the same request again. "
        "Each render = the tab's callback (services, figures, components) + JSON serialisation of its output.",
        "",
        "| tab | cold, ms | cached, ms | peak Python memory (cold), MiB | response JSON, KiB |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['cold_ms']:.0f} | {r['cached_ms']:.0f} | {r['peak_mib']:.1f} | {r['json_kib']:.0f} |"
        )
    lines += [
        "",
        f"- Pin a new threshold → «Пороги» + «Финал» re-rendered from the cached ClientBase (no SQL): "
        f"median {statistics.median(pin_times) * 1000:.0f} ms.",
        f"- Data-version query (count, min/max datetime, import serial), once per request: "
        f"median {statistics.median(version_times) * 1000:.1f} ms.",
    ]
    publish(lines, SECTION, write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
