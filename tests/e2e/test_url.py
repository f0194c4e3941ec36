"""The page's state in its address (issue 11): period, tab, «Финал»'s segment and filters survive a reload, open from
a link in a fresh browser, go back with the browser's «Назад»; a broken link opens the defaults; the «Справка»
opens from any tab."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard import ids
from tests.e2e.test_dashboard import TIMEOUT, assert_no_console_errors, open_dashboard, open_tab, text_of, wait_until
from tests.e2e.test_segments import click, node_selector

pytestmark = pytest.mark.browser
URL_PORT = 8071


def query(dash_duo) -> dict[str, list[str]]:
    return parse_qs(urlsplit(dash_duo.driver.current_url).query)


def active_tab(dash_duo) -> str:
    return dash_duo.find_element(f"#{ids.SHELL.TABS} .nav-link.active").text


def period_text(dash_duo) -> list[str]:
    return [e.get_attribute("value") for e in dash_duo.find_elements("input.dash-datepicker-input")[:2]]


def fresh_browser(dash_duo):
    """Forget everything the browser kept (storage, cookies) and leave the page, as a colleague's browser would."""
    dash_duo.driver.execute_script("window.sessionStorage.clear(); window.localStorage.clear();")
    dash_duo.driver.delete_all_cookies()
    dash_duo.driver.get("about:blank")


def test_a_reload_keeps_the_period_the_tab_and_the_segment(dash_duo, make_app, chain_db):
    open_dashboard(dash_duo, make_app(chain_db), URL_PORT)
    assert_no_console_errors(dash_duo)
    wait_until(dash_duo, lambda: query(dash_duo).get("tab") == ["clients"], "the address holds the state at once")
    dash_duo.find_element(f"#{ids.HEADER.PRESET_QUARTER}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.CLIENTS.KPI_PERIOD}", "01.04.2022 — 30.06.2022", timeout=TIMEOUT)
    open_tab(dash_duo, ids.TAB_FINAL)
    click(dash_duo, node_selector("r110"))
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", "110 VIP", timeout=TIMEOUT)
    wait_until(dash_duo, lambda: query(dash_duo).get("segment") == ["r110"], "the segment is in the address")
    assert query(dash_duo)["tab"] == ["final"] and query(dash_duo)["from"] == ["2022-04-01"]
    count = text_of(dash_duo, f"#{ids.FINAL.CLIENT_COUNT}")
    dash_duo.driver.refresh()
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", "110 VIP", timeout=TIMEOUT)
    assert active_tab(dash_duo) == "Финал"
    assert period_text(dash_duo) == ["01.04.2022", "30.06.2022"]
    assert text_of(dash_duo, f"#{ids.FINAL.CLIENT_COUNT}") == count
    assert_no_console_errors(dash_duo)


def test_a_link_opens_that_state_in_a_fresh_browser_and_back_returns(dash_duo, make_app, chain_db):
    open_dashboard(dash_duo, make_app(chain_db), URL_PORT)
    link = f"{dash_duo.server_url}/?tab=final&from=2022-01-01&to=2022-06-30&segment=c11&r=1&shop=Аптека+11"
    fresh_browser(dash_duo)
    dash_duo.driver.get(link)
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", "11 VIP", timeout=TIMEOUT)
    assert active_tab(dash_duo) == "Финал"
    assert period_text(dash_duo) == ["01.01.2022", "30.06.2022"]
    assert "R 1 недавний" in text_of(dash_duo, f"#{ids.FINAL.FILTER_R}")
    assert "Аптека 11" in text_of(dash_duo, f"#{ids.FINAL.FILTER_SHOPS}")
    # the browser's «Назад» after a tab change returns to «Финал» with its state
    open_tab(dash_duo, ids.TAB_CLIENTS)
    wait_until(dash_duo, lambda: query(dash_duo).get("tab") == ["clients"], "the tab change is in the address")
    assert query(dash_duo)["segment"] == ["c11"]  # the other tabs keep «Финал»'s selection in the link
    dash_duo.driver.back()
    wait_until(dash_duo, lambda: query(dash_duo).get("tab") == ["final"], "back returns to the link")
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", "11 VIP", timeout=TIMEOUT)
    wait_until(dash_duo, lambda: active_tab(dash_duo) == "Финал", "back shows «Финал» again")
    assert_no_console_errors(dash_duo)


def test_a_broken_link_opens_the_defaults_without_an_error(dash_duo, make_app, chain_db):
    open_dashboard(dash_duo, make_app(chain_db), URL_PORT)
    dash_duo.driver.get(f"{dash_duo.server_url}/?tab=nope&from=31.02.2022&to=2099-01-01&segment=k9999&r=7,x&f=")
    dash_duo.wait_for_text_to_equal(f"#{ids.CLIENTS.KPI_PERIOD}", "01.07.2021 — 30.06.2022", timeout=TIMEOUT)
    assert active_tab(dash_duo) == "Клиенты"
    wait_until(
        dash_duo,
        lambda: query(dash_duo) == {"tab": ["clients"], "from": ["2021-07-01"], "to": ["2022-06-30"]},
        "the address is corrected to the state shown",
    )
    assert_no_console_errors(dash_duo)


def test_the_help_opens_from_two_tabs(dash_duo, make_app, chain_db):
    open_dashboard(dash_duo, make_app(chain_db), URL_PORT)
    for tab in (ids.TAB_CLIENTS, ids.TAB_FINAL):
        open_tab(dash_duo, tab)
        dash_duo.find_element(f"#{ids.HEADER.HELP_BUTTON}").click()
        dash_duo.wait_for_contains_text(f"#{ids.SHELL.HELP}", "F — частота", timeout=TIMEOUT)
        assert "покупок за базовый интервал" in text_of(dash_duo, f"#{ids.SHELL.HELP}")
        assert "510 случайный гость" in text_of(dash_duo, f"#{ids.SHELL.HELP}")
        dash_duo.find_element(f"#{ids.SHELL.HELP} .btn-close").click()
        dash_duo.wait_for_no_elements(f"#{ids.SHELL.HELP}.show", timeout=TIMEOUT)
    assert_no_console_errors(dash_duo)
