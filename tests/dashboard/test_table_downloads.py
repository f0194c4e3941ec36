"""Every table's CSV / XLSX and the whole dashboard's workbook over HTTP (Flask's test client, auth="login", as
tests/dashboard/test_auth.py): Russian headers, the rows on screen, cards as text cells, the «Отчёт» sheet; a
viewer gets every table of aggregates and no card number; each download is in the audit log."""

from __future__ import annotations

import base64
import csv
import io
import json
import zipfile

import openpyxl
import pytest

from dashboard import ids
from dashboard.services.access import IDENTITY_KEY, Identity
from dashboard.services.tables import TABLES, Selection
from dashboard.services.workbook import DOWNLOAD_TABLE, DOWNLOAD_WORKBOOK, REPORT_SHEET, WORKBOOK_TABLES
from tests.dashboard.test_auth import CARD, CARD_PREFIX, PASSWORD, card_chain, signed_in  # noqa: F401  (a fixture)
from tests.support.dashboard import FULL

BONUS = "2021-12-30"
SHOWN_CARD = CARD_PREFIX + "100012"
AGGREGATES = [name for name, spec in TABLES.items() if not spec.personal]
PERSONAL = [name for name, spec in TABLES.items() if spec.personal]
DOWNLOAD_KEY = f"..{ids.SHELL.DOWNLOAD}.data...{ids.SHELL.DOWNLOAD_MESSAGE}.children.."


@pytest.fixture(name="app")
def login_app(make_app, card_chain):  # noqa: F811  (card_chain: the fixture of tests/dashboard/test_auth.py)
    """The app with login on the chain of 10-digit cards, with a viewer, a manager and an administrator."""
    app = make_app(card_chain, auth="login")
    for login in ("viewer", "manager", "admin"):
        app.server.extensions["rfma_services"].users.add(login, PASSWORD, login)
    return app


def press(app, client, table: str, kind: str, card: str | None = SHOWN_CARD) -> dict:
    """What the download callback answers when the button of `table` / `kind` is clicked (the page's state: the
    whole period, the chain's set, a bonus date, a card typed on «Финал»)."""
    button = ids.table_download(table, kind)
    spec = app.callback_map[DOWNLOAD_KEY]
    values = {
        ("header-period", "start_date"): FULL[0],
        ("header-period", "end_date"): FULL[1],
        (ids.MIGRATION.BONUS_DATE, "date"): BONUS,
        (ids.MIGRATION.LEVEL, "value"): "region",
        (ids.MIGRATION.VALUE, "value"): "clients",
        (ids.FINAL.CARD_INPUT, "value"): card,
    }
    body = {
        "output": DOWNLOAD_KEY,
        "outputs": [
            {"id": ids.SHELL.DOWNLOAD, "property": "data"},
            {"id": ids.SHELL.DOWNLOAD_MESSAGE, "property": "children"},
        ],
        "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
        "changedPropIds": [json.dumps(button, sort_keys=True, separators=(",", ":")) + ".n_clicks"],
        "state": [
            {"id": s["id"], "property": s["property"], "value": values.get((s["id"], s["property"]))}
            for s in spec["state"]
        ],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code in (200, 204), response.get_data(as_text=True)[:300]
    return response.get_json()["response"] if response.status_code == 200 else {}


def file_of(answer: dict) -> tuple[str, bytes]:
    data = answer[ids.SHELL.DOWNLOAD]["data"]
    return data["filename"], base64.b64decode(data["content"])


def message_of(answer: dict) -> str:
    return json.dumps(answer.get(ids.SHELL.DOWNLOAD_MESSAGE, {}), ensure_ascii=False)


def expected(app, name: str, role: str = "manager"):
    """The table as the service builds it for the page's state (what the tab shows)."""
    from flask import g

    services = app.server.extensions["rfma_services"]
    with app.server.test_request_context():
        setattr(g, IDENTITY_KEY, Identity(role, role))
        request = services.requests.build(*FULL)
        selection = Selection(bonus_date=BONUS, card=SHOWN_CARD)
        return services.tables.table(name, request, selection, Identity(role, role))


def cells(book: openpyxl.Workbook) -> list[str]:
    return [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def test_a_viewer_downloads_every_table_of_aggregates_with_russian_headers_and_no_card(app):
    viewer = signed_in(app, "viewer")
    counts = []
    for name in AGGREGATES:
        table = expected(app, name)
        for kind in ("csv", "xlsx"):
            counts.append(len(table.frame))
            filename, content = file_of(press(app, viewer, name, kind))
            assert filename.endswith("." + kind) and not CARD.search(filename)
            if kind == "csv":
                text = content.decode("utf-8-sig")
                lines = text.strip().split("\r\n")
                assert lines[0].split(";")[0] == table.headers[0] and len(lines) == len(table.frame) + 1, name
                assert not CARD.search(text), name
            else:
                book = openpyxl.load_workbook(io.BytesIO(content))
                sheet = book.worksheets[0]
                rows = list(sheet.iter_rows(values_only=True))
                assert list(rows[0]) == table.headers and len(rows) == len(table.frame) + 1, name
                assert sheet.freeze_panes == "A2"
                assert not any(CARD.search(c) for c in cells(book)), name
    entries = app.server.extensions["rfma_services"].audit.entries(action=DOWNLOAD_TABLE)
    assert len(entries) == 2 * len(AGGREGATES) and {e.user for e in entries} == {"viewer"}
    assert [e.rows for e in entries] == counts  # each file's row count


def test_a_viewer_is_refused_a_clients_cheques_a_manager_gets_the_card_as_a_text_cell(app):
    viewer = signed_in(app, "viewer")
    for name in PERSONAL:
        answer = press(app, viewer, name, "xlsx")
        assert ids.SHELL.DOWNLOAD not in answer and not CARD.search(json.dumps(answer))
        assert "Недостаточно прав" in message_of(answer)
    manager = signed_in(app, "manager")
    _, content = file_of(press(app, manager, "client_cheques", "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2))
    assert rows and len(rows) == len(expected(app, "client_cheques").frame)
    assert all(row[0].value == SHOWN_CARD and row[0].data_type == "s" and row[0].number_format == "@" for row in rows)
    _, content = file_of(press(app, manager, "client_shops", "csv"))
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Карта" and {r[0] for r in rows[1:]} == {f'="{SHOWN_CARD}"'}  # Excel keeps every digit
    entries = app.server.extensions["rfma_services"].audit.entries(action=DOWNLOAD_TABLE)
    assert [e.user for e in entries] == ["manager", "manager"] and not any(CARD.search(e.detail) for e in entries)


def test_the_workbook_has_the_report_sheet_and_every_table_as_on_screen(app):
    services = app.server.extensions["rfma_services"]
    manager = signed_in(app, "manager")
    filename, content = file_of(press(app, manager, ids.WORKBOOK, "xlsx"))
    assert filename == f"rfma_дашборд_{FULL[0]}_{FULL[1]}.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(content))
    titles = [TABLES[name].title for name in WORKBOOK_TABLES]
    assert book.sheetnames == [REPORT_SHEET, *titles]
    report = {row[0]: row[1] for row in book[REPORT_SHEET].iter_rows(min_row=3, values_only=True) if row[0]}
    assert report["Период"] == "01.07.2021 — 30.06.2022"
    assert report["Источник данных"] == services.settings.source_name
    assert report["Пороги"] == "предложены по данным (без набора сети)"
    assert report["Выгрузил"] == "manager" and report["Когда"].endswith(" UTC")
    assert report["Бонус-дата (миграция)"] == "30.12.2021"
    assert {f"Порог {n}" for n in ("r1", "f2", "m1", "a2")} <= set(report)
    for name in WORKBOOK_TABLES:
        table = expected(app, name)
        rows = list(book[table.title].iter_rows(values_only=True))
        assert list(rows[0]) == table.headers and len(rows) == len(table.frame) + 1, name
    regions = book["Регионы"]
    assert regions["D2"].number_format == "#,##0" and "₽" in regions["F2"].number_format
    assert regions["E2"].number_format == "0.0%" and regions.freeze_panes == "A2"
    text = cells(book)
    assert not any(CARD.search(c) for c in text)
    assert not any(services.settings.database_url in c or "duckdb:///" in c for c in text)  # the name, never the URL
    charts = [n for n in zipfile.ZipFile(io.BytesIO(content)).namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 4  # regions, months, clients by pharmacies, pharmacies, grade capacities
    entries = services.audit.entries(action=DOWNLOAD_WORKBOOK)
    assert len(entries) == 1 and entries[0].user == "manager" and entries[0].detail == filename
    assert entries[0].rows == sum(len(expected(app, name).frame) for name in WORKBOOK_TABLES)


@pytest.mark.parametrize("login", ["viewer", "admin"])
def test_a_viewers_workbook_holds_no_card_even_with_a_card_typed_on_the_page(app, login):
    client = signed_in(app, login)
    _, content = file_of(press(app, client, ids.WORKBOOK, "xlsx", card=SHOWN_CARD))
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert "Чеки клиента" not in book.sheetnames and not any(CARD.search(c) for c in cells(book))
    assert book[REPORT_SHEET]["B12"].value is not None


def test_the_workbook_says_the_users_draft_and_the_pinned_thresholds(app):
    from callbacks.tables import TablesCallbacks

    services = app.server.extensions["rfma_services"]
    assert TablesCallbacks(services).threshold_source({"r1": 30}).describe() == "черновик пользователя"
    services.threshold_sets.save(services.threshold_sets.current_pins().with_values(r1=30), "admin", "панель")
    source = TablesCallbacks(services).threshold_source(None)
    assert source.kind == "chain" and source.describe().startswith("набор сети (сохранил admin, ")
