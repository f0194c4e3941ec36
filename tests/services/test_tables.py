"""The named tables on the test chain: each table's frame holds the rows its tab shows, under the tab's Russian
headers; a table with card numbers needs the right to download client lists; the CSV is for a Russian Excel."""

from __future__ import annotations

import pytest

from core.research import grade_capacity
from dashboard.services.access import AccessDenied, Identity
from dashboard.services.tables import TABLES, Selection, table_csv
from layouts import final as final_layout
from layouts import pharmacies as pharmacies_layout
from layouts import thresholds as thresholds_layout
from tests.support.dashboard import FULL

MANAGER = Identity("anna", "manager")
VIEWER = Identity("vera", "viewer")
BONUS = "2021-12-30"


@pytest.fixture
def tables(services):
    request = services.requests.build(*FULL)

    def table(name: str, identity: Identity = MANAGER, **selection):
        return services.tables.table(name, request, Selection(**selection), identity)

    return table


def test_the_pharmacies_table_is_the_tabs_rows_under_its_headers(services, full, tables):
    table = tables("pharmacies")
    assert table.headers == list(pharmacies_layout.TABLE_COLUMNS.values())
    assert table.frame["shop"].tolist() == services.pharmacies.view(full).shop_table["shop"].tolist()
    assert len(table.frame) == 8 and table.title == "Аптеки" and not table.personal


def test_regions_clusters_classes_and_recommendations_are_finals(services, full, tables):
    view = services.final.view(full)
    regions, clusters, classes = tables("regions"), tables("clusters"), tables("classes")
    assert regions.headers == ["Регион", "Название", "Прогрев", *final_layout.SUMMARY_COLUMNS.values()]
    assert clusters.headers[:3] == ["Кластер", "Название", "Прогрев"]
    assert classes.headers == [header for _, header, _ in final_layout.CLASS_COLUMNS]
    assert (len(regions.frame), len(clusters.frame), len(classes.frame)) == (9, 16, 108)
    assert regions.frame["clients"].tolist() == view.regions["clients"].tolist()
    assert regions.frame["warmth"].iloc[0] == "1 горячие"
    recommendations = tables("recommendations")
    assert len(recommendations.frame) == 9 and recommendations.headers[-1] == "Что делать маркетингу"
    assert recommendations.frame["recommendation"].str.len().min() > 20


def test_threshold_statistics_and_capacities_cover_the_four_sub_tabs(services, full, tables):
    research = services.thresholds.research(full)
    stats = tables("threshold_stats")
    assert stats.headers == ["Показатель", *thresholds_layout.STAT_TITLES.values()]
    assert stats.frame["what"].tolist()[0] == "Давность D, дней" and len(stats.frame) == 6
    capacities = tables("capacities")
    assert len(capacities.frame) == sum(len(research.capacities[m]) for m in "rfma")
    assert capacities.frame["clients"].sum() == 4 * len(services.analyses.classification(full).clients)
    assert capacities.frame.query("metric == 'Recency'")["clients"].tolist() == (
        grade_capacity(services.analyses.classification(full).clients, "r")["clients"].tolist()
    )


def test_clients_kpis_months_and_pharmacy_counts(services, full, tables):
    view = services.clients.view(full)
    kpis = tables("clients_kpis")
    assert kpis.frame["what"].tolist()[:2] == ["Период деятельности", "Идентифицированных клиентов"]
    assert kpis.frame["value"].iloc[0] == "01.07.2021 — 30.06.2022"
    monthly = tables("monthly")
    assert len(monthly.frame) == 12 and monthly.frame["cheques"].sum() == view.overview.cheques
    assert monthly.frame["new_clients"].sum() == view.clients
    by_shops = tables("clients_by_shops")
    assert by_shops.frame["clients"].sum() == view.clients and by_shops.headers == ["Аптек у клиента", "Клиентов"]


def test_the_migration_matrix_needs_a_bonus_date_and_follows_level_and_value(services, full, tables):
    from core.model import RfmaError

    with pytest.raises(RfmaError, match="бонус-дату"):
        tables("migration")
    matrix = services.migration.view(full, BONUS).tables[("cluster", "revenue_after")]
    table = tables("migration", bonus_date=BONUS, level="cluster", value="revenue_after")
    assert len(table.frame) == len(matrix) and table.headers[0] == "до \\ после"
    assert table.headers[-2:] == ["Всего", "осталось %"] and len(table.headers) == len(matrix.columns) + 1
    assert table.columns[1].kind == "money"


def test_a_table_with_card_numbers_needs_the_download_right(tables):
    assert [name for name, spec in TABLES.items() if spec.personal] == ["client_cheques", "client_shops"]
    for name in ("client_cheques", "client_shops"):
        with pytest.raises(AccessDenied, match="таблицы с номерами карт"):
            tables(name, VIEWER, card="1")
    assert len(tables("regions", VIEWER).frame) == 9  # aggregates are anyone's


def test_the_csv_is_for_a_russian_excel(tables):
    text = table_csv(tables("regions")).decode("utf-8")
    header, first = text.split("\r\n")[:2]
    assert text.startswith("\ufeffРегион;Название;Прогрев;Клиентов;Доля клиентов, %;Выручка, ₽;")
    cells = dict(zip(header.lstrip("\ufeff").split(";"), first.split(";"), strict=True))
    assert cells["Регион"] == "110" and "," in cells["Выручка, ₽"] and "." not in cells["Выручка, ₽"]
    frame = tables("regions").russian()  # for a notebook: the values under the Russian headers
    assert list(frame.columns[:3]) == ["Регион", "Название", "Прогрев"] and frame["Клиентов"].sum() == 600


def test_the_chains_threshold_history_is_a_table_too(services, tables):
    assert tables("threshold_history").frame.empty
    services.threshold_sets.save(services.threshold_sets.current_pins().with_values(r1=30), "anna", "панель")
    history = tables("threshold_history")
    assert history.headers == ["Сохранён (UTC)", "Кто", "Откуда", "Закреплённые пороги"]
    assert history.frame[["saved_by", "origin"]].values.tolist() == [["anna", "панель"]]
    assert history.frame["pins"].iloc[0].endswith("(действует)")


def test_the_region_and_cluster_downloads_carry_the_bonus_economics(services, tables):
    from core import glossary
    from dashboard.services.tables import MONEY, PERCENT

    view = services.final.view(services.requests.build(*FULL))
    for name, frame in (("regions", view.regions), ("clusters", view.clusters)):
        table = tables(name)
        headers = [header for header, _ in glossary.BONUS_ECONOMICS.values()]
        assert table.headers[-len(headers) :] == headers
        kinds = {c.key: c.kind for c in table.columns}
        assert kinds["ltv"] == kinds["bonus_earned"] == MONEY and kinds["discount_share"] == PERCENT
        assert table.frame["ltv"].tolist() == pytest.approx(frame["ltv"].tolist(), nan_ok=True)
        assert "LTV на клиента, ₽" in table_csv(table).decode("utf-8-sig").splitlines()[0]
