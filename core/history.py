"""Segment history (SPEC §8): the monthly series' month ends, segment sizes over snapshots, the migration between two
snapshots (in «Миграция»'s flow and matrix shapes), who entered or left each segment, and one client's path.

A snapshot's clients are a frame with the columns SNAPSHOT_COLUMNS (card, class, cluster, region); every function
here is pure (the storage is the application database's, dashboard.appdb.snapshots)."""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.migration import TOP_FLOWS, Flow, top_flows
from core.model import RfmaError
from core.segments import NEW_SOURCE, OTHER_FLOWS, SEGMENT_LEVELS, segment_order

LEVELS = SEGMENT_LEVELS
SNAPSHOT_COLUMNS = ["card", "class", "cluster", "region"]
GONE = "нет в снимке"  # the other side of a client who left: absent from the later snapshot
ENTERED = "entered"
LEFT = "left"
CHANGE_NAMES = {ENTERED: "вошли", LEFT: "вышли"}
# the columns of an entered / left list: the card, the segment, the change, where the client came from / went to
CHANGE_COLUMNS = ["card", "segment", "change", "source", "destination"]
PATH_COLUMNS = ["snapshot_id", "as_of", "class", "cluster", "region"]


def month_ends(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    """Every calendar month's last day `e` with date_from <= e <= date_to (the monthly series' snapshots)."""
    if date_from > date_to:
        raise RfmaError(f"начало {date_from.isoformat()} позже конца {date_to.isoformat()}")
    ends: list[dt.date] = []
    year, month = date_from.year, date_from.month
    while True:
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
        if end > date_to:
            return ends
        if end >= date_from:
            ends.append(end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def snapshot_frame(clients: pd.DataFrame) -> pd.DataFrame:
    """A classification's graded clients reduced to what a snapshot keeps: card, class, cluster, region (text)."""
    classes = clients["class"]
    if isinstance(classes.dtype, pd.CategoricalDtype):  # grading's labels: each category converted once
        class_text = np.asarray([str(c) for c in classes.cat.categories], dtype=object)[classes.cat.codes.to_numpy()]
    else:
        class_text = _objects(classes)
    return pd.DataFrame(
        {
            "card": pd.Series(_objects(clients["card"]), dtype=object, copy=False),
            "class": pd.Series(class_text, dtype=object, copy=False),
            "cluster": clients["cluster"].astype("int64").to_numpy(),
            "region": clients["region"].astype("int64").to_numpy(),
        }
    )


def segment_sizes(clients: pd.DataFrame) -> pd.DataFrame:
    """(level, code, clients) of one snapshot: how many clients each region, cluster and class holds."""
    parts = []
    for level in LEVELS:
        counts = clients[level].value_counts(sort=False)  # counted as they are, the few codes made texts after
        counts = counts[counts.to_numpy() > 0]  # a categorical's unused labels: no segment
        codes = [str(code) for code in counts.index]
        code = pd.Series(codes, dtype=object)
        parts.append(pd.DataFrame({"level": level, "code": code, "clients": counts.to_numpy()}))
    sizes = pd.concat(parts, ignore_index=True)
    sizes["clients"] = sizes["clients"].astype("int64")
    return sizes


def sizes_over_snapshots(sizes: pd.DataFrame, level: str = "region") -> pd.DataFrame:
    """Snapshots down (in the order given), segments across (warmth order), clients in the cells (0 when absent).

    `sizes` has the columns snapshot_id, as_of, level, code, clients (one row per snapshot and segment)."""
    _check_level(level)
    rows = sizes[sizes["level"] == level]
    order = list(dict.fromkeys(sizes["snapshot_id"]))
    table = rows.pivot_table(index="snapshot_id", columns="code", values="clients", aggfunc="sum", fill_value=0)
    columns = sorted(table.columns, key=lambda code: segment_order(level, str(code)))
    table = table.reindex(index=order, columns=columns, fill_value=0).astype("int64")
    as_of = sizes.drop_duplicates("snapshot_id").set_index("snapshot_id")["as_of"]
    table.insert(0, "as_of", as_of.reindex(order).to_numpy())
    table.columns.name = None
    return table


def align(before: pd.DataFrame, after: pd.DataFrame) -> np.ndarray:
    """For each client of `after`, their row position in `before` (-1 when absent): the one hash join every
    comparison of two snapshots reuses (Arrow's hash lookup of the texts: twice as fast as a pandas object index)."""
    cards = pa.array(_objects(before["card"]), type=pa.string())
    found = pc.index_in(pa.array(_objects(after["card"]), type=pa.string()), value_set=cards)
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


def _objects(values: pd.Series | np.ndarray) -> np.ndarray:
    """Values as a numpy object array of texts (free for object columns; pandas' Arrow strings are converted)."""
    array = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
    return array if len(array) == 0 or isinstance(array[0], str) else array.astype(str).astype(object)


def _frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A frame of object columns kept as they are (no conversion to Arrow strings: large lists stay cheap)."""
    return pd.DataFrame({name: pd.Series(values, dtype=object, copy=False) for name, values in columns.items()})


def _as_text(values: np.ndarray, missing: np.ndarray, word: str) -> pd.Categorical:
    """Segment codes as a categorical of texts (each distinct code converted once), `word` where `missing`."""
    codes, uniques = pd.factorize(values)
    labels = [str(u) for u in uniques]
    if missing.any():
        codes = np.where(missing, len(labels), codes)
        labels.append(word)
    return pd.Categorical.from_codes(codes, categories=pd.Index(labels, dtype=object))


def snapshot_flows(before: pd.DataFrame, after: pd.DataFrame, where: np.ndarray | None = None) -> pd.DataFrame:
    """Every client of the later snapshot with its segments in the earlier one («новый» when absent) and in the
    later one: card, source_<level>, destination_<level> (texts, as core.migration's flows, without revenue).
    `where` = align(before, after) when already computed."""
    columns = ["card"] + [f"{side}_{level}" for level in LEVELS for side in ("source", "destination")]
    if after.empty:
        return pd.DataFrame({name: pd.Series(dtype="str") for name in columns})
    where = align(before, after) if where is None else where
    absent = where < 0
    flows: dict = {"card": pd.Series(_objects(after["card"]), dtype=object, copy=False)}
    for level in LEVELS:
        old = before[level].to_numpy()
        taken = old[np.maximum(where, 0)] if len(old) else np.zeros(len(where), dtype=np.int64)
        flows[f"source_{level}"] = _as_text(taken, absent, NEW_SOURCE)
        flows[f"destination_{level}"] = _as_text(after[level].to_numpy(), np.zeros(len(where), bool), "")
    return pd.DataFrame(flows)[columns]


def flow_matrix(flows: pd.DataFrame, level: str = "region") -> pd.DataFrame:
    """(source_<level>, destination_<level>, clients) for every non-empty flow, in warmth order — the shape of
    core.migration.Migration.matrix, so «Миграция»'s flow_table, Sankey and matrix renderers take it."""
    _check_level(level)
    source, destination = f"source_{level}", f"destination_{level}"
    if flows.empty:
        return pd.DataFrame({source: [], destination: [], "clients": []})
    grouped = flows.groupby([source, destination], sort=False, observed=True).size().rename("clients").reset_index()
    grouped[source], grouped[destination] = grouped[source].astype(str), grouped[destination].astype(str)
    order = [
        (segment_order(level, s), segment_order(level, d))
        for s, d in zip(grouped[source], grouped[destination], strict=True)
    ]
    return grouped.take(sorted(range(len(grouped)), key=order.__getitem__)).reset_index(drop=True)


def sankey_flows(matrix: pd.DataFrame, level: str, top: int = TOP_FLOWS) -> pd.DataFrame:
    """The flows a Sankey draws: all of them, or at the class level the `top` largest and one «прочие»."""
    if level != "class":
        return matrix
    return top_flows(matrix.assign(revenue_after=0.0), level, top).drop(columns="revenue_after")


def flow_positions(flows: pd.DataFrame, flow: Flow, top: int = TOP_FLOWS) -> np.ndarray:
    """Row positions (of `flows`) of one flow's clients; «прочие» = outside the `top` largest flows."""
    source, destination = f"source_{flow.level}", f"destination_{flow.level}"
    if flow.source == OTHER_FLOWS:
        kept = sankey_flows(flow_matrix(flows, flow.level), flow.level, top)
        pairs = set(zip(kept[source], kept[destination], strict=True)) - {(OTHER_FLOWS, OTHER_FLOWS)}
        index = pd.MultiIndex.from_arrays([flows[source], flows[destination]])
        return np.flatnonzero(~index.isin(list(pairs)))
    mask = (flows[source] == flow.source) & (flows[destination] == flow.destination)
    return np.flatnonzero(mask.to_numpy())


def gone_count(before: pd.DataFrame, after: pd.DataFrame, where: np.ndarray | None = None) -> int:
    """How many clients of the earlier snapshot are absent from the later one (outside the migration matrix)."""
    where = align(before, after) if where is None else where
    return int(len(before) - (where >= 0).sum())


def entered_left(
    before: pd.DataFrame, after: pd.DataFrame, level: str = "region", where: np.ndarray | None = None
) -> pd.DataFrame:
    """Who entered and who left each segment between two snapshots (CHANGE_COLUMNS).

    A client **entered** segment s when they are in s in `after` and were not in s in `before` (another segment,
    or absent: «новый»); a client **left** s when they were in s in `before` and are not in s in `after` (another
    segment, or absent: GONE). Rows: by segment (warmth order), entered before left, then by card.
    `where` = align(before, after) when already computed."""
    _check_level(level)
    if not before["card"].is_monotonic_increasing or not after["card"].is_monotonic_increasing:
        before, after = before.sort_values("card", kind="stable"), after.sort_values("card", kind="stable")
        where = None
    where = align(before, after) if where is None else where
    old, new = (_objects(f[level]) if f[level].dtype.kind not in "iu" else f[level].to_numpy() for f in (before, after))
    present = where >= 0
    back = np.full(len(before), -1, dtype=np.int64)
    back[where[present]] = np.flatnonzero(present)
    kept = back >= 0
    entered = np.flatnonzero(~present | (old[np.maximum(where, 0)] != new if len(old) else True))
    left = np.flatnonzero(~kept | (new[np.maximum(back, 0)] != old if len(new) else True))
    if len(entered) + len(left) == 0:
        return pd.DataFrame({name: pd.Series(dtype="str") for name in CHANGE_COLUMNS})

    def text(values: np.ndarray) -> np.ndarray:  # each distinct code converted once
        codes, uniques = pd.factorize(values)
        return np.array([str(u) for u in uniques], dtype=object)[codes] if len(values) else values.astype(object)

    came_from = text(old[where[entered]]) if len(old) else np.array([], dtype=object)
    if len(came_from) != len(entered):
        came_from = np.full(len(entered), NEW_SOURCE, dtype=object)
    else:
        came_from = np.where(present[entered], came_from, NEW_SOURCE)
    went_to = text(new[back[left]]) if len(new) else np.array([], dtype=object)
    if len(went_to) != len(left):
        went_to = np.full(len(left), GONE, dtype=object)
    else:
        went_to = np.where(kept[left], went_to, GONE)
    segment = np.concatenate([text(new[entered]), text(old[left])])
    frame = _frame(
        {
            "card": np.concatenate([_objects(after["card"])[entered], _objects(before["card"])[left]]),
            "segment": segment,
            "change": np.array([ENTERED] * len(entered) + [LEFT] * len(left), dtype=object),
            "source": np.concatenate([came_from, segment[len(entered) :]]),
            "destination": np.concatenate([segment[: len(entered)], went_to]),
        }
    )
    codes = sorted(set(segment), key=lambda code: segment_order(level, code))
    rank = frame["segment"].map({code: i for i, code in enumerate(codes)}).to_numpy()
    change = np.concatenate([np.zeros(len(entered), np.int8), np.ones(len(left), np.int8)])
    order = np.lexsort((change, rank))  # stable: inside a group the rows keep the snapshots' card order
    return frame.take(order).reset_index(drop=True)


def change_counts(changes: pd.DataFrame, level: str = "region") -> pd.DataFrame:
    """(segment, entered, left) per segment of an entered_left frame, in warmth order."""
    if changes.empty:
        return pd.DataFrame({"segment": [], ENTERED: [], LEFT: []})
    table = changes.pivot_table(index="segment", columns="change", values="card", aggfunc="size", fill_value=0)
    table = table.reindex(columns=[ENTERED, LEFT], fill_value=0).astype("int64")
    order = sorted(table.index, key=lambda code: segment_order(level, str(code)))
    return table.reindex(order).reset_index()


def client_path(rows: pd.DataFrame) -> pd.DataFrame:
    """One client's segments across snapshots (PATH_COLUMNS), oldest analysis date first."""
    if rows.empty:
        return pd.DataFrame({name: [] for name in PATH_COLUMNS})
    return rows.sort_values(["as_of", "snapshot_id"], kind="stable").reset_index(drop=True)[PATH_COLUMNS]


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise RfmaError(f"уровень {level!r}: допустимы region, cluster, class")
