"""Reading and validating a CSV of cheques before anything is written."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core.db import CHEQUE_COLUMNS, NUMERIC_COLUMNS, REQUIRED_COLUMNS
from core.model import RfmaError

MAX_REPORTED_PROBLEMS = 20
DATETIME_FORMATS = (
    "ISO8601",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
)


@dataclass(frozen=True)
class Problem:
    """One bad value: CSV row number (the header is row 1), column, value and what is wrong."""

    row: int
    column: str
    value: str
    reason: str

    def describe(self, file: str) -> str:
        """'file:row: column=value — reason'."""
        return f"{file}: строка {self.row}, колонка {self.column}, значение {self.value!r}: {self.reason}"


class ImportRejected(RfmaError):
    """A file with bad rows: nothing was written; `problems` lists them (up to 20 are reported)."""

    def __init__(self, file: str, problems: list[Problem], total: int):
        self.file, self.problems, self.total = file, problems, total
        shown = "\n".join(p.describe(file) for p in problems[:MAX_REPORTED_PROBLEMS])
        more = f"\n… и еще {total - MAX_REPORTED_PROBLEMS} ошибок" if total > MAX_REPORTED_PROBLEMS else ""
        super().__init__(f"файл {file} отклонен, ничего не записано ({total} ошибок):\n{shown}{more}")


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


def read_cheques_csv(path: str | Path, mapping: dict[str, str] | None = None) -> pd.DataFrame:
    """Read and validate a cheques CSV into bonuscheques columns; raise ImportRejected/RfmaError on bad input."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise RfmaError(f"файл {name} не найден")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            sample = handle.read(65536)
    except UnicodeDecodeError:
        raise RfmaError(f"файл {name}: не в кодировке UTF-8") from None
    try:
        delimiter = csv.Sniffer().sniff(sample.splitlines()[0] if sample else ",", delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        raw = pd.read_csv(path, sep=delimiter, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise RfmaError(f"файл {name}: не удалось прочитать CSV: {str(exc).strip().splitlines()[0]}") from None
    mapping = dict(mapping or {})
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
    return _validate(raw, source_of, name)


def _validate(raw: pd.DataFrame, source_of: dict[str, str], name: str) -> pd.DataFrame:
    problems: list[Problem] = []
    rows = np.arange(len(raw)) + 2  # CSV row numbers: the header is row 1
    present = {c: source_of[c] in raw.columns for c in CHEQUE_COLUMNS}

    def column(target: str) -> pd.Series:
        return raw[source_of[target]] if present[target] else pd.Series([""] * len(raw), dtype=str)

    total = 0  # problems found, beyond the first MAX_REPORTED_PROBLEMS too

    def flag(mask: np.ndarray, target: str, reason: str, values: pd.Series) -> None:
        nonlocal total
        for i in np.flatnonzero(mask)[: MAX_REPORTED_PROBLEMS + 1]:
            problems.append(Problem(int(rows[i]), source_of[target], str(values.iloc[i]), reason))
        total += int(mask.sum())

    out = pd.DataFrame(index=raw.index)

    stamp_text = column("datetime").str.strip()
    stamps = _parse_datetimes(stamp_text)
    flag((stamp_text == "").to_numpy(), "datetime", "пустая дата", stamp_text)
    flag(
        (stamps.isna() & (stamp_text != "")).to_numpy(),
        "datetime",
        "не дата и время (ожидается ГГГГ-ММ-ДД ЧЧ:ММ:СС)",
        stamp_text,
    )
    out["datetime"] = stamps

    for target in ("shop", "card"):
        values = column(target)
        out[target] = values.where(values != "", None).astype(object)

    for target in NUMERIC_COLUMNS:
        text = column(target).str.strip()
        numbers = pd.to_numeric(
            text.str.replace(",", ".", regex=False).str.replace(" ", "", regex=False), errors="coerce"
        )
        required = target == "summ_with_disc"
        if required:
            flag((text == "").to_numpy(), target, "пустая сумма", text)
        bad = (numbers.isna() & (text != "")) | ~np.isfinite(numbers.fillna(0))
        flag(bad.to_numpy(), target, "не число", text)
        out[target] = numbers.astype("float64")
    out["bonus_earned"] = out["bonus_earned"].fillna(0.0)
    out["bonus_spent"] = out["bonus_spent"].fillna(0.0)
    out["summ"] = out["summ"].fillna(out["summ_with_disc"])

    doc = column("doc_id").str.strip()
    flag((doc == "").to_numpy(), "doc_id", "пустой номер чека", doc)
    out["doc_id"] = doc

    if total:
        problems.sort(key=lambda p: p.row)  # stable: within a row, columns keep the table's order
        raise ImportRejected(name, problems[:MAX_REPORTED_PROBLEMS], total)
    return out[list(CHEQUE_COLUMNS)]


def _parse_datetimes(text: pd.Series) -> pd.Series:
    """Parse with the one format (of DATETIME_FORMATS) that reads the most values of the column."""
    best = pd.to_datetime(text, format=DATETIME_FORMATS[0], errors="coerce")
    for fmt in DATETIME_FORMATS[1:]:
        if best.notna().sum() == (text != "").sum():
            break
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        if parsed.notna().sum() > best.notna().sum():
            best = parsed
    return best.astype("datetime64[us]")
