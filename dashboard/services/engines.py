"""Engines of the dashboard and the data source line: which database, how many cheques, which data version."""

from __future__ import annotations

import hashlib
import logging

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.pool import NullPool

from core.db import DatabaseError, DataSource, data_source, first_line, make_engine
from core.writers import READER_PATIENCE, retry_on_lock
from dashboard.process_engines import ProcessEngines
from dashboard.services.cache import SharedCache

log = logging.getLogger(__name__)

UNREACHABLE = "База данных недоступна"


_ENGINES = ProcessEngines()  # one per URL and mode in this process (a shared resource)


def dashboard_engine(url: str, read_only: bool = True) -> sa.Engine:
    """The process's engine for a URL (created on first use, in the process that uses it).

    DuckDB files are opened read-only with no pooled connection, so several server processes can read one
    file and `rfma import` can write between requests. If this process already holds the file read-write
    (e.g. `rfma serve`, whose CLI opened it to create the demo), DuckDB refuses a second configuration and
    we fall back to read-write.
    """
    return _ENGINES.get((url, read_only), lambda: _create_engine(url, read_only))


def _create_engine(url: str, read_only: bool) -> sa.Engine:
    base = make_engine(url)
    if base.dialect.name != "duckdb":
        return base
    base.dispose()
    if read_only:
        engine = reader(sa.create_engine(base.url, poolclass=NullPool, connect_args={"read_only": True}))
        try:
            with engine.connect():
                pass
            return engine
        except sa.exc.DBAPIError as exc:
            if "different configuration" not in str(exc):
                raise DatabaseError(f"{UNREACHABLE}: {first_line(exc)}") from None
            log.info("DuckDB file already open read-write in this process; using read-write connections")
    return reader(sa.create_engine(base.url, poolclass=NullPool))


def reader(engine: sa.Engine) -> sa.Engine:
    """A DuckDB engine of the dashboard: it waits while `rfma import` writes the file, then reads."""
    return retry_on_lock(engine, READER_PATIENCE, wait_for_writer=True)


class SourceReader:
    """The data source of one cheques database, read once per request (kept in `flask.g`, per database)."""

    def __init__(self, url: str, read_only: bool, cache: SharedCache):
        self.url = url  # never shown on the page
        self.read_only = read_only
        self.cache = cache

    def engine(self) -> sa.Engine:
        """The database's engine."""
        return dashboard_engine(self.url, self.read_only)

    def read(self) -> DataSource:
        """Which database, how many cheques, first/last cheque and the data version."""
        url_hash = hashlib.sha256(self.url.encode("utf-8")).hexdigest()
        read = g.setdefault("rfma_sources_read", {}) if has_request_context() else {}
        if url_hash in read:
            return read[url_hash]
        known_key = f"data_source:{url_hash}"
        known = self.cache.get(known_key)  # re-used while PostgreSQL's write counter is unchanged
        try:
            source = data_source(self.engine(), known)
        except DatabaseError:
            raise
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"{UNREACHABLE}: {first_line(exc)}") from None
        if source is not known:
            self.cache.set(known_key, source)
        read[url_hash] = source
        return source
