"""What the page discloses about the database: a configured name, never credentials, hosts, paths or PIDs."""

from __future__ import annotations

from core.db import DatabaseError
from dashboard import ids
from dashboard.settings import Settings, default_source_name
from layouts.components import render_error
from tests.support.components import find, text


def test_the_default_name_is_the_backend_and_the_database_only(tmp_path):
    assert default_source_name("postgresql://rfma:secret@db.internal:5432/pharmacy") == "PostgreSQL «pharmacy»"
    assert default_source_name(f"duckdb:///{tmp_path}/deep/path/chain.duckdb") == "DuckDB «chain.duckdb»"
    assert default_source_name("not a url") == "база данных"
    named = Settings.from_env("postgresql://u:p@h/db", source_name="Аптеки Север")
    assert named.source_name == "Аптеки Север"


def test_an_unreachable_server_is_named_without_its_url_in_the_header(make_app, services):
    app = make_app("postgresql+psycopg://rfma:secret@127.0.0.1:1/pharmacy?connect_timeout=2")
    with app.server.test_request_context():
        header = text(find(app.layout(), ids.HEADER.SOURCE))
    assert header == "База данных недоступна (PostgreSQL «pharmacy»). Подробности записаны в журнал сервера."
    for secret in ("secret", "rfma", "127.0.0.1", ":1"):
        assert secret not in header


def test_the_page_shows_the_name_not_the_url(app, request_ctx, chain_url):
    header = text(find(app.layout(), ids.HEADER.SOURCE))
    assert header.startswith("Источник данных: DuckDB «chain.duckdb» · чеков: ")
    assert chain_url.split("///")[1].rsplit("/", 1)[0] not in header  # no directory


def test_a_driver_error_never_reaches_the_page():
    alert = text(render_error(DatabaseError("IO Error: Conflicting lock is held in /usr/bin/python3.11 (PID 4242)")))
    assert "PID" not in alert and "/usr/bin" not in alert and "Conflicting" not in alert
    assert alert.count("недоступна") == 1
