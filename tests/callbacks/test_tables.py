"""The download callback of every table's buttons and of «Скачать всё в Excel», as Dash calls it."""

from __future__ import annotations

import base64
import io
import json

import openpyxl
from dash._callback_context import context_value
from dash._utils import AttributeDict

from callbacks.tables import TablesCallbacks
from dashboard import ids
from tests.support.components import text
from tests.support.dashboard import EMPTY, FULL


def press(services, table: str, kind: str, clicks: int | None = 1, period=FULL, bonus: str | None = None):
    button = ids.table_download(table, kind)
    name = json.dumps(button, sort_keys=True, separators=(",", ":"))
    token = context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{name}.n_clicks", "value": clicks}]))
    try:
        return TablesCallbacks(services).download([clicks], *period, None, bonus, "region", "clients", None)
    finally:
        context_value.reset(token)


def test_a_click_sends_the_file_a_redrawn_button_sends_nothing(services):
    data, message = press(services, "classes", "xlsx")
    assert data["filename"] == f"rfma_Классы_{FULL[0]}_{FULL[1]}.xlsx" and data["base64"] and message is None
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(data["content"]))).worksheets[0]
    assert sheet.max_row == 109 and sheet["E1"].value == "Класс"
    assert [type(x).__name__ for x in press(services, "classes", "xlsx", clicks=None)] == ["NoUpdate", "NoUpdate"]


def test_an_error_is_said_in_russian_and_sends_nothing(services):
    data, message = press(services, "pharmacies", "csv", period=EMPTY)
    assert type(data).__name__ == "NoUpdate" and "нет" in text(message).lower()
    data, message = press(services, "migration", "csv")
    assert type(data).__name__ == "NoUpdate" and "бонус-дату" in text(message)
    data, _ = press(services, "migration", "csv", bonus="2021-12-30")
    assert data["filename"].endswith(".csv") and data["type"] == "text/csv"
