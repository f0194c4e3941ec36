"""«Аптеки» charts: plain data in, a plotly Figure with the expected traces out."""

from __future__ import annotations

import pandas as pd

from dashboard.figures import pharmacies as charts


def months(*values):
    return pd.to_datetime(list(values)).astype("datetime64[s]")


def test_unidentified_share_bars_are_sorted_and_the_chain_average_is_a_line():
    table = pd.DataFrame({"shop": ["Аптека 1", "Аптека 2", "Аптека 10"], "share": [0.2, 0.5, 0.3]})
    fig = charts.unidentified_share_by_shop(table, "share", 0.33, "Доля")
    assert list(fig.data[0].x) == ["Аптека 2", "Аптека 10", "Аптека 1"]
    assert fig.layout.shapes[0].y0 == 0.33
    assert "33,0\u00a0%" in fig.layout.annotations[0].text


def test_shop_monthly_revenue_has_one_line_per_pharmacy_and_a_closed_one_stops():
    frame = pd.DataFrame(
        {
            "shop": ["A", "A", "B"],
            "month": months("2021-11-01", "2021-12-01", "2021-11-01"),
            "revenue": [1.0, 2.0, 3.0],
            "cheques": [1, 1, 1],
        }
    )
    fig = charts.shop_monthly_revenue(frame, ["A", "B"])
    assert [t.name for t in fig.data] == ["A", "B"]
    assert len(fig.data[1].x) == 1


def test_the_segment_into_a_partial_month_is_dashed_and_labelled():
    import datetime as dt

    frame = pd.DataFrame(
        {
            "shop": ["A", "A", "A"],
            "month": months("2022-04-01", "2022-05-01", "2022-06-01"),
            "revenue": [10.0, 12.0, 2.0],
            "cheques": [1, 1, 1],
        }
    )
    fig = charts.shop_monthly_revenue(frame, ["A"], {dt.date(2022, 6, 1): 6})
    whole, dashed = fig.data
    assert len(whole.x) == 2 and whole.line.dash is None
    assert dashed.line.dash == "dash" and not dashed.showlegend and list(dashed.y) == [12.0, 2.0]
    assert [a.text for a in fig.layout.annotations] == ["неполный месяц (6 дней)"]
    assert [t.line.dash for t in charts.shop_monthly_revenue(frame, ["A"]).data] == [None]
