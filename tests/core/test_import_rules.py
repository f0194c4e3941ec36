"""The import rules (issue 10, finding 4): every bad file exits 2 through the real CLI, names file, row, column and
value in one Russian line per problem, and leaves the table (rows and import serial) as it was — on DuckDB and on
PostgreSQL. Accepted cases check what was written."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import formatting as fmt
from core.db import bonuscheques, make_engine, read_meta, table_exists
from dashboard.cli import main

HEADER = "datetime,shop,card,summ_with_disc,doc_id\n"
NBSP = "\u00a0"
TOMORROW = fmt.date(dt.date.today() + dt.timedelta(days=1))
OUT_OF_RANGE = f"дата вне допустимого диапазона 01.01.1990 — {TOMORROW} (--min-date, --max-date)"


def line(doc: str, stamp: str = "2022-01-05 10:00:00", card: str = "100", shop: str = "Аптека 1", amount="10"):
    return f"{stamp},{shop},{card},{amount},{doc}\n"


GOOD_ROWS = line("G1", "2022-01-03 10:00:00") + line("G2", "2022-01-04 11:00:00", card="200", shop="Аптека 2")


def write(tmp_path: Path, content: str | bytes, name: str = "bad.csv") -> str:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return str(path)


def state(url: str) -> tuple[int, str | None]:
    """(rows in bonuscheques, import serial): what no rejected file may change."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not table_exists(conn):
                return 0, None
            rows = conn.execute(sa.select(sa.func.count()).select_from(bonuscheques)).scalar_one()
            return rows, read_meta(conn).get("import_serial")
    finally:
        engine.dispose()


def written(url: str) -> pd.DataFrame:
    engine = make_engine(url)
    with engine.connect() as conn:
        query = sa.select(bonuscheques).order_by(bonuscheques.c.doc_id, bonuscheques.c.datetime)
        frame = pd.DataFrame(conn.execute(query).mappings().all())
    engine.dispose()
    return frame


@pytest.fixture
def loaded(db_url, tmp_path, capsys):
    """A database (DuckDB file, then PostgreSQL) that already holds cheques G1 and G2 from one import."""
    assert main(["import", write(tmp_path, HEADER + GOOD_ROWS, "first.csv"), "--db", db_url]) == 0
    capsys.readouterr()
    assert state(db_url) == (2, "1")
    return db_url


def rejected(url: str, path: str, capsys, *extra: str) -> list[str]:
    """Import a bad file through the CLI: exit 2, nothing changed; returns the problem lines (after the header)."""
    before = state(url)
    assert main(["import", path, "--db", url, *extra]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert state(url) == before
    first, *problems = err.rstrip("\n").split("\n")
    assert first.startswith(f"rfma import: ошибка: файл {path} отклонен, ничего не записано (")
    return problems


def problem(path: str, row: int, column: str, value: str, reason: str) -> str:
    return f"{path}: строка {row}, колонка {column}, значение {value}: {reason}"


# --- bytes -------------------------------------------------------------------------------------------------------


def test_cp1251_bytes_after_the_first_64_kib_are_rejected_with_row_column_and_offset(loaded, tmp_path, capsys):
    good = (HEADER + "".join(line(f"A{i}") for i in range(1500))).encode()
    assert len(good) > 65536
    bad_row = line("B1", shop="Аптека 9").encode("cp1251")
    path = write(tmp_path, good + bad_row)
    offset = len(good) + bad_row.index(b"\xc0")
    value = repr("Аптека 9".encode("cp1251").decode("utf-8", "backslashreplace"))
    assert rejected(loaded, path, capsys) == [
        problem(path, 1502, "shop", value, f"байт 0xC0 не в кодировке UTF-8 (байт {offset} от начала файла)")
    ]


def test_nul_bytes_are_rejected_by_row_and_a_card_is_never_shown(loaded, tmp_path, capsys):
    content = HEADER + GOOD_ROWS.replace("G", "N") + line("N3", shop="Апт\x00ека") + line("N4", card="1234567\x0089")
    path = write(tmp_path, content)
    data = Path(path).read_bytes()
    first, last = data.index(b"\x00"), data.rindex(b"\x00")
    assert rejected(loaded, path, capsys) == [
        problem(path, 4, "shop", repr("Апт\x00ека"), f"нулевой байт (NUL) (байт {first} от начала файла)"),
        problem(path, 5, "card", "'…7\\x0089' (10 символов)", f"нулевой байт (NUL) (байт {last} от начала файла)"),
    ]


# --- dates -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stamp", ["2100-01-01 10:00:00", "0001-01-01", "1900-06-01 10:00:00", "9999-12-31 23:59:59"])
def test_dates_after_tomorrow_or_before_1990_are_rejected_by_row(loaded, tmp_path, capsys, stamp):
    path = write(tmp_path, HEADER + line("N1") + line("N2", stamp))
    assert rejected(loaded, path, capsys) == [problem(path, 3, "datetime", repr(stamp), OUT_OF_RANGE)]


def test_the_date_bounds_are_settings_of_the_cli_and_the_environment(loaded, tmp_path, capsys, monkeypatch):
    path = write(tmp_path, HEADER + line("N1", "2022-01-01 09:00:00") + line("N2", "2022-03-01 09:00:00"))
    reason = "дата вне допустимого диапазона 01.02.2022 — 28.02.2022 (--min-date, --max-date)"
    args = ("--min-date", "2022-02-01", "--max-date", "2022-02-28")
    assert rejected(loaded, path, capsys, *args) == [
        problem(path, 2, "datetime", "'2022-01-01 09:00:00'", reason),
        problem(path, 3, "datetime", "'2022-03-01 09:00:00'", reason),
    ]
    monkeypatch.setenv("RFMA_IMPORT_MIN_DATE", "2022-01-02")
    assert rejected(loaded, path, capsys) == [
        problem(
            path,
            2,
            "datetime",
            "'2022-01-01 09:00:00'",
            f"дата вне допустимого диапазона 02.01.2022 — {TOMORROW} (--min-date, --max-date)",
        )
    ]


AMBIGUOUS = (
    "день и месяц не различить: все даты файла читаются и как ДД/ММ/ГГГГ, и как ММ/ДД/ГГГГ; "
    "укажите --date-format DD/MM/YYYY или --date-format MM/DD/YYYY"
)


def test_slash_dates_that_read_both_ways_are_rejected_unless_the_format_is_given(loaded, tmp_path, capsys):
    path = write(
        tmp_path, HEADER + line("S1", "01/01/2022 10:00") + line("S2", "01/02/2022") + line("S3", "03/04/2022")
    )
    assert rejected(loaded, path, capsys) == [problem(path, 3, "datetime", "'01/02/2022'", AMBIGUOUS)]
    assert main(["import", path, "--db", loaded, "--date-format", "MM/DD/YYYY"]) == 0
    days = written(loaded).set_index("doc_id")["datetime"]
    assert [days["S1"], days["S2"], days["S3"]] == [
        pd.Timestamp("2022-01-01 10:00"),
        pd.Timestamp("2022-01-02"),
        pd.Timestamp("2022-03-04"),
    ]


def test_an_explicit_day_first_format_reads_every_row_day_first(loaded, tmp_path, capsys):
    path = write(tmp_path, HEADER + line("S1", "01/02/2022 10:00") + line("S2", "02/03/2022"))
    assert main(["import", path, "--db", loaded, "--date-format", "DD/MM/YYYY"]) == 0
    days = written(loaded).set_index("doc_id")["datetime"]
    assert (days["S1"], days["S2"]) == (pd.Timestamp("2022-02-01 10:00"), pd.Timestamp("2022-03-02"))


def test_a_file_is_never_read_with_a_mix_of_day_month_orders(loaded, tmp_path, capsys):
    path = write(tmp_path, HEADER + line("S1", "13/01/2022") + line("S2", "01/02/2022") + line("S3", "01/13/2022"))
    reason = "не дата и время (ожидается ДД/ММ/ГГГГ ЧЧ:ММ, как в остальных строках файла)"
    assert rejected(loaded, path, capsys) == [problem(path, 4, "datetime", "'01/13/2022'", reason)]
    explicit = "не дата в формате ММ/ДД/ГГГГ ЧЧ:ММ (--date-format MM/DD/YYYY)"
    assert rejected(loaded, path, capsys, "--date-format", "MM/DD/YYYY") == [
        problem(path, 2, "datetime", "'13/01/2022'", explicit)
    ]


def test_one_unambiguous_slash_date_fixes_the_order_of_the_whole_file(loaded, tmp_path, capsys):
    path = write(tmp_path, HEADER + line("S1", "13/01/2022") + line("S2", "01/02/2022"))
    assert main(["import", path, "--db", loaded]) == 0
    assert written(loaded).set_index("doc_id").loc["S2", "datetime"] == pd.Timestamp("2022-02-01")


def test_offsets_are_dropped_and_the_local_time_kept_even_when_mixed(loaded, tmp_path, capsys):
    stamps = ("2022-01-05T23:30:00+03:00", "2022-01-06 01:15:00+05:00", "2022-01-07T08:00:00Z", "2022-01-08 09:00")
    path = write(tmp_path, HEADER + "".join(line(f"T{i}", stamp) for i, stamp in enumerate(stamps)))
    assert main(["import", path, "--db", loaded]) == 0
    assert "дат со смещением часового пояса (взято местное время, смещение отброшено): 3" in capsys.readouterr().out
    got = written(loaded).set_index("doc_id")["datetime"]
    assert [got[f"T{i}"] for i in range(4)] == [
        pd.Timestamp("2022-01-05 23:30"),
        pd.Timestamp("2022-01-06 01:15"),
        pd.Timestamp("2022-01-07 08:00"),
        pd.Timestamp("2022-01-08 09:00"),
    ]


# --- amounts and lengths -----------------------------------------------------------------------------------------


def test_huge_and_sub_kopeck_amounts_are_rejected_by_row(loaded, tmp_path, capsys):
    path = write(
        tmp_path,
        HEADER + line("N1", amount="1e15") + line("N2", amount="10.005") + line("N3", amount="-999999999.99"),
    )
    assert rejected(loaded, path, capsys) == [
        problem(path, 2, "summ_with_disc", "'1e15'", f"число по модулю не меньше 1{NBSP}000{NBSP}000{NBSP}000"),
        problem(path, 3, "summ_with_disc", "'10.005'", "больше 2 знаков после запятой"),
    ]


def test_negative_amounts_are_returns_accepted_and_counted(loaded, tmp_path, capsys):
    path = write(
        tmp_path, HEADER + line("R1", amount="-120.50") + line("R2", amount='"30,1"') + line("R3", amount="1.50")
    )
    assert main(["import", path, "--db", loaded]) == 0
    assert "строк с отрицательной суммой (возвраты): 1" in capsys.readouterr().out.splitlines()
    amounts = written(loaded).set_index("doc_id")["summ_with_disc"].astype(float)
    assert (amounts["R1"], amounts["R2"], amounts["R3"]) == (-120.5, 30.1, 1.5)


def test_a_megabyte_card_and_long_doc_ids_and_shops_are_rejected_by_row(loaded, tmp_path, capsys):
    card = "7" * (1 << 20)
    doc = "D" * 129
    path = write(tmp_path, HEADER + line("N1", card=card) + line(doc) + line("N3", shop="Я" * 201))
    assert rejected(loaded, path, capsys) == [
        problem(path, 2, "card", f"'…7777' (1{NBSP}048{NBSP}576 символов)", "длиннее 64 символов"),
        problem(path, 3, "doc_id", f"'{'D' * 40}…' (129 символов)", "длиннее 128 символов"),
        problem(path, 4, "shop", f"'{'Я' * 40}…' (201 символ)", "длиннее 200 символов"),
    ]


# --- doc_id ------------------------------------------------------------------------------------------------------


def test_one_doc_id_with_two_cards_dates_or_shops_in_the_file_is_rejected_by_row(loaded, tmp_path, capsys):
    rows = (
        line("C1", "2022-01-05 10:00:00")
        + line("C1", "2022-01-05 10:00:07")  # the same cheque: another line stamped a few seconds later
        + line("C2", card="123456789")
        + line("C2", card="987654321")
        + line("C3", "2022-01-05 10:00:00")
        + line("C3", "2022-01-06 10:00:00")
        + line("C4", shop="Аптека 1")
        + line("C4", shop="Аптека 2")
    )
    path = write(tmp_path, HEADER + rows)
    assert rejected(loaded, path, capsys) == [
        problem(path, 5, "card", "'…4321' (9 символов)", "номер чека 'C2' уже встречался в строке 4 с другой картой"),
        problem(
            path,
            7,
            "datetime",
            "'2022-01-06 10:00:00'",
            "номер чека 'C3' уже встречался в строке 6 с другой датой (05.01.2022)",
        ),
        problem(
            path, 9, "shop", "'Аптека 2'", "номер чека 'C4' уже встречался в строке 8 с другой аптекой ('Аптека 1')"
        ),
    ]


def test_a_doc_id_already_in_the_table_with_another_card_date_or_shop_is_rejected(loaded, tmp_path, capsys):
    rows = (
        line("G1", "2022-01-03 10:00:00")  # as loaded: skipped
        + line("G2", "2022-01-04 11:00:00", card="300", shop="Аптека 2")  # loaded with card 200
        + line("G2", "2022-01-04 11:00:00", card="300", shop="Аптека 2")
        + line("N1")
    )
    path = write(tmp_path, HEADER + rows)
    reason = "номер чека 'G2' уже загружен в таблицу с другой картой"
    assert rejected(loaded, path, capsys) == [
        problem(path, 3, "card", "'…' (3 символа)", reason),
        problem(path, 4, "card", "'…' (3 символа)", reason),
    ]
    path = write(tmp_path, HEADER + line("G1", "2022-01-09 10:00:00", shop="Аптека 5"), "again.csv")
    assert rejected(loaded, path, capsys) == [
        problem(
            path,
            2,
            "datetime",
            "'2022-01-09 10:00:00'",
            "номер чека 'G1' уже загружен в таблицу с другой датой (03.01.2022)",
        ),
        problem(path, 2, "shop", "'Аптека 5'", "номер чека 'G1' уже загружен в таблицу с другой аптекой ('Аптека 1')"),
    ]


def test_a_doc_id_already_loaded_with_the_same_card_day_and_shop_is_skipped(loaded, tmp_path, capsys):
    path = write(tmp_path, HEADER + line("G1", "2022-01-03 18:00:00") + line("N1"))
    assert main(["import", path, "--db", loaded]) == 0
    out = capsys.readouterr().out
    assert "добавлено чеков: 1 (строк: 1)" in out and "пропущено уже загруженных чеков: 1 (строк: 1)" in out
    assert state(loaded) == (3, "2")


# --- files without rows, report limits ---------------------------------------------------------------------------


def test_a_header_only_file_writes_nothing_and_keeps_the_import_serial(loaded, tmp_path, capsys):
    path = write(tmp_path, HEADER, "empty.csv")
    assert main(["import", path, "--db", loaded]) == 0
    assert capsys.readouterr().out == f"файл {path}: нет строк с данными, ничего не записано\n"
    assert state(loaded) == (2, "1")


@pytest.mark.parametrize(("bad", "heading"), [(1, "1 ошибка"), (2, "2 ошибки"), (5, "5 ошибок"), (21, "21 ошибка")])
def test_the_count_of_problems_has_the_right_russian_plural(loaded, tmp_path, capsys, bad, heading):
    path = write(tmp_path, HEADER + "".join(line(f"N{i}", amount="x") for i in range(bad)))
    problems = rejected(loaded, path, capsys)
    assert len(problems) == min(bad, 20) + (bad > 20)
    assert all(p.endswith(": не число") for p in problems[:20])
    if bad > 20:
        assert problems[-1] == "… и еще 1 ошибка"
    assert main(["import", path, "--db", loaded]) == 2
    assert f"ничего не записано ({heading}):" in capsys.readouterr().err


# --- the card pattern --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["thresholds"],
        ["classify", "--out", "x.csv"],
        ["report", "--out", "x.md"],
        ["migrate", "--bonus-date", "2022-01-04", "--out", "x.csv"],
    ],
)
def test_an_invalid_card_pattern_is_one_line_naming_the_option_and_pattern(loaded, capsys, command):
    assert main([*command, "--db", loaded, "--card-pattern", "["]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"rfma {command[0]}: ошибка: шаблон карты --card-pattern '[': не регулярное выражение (позиция 0), "
        "например ^\\d+$\n"
    )


# --- a property: one bad row among good ones writes nothing ------------------------------------------------------

BAD_ROWS = {
    "future": line("X", "2100-01-01 10:00:00"),
    "ancient": line("X", "1900-01-01"),
    "huge": line("X", amount="1e15"),
    "kopeck": line("X", amount="0.001"),
    "card": line("X", card="9" * 65),
    "empty doc": line(""),
    "not a date": line("X", "вчера"),
    "conflict": line("P0", card="555"),
}


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    good=st.integers(min_value=1, max_value=30),
    where=st.integers(min_value=0, max_value=30),
    kind=st.sampled_from(sorted(BAD_ROWS)),
)
def test_any_file_with_one_bad_row_among_good_ones_writes_nothing(capsys, good, where, kind):
    rows = [line(f"P{i}", f"2022-01-{1 + i % 28:02d} 10:00:00") for i in range(good)]
    rows.insert(min(where, good), BAD_ROWS[kind])
    with tempfile.TemporaryDirectory() as folder:
        url = f"duckdb:///{Path(folder) / 'p.duckdb'}"
        assert main(["import", write(Path(folder), HEADER + GOOD_ROWS, "first.csv"), "--db", url]) == 0
        path = write(Path(folder), HEADER + "".join(rows))
        assert main(["import", path, "--db", url]) == 2
        assert state(url) == (2, "1")
    err = capsys.readouterr().err
    assert "Traceback" not in err and f"{path}: строка " in err


def test_a_header_only_file_appended_from_python_keeps_the_import_serial(loaded, tmp_path):
    from core.importer import read_cheques_csv
    from core.loading import append_cheques

    frame = read_cheques_csv(write(tmp_path, HEADER, "empty.csv"))
    engine = make_engine(loaded)
    with engine.begin() as conn:
        counts = append_cheques(conn, frame)
    engine.dispose()
    assert (counts.rows_read, counts.rows_added) == (0, 0)
    assert state(loaded) == (2, "1")
