"""Every bar chart labelled outside its bars: the label is never cut at the plot's edge (cliponaxis off) and the value
axis leaves room above the longest bar (issue 11: clipped bar labels)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.figures import clients, final, pharmacies, thresholds
from dashboard.figures.common import value_range

REGIONS = pd.DataFrame(
    {
        "region": [110, 510],
        "region_name": ["VIP", "случайный гость"],
        "warmth": [1, 5],
        "clients": [30, 70],
        "share": [0.3, 0.7],
    }
)
BREAKDOWN = pd.DataFrame(
    {"level": "region", "code": ["110", "210"], "label": ["110 VIP", "210 середняк"], "clients": [20, 40]}
).assign(revenue=[1.0, 2.0])
SHARES = pd.DataFrame({"shop": ["Аптека 1", "Аптека 2"], "share": [0.2, 0.5]})
DECILES = pd.DataFrame({"decile": [1, 2, 3], "value": [10.0, 40.0, 200.0]})
CAPACITY = pd.DataFrame({"grade": [1, 2], "name": ["частый", "редкий"], "clients": [1, 3], "share": [0.25, 0.75]})

# (figure, the value axis, its range by hand: the highest bar or line × 1,15 vertical, × 1,35 horizontal)
CHARTS = {
    "clients by pharmacies": (
        lambda: clients.clients_by_shop_count(pd.DataFrame({"shops": [1, 2], "clients": [90, 10]})),
        "yaxis",
        [0.0, 103.5],  # 90 × 1,15
    ),
    "unidentified share": (
        lambda: pharmacies.unidentified_share_by_shop(SHARES, "share", 0.6, "доля"),
        "yaxis",
        [0.0, 0.69],  # the chain average 0,6 is above every bar: 0,6 × 1,15
    ),
    "recency deciles": (
        lambda: thresholds.recency_deciles(DECILES, {"r1": 30, "r2": 90, "r3": 250}),
        "yaxis",
        [0.0, 287.5],  # r3 = 250 above the highest decile 200: 250 × 1,15
    ),
    "grade capacity": (lambda: thresholds.grade_capacity(CAPACITY, "F"), "yaxis", [0.0, 3.45]),  # 3 × 1,15
    "regions": (lambda: final.region_chart(REGIONS), "xaxis", [0.0, 94.5]),  # 70 × 1,35
    "breakdown": (lambda: final.selection_breakdown(BREAKDOWN, "по регионам"), "xaxis", [0.0, 54.0]),  # 40 × 1,35
}


@pytest.mark.parametrize("name", CHARTS)
def test_bar_labels_outside_the_bars_are_not_cut_and_have_room(name):
    build, axis, expected = CHARTS[name]
    fig = build()
    labelled = [trace for trace in fig.data if trace.type == "bar" and trace.text is not None]
    assert labelled and all(trace.textposition == "outside" for trace in labelled)
    assert all(trace.cliponaxis is False for trace in labelled)
    assert list(fig.layout[axis].range) == pytest.approx(expected)


def test_the_value_range_of_bars_without_clients_is_still_an_axis():
    assert value_range([]) == [0.0, 1.15]
    assert value_range([0, 0], headroom=1.35) == [0.0, 1.35]
