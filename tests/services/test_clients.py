"""Tab «Клиенты»'s service: KPIs and clients by number of pharmacies for a period."""

from __future__ import annotations

import pytest

from core.model import RfmaError
from tests.support.dashboard import EMPTY, FULL, HALF


def test_the_view_counts_clients_and_their_pharmacies(services):
    view = services.clients.view(services.requests.build(*FULL))
    assert view.clients == 600 and view.message is None
    assert view.shops_per_client["clients"].sum() == 600
    multi = view.shops_per_client.loc[view.shops_per_client["shops"] > 1, "clients"].sum()
    assert view.multi_shop_share == pytest.approx(multi / 600)


def test_another_period_has_fewer_clients_and_pharmacies(services):
    half = services.clients.view(services.requests.build(*HALF))
    assert half.clients < 600 and len(half.overview.shop_names()) == 7  # the closed pharmacy sold nothing in 2022


def test_an_empty_period_is_an_error(services):
    with pytest.raises(RfmaError, match="нет ни одного чека"):
        services.clients.view(services.requests.build(*EMPTY))


def test_a_month_the_period_covers_in_part_is_named_with_its_days(services):
    import datetime as dt

    assert services.clients.view(services.requests.build(*FULL)).partial_months == {}  # whole months only
    view = services.clients.view(services.requests.build("2022-01-10", "2022-06-06"))
    assert view.partial_months == {dt.date(2022, 1, 1): 22, dt.date(2022, 6, 1): 6}
    pharmacies = services.pharmacies.view(services.requests.build("2022-01-10", "2022-06-06"))
    assert pharmacies.partial_months == view.partial_months
