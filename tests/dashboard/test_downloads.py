"""The streamed «Скачать CSV»: the callback checks the state and returns a short-lived link; the Flask route streams
the selection chunk by chunk with the file name, and answers a bad or expired link with a Russian message."""

from __future__ import annotations

import io
from urllib.parse import quote

import pandas as pd

from callbacks.final import FinalCallbacks
from core.client_filter import TABLE_COLUMNS, ClientFilter, filter_clients, sort_clients
from core.export import iter_client_list_csv
from dashboard import downloads, grid
from tests.support.components import text
from tests.support.dashboard import FULL

NO_FILTERS = (None, None, None, None, None, None)
BY_REVENUE = [{"colId": "revenue", "sort": "desc", "sortIndex": 0}]


def engine_selection(services, flt: ClientFilter, sort) -> pd.DataFrame:
    """What the table shows, computed the frame way: filtered copy, then sorted copy."""
    request = services.requests.build(*FULL)
    clients = services.analyses.classification(request).clients
    shop_cards = services.analyses.shop_clients(request) if flt.shops else None
    return sort_clients(filter_clients(clients, flt, shop_cards), sort)


def csv_rows(frame: pd.DataFrame, fmt: str, names: str = "ru") -> bytes:
    """The CSV rows (header row and data, no BOM) of a frame."""
    return b"".join(iter_client_list_csv(frame, TABLE_COLUMNS, [], fmt, names=names))[3:]


def test_the_link_streams_the_segment_in_the_tables_order_with_its_file_name(request_ctx, services):
    url, note = FinalCallbacks(services).download_csv(1, *FULL, {}, "r110", *NO_FILTERS, {}, BY_REVENUE, "excel", "ru")
    assert url.startswith("/download/clients.csv?token=") and "скачивается" in text(note)
    response = request_ctx.server.test_client().get(url)
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv" and response.headers["X-Accel-Buffering"] == "no"
    name = "rfma_110_VIP_2021-07-01_2022-06-30.csv"
    assert response.headers["Content-Disposition"] == f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    chunks = list(response.response)
    assert len(chunks) >= 2 and chunks[0] == b"\xef\xbb\xbf"  # the BOM (no '#' lines), then the rows
    content = b"".join(chunks)
    expected = engine_selection(services, ClientFilter.build("r110"), (("revenue", True),))
    assert content == b"\xef\xbb\xbf" + csv_rows(expected, "excel")
    assert content.decode("utf-8-sig").startswith("Карта;Регион;Название региона;Кластер;")
    frame = pd.read_csv(io.BytesIO(content), sep=";", decimal=",", encoding="utf-8-sig", dtype={"Карта": str})
    assert list(frame["Карта"]) == [f'="{card}"' for card in expected["card"]] and len(frame) > 50
    assert set(frame["Регион"]) == {110} and frame["Выручка, ₽"].dtype == "float64"


def test_every_filter_reaches_the_file(request_ctx, services):
    model = {"revenue": {"filterType": "number", "type": "greaterThan", "filter": 300}}
    by_card = [{"colId": "card", "sort": "desc", "sortIndex": 0}]
    shops = ["Аптека 2", "Аптека 4"]
    url, _ = FinalCallbacks(services).download_csv(
        1, *FULL, {}, "w1", shops, [1], None, None, None, "1", model, by_card, "csv", "machine"
    )
    response = request_ctx.server.test_client().get(url)
    content = response.data
    flt = ClientFilter.build("w1", shops, {"r": [1]}, "1", grid.column_filters(model))
    expected = engine_selection(services, flt, (("card", True),))
    assert content == b"\xef\xbb\xbf" + csv_rows(expected, "csv", "machine") and len(expected) > 0
    assert content.decode("utf-8-sig").startswith("card,region,region_name,")
    name = "rfma_1_горячие_2_аптеки_R1_поиск_по_карте_фильтры_таблицы_1_2021-07-01_2022-06-30.csv"
    assert response.headers["Content-Disposition"].endswith(quote(name))  # the filters, never the card's digits


def test_a_cyrillic_file_name_is_encoded_per_rfc_5987(request_ctx, services):
    url, _ = FinalCallbacks(services).download_csv(1, *FULL, {}, "all", *NO_FILTERS, {}, None, "excel", "ru")
    disposition = request_ctx.server.test_client().get(url).headers["Content-Disposition"]
    name = "rfma_все_клиенты_2021-07-01_2022-06-30.csv"
    assert disposition.endswith(f"filename*=UTF-8''{quote(name)}") and disposition.isascii()


def test_a_bad_or_expired_link_is_a_russian_text_error(app):
    client = app.server.test_client()
    bad = client.get("/download/clients.csv?token=<script>")
    assert bad.status_code == 400 and bad.mimetype == "text/plain" and "Неверная ссылка" in bad.get_data(as_text=True)
    assert "«Финал» или «Миграция»" in bad.get_data(as_text=True)  # both tabs download through this route
    assert client.get("/download/clients.csv").status_code == 400
    gone = client.get("/download/clients.csv?token=" + "A" * 32)
    assert gone.status_code == 410 and "устарела" in gone.get_data(as_text=True)
    assert "действует 10 минут)" in gone.get_data(as_text=True) and "«Миграция»" in gone.get_data(as_text=True)
    assert "Traceback" not in gone.get_data(as_text=True)


def test_links_work_without_a_shared_cache(make_app, chain_url):
    app = make_app(chain_url, cache_type="NullCache")
    services = app.server.extensions["rfma_services"]
    with app.server.test_request_context():
        url, _ = FinalCallbacks(services).download_csv(1, *FULL, {}, "c22", *NO_FILTERS, {}, None, "excel", "ru")
    response = app.server.test_client().get(url)
    assert response.status_code == 200 and response.data.decode("utf-8-sig").startswith("Карта;")
    assert url.startswith(app.server.config[downloads.URL_CONFIG])
