"""«Миграция» (issue 11): a click on a matrix cell or a Sankey link opens that flow's clients in the table below,
and «Скачать CSV» downloads exactly them — after another tab was visited first."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from selenium.webdriver.common.action_chains import ActionChains

from core.db import make_engine
from core.migration import Flow, Migration, migrate
from core.model import Period
from core.segments import NEW_SOURCE
from dashboard import ids
from tests.e2e.test_dashboard import TIMEOUT, assert_no_console_errors, open_dashboard, open_tab, text_of, wait_until
from tests.e2e.test_segments import allow_downloads, click, scroll_to, wait_for_download

pytestmark = pytest.mark.browser
GRID = f"#{ids.MIGRATION.FLOW_GRID}"
COUNT = f"#{ids.MIGRATION.FLOW_COUNT}"
BONUS = dt.date(2021, 12, 30)  # the middle of the test chain's period, the default bonus date


def flow_cards(dash_duo) -> list[str]:
    cells = dash_duo.driver.find_elements("css selector", f"{GRID} .ag-row [col-id='card']")
    return [c.text for c in cells if c.text]


def flow_total(dash_duo) -> int | None:
    text = text_of(dash_duo, f"{GRID} .ag-paging-row-summary-panel")
    tail = text.rsplit("из", 1)[-1].replace("\u00a0", "").replace(" ", "").strip()
    return int(tail) if tail.isdigit() else None


def migration_of(url: str) -> Migration:
    """The migration at the default bonus date (the period's middle) computed by core straight from the database
    (the suggested thresholds, as on screen); before the app opens the file (DuckDB allows one configuration)."""
    engine = make_engine(url)
    try:
        return migrate(engine, BONUS, Period(dt.date(2021, 7, 1), dt.date(2022, 6, 30)))
    finally:
        engine.dispose()


def shows_flow(dash_duo, result: Migration, flow: Flow) -> set[str]:
    """Wait for the count line to name the flow and the table to list only (and count all) its clients."""
    cards = set(result.flows["card"].take(result.flow_positions(flow)))
    dash_duo.wait_for_contains_text(COUNT, f"{flow.label}: {len(cards)} клиент", timeout=TIMEOUT)
    assert f"бонус-дата {BONUS:%d.%m.%Y}" in text_of(dash_duo, COUNT)
    wait_until(dash_duo, lambda: flow_total(dash_duo) == len(cards), f"the pager counts the {len(cards)} clients")
    wait_until(
        dash_duo,
        lambda: 0 < len(flow_cards(dash_duo)) and set(flow_cards(dash_duo)) <= cards,
        f"the table lists only the clients of {flow.label}",
    )
    return cards


def test_a_matrix_cell_and_a_sankey_link_open_their_flow_s_clients_and_the_csv(
    dash_duo, make_app, chain_db, screenshot
):
    result = migration_of(chain_db)
    open_dashboard(dash_duo, make_app(chain_db))
    folder = allow_downloads(dash_duo)
    open_tab(dash_duo, ids.TAB_FINAL)  # another tab first, as people do
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", "Все клиенты", timeout=TIMEOUT)
    open_tab(dash_duo, ids.TAB_MIGRATION)
    dash_duo.wait_for_element(f"#{ids.MIGRATION.SANKEY} .main-svg", timeout=TIMEOUT)
    cell = "button.rfma-flow-cell[title^='110 VIP → 410 ушедший VIP']"
    dash_duo.wait_for_element(cell, timeout=TIMEOUT)
    assert "осталось %" in text_of(dash_duo, f"#{ids.MIGRATION.MATRIX}")
    click(dash_duo, cell)
    vip_gone = shows_flow(dash_duo, result, Flow("region", "110", "410"))
    scroll_to(dash_duo, GRID)
    screenshot("30_migration_flow_from_matrix")

    click(dash_duo, f"#{ids.MIGRATION.FLOW_CSV_BUTTON}")
    path = wait_for_download(dash_duo, folder, ".csv")
    assert path.name == "rfma_migration_110_to_410_бонус-дата_2021-12-30_2021-07-01_2022-06-30.csv"
    frame = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"Карта": str})
    cards = frame["Карта"].str.removeprefix('="').str.removesuffix('"')  # Excel's text form of a card
    assert set(cards) == vip_gone and len(frame) == len(vip_gone)
    assert set(frame["Регион до"]) == {110} and set(frame["Регион"]) == {410}

    # the thickest Sankey link: its flow key is the link's customdata
    links = dash_duo.driver.find_elements("css selector", f"#{ids.MIGRATION.SANKEY} path.sankey-link")
    script = "return arguments[0].__data__.link.customdata + '#' + arguments[0].__data__.link.value"
    data = [dash_duo.driver.execute_script(script, link).split("#") for link in links]
    index = max(range(len(data)), key=lambda i: float(data[i][1]))
    flow = Flow.parse(data[index][0])
    assert flow != Flow("region", "110", "410")
    scroll_to(dash_duo, f"#{ids.MIGRATION.SANKEY}")
    ActionChains(dash_duo.driver).move_to_element(links[index]).click().perform()
    shows_flow(dash_duo, result, flow)
    screenshot("31_migration_flow_from_sankey")

    # a cell of the «новый» row: its id spells «новый» in ASCII, else the browser's id and the server's differ
    new_cell = "button.rfma-flow-cell[title^='новый → ']"
    scroll_to(dash_duo, f"#{ids.MIGRATION.MATRIX}")
    destination = dash_duo.find_element(new_cell).get_attribute("title").split("→ ")[1].split(" ")[0]
    click(dash_duo, new_cell)
    shows_flow(dash_duo, result, Flow("region", NEW_SOURCE, destination))
    assert_no_console_errors(dash_duo)
