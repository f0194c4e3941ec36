"""Dashboard settings: which cheques database, which application database, which cache. Built from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

import sqlalchemy as sa

from core.db import default_database_path, is_default_database, resolve_database_url
from core.model import DEFAULT_AMOUNT_COLUMN, DEFAULT_CARD_PATTERN
from dashboard.appdb import default_app_database_url
from dashboard.sources import SourceConfig, SourcesError, load_sources

CACHE_TYPES = ("FileSystemCache", "RedisCache", "SimpleCache", "NullCache")

ENV = {
    "cache_type": "RFMA_CACHE_TYPE",
    "cache_dir": "RFMA_CACHE_DIR",
    "cache_redis_url": "RFMA_REDIS_URL",
    "cache_timeout": "RFMA_CACHE_TIMEOUT",
    "state_dir": "RFMA_STATE_DIR",
    "card_pattern": "RFMA_CARD_PATTERN",
    "amount_column": "RFMA_AMOUNT_COLUMN",
    "duckdb_read_only": "RFMA_DUCKDB_READ_ONLY",
    "source_name": "RFMA_SOURCE_NAME",
    "app_database_url": "RFMA_APP_DATABASE_URL",
    "auth": "RFMA_AUTH",
    "proxy_user_header": "RFMA_PROXY_USER_HEADER",
    "secret_key": "RFMA_SECRET_KEY",
    "https": "RFMA_HTTPS",
    "sources_file": "RFMA_SOURCES_FILE",
    "sources_text": "RFMA_SOURCES",
}
AUTH_MODES = ("login", "proxy", "none")


def default_source_name(url: str) -> str:
    """A name for the page that says which database without disclosing it: backend and database (file) name."""
    if is_default_database(url):
        return "демо-база (DuckDB)"
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return "база данных"
    backend = {
        "duckdb": "DuckDB",
        "postgresql": "PostgreSQL",
        "clickhouse": "ClickHouse",
        "chdb": "ClickHouse (chDB)",
    }.get(parsed.get_backend_name(), parsed.get_backend_name())
    local = backend in ("DuckDB", "ClickHouse (chDB)")  # a file or directory: its name, never the path
    database = Path(parsed.database).name if parsed.database and local else parsed.database
    return f"{backend} «{database}»" if database else backend


def default_state_dir() -> Path:
    """Next to the embedded demo database (so RFMA_DEMO_PATH in tests moves it too)."""
    return default_database_path().parent


@dataclass(frozen=True)
class Settings:
    """Everything `create_app` needs; immutable, so one app never changes another's configuration."""

    database_url: str
    cache_type: str = "FileSystemCache"
    cache_dir: str = ""
    cache_redis_url: str | None = None
    cache_timeout: int = 24 * 3600
    state_dir: str = ""
    card_pattern: str = DEFAULT_CARD_PATTERN
    amount_column: str = DEFAULT_AMOUNT_COLUMN
    duckdb_read_only: bool = True
    source_name: str = ""  # what the page calls the database; never its URL (credentials, hosts, paths)
    app_database_url: str = ""  # the application database (threshold sets); default: SQLite in the state directory
    auth: str = "login"  # 'login', 'proxy' (a trusted reverse proxy's header names the user) or 'none' (--no-auth)
    proxy_user_header: str = "X-Forwarded-User"
    secret_key: str = ""  # signs session cookies; default: a random key kept in the state directory
    https: bool = False  # served behind HTTPS: session cookies get the Secure flag
    title: str = "RFMA — клиенты аптечной сети"
    sources_file: str = ""  # RFMA_SOURCES_FILE: a TOML file of named data sources ([sources] name = URL)
    sources_text: str = ""  # RFMA_SOURCES: the same lines, or one inline table
    sources: tuple[SourceConfig, ...] = ()  # the named data sources read from them (empty: one, `database_url`)

    def __post_init__(self):
        if self.auth not in AUTH_MODES:
            raise ValueError(f"RFMA_AUTH={self.auth!r}: допустимы {', '.join(AUTH_MODES)}")
        if self.cache_type not in CACHE_TYPES:
            raise ValueError(f"RFMA_CACHE_TYPE={self.cache_type!r}: допустимы {', '.join(CACHE_TYPES)}")
        if self.cache_type == "RedisCache" and not self.cache_redis_url:
            raise ValueError("RFMA_CACHE_TYPE=RedisCache требует RFMA_REDIS_URL (например redis://localhost:6379/0)")
        state = self.state_dir or str(default_state_dir())
        object.__setattr__(self, "state_dir", state)
        if not self.cache_dir:
            object.__setattr__(self, "cache_dir", str(Path(state) / "dashboard-cache"))
        if not self.app_database_url:
            object.__setattr__(self, "app_database_url", default_app_database_url(state))
        if not self.source_name:
            name = self.sources[0].name if self.sources else default_source_name(self.database_url)
            object.__setattr__(self, "source_name", name)
        names = [source.name for source in self.sources]
        if len(set(names)) != len(names):
            raise SourcesError("имена источников данных повторяются")

    @property
    def data_sources(self) -> tuple[SourceConfig, ...]:
        """The sources the app serves: the named ones, else the one configured database under `source_name`."""
        return self.sources or (SourceConfig(self.source_name, self.database_url),)

    @property
    def pins_path(self) -> Path:
        """The JSON file where versions before 0.4 kept pinned thresholds (read once into the application database)."""
        return Path(self.state_dir) / "pins.json"

    def cache_config(self) -> dict:
        """flask-caching configuration."""
        config = {"CACHE_TYPE": self.cache_type, "CACHE_DEFAULT_TIMEOUT": self.cache_timeout}
        if self.cache_type == "FileSystemCache":
            config |= {"CACHE_DIR": self.cache_dir, "CACHE_THRESHOLD": 2000}
        elif self.cache_type == "RedisCache":
            config |= {"CACHE_REDIS_URL": self.cache_redis_url, "CACHE_KEY_PREFIX": "rfma:"}
        elif self.cache_type == "SimpleCache":
            config |= {"CACHE_THRESHOLD": 500}
        return config

    def with_values(self, **values) -> Settings:
        return replace(self, **values)

    @classmethod
    def from_env(cls, database_url: str | None = None, **overrides) -> Settings:
        """Settings from RFMA_* variables; explicit arguments win; the URL goes through resolve_database_url."""
        values: dict[str, object] = {}
        types = {f.name: f.type for f in fields(cls)}
        for name, variable in ENV.items():
            raw = os.environ.get(variable)
            if raw is None or raw == "":
                continue
            if name == "cache_timeout":
                values[name] = int(raw)
            elif name in ("duckdb_read_only", "https"):
                values[name] = raw.strip().lower() not in ("0", "false", "no", "off")
            else:
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None and k in types})
        if "sources" not in values:
            values["sources"] = load_sources(values.get("sources_file"), values.get("sources_text"))  # type: ignore[arg-type]
        sources = values["sources"]
        if database_url is None and sources:  # the first named source is the default one
            database_url = sources[0].url  # type: ignore[index]
        return cls(database_url=resolve_database_url(database_url), **values)
