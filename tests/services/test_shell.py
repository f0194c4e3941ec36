"""The page's own state: the data source, the period's bounds, the default bonus date, presets."""

from __future__ import annotations

from dashboard.services.shell import preset_period
from tests.support.dashboard import FULL


def test_presets_count_back_from_the_last_cheque():
    assert preset_period("all", *FULL) == FULL
    assert preset_period("quarter", *FULL) == ("2022-04-01", "2022-06-30")
    assert preset_period("month", *FULL) == ("2022-06-01", "2022-06-30")
    assert preset_period("year", "2022-01-01", "2022-06-30") == ("2022-01-01", "2022-06-30")  # never before the data
    assert preset_period("year", None, None) == (None, None)


def test_the_page_spans_all_data_and_its_middle_is_the_default_bonus_date(services):
    page = services.shell.page()
    assert page.bounds == FULL and page.error is None
    assert page.bonus_date == "2021-12-30"


def test_an_unreachable_database_is_said_in_the_page(make_app, tmp_path):
    app = make_app(f"duckdb:///{tmp_path / 'missing' / 'nothing.duckdb'}")
    with app.server.test_request_context():
        page = app.server.extensions["rfma_services"].shell.page()
    assert page.bounds is None and page.error.startswith("База данных недоступна")


def test_a_period_shorter_than_90_days_is_warned_about_in_words():
    from dashboard.services.shell import short_period_note

    assert short_period_note(*FULL) is None
    assert short_period_note("2022-04-02", "2022-06-30") is None  # 90 days
    note = short_period_note("2022-06-01", "2022-06-30")
    assert note.startswith("Период короткий (30 дней):") and "хотя бы 90 дней" in note
    assert "(1 день)" in short_period_note("2022-06-30", "2022-06-30")
    assert "(22 дня)" in short_period_note("2022-06-09", "2022-06-30")
    assert short_period_note(None, None) is None
