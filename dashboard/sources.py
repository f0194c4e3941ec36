"""Named data sources (the seed's «выбор компании»): name → SQLAlchemy URL of a cheques database.

Read from a TOML file (`RFMA_SOURCES_FILE`, a `[sources]` table) and/or the environment (`RFMA_SOURCES`: the same
`"name" = "url"` lines, or one inline table `{ "name" = "url", … }`). The page shows the names only; a URL
(credentials, hosts, paths) is never shown, logged for users or put into an error message — errors name the file,
the line and the key.

Without either, the app has one source: the configured database URL, named `Settings.source_name` (as before).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from core.model import RfmaError

ENV_SOURCES_FILE = "RFMA_SOURCES_FILE"
ENV_SOURCES = "RFMA_SOURCES"
MAX_NAME = 80
_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)")


class SourcesError(RfmaError):
    """A sources file or variable that cannot be used; the message names where (file, line, key), never a URL."""


@dataclass(frozen=True)
class SourceConfig:
    """One named data source. `url` is never shown (repr hides it too)."""

    name: str
    url: str

    def __repr__(self) -> str:
        return f"SourceConfig(name={self.name!r})"


def parse_sources(text: str, where: str) -> tuple[SourceConfig, ...]:
    """The sources of TOML `text` (a `[sources]` table); `where` names its origin in errors, e.g. the file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _WHERE.search(str(exc))
        line = f", строка {found.group(1)}" if found else ""
        raise SourcesError(
            f'{where}{line}: не разобрать TOML — ожидаются строки вида "имя" = "адрес базы" под заголовком [sources]'
        ) from None
    extra = sorted(set(data) - {"sources"})
    if extra:
        raise SourcesError(f"{where}: неизвестный раздел или ключ {extra[0]!r}; допустим только [sources]")
    table = data.get("sources")
    if not isinstance(table, dict) or not table:
        raise SourcesError(f"{where}: нет ни одного источника — нужен раздел [sources] со строками «имя = адрес»")
    lines = text.splitlines()
    return tuple(_source(name, value, where, lines) for name, value in table.items())


def _source(name: str, value: object, where: str, lines: list[str]) -> SourceConfig:
    at = _line_of(name, lines)
    place = f"{where}{at}, источник {name!r}"
    if not name.strip() or name != name.strip():
        raise SourcesError(f"{place}: имя пустое или с пробелами по краям")
    if len(name) > MAX_NAME:
        raise SourcesError(f"{place}: имя длиннее {MAX_NAME} символов")
    if not isinstance(value, str):
        raise SourcesError(f"{place}: адрес должен быть строкой в кавычках (SQLAlchemy URL)")
    try:
        sa.engine.make_url(value)
    except (sa.exc.ArgumentError, ValueError):
        raise SourcesError(f"{place}: адрес не похож на SQLAlchemy URL (вида драйвер://…)") from None
    return SourceConfig(name, value)


def _line_of(name: str, lines: list[str]) -> str:
    """', строка N' of the line defining key `name` (quoted or bare), or '' when not found (an inline table)."""
    pattern = re.compile(rf"^\s*(\"{re.escape(name)}\"|'{re.escape(name)}'|{re.escape(name)})\s*=")
    for number, line in enumerate(lines, 1):
        if pattern.match(line):
            return f", строка {number}"
    return ""


def read_sources_file(path: str | Path) -> tuple[SourceConfig, ...]:
    """The sources of a TOML file."""
    where = f"{ENV_SOURCES_FILE}={path}"
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesError(f"{where}: файла нет") from None
    except UnicodeDecodeError:
        raise SourcesError(f"{where}: файл не в UTF-8") from None
    except OSError as exc:
        raise SourcesError(f"{where}: не прочитать файл ({exc.strerror or type(exc).__name__})") from None
    return parse_sources(text, where)


def sources_from_text(text: str) -> tuple[SourceConfig, ...]:
    """The sources of `RFMA_SOURCES`: `"name" = "url"` lines, or one inline table `{ "name" = "url", … }`."""
    body = text.strip()
    toml = f"sources = {body}" if body.startswith("{") else f"[sources]\n{body}"
    try:
        return parse_sources(toml, ENV_SOURCES)
    except SourcesError as exc:
        if body.startswith("{"):
            raise
        message = str(exc)  # the lines are shifted by the added header: count them as the variable's own
        found = re.search(r", строка (\d+)", message)
        if found:
            message = message.replace(found.group(0), f", строка {int(found.group(1)) - 1}", 1)
        raise SourcesError(message) from None


def load_sources(file: str | None, text: str | None) -> tuple[SourceConfig, ...]:
    """Sources of the file, then of the variable (a name in both is an error); () when neither is set."""
    found: list[SourceConfig] = []
    if file:
        found.extend(read_sources_file(file))
    if text and text.strip():
        for source in sources_from_text(text):
            if any(known.name == source.name for known in found):
                raise SourcesError(f"{ENV_SOURCES}: источник {source.name!r} уже задан в {ENV_SOURCES_FILE}")
            found.append(source)
    return tuple(found)
