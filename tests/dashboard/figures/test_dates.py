"""Dates on charts read ДД.ММ.ГГГГ (a day) or ММ.ГГГГ (a month) on the axis and in every hover, and the Russian
plotly locale the graphs name is given to them (issue 11: dates always ДД.ММ.ГГГГ)."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from dashboard.figures import clients, final, pharmacies
from layouts.components import GRAPH_CONFIG

JUNE = dt.date(2022, 6, 1)
MONTHS = pd.to_datetime(["2022-05-01", "2022-06-01"]).astype("datetime64[s]")
DATE_FIGURES = {
    "new clients": (lambda: clients.new_clients_monthly(pd.DataFrame({"month": MONTHS, "clients": [3, 4]})), "06.2022"),
    "cheques": (
        lambda: clients.cheques_monthly(
            pd.DataFrame({"month": MONTHS, "identified": [True, False], "cheques": [5, 3], "revenue": [1.0, 2.0]})
        ),
        "06.2022",
    ),
    "pharmacy revenue": (
        lambda: pharmacies.shop_monthly_revenue(
            pd.DataFrame({"shop": ["А", "А"], "month": MONTHS, "revenue": [1.0, 2.0]}), ["А"], {JUNE: 6}
        ),
        "06.2022",
    ),
    "client's cheques": (
        lambda: final.client_cheques(
            pd.DataFrame(
                {"datetime": pd.to_datetime(["2022-05-01", "2022-06-01"]), "shop": ["А", "Б"], "amount": [1, 2]}
            ),
            "карта",
        ),
        "01.06.2022",
    ),
}


@pytest.mark.parametrize("name", DATE_FIGURES)
def test_a_date_axis_and_its_hovers_read_the_russian_way(name):
    build, june = DATE_FIGURES[name]
    fig = build()
    assert JUNE.strftime(fig.layout.xaxis.tickformat) == june  # plotly's d3 formats and strftime agree here
    for trace in fig.data:
        dates = re.findall(r"%\{x(\|[^}]*)?\}", trace.hovertemplate)
        assert dates and all(JUNE.strftime(form[1:]) == june for form in dates), trace.hovertemplate


def test_the_graphs_carry_the_russian_plotly_locale_they_name():
    assert GRAPH_CONFIG["locale"] == "ru"
    ru = GRAPH_CONFIG["locales"]["ru"]["format"]
    assert ru["months"][5] == "июнь" and ru["shortDays"][1] == "пн"
    assert JUNE.strftime(ru["date"]) == "01.06.2022" and JUNE.strftime(ru["dayMonthYear"]) == "01.06.2022"
    assert JUNE.strftime(ru["month"]) == "06.2022"
    assert GRAPH_CONFIG["locales"]["ru"]["dictionary"]["Reset axes"] == "Сбросить оси"
