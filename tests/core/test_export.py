"""The streamed client-list CSV: its pieces join into exactly the one-shot file, whatever the chunk size and row
positions; and a selection kept as positions (filter, then sort) equals the filtered and sorted frame."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.classify import classify
from core.client_filter import (
    TABLE_COLUMNS,
    TABLE_HEADERS,
    ClientFilter,
    Sort,
    _sort_keys,
    filter_clients,
    filter_positions,
    sort_clients,
    sort_positions,
)
from core.column_filter import ColumnCondition, ColumnFilter
from core.db import make_engine
from core.export import BOM, CSV_FORMATS, iter_client_list_csv
from tests.support.chain import build_chain_database

HEADER = ["# RFMA: клиенты сегмента 110 VIP", "# клиентов: 5"]


def one_shot_csv(
    clients: pd.DataFrame, columns: list[str], header_lines: list[str], fmt: str, names: str = "ru"
) -> bytes:
    """The export as it was written before streaming (the whole frame in one to_csv): the reference bytes."""
    sep, decimal = CSV_FORMATS[fmt]
    frame = clients[columns]
    if fmt == "excel" and "card" in columns:
        frame = frame.assign(card=['="' + card.replace('"', '""') + '"' for card in frame["card"]])
    rounded = {
        c: frame[c].astype("float64").round(2)
        for c in ("revenue", "avg_cheque", "bonus_spent", "bonus_earned")
        if c in frame
    }
    rounded |= {c: frame[c].astype("float64").round(6) for c in ("frequency",) if c in frame}
    frame = frame.assign(**rounded) if rounded else frame
    buffer = io.StringIO()
    buffer.write(BOM)
    for line in header_lines:
        buffer.write(line + "\n")
    header = [TABLE_HEADERS.get(c, c) for c in columns] if names == "ru" else columns
    dates = "%d.%m.%Y" if fmt == "excel" else "%Y-%m-%d"
    frame.to_csv(buffer, sep=sep, decimal=decimal, index=False, header=header, date_format=dates, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def one_shot_sort(frame: pd.DataFrame, sort: Sort) -> pd.DataFrame:
    """The table's order as `sort_clients` computed it on the frame before positions: the sort, ties by card."""
    columns, ascending = _sort_keys(frame, sort)  # the same keys; the oracle sorts the whole frame
    return frame.sort_values(columns, ascending=ascending, kind="stable", na_position="last")


def hand_clients() -> pd.DataFrame:
    """Five clients with every kind of value: leading zeros, separators and quotes in text, NaN and NaT, ties."""
    return pd.DataFrame(
        {
            "card": ["0042", "17", "17;x", '9"9', "300"],
            "region": [110, 110, 510, 110, 220],
            "region_name": ["VIP", "VIP", "потерянные", "VIP", "добро пожаловать"],
            "class": pd.Categorical(["1111", "1121", "4333", "1111", "2211"]),
            "r": np.array([1, 1, 4, 1, 2], dtype="int8"),
            "frequency": [0.1234567, 1 / 3, np.nan, 2.0, 0.5],
            "revenue": [1234.5678, 10.005, 0.0, 1e7 + 0.125, np.nan],
            "avg_cheque": [617.2839, 10.005, 0.0, 5e6, np.nan],
            "bonus_spent": [0.0, 1.111, 2.0, 3.0, 4.5],
            "first_date": pd.to_datetime(["2021-07-01", "2021-08-15", "2022-01-01", None, "2022-06-30"]).astype(
                "datetime64[s]"
            ),
        }
    )


@pytest.fixture(scope="module")
def chain_clients(tmp_path_factory) -> pd.DataFrame:
    engine = make_engine(build_chain_database(tmp_path_factory.mktemp("export") / "chain.duckdb"))
    clients = classify(engine, with_shops=True).clients
    engine.dispose()
    return clients


@pytest.mark.parametrize("fmt", ["excel", "csv"])
@pytest.mark.parametrize("chunk_rows", [1, 2, 7, 50_000])
def test_the_pieces_join_into_the_one_shot_file(chain_clients, fmt, chunk_rows):
    expected = one_shot_csv(chain_clients, TABLE_COLUMNS, HEADER, fmt)
    pieces = list(iter_client_list_csv(chain_clients, TABLE_COLUMNS, HEADER, fmt, chunk_rows=chunk_rows))
    assert b"".join(pieces) == expected
    assert len(pieces) == 1 + -(-len(chain_clients) // chunk_rows)  # the comment header, then one piece per chunk
    assert pieces[0] == (BOM + "".join(line + "\n" for line in HEADER)).encode("utf-8")


@pytest.mark.parametrize("fmt", ["excel", "csv"])
@pytest.mark.parametrize("chunk_rows", [1, 3, 100])
def test_row_positions_pick_and_order_the_rows(fmt, chunk_rows):
    clients = hand_clients()
    rows = np.array([4, 0, 3])
    columns = list(clients.columns)
    joined = b"".join(
        iter_client_list_csv(clients, columns, HEADER, fmt, rows=rows, chunk_rows=chunk_rows, names="machine")
    )
    assert joined == one_shot_csv(clients.take(rows), columns, HEADER, fmt, names="machine")
    back = pd.read_csv(
        io.BytesIO(joined),
        sep=CSV_FORMATS[fmt][0],
        decimal=CSV_FORMATS[fmt][1],
        comment="#",
        encoding="utf-8-sig",
        dtype={"card": str},
    )
    cards = ['="300"', '="0042"', '="9""9"'] if fmt == "excel" else ["300", "0042", '9"9']  # Excel text formulas
    assert list(back["card"]) == cards and back["revenue"].iloc[1] == 1234.57


def test_an_empty_selection_still_has_the_header_row():
    clients = hand_clients()
    for rows in (np.array([], dtype=int), None):
        frame = clients if rows is None else clients.iloc[:0]
        assert b"".join(iter_client_list_csv(frame, ["card", "revenue"], HEADER, rows=rows)) == one_shot_csv(
            frame, ["card", "revenue"], HEADER, "excel"
        )
    assert (
        b"".join(iter_client_list_csv(clients, ["card"], [], rows=np.array([], dtype=int)))
        == (BOM + "Карта\n").encode()
    )


def test_a_bad_format_or_column_fails_before_iteration():
    with pytest.raises(ValueError, match="unknown CSV format"):
        iter_client_list_csv(hand_clients(), ["card"], [], "xlsx")
    with pytest.raises(KeyError):
        iter_client_list_csv(hand_clients(), ["card", "nope"], [])
    with pytest.raises(ValueError):
        iter_client_list_csv(hand_clients(), ["card"], [], chunk_rows=0)


def test_a_piece_copies_only_its_rows():
    clients = pd.DataFrame({"card": [str(i) for i in range(10)], "revenue": np.arange(10.0), "other": range(10)})
    pieces = iter_client_list_csv(clients, ["card", "revenue"], [], "csv", rows=np.arange(10)[::-1], chunk_rows=4)
    assert [piece.count(b"\n") for piece in pieces] == [0, 5, 4, 2]  # BOM only; header + 4 rows; 4 rows; 2 rows


@given(
    values=st.lists(
        st.tuples(st.integers(0, 30), st.floats(-1e6, 1e6) | st.just(float("nan")), st.sampled_from(["a", "b;", 'c"'])),
        max_size=30,
    ),
    chunk_rows=st.integers(1, 35),
    fmt=st.sampled_from(["excel", "csv"]),
    data=st.data(),
)
def test_any_frame_positions_and_chunk_size_give_the_one_shot_bytes(values, chunk_rows, fmt, data):
    clients = pd.DataFrame(values, columns=["purchases", "revenue", "card"]).astype({"card": "str"})
    rows = np.array(
        data.draw(st.permutations(range(len(clients))))[: data.draw(st.integers(0, len(clients)))], dtype=int
    )
    joined = b"".join(
        iter_client_list_csv(clients, ["card", "purchases", "revenue"], HEADER, fmt, rows=rows, chunk_rows=chunk_rows)
    )
    assert joined == one_shot_csv(clients.take(rows), ["card", "purchases", "revenue"], HEADER, fmt)


# --- the selection as positions ---------------------------------------------------------------------------------


def test_filter_positions_are_the_rows_filter_clients_keeps(chain_clients):
    shop_cards = pd.DataFrame({"shop": ["Аптека 1", "Аптека 2"], "card": list(chain_clients["card"].iloc[[5, 9]])})
    filters = [
        ClientFilter.build("all"),
        ClientFilter.build("r110"),
        ClientFilter.build("w2", grades={"m": [1, 2]}, card="1"),
        ClientFilter.build("all", shops=["Аптека 2"]),
        ClientFilter.build(columns=[ColumnFilter("revenue", (ColumnCondition("revenue", "gt", 500),))]),
        ClientFilter.build("all", card="нет-такой-карты"),
    ]
    for flt in filters:
        positions = filter_positions(chain_clients, flt, shop_cards)
        assert positions.dtype.kind == "i" and np.all(np.diff(positions) > 0)
        pd.testing.assert_frame_equal(chain_clients.take(positions), filter_clients(chain_clients, flt, shop_cards))
    assert list(filter_positions(chain_clients, filters[0])) == list(range(len(chain_clients)))
    assert filter_positions(chain_clients, filters[-1]).size == 0
    assert list(filter_positions(chain_clients, filters[3], shop_cards)) == [9]  # bought in «Аптека 2»


SORTS: list[Sort] = [
    (),
    (("revenue", True),),
    (("r", False), ("frequency", True)),
    (("class_name", False),),
    (("card", True), ("revenue", False)),
    (("last_date", True), ("nope", False), ("last_date", False)),  # unknown columns and repeats are ignored
]


@pytest.mark.parametrize("sort", SORTS)
def test_sort_positions_order_rows_as_the_frame_sort(chain_clients, sort):
    pd.testing.assert_frame_equal(sort_clients(chain_clients, sort), one_shot_sort(chain_clients, sort))
    chosen = filter_positions(chain_clients, ClientFilter.build("w1"))
    ordered = sort_positions(chain_clients, chosen, sort)
    expected = one_shot_sort(chain_clients.take(chosen), sort)
    assert list(ordered) == list(expected.index)  # RangeIndex: labels are positions
    assert sorted(ordered) == list(chosen)


def test_sorting_by_position_keeps_nan_last_and_breaks_ties_by_card():
    clients = hand_clients()
    by_revenue = sort_positions(clients, np.arange(5), (("revenue", True),))
    assert list(clients["card"].take(by_revenue)) == ['9"9', "0042", "17", "17;x", "300"]  # NaN last, 0.0 before it
    by_region = sort_positions(clients, np.array([3, 1, 0]), (("region", False),))
    assert list(by_region) == [0, 1, 3]  # all 110: ties by card ("0042" < "17" < '9"9')
    assert sort_positions(clients, np.array([], dtype=int)).size == 0


@given(
    rows=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from([1.0, 2.5, float("nan")]), st.sampled_from(["a", "b", "c"])),
        min_size=0,
        max_size=25,
    ),
    sort=st.lists(st.tuples(st.sampled_from(["r", "revenue", "card"]), st.booleans()), max_size=3).map(tuple),
    data=st.data(),
)
def test_any_positions_sort_like_the_frame(rows, sort, data):
    clients = pd.DataFrame(rows, columns=["r", "revenue", "card"]).astype({"card": "str"})
    positions = np.array(
        data.draw(st.permutations(range(len(clients))))[: data.draw(st.integers(0, len(clients)))], dtype=int
    )
    expected = one_shot_sort(clients.take(positions), sort)
    assert list(sort_positions(clients, positions, sort)) == list(expected.index)


def test_the_classify_csv_is_sorted_by_card_with_iso_dates_and_six_decimal_frequencies(tmp_path):
    from core.export import write_classified_csv
    from core.grading import CLIENT_COLUMNS, empty_graded

    graded = empty_graded(False)
    rows = pd.DataFrame(
        {
            "card": ["30", "100", "2"],
            "first_date": pd.to_datetime(["2022-01-01", "2021-07-01", "2022-06-06"]),
            "frequency": [3 / 7, 0.0, 12.5],
        }
    )
    frame = pd.concat([graded, rows], ignore_index=True)[CLIENT_COLUMNS]
    frame["last_date"] = frame["first_date"]
    frame = frame.fillna({c: 0 for c in ("purchases", "revenue", "avg_cheque", "recency_days", "age_days")})
    out = tmp_path / "clients.csv"
    write_classified_csv(frame, out)
    back = pd.read_csv(out, dtype=str)
    assert list(back.columns) == CLIENT_COLUMNS
    assert back["card"].tolist() == ["100", "2", "30"]  # string order, as the card is text
    assert back["first_date"].tolist() == ["2021-07-01", "2022-06-06", "2022-01-01"]
    assert back["frequency"].tolist() == ["0.000000", "12.500000", "0.428571"]
    empty = tmp_path / "empty.csv"
    write_classified_csv(graded[CLIENT_COLUMNS], empty)
    assert pd.read_csv(empty).columns.tolist() == CLIENT_COLUMNS


# --- the file a manager opens -----------------------------------------------------------------------------------


def test_the_excel_file_has_russian_headers_text_cards_russian_dates_and_no_comment_lines():
    clients = hand_clients().iloc[[0, 3]]  # "0042" (a leading zero) and '9"9' (a quote)
    columns = ["card", "region", "revenue", "first_date"]
    excel = b"".join(iter_client_list_csv(clients, columns, []))
    assert excel.decode("utf-8") == (
        "\ufeffКарта;Регион;Выручка, ₽;Первая покупка\n"
        '"=""0042""";110;1234,57;01.07.2021\n'
        '"=""9""""9""";110;10000000,12;\n'
    )
    machine = b"".join(iter_client_list_csv(clients, columns, [], "csv", names="machine"))
    assert machine.decode("utf-8") == (
        '\ufeffcard,region,revenue,first_date\n0042,110,1234.57,2021-07-01\n"9""9",110,10000000.12,\n'
    )
    # both read back with plain pd.read_csv: no '#' line to skip, the card column stays text
    back = pd.read_csv(io.BytesIO(machine), encoding="utf-8-sig", dtype={"card": str})
    assert list(back["card"]) == ["0042", '9"9'] and list(back.columns) == columns
    with pytest.raises(ValueError, match="unknown column names"):
        iter_client_list_csv(clients, columns, [], names="english")


def test_the_file_name_carries_the_filters_but_never_the_cards_digits():
    from core.export import client_list_filename, filters_file_part

    assert filters_file_part() == ""
    assert filters_file_part(("Аптека 1",)) == "Аптека_1"
    assert filters_file_part(("А/1", "Б")) == "2_аптеки"
    assert filters_file_part(tuple("abcde")) == "5_аптек"
    part = filters_file_part((), {"r": (1, 2), "f": (), "m": (3,)}, card=True, columns=2)
    assert part == "R1-2_M3_поиск_по_карте_фильтры_таблицы_2"
    name = client_list_filename("110_VIP", "2021-07-01", "2022-06-06", filters_part=part)
    assert name == "rfma_110_VIP_R1-2_M3_поиск_по_карте_фильтры_таблицы_2_2021-07-01_2022-06-06.csv"
    assert client_list_filename("110_VIP", "2021-07-01", "2022-06-06") == "rfma_110_VIP_2021-07-01_2022-06-06.csv"


def test_the_description_lines_show_russian_dates():
    from core.export import client_list_header

    lines = client_list_header("клиенты", "2021-07-01", "2022-06-06", "2022-06-06", {"r1": 21.0}, [], 51)
    assert lines[1] == "# период: 01.07.2021 — 06.06.2022; дата анализа: 06.06.2022"
    assert lines[2:] == ["# пороги: r1=21", "# фильтры: нет", "# клиентов: 51"]
