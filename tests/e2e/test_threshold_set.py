"""The chain's threshold set in a real browser (issue 11, defect 3): a manager's edit is a draft only they see, which
survives a reload; «Сохранить для всей сети» makes it every visitor's set; a set that does not fit a short period is
one message under the header with a one-click way out, and «Вернуть утверждённые» brings the chain's set back."""

from __future__ import annotations

import pytest

from dashboard import ids
from dashboard.services import EXTENSION_KEY
from tests.e2e.test_dashboard import (
    TIMEOUT,
    assert_no_console_errors,
    open_dashboard,
    open_tab,
    text_of,
    type_into,
    wait_until,
)
from tests.e2e.test_paths import rows_shown, threshold

pytestmark = pytest.mark.browser
BAR = f"#{ids.HEADER.THRESHOLD_SET}"


def bar_says(dash_duo, fragment: str) -> None:
    wait_until(dash_duo, lambda: fragment in text_of(dash_duo, BAR), f"the header's threshold line says «{fragment}»")


def visible(dash_duo, element_id: str) -> bool:
    return "d-none" not in (dash_duo.find_element(f"#{element_id}").get_attribute("class") or "")


def as_another_visitor(dash_duo) -> None:
    """A fresh browser session opening the dashboard: nothing of this session's draft is left."""
    dash_duo.driver.execute_script("window.sessionStorage.clear()")
    dash_duo.driver.get(dash_duo.server_url)
    dash_duo.wait_for_element(f"#{ids.CLIENTS.GRAPH_CHEQUES} .main-svg", timeout=TIMEOUT)


def test_a_draft_is_one_visitors_until_saved_for_the_chain(dash_duo, make_app, chain_db):
    app = make_app(chain_db)
    sets = app.server.extensions[EXTENSION_KEY].threshold_sets
    open_dashboard(dash_duo, app)
    bar_says(dash_duo, "Пороги: предложенные по данным периода")
    open_tab(dash_duo, ids.TAB_THRESHOLDS)
    wait_until(dash_duo, lambda: threshold(dash_duo, "r1").get_attribute("value") not in ("", None), "r1 shows")
    type_into(threshold(dash_duo, "r1"), "45")
    bar_says(dash_duo, "Пороги: ваш черновик — r1 = 45. Его видите только вы.")
    assert visible(dash_duo, ids.HEADER.SAVE_FOR_CHAIN) and sets.current() is None
    dash_duo.driver.refresh()  # the draft survives a reload of this tab
    bar_says(dash_duo, "ваш черновик — r1 = 45")
    as_another_visitor(dash_duo)  # …and is nobody else's
    bar_says(dash_duo, "Пороги: предложенные по данным периода")
    open_tab(dash_duo, ids.TAB_THRESHOLDS)
    wait_until(dash_duo, lambda: threshold(dash_duo, "r1").get_attribute("value") not in ("", "45", None), "r1")
    type_into(threshold(dash_duo, "r1"), "45")
    bar_says(dash_duo, "ваш черновик — r1 = 45")
    dash_duo.find_element(f"#{ids.HEADER.SAVE_FOR_CHAIN}").click()
    bar_says(dash_duo, "Пороги: утверждённые для сети — r1 = 45 (сохранил: локальный режим (без входа)")
    assert sets.current().pins.as_dict() == {"r1": 45} and not visible(dash_duo, ids.HEADER.SAVE_FOR_CHAIN)
    as_another_visitor(dash_duo)  # every visitor now works with the chain's set
    bar_says(dash_duo, "утверждённые для сети — r1 = 45")
    open_tab(dash_duo, ids.TAB_THRESHOLDS)
    dash_duo.wait_for_contains_class("input[name='threshold-r1']", "rfma-pinned", timeout=TIMEOUT)
    assert threshold(dash_duo, "r1").get_attribute("value") == "45"
    dash_duo.find_element("summary").click()
    dash_duo.wait_for_contains_text(f"#{ids.THRESHOLDS.HISTORY}", "r1 = 45 (действует)", timeout=TIMEOUT)
    assert_no_console_errors(dash_duo)


def test_a_set_that_does_not_fit_a_month_is_one_message_with_a_way_out(dash_duo, make_app, chain_db):
    from core.model import ThresholdPins

    app = make_app(chain_db)
    app.server.extensions[EXTENSION_KEY].threshold_sets.save(ThresholdPins(r1=40), "анна", "панель")
    open_dashboard(dash_duo, app)
    open_tab(dash_duo, ids.TAB_FINAL)
    rows_shown(dash_duo, "the chain's set fits the whole period")
    dash_duo.find_element(f"#{ids.HEADER.PRESET_MONTH}").click()
    problem = f"#{ids.HEADER.THRESHOLD_PROBLEM}"
    wait_until(dash_duo, lambda: visible(dash_duo, ids.HEADER.THRESHOLD_PROBLEM), "the header says it does not fit")
    assert "r1 = 40 должен быть меньше r2" in text_of(dash_duo, problem)
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.BODY}", "под заголовком", timeout=TIMEOUT)
    page = dash_duo.find_element("body").text
    assert "не упорядочены" not in page and page.count("должен быть меньше") == 1  # said once, not on every panel
    fix = dash_duo.find_element(f"#{ids.HEADER.FIT_PERIOD}")
    assert fix.text == "Открепить r1 для этого периода"
    fix.click()
    bar_says(dash_duo, "Пороги: ваш черновик — все пороги предложены по данным")
    wait_until(dash_duo, lambda: not visible(dash_duo, ids.HEADER.THRESHOLD_PROBLEM), "the message goes")
    assert rows_shown(dash_duo, "the month's clients are classified with the suggested thresholds")
    dash_duo.find_element(f"#{ids.HEADER.DISCARD_DRAFT}").click()  # back to the chain's set: the message returns
    bar_says(dash_duo, "Пороги: утверждённые для сети — r1 = 40")
    wait_until(dash_duo, lambda: visible(dash_duo, ids.HEADER.THRESHOLD_PROBLEM), "the message is back")
    assert_no_console_errors(dash_duo)
