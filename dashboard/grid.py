"""AG Grid's protocol translated to and from core's plain forms: filter models → ColumnFilter, sort models or
column states → (column, descending) pairs, and a page of the client frame → JSON-ready row dicts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from core.client_filter import TABLE_COLUMNS, Sort
from core.column_filter import ColumnCondition, ColumnFilter, check_column
from core.model import RfmaError
from dashboard.services.access import mask_card

TEXT_OPS = {
    "contains": "contains",
    "notContains": "not_contains",
    "equals": "equals",
    "notEqual": "not_equal",
    "startsWith": "starts_with",
    "endsWith": "ends_with",
}
ORDER_OPS = {
    "equals": "eq",
    "notEqual": "ne",
    "lessThan": "lt",
    "lessThanOrEqual": "le",
    "greaterThan": "gt",
    "greaterThanOrEqual": "ge",
    "inRange": "between",
}
BLANK_OPS = {"blank": "blank", "notBlank": "not_blank"}
_KIND_NAMES = {"text": "текстовый фильтр", "number": "числовой фильтр", "date": "фильтр даты"}


def column_filters(filter_model: dict[str, Any] | None) -> tuple[ColumnFilter, ...]:
    """An AG Grid filter model ({column: condition or {operator, conditions}}) as plain column filters."""
    return tuple(_column_filter(column, model) for column, model in sorted((filter_model or {}).items()))


def _column_filter(column: str, model: dict[str, Any]) -> ColumnFilter:
    check_column(column, TABLE_COLUMNS)
    kind = model.get("filterType")
    conditions = model.get("conditions")
    if conditions is None:
        return ColumnFilter(column, (_condition(column, kind, model),))
    join = "or" if model.get("operator") == "OR" else "and"
    return ColumnFilter(column, tuple(_condition(column, kind or c.get("filterType"), c) for c in conditions), join)


def _condition(column: str, kind: str | None, model: dict[str, Any]) -> ColumnCondition:
    test = model.get("type")
    if test in BLANK_OPS:
        return ColumnCondition(column, BLANK_OPS[test])
    if kind not in _KIND_NAMES:
        raise RfmaError(f"неподдерживаемый тип фильтра {kind!r}")
    ops = TEXT_OPS if kind == "text" else ORDER_OPS
    if test not in ops:
        raise RfmaError(f"неподдерживаемый {_KIND_NAMES[kind]} {test!r}")
    if kind == "date":
        value, value_to = model.get("dateFrom"), model.get("dateTo")
        return ColumnCondition(column, ops[test], value[:10] if value else None, value_to[:10] if value_to else None)
    return ColumnCondition(column, ops[test], model.get("filter"), model.get("filterTo"))


def sort_keys(sort_model: list[dict[str, Any]] | None) -> Sort:
    """(column, descending) pairs of an AG Grid sort model ([{colId, sort}]) or column state (entries with a sort,
    ordered by sortIndex)."""
    entries = [c for c in (sort_model or []) if c.get("sort") in ("asc", "desc")]
    entries.sort(key=lambda c: (c.get("sortIndex") is None, c.get("sortIndex") or 0))
    return tuple((str(c.get("colId")), c["sort"] == "desc") for c in entries)


def page_records(
    frame: pd.DataFrame, table: list[str] = TABLE_COLUMNS, mask_cards: bool = False
) -> list[dict[str, Any]]:
    """The rows of a (sorted) page as JSON-ready records: ISO dates, money to kopecks, frequency to 6 decimals;
    card numbers masked ('•••• 1234') when `mask_cards` (a role that sees aggregates only)."""
    columns = [c for c in table if c in frame.columns]
    values = {c: frame[c].to_numpy() for c in columns}
    records = [{c: _json_value(c, values[c][i]) for c in columns} for i in range(len(frame))]
    if mask_cards and "card" in columns:
        for record in records:
            record["card"] = mask_card(record["card"])
    return records


def _json_value(column: str, value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if column in ("first_date", "last_date"):
        return str(np.datetime64(value, "D"))
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return round(float(value), 6 if column == "frequency" else 2)
    return value if isinstance(value, (str, int, float, bool)) else str(value)
