"""ClickHouse (embedded chDB) where its SQL differs from DuckDB's: each compile rule and setting of core.clickhouse
pinned by a query whose answer would silently change without it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from core.client_base import load_client_base
from core.db import bonuscheques, create_tables, make_engine
from core.fetch import fetch_frame
from core.model import AnalysisOptions, Period
from core.overview import load_overview
from core.queries import day_number, gap_days, identified
from core.stats import percentile_disc
from tests.conftest import cheques_frame, load_cheques

pytestmark = pytest.mark.clickhouse


def _engine(url: str, rows: list[tuple]) -> sa.Engine:
    engine = make_engine(url)
    with engine.begin() as conn:
        create_tables(conn)
    load_cheques(engine, cheques_frame(rows))
    return engine


@pytest.fixture
def pair(chdb_url, tmp_path):
    """Two engines on the same cheques: ClickHouse (chDB) and DuckDB; filled by `fill`."""
    engines: list[sa.Engine] = []

    def fill(rows: list[tuple]) -> tuple[sa.Engine, sa.Engine]:
        engines[:] = [_engine(chdb_url, rows), _engine(f"duckdb:///{tmp_path / 'same.duckdb'}", rows)]
        return engines[0], engines[1]

    yield fill
    for engine in engines:
        engine.dispose()


def _rows(engine: sa.Engine, stmt) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(stmt).all()]


def test_a_clients_first_row_has_no_gap(pair):
    # ClickHouse's lag() gives the type's default past the partition's edge: without toNullable the first row of
    # each client would get a gap of "day − 0", about 19,000 days, and the churn period would follow it.
    ch, duck = pair([("2022-01-01 10:00", "1", 100.0), ("2022-01-11 10:00", "1", 50.0), ("2022-01-05", "2", 70.0)])
    t = bonuscheques
    stmt = sa.select(t.c.card, gap_days(t).label("gap")).order_by(t.c.card, t.c.datetime)
    assert _rows(ch, stmt) == [("1", None), ("1", 10), ("2", None)]
    assert _rows(ch, stmt) == _rows(duck, stmt)
    assert load_client_base(ch).gap_histogram.to_dict() == {10: 1}


def test_dates_are_dates_before_1970_and_after_2149_too(pair):
    # a Date value is bound as Date32 (text would make `Date − String` fail); CAST AS DATE would wrap 1969 to 2148
    # and Date32 has no minus: day numbers go through toDate32 and dateDiff
    ch, duck = pair([("1969-12-31 23:30", "1", 10.0), ("2024-02-29 08:00", "1", 20.0), ("2150-01-01 09:00", "2", 5.0)])
    t = bonuscheques
    stmt = sa.select(day_number(t.c.datetime).label("day")).order_by(t.c.datetime)
    assert _rows(ch, stmt) == [(-1,), (19782,), (65744,)]
    assert _rows(ch, stmt) == _rows(duck, stmt)
    literal = sa.select((sa.literal(dt.date(2022, 3, 1), sa.Date) - sa.cast(t.c.datetime, sa.Date)).label("d"))
    assert _rows(ch, literal.where(t.c.card == "2")) == [(-46692,)]


def test_the_card_pattern_searches_like_postgresql(pair):
    # match() searches (as PostgreSQL's `~` and DuckDB's regexp_matches): a pattern without anchors matches inside
    ch, duck = pair([("2022-01-01", "12", 1.0), ("2022-01-02", "x8", 2.0), ("2022-01-03", "a\\b'c", 3.0)])
    t = bonuscheques
    for pattern, expected in [(r"^\d+$", ["12"]), (r"\d", ["12", "x8"]), (r"\\b'", ["a\\b'c"])]:
        stmt = sa.select(t.c.card).where(identified(AnalysisOptions(card_pattern=pattern))).order_by(t.c.card)
        assert [row[0] for row in _rows(ch, stmt)] == expected
        assert _rows(ch, stmt) == _rows(duck, stmt)


def test_null_cards_stay_null_and_are_not_clients(pair):
    # the sorting key holds NULL cards (allow_nullable_key); a NULL card is not '' and not a client
    ch, duck = pair([("2022-01-01", None, 10.0), ("2022-01-02", "", 20.0), ("2022-01-03", "7", 30.0)])
    t = bonuscheques
    stmt = sa.select(t.c.card, t.c.card.is_(None)).order_by(t.c.datetime)
    assert _rows(ch, stmt) == [(None, True), ("", False), ("7", False)]
    base = load_client_base(ch)
    assert base.cheques == 3 and list(base.clients["card"]) == ["7"]
    assert list(base.clients["card"]) == list(load_client_base(duck).clients["card"])


def test_an_empty_period_has_no_analysis_date(pair):
    # max() of no rows is NULL (aggregate_functions_null_for_empty), not 1970-01-01
    ch, _duck = pair([("2022-01-01", "1", 10.0)])
    base = load_client_base(ch, Period(dt.date(2023, 1, 1), dt.date(2023, 2, 1)))
    assert base.analysis_date is None and base.clients.empty


def test_amounts_are_rounded_to_the_cent_as_duckdb_does(pair):
    # a float amount becomes Decimal(14, 2) rounded half away from zero (ClickHouse's cast truncates 604.31 to 604.30)
    amounts = [604.31, 2.675, 0.125, 1234.565, 0.29, 1e-3]
    ch, duck = pair([("2022-01-01", "1", a, "Аптека 1", f"D{i}") for i, a in enumerate(amounts)])
    t = bonuscheques
    stmt = sa.select(t.c.summ_with_disc).order_by(t.c.doc_id)
    assert _rows(ch, stmt) == _rows(duck, stmt)


def test_the_median_cheque_is_percentile_disc(pair):
    # the overview's median per pharmacy: the value at rank ceil(n/2) (ClickHouse's median() interpolates)
    amounts = [10.0, 40.0, 20.0, 30.0, 99.0, 1.0, 5.0, 7.0]
    rows = [("2022-01-01", "1", a, "Аптека 1" if i < 4 else "Аптека 2", f"D{i}") for i, a in enumerate(amounts)]
    ch, duck = pair(rows)
    shops = load_overview(ch).shops
    assert shops["median_cheque"].tolist() == load_overview(duck).shops["median_cheque"].tolist()
    assert shops["median_cheque"].tolist() == [percentile_disc(np.array(amounts[:4]), 0.5), 5.0]


def test_values_with_quotes_and_backslashes_are_bound_not_spliced(pair):
    card = "1'); DROP TABLE bonuscheques; --\\"
    ch, _duck = pair([("2022-01-01", card, 1.0)])
    with ch.connect() as conn:
        frame = fetch_frame(conn, sa.select(bonuscheques.c.card).where(bonuscheques.c.card == card))
    assert frame["card"].tolist() == [card]


def test_times_are_read_as_written(pair):
    # DateTime64(6, 'UTC') and session_timezone: a cheque at 23:30 stays on its calendar day, microseconds kept
    ch, duck = pair([("2022-01-31 23:30:00.123456", "1", 1.0)])
    stmt = sa.select(bonuscheques.c.datetime, sa.cast(bonuscheques.c.datetime, sa.Date))
    assert _rows(ch, stmt) == [(dt.datetime(2022, 1, 31, 23, 30, 0, 123456), dt.date(2022, 1, 31))]
    assert _rows(ch, stmt) == _rows(duck, stmt)
    with ch.connect() as conn:
        frame = fetch_frame(conn, sa.select(bonuscheques.c.datetime))
    assert frame["datetime"].dt.tz is None
    assert frame["datetime"].iloc[0] == pd.Timestamp("2022-01-31 23:30:00.123456")


def test_after_a_bulk_write_the_table_is_one_part(pair):
    # chDB merges a table's parts in the process that opens it: merged once after the write, not on the readers' CPU
    from core.loading import refresh_statistics

    ch, _duck = pair([("2022-01-01", "1", 1.0)])
    load_cheques(ch, cheques_frame([("2022-01-02", "2", 2.0, "Аптека 1", "E1")]))
    parts = sa.text("SELECT count() FROM system.parts WHERE active AND database = currentDatabase() AND table = :t")
    with ch.connect() as conn:
        assert conn.execute(parts, {"t": "bonuscheques"}).scalar() == 2
    refresh_statistics(ch)
    with ch.connect() as conn:
        assert conn.execute(parts, {"t": "bonuscheques"}).scalar() == 1
