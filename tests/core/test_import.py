"""CSV import: validation naming file/row/column/value, all-or-nothing, de-duplication by doc_id."""

import pandas as pd
import pytest
import sqlalchemy as sa

from core.db import bonuscheques
from core.importer import ImportRejected, parse_mapping, read_cheques_csv
from core.loading import append_cheques
from core.model import RfmaError

GOOD = """datetime,shop,card,bonus_earned,bonus_spent,summ,summ_with_disc,doc_id
2022-01-01 10:00:00,Аптека 1,0012,1.5,0,100,90.5,A1
2022-01-01 10:00:00,Аптека 1,0012,0,0,20,20,A1
2022-01-02 11:00:00,Аптека 2,,0,0,50,50,A2
"""


def write(tmp_path, text, name="cheques.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def count_rows(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(bonuscheques)).scalar_one()


def test_import_keeps_card_strings_and_multi_row_cheques(db_engine, tmp_path):
    frame = read_cheques_csv(write(tmp_path, GOOD))
    with db_engine.begin() as conn:
        counts = append_cheques(conn, frame)
    assert (counts.rows_read, counts.rows_added, counts.cheques_added, counts.cheques_skipped) == (3, 3, 2, 0)
    with db_engine.connect() as conn:
        rows = conn.execute(
            sa.select(bonuscheques.c.card, bonuscheques.c.summ_with_disc).order_by(
                bonuscheques.c.doc_id, bonuscheques.c.summ
            )
        ).all()
    assert [r.card for r in rows] == ["0012", "0012", None]  # leading zeros kept, empty card is NULL
    assert float(rows[1].summ_with_disc) == 90.5


def test_reimport_skips_known_cheques_and_duplicates_nothing(db_engine, tmp_path):
    path = write(tmp_path, GOOD)
    for _ in range(2):
        with db_engine.begin() as conn:
            counts = append_cheques(conn, read_cheques_csv(path))
    assert (counts.rows_added, counts.cheques_skipped, counts.rows_skipped) == (0, 2, 3)
    assert count_rows(db_engine) == 3


def test_bad_rows_are_all_reported_and_nothing_is_written(db_engine, tmp_path):
    text = GOOD + "2022-13-45 10:00,Аптека 1,5,0,0,10,abc,A3\n2022-01-03,Аптека 1,5,0,0,10,10,\n"
    with pytest.raises(ImportRejected) as error:
        read_cheques_csv(write(tmp_path, text, "bad.csv"))
    message = str(error.value)
    assert "bad.csv" in message
    assert "строка 5, колонка datetime, значение '2022-13-45 10:00'" in message
    assert "строка 5, колонка summ_with_disc, значение 'abc'" in message
    assert "строка 6, колонка doc_id" in message
    assert error.value.total == 3
    assert count_rows(db_engine) == 0


def test_only_the_first_twenty_problems_are_listed(tmp_path):
    text = "datetime,card,summ_with_disc,doc_id\n" + "".join(f"2022-01-01,1,bad{i},D{i}\n" for i in range(30))
    with pytest.raises(ImportRejected) as error:
        read_cheques_csv(write(tmp_path, text))
    assert error.value.total == 30 and len(error.value.problems) == 20
    assert "еще 10 ошибок" in str(error.value)


def test_mapping_renames_columns_and_dates_in_russian_format(tmp_path):
    text = "Дата;Карта;Сумма;Чек;Аптека\n05.02.2022 14:30;777;1 234,50;X1;Аптека 7\n"
    mapping = parse_mapping(["datetime=Дата", "card=Карта", "summ_with_disc=Сумма", "doc_id=Чек", "shop=Аптека"])
    frame = read_cheques_csv(write(tmp_path, text), mapping)
    assert frame.loc[0, "datetime"] == pd.Timestamp("2022-02-05 14:30")
    assert frame.loc[0, "summ_with_disc"] == 1234.5 and frame.loc[0, "summ"] == 1234.5
    assert frame.loc[0, "card"] == "777" and frame.loc[0, "bonus_earned"] == 0.0


def test_missing_required_columns_and_unknown_map_targets_are_named(tmp_path):
    with pytest.raises(RfmaError, match="нет обязательных колонок doc_id"):
        read_cheques_csv(write(tmp_path, "datetime,card,summ_with_disc\n2022-01-01,1,5\n"))
    with pytest.raises(RfmaError, match="неизвестная колонка 'price'"):
        parse_mapping(["price=Цена"])
    with pytest.raises(RfmaError, match="нет колонки 'Nope'"):
        read_cheques_csv(write(tmp_path, GOOD), {"card": "Nope"})


ONE_ROW = """datetime,shop,card,bonus_earned,bonus_spent,summ,summ_with_disc,doc_id
2022-01-03 10:00:00,Аптека 1,77,0,0,10,10,B1
2022-01-04 10:00:00,Аптека 1,77,0,0,30,30,B2
"""
MORE_ONE_ROW = ONE_ROW.replace("B1", "B3").replace("B2", "B4").replace("2022-01-0", "2022-02-0")


def unique_flag(engine):
    from core.db import recorded_doc_ids_unique

    with engine.connect() as conn:
        return recorded_doc_ids_unique(conn)


def append_file(engine, path):
    with engine.begin() as conn:
        append_cheques(conn, read_cheques_csv(path))


def test_one_row_cheques_are_recorded_and_lost_by_a_multi_row_import(db_engine, tmp_path):
    append_file(db_engine, write(tmp_path, ONE_ROW))
    assert unique_flag(db_engine) is True  # every row its own doc_id: purchases may be counted as rows
    append_file(db_engine, write(tmp_path, MORE_ONE_ROW, "more.csv"))
    assert unique_flag(db_engine) is True  # new doc_ids only: still one row per cheque, without a re-check
    append_file(db_engine, write(tmp_path, GOOD, "multi.csv"))
    assert unique_flag(db_engine) is False  # A1 has two rows
    append_file(db_engine, write(tmp_path, ONE_ROW.replace("B1", "C1").replace("B2", "C2"), "c.csv"))
    assert unique_flag(db_engine) is False  # appending can never undo a multi-row cheque


def test_rows_written_by_another_program_make_the_record_unknown(db_engine, tmp_path):
    from core.client_base import load_client_base

    append_file(db_engine, write(tmp_path, ONE_ROW))
    with db_engine.begin() as conn:  # another program adds a second row to cheque B2, bypassing rfma import
        conn.execute(
            sa.insert(bonuscheques).values(
                datetime=pd.Timestamp("2022-01-04 10:00").to_pydatetime(),
                shop="Аптека 1",
                card="77",
                summ=5,
                summ_with_disc=5,
                doc_id="B2",
            )
        )
    assert unique_flag(db_engine) is None  # row count changed since the check
    client = load_client_base(db_engine).clients.set_index("card").loc["77"]
    assert client["purchases"] == 2 and client["revenue"] == 45.0  # B1 and B2 (two rows), not three purchases
    append_file(db_engine, write(tmp_path, MORE_ONE_ROW, "more.csv"))
    assert unique_flag(db_engine) is False  # the next import checks the whole table again


@pytest.mark.postgres
def test_postgresql_counts_every_write_so_the_data_version_is_cheap_and_exact(postgres_url, tmp_path):
    from core.db import data_source, make_engine, read_meta, write_counter

    engine = make_engine(postgres_url)
    append_file(engine, write(tmp_path, ONE_ROW))
    first = data_source(engine)
    assert first.version.startswith("w") and first.cheques == 2
    assert data_source(engine, first) is first  # nothing written since: one indexed row read, no COUNT(*)
    with engine.begin() as conn:  # another program writes, bypassing rfma import
        conn.execute(sa.update(bonuscheques).where(bonuscheques.c.doc_id == "B1").values(summ_with_disc=11))
    second = data_source(engine, first)
    assert second is not first and second.version != first.version and second.cheques == 2
    with engine.begin() as conn:
        before = write_counter(conn, read_meta(conn))
        conn.execute(sa.delete(bonuscheques))
    with engine.connect() as conn:
        assert int(write_counter(conn, read_meta(conn))) == int(before) + 1
    assert data_source(engine, second).cheques == 0
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_notices_an_outside_update_that_keeps_the_row_count(postgres_url, tmp_path):
    from core.client_base import load_client_base
    from core.db import make_engine

    engine = make_engine(postgres_url)
    append_file(engine, write(tmp_path, ONE_ROW))
    assert unique_flag(engine) is True
    with engine.begin() as conn:  # another program makes B1 and B2 one two-row cheque: same row count
        conn.execute(sa.update(bonuscheques).where(bonuscheques.c.doc_id == "B2").values(doc_id="B1"))
    assert unique_flag(engine) is None  # the write counter moved since the check
    assert load_client_base(engine).clients.set_index("card").loc["77", "purchases"] == 1
    engine.dispose()
