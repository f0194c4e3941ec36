"""«Создать кампанию» beyond «Финал» (issue 14), in a real browser: a «Когорты» pick and «История»'s flow and
«вошли» lists each become a campaign; the target list downloads at once and holds exactly the list's cards minus
the control group of SPEC §9's hash (and the global control group); tab «Кампании» then lists the campaign.
Fresh browser, other tabs visited before and after, a period from the address and presets."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pandas as pd
import pytest

from core import history
from core.classify import classify
from core.cohorts import load_cohort_cards, month_index
from core.db import make_engine
from core.migration import Flow
from core.model import Period
from dashboard import ids
from dashboard.services import EXTENSION_KEY
from tests.e2e.test_cohorts import band_selector, click_point, cohort_url, shows_pick
from tests.e2e.test_dashboard import (
    PORT,
    TIMEOUT,
    assert_no_console_errors,
    open_dashboard,
    open_tab,
    text_of,
    wait_until,
)
from tests.e2e.test_history import grid_total, period_start, save_snapshot
from tests.e2e.test_login import PASSWORD, log_in
from tests.e2e.test_segments import allow_downloads, click, scroll_to, wait_for_download
from tests.e2e.test_url import fresh_browser

pytestmark = pytest.mark.browser
FULL = Period(dt.date(2021, 7, 1), dt.date(2022, 6, 30))
FIRST_HALF = Period(dt.date(2021, 7, 1), dt.date(2021, 12, 31))
JULY = month_index(dt.date(2021, 7, 1))


def form(part: str, tab: str) -> str:
    """CSS selector of a part of a tab's campaign form (Dash writes a dict id as compact sorted JSON)."""
    return "[id='" + json.dumps(ids.campaign_form(part, tab), sort_keys=True, separators=(",", ":")) + "']"


def u(text: str) -> float:
    """SPEC §9: the member's uniform number of the hash."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) / 2**32


def target_of(name: str, cards: set[str], p: float, g: float = 0.0) -> set[str]:
    """SPEC §9 by hand: the members neither in the campaign's control group nor in the global one."""
    return {card for card in cards if u(f"{name}:{card}") >= p and u(f"global:{card}") >= g}


def create_campaign(dash_duo, tab: str, name: str, control: str) -> None:
    scroll_to(dash_duo, form("open", tab))
    click(dash_duo, form("open", tab))
    dash_duo.wait_for_element(form("name", tab), timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(form("global", tab), "Глобальная контрольная группа", timeout=TIMEOUT)
    for part, value in (("name", name), ("control", control), ("window", "30")):
        element = dash_duo.find_element(form(part, tab))
        element.clear()
        element.send_keys(value)
    click(dash_duo, form("create", tab))
    dash_duo.wait_for_contains_text(form("message", tab), f"Кампания «{name}» создана", timeout=TIMEOUT)


def target_cards(dash_duo, folder, name: str) -> set[str]:
    """The downloaded target list's cards (the file removed: the next download is the folder's only CSV)."""
    path = wait_for_download(dash_duo, folder, ".csv")
    assert path.name.startswith(f"rfma_campaign_{name.replace(' ', '_')}_target_"), path.name
    frame = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str)
    path.unlink()
    cards = frame["Карта"].str.removeprefix('="').str.removesuffix('"')
    assert len(cards) == len(set(cards))
    return set(cards)


def campaigns_tab_lists(dash_duo, *names: str) -> None:
    open_tab(dash_duo, ids.TAB_CAMPAIGNS)
    for name in names:
        dash_duo.wait_for_contains_text(f"#{ids.CAMPAIGNS.BODY}", name, timeout=TIMEOUT)


def test_a_cohort_cell_becomes_a_campaign_whose_target_list_is_its_clients_minus_the_control(
    dash_duo, make_app, chain_db, screenshot
):
    engine = make_engine(chain_db)
    try:
        cell = set(load_cohort_cards(engine, JULY, 2, FULL))  # cohort 2021-07, month 2: all have a row in the period
    finally:
        engine.dispose()
    app = make_app(chain_db)
    open_dashboard(dash_duo, app)
    open_tab(dash_duo, ids.TAB_CAMPAIGNS)  # another tab first: no campaign yet
    dash_duo.wait_for_contains_text(f"#{ids.CAMPAIGNS.BODY}", "Кампаний пока нет", timeout=TIMEOUT)
    fresh_browser(dash_duo)  # then a link to «Когорты» in a fresh browser
    dash_duo.driver.get(cohort_url(dash_duo))
    dash_duo.wait_for_contains_text(f"#{ids.COHORTS.HEATMAP}", "удержание", timeout=TIMEOUT)
    folder = allow_downloads(dash_duo)
    click_point(dash_duo, ids.COHORTS.HEATMAP, 1, 2, "2021-07")
    shows_pick(dash_duo, "Когорта 2021-07, месяц 2: купили в 2021-09", cell)

    create_campaign(dash_duo, "cohorts", "Когорта июль", "20")
    assert "старт 30.06.2022" in text_of(dash_duo, form("message", "cohorts"))  # t0 = the period's T
    screenshot("70_cohorts_campaign_created")
    got = target_cards(dash_duo, folder, "Когорта июль")
    assert got == target_of("Когорта июль", cell, 0.2) and got < cell  # control clients never in it
    click(dash_duo, form("close", "cohorts"))

    campaigns_tab_lists(dash_duo, "Когорта июль")
    (stored,) = app.server.extensions[EXTENSION_KEY].campaigns.store.all()
    assert stored.clients == len(cell) and stored.start_date == dt.date(2022, 6, 30)
    open_tab(dash_duo, ids.TAB_COHORTS)  # back: the pick is still there
    shows_pick(dash_duo, "Когорта 2021-07, месяц 2: купили в 2021-09", cell)
    assert_no_console_errors(dash_duo)


def test_history_s_flow_and_entered_lists_become_campaigns_started_at_snapshot_b(
    dash_duo, make_app, chain_db, screenshot
):
    engine = make_engine(chain_db)
    try:
        before, after = (history.snapshot_frame(classify(engine, p).clients) for p in (FIRST_HALF, FULL))
    finally:
        engine.dispose()
    flows = history.snapshot_flows(before, after)
    changes = history.entered_left(before, after, "region")
    app = make_app(chain_db)
    services = app.server.extensions[EXTENSION_KEY]
    services.campaigns.store.set_global_share(0.1, "admin")  # the programme's global control group too
    open_dashboard(dash_duo, app)
    fresh_browser(dash_duo)
    dash_duo.driver.get(f"{dash_duo.server.url.rstrip('/')}/?tab=history&from=2021-07-01&to=2021-12-31")
    wait_until(dash_duo, lambda: period_start(dash_duo) == "01.07.2021", "the address's period is shown")
    folder = allow_downloads(dash_duo)
    dash_duo.wait_for_contains_text(f"#{ids.HISTORY.LIST}", "Снимков пока нет", timeout=TIMEOUT)
    save_snapshot(dash_duo, 1)
    assert "на 31.12.2021" in text_of(dash_duo, f"#{ids.HISTORY.SAVE_MESSAGE}")
    dash_duo.find_element(f"#{ids.HEADER.PRESET_ALL}").click()
    wait_until(dash_duo, lambda: "2021-12-31" not in dash_duo.driver.current_url, "the period is all data")
    save_snapshot(dash_duo, 2)
    dash_duo.wait_for_element(f"#{ids.HISTORY.SANKEY} .sankey", timeout=TIMEOUT)

    # the biggest flow → «Создать кампанию» → its cards minus both control groups, t0 = B's 30.06.2022
    source, destination = flows.groupby(["source_region", "destination_region"]).size().sort_values().index[-1]
    flow = Flow("region", source, destination)
    flow_cards = set(flows["card"].take(history.flow_positions(flows, flow)))
    click(dash_duo, f"#{ids.HISTORY.MATRIX} button.rfma-flow-cell[title^='{flow.label}:']")
    dash_duo.wait_for_contains_text(f"#{ids.HISTORY.FLOW_COUNT}", f": {len(flow_cards)} клиент", timeout=TIMEOUT)
    create_campaign(dash_duo, "history_flow", "Поток", "10")
    assert "старт 30.06.2022" in text_of(dash_duo, form("message", "history_flow"))
    got = target_cards(dash_duo, folder, "Поток")
    assert got == target_of("Поток", flow_cards, 0.1, 0.1) and got < flow_cards
    click(dash_duo, form("close", "history_flow"))

    # an «вошли» count → its list → «Создать кампанию» (the list's own form)
    segment = changes[changes["change"] == "entered"]["segment"].value_counts().idxmax()
    entered = set(changes.loc[(changes["segment"] == segment) & (changes["change"] == "entered"), "card"])
    click(dash_duo, f"#{ids.HISTORY.CHANGES} button.rfma-flow-cell[title^='вошли в {segment} ']")
    dash_duo.wait_for_contains_text(f"#{ids.HISTORY.CHANGE_COUNT}", f": {len(entered)} клиент", timeout=TIMEOUT)
    wait_until(dash_duo, lambda: grid_total(dash_duo, ids.HISTORY.CHANGE_GRID) == len(entered), "the list's count")
    create_campaign(dash_duo, "history_change", "Вошедшие", "25")
    screenshot("71_history_campaign_created")
    got = target_cards(dash_duo, folder, "Вошедшие")
    assert got == target_of("Вошедшие", entered, 0.25, 0.1) and got < entered
    click(dash_duo, form("close", "history_change"))

    campaigns_tab_lists(dash_duo, "Поток", "Вошедшие")
    stored = {c.name: c for c in services.campaigns.store.all()}
    assert stored["Вошедшие"].clients == len(entered) and stored["Поток"].clients == len(flow_cards)
    assert {c.start_date for c in stored.values()} == {dt.date(2022, 6, 30)}
    open_tab(dash_duo, ids.TAB_HISTORY)  # back: the comparison is still there
    dash_duo.wait_for_element(f"#{ids.HISTORY.SANKEY} .sankey", timeout=TIMEOUT)
    assert_no_console_errors(dash_duo)


def test_a_viewer_is_refused_a_campaign_from_a_cohort_pick(dash_duo, make_app, chain_db):
    app = make_app(chain_db, auth="login")
    services = app.server.extensions[EXTENSION_KEY]
    services.users.add("vera", PASSWORD, "viewer")
    dash_duo.start_server(app, navigate=False, port=PORT)
    log_in(dash_duo, "vera")
    dash_duo.driver.get(cohort_url(dash_duo))
    dash_duo.wait_for_element(band_selector(1), timeout=TIMEOUT)
    click(dash_duo, band_selector(1))
    dash_duo.wait_for_contains_text(f"#{ids.COHORTS.PICK_COUNT}", "Парето: топ 20", timeout=TIMEOUT)
    scroll_to(dash_duo, form("open", "cohorts"))
    click(dash_duo, form("open", "cohorts"))
    dash_duo.wait_for_element(form("name", "cohorts"), timeout=TIMEOUT)
    dash_duo.find_element(form("name", "cohorts")).send_keys("Чужая")
    click(dash_duo, form("create", "cohorts"))
    dash_duo.wait_for_contains_text(
        form("message", "cohorts"), "создавать кампании могут менеджер и администратор", timeout=TIMEOUT
    )
    assert services.campaigns.store.all() == [] and services.audit.entries(action="campaign_created") == []
    assert_no_console_errors(dash_duo)
