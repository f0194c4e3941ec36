"""Reading a CSV of cheques and checking it before anything is written; appending it with the table's checks."""

from __future__ import annotations

import codecs
import csv
from pathlib import Path
from typing import NoReturn

import pandas as pd
import sqlalchemy as sa

from core import formatting as fmt
from core.db import CHEQUE_COLUMNS, REQUIRED_COLUMNS
from core.import_rules import (
    MAX_REPORTED_PROBLEMS,
    ImportRejected,
    ImportRules,
    Problem,
    validate_frame,
)
from core.loading import AppendCounts, ChequeConflict, append_cheques
from core.model import RfmaError

__all__ = ["ImportRejected", "ImportRules", "Problem", "append_checked", "parse_mapping", "read_cheques_csv"]


def parse_mapping(items: list[str] | None) -> dict[str, str]:
    """`--map target=source` items as {target column: CSV column}; unknown targets raise RfmaError."""
    mapping: dict[str, str] = {}
    for item in items or []:
        target, sep, source = item.partition("=")
        target, source = target.strip(), source.strip()
        if not sep or not target or not source:
            raise RfmaError(f"--map {item!r}: ожидается колонка_таблицы=колонка_файла, например card=CustomerID")
        if target not in CHEQUE_COLUMNS:
            raise RfmaError(
                f"--map {item!r}: неизвестная колонка {target!r}; колонки таблицы: {', '.join(CHEQUE_COLUMNS)}"
            )
        mapping[target] = source
    return mapping


def read_cheques_csv(
    path: str | Path, mapping: dict[str, str] | None = None, rules: ImportRules | None = None
) -> pd.DataFrame:
    """Read and validate a cheques CSV into bonuscheques columns; raise ImportRejected/RfmaError on bad input.

    The frame's index is the CSV row number minus 2 (the header is row 1); `attrs["offsets_dropped"]` counts the
    date-times whose UTC offset was dropped."""
    path = Path(path)
    name = str(path)
    rules = rules or ImportRules()
    mapping = dict(mapping or {})
    if not path.is_file():
        raise RfmaError(f"файл {name} не найден")
    _check_bytes(path, name, mapping.get("card", "card"))
    with path.open(encoding="utf-8-sig") as handle:
        first_line = handle.readline()
    try:
        delimiter = csv.Sniffer().sniff(first_line or ",", delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        raw = pd.read_csv(path, sep=delimiter, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise RfmaError(f"файл {name}: не удалось прочитать CSV: {str(exc).strip().splitlines()[0]}") from None
    header = list(raw.columns)
    for target, source in mapping.items():
        if source not in header:
            raise RfmaError(
                f"файл {name}: нет колонки {source!r} (указана в --map {target}={source}); "
                f"колонки файла: {', '.join(header)}"
            )
    source_of = {column: mapping.get(column, column) for column in CHEQUE_COLUMNS}
    missing = [c for c in REQUIRED_COLUMNS if source_of[c] not in header]
    if missing:
        raise RfmaError(
            f"файл {name}: нет обязательных колонок {', '.join(missing)} (колонки файла: {', '.join(header)}); "
            "переименуйте их или укажите --map колонка_таблицы=колонка_файла"
        )
    return validate_frame(raw, source_of, name, rules)


def _check_bytes(path: Path, name: str, card_source: str) -> None:
    """The whole file (not a sample) must be UTF-8 without NUL bytes; read in blocks, reported by row on failure."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while block := handle.read(1 << 24):
                if b"\x00" in block:
                    break
                decoder.decode(block)
            else:
                decoder.decode(b"", final=True)
                return
        except UnicodeDecodeError:
            pass
    _reject_bytes(path.read_bytes(), name, card_source)


def _reject_bytes(data: bytes, name: str, card_source: str) -> NoReturn:
    """Raise ImportRejected naming each line with a NUL byte or a byte that is not UTF-8 (row, column, offset)."""
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    lines = data[start:].split(b"\n")
    first = lines[0].decode("utf-8", "replace")
    delimiter = ";" if first.count(";") > first.count(",") else "\t" if "\t" in first else ","
    header = [h.strip().strip('"') for h in first.rstrip("\r").split(delimiter)]
    problems: list[Problem] = []
    total, offset = 0, start
    for number, line in enumerate(lines, start=1):
        found = _first_bad_byte(line)
        if found is not None:
            position, reason = found
            total += 1
            if len(problems) < MAX_REPORTED_PROBLEMS:
                field = line[:position].decode("utf-8", "replace").count(delimiter)
                column = (
                    header[field]
                    if number > 1 and field < len(header)
                    else "(заголовок)"
                    if number == 1
                    else f"№{field + 1}"
                )
                value = line.split(delimiter.encode())[field].rstrip(b"\r").decode("utf-8", "backslashreplace")
                where = f"байт {offset + position} от начала файла"
                problems.append(Problem(number, column, value, f"{reason} ({where})", secret=column == card_source))
        offset += len(line) + 1
    raise ImportRejected(name, problems, total)


def _first_bad_byte(line: bytes) -> tuple[int, str] | None:
    """(position, reason) of the first NUL byte or byte that is not UTF-8 in a line, or None."""
    nul = line.find(b"\x00")
    try:
        line.decode("utf-8")
        bad = -1
    except UnicodeDecodeError as exc:
        bad = exc.start
    if nul < 0 and bad < 0:
        return None
    if bad < 0 or 0 <= nul < bad:
        return nul, "нулевой байт (NUL)"
    return bad, f"байт 0x{line[bad]:02X} не в кодировке UTF-8"


def append_checked(conn: sa.Connection, frame: pd.DataFrame, name: str) -> AppendCounts:
    """Append a frame read by read_cheques_csv; a doc_id already in the table with another card, calendar day or
    shop rejects the file by row (ImportRejected; the caller's transaction then writes nothing)."""
    try:
        return append_cheques(conn, frame)
    except ChequeConflict as conflict:
        raise _conflict_rejection(frame, conflict.existing, name) from None


def _conflict_rejection(frame: pd.DataFrame, existing: pd.DataFrame, name: str) -> ImportRejected:
    known = existing.drop_duplicates("doc_id").set_index("doc_id")
    mine = frame[frame["doc_id"].isin(known.index)]
    theirs = known.loc[mine["doc_id"]].set_index(mine.index)
    days = pd.to_datetime(theirs["day"]).dt.date
    checks = (
        ("card", mine["card"].fillna("") != theirs["card"].fillna(""), "с другой картой", None),
        ("datetime", mine["datetime"].dt.date != days, "с другой датой", days.map(fmt.date)),
        ("shop", mine["shop"].fillna("") != theirs["shop"].fillna(""), "с другой аптекой", theirs["shop"].map(repr)),
    )
    problems: list[Problem] = []
    for column, differs, what, shown in checks:
        for i in mine.index[differs.to_numpy()]:
            value = mine.at[i, column]
            text = "" if value is None else str(value)
            suffix = f" ({shown.at[i]})" if shown is not None else ""
            reason = f"номер чека {mine.at[i, 'doc_id']!r} уже загружен в таблицу {what}{suffix}"
            problems.append(Problem(int(i) + 2, column, text, reason, secret=column == "card"))
    problems.sort(key=lambda p: p.row)
    return ImportRejected(name, problems[:MAX_REPORTED_PROBLEMS], len(problems))
