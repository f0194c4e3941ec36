"""DuckDB: one writer and many readers of one file, taking turns without failing each other.

A DuckDB file can be open read-write by one process only, and not while any process reads it. `rfma import` (a
writer) announces itself with a marker file beside the database (`<file>.writing`, holding its PID); readers (the
dashboard's workers) that see a live marker wait before opening the file, so the writer only waits for the reads
already running. Both sides retry a connection refused for a conflicting lock, each within its own patience.
PostgreSQL needs none of this: its readers and writers never block each other here.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from core.model import RfmaError

WRITER_PATIENCE = 300.0  # seconds a writer waits for the reads in flight to finish
READER_PATIENCE = 60.0  # seconds a reader waits for a writer to finish
STALE_MARKER = 6 * 3600  # seconds after which a marker is ignored whoever left it
POLL = 0.05
UPDATING = "Данные обновляются: идёт загрузка чеков. Обновите страницу через минуту."


class DataUpdating(RfmaError):
    """A reader waited longer than its patience for a writer of the same DuckDB file."""


def database_file(engine: sa.Engine) -> Path | None:
    """The DuckDB file of an engine (None for other backends and in-memory databases)."""
    database = engine.url.database
    if engine.dialect.name != "duckdb" or database in (None, "", ":memory:"):
        return None
    return Path(database).expanduser()


def marker_of(path: Path) -> Path:
    """The writer's marker beside a DuckDB file."""
    return path.with_name(path.name + ".writing")


def is_lock_conflict(exc: BaseException) -> bool:
    """DuckDB refused to open a file another process holds."""
    text = str(exc)
    return "Conflicting lock" in text or "Could not set lock" in text


def writer_active(path: Path) -> bool:
    """A live writer has announced itself for this file (a marker left by a dead process does not count)."""
    marker = marker_of(path)
    try:
        pid = int(marker.read_text().strip() or 0)
        age = time.time() - marker.stat().st_mtime
    except (OSError, ValueError):
        return False
    if pid == os.getpid() or age > STALE_MARKER:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


@contextlib.contextmanager
def writing(engine: sa.Engine) -> Iterator[None]:
    """Announce a writer of the engine's DuckDB file for the duration of the block (no-op on other backends)."""
    path = database_file(engine)
    if path is None:
        yield
        return
    marker = marker_of(path)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(str(os.getpid()))
    try:
        yield
    finally:
        engine.dispose()  # release the file before the readers come back
        with contextlib.suppress(FileNotFoundError):
            marker.unlink()


def retry_on_lock(engine: sa.Engine, patience: float, wait_for_writer: bool = False) -> sa.Engine:
    """Make the engine's DuckDB connections retry a conflicting lock for up to `patience` seconds; with
    `wait_for_writer` (readers) first wait while a writer is announced. Other backends are left as they are."""
    path = database_file(engine)
    if path is None:
        return engine

    @event.listens_for(engine, "do_connect")
    def connect(dialect, _record, cargs, cparams):
        deadline = time.monotonic() + patience
        while wait_for_writer and writer_active(path):
            if time.monotonic() > deadline:
                raise DataUpdating(UPDATING)
            time.sleep(POLL)
        while True:
            try:
                return dialect.connect(*cargs, **cparams)
            except Exception as exc:
                if not is_lock_conflict(exc):
                    raise
                if time.monotonic() > deadline:
                    if wait_for_writer:
                        raise DataUpdating(UPDATING) from None
                    raise
                time.sleep(POLL)

    return engine
