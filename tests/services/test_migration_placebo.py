"""«Миграция»'s placebo check (§10) through the service: the same figures as the core's, cached, unavailable early."""

from __future__ import annotations

import datetime as dt

from core.campaigns import placebo_check
from core.model import Period
from tests.support.dashboard import FULL


def test_the_placebo_view_is_the_cores_check(services):
    request = services.requests.build(*FULL)
    view = services.migration.placebo(request, "2022-03-01")
    check = placebo_check(request.engine(), dt.date(2022, 3, 1), Period.parse(*FULL), request.pins, request.options)
    assert view.available and view.placebo_bonus_date == check.placebo_bonus_date
    assert view.actual == check.counts(check.actual) and view.placebo == check.counts(check.placebo)
    assert view.differences == {name: (d.diff, d.ci) for name, d in check.differences().items()}
    assert view.verdict == check.verdict()
    assert services.migration.placebo(request, "2022-03-01") == view  # cached


def test_a_bonus_date_too_early_for_a_placebo_says_so(services):
    view = services.migration.placebo(services.requests.build(*FULL), "2021-08-01")
    assert not view.available and "недоступна" in view.verdict and view.differences == {}
