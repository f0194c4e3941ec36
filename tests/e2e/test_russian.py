"""Russian everywhere and nothing cut off (issue 11), in a real browser: «Финал»'s client table speaks Russian in
its paging panel and filter popups (row count «из 1 100» with a space), shows 13-digit cards whole, and its column
headers wrap instead of being cut («Давнос…»); the date picker's calendar names months and weekdays in Russian."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from dashboard import ids
from tests.e2e.test_dashboard import TIMEOUT, assert_no_console_errors, open_dashboard, open_tab, wait_until
from tests.e2e.test_segments import grid_cards

pytestmark = pytest.mark.browser
GRID = f"#{ids.FINAL.CLIENT_GRID}"
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture(scope="module")
def long_cards_db(tmp_path_factory) -> str:
    """1 100 clients with 13-digit cards (2000766000000 + n), as the chain's real cards are."""
    from core.db import make_engine
    from core.loading import append_cheques
    from tests.support.chain import chain_cheques

    cheques = chain_cheques(clients=1100, anonymous=100)
    identified = cheques["card"].notna() & cheques["card"].astype(str).str.fullmatch(r"\d+")
    cheques.loc[identified, "card"] = "2000766" + cheques.loc[identified, "card"].astype(str).str.zfill(6)
    url = f"duckdb:///{tmp_path_factory.mktemp('cards') / 'cards.duckdb'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        append_cheques(conn, cheques)
    engine.dispose()
    return url


def overflowing(dash_duo, selector: str) -> list[str]:
    """The texts of the elements whose content is wider or taller than their box (cut off or hidden behind «…»)."""
    return dash_duo.driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)"
        ".map(e => e.textContent)",
        selector,
    )


def listed(dash_duo) -> list[str]:
    """The texts of an open AG Grid select list (a filter's conditions)."""
    return dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('.ag-select-list .ag-list-item')].map(e => e.textContent.trim())"
    )


def test_the_client_table_speaks_russian_and_shows_cards_and_headers_whole(dash_duo, make_app, long_cards_db):
    open_dashboard(dash_duo, make_app(long_cards_db))
    open_tab(dash_duo, ids.TAB_FINAL)
    wait_until(dash_duo, lambda: len(grid_cards(dash_duo)) > 0, "the client table has rows")
    panel = f"{GRID} .ag-paging-panel"
    shown = lambda: dash_duo.find_element(panel).text.replace("\u00a0", " ")  # noqa: E731
    wait_until(dash_duo, lambda: "из 1 100" in shown(), "«1 — 50 из 1 100»: thousands separated by a space")
    paging = shown()
    assert "1 — 50 из 1 100" in paging and "Страница 1 из 22" in paging, paging
    assert not LATIN_WORD.search(paging), paging
    # every card whole: 13 digits in the cell, and the cell's text not cut
    cards = grid_cards(dash_duo)
    assert cards and all(re.fullmatch(r"2000766\d{6}", card) for card in cards), cards[:3]
    assert overflowing(dash_duo, f"{GRID} .ag-row [col-id='card']") == []
    # headers wrap instead of «Давнос…»; each has a tooltip
    assert overflowing(dash_duo, f"{GRID} .ag-header-cell-text") == []
    headers = [e.text for e in dash_duo.driver.find_elements("css selector", f"{GRID} .ag-header-cell-text")]
    assert "Давность, дн." in " ".join(h.replace("\n", " ") for h in headers), headers
    # the filter popups of a text, a number and a date column: Russian only
    for column in ("region_name", "recency_days", "last_date"):
        menu = dash_duo.find_element(f"{GRID} .ag-header-cell[col-id='{column}'] .ag-header-cell-filter-button")
        dash_duo.driver.execute_script("arguments[0].click()", menu)
        popup = dash_duo.wait_for_element(".ag-popup .ag-filter", timeout=TIMEOUT)
        words = (
            popup.text
            + " "
            + " ".join(e.get_attribute("placeholder") or "" for e in popup.find_elements("css selector", "input"))
        )
        popup.find_element("css selector", ".ag-picker-field-wrapper").click()
        wait_until(dash_duo, lambda: listed(dash_duo), "the list of filter conditions opens")
        options = listed(dash_duo)
        assert len(options) >= 6, options
        assert not LATIN_WORD.search(words + " ".join(options)), (column, words, options)
        ActionChains(dash_duo.driver).send_keys(Keys.ESCAPE).perform()  # the list
        ActionChains(dash_duo.driver).send_keys(Keys.ESCAPE).perform()  # the popup
        dash_duo.wait_for_no_elements(".ag-popup .ag-filter", timeout=TIMEOUT)
    assert_no_console_errors(dash_duo)


def test_the_period_calendar_names_months_and_weekdays_in_russian(dash_duo, make_app, chain_db):
    open_dashboard(dash_duo, make_app(chain_db))
    dash_duo.find_element(f"#{ids.HEADER.PERIOD}").click()
    calendar = dash_duo.wait_for_element(".dash-datepicker-calendar-wrapper", timeout=TIMEOUT)
    wait_until(dash_duo, lambda: "июнь" in calendar.text.lower(), "the month is named in Russian")
    text = calendar.text.lower()
    assert "пн" in text and "вс" in text, text
    assert not LATIN_WORD.search(calendar.text), calendar.text
    assert_no_console_errors(dash_duo)
