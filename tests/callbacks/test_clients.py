"""«Клиенты» callbacks called as Dash calls them, inside a Flask request."""

from __future__ import annotations

from callbacks.clients import ClientsCallbacks
from dashboard import ids
from tests.support.components import figures, find, text
from tests.support.dashboard import EMPTY, FULL, HALF


def kpi(body, component_id) -> str:
    return find(body, component_id).children


def test_the_tab_shows_kpis_and_three_charts_for_all_data(services):
    body = ClientsCallbacks(services).update(ids.TAB_CLIENTS, *FULL)
    assert kpi(body, ids.CLIENTS.KPI_PERIOD) == "01.07.2021 — 30.06.2022"
    assert kpi(body, ids.CLIENTS.KPI_CLIENTS) == "600"
    assert kpi(body, ids.CLIENTS.KPI_SHOPS) == "8"
    assert len(figures(body)) == 3


def test_changing_the_period_changes_the_numbers(services):
    callbacks = ClientsCallbacks(services)
    full = callbacks.update(ids.TAB_CLIENTS, *FULL)
    half = callbacks.update(ids.TAB_CLIENTS, *HALF)
    assert kpi(half, ids.CLIENTS.KPI_PERIOD).startswith("01.01.2022")
    assert int(kpi(half, ids.CLIENTS.KPI_CLIENTS).replace("\u00a0", "")) < 600
    assert kpi(half, ids.CLIENTS.KPI_SHOPS) == "7"  # the closed pharmacy has no sales in 2022
    assert kpi(full, ids.CLIENTS.KPI_CLIENTS) == "600"  # and the other period's result is untouched


def test_a_hidden_tab_computes_nothing_and_an_empty_period_says_why(services):
    callbacks = ClientsCallbacks(services)
    assert callbacks.update(ids.TAB_FINAL, *FULL) is None
    body = callbacks.update(ids.TAB_CLIENTS, *EMPTY)
    assert "нет ни одного чека" in text(body) and figures(body) == []


def test_a_period_without_identified_clients_says_so(make_app, tmp_path):
    from core.db import make_engine
    from core.loading import append_cheques
    from tests.support.chain import chain_cheques

    url = f"duckdb:///{tmp_path / 'anonymous.duckdb'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        append_cheques(conn, chain_cheques(clients=0, anonymous=50))
    engine.dispose()
    app = make_app(url)
    with app.server.test_request_context():
        body = ClientsCallbacks(app.server.extensions["rfma_services"]).update(ids.TAB_CLIENTS, *FULL)
    assert "нет идентифицированных чеков" in text(body) and len(figures(body)) == 1  # the cheques still show


def test_an_unreachable_database_shows_a_message_not_a_traceback(make_app, tmp_path):
    app = make_app(f"duckdb:///{tmp_path / 'missing' / 'nothing.duckdb'}")
    with app.server.test_request_context():
        body = ClientsCallbacks(app.server.extensions["rfma_services"]).update(ids.TAB_CLIENTS, *FULL)
        page = app.layout()
    assert "База данных недоступна" in text(body) and "Traceback" not in text(body)
    assert "База данных недоступна" in text(find(page, ids.HEADER.SOURCE))


def test_a_reimport_is_visible_at_once(make_app, tmp_path):
    from tests.support.chain import append_more, build_chain_database, chain_cheques

    url = build_chain_database(tmp_path / "grow.duckdb", clients=50, anonymous=20)
    app = make_app(url)
    services = app.server.extensions["rfma_services"]
    with app.server.test_request_context():
        first = kpi(ClientsCallbacks(services).update(ids.TAB_CLIENTS, *FULL), ids.CLIENTS.KPI_CHEQUES)
    extra = chain_cheques(clients=5, anonymous=5, seed=7)
    extra["doc_id"] = "X" + extra["doc_id"]
    extra["card"] = extra["card"].where(extra["card"].isna(), "9" + extra["card"].astype(str))
    append_more(url, extra)
    with app.server.test_request_context():
        second = kpi(ClientsCallbacks(services).update(ids.TAB_CLIENTS, *FULL), ids.CLIENTS.KPI_CHEQUES)
    assert first != second
