"""Campaign report and placebo check (issue 14): the time of `rfma campaign report`'s computation (the window's sums
in SQL over the members' cards, the uplift in pandas; goal ≤ 2 s at 10M cheques) and of the placebo check against the
migration it doubles (goal ≤ 2× the migration), on the demo chain at several scales (DuckDB files).

    python bench/bench_campaigns.py [--runs 5] [--scales 1 35] [--no-write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import time

import common  # noqa: F401  (puts this checkout first on sys.path)
from common import PERFORMANCE, build_demo, peak_rss_bytes, reset_peak_rss, workspace, write_section

HEADING = "## Campaigns and placebo (bench/bench_campaigns.py)"


def timed(action, runs: int) -> tuple[float, float, float, object]:
    """(median, min, max) seconds of `runs` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times), result


def measure(scale: float, runs: int) -> list[str]:
    """One scale's rows of the table."""
    import sqlalchemy as sa

    from core.campaigns import assign, load_campaign_effect, placebo_check
    from core.classify import classify
    from core.db import make_engine
    from core.migration import migrate
    from core.model import Period

    work = workspace("rfma-bench-campaigns-")
    started = time.perf_counter()
    url = build_demo(work / "demo.duckdb", scale)
    built = time.perf_counter() - started
    engine = make_engine(url)
    with engine.connect() as conn:
        cheques = conn.execute(sa.text("select count(*) from bonuscheques")).scalar_one()
        last = conn.execute(sa.text("select max(datetime) from bonuscheques")).scalar_one().date()
    t0 = last - dt.timedelta(days=45)  # a campaign made 45 days before the data ends: a complete 30-day window
    clients = classify(engine, Period(None, t0)).clients
    members_all = clients[clients["region"].astype(int) // 100 == 2]  # the warm regions: the largest selection
    members = assign("bench", members_all["card"].astype(str), 0.1)
    rows = []
    reset_peak_rss()
    median, low, high, effect = timed(lambda: load_campaign_effect(engine, members, t0, 30), runs)
    rows.append(
        f"| {scale:g} | {cheques:,} | campaign report: {len(members):,} members, "
        f"{effect.target.responders + effect.control.responders:,} responders | {median * 1000:.0f} ms | "
        f"{low * 1000:.0f} – {high * 1000:.0f} ms | {peak_rss_bytes() / 2**20:.0f} MiB |"
    )
    bonus = last - dt.timedelta(days=90)
    reset_peak_rss()
    m_median, m_low, m_high, _ = timed(lambda: migrate(engine, bonus), runs)
    rows.append(
        f"| {scale:g} | {cheques:,} | migration at bonus date {bonus} | {m_median * 1000:.0f} ms | "
        f"{m_low * 1000:.0f} – {m_high * 1000:.0f} ms | {peak_rss_bytes() / 2**20:.0f} MiB |"
    )
    reset_peak_rss()
    p_median, p_low, p_high, check = timed(lambda: placebo_check(engine, bonus), runs)
    rows.append(
        f"| {scale:g} | {cheques:,} | placebo check (the migration + its placebo) | {p_median * 1000:.0f} ms "
        f"({p_median / m_median:.2f}× the migration) | {p_low * 1000:.0f} – {p_high * 1000:.0f} ms | "
        f"{peak_rss_bytes() / 2**20:.0f} MiB |"
    )
    engine.dispose()
    print(f"scale {scale:g}: built in {built:.1f} s; placebo available: {check.available}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 35.0])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rows = [row for scale in args.scales for row in measure(scale, args.runs)]
    text = "\n".join(
        [
            HEADING,
            "",
            f"Demo chain at each scale (DuckDB file), median of {args.runs} runs in one process; peak memory = the "
            f"process's peak RSS during the runs (VmHWM, reset before each step). Machine: {platform.machine()}, "
            f"Python {platform.python_version()}, shared with other jobs. Campaign: the warm regions (2xx) of the "
            "classification up to 45 days before the last cheque, control share 0.10, window 30 days. Goals "
            "(issue 14, at 10M cheques): a report ≤ 2 s, the placebo check ≤ 2× the migration.",
            "",
            "| scale | cheques | step | median | min – max | peak RSS |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )
    print(text)
    if not args.no_write:
        write_section(PERFORMANCE, HEADING, text)


if __name__ == "__main__":
    main()
