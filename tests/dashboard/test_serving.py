"""The dashboard under gunicorn exactly as docs/DASHBOARD.md documents it: preloaded workers get their own
connections, simultaneous first requests get the single-user answers, stalled downloads cannot take every thread,
and the workers stop cleanly."""

from __future__ import annotations

import concurrent.futures
import json
import re
import socket
import time

import pytest

from core import formatting as fmt
from core.db import create_tables, make_engine
from core.loading import append_cheques
from dashboard import ids
from tests.support.chain import build_chain_database, chain_cheques, count_rows
from tests.support.dashboard import FULL
from tests.support.serving import ADMIN, Gunicorn, callback_payload

pytestmark = pytest.mark.server

CLIENTS_BODY = callback_payload(
    (ids.CLIENTS.BODY, "children"),
    [
        (ids.SHELL.TABS, "active_tab", ids.TAB_CLIENTS),
        (ids.HEADER.PERIOD, "start_date", FULL[0]),
        (ids.HEADER.PERIOD, "end_date", FULL[1]),
    ],
)


@pytest.fixture(params=["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)])
def chain_db(request, tmp_path) -> str:
    """The test chain on each backend."""
    if request.param == "duckdb":
        return build_chain_database(tmp_path / "chain.duckdb")
    url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    with engine.begin() as conn:
        create_tables(conn)
        append_cheques(conn, chain_cheques())
    engine.dispose()
    return url


def texts(document) -> str:
    return json.dumps(document, ensure_ascii=False)


def ask(server: Gunicorn, i: int) -> tuple[str, str]:
    """Every other request is a first page load, the others the «Клиенты» tab's callback."""
    if i % 2:
        status, body = server.get("/_dash-layout")
        return "layout", f"{status} " + texts(json.loads(body))
    status, answer = server.post_json("/_dash-update-component", CLIENTS_BODY)
    return "clients", f"{status} " + texts(answer)


def test_simultaneous_first_requests_to_preloaded_workers_get_the_single_user_answers(chain_db, tmp_path):
    server = Gunicorn(chain_db, tmp_path / "state")
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(lambda i: ask(server, i), range(16)))
        reference = dict(ask(server, i) for i in (0, 1))  # one user, after the rush
    finally:
        code, log = server.stop()
    cheques = fmt.integer(count_rows(chain_db)) if chain_db.startswith("duckdb") else None
    assert reference["layout"].startswith("200 ") and reference["clients"].startswith("200 ")
    if cheques:
        assert f"чеков: {cheques}" in reference["layout"]
    assert '"600"' in reference["clients"]  # the identified clients KPI
    wrong = [(kind, answer[:300]) for kind, answer in answers if answer != reference[kind]]
    assert wrong == []
    assert code == 0 and "Traceback" not in log and "Segmentation fault" not in log, log[-3000:]


SEGMENTS_AND_PERIODS = [
    (segment, period) for segment in ("r110", "r510", "c22") for period in (FULL, ("2022-04-01", FULL[1]))
]
BY_REVENUE = [{"colId": "revenue", "sort": "desc", "sortIndex": 0}]


def grid_page(server: Gunicorn, segment: str, period) -> str:
    """The first page of «Финал»'s client table, as the grid asks for it."""
    request = {"startRow": 0, "endRow": 50, "sortModel": BY_REVENUE[:1], "filterModel": {}}
    state = [(ids.SHELL.TABS, "active_tab", ids.TAB_FINAL), *period_and_pins(period), *filters(segment)]
    payload = callback_payload(
        (ids.FINAL.CLIENT_GRID, "getRowsResponse"), [(ids.FINAL.CLIENT_GRID, "getRowsRequest", request)], state
    )
    status, answer = server.post_json("/_dash-update-component", payload)
    return f"{status} " + texts(answer)


def csv_link(server: Gunicorn, segment: str, period) -> bytes:
    """«Скачать CSV» of a segment in the table's default order, through the callback and the streamed link."""
    outputs = [(ids.FINAL.CSV_LINK, "data"), (ids.FINAL.EXPORT_MESSAGE, "children")]
    state = [*period_and_pins(period), *filters(segment)]
    state += [(ids.FINAL.CLIENT_GRID, "filterModel", {}), (ids.FINAL.CLIENT_GRID, "columnState", BY_REVENUE)]
    state += [(ids.FINAL.CSV_FORMAT, "value", "csv"), (ids.FINAL.CSV_NAMES, "value", "machine")]
    payload = callback_payload(outputs[0], [(ids.FINAL.CSV_BUTTON, "n_clicks", 1)], state)
    payload["output"] = ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".."
    payload["outputs"] = [{"id": i, "property": p} for i, p in outputs]
    status, answer = server.post_json("/_dash-update-component", payload)
    assert status == 200, answer
    link = answer["response"][ids.FINAL.CSV_LINK]["data"]
    for _ in range(100):  # more files at once than the workers stream: 503 + Retry-After, and the user tries again
        status, body = server.get(link)
        if status != 503:
            break
        time.sleep(0.2)
    assert status == 200, body[:300]
    return body


def period_and_pins(period) -> list:
    return [(ids.HEADER.PERIOD, "start_date", period[0]), (ids.HEADER.PERIOD, "end_date", period[1]),
            (ids.SHELL.DRAFT, "data", None)]  # fmt: skip


def filters(segment: str) -> list:
    values = [(ids.FINAL.SELECTION, "data", segment), (ids.FINAL.FILTER_SHOPS, "value", None)]
    grades = [ids.FINAL.FILTER_R, ids.FINAL.FILTER_F, ids.FINAL.FILTER_M, ids.FINAL.FILTER_A, ids.FINAL.FILTER_CARD]
    return values + [(component, "value", None) for component in grades]


def engine_order(url: str, segment: str, period) -> list[str]:
    """The cards of a segment in the table's order (revenue descending, ties by card), straight from the engine."""
    from core.classify import classify
    from core.model import Period
    from core.segment_tree import Segment

    engine = make_engine(url)
    clients = classify(engine, Period.parse(*period)).clients
    engine.dispose()
    chosen = clients[Segment.parse(segment).mask(clients)]
    return list(chosen.sort_values(["revenue", "card"], ascending=[False, True], kind="stable")["card"])


def test_simultaneous_cold_pages_and_csv_files_of_different_segments_are_the_engines(chain_db, tmp_path):
    server = Gunicorn(chain_db, tmp_path / "state")
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
            pages = list(pool.map(lambda case: grid_page(server, *case), SEGMENTS_AND_PERIODS))
            files = list(pool.map(lambda case: csv_link(server, *case), SEGMENTS_AND_PERIODS))
        reference = [grid_page(server, *case) for case in SEGMENTS_AND_PERIODS]  # one user, after the rush
    finally:
        code, log = server.stop()
    assert pages == reference
    for (segment, period), page, body in zip(SEGMENTS_AND_PERIODS, pages, files, strict=True):
        expected = engine_order(chain_db, segment, period)
        rows = [line.split(",")[0] for line in body.decode("utf-8-sig").splitlines() if not line.startswith("#")]
        assert rows[0] == "card" and rows[1:] == expected, (segment, period)  # row by row
        shown = [
            row["card"] for row in json.loads(page[4:])["response"][ids.FINAL.CLIENT_GRID]["getRowsResponse"]["rowData"]
        ]
        assert shown == expected[:50], (segment, period)
    assert code == 0 and "Traceback" not in log, log[-3000:]


def test_stalled_downloads_cannot_take_every_thread(tmp_path):
    from core.demo import generate_demo_cheques
    from core.loading import replace_with_demo

    url = f"duckdb:///{tmp_path / 'demo.duckdb'}"
    engine = make_engine(url)
    replace_with_demo(engine, generate_demo_cheques(scale=10), seed=1, scale=10)
    engine.dispose()
    server = Gunicorn(url, tmp_path / "state")
    stalled: list[socket.socket] = []
    try:
        link = keep_export(url, tmp_path / "state")
        statuses = []
        for _ in range(8):  # as many stalled readers as the two workers have threads
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", server.port))
            sock.sendall(f"GET {link} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {server.cookie()}\r\n\r\n".encode())
            stalled.append(sock)
            statuses.append(sock.recv(64).split(b" ")[1])  # the status line, then the reader stalls
        time.sleep(1)
        status, body = server.get("/_dash-layout", timeout=30)
        assert status == 200 and b"header-period" in body
        assert statuses.count(b"200") <= 4 and set(statuses) <= {b"200", b"503"}, statuses
    finally:
        for sock in stalled:
            sock.close()
        code, log = server.stop()
    assert code == 0 and "Traceback" not in log, log[-3000:]


def keep_export(url: str, state_dir) -> str:
    """A «Скачать CSV» link of all clients, kept in the cache the server's workers share, for the server's
    administrator (a link works only for the user who made it)."""
    from flask import g

    from core.client_filter import ClientFilter
    from dashboard.app import create_app
    from dashboard.downloads import client_list_url
    from dashboard.services.access import IDENTITY_KEY, Identity
    from dashboard.services.exports import ClientListExport
    from dashboard.settings import Settings

    app = create_app(Settings.from_env(url, state_dir=str(state_dir), cache_dir=str(state_dir / "cache")))
    services = app.server.extensions["rfma_services"]
    with app.server.test_request_context():
        g.setdefault(IDENTITY_KEY, Identity(ADMIN, "admin"))
        _, token = services.exports.keep_client_list(
            ClientListExport(services.requests.build(None, None), ClientFilter())
        )
        return client_list_url(token)


def test_the_documented_recipe_is_the_one_tested():
    from pathlib import Path

    from tests.support.serving import GUNICORN_ARGS

    page = (Path(__file__).resolve().parents[2] / "docs" / "DASHBOARD.md").read_text(encoding="utf-8")
    recipe = next(line for line in page.splitlines() if line.startswith(".venv/bin/gunicorn "))
    assert recipe == " ".join((".venv/bin/gunicorn", *GUNICORN_ARGS, "--bind 127.0.0.1:8050 dashboard.wsgi:server"))


def test_details_of_a_database_fault_go_to_gunicorns_error_log_not_to_the_page(tmp_path):
    missing = f"duckdb:///{tmp_path / 'missing' / 'nothing.duckdb'}"
    server = Gunicorn(missing, tmp_path / "state")
    try:
        status, body = server.get("/_dash-layout")
        page = texts(json.loads(body))
    finally:
        code, log = server.stop()
    assert status == 200 and "База данных недоступна (DuckDB «nothing.duckdb»)" in page
    assert str(tmp_path) not in page and "IO Error" not in page
    # through gunicorn's error log handler (its format: [time] [pid] [LEVEL] message), not bare stderr
    assert re.search(r"\[\d+\] \[WARNING\] the page cannot read the database: .*missing", log), log[-2000:]
    assert code == 0


def test_an_import_while_four_users_click_succeeds_first_time_and_no_request_fails(chain_db, tmp_path):
    import subprocess
    import sys
    import threading

    from tests.support.serving import ROOT

    extra = chain_cheques(clients=300, anonymous=3000, seed=11)
    extra["doc_id"] = "N" + extra["doc_id"]
    extra["card"] = extra["card"].where(extra["card"].isna(), "7" + extra["card"].astype(str))
    csv = tmp_path / "more.csv"
    extra.to_csv(csv, index=False)
    server = Gunicorn(chain_db, tmp_path / "state")
    answers: list[tuple[str, str]] = []
    stop = threading.Event()

    def click(user: int) -> None:
        i = user
        while not stop.is_set():
            answers.append(ask(server, i))
            i += 1

    users = [threading.Thread(target=click, args=(user,)) for user in range(4)]
    try:
        for user in users:
            user.start()
        while len(answers) < 8:  # the users are clicking
            time.sleep(0.05)
        env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
        command = [sys.executable, "-m", "dashboard.cli", "import", str(csv), "--db", chain_db]
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
        during = len(answers)
        while len(answers) < during + 8:  # and go on clicking after it
            time.sleep(0.05)
    finally:
        stop.set()
        for user in users:
            user.join(timeout=120)
        code, log = server.stop()
    assert done.returncode == 0, done.stderr
    assert "добавлено чеков:" in done.stdout
    failed = [(kind, answer[:400]) for kind, answer in answers if not answer.startswith("200 ") or has_error(answer)]
    assert failed == [] and len(answers) > 16
    assert code == 0 and "Traceback" not in log, log[-3000:]


def has_error(answer: str) -> bool:
    """A page or tab that shows an error instead of data."""
    # not «Ошибка» alone: every page holds it (the grid's Russian text for a failed load); the internal error's
    # message says «внутренней ошибки»
    return any(text in answer for text in ("недоступна", "Данные обновляются", "внутренней ошибки"))
