"""Tab «Аптеки»'s service: the pharmacy table and which pharmacies stopped selling."""

from __future__ import annotations

import pandas as pd

from dashboard.services.pharmacies import closed_shops
from tests.support.chain import CLOSED_SHOP
from tests.support.dashboard import FULL


def test_the_view_notes_the_closed_pharmacy(services):
    view = services.pharmacies.view(services.requests.build(*FULL))
    assert view.closed_shops == [CLOSED_SHOP]
    assert len(view.shop_table) == 8 and not view.all_unidentified


def test_a_pharmacy_is_closed_when_its_last_month_is_over_a_month_before_the_last_one():
    class Overview:
        last_date = pd.Timestamp("2022-06-30")

    table = pd.DataFrame(
        {"shop": ["A", "B", "C"], "last_month": pd.to_datetime(["2022-06-01", "2022-05-01", "2022-04-01"])}
    )
    assert closed_shops(Overview(), table) == ["C"]
    assert closed_shops(Overview(), table.iloc[:0]) == []
