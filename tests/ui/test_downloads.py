"""The streamed «Скачать CSV»: the callback checks the state and returns a short-lived link; the Flask route streams
the selection chunk by chunk with the file name, and answers a bad or expired link with a Russian message."""

from __future__ import annotations

import io
from urllib.parse import quote

import pandas as pd

from callbacks import final
from core.client_filter import TABLE_COLUMNS, ClientFilter, filter_clients, sort_clients
from core.export import iter_client_list_csv
from dashboard import downloads
from dashboard.grid import column_filters
from tests.support.components import text
from tests.ui.conftest import FULL

NO_FILTERS = (None, None, None, None, None, None)
BY_REVENUE = [{"colId": "revenue", "sort": "desc", "sortIndex": 0}]


def engine_selection(services, flt: ClientFilter, sort: tuple[tuple[str, bool], ...]) -> pd.DataFrame:
    """What the table shows, computed the frame way: filtered copy, then sorted copy."""
    key = services.key(*FULL)
    clients = services.classification(key, {}).clients
    shop_cards = services.shop_clients(key) if flt.shops else None
    return sort_clients(filter_clients(clients, flt, shop_cards), sort)


def test_the_link_streams_the_segment_in_the_tables_order_with_its_file_name(request_ctx, services):
    url, note = final.download_csv(1, *FULL, {}, "r110", *NO_FILTERS, {}, BY_REVENUE, "excel")
    assert url.startswith("/download/clients.csv?token=") and "скачивается" in text(note)
    response = request_ctx.server.test_client().get(url)
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv" and response.headers["X-Accel-Buffering"] == "no"
    name = "rfma_110_VIP_2021-07-01_2022-06-30.csv"
    assert response.headers["Content-Disposition"] == f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    chunks = list(response.response)
    assert len(chunks) >= 2 and chunks[0].startswith(b"\xef\xbb\xbf# RFMA: ")  # comment header first, then the rows
    content = b"".join(chunks)
    expected = engine_selection(services, ClientFilter.build("r110"), (("revenue", True),))
    lines = content.split(b"\n", 5)
    assert lines[4] == f"# клиентов: {len(expected)}".encode()
    # the same bytes as the core writer, BOM aside
    assert lines[5] == b"".join(iter_client_list_csv(expected, TABLE_COLUMNS, [], "excel"))[3:]
    frame = pd.read_csv(
        io.BytesIO(content), sep=";", decimal=",", comment="#", encoding="utf-8-sig", dtype={"card": str}
    )
    assert list(frame["card"]) == list(expected["card"]) and set(frame["region"]) == {110} and len(frame) > 50


def test_every_filter_reaches_the_file(request_ctx, services):
    model = {"revenue": {"filterType": "number", "type": "greaterThan", "filter": 300}}
    url, _ = final.download_csv(
        1,
        *FULL,
        {},
        "w1",
        ["Аптека 2", "Аптека 4"],
        [1],
        None,
        None,
        None,
        "1",
        model,
        [{"colId": "card", "sort": "desc", "sortIndex": 0}],
        "csv",
    )
    content = request_ctx.server.test_client().get(url).data
    flt = ClientFilter.build("w1", ["Аптека 2", "Аптека 4"], {"r": [1]}, "1", column_filters(model))
    expected = engine_selection(services, flt, (("card", True),))
    assert content.split(b"\n", 5)[5] == b"".join(iter_client_list_csv(expected, TABLE_COLUMNS, [], "csv"))[3:]
    filters = content.decode("utf-8-sig").splitlines()[3]
    assert filters.startswith("# фильтры: сегмент: 1 горячие | аптеки: Аптека 2, Аптека 4 | R: 1") and len(expected) > 0


def test_a_cyrillic_file_name_is_encoded_per_rfc_5987(request_ctx):
    url, _ = final.download_csv(1, *FULL, {}, "all", *NO_FILTERS, {}, None, "excel")
    disposition = request_ctx.server.test_client().get(url).headers["Content-Disposition"]
    name = "rfma_все_клиенты_2021-07-01_2022-06-30.csv"
    assert disposition.endswith(f"filename*=UTF-8''{quote(name)}") and disposition.isascii()


def test_an_invalid_state_shows_the_message_and_makes_no_link(request_ctx):
    url, note = final.download_csv(1, "2030-01-01", "2030-01-31", {}, "all", *NO_FILTERS, {}, None, "excel")
    assert type(url).__name__ == "NoUpdate" and "нет ни одного чека" in text(note)
    url, note = final.download_csv(1, *FULL, {}, "all", *NO_FILTERS, {"nope": {"filterType": "text"}}, None, "excel")
    assert type(url).__name__ == "NoUpdate" and "неизвестной колонке" in text(note)


def test_a_bad_or_expired_link_is_a_russian_text_error(app):
    client = app.server.test_client()
    bad = client.get("/download/clients.csv?token=<script>")
    assert bad.status_code == 400 and bad.mimetype == "text/plain" and "Неверная ссылка" in bad.get_data(as_text=True)
    assert client.get("/download/clients.csv").status_code == 400
    gone = client.get("/download/clients.csv?token=" + "A" * 32)
    assert gone.status_code == 410 and "устарела" in gone.get_data(as_text=True)
    assert "Traceback" not in gone.get_data(as_text=True)


def test_links_work_without_a_shared_cache(make_app, chain_url):
    app = make_app(chain_url, cache_type="NullCache")
    with app.server.test_request_context():
        url, _ = final.download_csv(1, *FULL, {}, "c22", *NO_FILTERS, {}, None, "excel")
    response = app.server.test_client().get(url)
    assert response.status_code == 200 and b"# RFMA: " in response.data
    assert url.startswith(app.server.config[downloads.URL_CONFIG])
