"""End-to-end: the real dashboard in headless Chromium (dash[testing]'s dash_duo), with screenshots."""

from __future__ import annotations

import os

import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from dashboard import ids
from tests.support.serving import free_port

pytestmark = pytest.mark.browser

PORT = int(os.environ.get("RFMA_E2E_PORT") or free_port())  # a free port per test process unless one is given
TIMEOUT = 20


def open_dashboard(dash_duo, app, port: int = PORT):
    dash_duo.start_server(app, port=port)
    dash_duo.wait_for_element(f"#{ids.CLIENTS.GRAPH_CHEQUES} .main-svg", timeout=TIMEOUT)


def open_tab(dash_duo, tab_id: str):
    dash_duo.find_element(f".rfma-{tab_id} .nav-link").click()


def wait_until(dash_duo, condition, message: str):
    # a re-rendered graph replaces its elements: a stale reference just means "look again"
    ignored = (StaleElementReferenceException, NoSuchElementException)
    WebDriverWait(dash_duo.driver, TIMEOUT, poll_frequency=0.1, ignored_exceptions=ignored).until(
        lambda _: condition(), message
    )


def type_into(element, value: str):
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.BACKSPACE)
    element.send_keys(value)
    element.send_keys(Keys.ENTER)


def type_date(dash_duo, element, value: str):
    """Type a DD.MM.YYYY date into a Dash 4 date picker and close its calendar."""
    type_into(element, value)
    element.send_keys(Keys.ESCAPE)
    dash_duo.wait_for_no_elements(".dash-datepicker-calendar-wrapper", timeout=TIMEOUT)


def text_of(dash_duo, selector: str) -> str:
    return dash_duo.find_element(selector).text


def assert_no_console_errors(dash_duo):
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_every_tab_opens_with_russian_labels(dash_duo, make_app, chain_db, screenshot):
    open_dashboard(dash_duo, make_app(chain_db))
    assert text_of(dash_duo, f"#{ids.CLIENTS.KPI_CLIENTS}") == "600"
    assert "Клиенты по количеству посещенных аптек" in text_of(dash_duo, f"#{ids.CLIENTS.GRAPH_SHOP_COUNT}")
    screenshot("01_clients")
    open_tab(dash_duo, ids.TAB_PHARMACIES)
    dash_duo.wait_for_element(f"#{ids.PHARMACIES.GRAPH_MONTHLY} .main-svg", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(f"#{ids.PHARMACIES.TABLE}", "Аптека 11", timeout=TIMEOUT)
    screenshot("02_pharmacies")
    open_tab(dash_duo, ids.TAB_THRESHOLDS)
    dash_duo.wait_for_element("#capacity-r .main-svg", timeout=TIMEOUT)
    screenshot("03_thresholds_recency")
    for subtab, metric, name in (
        (ids.SUBTAB_FREQUENCY, "f", "frequency"),
        (ids.SUBTAB_MONETARY, "m", "monetary"),
        (ids.SUBTAB_AGE, "a", "age"),
    ):
        open_tab(dash_duo, subtab)
        dash_duo.wait_for_element(f"#capacity-{metric} .main-svg", timeout=TIMEOUT)
        screenshot(f"03_thresholds_{name}")
    open_tab(dash_duo, ids.TAB_FINAL)
    dash_duo.wait_for_element(f"#{ids.FINAL.REGION_GRAPH} .main-svg", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.RECOMMENDATIONS}", "Наши лучшие клиенты", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLASS_TABLE}", "недавний-частый-высокий_чек-ветеран", timeout=TIMEOUT)
    screenshot("04_final")
    open_tab(dash_duo, ids.TAB_MIGRATION)
    dash_duo.wait_for_element(f"#{ids.MIGRATION.SANKEY} .main-svg", timeout=TIMEOUT)
    dash_duo.wait_for_element(f"#{ids.MIGRATION.MATRIX} .rfma-flow-cell", timeout=TIMEOUT)
    screenshot("05_migration")
    assert_no_console_errors(dash_duo)


def test_changing_the_period_changes_the_numbers(dash_duo, make_app, chain_db, screenshot):
    open_dashboard(dash_duo, make_app(chain_db))
    kpi = f"#{ids.CLIENTS.KPI_CLIENTS}"
    assert text_of(dash_duo, kpi) == "600"
    type_date(dash_duo, dash_duo.find_element(f"#{ids.HEADER.PERIOD}"), "01.01.2022")
    dash_duo.wait_for_text_to_equal(f"#{ids.CLIENTS.KPI_PERIOD}", "01.01.2022 — 30.06.2022", timeout=TIMEOUT)
    assert text_of(dash_duo, kpi) != "600"
    assert text_of(dash_duo, f"#{ids.CLIENTS.KPI_SHOPS}") == "7"
    screenshot("06_period_typed")
    dash_duo.find_element(f"#{ids.HEADER.PRESET_QUARTER}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.CLIENTS.KPI_PERIOD}", "01.04.2022 — 30.06.2022", timeout=TIMEOUT)
    dash_duo.find_element(f"#{ids.HEADER.PRESET_ALL}").click()
    dash_duo.wait_for_text_to_equal(kpi, "600", timeout=TIMEOUT)
    assert_no_console_errors(dash_duo)


def test_pinning_a_threshold_changes_grade_capacities_and_reset_restores(dash_duo, make_app, chain_db, screenshot):
    open_dashboard(dash_duo, make_app(chain_db))
    open_tab(dash_duo, ids.TAB_THRESHOLDS)
    capacity = "#capacity-r .main-svg"
    dash_duo.wait_for_element(capacity, timeout=TIMEOUT)
    r1 = dash_duo.find_element("input[name='threshold-r1']")
    wait_until(dash_duo, lambda: r1.get_attribute("value") not in ("", None), "r1 shows the suggested value")
    suggested = r1.get_attribute("value")
    before = text_of(dash_duo, capacity)
    type_into(r1, "45")
    dash_duo.wait_for_contains_class("input[name='threshold-r1']", "rfma-pinned", timeout=TIMEOUT)
    wait_until(dash_duo, lambda: text_of(dash_duo, capacity) != before, "Recency capacities change after pinning r1")
    assert "Закреплено: r1" in text_of(dash_duo, f"#{ids.THRESHOLDS.STATUS}")
    screenshot("07_threshold_pinned")
    # an unordered value: the error shows and the last valid result stays
    pinned_capacity = text_of(dash_duo, capacity)
    assert "Закреплено: r1" in text_of(dash_duo, f"#{ids.THRESHOLDS.STATUS}")
    type_into(dash_duo.find_element("input[name='threshold-r1']"), "900")
    dash_duo.wait_for_contains_text(f"#{ids.THRESHOLDS.ERROR}", "не упорядочены", timeout=TIMEOUT)
    assert text_of(dash_duo, capacity) == pinned_capacity
    screenshot("08_threshold_error")
    dash_duo.find_element(f"#{ids.THRESHOLDS.RESET}").click()
    wait_until(
        dash_duo,
        lambda: dash_duo.find_element("input[name='threshold-r1']").get_attribute("value") == suggested,
        "reset shows the suggested r1 again",
    )
    wait_until(dash_duo, lambda: text_of(dash_duo, capacity) == before, "capacities return after reset")
    assert_no_console_errors(dash_duo)


def test_picking_a_bonus_date_shows_the_sankey(dash_duo, make_app, chain_db, screenshot):
    open_dashboard(dash_duo, make_app(chain_db))
    open_tab(dash_duo, ids.TAB_MIGRATION)
    dash_duo.wait_for_element(f"#{ids.MIGRATION.SANKEY} .main-svg", timeout=TIMEOUT)
    type_date(dash_duo, dash_duo.find_element(f"#{ids.MIGRATION.BONUS_DATE}"), "01.03.2022")
    dash_duo.wait_for_contains_text(f"#{ids.MIGRATION.BODY}", "Бонус-дата 01.03.2022", timeout=TIMEOUT)
    dash_duo.wait_for_element(f"#{ids.MIGRATION.SANKEY} .sankey", timeout=TIMEOUT)
    assert "новый" in text_of(dash_duo, f"#{ids.MIGRATION.SANKEY}")
    dash_duo.find_element(f"#{ids.MIGRATION.LEVEL} input[value='cluster']").click()
    dash_duo.wait_for_contains_text(f"#{ids.MIGRATION.MATRIX}", "11 VIP", timeout=TIMEOUT)
    screenshot("09_migration_bonus_date")
    # the period moves past the bonus date: the bonus date moves inside the new period (issue 11)
    dash_duo.find_element(f"#{ids.HEADER.PRESET_MONTH}").click()
    dash_duo.wait_for_contains_text(f"#{ids.MIGRATION.BODY}", "Бонус-дата 15.06.2022", timeout=TIMEOUT)
    screenshot("10_migration_shorter_period")
    assert_no_console_errors(dash_duo)


def test_looking_up_a_card(dash_duo, make_app, chain_db, screenshot):
    """The card shows the client's chart, their newest cheques, their pharmacies and their region's action."""
    from core import formatting as fmt
    from core.db import make_engine
    from core.research import client_shops, load_client_cheques
    from core.segments import REGION_RECOMMENDATIONS
    from tests.e2e.test_segments import engine_clients

    clients = engine_clients(chain_db)
    region = int(clients.loc[clients["card"] == "100000", "region"].iloc[0])
    engine = make_engine(chain_db)
    try:
        cheques = load_client_cheques(engine, "100000")
    finally:
        engine.dispose()
    newest = cheques.sort_values(["datetime", "doc_id"]).iloc[-1]
    top_shop = client_shops(cheques).iloc[0]

    open_dashboard(dash_duo, make_app(chain_db))
    open_tab(dash_duo, ids.TAB_FINAL)
    dash_duo.wait_for_element(f"#{ids.FINAL.REGION_GRAPH} .main-svg", timeout=TIMEOUT)
    dash_duo.find_element(f"#{ids.FINAL.CARD_INPUT}").send_keys("100000")
    dash_duo.find_element(f"#{ids.FINAL.CARD_BUTTON}").click()
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CARD_RESULT}", "Регион", timeout=TIMEOUT)
    dash_duo.wait_for_element(f"#{ids.FINAL.CLIENT_CHEQUES} .main-svg", timeout=TIMEOUT)
    assert "Класс" in text_of(dash_duo, f"#{ids.FINAL.CARD_RESULT}")
    first_row = text_of(dash_duo, f"#{ids.FINAL.CLIENT_CHEQUE_TABLE} tbody tr")
    assert first_row.startswith(fmt.date_time(newest["datetime"])) and newest["shop"] in first_row
    plain = lambda value: value.replace("\u00a0", " ")  # noqa: E731 (the browser's text has spaces for NBSP)
    assert plain(fmt.number(newest["amount"], 2)) in first_row
    assert plain(fmt.count(len(cheques), *fmt.CHEQUES)) in text_of(dash_duo, f"#{ids.FINAL.CARD_RESULT}")
    shops = text_of(dash_duo, f"#{ids.FINAL.CLIENT_SHOPS} tbody tr")
    assert shops.startswith(top_shop["shop"]) and plain(fmt.number(top_shop["revenue"], 2)) in shops
    action = text_of(dash_duo, f"#{ids.FINAL.CLIENT_ACTION}")
    assert f"регион {region}" in action and REGION_RECOMMENDATIONS[region][:40] in action
    dash_duo.driver.execute_script("document.getElementById(arguments[0]).scrollIntoView()", ids.FINAL.CARD_RESULT)
    screenshot("11_card_lookup")
    assert_no_console_errors(dash_duo)


def test_an_unreachable_database_shows_a_russian_message(dash_duo, make_app, tmp_path, screenshot):
    app = make_app(f"duckdb:///{tmp_path / 'missing' / 'absent.duckdb'}")
    dash_duo.start_server(app, port=PORT)
    dash_duo.wait_for_contains_text(f"#{ids.CLIENTS.BODY}", "База данных недоступна", timeout=TIMEOUT)
    assert "База данных недоступна" in text_of(dash_duo, f"#{ids.HEADER.SOURCE}")
    screenshot("12_unreachable_database")
    assert_no_console_errors(dash_duo)
