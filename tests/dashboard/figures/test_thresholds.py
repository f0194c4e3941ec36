"""«Пороги» charts: plain data in, a plotly Figure with the expected traces out."""

from __future__ import annotations

import pandas as pd

from dashboard.figures import thresholds as charts


def test_gap_distribution_marks_the_churn_period():
    fig = charts.gap_distribution(pd.DataFrame({"gap_days": [1, 5, 30], "gaps": [3, 2, 1]}), 30, 30)
    assert len(fig.layout.shapes) == 1 and fig.layout.shapes[0].x0 == 30
    assert "период оттока C = 30" in fig.layout.annotations[0].text


def test_frequency_distribution_marks_f1_and_f2():
    bins = pd.DataFrame({"left": [0.0, 0.5], "right": [0.5, 1.0], "clients": [4, 2]})
    fig = charts.frequency_distribution(bins, 0.96, 0.2)
    assert sorted(shape.x0 for shape in fig.layout.shapes) == [0.2, 0.96]


def test_monetary_deciles_compare_identified_and_unidentified():
    deciles = pd.DataFrame({"decile": range(1, 10), "identified": range(100, 109), "unidentified": range(50, 59)})
    fig = charts.monetary_deciles(deciles, 1293, 504)
    assert [t.name for t in fig.data] == ["идентифицированные", "неидентифицированные"]
    assert len(fig.data[0].x) == 9
    assert {shape.y0 for shape in fig.layout.shapes} == {1293, 504}


def test_grade_capacity_shows_count_and_percent():
    capacity = pd.DataFrame({"grade": [1, 2], "name": ["частый", "редкий"], "clients": [1, 3], "share": [0.25, 0.75]})
    fig = charts.grade_capacity(capacity, "Frequency")
    assert list(fig.data[0].x) == ["1 частый", "2 редкий"]
    assert list(fig.data[0].text) == ["1 (25,0\u00a0%)", "3 (75,0\u00a0%)"]


def test_a_distribution_bar_hovers_its_clients_with_the_russian_plural():
    bins = pd.DataFrame({"left": [0.0, 0.5], "right": [0.5, 1.0], "clients": [4, 21]})
    bar = charts.frequency_distribution(bins, 0.96, 0.2).data[0]
    assert [row[2] for row in bar.customdata] == ["4 клиента", "21 клиент"]
    assert bar.hovertemplate.endswith("%{customdata[2]}<extra></extra>")
