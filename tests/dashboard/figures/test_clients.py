"""«Клиенты» charts: plain data in, a plotly Figure with the expected traces out."""

from __future__ import annotations

import pandas as pd

from dashboard.figures import clients as charts


def months(*values):
    return pd.to_datetime(list(values)).astype("datetime64[s]")


def test_clients_by_shop_count_labels_each_bar_with_count_and_share():
    fig = charts.clients_by_shop_count(pd.DataFrame({"shops": [1, 2], "clients": [90, 10]}))
    assert list(fig.data[0].y) == [90, 10]
    assert fig.data[0].text[0] == "90 (90,0\u00a0%)"
    assert fig.layout.separators == ", "


def test_cheques_monthly_stacks_identified_and_unidentified():
    monthly = pd.DataFrame(
        {
            "month": months("2022-01-01", "2022-01-01", "2022-02-01"),
            "identified": [True, False, True],
            "cheques": [5, 3, 7],
            "revenue": [1.0, 2.0, 3.0],
        }
    )
    fig = charts.cheques_monthly(monthly)
    assert [t.name for t in fig.data] == ["идентифицированные", "неидентифицированные"]
    assert list(fig.data[0].y) == [5, 7] and list(fig.data[1].y) == [3]
    assert fig.layout.barmode == "stack"


def test_a_partial_month_is_hatched_lighter_and_labelled_with_its_days():
    import datetime as dt

    monthly = pd.DataFrame(
        {
            "month": months("2022-05-01", "2022-06-01", "2022-06-01"),
            "identified": [True, True, False],
            "cheques": [50, 4, 2],
            "revenue": [1.0, 2.0, 3.0],
        }
    )
    fig = charts.cheques_monthly(monthly, {dt.date(2022, 6, 1): 6})
    assert list(fig.data[0].marker.pattern.shape) == ["", "/"]
    assert list(fig.data[0].marker.opacity) == [1.0, 0.45]
    (note,) = fig.layout.annotations
    assert note.text == "неполный месяц (6 дней)" and note.y == 6  # above the stacked bar
    new = charts.new_clients_monthly(
        pd.DataFrame({"month": months("2022-06-01"), "clients": [3]}), {dt.date(2022, 6, 1): 1}
    )
    assert new.layout.annotations[0].text == "неполный месяц (1 день)"
    assert not charts.cheques_monthly(monthly).layout.annotations  # whole months: nothing marked
