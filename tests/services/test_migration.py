"""Tab «Миграция»'s service: flows across a bonus date, the bonus date's checks."""

from __future__ import annotations

import pytest

from core.model import RfmaError
from tests.support.dashboard import FULL, HALF


def test_the_view_has_a_matrix_per_level_and_shares_that_add_up(services):
    view = services.migration.view(services.requests.build(*FULL), "2022-01-15")
    assert set(view.matrices) == {"region", "cluster", "class"}
    s = view.shares
    assert s["warmed"] + s["stayed"] + s["cooled"] == s["returning"]
    assert s["new"] > 0 and view.matrices["region"]["clients"].sum() == s["returning"] + s["new"]


def test_a_bonus_date_outside_the_period_names_both_in_russian_dates(services):
    with pytest.raises(RfmaError, match=r"Бонус-дата 01\.03\.2021 вне периода 01\.01\.2022 — 30\.06\.2022"):
        services.migration.view(services.requests.build(*HALF), "2021-03-01")
    with pytest.raises(RfmaError, match="Выберите бонус-дату"):
        services.migration.view(services.requests.build(*HALF), None)


def test_a_bonus_date_on_the_last_day_has_no_revenue_after_it(services):
    view = services.migration.view(services.requests.build(*FULL), FULL[1])
    assert view.matrices["region"]["revenue_after"].sum() == 0
    assert view.shares["new"] == 0 and view.shares["returning"] == 600  # everyone bought by the last day
