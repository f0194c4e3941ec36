"""The dashboard on an embedded ClickHouse (chDB) database: the «Клиенты» and «Финал» tabs through the services give
the DuckDB chain's answers, and the app served by gunicorn (one worker: chDB opens a directory in one process)."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from core.db import create_tables, make_engine
from core.loading import append_cheques
from dashboard.services import EXTENSION_KEY
from tests.support.chain import chain_cheques
from tests.support.dashboard import FULL, HALF
from tests.support.serving import ROOT, Gunicorn, callback_payload

pytestmark = pytest.mark.clickhouse


@pytest.fixture
def chdb_chain(chdb_url) -> str:
    """The test chain in a fresh chDB database."""
    engine = make_engine(chdb_url)
    with engine.begin() as conn:
        create_tables(conn)
        append_cheques(conn, chain_cheques())
    engine.dispose()
    return chdb_url


def _services(app):
    return app.server.extensions[EXTENSION_KEY]


def test_clients_and_final_tabs_on_chdb_are_the_duckdb_chains(make_app, chdb_chain, chain_url):
    on_clickhouse, on_duckdb = make_app(chdb_chain), make_app(chain_url)
    with on_clickhouse.server.test_request_context():
        ch = _services(on_clickhouse)
        ch_clients = ch.clients.view(ch.requests.build(*FULL))
        ch_half = ch.clients.view(ch.requests.build(*HALF))
        ch_final = ch.final.view(ch.requests.build(*FULL))
        ch_card = ch.final.client_card(ch.requests.build(*FULL), "100000")
    with on_duckdb.server.test_request_context():
        duck = _services(on_duckdb)
        duck_clients = duck.clients.view(duck.requests.build(*FULL))
        duck_half = duck.clients.view(duck.requests.build(*HALF))
        duck_final = duck.final.view(duck.requests.build(*FULL))
        duck_card = duck.final.client_card(duck.requests.build(*FULL), "100000")
    assert ch_clients.clients == duck_clients.clients == 600 and ch_clients.message is None
    pd.testing.assert_frame_equal(ch_clients.shops_per_client, duck_clients.shops_per_client, check_dtype=False)
    assert ch_half.clients == duck_half.clients
    assert ch_final.clients == duck_final.clients and ch_final.thresholds == duck_final.thresholds
    for name in ("classes", "clusters", "regions"):
        pd.testing.assert_frame_equal(getattr(ch_final, name), getattr(duck_final, name), check_dtype=False)
    assert ch_card.row == duck_card.row and len(ch_card.cheques) == len(duck_card.cheques)


def test_gunicorn_serves_a_chdb_database_with_one_worker(tmp_path):
    from core import formatting as fmt
    from dashboard import ids

    # this test process holds its own chDB directory: the database is made by `rfma demo` in another process
    url = f"chdb:///{tmp_path / 'served'}"
    demo = [sys.executable, "-m", "dashboard.cli", "demo", "--db", url, "--scale", "0.2"]
    subprocess.run(demo, cwd=ROOT, check=True, capture_output=True, env={**_env(), "PYTHONPATH": str(ROOT)})
    pareto = [sys.executable, "-m", "dashboard.cli", "pareto", "--db", url]
    run = subprocess.run(pareto, cwd=ROOT, check=True, capture_output=True, env={**_env(), "PYTHONPATH": str(ROOT)})
    clients = json.loads(run.stdout)["clients"]  # the identified clients of the whole period, by the CLI
    one_worker = ("--preload", "--workers", "1", "--worker-class", "gthread", "--threads", "4", "--timeout", "120")
    server = Gunicorn(url, tmp_path / "state", *one_worker)
    body = callback_payload(
        (ids.CLIENTS.BODY, "children"),
        [(ids.SHELL.TABS, "active_tab", ids.TAB_CLIENTS), (ids.HEADER.PERIOD, "start_date", None),
         (ids.HEADER.PERIOD, "end_date", None)],
    )  # fmt: skip
    try:
        layout_status, _layout = server.get("/_dash-layout")
        status, answer = server.post_json("/_dash-update-component", body)
    finally:
        code, log = server.stop()
    assert layout_status == 200 and status == 200, (status, str(answer)[:300], log[-2000:])
    assert clients > 100 and f'"{fmt.integer(clients)}"' in json.dumps(answer, ensure_ascii=False)  # the KPI
    assert code == 0 and "Traceback" not in log, log[-3000:]


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_the_page_names_a_chdb_database_by_its_directory_not_its_path():
    from dashboard.settings import default_source_name

    assert default_source_name("chdb:///srv/rfma/secret-place/chain?database=t1") == "ClickHouse (chDB) «chain»"
    assert default_source_name("clickhouse://u:p@warehouse:8123/loyalty") == "ClickHouse «loyalty»"
