"""The audit log: who logged in (or failed to), downloaded which client list with how many rows, saved a threshold
set, changed a user — one row each, in UTC."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import sqlalchemy as sa

from core.db import DatabaseError, first_line
from dashboard.appdb.database import audit_log, utc_now

log = logging.getLogger(__name__)

LOGIN_OK = "login"
LOGIN_FAILED = "login_failed"
LOGOUT = "logout"
DOWNLOAD = "download"
THRESHOLDS_SAVED = "thresholds_saved"
USER_CHANGED = "user_changed"
ACCESS_DENIED = "access_denied"
AUDIT_COLUMNS = ("at", "user", "action", "detail", "rows")


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit log."""

    at: dt.datetime
    user: str
    action: str
    detail: str
    rows: int | None
    source: str


class AuditLog:
    """The audit log of an application database."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def record(self, user: str, action: str, detail: str = "", rows: int | None = None, source: str = "") -> None:
        """Append one entry (now, UTC)."""
        values = {"at": utc_now(), "user": user, "action": action, "detail": detail, "rows": rows, "source": source}
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.insert(audit_log).values(**values))
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"база приложения недоступна: {first_line(exc)}") from None

    def entries(self, since: dt.datetime | None = None, action: str | None = None) -> list[AuditEntry]:
        """Entries from `since` on (all when None), oldest first, optionally of one action."""
        query = sa.select(audit_log).order_by(audit_log.c.id)
        if since is not None:
            query = query.where(audit_log.c.at >= since)
        if action is not None:
            query = query.where(audit_log.c.action == action)
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(query).mappings().all()
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"база приложения недоступна: {first_line(exc)}") from None
        return [
            AuditEntry(row["at"], row["user"], row["action"], row["detail"], row["rows"], row["source"]) for row in rows
        ]

    def failed_logins(self, user: str, window: dt.timedelta) -> int:
        """Failed logins of a login name within the last `window` (the throttle counts them across workers)."""
        since = utc_now() - window
        query = (
            sa.select(sa.func.count())
            .select_from(audit_log)
            .where(audit_log.c.action == LOGIN_FAILED, audit_log.c.user == user, audit_log.c.at >= since)
        )
        try:
            with self.engine.connect() as conn:
                return int(conn.execute(query).scalar_one())
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"база приложения недоступна: {first_line(exc)}") from None
