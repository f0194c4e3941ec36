"""Client lists for export: segment filters, the CSV layout of `rfma classify` (for tools) and the client-list CSV
of the dashboard and `rfma export` (for managers: Russian headers, Excel-ready; machine names as an option)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd

from core.client_filter import TABLE_HEADERS
from core.formatting import date, plural, threshold_plain
from core.grading import CLIENT_COLUMNS


def filter_segment(
    clients: pd.DataFrame,
    regions: Iterable[int] | None = None,
    clusters: Iterable[int] | None = None,
    classes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Clients in any of the given regions, clusters and classes (each filter is ignored when None/empty)."""
    mask = pd.Series(True, index=clients.index)
    if regions:
        mask &= clients["region"].isin([int(r) for r in regions])
    if clusters:
        mask &= clients["cluster"].isin([int(c) for c in clusters])
    if classes:
        mask &= clients["class"].isin([str(c) for c in classes])
    return clients[mask]


def classified_csv_table(clients: pd.DataFrame):
    """The `rfma classify` columns as an Arrow table sorted by card: ISO dates, frequency as a 6-decimal string."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cards = pa.array(clients["card"]).cast(pa.string())
    order = pc.sort_indices(cards)  # cards are unique: the order is total
    rows = order.to_numpy()
    columns = {}
    for name in CLIENT_COLUMNS:
        series = clients[name]
        if name == "card":
            values = cards.take(order)
        elif isinstance(series.dtype, pd.CategoricalDtype):  # written from its dictionary: no per-row strings
            codes = series.cat.codes.to_numpy()[rows]
            values = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), series.cat.categories.to_list())
        elif name in ("first_date", "last_date"):
            values = pa.array(series.to_numpy(dtype="datetime64[s]")[rows]).cast(pa.date32())
        elif name == "frequency":
            micro = np.round(series.to_numpy(dtype="float64")[rows] * 1e6).astype("int64")  # frequency ≥ 0
            whole = pa.array(micro // 1_000_000).cast(pa.string())
            fraction = pc.utf8_lpad(pa.array(micro % 1_000_000).cast(pa.string()), 6, "0")
            values = pc.binary_join_element_wise(whole, fraction, ".")
        elif name in ("revenue", "avg_cheque"):
            values = pa.array(series.to_numpy(dtype="float64")[rows].round(6))
        else:
            values = pa.array(series.to_numpy()[rows])
        columns[name] = values
    return pa.table(columns)


def write_classified_csv(clients: pd.DataFrame, path) -> None:
    """Write `rfma classify`'s CSV with Arrow's CSV writer (strings quoted; much faster than DataFrame.to_csv)."""
    import pyarrow.csv as pacsv

    pacsv.write_csv(classified_csv_table(clients), str(path))


# --- client lists of the dashboard and `rfma export` (CSV for managers and for the campaign tool) ------------

CSV_FORMATS = {
    # name: (separator, decimal mark) — "excel" opens correctly in a Russian Excel (';' and a decimal comma)
    "excel": (";", ","),
    "csv": (",", "."),
}
# per format: the date format of the date columns and whether the card is written as Excel text (="…")
_DATES = {"excel": "%d.%m.%Y", "csv": "%Y-%m-%d"}
_CARD_AS_TEXT = {"excel": True, "csv": False}
COLUMN_NAMES = ("ru", "machine")  # the header row: Russian headers (the table's) or machine names (`rfma classify`)
BOM = "\ufeff"


def excel_text(value: str) -> str:
    """A card as an Excel text formula, ="0042": Excel keeps every digit and leading zero and shows no 2,00077E+12."""
    return '="' + value.replace('"', '""') + '"'


def _file_safe(text: str) -> str:
    """Spaces and characters that file systems refuse (/\\:*?"<>|) as underscores."""
    return "_".join("".join(" " if c in '/\\:*?"<>|' else c for c in text).split())


def filters_file_part(
    shops: tuple[str, ...] = (),
    grades: dict[str, tuple[int, ...]] | None = None,
    card: bool = False,
    columns: int = 0,
) -> str:
    """The filters in force for a file name, e.g. 'Аптека_1_R1-2_F3_поиск_по_карте_фильтры_таблицы_2'.

    One pharmacy by name, several by count; the card search only as a fact, never its digits (personal data).
    """
    parts = []
    if len(shops) == 1:
        parts.append(_file_safe(shops[0]))
    elif shops:
        parts.append(f"{len(shops)}_{plural(len(shops), 'аптека', 'аптеки', 'аптек')}")
    for name, picked in (grades or {}).items():
        if picked:
            parts.append(name.upper() + "-".join(str(v) for v in picked))
    if card:
        parts.append("поиск_по_карте")
    if columns:
        parts.append(f"фильтры_таблицы_{columns}")
    return "_".join(parts)


def client_list_filename(
    segment_part: str, date_from: str, date_to: str, suffix: str = "csv", prefix: str = "rfma", filters_part: str = ""
) -> str:
    """E.g. rfma_110_VIP_2021-07-01_2022-06-06.csv, rfma_110_VIP_R1-2_2021-07-01_2022-06-06.csv (segment code and
    name, the other filters in force, then the period in ISO dates, so that files sort by date)."""
    middle = f"{segment_part}_{filters_part}" if filters_part else segment_part
    return f"{prefix}_{middle}_{date_from}_{date_to}.{suffix}"


def client_list_header(
    title: str, date_from: str, date_to: str, analysis_date, thresholds: dict | None, filters: list[str], clients: int
) -> list[str]:
    """The optional description lines ('# …') above the CSV header: what, period, analysis date, thresholds,
    filters, count (read back with pd.read_csv(..., comment="#"))."""
    thresholds_text = "; ".join(f"{k}={threshold_plain(v)}" for k, v in (thresholds or {}).items()) or "—"
    lines = [
        f"# RFMA: {title}",
        f"# период: {date(date_from)} — {date(date_to)}; дата анализа: {date(analysis_date)}",
        f"# пороги: {thresholds_text}",
        "# фильтры: " + (" | ".join(filters) if filters else "нет"),
        f"# клиентов: {clients}",
    ]
    return [line.replace("\n", " ").replace("\r", " ") for line in lines]


CHUNK_ROWS = 50_000
_MONEY = ("revenue", "avg_cheque", "bonus_spent", "bonus_earned")


def iter_client_list_csv(
    clients: pd.DataFrame,
    columns: list[str],
    header_lines: list[str],
    fmt: str = "excel",
    rows: np.ndarray | None = None,
    chunk_rows: int = CHUNK_ROWS,
    names: str = "ru",
) -> Iterator[bytes]:
    """The client-list CSV in pieces: BOM (+ the optional '#' lines), then ≤ `chunk_rows` rows each of `rows`
    (None = all).

    fmt "excel" (for a Russian Excel): ';', decimal comma, dates ДД.ММ.ГГГГ, the card as Excel text (="…");
    fmt "csv" (for tools): ',', decimal point, ISO dates, the card as it is. `names`: "ru" = the table's Russian
    headers, "machine" = the column names (as `rfma classify`).
    """
    # fmt and columns are checked now, not when the caller starts iterating; each piece copies only its own cells
    if fmt not in CSV_FORMATS:
        raise ValueError(f"unknown CSV format {fmt!r}")
    if names not in COLUMN_NAMES:
        raise ValueError(f"unknown column names {names!r}")
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be positive, not {chunk_rows}")
    table = clients[columns]  # KeyError for a missing column; copy-on-write: no copy of the columns
    rows = None if rows is None else np.asarray(rows, dtype=np.intp)
    headers = [TABLE_HEADERS.get(c, c) for c in columns] if names == "ru" else list(columns)
    return _csv_chunks(table, header_lines, fmt, rows, chunk_rows, headers)


def _csv_chunks(
    table: pd.DataFrame,
    header_lines: list[str],
    fmt: str,
    rows: np.ndarray | None,
    chunk_rows: int,
    headers: list[str],
) -> Iterator[bytes]:
    sep, decimal = CSV_FORMATS[fmt]
    yield (BOM + "".join(line + "\n" for line in header_lines)).encode("utf-8")
    total = len(table) if rows is None else len(rows)
    for start in range(0, max(total, 1), chunk_rows):  # an empty list still gets its header row
        part = slice(start, start + chunk_rows)
        frame = table.iloc[part] if rows is None else table.take(rows[part])
        changed = {c: frame[c].astype("float64").round(2) for c in _MONEY if c in frame}
        changed |= {c: frame[c].astype("float64").round(6) for c in ("frequency",) if c in frame}
        if _CARD_AS_TEXT[fmt] and "card" in frame:
            changed["card"] = frame["card"].astype(str).map(excel_text)
        frame = frame.assign(**changed) if changed else frame
        text = frame.to_csv(
            None,
            sep=sep,
            decimal=decimal,
            index=False,
            header=headers if start == 0 else False,
            date_format=_DATES[fmt],
            lineterminator="\n",
        )
        yield text.encode("utf-8")
