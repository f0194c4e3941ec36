"""Exports (issue 12): a table's «XLSX» button downloads the table on screen, «Скачать всё в Excel» the whole
dashboard's workbook — both opened with openpyxl."""

from __future__ import annotations

import openpyxl
import pytest

from dashboard import ids
from dashboard.services.tables import TABLES
from dashboard.services.workbook import REPORT_SHEET, WORKBOOK_TABLES
from tests.e2e.test_dashboard import TIMEOUT, assert_no_console_errors, open_dashboard, open_tab
from tests.e2e.test_segments import allow_downloads, click, wait_for_download

pytestmark = pytest.mark.browser
XLSX_BUTTON = "button.rfma-table-download[title='Скачать таблицу в XLSX']"


def test_a_tables_xlsx_and_the_workbook_download_and_open(dash_duo, make_app, chain_db, screenshot):
    open_dashboard(dash_duo, make_app(chain_db))
    folder = allow_downloads(dash_duo)
    open_tab(dash_duo, ids.TAB_PHARMACIES)
    dash_duo.wait_for_element(f"#{ids.PHARMACIES.TABLE} tbody tr", timeout=TIMEOUT)
    shown = len(dash_duo.driver.find_elements("css selector", f"#{ids.PHARMACIES.TABLE} tbody tr"))
    headers = [th.text for th in dash_duo.driver.find_elements("css selector", f"#{ids.PHARMACIES.TABLE} thead th")]
    click(dash_duo, f"#{ids.PHARMACIES.BODY} {XLSX_BUTTON}")
    path = wait_for_download(dash_duo, folder, ".xlsx")
    assert path.name == "rfma_Аптеки_2021-07-01_2022-06-30.xlsx"
    rows = list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == headers and len(rows) == shown + 1 == 9
    path.unlink()

    open_tab(dash_duo, ids.TAB_FINAL)
    dash_duo.wait_for_element(f"#{ids.FINAL.REGION_TABLE} tbody tr", timeout=TIMEOUT)
    click(dash_duo, "button.rfma-workbook-button")
    screenshot("40_final_workbook_button")
    path = wait_for_download(dash_duo, folder, ".xlsx")
    assert path.name == "rfma_дашборд_2021-07-01_2022-06-30.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [REPORT_SHEET, *(TABLES[n].title for n in WORKBOOK_TABLES)]  # the default bonus date
    report = {row[0]: row[1] for row in book[REPORT_SHEET].iter_rows(min_row=3, values_only=True) if row[0]}
    assert report["Период"] == "01.07.2021 — 30.06.2022" and report["Бонус-дата (миграция)"] == "30.12.2021"
    assert book["Регионы"].max_row == 10 and book["Аптеки"].max_row == shown + 1
    assert_no_console_errors(dash_duo)
