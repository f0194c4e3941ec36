"""Logging in as each role in a real browser and clicking through every tab (issue 12): a viewer sees masked cards
and is refused the client list; a manager sees cards and keeps a draft; an administrator may save it for the chain;
«Выйти» ends the session."""

from __future__ import annotations

import re

import pytest

from dashboard import ids
from dashboard.services import EXTENSION_KEY
from tests.e2e.test_dashboard import PORT, TIMEOUT, assert_no_console_errors, open_tab, text_of, type_into, wait_until
from tests.e2e.test_paths import OTHER_TABS, rows_shown, threshold
from tests.e2e.test_segments import click

pytestmark = pytest.mark.browser
PASSWORD = "пароль-для-теста"
ROLES = ("viewer", "manager", "admin")


def log_in(dash_duo, login: str) -> None:
    dash_duo.driver.get(f"{base(dash_duo)}/?tab=final")
    dash_duo.wait_for_element("#username", timeout=TIMEOUT)  # the login form, not the dashboard
    assert "/login" in dash_duo.driver.current_url
    dash_duo.find_element("#username").send_keys(login)
    dash_duo.find_element("#password").send_keys(PASSWORD)
    dash_duo.find_element("button[type=submit]").click()
    dash_duo.wait_for_contains_text(f"#{ids.HEADER.ACCOUNT}", login, timeout=TIMEOUT)


def base(dash_duo) -> str:
    return dash_duo.server.url.rstrip("/")


def visit_every_tab(dash_duo) -> None:
    for tab in (*OTHER_TABS, ids.TAB_FINAL):
        open_tab(dash_duo, tab)
        wait_until(dash_duo, lambda: "Ошибка" not in dash_duo.find_element("body").text, f"{tab} shows no error")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_logs_in_and_sees_every_tab_with_its_rights(dash_duo, make_app, chain_db, role):
    app = make_app(chain_db, auth="login")
    services = app.server.extensions[EXTENSION_KEY]
    services.users.add(role, PASSWORD, role)
    dash_duo.start_server(app, navigate=False, port=PORT)  # the page is the login form until logged in
    log_in(dash_duo, role)
    visit_every_tab(dash_duo)
    cards = rows_shown(dash_duo, "the client table has rows")
    if role == "viewer":
        assert all(card.startswith("•••• ") for card in cards), cards[:3]
        click(dash_duo, f"#{ids.FINAL.CSV_BUTTON}")
        dash_duo.wait_for_contains_text(
            f"#{ids.FINAL.EXPORT_MESSAGE}", "скачивать списки клиентов могут менеджер и администратор", timeout=TIMEOUT
        )
    else:
        assert all(re.fullmatch(r"\d+", card) for card in cards), cards[:3]
    open_tab(dash_duo, ids.TAB_THRESHOLDS)
    wait_until(dash_duo, lambda: threshold(dash_duo, "r1").get_attribute("value") not in ("", None), "r1 shows")
    type_into(threshold(dash_duo, "r1"), "45")
    if role == "viewer":
        dash_duo.wait_for_contains_text(f"#{ids.THRESHOLDS.ERROR}", "менять пороги (черновик) могут", timeout=TIMEOUT)
    else:
        dash_duo.wait_for_contains_text(f"#{ids.HEADER.THRESHOLD_SET}", "ваш черновик — r1 = 45", timeout=TIMEOUT)
        save = dash_duo.find_element(f"#{ids.HEADER.SAVE_FOR_CHAIN}")
        assert ("d-none" in save.get_attribute("class")) == (role == "manager")
        if role == "manager":
            assert "Сохранить его для всей сети может администратор" in text_of(
                dash_duo, f"#{ids.HEADER.THRESHOLD_SET}"
            )
    assert_no_console_errors(dash_duo)
    dash_duo.find_element(f"#{ids.HEADER.LOGOUT}").click()
    dash_duo.wait_for_element("#username", timeout=TIMEOUT)
    dash_duo.driver.get(base(dash_duo))
    dash_duo.wait_for_element("#username", timeout=TIMEOUT)  # the session is over
