"""«Когорты» (issue 13) in a real browser: opened by a link in a fresh browser and after other tabs; the metric
switch, a segment of the tree, the pharmacy selector, period presets; a heatmap cell, a cohort size, a Pareto band
and a dynamics bar open their clients in the table, and «Скачать CSV» downloads exactly them; a viewer sees masked
cards and is refused the file."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from selenium.webdriver.common.actions.action_builder import ActionBuilder

from core.classify import classify
from core.cohorts import (
    CHAIN,
    load_cohort_cards,
    load_dynamics,
    load_dynamics_cards,
    load_pareto,
    load_pareto_band_cards,
    month_index,
)
from core.db import make_engine
from core.model import Period
from dashboard import ids
from dashboard.services import EXTENSION_KEY
from layouts.final_tree import node_selector as tree_node_selector
from tests.e2e.test_dashboard import (
    PORT,
    TIMEOUT,
    assert_no_console_errors,
    open_dashboard,
    open_tab,
    text_of,
    wait_until,
)
from tests.e2e.test_login import PASSWORD, log_in
from tests.e2e.test_segments import allow_downloads, click, scroll_to, wait_for_download
from tests.e2e.test_url import active_tab, fresh_browser, query

pytestmark = pytest.mark.browser
GRID = f"#{ids.COHORTS.PICK_GRID}"
COUNT = f"#{ids.COHORTS.PICK_COUNT}"
HEATMAP = f"#{ids.COHORTS.HEATMAP}"
FULL = Period(dt.date(2021, 7, 1), dt.date(2022, 6, 30))
JULY = month_index(dt.date(2021, 7, 1))


class Expected:
    """What core computes straight from the database (before the app opens it: DuckDB allows one configuration)."""

    def __init__(self, url: str):
        engine = make_engine(url)
        try:
            self.pareto = load_pareto(engine, FULL)
            self.top_band = set(load_pareto_band_cards(engine, 1, FULL))
            self.cell = set(load_cohort_cards(engine, JULY, 2, FULL))  # cohort 2021-07, month 2 (2021-09)
            classification = classify(engine, FULL)
            clients = classification.clients
            vip = clients["card"][clients["region"].astype(int) == 110].astype(str).tolist()
            self.vip_cohort = set(load_cohort_cards(engine, JULY, None, FULL, cards=vip))
            r3 = int(classification.thresholds.r3)
            dynamics = load_dynamics(engine, r3, FULL).rows
            shop = dynamics[(dynamics["shop"] == "Аптека 11") & (dynamics["repeat_clients"] > 0)]
            self.bar_month = int(shop["month"].iloc[-1])
            self.bar = set(load_dynamics_cards(engine, r3, self.bar_month, "Аптека 11", "repeat", FULL))
            self.chain_months = len(dynamics[dynamics["shop"] == CHAIN])
        finally:
            engine.dispose()


def cohort_url(dash_duo, query: str = "") -> str:
    return f"{dash_duo.server.url.rstrip('/')}/?tab=cohorts{query}"


def pick_cards(dash_duo) -> list[str]:
    cells = dash_duo.driver.find_elements("css selector", f"{GRID} .ag-row [col-id='card']")
    return [c.text for c in cells if c.text]


def pick_total(dash_duo) -> int | None:
    text = text_of(dash_duo, f"{GRID} .ag-paging-row-summary-panel")
    tail = text.rsplit("из", 1)[-1].replace("\u00a0", "").replace(" ", "").strip()
    return int(tail) if tail.isdigit() else None


def shows_pick(dash_duo, label: str, cards: set[str]) -> None:
    """The count line names the pick and its client count; the pager counts them; the rows are only theirs."""
    dash_duo.wait_for_contains_text(COUNT, f"{label}: {len(cards)} клиент", timeout=TIMEOUT)
    wait_until(dash_duo, lambda: pick_total(dash_duo) == len(cards), f"the pager counts the {len(cards)} clients")
    wait_until(
        dash_duo,
        lambda: 0 < len(pick_cards(dash_duo)) and set(pick_cards(dash_duo)) <= cards,
        f"the table lists only the clients of {label}",
    )


def click_point(dash_duo, graph_id: str, trace: int, x, y) -> None:
    """A real mouse click at a data point (x, y) of a trace of a graph (its axes' own pixel mapping)."""
    scroll_to(dash_duo, f"#{graph_id}")
    script = """
        var gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
        var t = gd._fullData[arguments[1]];
        var xa = gd._fullLayout[t.xaxis.replace('x', 'xaxis')], ya = gd._fullLayout[t.yaxis.replace('y', 'yaxis')];
        var box = gd.getBoundingClientRect();
        return [box.left + xa._offset + xa.d2p(arguments[2]), box.top + ya._offset + ya.d2p(arguments[3])];
    """
    px, py = dash_duo.driver.execute_script(script, f"#{graph_id}", trace, x, y)
    builder = ActionBuilder(dash_duo.driver)
    builder.pointer_action.move_to_location(int(px), int(py))
    builder.pointer_action.click()
    builder.perform()


def csv_cards(path) -> pd.Series:
    frame = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"Карта": str})
    return frame["Карта"].str.removeprefix('="').str.removesuffix('"')


def band_selector(band: int) -> str:
    return "[id='" + json.dumps(ids.cohort_band(band), sort_keys=True, separators=(",", ":")) + "']"


def node_selector(node: str) -> str:
    return tree_node_selector(ids.COHORTS.TREE, node)


def heatmap_title(dash_duo) -> str:
    return text_of(dash_duo, f"{HEATMAP} .gtitle")


def test_a_link_opens_cohorts_a_cell_opens_its_clients_and_the_csv_holds_exactly_them(
    dash_duo, make_app, chain_db, screenshot
):
    expected = Expected(chain_db)
    open_dashboard(dash_duo, make_app(chain_db))
    fresh_browser(dash_duo)
    dash_duo.driver.get(cohort_url(dash_duo))
    dash_duo.wait_for_contains_text(HEATMAP, "удержание", timeout=TIMEOUT)
    assert active_tab(dash_duo) == "Когорты"
    folder = allow_downloads(dash_duo)
    share = f"{expected.pareto.top20_revenue_share * 100:.1f}".replace(".", ",")
    dash_duo.wait_for_contains_text(
        f"#{ids.COHORTS.PARETO_HEADLINES}", f"20 % клиентов приносят {share} % выручки", timeout=TIMEOUT
    )
    share80 = f"{expected.pareto.clients_share_for_80_revenue * 100:.1f}".replace(".", ",")
    assert f"80 % выручки приносят {share80} % клиентов" in text_of(dash_duo, f"#{ids.COHORTS.PARETO_HEADLINES}")
    screenshot("40_cohorts_heatmap")

    click_point(dash_duo, ids.COHORTS.HEATMAP, 1, 2, "2021-07")  # the heatmap is trace 1 (the sizes are trace 0)
    shows_pick(dash_duo, "Когорта 2021-07, месяц 2: купили в 2021-09", expected.cell)
    click(dash_duo, f"#{ids.COHORTS.PICK_CSV_BUTTON}")
    path = wait_for_download(dash_duo, folder, ".csv")
    assert path.name == "rfma_когорта_2021-07_м2_2021-07-01_2022-06-30.csv"
    cards = csv_cards(path)
    assert set(cards) == expected.cell and len(cards) == len(expected.cell)
    screenshot("41_cohorts_cell_clients")

    # the metric switch redraws the heatmap; the pick stays
    xpath = f"//*[@id='{ids.COHORTS.METRIC}']//label[normalize-space()='LTV']"
    dash_duo.driver.find_element("xpath", xpath).click()
    wait_until(dash_duo, lambda: "LTV" in heatmap_title(dash_duo), "the heatmap shows LTV")
    assert "Когорта 2021-07, месяц 2" in text_of(dash_duo, COUNT)

    # a segment of the tree restricts the cohorts; its cohort-size bar opens the whole cohort of that segment
    click(dash_duo, node_selector("r110"))
    dash_duo.wait_for_contains_text(f"#{ids.COHORTS.BREADCRUMB}", "110 VIP", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(COUNT, "Нажмите на ячейку", timeout=TIMEOUT)  # the old pick is gone
    wait_until(dash_duo, lambda: "LTV" in heatmap_title(dash_duo), "the heatmap of the segment is drawn")
    click_point(dash_duo, ids.COHORTS.HEATMAP, 0, len(expected.vip_cohort) / 2, "2021-07")
    shows_pick(dash_duo, "Когорта 2021-07 (110 VIP): все клиенты когорты", expected.vip_cohort)

    # the pharmacy selector; a bar of its dynamics opens those clients
    dash_duo.select_dcc_dropdown(f"#{ids.COHORTS.SHOP}", value="Аптека 11")
    dash_duo.wait_for_contains_text(f"#{ids.COHORTS.DYNAMICS}", "Клиентская база: Аптека 11", timeout=TIMEOUT)
    month = dt.date(expected.bar_month // 12, expected.bar_month % 12 + 1, 1)
    script = """
        var gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
        var i = gd._fullData[0].x.indexOf(arguments[1]);
        return [gd._fullData[0].y[i], gd._fullData[1].y[i], gd._fullData[2].y[i]];
    """
    new, one_time, repeat = dash_duo.driver.execute_script(script, f"#{ids.COHORTS.DYNAMICS}", month.isoformat())
    assert repeat == len(expected.bar)
    click_point(dash_duo, ids.COHORTS.DYNAMICS, 2, month.isoformat(), new + one_time + repeat / 2)
    shows_pick(dash_duo, f"Динамика базы, Аптека 11, {month:%Y-%m}: повторные", expected.bar)
    screenshot("42_cohorts_dynamics_bar")

    # back and forth between tabs: what is drawn stays, and nothing fails
    open_tab(dash_duo, ids.TAB_FINAL)
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", "Все клиенты", timeout=TIMEOUT)
    open_tab(dash_duo, ids.TAB_COHORTS)
    dash_duo.wait_for_contains_text(f"#{ids.COHORTS.BREADCRUMB}", "110 VIP", timeout=TIMEOUT)
    shows_pick(dash_duo, f"Динамика базы, Аптека 11, {month:%Y-%m}: повторные", expected.bar)

    # a period preset: the pick is cleared and the chain's dynamics have fewer months
    dash_duo.find_element(f"#{ids.HEADER.PRESET_QUARTER}").click()
    dash_duo.wait_for_contains_text(COUNT, "Нажмите на ячейку", timeout=TIMEOUT)
    script = "return document.querySelector(arguments[0] + ' .js-plotly-plot')._fullData[0].x.length"
    wait_until(
        dash_duo,
        lambda: dash_duo.driver.execute_script(script, f"#{ids.COHORTS.DYNAMICS}") < expected.chain_months,
        "the quarter's dynamics have fewer months",
    )
    assert_no_console_errors(dash_duo)


def test_after_other_tabs_a_pareto_band_opens_the_top_clients_and_a_partial_month_is_marked(
    dash_duo, make_app, chain_db, screenshot
):
    expected = Expected(chain_db)
    open_dashboard(dash_duo, make_app(chain_db))
    folder = allow_downloads(dash_duo)
    open_tab(dash_duo, ids.TAB_MIGRATION)
    dash_duo.wait_for_element(f"#{ids.MIGRATION.SANKEY} .main-svg", timeout=TIMEOUT)
    open_tab(dash_duo, ids.TAB_COHORTS)
    wait_until(dash_duo, lambda: query(dash_duo).get("tab") == ["cohorts"], "the address names the tab")
    dash_duo.wait_for_element(band_selector(1), timeout=TIMEOUT)
    click(dash_duo, band_selector(1))
    shows_pick(dash_duo, "Парето: топ 20 % клиентов по выручке", expected.top_band)
    click(dash_duo, f"#{ids.COHORTS.PICK_CSV_BUTTON}")
    path = wait_for_download(dash_duo, folder, ".csv")
    assert path.name == "rfma_парето_0-20_2021-07-01_2022-06-30.csv"
    cards = csv_cards(path)
    assert set(cards) == expected.top_band and len(cards) == len(expected.top_band)
    open_tab(dash_duo, ids.TAB_CLIENTS)
    open_tab(dash_duo, ids.TAB_COHORTS)
    shows_pick(dash_duo, "Парето: топ 20 % клиентов по выручке", expected.top_band)

    # a period ending mid-month: the last month's cells are marked
    dash_duo.driver.get(cohort_url(dash_duo, "&from=2021-07-01&to=2022-06-15"))
    dash_duo.wait_for_contains_text(f"#{ids.COHORTS.COHORT_NOTE}", "неполный месяц (15 дней)", timeout=TIMEOUT)
    assert "*" in text_of(dash_duo, HEATMAP)
    screenshot("43_cohorts_partial_month")
    assert_no_console_errors(dash_duo)


def test_a_viewer_sees_masked_cards_and_is_refused_the_file(dash_duo, make_app, chain_db):
    app = make_app(chain_db, auth="login")
    app.server.extensions[EXTENSION_KEY].users.add("viewer", PASSWORD, "viewer")
    dash_duo.start_server(app, navigate=False, port=PORT)
    log_in(dash_duo, "viewer")
    dash_duo.driver.get(cohort_url(dash_duo))
    dash_duo.wait_for_element(band_selector(1), timeout=TIMEOUT)
    click(dash_duo, band_selector(1))
    wait_until(dash_duo, lambda: len(pick_cards(dash_duo)) > 0, "the table has rows")
    assert all(card.startswith("•••• ") for card in pick_cards(dash_duo)), pick_cards(dash_duo)[:3]
    click(dash_duo, f"#{ids.COHORTS.PICK_CSV_BUTTON}")
    dash_duo.wait_for_contains_text(
        f"#{ids.COHORTS.PICK_EXPORT_MESSAGE}", "скачивать списки клиентов могут", timeout=TIMEOUT
    )
    assert_no_console_errors(dash_duo)
