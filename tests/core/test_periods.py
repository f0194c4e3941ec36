"""A period's bounds with open ends resolved against the data, and the bonus-date check of a migration."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.client_base import load_client_base
from core.model import Period, RfmaError
from core.periods import check_bonus_date, period_bounds, resolve, resolved_bounds
from tests.support.bases import make_base

D = dt.date


def test_open_bounds_take_the_data_bounds_and_given_bounds_stay():
    assert resolve(Period(), D(2022, 1, 1), D(2022, 2, 5)) == (D(2022, 1, 1), D(2022, 2, 5))
    assert resolve(Period(D(2021, 12, 1), None), D(2022, 1, 1), D(2022, 2, 5)) == (D(2021, 12, 1), D(2022, 2, 5))
    assert resolve(Period(None, D(2022, 3, 1)), D(2022, 1, 1), D(2022, 2, 5)) == (D(2022, 1, 1), D(2022, 3, 1))


def test_a_base_resolves_to_its_first_purchase_and_analysis_date(hand_engine):
    # hand cheques: first identified purchase 2022-01-01 (card 100), last cheque 2022-02-05 (unidentified)
    assert resolved_bounds(load_client_base(hand_engine)) == (D(2022, 1, 1), D(2022, 2, 5))
    middle = load_client_base(hand_engine, Period(D(2022, 1, 5), None))
    assert resolved_bounds(middle) == (D(2022, 1, 5), D(2022, 2, 5))
    # no identified client and no start: no first purchase, so the analysis date on both ends
    assert resolved_bounds(make_base([], analysis_date=D(2022, 2, 5))) == (D(2022, 2, 5), D(2022, 2, 5))
    unidentified = load_client_base(hand_engine, Period(D(2022, 2, 3), None))
    assert unidentified.is_empty and resolved_bounds(unidentified) == (D(2022, 2, 3), D(2022, 2, 5))
    with pytest.raises(RfmaError, match="нет ни одного чека"):
        resolved_bounds(load_client_base(hand_engine, Period(D(2030, 1, 1), None)))


def test_the_sql_variant_uses_the_first_cheque(hand_engine):
    with hand_engine.connect() as conn:
        assert period_bounds(conn, Period()) == (D(2022, 1, 1), D(2022, 2, 5))
        assert period_bounds(conn, Period(D(2022, 2, 3), None)) == (D(2022, 2, 3), D(2022, 2, 5))
        assert period_bounds(conn, Period(D(2030, 1, 1), None)) is None


def test_a_bonus_date_outside_the_period_is_named_with_russian_dates():
    check_bonus_date(D(2022, 1, 1), D(2022, 1, 1), D(2022, 1, 31))  # both ends are inside
    check_bonus_date(D(2022, 1, 31), D(2022, 1, 1), D(2022, 1, 31))
    with pytest.raises(RfmaError) as error:
        check_bonus_date(D(2022, 2, 1), D(2022, 1, 1), D(2022, 1, 31))
    assert (
        str(error.value) == "Бонус-дата 01.02.2022 вне периода 01.01.2022 — 31.01.2022: выберите дату внутри периода."
    )


@given(st.dates(), st.dates(), st.dates())
def test_a_bonus_date_passes_exactly_when_it_lies_between_the_bounds(bonus, first, last):
    inside = first <= bonus <= last
    try:
        check_bonus_date(bonus, first, last)
    except RfmaError:
        assert not inside
    else:
        assert inside


def test_a_month_the_span_covers_in_part_is_partial_with_its_days():
    from core.periods import month_days_covered, partial_months

    first, last = dt.date(2021, 7, 15), dt.date(2022, 6, 6)
    months = [dt.date(2021, 7, 1), dt.date(2021, 8, 1), dt.date(2022, 2, 1), dt.date(2022, 6, 1)]
    assert partial_months(months, first, last) == {dt.date(2021, 7, 1): 17, dt.date(2022, 6, 1): 6}
    assert month_days_covered(dt.date(2022, 2, 14), first, last) == 28  # any day names its month
    assert month_days_covered(dt.date(2022, 7, 1), first, last) == 0
    assert partial_months([dt.date(2022, 6, 1)], dt.date(2022, 6, 1), dt.date(2022, 6, 30)) == {}  # a whole month
    assert partial_months([dt.date(2024, 2, 1)], dt.date(2024, 2, 1), dt.date(2024, 2, 28)) == {dt.date(2024, 2, 1): 28}
    assert partial_months(months, None, None) == {}
