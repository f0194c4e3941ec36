"""Login and roles over HTTP (Flask's test client on the real app, auth="login"): no route or callback answers data
without a session; the login form needs its CSRF token; failed logins are throttled and logged; a disabled user's
session stops; a viewer gets no card number from any callback or download; a manager's download is audited."""

from __future__ import annotations

import json
import re

import pytest

from core.loading import append_cheques
from dashboard import ids
from dashboard.appdb.audit import DOWNLOAD, LOGIN_FAILED, LOGIN_OK
from dashboard.auth import THROTTLE_FAILURES
from tests.support.chain import chain_cheques
from tests.support.dashboard import FULL

PASSWORD = "пароль-для-теста"
CARD_PREFIX = "7770"  # every card of this chain: 7770100000 … 7770100599, never part of another number shown
CARD = re.compile(r"7770\d{6}")
TABS = {
    "final": ids.TAB_FINAL,
    "migration": ids.TAB_MIGRATION,
    "thresholds": ids.TAB_THRESHOLDS,
    "clients": ids.TAB_CLIENTS,
    "pharmacies": ids.TAB_PHARMACIES,
}


@pytest.fixture(scope="module")
def card_chain(tmp_path_factory) -> str:
    """The test chain with 10-digit cards that cannot be mistaken for any other number on the page."""
    from core.db import make_engine

    frame = chain_cheques(clients=200, anonymous=300)
    known = frame["card"].notna() & frame["card"].str.isdigit()
    frame.loc[known, "card"] = CARD_PREFIX + frame.loc[known, "card"]
    url = f"duckdb:///{tmp_path_factory.mktemp('auth') / 'cards.duckdb'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        append_cheques(conn, frame)
    engine.dispose()
    return url


@pytest.fixture
def app(make_app, card_chain):
    app = make_app(card_chain, auth="login")
    services = app.server.extensions["rfma_services"]
    for login, role in (("viewer", "viewer"), ("manager", "manager"), ("admin", "admin")):
        services.users.add(login, PASSWORD, role)
    return app


def csrf(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def log_in(client, login: str, password: str = PASSWORD):
    return client.post("/login", data={"username": login, "password": password, "csrf_token": csrf(client)})


def signed_in(app, login: str):
    client = app.server.test_client()
    assert log_in(client, login).status_code == 302
    return client


def test_no_route_answers_without_a_session(app):
    client = app.server.test_client()
    public = {"/login", "/_favicon.ico"}
    for rule in app.server.url_map.iter_rules():
        path = re.sub(r"<[^>]+>", "x", rule.rule)
        if path in public or path.startswith(("/assets/", "/_dash-component-suites/", "/static/")):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, headers={"Accept": "application/json"})
            assert response.status_code == 401, (method, path, response.status_code)
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 302 and page.headers["Location"].startswith("/login?next=")
    callback = client.post("/_dash-update-component", json={"output": "clients-body.children", "inputs": []})
    assert callback.status_code == 401 and b"clients" not in callback.data
    assert client.get("/download/clients.csv?token=" + "a" * 32).status_code == 401


def test_the_login_form_needs_its_csrf_token_and_sets_a_safe_cookie(app):
    client = app.server.test_client()
    refused = client.post("/login", data={"username": "manager", "password": PASSWORD})
    assert refused.status_code == 400 and "Форма устарела" in refused.get_data(as_text=True)
    forged = client.post("/login", data={"username": "manager", "password": PASSWORD, "csrf_token": "forged"})
    assert forged.status_code == 400
    assert client.get("/_dash-layout").status_code == 401
    response = log_in(client, "manager")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/_dash-layout").status_code == 200
    client.get("/logout")
    assert client.get("/_dash-layout").status_code == 401


def test_behind_https_the_session_cookie_is_secure(make_app, card_chain):
    app = make_app(card_chain, auth="login", https=True)
    app.server.extensions["rfma_services"].users.add("anna", PASSWORD, "manager")
    response = log_in(app.server.test_client(), "anna")
    assert response.status_code == 302 and "Secure" in response.headers["Set-Cookie"]


def test_a_login_goes_back_to_this_app_only(app):
    client = app.server.test_client()
    token = csrf(client)
    form = {"username": "viewer", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=form | {"next": "/?tab=final"}).headers["Location"] == "/?tab=final"
    assert client.post("/login", data=form | {"next": "//evil.example/"}).headers["Location"] == "/"
    assert client.post("/login", data=form | {"next": "https://evil.example/"}).headers["Location"] == "/"


def test_failed_logins_are_logged_and_throttled(app, caplog):
    client = app.server.test_client()
    audit = app.server.extensions["rfma_services"].audit
    for _ in range(THROTTLE_FAILURES):
        wrong = log_in(client, "manager", "не тот пароль")
        assert wrong.status_code == 401 and "Неверный логин или пароль" in wrong.get_data(as_text=True)
    assert "failed login for 'manager'" in caplog.text
    throttled = log_in(client, "manager")  # the right password, but too many failures just now
    assert throttled.status_code == 429 and "Слишком много неудачных попыток" in throttled.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401
    failed = audit.entries(action=LOGIN_FAILED)
    assert len(failed) == THROTTLE_FAILURES + 1 and {e.user for e in failed} == {"manager"}
    assert PASSWORD not in json.dumps([e.detail for e in failed])
    assert log_in(app.server.test_client(), "viewer").status_code == 302  # another login is not throttled
    assert [e.user for e in audit.entries(action=LOGIN_OK)] == ["viewer"]


def test_a_disabled_user_or_a_changed_password_ends_the_session(app):
    users = app.server.extensions["rfma_services"].users
    client = signed_in(app, "manager")
    assert client.get("/_dash-layout").status_code == 200
    users.disable("manager")
    assert client.get("/_dash-layout").status_code == 401
    users.enable("manager")
    assert client.get("/_dash-layout").status_code == 401  # re-enabling does not revive the old session
    client = signed_in(app, "manager")
    users.set_password("manager", "новый-пароль-1")
    assert client.get("/_dash-layout").status_code == 401
    assert log_in(app.server.test_client(), "manager").status_code == 401


def test_the_trusted_proxy_header_names_an_existing_user_only(make_app, card_chain):
    app = make_app(card_chain, auth="proxy", proxy_user_header="X-Forwarded-User")
    app.server.extensions["rfma_services"].users.add("anna", PASSWORD, "viewer")
    client = app.server.test_client()
    assert client.get("/_dash-layout", headers={"X-Forwarded-User": "anna"}).status_code == 200
    assert client.get("/_dash-layout", headers={"X-Forwarded-User": "stranger"}).status_code == 401
    assert client.get("/_dash-layout").status_code == 401


# --- what each role gets from the callbacks -------------------------------------------------------------------

VALUES = {
    ("header-period", "start_date"): FULL[0],
    ("header-period", "end_date"): FULL[1],
    (ids.FINAL.SELECTION, "data"): "r110",
    (ids.FINAL.CARD_INPUT, "value"): CARD_PREFIX + "100012",
    (ids.MIGRATION.BONUS_DATE, "date"): "2021-12-30",
    (ids.MIGRATION.LEVEL, "value"): "region",
    (ids.MIGRATION.VALUE, "value"): "clients",
    (ids.MIGRATION.FLOW, "data"): "region|110|110",
    (ids.FINAL.CSV_FORMAT, "value"): "excel",
}
GRID_REQUEST = {"startRow": 0, "endRow": 50, "sortModel": [], "filterModel": {}}


def payload(key: str, spec: dict, tab: str) -> dict:
    """The body Dash's renderer POSTs for one server callback, with plausible values for every input."""

    def value(item: dict):
        component, prop = item["id"], item["property"]
        if component.startswith("{"):
            return []  # a pattern-matching input: no such component drawn
        if prop == "active_tab" and component == ids.SHELL.TABS:
            return tab
        if prop == "n_clicks" or prop == "n_submit":
            return 1
        if prop == "getRowsRequest":
            return GRID_REQUEST
        return VALUES.get((component, prop))

    def specs(items: list[dict]) -> list:
        return [
            {"id": i["id"], "property": i["property"], "value": value(i)} if not i["id"].startswith("{") else []
            for i in items
        ]

    outputs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in (key.strip(".").split("...") if key.startswith("..") else [key])
    ]
    inputs = specs(spec["inputs"])
    first = next(i for i in inputs if i)
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": inputs,
        "changedPropIds": [f"{first['id']}.{first['property']}"],
        "state": specs(spec["state"]),
    }


def server_callbacks(app) -> list[tuple[str, dict, str]]:
    """(output key, spec, the tab it belongs to) of every callback the server runs (not clientside, not the
    header's threshold buttons that write with allow_duplicate)."""
    found = []
    for key, spec in app.callback_map.items():
        if "@" in key or "." not in key or "{" in key or spec.get("callback") is None:
            continue  # clientside, allow_duplicate, or pattern-matching outputs (threshold inputs, breadcrumb)
        if all(i["id"].startswith("{") for i in spec["inputs"]):
            continue  # only pattern-matching inputs: the table downloads (tests/dashboard/test_table_downloads.py)
        prefix = key.strip(".").split("-", 1)[0]
        found.append((key, spec, TABS.get(prefix, ids.TAB_FINAL)))
    return found


def readable(response) -> str:
    """A callback's answer as text with its Russian unescaped (Dash sends JSON with \\u escapes)."""
    text = response.get_data(as_text=True)
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


def answers(app, client) -> dict[str, tuple[int, str]]:
    return {
        key: (response.status_code, readable(response))
        for key, spec, tab in server_callbacks(app)
        for response in [client.post("/_dash-update-component", json=payload(key, spec, tab))]
    }


def test_a_viewer_gets_no_card_number_from_any_callback_a_manager_does(app):
    viewer = answers(app, signed_in(app, "viewer"))
    assert len(viewer) >= 20  # every tab's callbacks were asked
    for key, (status, body) in viewer.items():
        assert status in (200, 204), (key, status, body[:300])
        assert not CARD.search(body), (key, CARD.search(body).group(0))
    assert "•••• " in viewer["final-client-grid.getRowsResponse"][1]  # masked, not missing
    card = viewer[f"..{ids.FINAL.CARD_RESULT}.children...{ids.FINAL.DRAWN_CARD}.data.."][1]
    assert "Недостаточно прав: номера карт и карточку клиента видят менеджер и администратор" in card
    manager = answers(app, signed_in(app, "manager"))
    assert CARD.search(manager["final-client-grid.getRowsResponse"][1])
    assert CARD_PREFIX + "100012" in manager[f"..{ids.FINAL.CARD_RESULT}.children...{ids.FINAL.DRAWN_CARD}.data.."][1]


def csv_link(app, client) -> tuple[int, str]:
    key = f"..{ids.FINAL.CSV_LINK}.data...{ids.FINAL.EXPORT_MESSAGE}.children.."
    spec = app.callback_map[key]
    response = client.post("/_dash-update-component", json=payload(key, spec, ids.TAB_FINAL))
    return response.status_code, readable(response)


def test_a_viewer_cannot_download_a_client_list_and_a_managers_download_is_audited(app):
    viewer = signed_in(app, "viewer")
    status, body = csv_link(app, viewer)
    assert status == 200 and "скачивать списки клиентов могут менеджер и администратор" in body
    assert "/download/clients.csv?token=" not in body
    manager = signed_in(app, "manager")
    status, body = csv_link(app, manager)
    link = re.search(r"/download/clients\.csv\?token=[A-Za-z0-9_-]+", body).group(0)
    assert viewer.get(link).status_code in (403, 410)  # not a viewer's, and not another session's
    other_manager_session = signed_in(app, "admin")
    assert other_manager_session.get(link).status_code == 410  # a link works for the user who made it only
    download = manager.get(link)
    assert download.status_code == 200
    rows = download.get_data(as_text=True).strip().splitlines()[1:]
    entries = app.server.extensions["rfma_services"].audit.entries(action=DOWNLOAD)
    assert len(entries) == 1 and entries[0].user == "manager" and entries[0].rows == len(rows) > 0
    assert entries[0].detail.startswith("rfma_110_VIP_") and not CARD.search(entries[0].detail)


def test_only_an_administrator_saves_the_chain_set(app):
    services = app.server.extensions["rfma_services"]
    for login, allowed in (("viewer", False), ("manager", False), ("admin", True)):
        client = signed_in(app, login)
        key = next(k for k in app.callback_map if k.startswith(f"..{ids.SHELL.DRAFT}.data@"))
        spec = app.callback_map[key]
        body = payload(key, spec, ids.TAB_FINAL)
        body["outputs"][0]["property"] = key.strip(".").split("...")[0].rsplit(".", 1)[1]
        body["inputs"] = [{"id": ids.HEADER.SAVE_FOR_CHAIN, "property": "n_clicks", "value": 1}] + [
            {"id": i["id"], "property": i["property"], "value": None} for i in spec["inputs"][1:]
        ]
        body["changedPropIds"] = [f"{ids.HEADER.SAVE_FOR_CHAIN}.n_clicks"]
        body["state"] = [
            {"id": "header-period", "property": "start_date", "value": FULL[0]},
            {"id": "header-period", "property": "end_date", "value": FULL[1]},
            {"id": ids.SHELL.DRAFT, "property": "data", "value": {"r1": 30}},
        ]
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        text = readable(response)
        saved = services.threshold_sets.current()
        if allowed:
            assert saved is not None and saved.saved_by == "admin" and "Сохранено для всей сети" in text
        else:
            assert saved is None and "может только администратор" in text
