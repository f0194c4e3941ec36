"""The scale benchmark's data: generated once per size and seed, kept under .cache/bench/, reused by later runs.

prepare_size (in the parent) decides what is missing; the child tasks "prepare" (generate the cheques and load a
DuckDB file, a Parquet export for the peers and a PostgreSQL database) and "upgrade" (bring cached databases to the
current schema) run in a fresh process through scale_runner.run_child.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from scale_runner import log, run_child


def database_name(scale: float, seed: int) -> str:
    """The PostgreSQL database of one size and seed."""
    return f"bench_s{scale:g}_seed{seed}".replace(".", "_")


def child_prepare(p: dict) -> dict:
    """Generate the cheques once and load whatever is missing: DuckDB file, Parquet, PostgreSQL database."""
    import sqlalchemy as sa

    from core.db import make_engine, read_meta
    from core.demo import generate_demo_cheques
    from core.loading import replace_with_demo

    scale, seed = float(p["scale"]), int(p["seed"])
    info: dict = dict(p.get("info") or {})
    frame = None

    def cheques():
        nonlocal frame
        if frame is None:
            log(f"  generating rfma demo --scale {scale:g} (seed {seed}) …")
            t0 = time.perf_counter()
            frame = generate_demo_cheques(scale=scale, seed=seed)
            info["generate_s"] = time.perf_counter() - t0
            info["rows"] = len(frame)
            info["clients"] = int(frame["card"].nunique())
            log(f"  generated {len(frame):,} cheques, {info['clients']:,} cards in {info['generate_s']:.1f} s")
        return frame

    duck = Path(p["duckdb"])
    if p["need_duckdb"]:
        for suffix in ("", ".wal"):
            Path(str(duck) + suffix).unlink(missing_ok=True)
        Path(p["parquet"]).unlink(missing_ok=True)
        rows = cheques()
        t0 = time.perf_counter()
        engine = make_engine(f"duckdb:///{duck}")
        replace_with_demo(engine, rows, seed=seed, scale=scale, force=True)
        engine.dispose()
        info["load_duckdb_s"] = time.perf_counter() - t0
        log(f"  DuckDB loaded in {info['load_duckdb_s']:.1f} s → {duck}")
    if p["need_duckdb"] or not Path(p["parquet"]).exists():
        import duckdb

        t0 = time.perf_counter()
        con = duckdb.connect(str(duck), read_only=True)
        con.execute(
            "COPY (SELECT datetime, shop, card, bonus_earned::DOUBLE AS bonus_earned, "
            "bonus_spent::DOUBLE AS bonus_spent, summ::DOUBLE AS summ, summ_with_disc::DOUBLE AS summ_with_disc, "
            f"doc_id FROM bonuscheques) TO '{p['parquet']}' (FORMAT parquet)"
        )
        if "rows" not in info:
            info["rows"], info["clients"] = con.execute(
                "SELECT count(*), count(DISTINCT card) FILTER (WHERE regexp_matches(card, '^\\d+$')) FROM bonuscheques"
            ).fetchone()
        con.close()
        info["parquet_s"] = time.perf_counter() - t0
    if p.get("pg_url") and p["need_postgresql"]:
        admin = sa.create_engine(p["pg_admin_url"], isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{p["pg_database"]}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{p["pg_database"]}"'))
        admin.dispose()
        rows = cheques()
        t0 = time.perf_counter()
        engine = make_engine(p["pg_url"])
        replace_with_demo(engine, rows, seed=seed, scale=scale, force=True)
        info["load_postgresql_copy_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE bonuscheques"))
            size = conn.execute(sa.text("SELECT pg_total_relation_size('bonuscheques')")).scalar_one()
        engine.dispose()
        info["vacuum_analyze_s"] = time.perf_counter() - t0
        info["postgresql_bytes"] = int(size)
        log(
            f"  PostgreSQL loaded (COPY + insert) in {info['load_postgresql_copy_s']:.1f} s, "
            f"VACUUM ANALYZE {info['vacuum_analyze_s']:.1f} s, table+indexes {size / 2**20:,.0f} MiB"
        )
    with make_engine(f"duckdb:///{duck}").connect() as conn:
        meta = read_meta(conn)
    info["duckdb_meta_rows"] = meta.get("demo_rows")
    info["duckdb_bytes"] = duck.stat().st_size
    info["parquet_bytes"] = Path(p["parquet"]).stat().st_size
    return info


def child_upgrade(p: dict) -> dict:
    """Bring cached databases to the current schema: indexes and trigger (create_tables), the one-row-cheque record."""
    from core.db import create_tables, make_engine, record_doc_ids_unique, recorded_doc_ids_unique
    from core.loading import refresh_statistics

    out = {}
    for url in p["urls"]:
        engine = make_engine(url)
        t0 = time.perf_counter()
        with engine.begin() as conn:
            create_tables(conn)
            if recorded_doc_ids_unique(conn) is None:
                record_doc_ids_unique(conn)
        refresh_statistics(engine)
        engine.dispose()
        out[url] = time.perf_counter() - t0
    return out


def child_prepare_chdb(p: dict) -> dict:
    """Load the Parquet cheques into an embedded ClickHouse (chDB) directory with the product's own loader."""
    import shutil

    import pandas as pd

    from core.db import make_engine
    from core.loading import replace_with_demo

    shutil.rmtree(p["directory"], ignore_errors=True)
    frame = pd.read_parquet(p["parquet"])
    t0 = time.perf_counter()
    engine = make_engine(f"chdb:///{p['directory']}")
    replace_with_demo(engine, frame, seed=int(p["seed"]), scale=float(p["scale"]), force=True)
    engine.dispose()
    seconds = time.perf_counter() - t0
    size = sum(f.stat().st_size for f in Path(p["directory"]).rglob("*") if f.is_file())
    log(f"  chDB loaded in {seconds:.1f} s → {p['directory']}")
    return {"load_chdb_s": seconds, "chdb_bytes": size, "chdb_rows": len(frame)}


DATA_TASKS = {"prepare": child_prepare, "upgrade": child_upgrade, "prepare_chdb": child_prepare_chdb}


def pg_database_ok(pg, database: str, rows: int | None, scale: float, seed: int) -> bool:
    """Whether the server `pg` holds `database` with the demo cheques of this scale and seed, all `rows` of them."""
    import sqlalchemy as sa

    if rows is None:
        return False
    engine = sa.create_engine(pg.url("postgres"))
    try:
        with engine.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": database}).first()
        if not exists:
            return False
        db = sa.create_engine(pg.url(database))
        with db.connect() as conn:
            meta = dict(conn.execute(sa.text("SELECT key, value FROM rfma_meta")).all())
            count = conn.execute(sa.text("SELECT count(*) FROM bonuscheques")).scalar_one()
        db.dispose()
        return (
            meta.get("demo_rows") == str(rows)
            and count == rows
            and float(meta.get("demo_scale", -1)) == scale
            and meta.get("demo_seed") == str(seed)
        )
    except Exception:
        return False
    finally:
        engine.dispose()


def prepare_size(size: str, scale: float, seed: int, cache: Path, pg=None, chdb: bool = False) -> dict:
    """The data of one size under `cache` (and on the server `pg`, when given; in a chDB directory with `chdb`):
    made where missing, then upgraded.

    Returns {"info": sizes and one-time load times, "urls": backend → URL, "parquet": path, "database": name}.
    """
    folder = cache / f"s{scale:g}-seed{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    duck, parquet, info_path = folder / "cheques.duckdb", folder / "cheques.parquet", folder / "info.json"
    info = json.loads(info_path.read_text()) if info_path.exists() else {}
    need_duck = not (duck.exists() and info.get("rows") and info.get("duckdb_meta_rows") == str(info.get("rows")))
    database = database_name(scale, seed)
    use_pg = pg is not None
    need_pg = use_pg and (need_duck or not pg_database_ok(pg, database, info.get("rows"), scale, seed))
    if need_duck or need_pg or not parquet.exists():
        log(
            f"{size}: preparing data (DuckDB {'new' if need_duck else 'cached'}, "
            f"PostgreSQL {'new' if need_pg else 'cached' if use_pg else 'skipped'}) in {folder}"
        )
        params = {
            "scale": scale,
            "seed": seed,
            "duckdb": str(duck),
            "parquet": str(parquet),
            "need_duckdb": need_duck,
            "need_postgresql": need_pg,
            "info": {} if need_duck else info,
            "pg_url": pg.url(database) if use_pg else None,
            "pg_admin_url": pg.url("postgres") if use_pg else None,
            "pg_database": database,
        }
        result = run_child("prepare", params, timeout=4 * 3600)
        if "error" in result:
            raise RuntimeError(f"{size}: data preparation failed: {result['error']}")
        info = result
        info_path.write_text(json.dumps(info, indent=2))
    else:
        log(f"{size}: reusing cached data in {folder} ({info['rows']:,} cheques)")
    urls = {"duckdb": f"duckdb:///{duck}"}
    if use_pg:
        urls["postgresql"] = pg.url(database)
    if chdb:
        directory = folder / "chdb"
        if info.get("chdb_rows") != info.get("rows") or not directory.exists():
            result = run_child(
                "prepare_chdb",
                {"directory": str(directory), "parquet": str(parquet), "seed": seed, "scale": scale},
                timeout=4 * 3600,
            )
            if "error" in result:
                raise RuntimeError(f"{size}: chDB load failed: {result['error']}")
            info |= {k: v for k, v in result.items() if k in ("load_chdb_s", "chdb_bytes", "chdb_rows")}
            info_path.write_text(json.dumps(info, indent=2))
        urls["chdb"] = f"chdb:///{directory}"
    result = run_child("upgrade", {"urls": list(urls.values())}, timeout=3600)
    if "error" in result:
        raise RuntimeError(f"{size}: schema upgrade failed: {result['error']}")
    return {"info": info, "urls": urls, "parquet": str(parquet), "database": database}
