"""Benchmark: what a manager waits for in a real browser — headless Chromium, from a click to a quiet page.

The dashboard runs as `rfma serve` does (Flask's threaded server, in a child process) on the demo database and on
`rfma demo --scale 35` (generated once into .cache/bench/ and reused). Chromium is Debian's, driven by chromedriver
with the browser tests' arguments (tests/e2e/conftest.py CHROME_ARGS: --headless --no-sandbox --disable-gpu …).

One pass = a fresh browser session doing what a manager does first:

    first load (starts on «Клиенты») → «Аптеки» → «Пороги» → «Финал» → «Миграция» → «Клиенты» →
    return to «Финал» → tree click 110 VIP → tree click 2 теплые → next page of the client table → «Скачать CSV»

Each step is timed from the click (or from `driver.get` for the first load) to a **quiet page**, checked in the
page every 25 ms and held for QUIET_HOLD seconds (the time reported is when the quiet stretch began):

- the Dash renderer is idle: `window.store` exists, `isLoading` is false and its callback queues (requested,
  prioritized, blocked, executing, watched, executed) are empty — a server callback, a clientside callback and an
  AG Grid row request (a `getRowsRequest` callback) all pass through these queues;
- no element carries `data-dash-is-loading="true"` (a component waiting for a callback's output) and no graph carries
  `dash-graph--pending` (dcc.Graph adds it while Plotly draws, after the callback has finished);
- the document has finished loading.

The hold makes a gap between two chained callbacks (or AG Grid's short debounce before it asks for rows) not count
as quiet. «Скачать CSV» is timed until the file is saved (no `.crdownload` left). The first pass of each database
(cold server cache) is reported on its own; the medians and the min–max spread are over the warm passes that follow.

    .venv/bin/python bench/bench_browser.py [--runs 5] [--scales 1,35] [--no-write]

Replaces the "Browser" section of docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, write_section  # puts the repo root on sys.path

from dashboard import ids
from layouts.final_tree import node_selector as tree_node_selector

SECTION = "## Browser: click to a quiet page (bench/bench_browser.py)"
CACHE = ROOT / ".cache" / "bench"
QUIET_HOLD = 0.3  # seconds the page must stay quiet
POLL = 0.025
STEP_TIMEOUT = 180.0

QUIET_JS = """
var store = window.store;
if (!store || document.readyState !== 'complete') { return false; }
var state = store.getState();
if (state.isLoading) { return false; }
var queues = state.callbacks || {};
var names = ['requested', 'prioritized', 'blocked', 'executing', 'watched', 'executed'];
for (var i = 0; i < names.length; i++) { if ((queues[names[i]] || []).length) { return false; } }
if (document.querySelector('[data-dash-is-loading="true"], .dash-graph--pending')) { return false; }
return true;
"""


def node_selector(node: str) -> str:
    return tree_node_selector(ids.FINAL.TREE, node)


def tab_selector(tab_id: str) -> str:
    return f".rfma-{tab_id} .nav-link"


NEXT_PAGE = f"#{ids.FINAL.CLIENT_GRID} [data-ref='btNext'], #{ids.FINAL.CLIENT_GRID} [ref='btNext']"

# (step name, CSS selector to click, what must be on the page afterwards (selector, text) or None)
STEPS = [
    ("«Аптеки»", tab_selector(ids.TAB_PHARMACIES), None),
    ("«Пороги»", tab_selector(ids.TAB_THRESHOLDS), None),
    ("«Финал» (first visit)", tab_selector(ids.TAB_FINAL), (f"#{ids.FINAL.CLIENT_GRID} .ag-row [col-id='card']", "")),
    ("«Миграция»", tab_selector(ids.TAB_MIGRATION), None),
    ("«Клиенты»", tab_selector(ids.TAB_CLIENTS), None),
    ("return to «Финал»", tab_selector(ids.TAB_FINAL), (f"#{ids.FINAL.CLIENT_GRID} .ag-row [col-id='card']", "")),
    ("tree click 110 VIP", node_selector("r110"), (f"#{ids.FINAL.CLIENT_COUNT}", "110 VIP")),
    ("tree click 2 теплые", node_selector("w2"), (f"#{ids.FINAL.CLIENT_COUNT}", "2 теплые")),
    ("next page of the client table", NEXT_PAGE, (f"#{ids.FINAL.CLIENT_GRID} .ag-paging-row-summary-panel", "51")),
]
RFMA = (sys.executable, "-c", "from dashboard.cli import main; raise SystemExit(main())")  # `rfma` of this checkout
GOAL_STEPS = ("return to «Финал»", "tree click 110 VIP", "tree click 2 теплые")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="warm passes per database (after one cold pass)")
    parser.add_argument("--scales", default="1,35", help="demo scales, comma-separated")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--label", default="", help="a note on what code was measured (e.g. 'before')")
    return parser.parse_args()


def demo_database(scale: float) -> str:
    """The demo chain at `scale` as a DuckDB file under .cache/bench/ (made by `rfma demo` once, then reused)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"demo-scale-{scale:g}.duckdb"
    url = f"duckdb:///{path}"
    if not path.exists():
        subprocess.run(
            [*RFMA, "demo", "--db", url, "--scale", f"{scale:g}"],
            check=True,
            env=child_env({}),
            cwd=ROOT,
        )
    return url


def child_env(extra: dict) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, state: Path) -> tuple[subprocess.Popen, str]:
    """`rfma serve --no-auth` (as `make run`) on a free port with an empty state folder; waits until it answers."""
    port = free_port()
    log = open(state / "server.log", "wb")
    server = subprocess.Popen(
        [*RFMA, "serve", "--no-auth", "--db", url, "--port", str(port)],
        env=child_env({"RFMA_STATE_DIR": str(state), "RFMA_DEMO_PATH": str(state / "unused.duckdb")}),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped: see {state / 'server.log'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, f"http://127.0.0.1:{port}/"
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the server did not start in 120 s")


def new_driver(downloads: Path):
    from selenium import webdriver

    from tests.e2e.conftest import pytest_setup_options

    driver = webdriver.Chrome(options=pytest_setup_options())  # the browser tests' own Chromium and flags
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    return driver


def wait_quiet(driver, t0: float, check=None) -> float:
    """Seconds from t0 to the start of the first quiet stretch of QUIET_HOLD (and `check()` true in it)."""
    quiet_since = None
    deadline = t0 + STEP_TIMEOUT
    while True:
        now = time.perf_counter()
        if now > deadline:
            raise TimeoutError("the page did not become quiet")
        try:
            quiet = bool(driver.execute_script(QUIET_JS)) and (check is None or check())
        except Exception:  # a re-rendered element, a page still loading
            quiet = False
        if quiet:
            if quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= QUIET_HOLD:
                return quiet_since - t0
        else:
            quiet_since = None
        time.sleep(POLL)


def contains(driver, selector: str, text: str):
    def check() -> bool:
        elements = driver.find_elements("css selector", selector)
        return any(text in (e.text or "") for e in elements) if text else bool(elements)

    return check


def click(driver, selector: str) -> None:
    element = driver.find_element("css selector", selector)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


def csv_saved(folder: Path):
    def check() -> bool:
        names = [p.name for p in folder.iterdir()]
        return any(n.endswith(".csv") for n in names) and not any(n.endswith(".crdownload") for n in names)

    return check


def one_pass(url: str, work: Path) -> dict[str, float]:
    """A fresh browser through the whole path; seconds per step."""
    downloads = Path(tempfile.mkdtemp(prefix="csv-", dir=work))
    driver = new_driver(downloads)
    times: dict[str, float] = {}
    try:
        t0 = time.perf_counter()
        driver.get(url)
        times["first load («Клиенты»)"] = wait_quiet(
            driver, t0, contains(driver, f"#{ids.CLIENTS.GRAPH_CHEQUES} .main-svg", "")
        )
        for name, selector, expect in STEPS:
            t0 = time.perf_counter()
            click(driver, selector)
            times[name] = wait_quiet(driver, t0, contains(driver, *expect) if expect else None)
        t0 = time.perf_counter()
        click(driver, f"#{ids.FINAL.CSV_BUTTON}")
        check = csv_saved(downloads)
        times["«Скачать CSV» (file saved)"] = wait_quiet(driver, t0, check)
    finally:
        driver.quit()
    return times


def measure(scale: float, runs: int, work: Path) -> tuple[dict[str, float], dict[str, list[float]], int]:
    url = demo_database(scale)
    state = Path(tempfile.mkdtemp(prefix=f"state-{scale:g}-", dir=work))
    server, address = start_server(url, state)
    try:
        cold = one_pass(address, work)
        warm: dict[str, list[float]] = {}
        for _ in range(runs):
            for name, seconds in one_pass(address, work).items():
                warm.setdefault(name, []).append(seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    from core.db import data_source, make_engine

    engine = make_engine(url)
    try:
        cheques = data_source(engine).cheques
    finally:
        engine.dispose()
    return cold, warm, cheques


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} / {five:.1f}"


def main() -> int:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="rfma-bench-browser-"))
    os.environ["RFMA_DEMO_PATH"] = str(work / "unused-default.duckdb")
    scales = [float(s) for s in args.scales.split(",") if s.strip()]
    before = load_average()
    results = {scale: measure(scale, args.runs, work) for scale in scales}
    after = load_average()

    lines = [
        SECTION,
        "",
        f"{args.label + '. ' if args.label else ''}Headless Debian Chromium (chromedriver, tests/e2e CHROME_ARGS, "
        f"window 1440×1100) against `rfma serve` (Flask's threaded server) on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; load average (1 / 5 min) {before} before and "
        f"{after} after the run (anything else running on the machine slows the figures down: compare runs taken under "
        "similar load).",
        "Seconds from the click to a quiet page (renderer idle, no callback queued or running, no "
        "`data-dash-is-loading`, no graph still drawing, held 0.3 s); see the module docstring. "
        f"Warm = the median (min–max) of {args.runs} passes in fresh browsers after one cold pass "
        "(cold = an empty server cache, one pass).",
        "",
    ]
    header = "| step | " + " | ".join(f"scale {s:g}: warm median (min–max) | cold" for s in scales) + " |"
    lines += [header, "|---|" + "---:|---:|" * len(scales)]
    names = list(next(iter(results.values()))[1])
    for name in names:
        cells = []
        for scale in scales:
            cold, warm, _ = results[scale]
            values = warm.get(name, [])
            median = statistics.median(values) if values else float("nan")
            spread = f"{min(values):.2f}–{max(values):.2f}" if values else "—"
            cells.append(f"{median:.2f} ({spread}) | {cold.get(name, float('nan')):.2f}")
        mark = " (goal ≤ 2 s on the demo)" if name in GOAL_STEPS else ""
        lines.append(f"| {name}{mark} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        "Databases: "
        + ", ".join(f"scale {s:g} = {results[s][2]:,} cheques".replace(",", " ") for s in scales)
        + " (`rfma demo --scale K`, cached in .cache/bench/)."
    )
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        write_section(ROOT / "docs" / "PERFORMANCE.md", SECTION, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
