"""The import rules: what a cheques file may hold (dates, amounts, lengths, one card/shop/day per cheque) and the
Russian one-line problems a rejected file is reported with (docs/DECISIONS.md)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from core import formatting as fmt
from core.db import CHEQUE_COLUMNS, NUMERIC_COLUMNS
from core.model import RfmaError, parse_date

MAX_REPORTED_PROBLEMS = 20
MAX_AMOUNT = 10**9  # every numeric column: |value| < 1 000 000 000 (the table holds 14 digits, 2 after the point)
AMOUNT_DECIMALS = 2  # kopecks: a value with more significant decimals is rejected, never rounded
MAX_LENGTH = {"card": 64, "doc_id": 128, "shop": 200}  # characters; PostgreSQL indexes these columns
DEFAULT_MIN_DATE = dt.date(1990, 1, 1)
ENV_MIN_DATE = "RFMA_IMPORT_MIN_DATE"
ENV_MAX_DATE = "RFMA_IMPORT_MAX_DATE"
ERRORS = ("ошибка", "ошибки", "ошибок")
CHARACTERS = ("символ", "символа", "символов")

# --date-format name → the strptime formats tried, with and without a time of day (one day/month order each).
DATE_FORMATS: dict[str, tuple[str, ...]] = {
    "ISO": ("ISO8601",),
    "DD.MM.YYYY": ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y"),
    "DD/MM/YYYY": ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"),
    "MM/DD/YYYY": ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y"),
}
DATE_FORMAT_LABELS = {
    "ISO": "ГГГГ-ММ-ДД ЧЧ:ММ:СС",
    "DD.MM.YYYY": "ДД.ММ.ГГГГ ЧЧ:ММ",
    "DD/MM/YYYY": "ДД/ММ/ГГГГ ЧЧ:ММ",
    "MM/DD/YYYY": "ММ/ДД/ГГГГ ЧЧ:ММ",
}
# An ISO date-time with a UTC offset: the local time as written is kept and the offset dropped.
_ISO_OFFSET = r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"


@dataclass(frozen=True)
class ImportRules:
    """Settings of the import: accepted dates `[min_date, max_date]` and the date format (None: detected)."""

    min_date: dt.date = DEFAULT_MIN_DATE
    max_date: dt.date | None = None  # None: tomorrow, counted from the day of the import
    date_format: str | None = None

    def __post_init__(self):
        if self.date_format is not None and self.date_format not in DATE_FORMATS:
            raise RfmaError(f"--date-format {self.date_format!r}: допустимы {', '.join(DATE_FORMATS)}")
        if self.max_date is not None and self.min_date > self.max_date:
            raise RfmaError(f"--min-date {self.min_date.isoformat()} позже --max-date {self.max_date.isoformat()}")

    @classmethod
    def from_settings(
        cls,
        min_date: str | None = None,
        max_date: str | None = None,
        date_format: str | None = None,
        environ: Mapping[str, str] = os.environ,
    ) -> ImportRules:
        """Rules from CLI values, else the RFMA_IMPORT_MIN_DATE / RFMA_IMPORT_MAX_DATE environment, else defaults."""
        low = parse_date(min_date or environ.get(ENV_MIN_DATE), f"--min-date ({ENV_MIN_DATE})")
        high = parse_date(max_date or environ.get(ENV_MAX_DATE), f"--max-date ({ENV_MAX_DATE})")
        return cls(low or DEFAULT_MIN_DATE, high, date_format)

    def latest(self) -> dt.date:
        """The last accepted date: max_date, or tomorrow (a cheque from a shop a time zone ahead)."""
        return self.max_date or dt.date.today() + dt.timedelta(days=1)


@dataclass(frozen=True)
class Problem:
    """One bad value: CSV row number (the header is row 1), column, value and what is wrong.

    A card number is never shown in full: `secret` values are shown as their last characters and length."""

    row: int
    column: str
    value: str
    reason: str
    secret: bool = False

    def describe(self, file: str) -> str:
        """'file: строка N, колонка C, значение 'V': reason' — one line."""
        return f"{file}: строка {self.row}, колонка {self.column}, значение {self.shown()}: {self.reason}"

    def shown(self) -> str:
        value = self.value
        if self.secret:
            tail = value[-4:] if len(value) > 8 else ""
            return f"{'…' + tail!r} ({fmt.count(len(value), *CHARACTERS)})"
        if len(value) > 40:
            return f"{value[:40] + '…'!r} ({fmt.count(len(value), *CHARACTERS)})"
        return repr(value)


class ImportRejected(RfmaError):
    """A file with bad rows: nothing was written; `problems` lists them (up to 20 are reported)."""

    def __init__(self, file: str, problems: list[Problem], total: int):
        self.file, self.problems, self.total = file, problems, total
        shown = "\n".join(p.describe(file) for p in problems[:MAX_REPORTED_PROBLEMS])
        rest = total - MAX_REPORTED_PROBLEMS
        more = f"\n… и еще {fmt.count(rest, *ERRORS)}" if rest > 0 else ""
        super().__init__(f"файл {file} отклонен, ничего не записано ({fmt.count(total, *ERRORS)}):\n{shown}{more}")


def validate_frame(raw: pd.DataFrame, source_of: dict[str, str], name: str, rules: ImportRules) -> pd.DataFrame:
    problems: list[Problem] = []
    rows = np.arange(len(raw)) + 2  # CSV row numbers: the header is row 1
    present = {c: source_of[c] in raw.columns for c in CHEQUE_COLUMNS}

    def column(target: str) -> pd.Series:
        return raw[source_of[target]] if present[target] else pd.Series([""] * len(raw), dtype=str)

    total = 0  # problems found, beyond the first MAX_REPORTED_PROBLEMS too

    def flag(mask: np.ndarray, target: str, reason: str | pd.Series, values: pd.Series) -> None:
        nonlocal total
        for i in np.flatnonzero(mask)[: MAX_REPORTED_PROBLEMS + 1]:
            why = reason if isinstance(reason, str) else str(reason.iloc[i])
            problems.append(Problem(int(rows[i]), source_of[target], str(values.iloc[i]), why, target == "card"))
        total += int(mask.sum())

    out = pd.DataFrame(index=raw.index)

    stamp_text = column("datetime").str.strip()
    with_offset = stamp_text.str.match(_ISO_OFFSET)
    local = stamp_text.copy()
    if with_offset.any():
        local[with_offset] = stamp_text[with_offset].str.replace(_ISO_OFFSET, r"\1", regex=True)
    stamps, format_name = _parse_datetimes(local, rules, name, source_of["datetime"])
    flag((stamp_text == "").to_numpy(), "datetime", "пустая дата", stamp_text)
    expected = (
        f"не дата в формате {DATE_FORMAT_LABELS[format_name]} (--date-format {format_name})"
        if rules.date_format
        else f"не дата и время (ожидается {DATE_FORMAT_LABELS[format_name]}, как в остальных строках файла)"
    )
    flag((stamps.isna() & (stamp_text != "")).to_numpy(), "datetime", expected, stamp_text)
    low, high = rules.min_date, rules.latest()
    outside = stamps.notna() & ((stamps < pd.Timestamp(low)) | (stamps >= pd.Timestamp(high + dt.timedelta(days=1))))
    flag(
        outside.to_numpy(),
        "datetime",
        f"дата вне допустимого диапазона {fmt.date(low)} — {fmt.date(high)} (--min-date, --max-date)",
        stamp_text,
    )
    out["datetime"] = stamps

    for target in ("shop", "card"):
        values = column(target)
        out[target] = values.where(values != "", None).astype(object)

    for target in NUMERIC_COLUMNS:
        text = column(target).str.strip()
        plain = text.str.replace(",", ".", regex=False).str.replace(r"[\s\u00a0]", "", regex=True)
        numbers = pd.to_numeric(plain, errors="coerce")
        required = target == "summ_with_disc"
        if required:
            flag((text == "").to_numpy(), target, "пустая сумма", text)
        bad = (numbers.isna() & (text != "")) | ~np.isfinite(numbers.fillna(0))
        flag(bad.to_numpy(), target, "не число", text)
        flag(
            (~bad & (numbers.abs() >= MAX_AMOUNT)).to_numpy(),
            target,
            f"число по модулю не меньше {fmt.integer(MAX_AMOUNT)}",
            text,
        )
        fine = ~bad & (numbers.abs() < MAX_AMOUNT)
        flag((fine & _too_precise(plain)).to_numpy(), target, "больше 2 знаков после запятой", text)
        out[target] = numbers.astype("float64")
    out["bonus_earned"] = out["bonus_earned"].fillna(0.0)
    out["bonus_spent"] = out["bonus_spent"].fillna(0.0)
    out["summ"] = out["summ"].fillna(out["summ_with_disc"])

    doc = column("doc_id").str.strip()
    flag((doc == "").to_numpy(), "doc_id", "пустой номер чека", doc)
    out["doc_id"] = doc

    for target, limit in MAX_LENGTH.items():
        values = doc if target == "doc_id" else column(target)
        flag(
            (values.str.len() > limit).to_numpy(),
            target,
            f"длиннее {limit} {fmt.plural(limit, 'символа', 'символов', 'символов')}",
            values,
        )

    if not total and not doc.is_unique:  # the rows of one cheque must agree (checked on otherwise valid files)
        for target, reasons in _cheque_conflicts(out, rows).items():
            flag(reasons.notna().to_numpy(), target, reasons, column(target) if target != "datetime" else stamp_text)

    if total:
        problems.sort(key=lambda p: p.row)  # stable: within a row, columns keep the table's order
        raise ImportRejected(name, problems[:MAX_REPORTED_PROBLEMS], total)
    result = out[list(CHEQUE_COLUMNS)]
    result.attrs["offsets_dropped"] = int((with_offset & stamps.notna()).sum())
    return result


def _too_precise(plain: pd.Series) -> pd.Series:
    """Numbers written with a non-zero digit after the second decimal (1.005, 2.3e-3): never rounded silently."""
    fixed = plain.str.contains(r"\.\d{2}\d*[1-9]", regex=True)
    scientific = plain.str.contains("[eE]", regex=True)
    if scientific.any():
        fixed = fixed & ~scientific
        fixed[scientific] = plain[scientific].map(_decimal_too_precise)
    return fixed.astype(bool)


def _decimal_too_precise(text: str) -> bool:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return False
    return value.is_finite() and value != value.quantize(Decimal(1).scaleb(-AMOUNT_DECIMALS))


def _cheque_conflicts(out: pd.DataFrame, rows: np.ndarray) -> dict[str, pd.Series]:
    """Per column (card, datetime, shop): for each row that differs from the first row of its doc_id, why (else NaN).

    The rows of one cheque share the card, the shop and the calendar day (times may differ: line-level stamps)."""
    doc = out["doc_id"]
    first_row = pd.Series(rows, index=out.index).groupby(doc, sort=False).transform("first")
    keys = {
        "card": (out["card"].fillna(""), "с другой картой"),
        "datetime": (out["datetime"].dt.normalize(), "с другой датой"),
        "shop": (out["shop"].fillna(""), "с другой аптекой"),
    }
    conflicts: dict[str, pd.Series] = {}
    for target, (key, what) in keys.items():
        first = key.groupby(doc, sort=False).transform("first")
        differs = key != first
        reasons = pd.Series(np.nan, index=out.index, dtype=object)
        if differs.any():
            shown = "" if target == "card" else first[differs].map(_shown_key)
            reasons[differs] = (
                "номер чека "
                + doc[differs].map(repr)
                + " уже встречался в строке "
                + first_row[differs].astype(str)
                + " "
                + what
                + shown
            )
        conflicts[target] = reasons
    return conflicts


def _shown_key(value: object) -> str:
    return f" ({fmt.date(value.date())})" if isinstance(value, pd.Timestamp) else f" ({value!r})"


def _parse_with(text: pd.Series, name: str) -> pd.Series:
    parsed = pd.to_datetime(text, format=DATE_FORMATS[name][0], errors="coerce")
    for form in DATE_FORMATS[name][1:]:
        missing = parsed.isna() & (text != "")
        if not missing.any():
            break
        parsed = parsed.fillna(pd.to_datetime(text.where(missing, ""), format=form, errors="coerce"))
    return parsed.astype("datetime64[us]")


def _parse_datetimes(text: pd.Series, rules: ImportRules, name: str, source: str) -> tuple[pd.Series, str]:
    """Parse the column with one format for the whole file: the given one, else the one that reads the most values.

    A file whose slash dates read fully both as DD/MM and MM/DD (with different dates) is rejected as ambiguous:
    the day/month order is never guessed from other rows and never mixed within a file."""
    if rules.date_format:
        return _parse_with(text, rules.date_format), rules.date_format
    filled = int((text != "").sum())
    best_name, best = "ISO", _parse_with(text, "ISO")
    for candidate in ("DD.MM.YYYY", "DD/MM/YYYY", "MM/DD/YYYY"):
        if best.notna().sum() == filled:
            break
        parsed = _parse_with(text, candidate)
        if parsed.notna().sum() > best.notna().sum():
            best_name, best = candidate, parsed
    if best_name == "DD/MM/YYYY":
        other = _parse_with(text, "MM/DD/YYYY")
        differ = best.notna() & other.notna() & (best != other)
        if (best.notna() == other.notna()).all() and differ.any():
            i = int(np.flatnonzero(differ.to_numpy())[0])
            raise ImportRejected(
                name,
                [
                    Problem(
                        i + 2,
                        source,
                        str(text.iloc[i]),
                        "день и месяц не различить: все даты файла читаются и как ДД/ММ/ГГГГ, и как ММ/ДД/ГГГГ; "
                        "укажите --date-format DD/MM/YYYY или --date-format MM/DD/YYYY",
                    )
                ],
                1,
            )
    return best, best_name
