"""The application database: the chain's threshold set per cheques database, its history, the move from pins.json."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sqlalchemy as sa

from core.model import ThresholdPins
from dashboard.appdb import (
    ThresholdSets,
    app_engine,
    default_app_database_url,
    describe_pins,
    open_threshold_sets,
    source_key,
    threshold_sets,
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app_url(request, tmp_path) -> str:
    """The embedded SQLite application database, and PostgreSQL as in production."""
    if request.param == "sqlite":
        return default_app_database_url(tmp_path)
    return request.getfixturevalue("postgres_url")


def test_the_newest_save_is_in_force_and_each_cheques_database_has_its_own(app_url):
    engine = app_engine(app_url)
    chain = ThresholdSets(engine, "postgresql://u:secret@h/chain")
    other = ThresholdSets(engine, "duckdb:///other.duckdb")
    assert chain.current() is None and chain.current_pins() == ThresholdPins() and chain.history() == []
    chain.save(ThresholdPins(r1=21), "анна", "панель")
    chain.save(ThresholdPins(r1=25, f1=0.5), "борис", "rfma")
    assert chain.current_pins() == ThresholdPins(r1=25, f1=0.5) and other.current() is None
    assert [(h.saved_by, h.origin) for h in chain.history()] == [("борис", "rfma"), ("анна", "панель")]
    with engine.connect() as conn:
        stored = conn.execute(sa.select(threshold_sets.c.source)).scalars().all()
    assert stored == ["postgresql://u:***@h/chain"] * 2  # the password is never stored


def test_an_empty_set_is_a_save_too_all_suggested(tmp_path):
    sets = ThresholdSets(app_engine(default_app_database_url(tmp_path)), "duckdb:///a.duckdb")
    sets.save(ThresholdPins(r1=21), "анна", "панель")
    sets.save(ThresholdPins(), "анна", "панель")
    assert sets.current() is not None and sets.current_pins() == ThresholdPins()
    assert sets.current().describe() == "все пороги предложены по данным"


def test_pins_of_an_older_version_move_in_once(tmp_path):
    url = "duckdb:///chain.duckdb"
    legacy = tmp_path / "pins.json"
    legacy.write_text(json.dumps({source_key(url): {"r1": 21, "m1": 1293.5}, "duckdb:///x.duckdb": {"r1": 9}}))
    app_url = default_app_database_url(tmp_path)
    sets = open_threshold_sets(app_url, url, legacy)
    assert sets.current_pins() == ThresholdPins(r1=21, m1=1293.5) and sets.current().origin == "pins.json"
    sets.save(ThresholdPins(), "анна", "панель")
    assert open_threshold_sets(app_url, url, legacy).current_pins() == ThresholdPins()  # not moved in again
    legacy.write_text("not json")
    assert open_threshold_sets(default_app_database_url(tmp_path / "b"), url, legacy).current() is None


def test_a_hand_edited_row_is_read_as_all_suggested_not_an_error(tmp_path):
    engine = app_engine(default_app_database_url(tmp_path))
    sets = ThresholdSets(engine, "duckdb:///a.duckdb")
    sets.save(ThresholdPins(r1=21), "анна", "панель")
    with engine.begin() as conn:
        conn.execute(sa.update(threshold_sets).values(pins='{"r1": "много"}'))
    assert sets.current_pins() == ThresholdPins()


def test_values_are_described_the_russian_way():
    assert describe_pins({"r1": 21, "f1": 0.5, "m1": 1293.5}) == "r1 = 21, f1 = 0,5, m1 = 1293,5"
    assert describe_pins(ThresholdPins()) == "все пороги предложены по данным"


def test_another_process_sees_a_save_at_once(app_url):
    """Several gunicorn workers and the CLI share the database: a save in one is the set in force in another."""
    url = app_url
    sets = ThresholdSets(app_engine(url), "duckdb:///a.duckdb")
    assert sets.current() is None
    code = (
        "from core.model import ThresholdPins; from dashboard.appdb import ThresholdSets, app_engine; "
        f"ThresholdSets(app_engine({url!r}), 'duckdb:///a.duckdb').save(ThresholdPins(a1=30), 'cli', 'rfma')"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert sets.current_pins() == ThresholdPins(a1=30)
