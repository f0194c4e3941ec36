"""Russian formatting: numbers, money, shares, thresholds (for people and for CSV headers), dates, months, and
counted nouns."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import formatting as fmt

NB = "\u00a0"


def test_numbers_have_non_breaking_thousands_and_a_decimal_comma():
    assert fmt.number(1234567.891, 2) == f"1{NB}234{NB}567,89"
    assert fmt.number(-1500) == f"-1{NB}500"
    assert fmt.integer(999) == "999"
    assert fmt.money(1234.5, 2) == f"1{NB}234,50{NB}₽"
    assert fmt.percent(0.4521) == f"45,2{NB}%"
    assert fmt.percent(1, 0) == f"100{NB}%"


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NaT, ""])
def test_missing_values_are_a_dash(missing):
    for show in (fmt.number, fmt.integer, fmt.money, fmt.percent, fmt.threshold, fmt.date, fmt.month):
        assert show(missing) == "—"


def test_thresholds_for_people_and_for_csv_headers():
    assert fmt.threshold(1500) == f"1{NB}500"
    assert fmt.threshold(0.25) == "0,25"
    assert fmt.threshold(0.000001) == "0,000001"
    assert fmt.threshold_plain(1500.0) == "1500"
    assert fmt.threshold_plain(0.25) == "0.25"
    assert fmt.threshold_plain(1293.5) == "1293.5"
    assert fmt.threshold_plain(None) == "—"


def test_dates_and_months():
    assert fmt.date(dt.date(2022, 1, 5)) == "05.01.2022"
    assert fmt.date("2022-06-30T10:00:00") == "30.06.2022"
    assert fmt.date(pd.Timestamp("2021-12-31 23:59")) == "31.12.2021"
    assert fmt.month("2022-03-15") == "03.2022"


@pytest.mark.parametrize(
    ("n", "word"),
    [
        (0, "клиентов"),
        (1, "клиент"),
        (2, "клиента"),
        (4, "клиента"),
        (5, "клиентов"),
        (11, "клиентов"),
        (12, "клиентов"),
        (14, "клиентов"),
        (21, "клиент"),
        (22, "клиента"),
        (101, "клиент"),
        (111, "клиентов"),
        (112, "клиентов"),
        (1001, "клиент"),
        (1234, "клиента"),
    ],
)
def test_plural_picks_the_russian_form(n, word):
    assert fmt.plural(n, "клиент", "клиента", "клиентов") == word


def test_count_writes_the_number_and_its_noun():
    assert fmt.count(1234, "клиент", "клиента", "клиентов") == f"1{NB}234 клиента"
    assert fmt.count(1, "чек", "чека", "чеков") == "1 чек"
    assert fmt.count(11, "чек", "чека", "чеков") == "11 чеков"


@given(st.integers(min_value=0, max_value=10**9))
def test_the_form_depends_only_on_the_last_two_digits(n):
    forms = ("one", "few", "many")
    form = fmt.plural(n, *forms)
    assert form == fmt.plural(n % 100, *forms) == fmt.plural(n + 100, *forms)
    last, last_two = n % 10, n % 100
    if 11 <= last_two <= 14 or last in (0, 5, 6, 7, 8, 9):
        assert form == "many"
    elif last == 1:
        assert form == "one"
    else:
        assert form == "few"


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(0, 4))
def test_a_number_reads_back_to_its_rounded_value(value, digits):
    text = fmt.number(value, digits)
    assert float(text.replace(NB, "").replace(",", ".")) == pytest.approx(round(value, digits), abs=10**-digits)
    assert "." not in text and " " not in text


def test_a_moment_is_day_month_year_hours_minutes():
    assert fmt.date_time(dt.datetime(2022, 6, 6, 14, 5, 59)) == "06.06.2022 14:05"
    assert fmt.date_time(None) == "—"


def test_after_iz_and_sredi_the_count_is_genitive():
    # «из 1 клиента», «из 21 клиента», «из 2 клиентов», «из 5 клиентов»; «из 21 чека», «из 25 чеков»
    assert fmt.count(1, *fmt.CLIENTS_GENITIVE) == "1 клиента"
    assert fmt.count(21, *fmt.CLIENTS_GENITIVE) == "21 клиента"
    assert fmt.count(2, *fmt.CLIENTS_GENITIVE) == "2 клиентов"
    assert fmt.count(11, *fmt.CLIENTS_GENITIVE) == "11 клиентов"
    assert fmt.count(21, *fmt.CHEQUES_GENITIVE) == "21 чека"
    assert fmt.count(25, *fmt.CHEQUES_GENITIVE) == "25 чеков"
    assert fmt.count(91, *fmt.DAYS) == "91 день" and fmt.count(90, *fmt.DAYS) == "90 дней"
