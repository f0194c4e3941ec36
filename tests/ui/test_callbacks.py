"""Callbacks called as plain functions inside a Flask request, as Dash calls them."""

from __future__ import annotations

import pytest

from callbacks import clients, final, migration, pharmacies, shell, thresholds
from core.model import THRESHOLD_NAMES
from dashboard import ids
from tests.support.chain import CLOSED_SHOP
from tests.support.components import figures, find, text
from tests.ui.conftest import FULL

HALF = ("2022-01-01", "2022-06-30")
EMPTY = ("2030-01-01", "2030-01-31")


def kpi(body, component_id) -> str:
    return find(body, component_id).children


def test_clients_tab_shows_kpis_and_three_charts_for_all_data(request_ctx):
    body = clients.update_clients(ids.TAB_CLIENTS, *FULL)
    assert kpi(body, ids.CLIENTS.KPI_PERIOD) == "01.07.2021 — 30.06.2022"
    assert kpi(body, ids.CLIENTS.KPI_CLIENTS) == "600"
    assert kpi(body, ids.CLIENTS.KPI_SHOPS) == "8"
    assert len(figures(body)) == 3


def test_changing_the_period_changes_the_numbers(request_ctx):
    full = clients.update_clients(ids.TAB_CLIENTS, *FULL)
    half = clients.update_clients(ids.TAB_CLIENTS, *HALF)
    assert kpi(half, ids.CLIENTS.KPI_PERIOD).startswith("01.01.2022")
    assert int(kpi(half, ids.CLIENTS.KPI_CLIENTS).replace("\u00a0", "")) < 600
    assert kpi(half, ids.CLIENTS.KPI_SHOPS) == "7"  # the closed pharmacy has no sales in 2022
    assert kpi(full, ids.CLIENTS.KPI_CLIENTS) == "600"  # and the other period's result is untouched


def test_an_inactive_tab_computes_nothing(request_ctx):
    assert clients.update_clients(ids.TAB_FINAL, *FULL) is None
    assert pharmacies.update_pharmacies(ids.TAB_CLIENTS, *FULL) is None
    assert final.update_final(ids.TAB_CLIENTS, *FULL, {}) is None
    assert migration.update_migration(ids.TAB_CLIENTS, "2022-01-01", "region", "clients", *FULL, {}) is None


def test_an_empty_period_shows_a_russian_message_instead_of_charts(request_ctx):
    for body in (
        clients.update_clients(ids.TAB_CLIENTS, *EMPTY),
        pharmacies.update_pharmacies(ids.TAB_PHARMACIES, *EMPTY),
        final.update_final(ids.TAB_FINAL, *EMPTY, {}),
        thresholds.update_research(ids.TAB_THRESHOLDS, ids.SUBTAB_RECENCY, *EMPTY, {}),
    ):
        assert "нет ни одного чека" in text(body)
        assert figures(body) == []


def test_a_period_without_identified_clients_says_so(make_app, tmp_path):
    from tests.support.chain import chain_cheques

    frame = chain_cheques(clients=0, anonymous=50)
    from core.db import make_engine
    from core.loading import append_cheques

    url = f"duckdb:///{tmp_path / 'anonymous.duckdb'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        append_cheques(conn, frame)
    engine.dispose()
    app = make_app(url)
    with app.server.test_request_context():
        body = clients.update_clients(ids.TAB_CLIENTS, *FULL)
        assert "нет идентифицированных чеков" in text(body)
        assert "нет идентифицированных чеков" in text(final.update_final(ids.TAB_FINAL, *FULL, {}))
        assert "нет идентифицированных" in text(
            migration.update_migration(ids.TAB_MIGRATION, "2022-01-01", "region", "clients", *FULL, {})
        )


def test_an_unreachable_database_shows_a_message_not_a_traceback(make_app, tmp_path):
    app = make_app(f"duckdb:///{tmp_path / 'missing' / 'nothing.duckdb'}")
    with app.server.test_request_context():
        body = clients.update_clients(ids.TAB_CLIENTS, *FULL)
        assert "База данных недоступна" in text(body)
        assert "Traceback" not in text(body)
        page = app.layout()
        assert "База данных недоступна" in text(find(page, ids.HEADER.SOURCE))


def test_pharmacies_tab_has_four_charts_a_table_and_notes_the_closed_pharmacy(request_ctx):
    body = pharmacies.update_pharmacies(ids.TAB_PHARMACIES, *FULL)
    assert len(figures(body)) == 4
    table = find(body, ids.PHARMACIES.TABLE)
    assert "Аптека 10" in text(table)
    assert CLOSED_SHOP in text(body)


def test_final_tab_lists_all_108_classes_16_clusters_and_9_regions(request_ctx):
    body = final.update_final(ids.TAB_FINAL, *FULL, {})
    grid = find(body, ids.FINAL.CLASS_TABLE)
    assert len(grid.rowData) == 108
    assert sum(row["clients"] for row in grid.rowData) == 600
    assert text(find(body, ids.FINAL.REGION_TABLE)).count("горячие") == 1
    assert len(find(body, ids.FINAL.CLUSTER_TABLE).children[1].children) == 16
    assert len(find(body, ids.FINAL.RECOMMENDATIONS).children) == 9
    assert "Наши лучшие клиенты" in text(body)


def test_card_lookup_shows_metrics_segments_and_cheques(request_ctx):
    result = final.lookup_card(1, None, ids.TAB_FINAL, *FULL, {}, " 100000 ")
    assert "Регион" in text(result) and "Кластер" in text(result)
    assert figures(result)[0].data[0].y is not None
    missing = final.lookup_card(1, None, ids.TAB_FINAL, *FULL, {}, "999")
    assert "не найдена" in text(missing)
    assert "Введите номер карты" in text(final.lookup_card(None, None, ids.TAB_FINAL, *FULL, {}, ""))


def test_migration_shows_shares_a_sankey_and_a_heatmap(request_ctx):
    body = migration.update_migration(ids.TAB_MIGRATION, "2022-01-15", "region", "clients", *FULL, {})
    kinds = [type(fig.data[0]).__name__ for fig in figures(body)]
    assert kinds == ["Sankey", "Heatmap"]
    assert "новый" in text(body) or "Новые клиенты" in text(body)
    cluster = migration.update_migration(ids.TAB_MIGRATION, "2022-01-15", "cluster", "revenue_after", *FULL, {})
    assert "выручка" in figures(cluster)[1].layout.title.text


def test_a_bonus_date_outside_the_period_is_explained(request_ctx):
    body = migration.update_migration(ids.TAB_MIGRATION, "2021-03-01", "region", "clients", *HALF, {})
    assert "вне периода" in text(body)
    assert figures(body) == []


def test_bonus_date_bounds_follow_the_period():
    assert migration.bonus_bounds("2022-01-01T00:00:00", "2022-06-30") == ("2022-01-01", "2022-06-30")


@pytest.mark.parametrize("subtab", [ids.SUBTAB_RECENCY, ids.SUBTAB_FREQUENCY, ids.SUBTAB_MONETARY, ids.SUBTAB_AGE])
def test_each_threshold_subtab_has_a_statistics_table_and_charts(request_ctx, subtab):
    body = thresholds.update_research(ids.TAB_THRESHOLDS, subtab, *FULL, {})
    assert "Медиана" in text(body)
    assert len(figures(body)) >= 2


def editor(names_values, trigger, pins, period=FULL):
    names = list(names_values)
    return thresholds.threshold_editor(names, list(names_values.values()), trigger, *period, pins)


def shown(services, pins=None, period=FULL):
    suggestion = services.thresholds_in_force(*period, pins or {})
    return {k: thresholds.display_value(v) for k, v in suggestion.thresholds.as_dict().items()}


def test_threshold_inputs_show_the_suggested_values_first(services):
    values, _classes, _invalid, hints, _pins, error, _warnings, status = editor(
        dict.fromkeys(THRESHOLD_NAMES), None, {}
    )
    assert values == list(shown(services).values())
    assert hints == ["предложено"] * 9
    assert error is None and "предложены" in status


def test_editing_a_threshold_pins_it_regrades_and_saves_it(services, app, make_app, chain_url):
    before = services.research(*FULL, {}).capacities["r"]["clients"].tolist()
    typed = shown(services) | {"r1": 40}
    _values, classes, _invalid, hints, pins, error, _, _status = editor(typed, ids.threshold_input("r1"), {})
    assert pins == {"r1": 40}
    assert "rfma-pinned" in classes[0] and hints[0] == "закреплено"
    assert error is None
    after = services.research(*FULL, pins).capacities["r"]["clients"].tolist()
    assert after != before
    # saved: a new app on the same state directory starts with the pin
    again = make_app(chain_url)
    assert again.server.extensions["rfma_services"].saved_pins() == {"r1": 40}


def test_an_unordered_threshold_shows_the_error_and_keeps_the_last_valid_set(services):
    typed = shown(services, {"r1": 40}) | {"r1": 500}
    values, _classes, invalid, _hints, pins, error, _, _ = editor(typed, ids.threshold_input("r1"), {"r1": 40})
    assert "не упорядочены" in text(error)
    assert invalid[0] is True
    assert type(pins).__name__ == "NoUpdate"  # the store keeps {"r1": 40}
    assert type(values[0]).__name__ == "NoUpdate"  # the typed value stays visible
    assert services.saved_pins() == {}  # nothing saved for a rejected edit


def test_clearing_an_input_unpins_and_reset_unpins_everything(services):
    typed = shown(services, {"r1": 40, "a1": 20}) | {"r1": None}
    assert editor(typed, ids.threshold_input("r1"), {"r1": 40, "a1": 20})[4] == {"a1": 20}
    assert editor(typed, ids.THRESHOLDS.RESET, {"r1": 40, "a1": 20})[4] == {}


def test_typing_the_value_already_in_force_pins_nothing(services):
    typed = shown(services)
    assert type(editor(typed, ids.threshold_input("m1"), {})[4]).__name__ == "NoUpdate"


def test_pinned_thresholds_are_used_by_final_and_migration(request_ctx):
    free = final.update_final(ids.TAB_FINAL, *FULL, {})
    pinned = final.update_final(ids.TAB_FINAL, *FULL, {"r1": 5})
    assert "r1 = 5" in text(pinned) and "r1 = 5" not in text(free)
    a = migration.update_migration(ids.TAB_MIGRATION, "2022-01-15", "region", "clients", *FULL, {})
    b = migration.update_migration(ids.TAB_MIGRATION, "2022-01-15", "region", "clients", *FULL, {"r1": 5, "r2": 10})
    assert text(a) != text(b)


def test_saved_pins_that_do_not_fit_a_period_show_the_error_everywhere(request_ctx):
    bad = {"r1": 300}
    assert "не упорядочены" in text(final.update_final(ids.TAB_FINAL, *FULL, bad))
    out = editor(dict.fromkeys(THRESHOLD_NAMES), None, bad)
    assert "не упорядочены" in text(out[5])


def test_presets_count_back_from_the_last_cheque():
    assert shell.preset_period(ids.HEADER.PRESET_ALL, *FULL) == FULL
    assert shell.preset_period(ids.HEADER.PRESET_QUARTER, *FULL) == ("2022-04-01", "2022-06-30")
    assert shell.preset_period(ids.HEADER.PRESET_YEAR, "2022-01-01", "2022-06-30") == ("2022-01-01", "2022-06-30")


def test_a_reimport_is_visible_at_once(make_app, tmp_path):
    from tests.support.chain import append_more, build_chain_database, chain_cheques

    url = build_chain_database(tmp_path / "grow.duckdb", clients=50, anonymous=20)
    app = make_app(url)
    with app.server.test_request_context():
        first = kpi(clients.update_clients(ids.TAB_CLIENTS, *FULL), ids.CLIENTS.KPI_CHEQUES)
    extra = chain_cheques(clients=5, anonymous=5, seed=7)
    extra["doc_id"] = "X" + extra["doc_id"]
    extra["card"] = extra["card"].where(extra["card"].isna(), "9" + extra["card"].astype(str))
    append_more(url, extra)
    with app.server.test_request_context():
        second = kpi(clients.update_clients(ids.TAB_CLIENTS, *FULL), ids.CLIENTS.KPI_CHEQUES)
    assert first != second
