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

from callbacks.clients import ClientsCallbacks
from callbacks.final import FinalCallbacks
from callbacks.migration import MigrationCallbacks
from callbacks.pharmacies import PharmaciesCallbacks
from callbacks.thresholds import ThresholdsCallbacks
from core.model import THRESHOLD_NAMES
from dashboard import ids

SECTION = "## Dashboard render (bench/bench_dashboard.py)"


def tab_calls(period, bonus, card):
    """Each tab's callbacks as a function of the app's services."""
    start, end = period
    names = list(THRESHOLD_NAMES)
    return {
        "Клиенты": lambda s: ClientsCallbacks(s).update(ids.TAB_CLIENTS, start, end),
        "Аптеки": lambda s: PharmaciesCallbacks(s).update(ids.TAB_PHARMACIES, start, end),
        "Пороги (Recency + поля порогов)": lambda s: (
            ThresholdsCallbacks(s).editor(names, [None] * 9, None, start, end, {}),
            ThresholdsCallbacks(s).research(ids.TAB_THRESHOLDS, ids.SUBTAB_RECENCY, start, end, {}),
        ),
        "Финал": lambda s: FinalCallbacks(s).update_final(ids.TAB_FINAL, start, end, {}),
        "Финал: поиск карты": lambda s: FinalCallbacks(s).lookup_card(1, None, ids.TAB_FINAL, start, end, {}, card),
        "Миграция": lambda s: MigrationCallbacks(s).update(
            ids.TAB_MIGRATION, bonus, "region", "clients", start, end, {}
        ),
    }


def render(call, services) -> int:
    output = call(services)
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
        source = services.source.read()
        first, last = source.first_datetime.date(), source.last_datetime.date()
        card = services.analyses.classification(services.requests.build(None, None)).clients["card"].iloc[0]
    period = (first.isoformat(), last.isoformat())
    bonus = (first + (last - first) / 2).isoformat()
    calls = tab_calls(period, bonus, card)

    results = {}
    for name, call in calls.items():
        cold, cached, peaks, sizes = [], [], [], []
        for run in range(args.runs):
            app = create_app(Settings.from_env(url, state_dir=str(work / f"state-{name}-{run}")))
            services = app.server.extensions["rfma_services"]
            with app.server.test_request_context():
                services.source.read()  # the per-request data-version query, once
            with app.server.test_request_context():
                t0 = time.perf_counter()
                sizes.append(render(call, services))
                cold.append(time.perf_counter() - t0)
            with app.server.test_request_context():
                t0 = time.perf_counter()
                render(call, services)
                cached.append(time.perf_counter() - t0)
        # peak memory of one more cold render, untimed (tracemalloc slows Python down several times)
        app = create_app(Settings.from_env(url, state_dir=str(work / f"state-{name}-memory")))
        with app.server.test_request_context():
            tracemalloc.start()
            render(call, app.server.extensions["rfma_services"])
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
    services = app.server.extensions["rfma_services"]
    with app.server.test_request_context():
        render(calls["Пороги (Recency + поля порогов)"], services)
    pin_times = []
    for run in range(args.runs):
        with app.server.test_request_context():
            t0 = time.perf_counter()
            ThresholdsCallbacks(services).research(ids.TAB_THRESHOLDS, ids.SUBTAB_RECENCY, *period, {"r1": 20 + run})
            FinalCallbacks(services).update_final(ids.TAB_FINAL, *period, {"r1": 20 + run})
            pin_times.append(time.perf_counter() - t0)

    # the per-request data-version query (runs once per request, never cached)
    version_times = []
    for _ in range(args.runs):
        with app.server.test_request_context():
            t0 = time.perf_counter()
            services.source.read()
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
