"""Issue 11's last friction items in the browser: a dropdown says «Нет вариантов» (and «Поиск») in Russian, and
«Миграция»'s chosen flow goes back to the prompt when the level or the period changes — after another tab first."""

from __future__ import annotations

import pytest

from dashboard import ids
from layouts.migration import FLOW_PROMPT
from tests.e2e.test_dashboard import TIMEOUT, assert_no_console_errors, open_dashboard, open_tab, text_of, wait_until
from tests.e2e.test_segments import click

pytestmark = pytest.mark.browser
COUNT = f"#{ids.MIGRATION.FLOW_COUNT}"


def test_a_dropdown_says_no_options_in_russian_and_a_new_level_or_period_clears_the_chosen_flow(
    dash_duo, make_app, chain_db, screenshot
):
    open_dashboard(dash_duo, make_app(chain_db))
    open_tab(dash_duo, ids.TAB_FINAL)
    dash_duo.wait_for_contains_text(f"#{ids.FINAL.CLIENT_COUNT}", "Все клиенты", timeout=TIMEOUT)
    click(dash_duo, f"#{ids.FINAL.FILTER_SHOPS}")
    search = dash_duo.wait_for_element(".dash-dropdown-search", timeout=TIMEOUT)
    assert search.get_attribute("placeholder") == "Поиск"
    search.send_keys("нет такой аптеки")
    dash_duo.wait_for_contains_text(".dash-dropdown-content", "Нет вариантов", timeout=TIMEOUT)
    assert "No options" not in text_of(dash_duo, ".dash-dropdown-content")
    screenshot("40_dropdown_no_options")
    search.send_keys("\ue00c")  # Escape closes the list

    open_tab(dash_duo, ids.TAB_MIGRATION)
    cell = "button.rfma-flow-cell[title^='110 VIP → 410 ушедший VIP']"
    dash_duo.wait_for_element(cell, timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(COUNT, FLOW_PROMPT, timeout=TIMEOUT)
    click(dash_duo, cell)
    dash_duo.wait_for_contains_text(COUNT, "110 VIP → 410 ушедший VIP:", timeout=TIMEOUT)

    # another level: the region flow is no longer on screen, so its table goes back to the prompt
    level = dash_duo.driver.find_element(
        "xpath", f"//*[@id='{ids.MIGRATION.LEVEL}']//label[normalize-space()='Кластеры']"
    )
    level.click()
    dash_duo.wait_for_text_to_equal(COUNT, FLOW_PROMPT, timeout=TIMEOUT)

    # a flow of the cluster level, then another period: the prompt again
    cluster_cell = "button.rfma-flow-cell[title^='11 VIP →']"
    dash_duo.wait_for_element(cluster_cell, timeout=TIMEOUT)
    click(dash_duo, cluster_cell)
    wait_until(dash_duo, lambda: text_of(dash_duo, COUNT).startswith("11 VIP →"), "the cluster flow is shown")
    click(dash_duo, f"#{ids.HEADER.PRESET_QUARTER}")
    dash_duo.wait_for_text_to_equal(COUNT, FLOW_PROMPT, timeout=TIMEOUT)
    screenshot("41_migration_flow_reset")
    assert_no_console_errors(dash_duo)
