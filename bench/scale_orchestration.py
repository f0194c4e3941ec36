"""The scale benchmark's orchestration: which sizes, which implementations, alternation within each run.

Per size: the data (scale_data), then every implementation once per run, alternating (A B C … A B C …), each in a
fresh process (scale_runner); at the sizes of --pg-variants our engine on PostgreSQL with one setting changed per
session and without the covering index. The result of a size (every run's numbers, the machine, the versions) is
what scale_report renders.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import time
from importlib import metadata
from pathlib import Path

from common import ROOT
from pg import BENCH_SETTINGS, LOCALE
from scale_data import database_name, prepare_size
from scale_runner import log, run_child, run_cli

from tests.support.postgres import PostgresServer, postgres_bin

SIZES = {"demo": 1.0, "1m": 26.0, "10m": 260.0}
CACHE = ROOT / ".cache" / "bench"


def git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        return head + (" + uncommitted changes" if dirty else "")
    except OSError:
        return "unknown"


def machine() -> dict:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def versions() -> dict:
    found = {}
    for name in (
        "pandas",
        "numpy",
        "pyarrow",
        "duckdb",
        "sqlalchemy",
        "duckdb-engine",
        "psycopg",
        "chdb",
        "clickhouse-connect",
        "dash",
        "flask-caching",
        "lifetimes",
        "pymc-marketing",
    ):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


class Bench:
    def __init__(self, args):
        self.args = args
        self.pg = None
        self.pg_version = None
        CACHE.mkdir(parents=True, exist_ok=True)
        (CACHE / "results").mkdir(exist_ok=True)

    # -- PostgreSQL --

    def start_postgres(self) -> str | None:
        """Start the benchmark's PostgreSQL (settings: bench/pg.py), cluster kept under CACHE; None or why not."""
        bindir = postgres_bin()
        if bindir is None:
            return "PostgreSQL is not installed (Debian package postgresql)"
        root = CACHE / f"pg{bindir.parent.name}"
        self.pg = PostgresServer(bindir, root=root, settings=BENCH_SETTINGS, locale=LOCALE)
        try:
            self.pg.start()
        except subprocess.CalledProcessError as exc:
            self.pg = None
            return f"could not start PostgreSQL: {(exc.stderr or str(exc)).strip()[:300]}"
        self.pg_version = self.pg.version()
        log(f"PostgreSQL started on 127.0.0.1:{self.pg.port} ({self.pg_version}), cluster {self.pg.data}")
        return None

    # -- data --

    def prepare(self, size: str) -> dict:
        use_pg = self.pg is not None and "postgresql" in self.args.backends
        chdb = "chdb" in self.args.backends
        return prepare_size(size, SIZES[size], self.args.seed, CACHE, self.pg if use_pg else None, chdb=chdb)

    # -- measurements --

    def implementations(self, data: dict) -> list[tuple[str, callable]]:
        a, urls, parquet = self.args, data["urls"], data["parquet"]
        t = a.timeout
        impls = []
        for backend in ("duckdb", "postgresql", "chdb"):
            if backend in urls:
                url = urls[backend]
                impls.append((f"engine_{backend}", lambda run, url=url: run_child("engine", {"url": url}, t)))
                impls.append((f"cli_{backend}", lambda run, url=url: run_cli(url, t)))
        default = "duckdb" if "duckdb" in urls else "postgresql"
        impls.append((f"regrade_{default}", lambda run: run_child("regrade", {"url": urls[default], "run": run}, t)))
        if not a.no_peers:
            impls.append(("lifetimes", lambda run: run_child("lifetimes", {"parquet": parquet}, t)))
            if not a.no_pymc:
                impls.append(("pymc", lambda run: run_child("pymc", {"parquet": parquet}, t)))
            impls.append(("pandas", lambda run: run_child("pandas", {"parquet": parquet}, t)))
        if not a.no_dashboard:
            for backend in ("duckdb", "postgresql"):
                if backend in urls:
                    url = urls[backend]
                    impls.append((f"dashboard_{backend}", lambda run, url=url: run_child("dashboard", {"url": url}, t)))
            impls.append((f"export_{default}", lambda run: run_child("export", {"url": urls[default]}, t)))
        return impls

    def measure_size(self, size: str) -> dict:
        data = self.prepare(size)
        load_before = os.getloadavg()[0]
        impls = self.implementations(data)
        runs: dict[str, list[dict]] = {name: [] for name, _ in impls}
        for run in range(self.args.runs):
            for name, call in impls:
                log(f"{size} run {run + 1}/{self.args.runs}: {name} …")
                result = call(run)
                runs[name].append(result)
                if "error" in result:
                    log(f"    ERROR {result['error']}")
                else:
                    extra = {k: v for k, v in result.items() if isinstance(v, float) and k not in ("wall",)}
                    log(
                        f"    {result.get('wall') or 0:.3f} s, RSS {result.get('rss', 0) / 2**20:.0f} MiB "
                        + " ".join(f"{k}={v:.3f}" for k, v in extra.items())
                    )
        variants = None
        if "postgresql" in data["urls"] and size in self.args.pg_variants:
            variants = self.measure_pg_variants(size, data)
        return {
            "size": size,
            "scale": SIZES[size],
            "seed": self.args.seed,
            "info": data["info"],
            "date": dt.datetime.now().isoformat(timespec="minutes"),
            "commit": git_commit(),
            "runs": self.args.runs,
            "machine": machine(),
            "versions": versions(),
            "postgresql": self.pg_version,
            "pg_settings": dict(self.pg.settings) if self.pg else None,
            "results": runs,
            "pg_variants": variants,
            "loadavg": [load_before, os.getloadavg()[0]],
        }

    def measure_pg_variants(self, size: str, data: dict) -> dict:
        """Our engine on PostgreSQL with one setting changed per session, alternating; then without the index."""
        import sqlalchemy as sa

        variants = {
            "bench settings (work_mem 256MB, 2 parallel workers, JIT on)": {},
            "work_mem = 4MB (PostgreSQL's default)": {"work_mem": "4MB"},
            "max_parallel_workers_per_gather = 0": {"max_parallel_workers_per_gather": "0"},
            "jit = off": {"jit": "off"},
        }
        out: dict[str, list[dict]] = {name: [] for name in variants}
        for run in range(self.args.runs):
            for name, options in variants.items():
                out[name].append(self.variant_run(size, run, name, data["database"], options))
        from core.db import SERVER_INDEXES

        index = SERVER_INDEXES[0]  # the covering (card, datetime) index
        name = f"without the covering (card, datetime) index {index.name}"
        out[name] = []
        engine = sa.create_engine(self.pg.url(data["database"]), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f"DROP INDEX IF EXISTS {index.name}"))
            for run in range(self.args.runs):
                out[name].append(self.variant_run(size, run, name, data["database"], {}))
        finally:
            t0 = time.perf_counter()
            with engine.connect() as conn:
                index.create(conn, checkfirst=True)
                conn.execute(sa.text("VACUUM ANALYZE bonuscheques"))
            log(f"    index re-created in {time.perf_counter() - t0:.1f} s")
            engine.dispose()
        return out

    def variant_run(self, size: str, run: int, name: str, database: str, options: dict[str, str]) -> dict:
        """One run of our engine on PostgreSQL with per-session `options`, logged."""
        log(f"{size} PostgreSQL variant run {run + 1}: {name} …")
        result = run_child("engine", {"url": self.pg.url(database, **options)}, self.args.timeout)
        log(f"    {result['wall']:.3f} s" if "wall" in result else f"    ERROR {result['error']}")
        return result

    def explain(self, size: str) -> Path | None:
        """EXPLAIN (ANALYZE, BUFFERS) of the engine's queries on PostgreSQL, for docs/SCALING.md."""
        import sqlalchemy as sa

        from core import queries
        from core.model import AnalysisOptions, Period

        if self.pg is None:
            return None
        database = database_name(SIZES[size], self.args.seed)
        engine = sa.create_engine(self.pg.url(database))
        period, options = Period(), AnalysisOptions()
        statements = {
            "period summary": queries.period_summary_query(period),
            "client aggregates (one-row cheques)": queries.client_aggregates_query(
                period, options, unique_doc_ids=True, ordered=True
            ),
            "gap histogram": queries.gap_histogram_query(period, options),
            "amount histogram (one-row cheques)": queries.amount_histogram_query(period, options, unique_doc_ids=True),
        }
        out = CACHE / f"explain-{size}.txt"
        with engine.connect() as conn, open(out, "w") as f:
            for name, stmt in statements.items():
                sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
                plan = conn.execute(sa.text("EXPLAIN (ANALYZE, BUFFERS) " + sql)).scalars().all()
                f.write(f"-- {name}\n{sql}\n\n" + "\n".join(plan) + "\n\n")
        engine.dispose()
        log(f"{size}: PostgreSQL plans written to {out}")
        return out

    def close(self) -> None:
        if self.pg is not None:
            self.pg.stop()
            log("PostgreSQL stopped (its cluster stays in .cache/bench for the next run)")
