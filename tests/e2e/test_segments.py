"""End-to-end: the segment tree drives the client table, and «Скачать CSV» / «Скачать отчёт» download exactly
the selection (headless Chromium, dash[testing]'s dash_duo)."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from selenium.webdriver.support.wait import WebDriverWait

from core.classify import classify
from core.db import make_engine
from dashboard import ids
from layouts.final_tree import node_selector as tree_node_selector
from tests.e2e.test_dashboard import (
    TIMEOUT,
    assert_no_console_errors,
    open_dashboard,
    open_tab,
    text_of,
    wait_until,
)

pytestmark = pytest.mark.browser


def node_selector(node: str) -> str:
    """CSS selector of a node of «Финал»'s list tree."""
    return tree_node_selector(ids.FINAL.TREE, node)


def engine_clients(url: str) -> pd.DataFrame:
    engine = make_engine(url)
    try:
        return classify(engine).clients
    finally:
        engine.dispose()


def allow_downloads(dash_duo) -> Path:
    """Headless Chromium saves downloads only when told where (the prefs alone are not enough in headless mode)."""
    path = Path(dash_duo.download_path)
    dash_duo.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(path)})
    return path


def wait_for_download(dash_duo, folder: Path, suffix: str) -> Path:
    def finished():
        files = [p for p in folder.iterdir() if p.name.endswith(suffix)]
        partial = [p for p in folder.iterdir() if p.name.endswith(".crdownload")]
        return files[0] if files and not partial else None

    return WebDriverWait(dash_duo.driver, TIMEOUT, poll_frequency=0.1).until(
        lambda _: finished(), f"a {suffix} file downloads"
    )


def grid_cards(dash_duo) -> list[str]:
    cells = dash_duo.driver.find_elements("css selector", f"#{ids.FINAL.CLIENT_GRID} .ag-row [col-id='card']")
    return [c.text for c in cells if c.text]


def scroll_to(dash_duo, selector: str, block: str = "center"):
    """Scroll an element into view at once (Bootstrap's CSS makes scrolling smooth, i.e. late, by default)."""
    element = dash_duo.find_element(selector)
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: arguments[1], behavior: 'instant'})", element, block
    )
    return element


def click(dash_duo, selector: str, attempts: int = 5) -> None:
    """Click an element, looking it up again when a re-render replaced it between finding and clicking, or moved it
    under another element (a list appearing above it shifts the page)."""
    from selenium.common.exceptions import ElementClickInterceptedException, StaleElementReferenceException

    for attempt in range(attempts):
        try:
            scroll_to(dash_duo, selector).click()
            return
        except (StaleElementReferenceException, ElementClickInterceptedException):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2)


def grid_total(dash_duo) -> int | None:
    """The row count in the grid's pager ('1 — 50 из 58' → 58)."""
    text = text_of(dash_duo, f"#{ids.FINAL.CLIENT_GRID} .ag-paging-row-summary-panel")
    tail = text.rsplit("из", 1)[-1].replace("\u00a0", "").replace(" ", "").strip()
    return int(tail) if tail.isdigit() else None


def test_clicking_a_tree_node_filters_the_table_and_the_csv_holds_exactly_that_segment(
    dash_duo, make_app, chain_db, screenshot
):
    clients = engine_clients(chain_db)
    vip = set(clients.loc[clients["region"] == 110, "card"])
    assert 50 < len(vip) < 100  # two pages of the table
    open_dashboard(dash_duo, make_app(chain_db))
    folder = allow_downloads(dash_duo)
    open_tab(dash_duo, ids.TAB_FINAL)
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", "Все клиенты: 600 клиентов", timeout=TIMEOUT)
    wait_until(dash_duo, lambda: len(grid_cards(dash_duo)) > 0, "the table shows the first page")
    dash_duo.wait_for_contains_text(node_selector("r110"), str(len(vip)), timeout=TIMEOUT)
    dash_duo.wait_for_element(f"#{ids.FINAL.SUNBURST} .main-svg", timeout=TIMEOUT)
    screenshot("13_segment_tree_all")

    click(dash_duo, node_selector("r110"))
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", f"110 VIP: {len(vip)} клиентов", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.BREADCRUMB}", "110 VIP", timeout=TIMEOUT)
    assert "1 горячие" in text_of(dash_duo, f"#{ids.FINAL.BREADCRUMB}")
    # the grid renders only the rows in view: every rendered row is in the segment, and the pager counts all of them
    wait_until(dash_duo, lambda: grid_total(dash_duo) == len(vip), "the pager counts the clients of region 110")
    wait_until(
        dash_duo,
        lambda: 0 < len(grid_cards(dash_duo)) and set(grid_cards(dash_duo)) <= vip,
        "the table lists only clients of region 110",
    )
    dash_duo.wait_for_contains_class(node_selector("r110"), "rfma-tree-selected", timeout=TIMEOUT)
    screenshot("14_segment_region_selected")
    scroll_to(dash_duo, f"#{ids.FINAL.CLIENT_GRID}")
    screenshot("15_segment_client_table")
    scroll_to(dash_duo, f"#{ids.FINAL.SCATTER}")
    dash_duo.wait_for_element(f"#{ids.FINAL.SCATTER} .main-svg", timeout=TIMEOUT)
    screenshot("16_rfm_scatter")

    click(dash_duo, f"#{ids.FINAL.CSV_BUTTON}")
    path = wait_for_download(dash_duo, folder, ".csv")
    assert path.name == "rfma_110_VIP_2021-07-01_2022-06-30.csv"
    raw = path.read_bytes()
    assert raw.startswith("\ufeffКарта;Регион;".encode())  # UTF-8 BOM, then the Russian header row (no '#' lines)
    frame = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"Карта": str})
    assert set(frame["Карта"].str[2:-1]) == vip and len(frame) == len(vip)  # ="…": Excel keeps the card as text
    assert set(frame["Регион"]) == {110}

    click(dash_duo, f"#{ids.FINAL.REPORT_BUTTON}")
    report = wait_for_download(dash_duo, folder, ".html").read_text(encoding="utf-8")
    assert f'data-clients="{len(vip)}"' in report and "Ключевые выводы" in report

    click(dash_duo, f"#{ids.FINAL.SEGMENT_RESET}")
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", "Все клиенты: 600 клиентов", timeout=TIMEOUT)
    wait_until(dash_duo, lambda: len(set(grid_cards(dash_duo)) - vip) > 0, "reset shows clients of every region again")
    assert_no_console_errors(dash_duo)
