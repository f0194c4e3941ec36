"""Snapshots in the application database (dashboard.appdb.snapshots, SPEC §8) on SQLite and PostgreSQL: stored as
classified, the same snapshot again replaces it (no duplicates), other thresholds make another one, a client's
path and the sizes read back."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from core.classify import classify
from core.db import make_engine
from core.model import AnalysisOptions, Period, RfmaError, ThresholdPins
from dashboard.appdb import app_engine, open_snapshots
from dashboard.appdb.snapshots import (
    BLOCK_ROWS,
    decode_clients,
    encode_clients,
    find_client,
    snapshot_blocks,
    snapshot_sizes,
    snapshots,
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app_url(request, tmp_path):
    """An application database of each kind: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """The test chain (DuckDB) and its classification of the whole data and of 2021 only."""
    from tests.support.chain import build_chain_database

    url = build_chain_database(tmp_path_factory.mktemp("snap") / "chain.duckdb")
    engine = make_engine(url)
    whole = classify(engine, Period())
    year = classify(engine, Period(None, dt.date(2021, 12, 31)))
    engine.dispose()
    return url, whole, year


def counts(url: str) -> tuple[int, int, int]:
    with app_engine(url).connect() as conn:
        return tuple(
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (snapshots, snapshot_blocks, snapshot_sizes)
        )


def test_a_snapshot_keeps_every_client_s_segments_and_the_same_one_again_replaces_it(app_url, chain):
    url, whole, _ = chain
    store = open_snapshots(app_url, url)
    first = store.save_classification(whole, AnalysisOptions(), ThresholdPins(), "anna", "test")
    assert not first.replaced and first.snapshot.as_of == whole.base.analysis_date
    assert first.snapshot.clients == len(whole.clients) and first.snapshot.made_by == "anna"
    kept = store.clients(first.snapshot.id)
    expected = whole.clients[["card", "class", "cluster", "region"]].astype({"class": str}).sort_values("card")
    pd.testing.assert_frame_equal(kept, expected.reset_index(drop=True), check_dtype=False)
    before = counts(app_url)
    again = store.save_classification(whole, AnalysisOptions(), ThresholdPins(), "boris", "test")
    assert again.replaced and again.snapshot.id == first.snapshot.id and again.snapshot.made_by == "boris"
    assert counts(app_url) == before  # replaced, not duplicated
    assert [s.made_by for s in store.all()] == ["boris"]


def test_other_thresholds_or_another_period_make_another_snapshot_in_analysis_date_order(app_url, chain):
    url, whole, year = chain
    store = open_snapshots(app_url, url)
    latest = store.save_classification(whole, AnalysisOptions(), ThresholdPins(), "a", "test").snapshot
    earlier = store.save_classification(year, AnalysisOptions(), ThresholdPins(), "a", "test").snapshot
    pins = ThresholdPins(r1=10)
    engine = make_engine(url)
    pinned = store.save_classification(classify(engine, Period(), pins), AnalysisOptions(), pins, "a", "test").snapshot
    engine.dispose()
    assert pinned.pins == {"r1": 10} and pinned.thresholds["r1"] == 10
    assert [s.id for s in store.all()] == [earlier.id, latest.id, pinned.id]  # by T, then as made
    assert store.previous(latest.id).id == earlier.id and store.previous(earlier.id) is None
    sizes = store.region_sizes()
    assert list(sizes.columns) == ["snapshot_id", "as_of", "region", "clients"]
    assert sizes.groupby("snapshot_id")["clients"].sum().to_dict() == {
        earlier.id: len(year.clients),
        latest.id: len(whole.clients),
        pinned.id: pinned.clients,
    }
    card = str(year.clients["card"].iloc[0])
    path = store.path(card)
    assert path["snapshot_id"].tolist() == [earlier.id, latest.id, pinned.id]
    assert path["region"].iloc[0] == int(year.clients["region"].iloc[0])
    assert store.delete(earlier.id) and not store.delete(earlier.id)
    assert len(store.all()) == 2 and store.get(earlier.id) is None


def test_snapshots_belong_to_their_cheques_database(app_url, chain):
    url, whole, _ = chain
    open_snapshots(app_url, url).save_classification(whole, AnalysisOptions(), ThresholdPins(), "a", "test")
    assert open_snapshots(app_url, "duckdb:////elsewhere.duckdb").all() == []


def test_a_classification_without_clients_is_refused(app_url, chain, tmp_path):
    url, _, _ = chain
    engine = make_engine(url)
    empty = classify(engine, Period(dt.date(2030, 1, 1), dt.date(2030, 1, 31)))
    nobody = AnalysisOptions(card_pattern="^x$")  # cheques, but no identified client
    unidentified = classify(engine, Period(), options=nobody)
    engine.dispose()
    store = open_snapshots(app_url, url)
    with pytest.raises(RfmaError, match="нет ни одного чека"):
        store.save_classification(empty, AnalysisOptions(), ThresholdPins(), "a", "test")
    with pytest.raises(RfmaError, match="нет идентифицированных"):
        store.save_classification(unidentified, nobody, ThresholdPins(), "a", "test")
    assert counts(app_url) == (0, 0, 0)


def test_a_block_keeps_many_clients_in_card_order_and_one_client_is_found_in_its_row_group():
    """Several row groups (BLOCK_ROWS each): clients given out of order come back in card order with their
    segments; a card is found whether in the first, a middle or the last group, a card between two stored ones or
    beyond them is not."""
    n = 2 * BLOCK_ROWS + 1_000
    cards = [f"{7_000_000 + 2 * i}" for i in range(n)]  # even numbers only: the odd ones between are absent
    frame = pd.DataFrame(
        {
            "card": cards[::-1],
            "class": pd.Categorical([("111", "222", "333")[i % 3] for i in range(n)], categories=["111", "222", "333"]),
            "cluster": [i % 7 for i in range(n)],
            "region": [i % 4 for i in range(n)],
        }
    )
    block = encode_clients(frame)
    back = decode_clients(block)
    expected = frame.iloc[::-1].reset_index(drop=True).astype({"class": object})
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)
    for at in (0, BLOCK_ROWS + 5, n - 1):
        row = frame.iloc[n - 1 - at]
        assert find_client(block, cards[at]) == (row["class"], row["cluster"], row["region"])
    assert find_client(block, "7000001") is None and find_client(block, "9") is None


def test_a_snapshot_without_its_block_is_named_not_read_as_empty(app_url, chain):
    """A snapshot whose clients are missing (the previous schema's rows are not converted): a Russian message."""
    url, whole, _ = chain
    store = open_snapshots(app_url, url)
    saved = store.save_classification(whole, AnalysisOptions(), ThresholdPins(), "a", "test").snapshot
    with app_engine(app_url).begin() as conn:
        conn.execute(snapshot_blocks.delete())
    with pytest.raises(RfmaError, match=f"снимок №{saved.id} без клиентов"):
        store.clients(saved.id)
