"""The paths people take (issue 11): «Финал»'s client table shows rows whichever tab was visited before it, after a
period preset, and when the user leaves «Финал» and comes back."""

from __future__ import annotations

import pytest

from dashboard import ids
from tests.e2e.test_dashboard import TIMEOUT, assert_no_console_errors, open_dashboard, open_tab, wait_until
from tests.e2e.test_segments import grid_cards

pytestmark = pytest.mark.browser
OTHER_TABS = (ids.TAB_CLIENTS, ids.TAB_PHARMACIES, ids.TAB_THRESHOLDS, ids.TAB_MIGRATION)


def rows_shown(dash_duo, message: str) -> list[str]:
    wait_until(dash_duo, lambda: len(grid_cards(dash_duo)) > 0, message)
    return grid_cards(dash_duo)


def test_the_client_table_has_rows_after_every_other_tab_presets_and_back_and_forth(dash_duo, make_app, chain_db):
    open_dashboard(dash_duo, make_app(chain_db))  # the app starts on «Клиенты»
    for tab in OTHER_TABS:
        open_tab(dash_duo, tab)
        open_tab(dash_duo, ids.TAB_FINAL)
        first = rows_shown(dash_duo, f"the client table has rows on «Финал» after {tab}")
    dash_duo.find_element(f"#{ids.HEADER.PRESET_QUARTER}").click()
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", "Все клиенты", timeout=TIMEOUT)
    after_preset = rows_shown(dash_duo, "the client table has rows after a period preset")
    open_tab(dash_duo, ids.TAB_CLIENTS)
    dash_duo.find_element(f"#{ids.HEADER.PRESET_ALL}").click()
    open_tab(dash_duo, ids.TAB_FINAL)
    assert rows_shown(dash_duo, "rows after a preset pressed on another tab") and first and after_preset
    assert_no_console_errors(dash_duo)


def threshold(dash_duo, name: str):
    return dash_duo.find_element(f"input[name='threshold-{name}']")


def test_a_decimal_comma_pins_what_was_typed_and_anything_else_is_refused_by_name(dash_duo, make_app, chain_db):
    from tests.e2e.test_dashboard import text_of, type_into

    open_dashboard(dash_duo, make_app(chain_db))
    open_tab(dash_duo, ids.TAB_THRESHOLDS)
    wait_until(dash_duo, lambda: threshold(dash_duo, "f2").get_attribute("value") not in ("", None), "f2 shows")
    assert "," in threshold(dash_duo, "f2").get_attribute("value")  # shown the Russian way, e.g. «0,17»
    type_into(threshold(dash_duo, "f1"), "0,5")
    dash_duo.wait_for_contains_class("input[name='threshold-f1']", "rfma-pinned", timeout=TIMEOUT)
    wait_until(dash_duo, lambda: threshold(dash_duo, "f1").get_attribute("value") == "0,5", "f1 shows «0,5»")
    assert "Закреплено: f1" in text_of(dash_duo, f"#{ids.THRESHOLDS.STATUS}")
    r1 = threshold(dash_duo, "r1").get_attribute("value")
    type_into(threshold(dash_duo, "r1"), "abc")
    dash_duo.wait_for_contains_text(f"#{ids.THRESHOLDS.ERROR}", "порог r1: 'abc' не число", timeout=TIMEOUT)
    assert "Закреплено: f1." in text_of(dash_duo, f"#{ids.THRESHOLDS.STATUS}")  # r1 was not unpinned or pinned
    type_into(threshold(dash_duo, "a1"), "30.5")
    dash_duo.wait_for_contains_text(f"#{ids.THRESHOLDS.ERROR}", "число дней должно быть целым", timeout=TIMEOUT)
    type_into(threshold(dash_duo, "r1"), r1)  # the suggested value again: nothing changes, the message goes
    assert "Закреплено: f1." in text_of(dash_duo, f"#{ids.THRESHOLDS.STATUS}")
    assert_no_console_errors(dash_duo)


def test_a_shorter_period_moves_the_bonus_date_inside_it_and_migration_still_draws(dash_duo, make_app, chain_db):
    open_dashboard(dash_duo, make_app(chain_db))
    open_tab(dash_duo, ids.TAB_MIGRATION)
    dash_duo.wait_for_element(f"#{ids.MIGRATION.SANKEY} .main-svg", timeout=TIMEOUT)
    dash_duo.find_element(f"#{ids.HEADER.PRESET_QUARTER}").click()
    dash_duo.wait_for_contains_text(f"#{ids.MIGRATION.BODY}", "Бонус-дата 16.05.2022", timeout=TIMEOUT)
    dash_duo.wait_for_element(f"#{ids.MIGRATION.SANKEY} .main-svg", timeout=TIMEOUT)
    assert "вне периода" not in dash_duo.find_element(f"#{ids.MIGRATION.BODY}").text
    assert "r1 = " in dash_duo.find_element(f"#{ids.MIGRATION.THRESHOLDS}").text
    assert_no_console_errors(dash_duo)


def test_a_breadcrumb_level_selects_that_level(dash_duo, make_app, chain_db):
    from tests.e2e.test_segments import click, node_selector

    open_dashboard(dash_duo, make_app(chain_db))
    open_tab(dash_duo, ids.TAB_FINAL)
    rows_shown(dash_duo, "the client table has rows")
    click(dash_duo, node_selector("r110"))
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", "110 VIP", timeout=TIMEOUT)
    crumb = "[id='" + '{"node":"w1","type":"breadcrumb-node"}' + "']"
    click(dash_duo, crumb)
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", "1 горячие", timeout=TIMEOUT)
    assert "110 VIP" not in dash_duo.find_element(f"#{ids.FINAL.CLIENT_COUNT}").text
    assert_no_console_errors(dash_duo)


def test_a_short_period_is_warned_about_on_every_tab(dash_duo, make_app, chain_db):
    open_dashboard(dash_duo, make_app(chain_db))
    assert dash_duo.find_element(f"#{ids.HEADER.PERIOD_NOTE}").text == ""
    dash_duo.find_element(f"#{ids.HEADER.PRESET_MONTH}").click()
    dash_duo.wait_for_contains_text(f"#{ids.HEADER.PERIOD_NOTE}", "Период короткий (30 дней)", timeout=TIMEOUT)
    for tab in (ids.TAB_FINAL, ids.TAB_MIGRATION):
        open_tab(dash_duo, tab)
        assert "Период короткий" in dash_duo.find_element(f"#{ids.HEADER.PERIOD_NOTE}").text
    dash_duo.find_element(f"#{ids.HEADER.PRESET_ALL}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.HEADER.PERIOD_NOTE}", "", timeout=TIMEOUT)
    assert_no_console_errors(dash_duo)


IDLE_JS = """
var state = window.store && window.store.getState();
if (!state || state.isLoading) { return false; }
var queues = state.callbacks || {};
return ['requested', 'prioritized', 'blocked', 'executing', 'watched', 'executed'].every(function (name) {
    return !(queues[name] || []).length;
}) && !document.querySelector('[data-dash-is-loading="true"]');
"""


def wait_idle(dash_duo, message: str):
    """Until the renderer has no callback queued or running (twice in a row, 0.3 s apart)."""
    import time

    def idle():
        if not dash_duo.driver.execute_script(IDLE_JS):
            return False
        time.sleep(0.3)
        return dash_duo.driver.execute_script(IDLE_JS)

    wait_until(dash_duo, idle, message)


def mark(dash_duo, selector: str):
    """Tag a DOM element: a redrawn part replaces it, a kept part keeps the tag."""
    dash_duo.driver.execute_script("document.querySelector(arguments[0]).dataset.rfmaMark = 'kept'", selector)


def marked(dash_duo, selector: str) -> bool:
    element = dash_duo.driver.execute_script("return document.querySelector(arguments[0])", selector)
    return element is not None and element.get_attribute("data-rfma-mark") == "kept"


def test_returning_to_the_final_tab_keeps_what_is_drawn_until_the_period_changes(dash_duo, make_app, chain_db):
    open_dashboard(dash_duo, make_app(chain_db))
    open_tab(dash_duo, ids.TAB_FINAL)
    dash_duo.wait_for_element(f"#{ids.FINAL.REGION_GRAPH} .main-svg", timeout=TIMEOUT)
    rows = rows_shown(dash_duo, "the client table has rows")
    wait_idle(dash_duo, "«Финал» is drawn")
    drawn = (
        f"#{ids.FINAL.REGION_GRAPH}",  # the regions, clusters and classes
        f"#{ids.FINAL.SELECTION_SUMMARY} > *",  # the selection's KPIs
        f"#{ids.FINAL.TREE} > *",  # the tree with its counts
    )
    for component in drawn:
        mark(dash_duo, component)
    open_tab(dash_duo, ids.TAB_CLIENTS)
    wait_idle(dash_duo, "«Клиенты» is drawn")
    open_tab(dash_duo, ids.TAB_FINAL)
    wait_idle(dash_duo, "«Финал» is shown again")
    assert [c for c in drawn if not marked(dash_duo, c)] == []  # kept, not redrawn
    assert rows_shown(dash_duo, "the rows are kept") == rows
    # a change made on another tab is drawn on the way back
    open_tab(dash_duo, ids.TAB_CLIENTS)
    dash_duo.find_element(f"#{ids.HEADER.PRESET_QUARTER}").click()
    wait_idle(dash_duo, "«Клиенты» shows the quarter")
    open_tab(dash_duo, ids.TAB_FINAL)
    wait_until(dash_duo, lambda: not marked(dash_duo, drawn[0]), "the regions are drawn for the quarter")
    wait_idle(dash_duo, "«Финал» is drawn for the quarter")
    assert [c for c in drawn if marked(dash_duo, c)] == []
    assert rows_shown(dash_duo, "the quarter's rows") != rows
    assert_no_console_errors(dash_duo)
