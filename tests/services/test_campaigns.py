"""«Создать кампанию»'s service and tab «Кампании»'s: a selection becomes a stored campaign on the server, the target
list downloads through the usual machinery, the report equals the core's, roles are enforced."""

from __future__ import annotations

import pandas as pd
import pytest
from flask import g

from core.campaigns import CONTROL, TARGET, load_campaign_effect
from core.model import RfmaError
from dashboard.appdb.audit import AuditLog
from dashboard.appdb.campaigns import CAMPAIGN_CREATED
from dashboard.services.access import IDENTITY_KEY, AccessDenied, Identity
from dashboard.services.campaigns import CampaignExport, FinalSelection
from tests.support.dashboard import FULL

HALF_YEAR = ("2021-07-01", "2022-03-31")


def selection(services, node="r110", period=HALF_YEAR, **filters):
    request = services.requests.build(*period)
    flt = services.final.client_filter(node, filters.get("shops"), None, None, None, None, None)
    return FinalSelection(request, flt)


def read_csv(chunks) -> pd.DataFrame:
    import io

    return pd.read_csv(io.BytesIO(b"".join(chunks)), sep=";", dtype=str, encoding="utf-8-sig")


def test_a_campaign_freezes_the_selection_and_its_target_list_leaves_out_the_control(services):
    chosen = selection(services)
    created = services.campaigns.create(chosen, "Весна", 0.3, 30)
    campaign = created.campaign
    members = services.analyses.selection(chosen.request, chosen.flt).clients["card"].astype(str)
    assert campaign.clients == len(members) and str(campaign.start_date) == "2022-03-31"
    assert "регион 110" in campaign.selection.lower() or "110" in campaign.selection
    name, chunks = services.exports.client_list(CampaignExport(chosen.request, "Весна", "target"))
    target = read_csv(chunks)
    cards = set(target.iloc[:, 0].str.strip('="'))
    stored = services.campaigns.store.members(campaign.id)
    assert cards == set(stored.loc[stored["group"] == TARGET, "card"]) and len(cards) == campaign.target_clients
    assert cards.isdisjoint(set(stored.loc[stored["group"] == CONTROL, "card"]))
    assert name.startswith("rfma_campaign_Весна_target")
    entries = AuditLog(services.audit.engine).entries(action=CAMPAIGN_CREATED)
    assert len(entries) == 1 and entries[0].rows == campaign.target_clients and "Весна" in entries[0].detail


def test_refusals_store_nothing(services):
    with pytest.raises(RfmaError, match="нет клиентов"):
        services.campaigns.create(selection(services, "k4333"), "Пусто", 0.1, 30)  # a class nobody is in
    services.campaigns.create(selection(services), "Весна", 0.1, 30)
    with pytest.raises(RfmaError, match="уже есть"):
        services.campaigns.create(selection(services, "r210"), "Весна", 0.1, 30)
    with pytest.raises(RfmaError, match="доля контрольной группы"):
        services.campaigns.create(selection(services), "Лето", 0.5, 30)
    assert [row.campaign.name for row in services.campaigns.rows(services.requests.build(*FULL))] == ["Весна"]


def test_a_viewer_may_not_create_a_campaign(services):
    setattr(g, IDENTITY_KEY, Identity("vera", "viewer"))
    with pytest.raises(AccessDenied, match="создавать кампании могут менеджер и администратор"):
        services.campaigns.create(selection(services), "Весна", 0.1, 30)
    setattr(g, IDENTITY_KEY, Identity("anna", "manager"))
    assert services.campaigns.create(selection(services), "Весна", 0.1, 30).campaign.created_by == "anna"


def test_the_report_is_the_cores_effect_and_the_responders_are_masked_for_a_viewer(services):
    services.campaigns.create(selection(services, "w2"), "Весна", 0.2, 45)
    request = services.requests.build(*FULL)
    report = services.campaigns.report(request, "Весна")
    campaign = report.campaign
    direct = load_campaign_effect(
        request.engine(), services.campaigns.store.members(campaign.id), campaign.start_date, 45
    )
    assert report.effect.as_json() == direct.as_json()
    assert report.status == "finished" and report.verdict in ("эффект доказан", "не доказан: интервал включает ноль")
    rows, count = services.campaigns.responders_page(request, "Весна", 0, 50, ())
    assert count == len(direct.responders()) and rows[0]["group"] in ("целевая", "контрольная")
    assert rows[0]["card"] == str(direct.responders()["card"].iloc[0])
    setattr(g, IDENTITY_KEY, Identity("vera", "viewer"))
    masked, _ = services.campaigns.responders_page(request, "Весна", 0, 50, ())
    assert all(row["card"].startswith("••••") for row in masked)
    with pytest.raises(AccessDenied):
        services.exports.keep_client_list(CampaignExport(request, "Весна", "responders"))


def test_status_follows_the_data(services):
    services.campaigns.create(selection(services, period=("2021-07-01", "2022-06-20")), "Июнь", 0.1, 30)
    row = services.campaigns.rows(services.requests.build(*FULL))[0]
    assert row.status in ("running", "partial") and row.status_name in ("окно идёт", "данные неполные")


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        (("", 10, 30), "название"),
        (("A", 50, 30), "больше 0 и меньше 50"),
        (("A", "x", 30), "процентов"),
        (("A", 10, "x"), "дней"),
    ],
)
def test_the_forms_values_are_checked(values, fragment):
    from dashboard.services.campaigns import CampaignsService

    with pytest.raises(RfmaError, match=fragment):
        CampaignsService.parse_form(*values)
    assert CampaignsService.parse_form(" Весна  2024 ", "12,5", "14") == ("Весна 2024", 0.125, 14)
