"""DuckDB's one writer and many readers take turns: readers step aside while a writer announces itself, both
retry a conflicting lock within their patience; PostgreSQL reads never wait for an import's transaction."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from core.client_base import load_client_base
from core.db import create_tables, make_engine
from core.loading import append_cheques
from core.writers import DataUpdating, marker_of, retry_on_lock, writer_active, writing
from tests.support.chain import build_chain_database, chain_cheques


def holder(path, seconds: float) -> subprocess.Popen:
    """Another process that holds the DuckDB file open read-write for a while (prints 'open' once it does)."""
    code = f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('open', flush=True); time.sleep({seconds})"
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "open"
    return process


def reader_engine(url: str, patience: float) -> sa.Engine:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args={"read_only": True})
    return retry_on_lock(engine, patience, wait_for_writer=True)


@pytest.fixture
def chain(tmp_path):
    url = build_chain_database(tmp_path / "chain.duckdb")
    return url, tmp_path / "chain.duckdb"


def test_a_marker_counts_only_while_its_writer_lives(chain):
    _url, path = chain
    marker = marker_of(path)
    assert not writer_active(path)
    marker.write_text(str(os.getpid()))
    assert not writer_active(path)  # this very process is the writer
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        marker.write_text(str(sleeper.pid))
        assert writer_active(path)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert not writer_active(path)  # a writer that died without cleaning up
    marker.write_text("not a pid")
    assert not writer_active(path)


def test_writing_announces_the_writer_and_always_withdraws(chain):
    url, path = chain
    engine = make_engine(url)
    with pytest.raises(RuntimeError), writing(engine):
        assert marker_of(path).read_text() == str(os.getpid())
        raise RuntimeError("the import failed")
    assert not marker_of(path).exists()


def test_a_reader_waits_for_an_announced_writer_and_reads_after_it(chain):
    url, path = chain
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    marker_of(path).write_text(str(sleeper.pid))
    try:
        with pytest.raises(DataUpdating, match="Данные обновляются"):
            load_client_base(reader_engine(url, patience=0.3))
    finally:
        sleeper.kill()
        sleeper.wait()
    assert len(load_client_base(reader_engine(url, patience=0.3)).clients) == 600


def test_both_sides_retry_a_conflicting_lock_within_their_patience(chain):
    url, path = chain
    process = holder(path, seconds=1.5)
    try:
        with pytest.raises(DataUpdating):
            load_client_base(reader_engine(url, patience=0))
        assert len(load_client_base(reader_engine(url, patience=30)).clients) == 600  # once the holder is gone
    finally:
        process.wait()
    process = holder(path, seconds=1.5)
    try:
        writer = make_engine(url)  # rfma import's engine: waits for the file instead of failing at once
        with writer.begin() as conn:
            assert conn.execute(sa.text("select count(*) from bonuscheques")).scalar_one() > 0
        writer.dispose()
    finally:
        process.wait()


@pytest.mark.postgres
def test_postgresql_reads_never_wait_for_an_import_in_progress(postgres_url):
    engine = make_engine(postgres_url)
    with engine.begin() as conn:
        create_tables(conn)
        append_cheques(conn, chain_cheques(clients=50, anonymous=10))
    reader = sa.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    importing = engine.connect()
    transaction = importing.begin()
    try:
        more = chain_cheques(clients=5, anonymous=5, seed=7)
        more["doc_id"] = "X" + more["doc_id"]
        append_cheques(importing, more)  # the import's transaction stays open, as a long import's does
        with reader.connect() as conn:
            conn.execute(sa.text("SET lock_timeout = '2s'"))
            assert len(load_client_base(conn).clients) == 50  # no lock wait: the import is not committed yet
    finally:
        transaction.rollback()
        importing.close()
        engine.dispose()
        reader.dispose()
