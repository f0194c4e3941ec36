"""Scale benchmark (issue 5): our engine on DuckDB and PostgreSQL against lifetimes, pymc-marketing and pandas.

    .venv/bin/python bench/bench.py                        # demo (38k) and 1M cheques, 3 runs — a few minutes
    .venv/bin/python bench/bench.py --sizes 10m            # opt-in: ~10M cheques (≈ 1.5M clients)
    .venv/bin/python bench/bench.py --sizes demo,1m,10m --runs 5 --backends duckdb,postgresql
    .venv/bin/python bench/bench.py --sizes 1m,10m --backends duckdb,postgresql,chdb   # ClickHouse: the extra

What it does, per size (demo = scale 1, 1m = scale 26, 10m = scale 260 of `rfma demo`):

1. Data, generated once and kept under .cache/bench/ (keyed by scale and seed, reused by later runs):
   a DuckDB file, a PostgreSQL database in a cluster kept under .cache/bench/pg (loaded with the product's
   own `replace_with_demo`, i.e. COPY, then VACUUM ANALYZE) and a Parquet export of the same cheques
   (DuckDB `COPY … TO … (FORMAT parquet)`, amounts as DOUBLE) for the peers.
2. Every timed measurement runs in a fresh Python subprocess; the time is the measured part only (imports
   excluded, connecting included), peak RSS is that process's ru_maxrss. The `rfma classify --out` rows
   are the whole CLI process (interpreter start included), timed and measured by this script (wait4).
   Implementations alternate within each run (A B C … A B C …); the table gives median and min–max.
3. PostgreSQL runs on 127.0.0.1 from Debian's package (tests/support/postgres.py) with pg.BENCH_SETTINGS;
   at the sizes of --pg-variants a few settings are varied per session (work_mem, parallel workers, JIT)
   and the (card, datetime) index is dropped once, to show what matters.

Results are kept per size and seed in .cache/bench/results/<size>-seed<seed>.json; the "Scale benchmark" section of
docs/PERFORMANCE.md is rewritten from every size measured so far (each with its own date and commit), so
`--sizes 10m` adds to an earlier default run. Other sections of that file are left as they are.
Not part of the tests.

This file is the entry point (and, with --child, the child processes' entry); the work is in the modules beside it:
scale_orchestration (sizes, implementations, alternation), scale_data (the cached data), scale_runner (fresh
processes), scale_children (the measurements), scale_report and scale_rows (the Markdown section).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

from common import ROOT, write_section
from scale_orchestration import CACHE, SIZES, Bench
from scale_report import SECTION, render_section
from scale_runner import child_entry, log

DEFAULT_SEED = 20210701


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="demo,1m", help="comma list of demo,1m,10m (default demo,1m; 10m is opt-in)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="duckdb,postgresql", help="comma list of duckdb,postgresql,chdb")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", default=str(ROOT / "docs" / "PERFORMANCE.md"))
    parser.add_argument("--no-write", action="store_true", help="print the section, do not touch --out")
    parser.add_argument("--pg-variants", default="1m", help="sizes at which PostgreSQL settings are varied ('' = none)")
    parser.add_argument("--no-peers", action="store_true", help="skip lifetimes, pymc-marketing and pandas")
    parser.add_argument("--no-pymc", action="store_true", help="skip pymc-marketing only")
    parser.add_argument("--no-dashboard", action="store_true", help="skip the dashboard services and the CSV export")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per measurement")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="only write EXPLAIN ANALYZE of the engine's PostgreSQL "
        "queries for --sizes to .cache/bench/explain-<size>.txt (data must be prepared)",
    )
    parser.add_argument("--report-only", action="store_true", help="only rewrite the section from .cache/bench/results")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--params", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        from scale_children import CHILDREN
        from scale_data import DATA_TASKS

        return child_entry(args.child, json.loads(args.params or "{}"), CHILDREN, DATA_TASKS)

    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    args.pg_variants = [s.strip() for s in args.pg_variants.split(",") if s.strip()]
    unknown = [s for s in args.sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {unknown}; choose from {list(SIZES)}")
    if not args.no_peers:
        for module, flag in (("lifetimes", None), ("pymc_marketing", "no_pymc")):
            if importlib.util.find_spec(module) is None:
                log(f"{module} is not installed (pip install -e '.[bench]'); it is skipped")
                if flag:
                    setattr(args, flag, True)

    if args.report_only:
        args.sizes = []
    bench = Bench(args)
    pg_error = None
    if "postgresql" in args.backends and args.sizes:
        pg_error = bench.start_postgres()
        if pg_error:
            log(f"PostgreSQL rows are skipped: {pg_error}")
    try:
        if args.explain:
            for size in args.sizes:
                bench.prepare(size)
                bench.explain(size)
            return 0
        for size in args.sizes:
            t0 = time.perf_counter()
            result = bench.measure_size(size)
            if pg_error:
                result["pg_error"] = pg_error
            (CACHE / "results" / f"{size}-seed{args.seed}.json").write_text(json.dumps(result, indent=1, default=str))
            log(f"{size}: done in {time.perf_counter() - t0:.0f} s")
    finally:
        bench.close()

    stored = []
    for size in SIZES:
        path = CACHE / "results" / f"{size}-seed{args.seed}.json"
        if path.exists():
            stored.append(json.loads(path.read_text()))
    if not stored:
        log("no stored results yet: nothing to write")
        return 0
    text = render_section(stored)
    print(text)
    if not args.no_write:
        write_section(Path(args.out), SECTION, text)
        log(f"wrote the section to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
