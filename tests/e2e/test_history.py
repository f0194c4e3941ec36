"""«История» (issue 14) in a real browser, on real paths: another tab first, «Сохранить снимок» for the last three
months, then for all data, the two snapshots compared; a matrix cell opens its flow's clients and «Скачать CSV»
downloads exactly them; an «вошли» count opens its list and its CSV; «Миграция» visited and back; the client card
shows the client's history of segments."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core import history
from core.classify import classify
from core.db import make_engine
from core.migration import Flow
from core.model import Period
from dashboard import ids
from tests.e2e.test_dashboard import TIMEOUT, assert_no_console_errors, open_dashboard, open_tab, text_of, wait_until
from tests.e2e.test_segments import allow_downloads, click, scroll_to, wait_for_download

pytestmark = pytest.mark.browser
QUARTER = Period(dt.date(2022, 4, 1), dt.date(2022, 6, 30))  # «Последние 3 месяца» of the test chain
ALL = Period(dt.date(2021, 7, 1), dt.date(2022, 6, 30))


def snapshots_of(url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both snapshots' clients as core classifies them (suggested thresholds, as on screen), before the app opens
    the file (DuckDB allows one configuration)."""
    engine = make_engine(url)
    try:
        return tuple(history.snapshot_frame(classify(engine, p).clients) for p in (QUARTER, ALL))  # type: ignore[return-value]
    finally:
        engine.dispose()


def grid_total(dash_duo, grid: str) -> int | None:
    text = text_of(dash_duo, f"#{grid} .ag-paging-row-summary-panel")
    tail = text.rsplit("из", 1)[-1].replace("\u00a0", "").replace(" ", "").strip()
    return int(tail) if tail.isdigit() else None


def period_start(dash_duo) -> str | None:
    return dash_duo.find_element(f"#{ids.HEADER.PERIOD}").get_attribute("value")


def save_snapshot(dash_duo, number: int) -> None:
    click(dash_duo, f"#{ids.HISTORY.SAVE}")
    dash_duo.wait_for_contains_text(f"#{ids.HISTORY.SAVE_MESSAGE}", f"Снимок №{number} сохранён", timeout=TIMEOUT)


def downloaded_cards(dash_duo, folder, prefix: str) -> tuple[str, set[str], pd.DataFrame]:
    path = wait_for_download(dash_duo, folder, ".csv")
    assert path.name.startswith(prefix), path.name
    frame = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str)
    path.unlink()  # the next download is the only .csv in the folder
    cards = set(frame["Карта"].str.removeprefix('="').str.removesuffix('"'))
    return path.name, cards, frame


def test_two_snapshots_saved_from_the_page_compare_into_flows_and_lists_with_csv(
    dash_duo, make_app, chain_db, screenshot
):
    before, after = snapshots_of(chain_db)
    flows = history.snapshot_flows(before, after)
    changes = history.entered_left(before, after, "region")
    open_dashboard(dash_duo, make_app(chain_db))
    folder = allow_downloads(dash_duo)
    open_tab(dash_duo, ids.TAB_FINAL)  # another tab first, as people do
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", "Все клиенты", timeout=TIMEOUT)
    open_tab(dash_duo, ids.TAB_HISTORY)
    dash_duo.wait_for_contains_text(f"#{ids.HISTORY.LIST}", "Снимков пока нет", timeout=TIMEOUT)

    dash_duo.find_element(f"#{ids.HEADER.PRESET_QUARTER}").click()  # one period, then another
    wait_until(dash_duo, lambda: period_start(dash_duo) == "01.04.2022", "the period is the last three months")
    save_snapshot(dash_duo, 1)
    assert "период 01.04.2022 – 30.06.2022" in text_of(dash_duo, f"#{ids.HISTORY.SAVE_MESSAGE}")
    dash_duo.find_element(f"#{ids.HEADER.PRESET_ALL}").click()
    wait_until(dash_duo, lambda: period_start(dash_duo) == "01.07.2021", "the period is all data")
    save_snapshot(dash_duo, 2)
    assert "период 01.07.2021 – 30.06.2022" in text_of(dash_duo, f"#{ids.HISTORY.SAVE_MESSAGE}")
    dash_duo.wait_for_contains_text(f"#{ids.HISTORY.LIST}", "Сохранено: 2 снимка", timeout=TIMEOUT)
    dash_duo.wait_for_element(f"#{ids.HISTORY.SIZES} .scatterlayer", timeout=TIMEOUT)
    dash_duo.wait_for_element(f"#{ids.HISTORY.SANKEY} .sankey", timeout=TIMEOUT)  # the last two, chosen for us
    assert "№1" in text_of(dash_duo, f"#{ids.HISTORY.BEFORE}") and "№2" in text_of(dash_duo, f"#{ids.HISTORY.AFTER}")
    screenshot("40_history_pair")

    # a matrix cell → its flow's clients → the CSV
    matrix = flows.groupby(["source_region", "destination_region"]).size().sort_values()  # «новый → …» here
    source, destination = matrix.index[-1]
    flow = Flow("region", source, destination)
    cards = set(flows["card"].take(history.flow_positions(flows, flow)))
    click(dash_duo, f"#{ids.HISTORY.MATRIX} button.rfma-flow-cell[title^='{flow.label}:']")
    dash_duo.wait_for_contains_text(f"#{ids.HISTORY.FLOW_COUNT}", f"{flow.label}: {len(cards)} клиент", timeout=TIMEOUT)
    wait_until(dash_duo, lambda: grid_total(dash_duo, ids.HISTORY.FLOW_GRID) == len(cards), "the pager counts them")
    scroll_to(dash_duo, f"#{ids.HISTORY.FLOW_GRID}")
    screenshot("41_history_flow")
    click(dash_duo, f"#{ids.HISTORY.FLOW_CSV_BUTTON}")
    _, got, frame = downloaded_cards(dash_duo, folder, f"rfma_history_{flow.file_part()}_2022-06-30_2022-06-30")
    assert got == cards and len(frame) == len(cards) and set(frame["Регион до"]) == {source}

    # an «вошли» count → its list → the CSV
    segment = changes[changes["change"] == "entered"]["segment"].value_counts().idxmax()
    entered = set(changes.loc[(changes["segment"] == segment) & (changes["change"] == "entered"), "card"])
    click(dash_duo, f"#{ids.HISTORY.CHANGES} button.rfma-flow-cell[title^='вошли в {segment} ']")
    dash_duo.wait_for_contains_text(f"#{ids.HISTORY.CHANGE_COUNT}", f": {len(entered)} клиент", timeout=TIMEOUT)
    wait_until(dash_duo, lambda: grid_total(dash_duo, ids.HISTORY.CHANGE_GRID) == len(entered), "the list's count")
    click(dash_duo, f"#{ids.HISTORY.CHANGE_CSV_BUTTON}")
    _, got, frame = downloaded_cards(dash_duo, folder, f"rfma_history_region_{segment}_entered_")
    assert got == entered and set(frame["Изменение"]) == {"вошёл"}

    # «Миграция» and back: the comparison is still there; the client card tells the client's path
    open_tab(dash_duo, ids.TAB_MIGRATION)
    dash_duo.wait_for_element(f"#{ids.MIGRATION.SANKEY} .sankey", timeout=TIMEOUT)
    open_tab(dash_duo, ids.TAB_HISTORY)
    dash_duo.wait_for_element(f"#{ids.HISTORY.SANKEY} .sankey", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(f"#{ids.HISTORY.LIST}", "Сохранено: 2 снимка", timeout=TIMEOUT)
    card = sorted(set(before["card"]))[0]
    open_tab(dash_duo, ids.TAB_FINAL)
    dash_duo.find_element(f"#{ids.FINAL.CARD_INPUT}").send_keys(card)
    dash_duo.find_element(f"#{ids.FINAL.CARD_BUTTON}").click()
    dash_duo.wait_for_contains_text(f"#{ids.HISTORY.CLIENT_PATH}", "История сегментов", timeout=TIMEOUT)
    path = text_of(dash_duo, f"#{ids.HISTORY.CLIENT_PATH}")
    assert "№1" in path and "№2" in path
    assert_no_console_errors(dash_duo)
