"""Value types of the engine: periods, threshold sets, pins and analysis options."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

THRESHOLD_NAMES = ("r1", "r2", "r3", "f1", "f2", "m1", "m2", "a1", "a2")
DAY_THRESHOLDS = frozenset({"r1", "r2", "r3", "a1", "a2"})
DEFAULT_CHURN_PERIOD = 105
DEFAULT_A1 = 30
DEFAULT_A2 = 180
DEFAULT_CARD_PATTERN = r"^\d+$"
DEFAULT_AMOUNT_COLUMN = "summ_with_disc"


class RfmaError(Exception):
    """An error the user can act on; its message is one line, shown as is."""


class ThresholdOrderError(RfmaError):
    """A threshold set that is not ordered and positive; `pair` names the offending thresholds."""

    def __init__(self, pair: tuple[str, str], message: str):
        super().__init__(message)
        self.pair = pair


@dataclass(frozen=True)
class Period:
    """An inclusive date range `[date_from, date_to]`; a None bound means 'from/to all data'."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def __post_init__(self):
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise RfmaError(f"начало периода {self.date_from.isoformat()} позже его конца {self.date_to.isoformat()}")

    @classmethod
    def parse(cls, date_from: str | None, date_to: str | None) -> Period:
        """A period from two optional ISO date strings, with a readable error for a bad date."""
        return cls(parse_date(date_from, "--from"), parse_date(date_to, "--to"))

    def key(self) -> tuple[str, str]:
        """Primitive cache key: the two bounds as ISO strings ('' for open)."""
        return (_iso(self.date_from), _iso(self.date_to))

    def label(self) -> str:
        """Human-readable 'from … to' text."""
        return f"{_iso(self.date_from) or 'начало'} — {_iso(self.date_to) or 'конец'}"


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def parse_date(text: str | dt.date | None, what: str = "дата") -> dt.date | None:
    """Parse YYYY-MM-DD (None/'' gives None); raise RfmaError naming the value otherwise."""
    if text is None or str(text).strip() == "":
        return None
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise RfmaError(f"{what}: неверная дата {text!r}, ожидается ГГГГ-ММ-ДД") from None


@dataclass(frozen=True)
class Thresholds:
    """A complete threshold set: Recency r1<r2<r3 (days), Frequency f2<f1, Monetary m2<m1, Age a1<a2 (days)."""

    r1: int
    r2: int
    r3: int
    f1: float
    f2: float
    m1: float
    m2: float
    a1: int = DEFAULT_A1
    a2: int = DEFAULT_A2

    def as_dict(self) -> dict[str, float]:
        """The nine thresholds by name."""
        return {name: getattr(self, name) for name in THRESHOLD_NAMES}

    def key(self) -> tuple:
        """Primitive cache key."""
        return tuple(self.as_dict().values())


@dataclass(frozen=True)
class ThresholdPins:
    """Thresholds the user fixed by hand; None means 'use the suggested value'."""

    r1: int | None = None
    r2: int | None = None
    r3: int | None = None
    f1: float | None = None
    f2: float | None = None
    m1: float | None = None
    m2: float | None = None
    a1: int | None = None
    a2: int | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> ThresholdPins:
        """Pins from a name→value mapping (values may be strings); unknown names and bad numbers raise RfmaError."""
        parsed: dict[str, Any] = {}  # int for r and a, float for f and m: the fields' own types
        for name, raw in values.items():
            if raw is None or (isinstance(raw, str) and raw.strip() == ""):
                continue
            if name not in THRESHOLD_NAMES:
                raise RfmaError(f"неизвестный порог {name!r}; допустимы: {', '.join(THRESHOLD_NAMES)}")
            parsed[name] = parse_threshold_value(name, raw)
        return cls(**parsed)

    @classmethod
    def parse(cls, items: list[str] | None) -> ThresholdPins:
        """Pins from CLI items `NAME=VALUE`."""
        mapping: dict[str, str] = {}
        for item in items or []:
            name, sep, value = item.partition("=")
            if not sep:
                raise RfmaError(f"--pin {item!r}: ожидается ИМЯ=ЗНАЧЕНИЕ, например r1=21")
            mapping[name.strip()] = value.strip()
        return cls.from_mapping(mapping)

    def as_dict(self) -> dict[str, float]:
        """Only the pinned thresholds, by name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    def key(self) -> tuple:
        """Primitive cache key."""
        return tuple(getattr(self, name) for name in THRESHOLD_NAMES)

    def with_values(self, **values) -> ThresholdPins:
        """A copy with some pins set (or cleared with None)."""
        return replace(self, **values)


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def parse_threshold_value(name: str, raw: object) -> float | int:
    """A threshold value from user input ('0,5' and '0.5' alike; spaces between thousands allowed): days must be
    whole numbers, everything must be finite."""
    if isinstance(raw, bool):
        raise RfmaError(f"порог {name}: {raw!r} не число")
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        text = str(raw).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if not _NUMBER.fullmatch(text):
            raise RfmaError(f"порог {name}: {str(raw).strip()!r} не число — введите, например, 0,5 или 21")
        value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise RfmaError(f"порог {name}: {raw!r} не конечное число")
    if name in DAY_THRESHOLDS:
        if value != int(value):
            raise RfmaError(f"порог {name}: {raw!r} — число дней должно быть целым")
        return int(value)
    return value


def check_order(t: Thresholds) -> None:
    """Raise ThresholdOrderError naming the first pair that breaks `1<=r1<r2<r3, 0<f2<f1, m2<m1, 0<a1<a2`."""
    checks = (
        (("r1", "r1"), t.r1 >= 1, f"r1 = {t.r1} должен быть не меньше 1 дня"),
        (("r1", "r2"), t.r1 < t.r2, f"r1 = {t.r1} должен быть меньше r2 = {t.r2}"),
        (("r2", "r3"), t.r2 < t.r3, f"r2 = {t.r2} должен быть меньше r3 = {t.r3}"),
        (("f2", "f2"), t.f2 > 0, f"f2 = {t.f2:g} должен быть больше 0"),
        (("f2", "f1"), t.f2 < t.f1, f"f2 = {t.f2:g} должен быть меньше f1 = {t.f1:g}"),
        (("m2", "m1"), t.m2 < t.m1, f"m2 = {t.m2:g} должен быть меньше m1 = {t.m1:g}"),
        (("a1", "a1"), t.a1 > 0, f"a1 = {t.a1} должен быть больше 0"),
        (("a1", "a2"), t.a1 < t.a2, f"a1 = {t.a1} должен быть меньше a2 = {t.a2}"),
    )
    for pair, ok, message in checks:
        if not ok:
            raise ThresholdOrderError(pair, f"пороги не упорядочены: {message}")


def check_card_pattern(pattern: str) -> None:
    """Raise RfmaError naming the option and the pattern when it is not a regular expression."""
    try:
        re.compile(pattern)
    except (re.error, TypeError) as exc:
        where = f" (позиция {exc.pos})" if isinstance(exc, re.error) and exc.pos is not None else ""
        raise RfmaError(
            f"шаблон карты --card-pattern {pattern!r}: не регулярное выражение{where}, например ^\\d+$"
        ) from None


@dataclass(frozen=True)
class AnalysisOptions:
    """Settings of the data contract: which rows are identified and which column is the amount."""

    card_pattern: str = DEFAULT_CARD_PATTERN
    amount_column: str = DEFAULT_AMOUNT_COLUMN

    def __post_init__(self):
        if self.amount_column not in ("summ_with_disc", "summ"):
            raise RfmaError(f"колонка суммы {self.amount_column!r}: допустимы summ_with_disc или summ")
        check_card_pattern(self.card_pattern)

    def key(self) -> tuple[str, str]:
        """Primitive cache key."""
        return (self.card_pattern, self.amount_column)
