"""Two data sources in a real browser (issue 12): a user granted both switches the header's «Источник» and sees the
other chain's numbers on every tab; a user granted one sees no selector."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.select import Select

from dashboard import ids
from dashboard.services import EXTENSION_KEY
from dashboard.sources import SourceConfig
from tests.e2e.test_dashboard import PORT, TIMEOUT, assert_no_console_errors, open_tab, text_of, wait_until
from tests.e2e.test_login import PASSWORD, log_in, visit_every_tab
from tests.support.chain import SECOND_CHAIN, build_chain_database

pytestmark = pytest.mark.browser
NORTH, SOUTH = "Аптеки Север", "Аптеки Юг"


@pytest.fixture(scope="module")
def south_db(tmp_path_factory) -> str:
    return build_chain_database(tmp_path_factory.mktemp("south") / "south.duckdb", **SECOND_CHAIN)


def test_switching_the_source_in_the_header_shows_the_other_chain_on_every_tab(
    dash_duo, make_app, chain_db, south_db, screenshot
):
    sources = (SourceConfig(NORTH, chain_db), SourceConfig(SOUTH, south_db))
    app = make_app(chain_db, auth="login", sources=sources)
    users = app.server.extensions[EXTENSION_KEY].users
    users.add("anna", PASSWORD, "manager")
    dash_duo.start_server(app, navigate=False, port=PORT)
    log_in(dash_duo, "anna")  # lands on «Финал» (?tab=final)
    kpi = f"#{ids.CLIENTS.KPI_CLIENTS}"
    open_tab(dash_duo, ids.TAB_CLIENTS)
    dash_duo.wait_for_text_to_equal(kpi, "600", timeout=TIMEOUT)
    assert text_of(dash_duo, f"#{ids.HEADER.SOURCE}").startswith(f"Источник данных: {NORTH} · чеков:")
    select = Select(dash_duo.find_element(f"#{ids.HEADER.SOURCE_SELECT}"))
    assert [option.text for option in select.options if option.get_attribute("value")] == [NORTH, SOUTH]
    assert select.first_selected_option.text == NORTH
    select.select_by_visible_text(SOUTH)  # the page reloads on the other chain
    dash_duo.wait_for_contains_text(f"#{ids.HEADER.SOURCE}", f"Источник данных: {SOUTH}", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(kpi, "250", timeout=TIMEOUT)
    assert "tab=clients" in dash_duo.driver.current_url  # the tab is kept, the other chain's period is not
    screenshot("20_source_switched")
    wait_until(
        dash_duo,
        lambda: Select(dash_duo.find_element(f"#{ids.HEADER.SOURCE_SELECT}")).first_selected_option.text == SOUTH,
        "the selector shows the new source",
    )
    visit_every_tab(dash_duo)
    open_tab(dash_duo, ids.TAB_CLIENTS)
    dash_duo.wait_for_text_to_equal(kpi, "250", timeout=TIMEOUT)
    assert_no_console_errors(dash_duo)
    dash_duo.driver.get(dash_duo.server.url.rstrip("/") + "/?tab=clients")  # the choice is the session's
    dash_duo.wait_for_text_to_equal(kpi, "250", timeout=TIMEOUT)
    users.grant("anna", [NORTH])  # narrowed: the session ends; after logging in again, only «Север», no selector
    log_in(dash_duo, "anna")
    open_tab(dash_duo, ids.TAB_CLIENTS)
    dash_duo.wait_for_text_to_equal(kpi, "600", timeout=TIMEOUT)
    assert not dash_duo.find_element(f"#{ids.HEADER.SOURCE_SELECT}").is_displayed()
    assert SOUTH not in dash_duo.find_element("body").text
