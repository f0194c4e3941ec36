"""Campaigns in a real browser (issue 14): «Финал»'s segment → «Создать кампанию» → the target list downloads (the
control group never in it) → tab «Кампании» lists it and shows its report; «Миграция» shows the placebo check; a
viewer cannot create a campaign. Fresh browser, tabs visited before and after."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from dashboard import ids
from dashboard.services import EXTENSION_KEY
from tests.e2e.test_dashboard import (
    PORT,
    TIMEOUT,
    assert_no_console_errors,
    open_dashboard,
    open_tab,
    text_of,
    wait_until,
)
from tests.e2e.test_login import PASSWORD, log_in
from tests.e2e.test_segments import allow_downloads, click, engine_clients, node_selector, wait_for_download

pytestmark = pytest.mark.browser


def form(part: str) -> str:
    """CSS selector of a part of «Финал»'s campaign form (Dash writes a dict id as compact sorted JSON)."""
    return "[id='" + json.dumps(ids.campaign_form(part, "final"), sort_keys=True, separators=(",", ":")) + "']"


def fill(dash_duo, selector: str, value: str) -> None:
    element = dash_duo.find_element(selector)
    element.clear()
    element.send_keys(value)


def u(text: str) -> float:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) / 2**32


def create_campaign(dash_duo, name: str, control: str) -> None:
    click(dash_duo, form("open"))
    dash_duo.wait_for_element(form("name"), timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(form("global"), "Глобальная контрольная группа", timeout=TIMEOUT)
    fill(dash_duo, form("name"), name)
    fill(dash_duo, form("control"), control)
    fill(dash_duo, form("window"), "30")
    click(dash_duo, form("create"))


def test_a_segment_becomes_a_campaign_whose_target_list_downloads_and_whose_report_shows(
    dash_duo, make_app, chain_db, screenshot
):
    clients = engine_clients(chain_db)
    vip = set(clients.loc[clients["region"] == 110, "card"])
    open_dashboard(dash_duo, make_app(chain_db))
    folder = allow_downloads(dash_duo)
    open_tab(dash_duo, ids.TAB_CAMPAIGNS)  # before any campaign
    dash_duo.wait_for_contains_text(f"#{ids.CAMPAIGNS.BODY}", "Кампаний пока нет", timeout=TIMEOUT)
    open_tab(dash_duo, ids.TAB_MIGRATION)
    dash_duo.wait_for_element(f"#{ids.PLACEBO.VERDICT}", timeout=TIMEOUT)
    assert text_of(dash_duo, f"#{ids.PLACEBO.VERDICT}").startswith("Миграция")
    assert "Плацебо" in text_of(dash_duo, f"#{ids.PLACEBO.BODY}")
    screenshot("60_migration_placebo")

    open_tab(dash_duo, ids.TAB_FINAL)
    dash_duo.wait_for_contains_text(node_selector("r110"), str(len(vip)), timeout=TIMEOUT)
    click(dash_duo, node_selector("r110"))
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", f"110 VIP: {len(vip)} клиентов", timeout=TIMEOUT)
    create_campaign(dash_duo, "Весна VIP", "20")
    dash_duo.wait_for_contains_text(form("message"), "Кампания «Весна VIP» создана", timeout=TIMEOUT)
    screenshot("61_campaign_created")
    path = wait_for_download(dash_duo, folder, ".csv")
    assert path.name == "rfma_campaign_Весна_VIP_target_2022-06-30.csv"
    frame = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str)
    target = set(frame["Карта"].str[2:-1])  # ="…": the card as Excel text
    assert target == {card for card in vip if u(f"Весна VIP:{card}") >= 0.2}  # control clients never in it
    click(dash_duo, form("close"))

    open_tab(dash_duo, ids.TAB_CAMPAIGNS)
    dash_duo.wait_for_contains_text(f"#{ids.CAMPAIGNS.BODY}", "Весна VIP", timeout=TIMEOUT)
    dash_duo.wait_for_element(f"#{ids.CAMPAIGNS.VERDICT}", timeout=TIMEOUT)
    report = text_of(dash_duo, f"#{ids.CAMPAIGNS.REPORT}")
    assert "Целевая группа" in report and "Контрольная группа" in report and "не доказан" in report
    assert "Окно замера ещё не началось" in report  # t0 is the period's last day: no data after it
    dash_duo.wait_for_element(f"#{ids.CAMPAIGNS.UPLIFT} .main-svg", timeout=TIMEOUT)
    assert "данные неполные" in text_of(dash_duo, f"#{ids.CAMPAIGNS.BODY}") or "окно идёт" in text_of(
        dash_duo, f"#{ids.CAMPAIGNS.BODY}"
    )
    screenshot("62_campaigns_tab")

    open_tab(dash_duo, ids.TAB_FINAL)  # after: «Финал» still answers
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", "110 VIP", timeout=TIMEOUT)
    open_tab(dash_duo, ids.TAB_CAMPAIGNS)
    dash_duo.wait_for_contains_text(f"#{ids.CAMPAIGNS.BODY}", "Весна VIP", timeout=TIMEOUT)
    assert_no_console_errors(dash_duo)


def test_a_measured_campaign_shows_its_responders(dash_duo, make_app, chain_db):
    app = make_app(chain_db)
    open_dashboard(dash_duo, app)
    open_tab(dash_duo, ids.TAB_FINAL)
    dash_duo.find_element(f"#{ids.HEADER.PRESET_QUARTER}").click()  # a period preset, then a tree node
    click(dash_duo, node_selector("w2"))
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", "клиент", timeout=TIMEOUT)
    services = app.server.extensions[EXTENSION_KEY]
    with app.server.test_request_context():  # a campaign from earlier data: its window is inside the table
        from dashboard.services.campaigns import FinalSelection

        request = services.requests.build("2021-07-01", "2022-03-31")
        flt = services.final.client_filter("w2", None, None, None, None, None, None)
        services.campaigns.create(FinalSelection(request, flt), "Март", 0.2, 30)
    open_tab(dash_duo, ids.TAB_CAMPAIGNS)
    dash_duo.wait_for_contains_text(f"#{ids.CAMPAIGNS.BODY}", "окно завершено", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(f"#{ids.CAMPAIGNS.RESPONDERS_COUNT}", "откликнувш", timeout=TIMEOUT)
    wait_until(
        dash_duo,
        lambda: len(dash_duo.driver.find_elements("css selector", f"#{ids.CAMPAIGNS.RESPONDERS_GRID} .ag-row")) > 0,
        "the responders' table has rows",
    )
    verdict = text_of(dash_duo, f"#{ids.CAMPAIGNS.VERDICT}")
    assert "эффект доказан" in verdict or "не доказан" in verdict
    assert_no_console_errors(dash_duo)


def test_a_viewer_cannot_create_a_campaign(dash_duo, make_app, chain_db):
    app = make_app(chain_db, auth="login")
    services = app.server.extensions[EXTENSION_KEY]
    services.users.add("vera", PASSWORD, "viewer")
    dash_duo.start_server(app, navigate=False, port=PORT)
    log_in(dash_duo, "vera")  # lands on «Финал»
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", "клиент", timeout=TIMEOUT)
    create_campaign(dash_duo, "Чужая", "10")
    dash_duo.wait_for_contains_text(
        form("message"), "создавать кампании могут менеджер и администратор", timeout=TIMEOUT
    )
    assert services.campaigns.store.all() == []
    click(dash_duo, form("close"))
    open_tab(dash_duo, ids.TAB_CAMPAIGNS)
    dash_duo.wait_for_contains_text(f"#{ids.CAMPAIGNS.BODY}", "Кампаний пока нет", timeout=TIMEOUT)
