"""Named data sources (issue 12, «выбор компании»): the sources file and variable with Russian errors that name the
file, the line and the key (never a URL); two DuckDB chains as two sources over HTTP — a user granted one never gets
the other's data, not even by posting a forged choice; caches and threshold sets apart per source; no URL in any
page or callback answer."""

from __future__ import annotations

import re

import pytest

from core.model import ThresholdPins
from dashboard import ids
from dashboard.appdb.audit import DOWNLOAD, THRESHOLDS_SAVED
from dashboard.services.sources import SESSION_KEY
from dashboard.settings import Settings
from dashboard.sources import SourceConfig, SourcesError, load_sources, parse_sources, read_sources_file
from tests.dashboard.test_auth import PASSWORD, answers, csv_link, log_in, payload, readable
from tests.support.chain import SECOND_CHAIN, build_chain_database
from tests.support.dashboard import FULL

NORTH, SOUTH = "Аптеки Север", "Аптеки Юг"
NORTH_CARD = re.compile(r"(?<!\d)5550\d{6}(?!\d)")
SOUTH_CARD = re.compile(r"(?<!\d)8880\d{6}(?!\d)")
SECRET = "s3cret-pass"

# --- the sources file and variable --------------------------------------------------------------------------------


def write(tmp_path, text: str):
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_sources_file_lists_named_sources_in_order_and_never_shows_a_url(tmp_path):
    path = write(
        tmp_path,
        f'# the chain\'s companies\n[sources]\n"{NORTH}" = "postgresql://rfma:{SECRET}@db.internal/north"\n'
        f'"{SOUTH}" = "duckdb:///var/lib/rfma/south.duckdb"\n',
    )
    sources = read_sources_file(path)
    assert [s.name for s in sources] == [NORTH, SOUTH]
    assert sources[0].url == f"postgresql://rfma:{SECRET}@db.internal/north"
    assert SECRET not in repr(sources) and "db.internal" not in repr(sources)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f'[sources]\n"{NORTH}" = "duckdb:///a.duckdb"\n"{SOUTH}" = "postgresql://u:{SECRET}@h/db\n', "строка 3"),
        (
            f'[sources]\n"{NORTH}" = "duckdb:///a.duckdb"\n"{SOUTH}" = 5\n',
            f"строка 3, источник '{SOUTH}': адрес должен быть строкой",
        ),
        (f'[sources]\n"{NORTH}" = "duckdb:///a.duckdb"\n\n"{SOUTH}" = "{SECRET} not a url"\n', "строка 4"),
        ('[sources]\n" Север" = "duckdb:///a.duckdb"\n', "строка 2, источник ' Север': имя пустое"),
        (f'[sources]\n"{NORTH}" = "duckdb:///a.duckdb"\n[other]\nx = 1\n', "неизвестный раздел или ключ 'other'"),
        ("# nothing yet\n", "нет ни одного источника"),
        ("[sources]\n", "нет ни одного источника"),
        (f'[sources]\n"{NORTH}" = "duckdb:///a.duckdb"\n"{NORTH}" = "duckdb:///b.duckdb"\n', "строка 3"),
    ],
)
def test_a_bad_sources_file_is_a_russian_error_naming_the_file_and_line_never_the_url(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(SourcesError) as caught:
        read_sources_file(path)
    message = str(caught.value)
    assert message.startswith(f"RFMA_SOURCES_FILE={path}"), message
    assert expected in message, message
    assert SECRET not in message and "postgresql://" not in message and "duckdb://" not in message


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(SourcesError, match=r"RFMA_SOURCES_FILE=.*nowhere\.toml: файла нет"):
        read_sources_file(tmp_path / "nowhere.toml")


def test_the_variable_takes_lines_or_an_inline_table_and_a_name_in_both_is_an_error(tmp_path):
    lines = f'"{NORTH}" = "duckdb:///n.duckdb"\n"{SOUTH}" = "duckdb:///s.duckdb"'
    inline = f'{{ "{NORTH}" = "duckdb:///n.duckdb", "{SOUTH}" = "duckdb:///s.duckdb" }}'
    for text in (lines, inline):
        assert [s.name for s in load_sources(None, text)] == [NORTH, SOUTH]
    with pytest.raises(SourcesError, match=f"RFMA_SOURCES, строка 2, источник '{SOUTH}'"):
        load_sources(None, f'"{NORTH}" = "duckdb:///n.duckdb"\n"{SOUTH}" = 5')  # the variable's own line 2
    path = write(tmp_path, f'[sources]\n"{NORTH}" = "duckdb:///n.duckdb"\n')
    with pytest.raises(SourcesError, match=f"RFMA_SOURCES: источник '{NORTH}' уже задан в RFMA_SOURCES_FILE"):
        load_sources(str(path), f'"{NORTH}" = "duckdb:///other.duckdb"')
    both = load_sources(str(path), f'"{SOUTH}" = "duckdb:///s.duckdb"')
    assert [s.name for s in both] == [NORTH, SOUTH]
    assert parse_sources(f'[sources]\n"{NORTH}" = "duckdb:///n.duckdb"', "x") == (
        SourceConfig(NORTH, "duckdb:///n.duckdb"),
    )


def test_settings_read_the_file_and_without_one_there_is_the_single_configured_source(tmp_path, monkeypatch):
    state = str(tmp_path / "state")
    plain = Settings.from_env("duckdb:///x/chain.duckdb", state_dir=state)
    assert plain.data_sources == (SourceConfig("DuckDB «chain.duckdb»", "duckdb:///x/chain.duckdb"),)
    path = write(tmp_path, f'[sources]\n"{NORTH}" = "duckdb:///n.duckdb"\n"{SOUTH}" = "duckdb:///s.duckdb"\n')
    monkeypatch.setenv("RFMA_SOURCES_FILE", str(path))
    named = Settings.from_env(state_dir=state)
    assert [s.name for s in named.data_sources] == [NORTH, SOUTH]
    assert named.database_url == "duckdb:///n.duckdb" and named.source_name == NORTH  # the first is the default
    monkeypatch.setenv("RFMA_SOURCES", '"Аптеки Север" = 5')
    with pytest.raises(SourcesError):
        Settings.from_env(state_dir=state)


# --- two chains as two sources, over HTTP ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_chains(tmp_path_factory) -> tuple[str, str]:
    """Two DuckDB chains with cards that cannot be mistaken for each other: «Север» 5550…, «Юг» 8880…"""
    folder = tmp_path_factory.mktemp("sources")
    north = build_chain_database(folder / "north.duckdb", card_prefix="5550", clients=200, anonymous=300)
    south = build_chain_database(folder / "south.duckdb", card_prefix="8880", **SECOND_CHAIN)
    return north, south


@pytest.fixture
def app(make_app, two_chains):
    north, south = two_chains
    app = make_app(north, auth="login", sources=(SourceConfig(NORTH, north), SourceConfig(SOUTH, south)))
    users = app.server.extensions["rfma_services"].users
    users.add("north", PASSWORD, "manager", sources=[NORTH])
    users.add("both", PASSWORD, "admin")
    users.add("nobody", PASSWORD, "manager", sources=[])
    return app


def signed_in(app, login: str):
    client = app.server.test_client()
    assert log_in(client, login).status_code == 302
    return client


def choose(client, name: str) -> tuple[int, str]:
    key = f"..{ids.HEADER.SOURCE_CHOSEN}.data...{ids.HEADER.SOURCE_MESSAGE}.children.."
    body = {
        "output": key,
        "outputs": [
            {"id": ids.HEADER.SOURCE_CHOSEN, "property": "data"},
            {"id": ids.HEADER.SOURCE_MESSAGE, "property": "children"},
        ],
        "inputs": [{"id": ids.HEADER.SOURCE_SELECT, "property": "value", "value": name}],
        "changedPropIds": [f"{ids.HEADER.SOURCE_SELECT}.value"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=body)
    return response.status_code, readable(response)


def grid_cards(app, client) -> str:
    key = "final-client-grid.getRowsResponse"
    response = client.post("/_dash-update-component", json=payload(key, app.callback_map[key], ids.TAB_FINAL))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return readable(response)


def layout_text(client) -> str:
    response = client.get("/_dash-layout")
    assert response.status_code == 200
    return readable(response)


def test_a_user_granted_one_source_never_gets_the_others_data_even_by_a_forged_choice(app):
    client = signed_in(app, "north")
    page = layout_text(client)
    assert f"Источник данных: {NORTH}" in page and SOUTH not in page  # the other source is not even named
    assert NORTH_CARD.search(grid_cards(app, client))
    status, body = choose(client, SOUTH)  # a forged post of the selector
    assert status == 200 and "Этот источник данных вам не открыт" in body
    with client.session_transaction() as session:  # an older session that chose «Юг» before the grant was narrowed
        session[SESSION_KEY] = SOUTH
    for key, (status, body) in answers(app, client).items():
        assert status in (200, 204), (key, status, body[:300])
        assert not SOUTH_CARD.search(body), key
    assert NORTH_CARD.search(grid_cards(app, client)) and SOUTH not in layout_text(client)


def test_a_user_granted_both_switches_and_gets_the_other_chain(app):
    client = signed_in(app, "both")
    page = layout_text(client)
    assert f"Источник данных: {NORTH}" in page and SOUTH in page  # the selector offers both
    assert NORTH_CARD.search(grid_cards(app, client))
    status, body = choose(client, SOUTH)
    assert status == 200 and SOUTH in body and "не открыт" not in body
    assert f"Источник данных: {SOUTH}" in layout_text(client)
    cards = grid_cards(app, client)
    assert SOUTH_CARD.search(cards) and not NORTH_CARD.search(cards)
    assert signed_in(app, "both") is not None and NORTH_CARD.search(grid_cards(app, signed_in(app, "both")))


def test_a_user_granted_no_source_gets_a_russian_refusal_and_may_log_out(app):
    client = signed_in(app, "nobody")
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 403 and "Вам не открыт ни один источник данных" in page.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 403
    for key, (status, body) in answers(app, client).items():
        assert status == 403 and not NORTH_CARD.search(body) and not SOUTH_CARD.search(body), key
    assert client.get("/logout").status_code == 302
    assert client.get("/_dash-layout").status_code == 401


def test_no_url_in_any_page_or_callback_answer(app, two_chains):
    client = signed_in(app, "both")
    seen = [layout_text(client), client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)]
    seen += [body for _, body in answers(app, client).values()]
    seen.append(choose(client, SOUTH)[1])
    seen += [layout_text(client)] + [body for _, body in answers(app, client).values()]
    folder = two_chains[0].removeprefix("duckdb:///").rsplit("/", 1)[0]
    for text in seen:
        assert "duckdb:" not in text and folder not in text and "north.duckdb" not in text, text[:300]
        assert "south.duckdb" not in text


def test_threshold_sets_caches_downloads_and_audit_are_per_source(app):
    services = app.server.extensions["rfma_services"]
    north, south = services.sources.get(NORTH), services.sources.get(SOUTH)
    admin = signed_in(app, "both")
    choose(admin, SOUTH)
    south.sets.save(ThresholdPins(r1=30), "both", "панель")
    assert north.sets.current() is None and south.sets.current().pins.as_dict() == {"r1": 30}
    with app.server.test_request_context():  # both sources read in one request: each its own data version
        from flask import g, session

        from dashboard.services.access import IDENTITY_KEY, Identity
        from dashboard.services.sources import CURRENT_KEY

        g.setdefault(IDENTITY_KEY, Identity("both", "admin"))
        session[SESSION_KEY] = SOUTH
        on_south = services.requests.build(*FULL)
        session[SESSION_KEY] = NORTH
        g.pop(CURRENT_KEY)
        on_north = services.requests.build(*FULL)
    assert on_south.pins.as_dict() == {"r1": 30} and on_north.pins.as_dict() == {}
    assert on_south.data_version != on_north.data_version
    assert on_south.key("client_base", pins=False) != on_north.key("client_base", pins=False)
    assert on_south.database_url == south.url and on_north.database_url == north.url
    # a download on «Юг» is audited under its name; a link of «Юг» stops when the grant narrows to «Север»
    _, body = csv_link(app, admin)
    link = re.search(r"/download/clients\.csv\?token=[A-Za-z0-9_-]+", body).group(0)
    download = admin.get(link)
    assert download.status_code == 200 and SOUTH_CARD.search(download.get_data(as_text=True))
    entry = services.audit.entries(action=DOWNLOAD)[-1]
    assert entry.source == SOUTH and entry.rows > 0
    _, body = csv_link(app, admin)
    link = re.search(r"/download/clients\.csv\?token=[A-Za-z0-9_-]+", body).group(0)
    services.users.grant("both", [NORTH])
    admin = signed_in(app, "both")  # a grant change ends the sessions
    assert admin.get(link).status_code in (403, 410)
    # the chain's set saved from the page goes into the audit log under the source's name
    key = next(k for k in app.callback_map if k.startswith(f"..{ids.SHELL.DRAFT}.data@"))
    body = payload(key, app.callback_map[key], ids.TAB_FINAL)
    body["outputs"][0]["property"] = "data"
    body["inputs"] = [{"id": ids.HEADER.SAVE_FOR_CHAIN, "property": "n_clicks", "value": 1}] + [
        {"id": i["id"], "property": i["property"], "value": None} for i in app.callback_map[key]["inputs"][1:]
    ]
    body["changedPropIds"] = [f"{ids.HEADER.SAVE_FOR_CHAIN}.n_clicks"]
    body["state"] = [
        {"id": "header-period", "property": "start_date", "value": FULL[0]},
        {"id": "header-period", "property": "end_date", "value": FULL[1]},
        {"id": ids.SHELL.DRAFT, "property": "data", "value": {"r1": 25}},
    ]
    assert admin.post("/_dash-update-component", json=body).status_code == 200
    assert north.sets.current().pins.as_dict() == {"r1": 25} and south.sets.current().pins.as_dict() == {"r1": 30}
    assert services.audit.entries(action=THRESHOLDS_SAVED)[-1].source == NORTH
