"""The campaigns' records in the application database (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.campaigns import assign
from core.model import RfmaError
from dashboard.appdb import Campaigns, app_engine
from dashboard.appdb.campaigns import make_campaign, window_status


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    url = (
        f"sqlite:///{tmp_path / 'app.sqlite'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    )
    return Campaigns(app_engine(url))


def test_a_campaign_and_its_frozen_members_round_trip(store):
    cards = [str(5000 + i) for i in range(300)]
    campaign, members = make_campaign(
        store, "  Весна   2024 ", "duckdb:///x", "регион 110", dt.date(2024, 3, 1), cards, 0.2, 30, "anna"
    )
    assert campaign.name == "Весна 2024" and campaign.clients == 300
    assert store.get("Весна 2024") == campaign and [c.name for c in store.all("duckdb:///x")] == ["Весна 2024"]
    assert store.members(campaign.id).equals(assign("Весна 2024", cards, 0.2))
    assert campaign.target_clients == int((members["group"] == "target").sum())
    with pytest.raises(RfmaError, match="уже есть"):
        make_campaign(store, "Весна 2024", "duckdb:///x", "", dt.date(2024, 3, 1), cards, 0.2, 30, "anna")
    with pytest.raises(RfmaError, match="нет клиентов"):
        make_campaign(store, "Пусто", "duckdb:///x", "", dt.date(2024, 3, 1), [], 0.2, 30, "anna")
    assert len(store.all()) == 1


def test_the_global_control_share_is_a_setting_used_by_later_campaigns(store):
    assert store.global_share() == 0.0
    store.set_global_share(0.1, "admin")
    store.set_global_share(0.05, "admin")
    assert store.global_share() == 0.05
    with pytest.raises(RfmaError):
        store.set_global_share(0.5, "admin")
    campaign, _ = make_campaign(store, "A", "s", "", dt.date(2024, 3, 1), ["1", "2"], 0.1, 30, "anna")
    assert campaign.global_share == 0.05


def test_the_windows_status():
    from dashboard.appdb.campaigns import Campaign

    c = Campaign(1, "A", "s", "", dt.date(2024, 3, 1), 0.1, 30, 0.0, 10, 9, "a", dt.datetime(2024, 3, 2))
    assert window_status(c, dt.date(2024, 3, 31)) == "finished"
    assert window_status(c, dt.date(2024, 3, 20), today=dt.date(2024, 3, 25)) == "running"
    assert window_status(c, dt.date(2024, 3, 20), today=dt.date(2024, 4, 25)) == "partial"
