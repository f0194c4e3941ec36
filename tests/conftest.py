"""Shared fixtures: database backends (a DuckDB file and a real PostgreSQL server) and cheque loaders."""

from __future__ import annotations

import os
import subprocess
import uuid

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import settings

from core.db import CHEQUE_COLUMNS, create_tables, make_engine
from core.loading import append_cheques
from tests.support.postgres import PostgresServer, postgres_bin

pytest_plugins = ["tests.support.dashboard"]

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Every run explores the same examples: reproducible failures, no flaky CI.
settings.register_profile("rfma", derandomize=True, print_blob=True)
settings.load_profile("rfma")


def skip_or_fail(reason: str) -> None:
    """Skip with a printed reason on a developer machine; fail in CI, where every test must run."""
    if IN_CI:
        pytest.fail(f"CI must run this test, but: {reason}")
    print(f"\nSKIP: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _isolated_default_database(tmp_path_factory, monkeypatch):
    """Never touch the user's real demo file: the embedded default path points into a temp folder; the application
    database (the chain's threshold set) is each test's own unless the test's settings name one."""
    monkeypatch.setenv("RFMA_DEMO_PATH", str(tmp_path_factory.getbasetemp() / "default-demo.duckdb"))
    monkeypatch.delenv("RFMA_DATABASE_URL", raising=False)
    monkeypatch.delenv("RFMA_APP_DATABASE_URL", raising=False)
    monkeypatch.setenv("RFMA_STATE_DIR", str(tmp_path_factory.mktemp("state")))


@pytest.fixture(scope="session")
def postgres_server():
    """A running PostgreSQL server URL (RFMA_TEST_POSTGRES_URL, or a cluster started here)."""
    external = os.environ.get("RFMA_TEST_POSTGRES_URL")
    if external:
        yield external
        return
    bindir = postgres_bin()
    if bindir is None:
        skip_or_fail("PostgreSQL is not installed (Debian package 'postgresql'); run `make setup`")
    server = PostgresServer(bindir)
    try:
        server.start()
    except subprocess.CalledProcessError as exc:
        server.stop()
        skip_or_fail(f"could not start PostgreSQL: {exc.stderr or exc}")
    yield server.url()
    server.stop()


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty PostgreSQL database for one test."""
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    name = f"t_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def chdb_directory(tmp_path_factory):
    """The directory of this test process's embedded ClickHouse (chDB opens one directory per process)."""
    try:
        import chdb  # noqa: F401
        import clickhouse_connect  # noqa: F401
    except ImportError:
        skip_or_fail("the `clickhouse` extra is not installed (pip install -e '.[clickhouse]'; `make test` does)")
    return tmp_path_factory.mktemp("chdb")


@pytest.fixture
def chdb_url(chdb_directory):
    """A fresh, empty database in the process's chDB directory for one test."""
    return f"chdb:///{chdb_directory}?database=t_{uuid.uuid4().hex[:10]}"


@pytest.fixture(
    params=[
        "duckdb",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("chdb", marks=pytest.mark.clickhouse),
    ]
)
def db_url(request, tmp_path):
    """An empty database of each backend: a DuckDB file, a real PostgreSQL database, an embedded ClickHouse one."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'cheques.duckdb'}"
    if request.param == "chdb":
        return request.getfixturevalue("chdb_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def db_engine(db_url):
    """An engine on an empty database with the bonuscheques table created."""
    engine = make_engine(db_url)
    with engine.begin() as conn:
        create_tables(conn)
    yield engine
    engine.dispose()


def cheques_frame(rows: list[tuple]) -> pd.DataFrame:
    """A cheques frame from short tuples (datetime, card, amount[, shop[, doc_id[, bonus_spent]]])."""
    records = []
    for i, row in enumerate(rows):
        stamp, card, amount = row[:3]
        shop = row[3] if len(row) > 3 else "Аптека 1"
        doc = row[4] if len(row) > 4 else f"D{i}"
        spent = row[5] if len(row) > 5 else 0.0
        records.append(
            {
                "datetime": pd.Timestamp(stamp),
                "shop": shop,
                "card": card,
                "bonus_earned": round(amount * 0.05, 2),
                "bonus_spent": spent,
                "summ": amount,
                "summ_with_disc": amount,
                "doc_id": doc,
            }
        )
    frame = pd.DataFrame.from_records(records, columns=list(CHEQUE_COLUMNS))
    frame["datetime"] = frame["datetime"].astype("datetime64[us]")
    frame["card"] = frame["card"].astype(object)
    return frame


def load_cheques(engine: sa.Engine, frame: pd.DataFrame) -> None:
    """Append a cheques frame to the engine's bonuscheques table."""
    with engine.begin() as conn:
        append_cheques(conn, frame)


@pytest.fixture(scope="session")
def chain_clients(tmp_path_factory) -> pd.DataFrame:
    """The graded clients of the 600-client chain database (DuckDB)."""
    from core.classify import classify
    from tests.support.chain import build_chain_database

    url = build_chain_database(tmp_path_factory.mktemp("chain") / "chain.duckdb")
    engine = make_engine(url)
    clients = classify(engine).clients
    engine.dispose()
    return clients
