"""Tab «История»'s service: saving a snapshot (manager or above, audited, idempotent), the pair of snapshots (flows,
entered / left lists equal to core.history's on the classifications), pages and CSV files, one client's path."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from flask import g

from core import history as core_history
from core.model import RfmaError
from dashboard.appdb.audit import DOWNLOAD
from dashboard.appdb.snapshots import SNAPSHOT_SAVED
from dashboard.services.access import IDENTITY_KEY, AccessDenied, Identity
from dashboard.services.history import HistoryExport
from tests.support.dashboard import FULL

FIRST_HALF = ("2021-07-01", "2021-12-31")


@pytest.fixture
def two(services):
    """Two snapshots saved from the page: the first half-year, then the whole period."""
    a = services.history.save(services.requests.build(*FIRST_HALF)).snapshot
    b = services.history.save(services.requests.build(*FULL)).snapshot
    return a, b


def as_role(role: str) -> None:
    setattr(g, IDENTITY_KEY, Identity(f"{role}-user", role))


def test_saving_is_audited_and_the_same_snapshot_again_replaces_it(services, full):
    first = services.history.save(full)
    again = services.history.save(full)
    assert not first.replaced and again.replaced and again.snapshot.id == first.snapshot.id
    assert len(services.history.view(full).snapshots) == 1
    entries = services.audit.entries(action=SNAPSHOT_SAVED)
    assert len(entries) == 2 and entries[0].rows == first.snapshot.clients
    assert "заменил прежний" in entries[1].detail and entries[0].source


def test_a_viewer_may_not_save_a_snapshot_nor_see_a_path_a_manager_may(services, full):
    as_role("viewer")
    with pytest.raises(AccessDenied, match="менеджер и администратор"):
        services.history.save(full)
    with pytest.raises(AccessDenied):
        services.history.client_path(full, "1")
    as_role("manager")
    saved = services.history.save(full).snapshot
    assert saved.made_by == "manager-user"


def test_the_pair_equals_core_s_entered_and_left_on_the_two_classifications(services, two):
    a, b = two
    request = services.requests.build(*FULL)
    before = services.analyses.classification(services.requests.build(*FIRST_HALF)).clients
    after = services.analyses.classification(request).clients
    view = services.history.pair_view(request, a.id, b.id)
    assert view.matrices["region"]["clients"].sum() == len(after) == b.clients
    assert view.new == len(set(after["card"]) - set(before["card"])) and view.gone == 0
    expected = core_history.entered_left(
        core_history.snapshot_frame(before), core_history.snapshot_frame(after), "cluster"
    )
    counts = view.counts["cluster"].set_index("segment")
    assert counts["entered"].sum() == (expected["change"] == "entered").sum()
    code = str(counts["left"].idxmax())
    key = f"cluster|{code}|left"
    cards = set(expected.loc[(expected["segment"] == code) & (expected["change"] == "left"), "card"])
    assert services.history.count(request, a.id, b.id, "change", key) == len(cards)
    rows, total = services.history.page(request, a.id, b.id, "change", key, 0, 10_000, ())
    assert total == len(cards) and {r["card"] for r in rows} == cards and rows[0]["change"] == "вышел"


def test_flow_pages_are_masked_for_a_viewer_and_the_csv_has_the_flow_s_clients(services, two):
    a, b = two
    request = services.requests.build(*FULL)
    view = services.history.pair_view(request, a.id, b.id)
    top = view.matrices["region"].sort_values("clients").iloc[-1]
    key = f"region|{top['source_region']}|{top['destination_region']}"
    rows, total = services.history.page(request, a.id, b.id, "flow", key, 0, 50, (("card", True),))
    assert total == int(top["clients"]) and rows[0]["card"] > rows[-1]["card"]
    assert rows[0]["source_region"] == top["source_region"] and str(rows[0]["region"]) == top["destination_region"]
    as_role("viewer")
    masked, _ = services.history.page(request, a.id, b.id, "flow", key, 0, 5, ())
    assert all(r["card"].startswith("••••") for r in masked)
    as_role("manager")
    export = HistoryExport(request, a.id, b.id, key, "flow", fmt="csv", names="machine")
    name, token = services.exports.keep_client_list(export)
    assert name.startswith("rfma_history_migration_") and name.endswith(f"_{a.as_of}_{b.as_of}.csv")
    _, chunks = services.exports.kept_client_list(token)
    frame = pd.read_csv(io.BytesIO(b"".join(chunks)), dtype=str, encoding="utf-8-sig")
    assert list(frame.columns) == [
        "card",
        "source_region",
        "source_cluster",
        "source_class",
        "region",
        "cluster",
        "class",
    ]
    assert len(frame) == total and (frame["source_region"] == top["source_region"]).all()
    assert services.audit.entries(action=DOWNLOAD)[-1].rows == total


def test_the_same_snapshot_twice_or_an_unknown_one_is_a_clear_message(services, two):
    a, _ = two
    request = services.requests.build(*FULL)
    with pytest.raises(RfmaError, match="два разных снимка"):
        services.history.pair_view(request, a.id, a.id)
    with pytest.raises(RfmaError, match="Снимка с таким номером нет"):
        services.history.pair_view(request, a.id, 999)
    with pytest.raises(RfmaError, match="два разных снимка"):
        services.history.pair_view(request, None, a.id)


def test_a_client_s_path_lists_every_snapshot_holding_them(services, two):
    a, b = two
    request = services.requests.build(*FULL)
    card = str(services.analyses.classification(services.requests.build(*FIRST_HALF)).clients["card"].iloc[0])
    path = services.history.client_path(request, card)
    assert path["snapshot_id"].tolist() == [a.id, b.id] and str(path["as_of"].iloc[0]) == str(a.as_of)
    assert services.history.client_path(request, "no-such-card").empty


def test_a_list_as_a_campaign_selection_is_its_clients_at_snapshot_b_s_date(services, two):
    a, b = two
    request = services.requests.build(*FIRST_HALF)  # the page's period: its T is not the campaign's t0
    view = services.history.pair_view(request, a.id, b.id)
    counts = view.counts["region"].set_index("segment")
    segment = str(counts["left"].idxmax())
    key = f"region|{segment}|left"
    rows, total = services.history.page(request, a.id, b.id, "change", key, 0, 10_000, ())
    resolved = services.history.campaign_selection(request, a.id, b.id, "change", key).resolve(services.analyses)
    assert sorted(resolved.cards) == sorted(r["card"] for r in rows) and len(resolved.cards) == total > 0
    assert resolved.start_date == b.as_of != a.as_of
    assert f"снимок B №{b.id} на {b.as_of:%d.%m.%Y}" in resolved.description and "вышли из" in resolved.description
    top = view.matrices["region"].sort_values("clients").iloc[-1]
    flow = f"region|{top['source_region']}|{top['destination_region']}"
    created = services.campaigns.create(
        services.history.campaign_selection(request, a.id, b.id, "flow", flow), "Поток", 0.1, 30
    )
    flow_rows, _ = services.history.page(request, a.id, b.id, "flow", flow, 0, 10_000, ())
    members = services.campaigns.store.members(created.campaign.id)
    assert set(members["card"]) == {r["card"] for r in flow_rows} and created.campaign.start_date == b.as_of
    assert created.campaign.selection.startswith("«История»: поток ")
    with pytest.raises(RfmaError, match="Выберите поток"):
        services.history.campaign_selection(request, a.id, b.id, "flow", None)
