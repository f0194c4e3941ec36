"""Tab «Когорты»'s service: the cohort table of a segment, Pareto, dynamics at r3 in force, and the clients of a
clicked cell, band or bar (pages, the CSV), cached."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from core import cohorts as core_cohorts
from core.model import Period, RfmaError
from core.segment_tree import Segment
from dashboard.services import cohorts as service_module
from dashboard.services.cohorts import Pick, headline_80, headline_top20
from dashboard.services.exports import CohortPickExport
from tests.support.dashboard import FULL

JULY = core_cohorts.month_index(dt.date(2021, 7, 1))
NBSP = "\u00a0"


def test_the_cohort_table_of_all_clients_is_core_s(services, full):
    view = services.cohorts.cohorts(full, Segment())
    expected = core_cohorts.load_cohorts(full.engine(), Period.parse(*FULL))
    pd.testing.assert_frame_equal(view.cells, expected.cells)
    assert view.partial_days is None  # 30.06.2022 is the month's last day
    assert set(view.ltv["group"]) <= {"0–2", "3–5", "6–11", "12–23", "24+"} and not view.ltv.empty


def test_a_segment_restricts_the_cohorts_to_its_clients(services, full):
    clients = services.analyses.classification(full).clients
    vip = set(clients["card"][clients["region"].astype(int) == 110].astype(str))
    view = services.cohorts.cohorts(full, Segment.parse("r110"))
    shown = int(view.cells.groupby("cohort")["cohort_clients"].first().sum())
    assert 0 < shown <= len(vip) < len(clients)
    whole = services.cohorts.cohorts(full, Segment())
    assert shown < int(whole.cells.groupby("cohort")["cohort_clients"].first().sum())
    warm = services.cohorts.cohorts(full, Segment.parse("r210"))  # another segment: a table of its own
    assert int(warm.cells.groupby("cohort")["cohort_clients"].first().sum()) != shown


def test_a_period_ending_mid_month_has_a_partial_month(services):
    view = services.cohorts.cohorts(services.requests.build("2021-07-01", "2022-06-15"), Segment())
    assert view.partial_days == 15
    june = core_cohorts.month_index(dt.date(2022, 6, 15))
    in_june = view.cells["cohort"] + view.cells["months_since"] == june
    assert view.cells["partial"].tolist() == in_june.tolist() and in_june.sum() == view.cells["cohort"].nunique()


def test_a_second_visit_reads_the_cache_not_the_database(services, full, monkeypatch):
    services.cohorts.cohorts(full, Segment())
    services.cohorts.pareto(full)
    services.cohorts.dynamics(full)

    def refuse(*_args, **_kwargs):
        raise AssertionError("the database was read again")

    for name in ("load_cohorts", "load_pareto", "load_pareto_bands", "load_dynamics"):
        monkeypatch.setattr(service_module, name, refuse)
    assert not services.cohorts.cohorts(full, Segment()).is_empty
    assert services.cohorts.pareto(full).pareto.clients == 600
    assert services.cohorts.dynamics(full).shops[0] == core_cohorts.CHAIN


def test_pareto_has_five_bands_whose_first_is_the_top_20_percent(services, full):
    view = services.cohorts.pareto(full)
    assert list(view.bands["clients"]) == [120] * 5
    assert view.bands["revenue_share"].iloc[0] == pytest.approx(view.pareto.top20_revenue_share)


def test_dynamics_use_r3_of_the_threshold_set_in_force(services):
    free = services.cohorts.dynamics(services.requests.build(*FULL, {}))
    pinned = services.cohorts.dynamics(services.requests.build(*FULL, {"r3": 20, "r1": 5, "r2": 10}))
    assert pinned.churn_days == 20 and free.churn_days != 20
    assert list(free.shops[:2]) == [core_cohorts.CHAIN, "Аптека 1"]
    assert free.of("Аптека 11")["lapsed_clients"].sum() != pinned.of("Аптека 11")["lapsed_clients"].sum()


@pytest.mark.parametrize(
    "key",
    ["cell|all|2021-07|2", "cell|r110|2021-07|size", "band|1", "band|5", "bar|2021-09|Вся сеть|lapsed"],
)
def test_a_pick_key_round_trips(key):
    assert Pick.parse(key).key == key


@pytest.mark.parametrize(
    "key", [None, "", "cell|all|2021-13|1", "cell|x1|2021-07|1", "cell|all|2021-07|-1", "band|6", "bar|2021-09|A|x"]
)
def test_a_bad_pick_key_is_refused_in_russian(key):
    with pytest.raises(RfmaError, match="неизвестный выбор"):
        Pick.parse(key)


def test_a_cell_s_clients_are_listed_paged_and_downloaded(services, full):
    engine = full.engine()
    expected = set(core_cohorts.load_cohort_cards(engine, JULY, 2, Period.parse(*FULL)))
    pick = services.cohorts.pick("cell|all|2021-07|2")
    view = services.cohorts.pick_view(full, pick)
    assert view.clients == view.listed == len(expected) > 0
    rows, count = services.cohorts.pick_page(full, pick, 0, 1000, (("revenue", True),))
    assert count == len(expected) and {r["card"] for r in rows} == expected
    assert [r["revenue"] for r in rows] == sorted((r["revenue"] for r in rows), reverse=True)
    name, chunks = services.cohorts.pick_csv(full, pick)
    assert name == "rfma_когорта_2021-07_м2_2021-07-01_2022-06-30.csv"
    frame = pd.read_csv(io.BytesIO(b"".join(chunks)), sep=";", decimal=",", encoding="utf-8-sig", dtype=str)
    assert set(frame["Карта"].str.strip('="')) == expected


def test_a_client_without_a_purchase_in_the_period_is_counted_but_not_listed(services):
    request = services.requests.build("2022-01-01", "2022-06-30")
    pick = services.cohorts.pick("bar|2022-01|Вся сеть|lapsed")  # lapsed in January: last bought in 2021
    view = services.cohorts.pick_view(request, pick)
    assert view.clients > 0 and view.listed < view.clients


def test_the_export_of_a_pick_streams_the_same_clients(services, full):
    export = CohortPickExport(full, services.cohorts.pick("band|1"))
    name, token = services.exports.keep_client_list(export)
    assert name == "rfma_парето_0-20_2021-07-01_2022-06-30.csv"
    kept_name, chunks = services.exports.kept_client_list(token)
    frame = pd.read_csv(io.BytesIO(b"".join(chunks)), sep=";", decimal=",", encoding="utf-8-sig", dtype=str)
    assert kept_name == name and len(frame) == 120
    assert services.exports.row_count(export) == 120


def test_the_pareto_headlines_in_words():
    assert headline_top20(0.5351) == f"20{NBSP}% клиентов приносят 53,5{NBSP}% выручки"
    assert headline_80(0.4583) == f"80{NBSP}% выручки приносят 45,8{NBSP}% клиентов"
    assert "выручки в периоде нет" in headline_top20(None)


def test_a_pick_as_a_campaign_selection_is_its_listed_clients_at_the_period_s_t(services):
    request = services.requests.build("2022-01-01", "2022-06-30")
    pick = services.cohorts.pick("bar|2022-01|Вся сеть|active")  # 159 of 197 have a row in the period
    rows, listed = services.cohorts.pick_page(request, pick, 0, 10_000, ())
    resolved = services.cohorts.campaign_selection(request, pick).resolve(services.analyses)
    assert sorted(resolved.cards) == sorted(r["card"] for r in rows) and len(resolved.cards) == listed > 0
    assert len(resolved.cards) < len(services.cohorts.pick_cards(request, pick))  # the unlisted ones are not members
    assert resolved.start_date == dt.date(2022, 6, 30) == services.analyses.classification(request).base.analysis_date
    assert resolved.description.startswith("«Когорты»: Динамика базы, Вся сеть, 2022-01: активные")
    assert "01.01.2022 — 30.06.2022" in resolved.description


def test_a_cohort_cell_becomes_a_campaign_of_exactly_its_clients(services, full):
    expected = set(core_cohorts.load_cohort_cards(full.engine(), JULY, 2, Period.parse(*FULL)))
    selection = services.cohorts.campaign_selection(full, services.cohorts.pick("cell|all|2021-07|2"))
    created = services.campaigns.create(selection, "Когорта июль", 0.2, 30)
    members = services.campaigns.store.members(created.campaign.id)
    assert set(members["card"]) == expected and created.campaign.start_date == dt.date(2022, 6, 30)
    assert "Когорта 2021-07, месяц 2" in created.campaign.selection
    with pytest.raises(RfmaError, match="неизвестный выбор"):
        services.cohorts.pick("cell|all|2021-07|-1")
