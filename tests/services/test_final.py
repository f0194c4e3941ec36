"""Tab «Финал»'s service: regions/clusters/classes, the selection's summary, table pages, a client by card."""

from __future__ import annotations

import pytest

from core.client_filter import ClientFilter
from core.model import RfmaError


def test_the_view_counts_every_client_once(services, full):
    view = services.final.view(full)
    assert view.clients == 600 == view.classes["clients"].sum() == view.regions["clients"].sum()
    assert len(view.classes) == 108 and len(view.clusters) == 16 and len(view.regions) == 9
    assert set(view.thresholds) == {"r1", "r2", "r3", "f1", "f2", "m1", "m2", "a1", "a2"}


def test_the_selection_summarises_exactly_its_clients(services, full):
    clients = services.analyses.classification(full).clients
    vip = clients[clients["region"] == 110]
    view = services.final.selection(full, ClientFilter.build("r110"))
    assert view.clients == len(vip) and view.revenue == pytest.approx(vip["revenue"].sum())
    assert view.share == pytest.approx(len(vip) / 600)
    assert view.avg_cheque == pytest.approx(vip["revenue"].sum() / vip["purchases"].sum())
    assert view.mean_recency_days == pytest.approx(vip["recency_days"].mean())
    assert set(view.breakdown["level"]) == {"cluster"} and view.breakdown["clients"].sum() == len(vip)
    assert set(view.points["card"]) == set(vip["card"])
    nobody = services.final.selection(full, ClientFilter.build(card="нет-такой-карты"))
    assert nobody.clients == 0 and nobody.avg_cheque is None and nobody.mean_frequency is None
    assert view.filters == () and nobody.filters == ("карта содержит: нет-такой-карты",)  # the segment is in the count


def test_pages_cover_the_selection_once_in_the_requested_order(services, full):
    flt = ClientFilter.build("w2")
    first, count = services.final.client_page(full, flt, 0, 100, (("revenue", True),))
    rest, _ = services.final.client_page(full, flt, 100, 10_000, (("revenue", True),))
    cards = [row["card"] for row in first + rest]
    assert len(cards) == count == len(set(cards))
    revenues = [row["revenue"] for row in first + rest]
    assert revenues == sorted(revenues, reverse=True)


def test_a_client_card_and_its_errors(services, full):
    card = services.final.client_card(full, " 100000 ")
    assert card.row["card"] == "100000" and len(card.cheques) == card.row["purchases"]
    with pytest.raises(RfmaError, match="не найдена"):
        services.final.client_card(full, "999")
    with pytest.raises(RfmaError, match="Введите номер карты"):
        services.final.client_card(full, "  ")


def test_the_page_filter_values_become_one_client_filter(services):
    flt = services.final.client_filter(
        None,
        ["Аптека 2"],
        [1],
        None,
        None,
        None,
        " 12 ",
        {"m": {"filterType": "number", "type": "equals", "filter": 1}},
    )
    assert flt.segment == "all" and flt.shops == ("Аптека 2",) and flt.r == (1,) and flt.card == "12"
    assert [c.column for c in flt.columns] == ["m"]
    assert services.final.sunburst_target("r210", "r210") == "w2"
    assert services.final.sunburst_target("r210", "all") == "r210"
    assert services.final.sunburst_target("all", None) == "all"


def test_a_page_never_holds_more_than_one_block(services, full):
    from dashboard.services.final import MAX_PAGE_ROWS

    everyone = ClientFilter.build()
    rows, count = services.final.client_page(full, everyone, 0, 10**9, ())
    assert len(rows) == MAX_PAGE_ROWS < count == 600
    assert len(services.final.client_page(full, everyone, 590, 10**9, ())[0]) == 10
    assert services.final.client_page(full, everyone, -5, -1, ()) == ([], 600)


def test_a_client_card_holds_the_newest_cheques_the_pharmacies_and_the_regions_action(services, full):
    from core.segments import REGION_RECOMMENDATIONS
    from dashboard.services.final import CHEQUES_SHOWN

    clients = services.analyses.classification(full).clients
    busiest = clients.sort_values("purchases", ascending=False).iloc[0]
    assert busiest["purchases"] > CHEQUES_SHOWN  # the chain has a client with more cheques than the table shows
    card = services.final.client_card(full, busiest["card"])
    assert card.cheque_count == busiest["purchases"] and len(card.latest) == CHEQUES_SHOWN
    newest = card.cheques.sort_values(["datetime", "doc_id"]).iloc[::-1].head(CHEQUES_SHOWN)
    assert card.latest["doc_id"].tolist() == newest["doc_id"].tolist()
    assert card.shops["cheques"].sum() == busiest["purchases"] and len(card.shops) == busiest["shops"]
    assert card.shops["revenue"].sum() == pytest.approx(busiest["revenue"])
    assert card.action == REGION_RECOMMENDATIONS[int(busiest["region"])]


def test_the_region_and_cluster_tables_carry_each_segments_bonus_economics(services, full):
    from core.summaries import BONUS_ECONOMICS

    view = services.final.view(full)
    clients = services.analyses.classification(full).clients
    for level, table in (("region", view.regions), ("cluster", view.clusters)):
        assert set(BONUS_ECONOMICS) <= set(table.columns)
        for row in table[table["clients"] > 0].to_dict("records"):
            members = clients[clients[level] == row[level]]
            assert row["bonus_earned"] == pytest.approx(members["bonus_earned"].sum())
            assert row["bonus_spent_to_earned"] == pytest.approx(
                members["bonus_spent"].sum() / members["bonus_earned"].sum()
            )
            assert row["discount_share"] == pytest.approx(members["discount"].sum() / members["gross"].sum())
            assert row["bonus_clients_share"] == pytest.approx((members["bonus_spent"] > 0).mean())
            assert row["ltv"] == pytest.approx(members["history_revenue"].mean())
    assert view.regions["bonus_earned"].sum() == pytest.approx(clients["bonus_earned"].sum())
    assert view.regions["ltv"].mul(view.regions["clients"]).sum() == pytest.approx(clients["revenue"].sum())
