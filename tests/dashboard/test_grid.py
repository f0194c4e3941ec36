"""AG Grid's filter and sort models translated into core's plain forms, and JSON-ready pages for the grid."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from core.client_filter import ClientFilter, filter_clients, sort_clients
from core.column_filter import ColumnCondition, ColumnFilter
from core.model import RfmaError
from dashboard.grid import column_filters, page_records, sort_keys


def test_a_grid_filter_model_becomes_plain_column_filters():
    model = {
        "purchases": {
            "filterType": "number",
            "operator": "OR",
            "conditions": [{"type": "equals", "filter": 1}, {"type": "inRange", "filter": 5, "filterTo": 6}],
        },
        "class_name": {"filterType": "text", "type": "startsWith", "filter": "НЕДАВНИЙ"},
        "last_date": {"filterType": "date", "type": "greaterThan", "dateFrom": "2022-06-01 00:00:00", "dateTo": None},
        "revenue": {"filterType": "number", "type": "notBlank"},
    }
    assert column_filters(model) == (
        ColumnFilter("class_name", (ColumnCondition("class_name", "starts_with", "НЕДАВНИЙ"),)),
        ColumnFilter("last_date", (ColumnCondition("last_date", "gt", "2022-06-01"),)),
        ColumnFilter(
            "purchases",
            (ColumnCondition("purchases", "eq", 1), ColumnCondition("purchases", "between", 5, 6)),
            join="or",
        ),
        ColumnFilter("revenue", (ColumnCondition("revenue", "not_blank"),)),
    )
    assert column_filters(None) == column_filters({}) == ()


def test_grid_text_range_date_and_or_conditions_filter_like_the_frame(chain_clients):
    model = {
        "class_name": {"filterType": "text", "type": "startsWith", "filter": "НЕДАВНИЙ"},
        "purchases": {
            "filterType": "number",
            "operator": "OR",
            "conditions": [{"type": "equals", "filter": 1}, {"type": "inRange", "filter": 5, "filterTo": 6}],
        },
        "last_date": {"filterType": "date", "type": "greaterThan", "dateFrom": "2022-06-01 00:00:00", "dateTo": None},
    }
    out = filter_clients(chain_clients, ClientFilter.build(columns=column_filters(model)))
    c = chain_clients
    expected = c[
        c["class_name"].str.startswith("недавний")
        & (c["purchases"].isin([1, 5, 6]))
        & (c["last_date"] > c["last_date"].dtype.type("2022-06-01"))
    ]
    assert set(out["card"]) == set(expected["card"]) and len(out) > 0
    with pytest.raises(RfmaError, match="неизвестной колонке 'nope'"):  # the column first, as the table reports it
        column_filters({"nope": {"filterType": "text"}})


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ({"filterType": "set", "type": "equals"}, "тип фильтра 'set'"),
        ({"filterType": "text", "type": "lessThan", "filter": "a"}, "текстовый фильтр 'lessThan'"),
        ({"filterType": "number", "type": "contains", "filter": 1}, "числовой фильтр 'contains'"),
        ({"filterType": "date", "type": "startsWith", "dateFrom": "2022-01-01"}, "фильтр даты 'startsWith'"),
    ],
)
def test_an_unknown_grid_filter_is_a_russian_error(model, message):
    with pytest.raises(RfmaError, match=message):
        column_filters({"card": model})


def test_sort_keys_come_from_a_sort_model_or_a_column_state(chain_clients):
    assert sort_keys([{"colId": "r", "sort": "desc"}, {"colId": "revenue", "sort": "asc"}]) == (
        ("r", True),
        ("revenue", False),
    )
    state = [
        {"colId": "card", "sort": None},
        {"colId": "revenue", "sort": "desc", "sortIndex": 1},
        {"colId": "r", "sort": "asc", "sortIndex": 0},
        {"colId": "m", "sort": "sideways", "sortIndex": 2},
    ]
    assert sort_keys(state) == (("r", False), ("revenue", True))
    assert sort_keys(None) == ()
    ordered = sort_clients(chain_clients, sort_keys([{"colId": "r", "sort": "desc"}]))
    assert list(ordered["card"]) == list(chain_clients.sort_values(["r", "card"], ascending=[False, True])["card"])


def test_a_page_is_json_ready(chain_clients):
    rows = page_records(sort_clients(chain_clients).iloc[10:20])
    assert len(rows) == 10 and rows[0]["card"] == sorted(chain_clients["card"])[10]
    json.dumps(rows)
    assert len(rows[0]["first_date"]) == 10 and isinstance(rows[0]["region"], int)
    assert isinstance(rows[0]["revenue"], float) and rows[0]["revenue"] == round(rows[0]["revenue"], 2)
    assert page_records(chain_clients.iloc[590:650])[-1]["card"] == chain_clients["card"].iloc[-1]
    assert page_records(chain_clients.iloc[:0]) == []


def test_page_values_are_rounded_dated_and_plain():
    frame = pd.DataFrame(
        {
            "card": ["7"],
            "revenue": [1234.5678],
            "frequency": [0.12345678],
            "r": np.array([2], dtype="int8"),
            "first_date": np.array(["2022-01-05T13:45"], dtype="datetime64[s]"),
            "bonus_spent": [float("nan")],
            "not_a_table_column": ["x"],
        }
    )
    assert page_records(frame) == [
        {
            "card": "7",
            "r": 2,
            "revenue": 1234.57,
            "frequency": 0.123457,
            "bonus_spent": None,
            "first_date": "2022-01-05",
        }
    ]
