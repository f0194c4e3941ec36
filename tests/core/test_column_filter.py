"""Plain column conditions: each operator on hand-made rows, and/or joins, descriptions and Russian errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.column_filter import ColumnCondition, ColumnFilter, describe_columns
from core.model import RfmaError


def one(column: str, op: str, value=None, value_to=None) -> ColumnFilter:
    return ColumnFilter(column, (ColumnCondition(column, op, value, value_to),))


def test_hand_made_rows_pass_each_operator():
    frame = pd.DataFrame(
        {
            "card": ["a1", "B2", "c3", "d4"],
            "revenue": [100.0, 250.0, np.nan, 400.0],
            "last_date": pd.to_datetime(["2022-01-01 00:00", "2022-01-02 15:00", "2022-01-03 00:00", None]),
        }
    )
    cases = {
        ("card", "contains", "b"): ["B2"],
        ("card", "not_contains", "B"): ["a1", "c3", "d4"],
        ("card", "equals", "C3"): ["c3"],
        ("card", "not_equal", "c3"): ["a1", "B2", "d4"],
        ("card", "starts_with", "D"): ["d4"],
        ("card", "ends_with", "1"): ["a1"],
        ("revenue", "eq", 250): ["B2"],
        ("revenue", "ne", 250): ["a1", "c3", "d4"],  # NaN is not 250; it fails the order tests
        ("revenue", "lt", 250): ["a1"],
        ("revenue", "le", 250): ["a1", "B2"],
        ("revenue", "gt", 250): ["d4"],
        ("revenue", "ge", 250): ["B2", "d4"],
        ("revenue", "blank", None): ["c3"],
        ("revenue", "not_blank", None): ["a1", "B2", "d4"],
        ("last_date", "eq", "2022-01-02"): ["B2"],  # dates compare by day
        ("last_date", "lt", "2022-01-02"): ["a1"],
        ("revenue", "eq", None): ["a1", "B2", "c3", "d4"],  # an unfinished condition passes every row
    }
    for (column, op, value), cards in cases.items():
        assert list(frame.loc[one(column, op, value).mask(frame), "card"]) == cards, (column, op, value)
    between = one("revenue", "between", 100, 250).mask(frame)
    assert list(frame.loc[between, "card"]) == ["a1", "B2"]
    days = one("last_date", "between", "2022-01-02", "2022-01-03").mask(frame)
    assert list(frame.loc[days, "card"]) == ["B2", "c3"]


def test_an_unknown_join_or_operator_is_a_russian_error():
    with pytest.raises(RfmaError, match="неподдерживаемый фильтр 'like'"):
        ColumnCondition("card", "like", "x")
    with pytest.raises(RfmaError, match="объединение"):
        ColumnFilter("card", (), join="xor")
    with pytest.raises(RfmaError, match="неизвестной колонке 'nope'"):
        one("nope", "gt", 1).mask(pd.DataFrame({"card": ["1"]}))


def test_descriptions_name_the_column_the_operator_and_the_values():
    purchases = ColumnFilter(
        "purchases", (ColumnCondition("purchases", "eq", 1), ColumnCondition("purchases", "between", 5, 6)), "or"
    )
    card = ColumnFilter("card", (ColumnCondition("card", "contains", "12"), ColumnCondition("card", "not_blank")))
    assert describe_columns((card, purchases)) == "card содержит 12 и не пусто; purchases = 1 или в диапазоне 5 … 6"


VALUES = st.lists(st.one_of(st.floats(-100, 100), st.just(float("nan"))), max_size=20)


@given(VALUES, st.floats(-100, 100), st.floats(-100, 100))
def test_or_is_the_union_and_and_the_intersection_of_the_conditions(values, low, high):
    frame = pd.DataFrame({"revenue": values})
    below, above = ColumnCondition("revenue", "lt", low), ColumnCondition("revenue", "gt", high)
    either = ColumnFilter("revenue", (below, above), "or").mask(frame)
    both = ColumnFilter("revenue", (below, above), "and").mask(frame)
    series = frame["revenue"]
    assert either.tolist() == ((series < low) | (series > high)).tolist()
    assert both.tolist() == ((series < low) & (series > high)).tolist()
    inside = one("revenue", "between", low, high).mask(frame)
    assert inside.tolist() == ((series >= low) & (series <= high)).tolist()
    assert not np.any(inside & one("revenue", "blank").mask(frame))
