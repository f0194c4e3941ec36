"""The people who may log in: logins, hashed passwords (werkzeug's scrypt), roles, granted data sources."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from core.db import DatabaseError, first_line
from core.model import RfmaError
from dashboard.appdb.database import users, utc_now

ROLES = ("viewer", "manager", "admin")
ROLE_NAMES = {"viewer": "просмотр", "manager": "менеджер", "admin": "администратор"}
LOGIN = re.compile(r"[A-Za-z0-9._@-]{1,64}")
MIN_PASSWORD = 8
ALL_SOURCES = "*"


@functools.cache
def _dummy_hash() -> str:
    """A hash to compare against when the login is unknown, so a wrong login costs as long as a wrong password."""
    return generate_password_hash("rfma-no-such-user")


@dataclass(frozen=True)
class User:
    """A user as the app sees them (never the password hash)."""

    id: int
    login: str
    role: str
    disabled: bool
    session_version: int
    sources: tuple[str, ...] | None  # granted data sources; None = all
    created_at: dt.datetime

    def may_use(self, source: str) -> bool:
        """Whether the user is granted the data source."""
        return self.sources is None or source in self.sources


def check_role(role: str) -> str:
    """The role if it is one of ROLES, else RfmaError naming the allowed ones."""
    if role not in ROLES:
        raise RfmaError(f"неизвестная роль {role!r}; допустимы: {', '.join(ROLES)}")
    return role


def check_password(password: str) -> str:
    """The password if long enough, else RfmaError."""
    if len(password) < MIN_PASSWORD:
        raise RfmaError(f"пароль короче {MIN_PASSWORD} символов")
    return password


class Users:
    """The users table of an application database."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def add(self, login: str, password: str, role: str, sources: list[str] | None = None) -> User:
        """A new user; RfmaError for a taken or malformed login, a short password or an unknown role."""
        if not LOGIN.fullmatch(login):
            raise RfmaError(f"логин {login!r}: допустимы латинские буквы, цифры и . _ @ - (до 64 символов)")
        values = {
            "login": login,
            "password_hash": generate_password_hash(check_password(password)),
            "role": check_role(role),
            "disabled": False,
            "session_version": 1,
            "sources": ALL_SOURCES if sources is None else json.dumps(sorted(sources), ensure_ascii=False),
            "created_at": utc_now(),
        }
        if self.get(login) is not None:
            raise RfmaError(f"пользователь {login} уже есть")
        self._write(sa.insert(users).values(**values))
        added = self.get(login)
        assert added is not None
        return added

    def get(self, login: str) -> User | None:
        """The user with this login, or None."""
        return self._one(users.c.login == login)

    def by_id(self, user_id: int) -> User | None:
        """The user with this id, or None."""
        return self._one(users.c.id == user_id)

    def all(self) -> list[User]:
        """Every user, by login."""
        return [_user(row) for row in self._read(sa.select(users).order_by(users.c.login))]

    def any(self) -> bool:
        """Whether any user exists."""
        return bool(self._read(sa.select(users.c.id).limit(1)))

    def verify(self, login: str, password: str) -> User | None:
        """The user when the login exists, is enabled and the password matches; else None (same cost either way)."""
        rows = self._read(sa.select(users).where(users.c.login == login))
        stored = rows[0]["password_hash"] if rows else _dummy_hash()
        matches = check_password_hash(stored, password)
        if not rows or not matches:
            return None
        user = _user(rows[0])
        return None if user.disabled else user

    def set_role(self, login: str, role: str) -> User:
        """Change the role (the user's sessions end)."""
        return self._change(login, role=check_role(role))

    def set_password(self, login: str, password: str) -> User:
        """Change the password (the user's sessions end)."""
        return self._change(login, password_hash=generate_password_hash(check_password(password)))

    def disable(self, login: str) -> User:
        """Disable the user (their sessions end at once)."""
        return self._change(login, disabled=True)

    def enable(self, login: str) -> User:
        """Enable a disabled user."""
        return self._change(login, disabled=False)

    def grant(self, login: str, sources: list[str] | None) -> User:
        """Grant data sources (None: all)."""
        value = ALL_SOURCES if sources is None else json.dumps(sorted(sources), ensure_ascii=False)
        return self._change(login, sources=value)

    def _change(self, login: str, **values) -> User:
        if self.get(login) is None:
            raise RfmaError(f"пользователя {login} нет")
        bump = {"session_version": users.c.session_version + 1}
        self._write(sa.update(users).where(users.c.login == login).values(**values, **bump))
        changed = self.get(login)
        assert changed is not None
        return changed

    def _one(self, condition) -> User | None:
        rows = self._read(sa.select(users).where(condition))
        return _user(rows[0]) if rows else None

    def _read(self, query) -> list:
        try:
            with self.engine.connect() as conn:
                return list(conn.execute(query).mappings().all())
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"база приложения недоступна: {first_line(exc)}") from None

    def _write(self, statement) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(statement)
        except sa.exc.IntegrityError:
            raise RfmaError("пользователь с таким логином уже есть") from None
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"база приложения недоступна: {first_line(exc)}") from None


def _user(row) -> User:
    raw = row["sources"]
    sources = None if raw == ALL_SOURCES else tuple(json.loads(raw))
    return User(
        int(row["id"]),
        row["login"],
        row["role"],
        bool(row["disabled"]),
        int(row["session_version"]),
        sources,
        row["created_at"],
    )
