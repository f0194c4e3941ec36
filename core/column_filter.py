"""Plain column filters of the client table: conditions on one column joined by and/or, their row mask and
their Russian description. Frozen and hashable, so a filter can be part of a cache key. No grid protocol here:
`dashboard.grid` translates a grid's filter model into these.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

import pandas as pd

from core.formatting import date
from core.model import RfmaError

Value = str | float | None
Test = Callable[[pd.Series, object, object], pd.Series]

# Text tests compare lower-cased text: case-insensitive.
TEXT_TESTS: dict[str, Test] = {
    "contains": lambda s, v, _: s.str.contains(str(v), regex=False),
    "not_contains": lambda s, v, _: ~s.str.contains(str(v), regex=False),
    "equals": lambda s, v, _: s == v,
    "not_equal": lambda s, v, _: s != v,
    "starts_with": lambda s, v, _: s.str.startswith(str(v)),
    "ends_with": lambda s, v, _: s.str.endswith(str(v)),
}
# Number and date tests; `between` includes both ends (no `value_to`: no upper end).
ORDER_TESTS: dict[str, Test] = {
    "eq": lambda s, v, _: s == v,
    "ne": lambda s, v, _: s != v,
    "lt": lambda s, v, _: s < v,
    "le": lambda s, v, _: s <= v,
    "gt": lambda s, v, _: s > v,
    "ge": lambda s, v, _: s >= v,
    "between": lambda s, v, to: (s >= v) & (s <= to) if to is not None else s >= v,
}
BLANK_TESTS = ("blank", "not_blank")
OPS = (*TEXT_TESTS, *ORDER_TESTS, *BLANK_TESTS)
JOINS = ("and", "or")

OP_NAMES = {
    "contains": "содержит",
    "not_contains": "не содержит",
    "equals": "=",
    "not_equal": "≠",
    "starts_with": "начинается с",
    "ends_with": "заканчивается на",
    "eq": "=",
    "ne": "≠",
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "between": "в диапазоне",
    "blank": "пусто",
    "not_blank": "не пусто",
}


@dataclass(frozen=True)
class ColumnCondition:
    """One test of a column's values. Text ops take a string; number ops a number; date ops an ISO date
    'YYYY-MM-DD' (a string value with a number op compares dates). `value=None` passes every row, as an unfinished
    condition in a table does."""

    column: str
    op: str
    value: Value = None
    value_to: Value = None

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise RfmaError(f"неподдерживаемый фильтр {self.op!r} колонки {self.column!r}")

    def mask(self, series: pd.Series) -> pd.Series:
        """Which values pass (NaN fails every order test but `ne`, and passes `blank`)."""
        if self.op == "blank":
            return series.isna()
        if self.op == "not_blank":
            return series.notna()
        if self.op in TEXT_TESTS:
            text = "" if self.value is None else str(self.value)
            return TEXT_TESTS[self.op](series.astype(str).str.lower(), text.lower(), None).fillna(False)
        if self.value is None or self.value == "":
            return pd.Series(True, index=series.index)
        test = ORDER_TESTS[self.op]
        if isinstance(self.value, str):  # dates: compared by day
            days = pd.to_datetime(series).dt.normalize()
            to = pd.Timestamp(self.value_to[:10]) if isinstance(self.value_to, str) and self.value_to else None
            return test(days, pd.Timestamp(self.value[:10]), to).fillna(False)
        to_number = None if self.value_to is None else float(self.value_to)
        return test(series.astype("float64"), float(self.value), to_number).fillna(False)

    def describe(self) -> str:
        """E.g. '> 500', 'в диапазоне 5 … 6', 'содержит VIP', 'пусто', '> 01.06.2022' (dates as ДД.ММ.ГГГГ)."""
        text = OP_NAMES[self.op]
        if self.value is not None:
            text += f" {_shown(self.value)}"
            if self.op == "between" and self.value_to not in (None, ""):
                text += f" … {_shown(self.value_to)}"
        return text


@dataclass(frozen=True)
class ColumnFilter:
    """The conditions on one column, all required (`join='and'`) or any one (`join='or'`)."""

    column: str
    conditions: tuple[ColumnCondition, ...]
    join: str = "and"

    def __post_init__(self) -> None:
        if self.join not in JOINS:
            raise RfmaError(f"неизвестное объединение условий {self.join!r}: допустимы and, or")

    def mask(self, frame: pd.DataFrame) -> pd.Series:
        """Rows of `frame` passing the conditions; RfmaError for a column the frame lacks."""
        check_column(self.column, frame.columns)
        series = frame[self.column]
        combined = pd.Series(True, index=frame.index)
        for i, condition in enumerate(self.conditions):
            part = condition.mask(series)
            combined = part if i == 0 else (combined | part) if self.join == "or" else (combined & part)
        return combined

    def describe(self, headers: Mapping[str, str] | None = None) -> str:
        """E.g. 'purchases = 1 или в диапазоне 5 … 6' («Покупок = 1 …» with the table's Russian `headers`)."""
        joiner = " или " if self.join == "or" else " и "
        return f"{(headers or {}).get(self.column, self.column)} " + joiner.join(c.describe() for c in self.conditions)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _shown(value: object) -> str:
    """A condition's value for people: a date filter's ISO day ('2022-06-01 00:00:00') as ДД.ММ.ГГГГ."""
    if isinstance(value, str) and _ISO_DAY.match(value):
        try:
            return date(value)
        except ValueError:
            return value
    return str(value)


def check_column(column: str, allowed: Collection[str]) -> None:
    """RfmaError (in Russian) unless the column is one of `allowed`."""
    if column not in allowed:
        raise RfmaError(f"фильтр по неизвестной колонке {column!r}")


def columns_mask(frame: pd.DataFrame, filters: tuple[ColumnFilter, ...], allowed: list[str]) -> pd.Series:
    """Rows passing every column filter; RfmaError for a column outside `allowed` or the frame."""
    mask = pd.Series(True, index=frame.index)
    for column_filter in filters:
        check_column(column_filter.column, allowed)
        mask &= column_filter.mask(frame)
    return mask


def describe_columns(filters: tuple[ColumnFilter, ...], headers: Mapping[str, str] | None = None) -> str:
    """A one-line Russian description of column filters (columns named by `headers` when given)."""
    return "; ".join(f.describe(headers) for f in filters)
