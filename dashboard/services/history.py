"""Tab «История»: snapshots of the classification kept in the application database (SPEC §8) — saving one, their
list, segment sizes over them, the migration between two of them, who entered or left each segment, and one
client's path (shown in «Финал»'s client card)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from core import formatting as fmt
from core import history
from core.client_filter import sort_positions
from core.export import client_list_filename, iter_client_list_csv
from core.migration import Flow, flow_table
from core.model import RfmaError
from core.segments import segment_label
from dashboard import grid
from dashboard.appdb.audit import AuditLog
from dashboard.appdb.snapshots import SNAPSHOT_SAVED, SavedSnapshot, Snapshot, Snapshots
from dashboard.services.access import Permission, allowed, require
from dashboard.services.analysis import Analyses
from dashboard.services.cache import WorkerMemory
from dashboard.services.campaigns import ResolvedSelection
from dashboard.services.request import AnalysisRequest

LEVELS = history.LEVELS
SIZE_LEVELS = ("region", "cluster")  # the sizes chart: regions or clusters (108 classes are no chart)
NO_SNAPSHOTS = "Снимков пока нет: нажмите «Сохранить снимок», чтобы сохранить текущую классификацию."
ONE_SNAPSHOT = "Для сравнения нужны два снимка: сохраните ещё один (например, за другой период)."
CHOOSE_TWO = "Выберите два разных снимка."
CHOOSE_CHANGE = "Выберите число «вошли» или «вышли» в таблице, чтобы увидеть этих клиентов."
# The flow table: the card, the segments in the earlier snapshot, then in the later one
FLOW_COLUMNS = ["card", "source_region", "source_cluster", "source_class", "region", "cluster", "class"]
CHANGE_COLUMNS = history.CHANGE_COLUMNS
CHANGE_WORDS = {history.ENTERED: "вошёл", history.LEFT: "вышел"}
PAIRS_KEPT = 2  # per worker: snapshot pairs (both snapshots' clients, flows, entered/left lists)
ORDERS_KEPT = 3
MAX_PAGE_ROWS = 500


@dataclass(frozen=True, eq=False)
class HistoryView:
    """The source's snapshots (oldest first) and segment sizes over them per level."""

    snapshots: tuple[Snapshot, ...]
    sizes: dict[str, pd.DataFrame]  # level → core.history.sizes_over_snapshots


@dataclass(frozen=True, eq=False)
class Pair:
    """Two snapshots' clients compared: the flows (later snapshot's clients), entered/left lists per level."""

    before: Snapshot
    after: Snapshot
    flows: pd.DataFrame = field(repr=False)
    table: pd.DataFrame = field(repr=False)  # FLOW_COLUMNS, rows as `flows`
    changes: dict[str, pd.DataFrame] = field(repr=False)  # level → CHANGE_COLUMNS (change in Russian)
    counts: dict[str, pd.DataFrame] = field(repr=False)  # level → core.history.change_counts
    gone: int = 0


@dataclass(frozen=True, eq=False)
class PairView:
    """What the tab draws for two snapshots: per level the matrix, its flow table, the Sankey's flows and the
    entered / left counts."""

    before: Snapshot
    after: Snapshot
    matrices: dict[str, pd.DataFrame]
    tables: dict[str, pd.DataFrame]  # level → core.migration.flow_table (clients)
    sankeys: dict[str, pd.DataFrame]
    counts: dict[str, pd.DataFrame]  # level → core.history.change_counts
    new: int  # clients of the later snapshot absent from the earlier one
    gone: int  # clients of the earlier snapshot absent from the later one


@dataclass(frozen=True)
class Change:
    """One entered / left list: the clients who entered (or left) one segment of a level."""

    level: str
    segment: str
    change: str  # core.history.ENTERED or LEFT

    def __post_init__(self) -> None:
        if self.level not in LEVELS or self.change not in CHANGE_WORDS or not self.segment:
            raise RfmaError(CHOOSE_CHANGE)

    @property
    def key(self) -> str:
        """'region|110|entered' (a component id, a store's value)."""
        return f"{self.level}|{self.segment}|{self.change}"

    @classmethod
    def parse(cls, key: object) -> Change:
        """The list of a key made by `Change.key`; RfmaError for anything else."""
        parts = str(key or "").split("|")
        if len(parts) != 3:
            raise RfmaError(CHOOSE_CHANGE)
        return cls(*parts)

    @property
    def label(self) -> str:
        """'вошли в 110 VIP', 'вышли из 210 середняк'."""
        where = "в" if self.change == history.ENTERED else "из"
        return f"{history.CHANGE_NAMES[self.change]} {where} {segment_label(self.level, self.segment)}"

    def file_part(self) -> str:
        """'history_region_110_entered' (ASCII)."""
        return f"history_{self.level}_{self.segment}_{self.change}"


@dataclass(frozen=True)
class HistoryExport:
    """What a «Скачать CSV» link of «История» downloads: one flow's or one entered / left list's clients."""

    request: AnalysisRequest  # its data source (the user must still be granted it)
    before: int
    after: int
    key: str  # a Flow key ('region|110|410') or a Change key ('region|110|entered')
    kind: str = "flow"  # 'flow' or 'change'
    sort: tuple[tuple[str, bool], ...] = ()
    fmt: str = "excel"
    names: str = "ru"


def snapshot_id(value: object) -> int:
    """A snapshot's id from a dropdown's value; RfmaError when none is chosen."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        raise RfmaError(CHOOSE_TWO) from None


def snapshot_title(snapshot: Snapshot) -> str:
    """'№3 · на 31.08.2021 · 1 312 клиентов' — a snapshot as a dropdown names it."""
    return f"№{snapshot.id} · на {fmt.date(snapshot.as_of)} · {fmt.count(snapshot.clients, *fmt.CLIENTS)}"


class HistoryService:
    """The tab's reads and writes: snapshots in the application database, the classification from the cache."""

    def __init__(self, analyses: Analyses, engine: sa.Engine, audit: AuditLog | None = None, source_name=None):
        self.analyses = analyses
        self.engine = engine
        self.audit = audit
        self.source_name = source_name  # request → the data source's name, for the audit log
        self._pairs = WorkerMemory(PAIRS_KEPT)
        self._orders = WorkerMemory(ORDERS_KEPT)

    def store(self, request: AnalysisRequest) -> Snapshots:
        """The snapshots of the request's data source."""
        return Snapshots(self.engine, request.database_url)

    def save(self, request: AnalysisRequest) -> SavedSnapshot:
        """«Сохранить снимок»: the request's classification (period, options, thresholds in force) stored for the
        user (manager or above); the same period and thresholds again replace the earlier snapshot. Audited."""
        identity = require(Permission.SAVE_SNAPSHOT)
        classification = self.analyses.classification(request)
        saved = self.store(request).save_classification(
            classification, request.options, request.pins, identity.login, "панель"
        )
        if self.audit is not None:
            s = saved.snapshot
            detail = (
                f"снимок №{s.id} на {s.as_of.isoformat()}, период {s.date_from.isoformat()} – {s.date_to.isoformat()}"
                + (" (заменил прежний)" if saved.replaced else "")
            )
            source = self.source_name(request) if self.source_name else ""
            self.audit.record(identity.login, SNAPSHOT_SAVED, detail, rows=s.clients, source=source)
        return saved

    def view(self, request: AnalysisRequest) -> HistoryView:
        """The list of snapshots and the segment sizes over them (read from the application database each time:
        another user may have saved one)."""
        store = self.store(request)
        sizes = store.sizes()
        return HistoryView(
            tuple(store.all()),
            {level: history.sizes_over_snapshots(sizes, level) for level in SIZE_LEVELS} if len(sizes) else {},
        )

    def _snapshot(self, store: Snapshots, value: object) -> Snapshot:
        found = store.get(snapshot_id(value))
        if found is None:
            raise RfmaError("Снимка с таким номером нет (его могли удалить): выберите другой.")
        return found

    def pair(self, request: AnalysisRequest, before: object, after: object) -> Pair:
        """Both snapshots' clients compared (kept in this worker's memory while the snapshots are unchanged)."""
        store = self.store(request)
        a, b = self._snapshot(store, before), self._snapshot(store, after)
        if a.id == b.id:
            raise RfmaError(CHOOSE_TWO)
        key = ("history_pair", store.source, a.id, a.made_at.isoformat(), b.id, b.made_at.isoformat())
        return self._pairs.get_or_compute(key, lambda: self._compare(store, a, b))

    @staticmethod
    def _compare(store: Snapshots, a: Snapshot, b: Snapshot) -> Pair:
        old, new = store.clients(a.id), store.clients(b.id)  # both in card order
        where = history.align(old, new)  # one hash join for the flows and every level's lists
        flows = history.snapshot_flows(old, new, where)
        table = pd.DataFrame(
            {
                "card": flows["card"],
                **{f"source_{level}": flows[f"source_{level}"] for level in LEVELS},
                **{level: flows[f"destination_{level}"] for level in LEVELS},
            }
        )[FLOW_COLUMNS]
        changes, counts = {}, {}
        for level in LEVELS:
            frame = history.entered_left(old, new, level, where)
            counts[level] = history.change_counts(frame, level)
            changes[level] = frame.assign(change=frame["change"].map(CHANGE_WORDS).astype("str"))
        return Pair(a, b, flows, table, changes, counts, history.gone_count(old, new, where))

    def pair_view(self, request: AnalysisRequest, before: object, after: object) -> PairView:
        """The matrices, Sankey flows and entered / left counts between two snapshots."""
        pair = self.pair(request, before, after)
        matrices = {level: history.flow_matrix(pair.flows, level) for level in LEVELS}
        return PairView(
            before=pair.before,
            after=pair.after,
            matrices=matrices,
            tables={level: flow_table(m, level, "clients") for level, m in matrices.items()},
            sankeys={level: history.sankey_flows(m, level) for level, m in matrices.items()},
            counts=pair.counts,
            new=int((pair.flows["source_region"] == history.NEW_SOURCE).sum()) if len(pair.flows) else 0,
            gone=pair.gone,
        )

    # one flow's or one entered / left list's clients: count, table pages, CSV

    def _positions(self, pair: Pair, kind: str, key: object) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
        if kind == "flow":
            return pair.table, history.flow_positions(pair.flows, Flow.parse(key)), FLOW_COLUMNS
        change = Change.parse(key)
        frame = pair.changes[change.level]
        word = CHANGE_WORDS[change.change]
        mask = (frame["segment"] == change.segment) & (frame["change"] == word)
        return frame, np.flatnonzero(mask.to_numpy()), CHANGE_COLUMNS

    def _ordered(self, request, before, after, kind: str, key: object, sort: tuple):
        pair = self.pair(request, before, after)
        frame, positions, columns = self._positions(pair, kind, key)
        order = self._orders.get_or_compute(
            (
                "history_order",
                request.database_url,
                pair.before.id,
                pair.before.made_at.isoformat(),
                pair.after.id,
                pair.after.made_at.isoformat(),
                kind,
                str(key),
                repr(sort),
            ),
            lambda: sort_positions(frame, positions, sort, columns),
        )
        return pair, frame, order, columns

    def count(self, request: AnalysisRequest, before: object, after: object, kind: str, key: object) -> int:
        """How many clients a flow (kind 'flow') or an entered / left list (kind 'change') holds."""
        _, _, order, _ = self._ordered(request, before, after, kind, key, ())
        return len(order)

    def page(
        self,
        request: AnalysisRequest,
        before: object,
        after: object,
        kind: str,
        key: object,
        start_row: int,
        end_row: int,
        sort: tuple,
    ) -> tuple[list[dict], int]:
        """One block of a list's table (at most MAX_PAGE_ROWS rows; cards masked for a role without them)."""
        _, frame, order, columns = self._ordered(request, before, after, kind, key, sort)
        start = max(0, int(start_row))
        end = min(max(start, int(end_row)), start + MAX_PAGE_ROWS)
        rows = frame.take(order[start:end])
        return grid.page_records(rows, columns, mask_cards=not allowed(Permission.SEE_CARDS)), len(order)

    def csv(self, export: HistoryExport) -> tuple[str, Iterator[bytes]]:
        """(file name, CSV chunks) of a flow's or an entered / left list's clients in the table's order."""
        pair, frame, order, columns = self._ordered(
            export.request, export.before, export.after, export.kind, export.key, export.sort
        )
        what = Flow.parse(export.key).file_part() if export.kind == "flow" else Change.parse(export.key).file_part()
        if export.kind == "flow":
            what = f"history_{what}"
        chunks = iter_client_list_csv(frame, columns, [], export.fmt, rows=order, names=export.names)
        name = client_list_filename(what, pair.before.as_of.isoformat(), pair.after.as_of.isoformat())
        return name, chunks

    def row_count(self, export: HistoryExport) -> int:
        """How many clients the export's file holds."""
        return self.count(export.request, export.before, export.after, export.kind, export.key)

    def list_members(
        self, request: AnalysisRequest, before: object, after: object, kind: str, key: object
    ) -> ResolvedSelection:
        """«Создать кампанию» on a flow or an entered / left list: its clients, t0 = the later snapshot's analysis
        date (as_of), the list and both snapshots in words."""
        pair, frame, order, _ = self._ordered(request, before, after, kind, key, ())
        cards = frame["card"].astype(str).to_numpy()[np.sort(order)].tolist()
        what = f"поток {Flow.parse(key).label}" if kind == "flow" else Change.parse(key).label
        a, b = pair.before, pair.after
        description = (
            f"«История»: {what}; снимок A №{a.id} на {fmt.date(a.as_of)} → снимок B №{b.id} на {fmt.date(b.as_of)}"
        )
        return ResolvedSelection(cards, b.as_of, description)

    def campaign_selection(
        self, request: AnalysisRequest, before: object, after: object, kind: str, key: object
    ) -> HistorySelection:
        """A flow or an entered / left list as «Создать кампанию»'s selection (resolved on the server)."""
        if kind == "flow":
            Flow.parse(key)
        elif kind == "change":
            Change.parse(key)
        else:
            raise RfmaError(f"неизвестный список «Истории» {kind!r}")
        return HistorySelection(request, before, after, kind, str(key), self)

    def client_path(self, request: AnalysisRequest, card: str) -> pd.DataFrame:
        """One client's (as_of, class, cluster, region) in every snapshot of the source (a role that sees cards)."""
        require(Permission.SEE_CARDS)
        return history.client_path(self.store(request).path(str(card).strip()))


@dataclass(frozen=True)
class HistorySelection:
    """«История»'s selection for «Создать кампанию»: one flow's or one entered / left list's clients."""

    request: AnalysisRequest
    before: object
    after: object
    kind: str  # 'flow' or 'change'
    key: str
    service: HistoryService = field(compare=False, repr=False)

    def resolve(self, analyses: Analyses) -> ResolvedSelection:
        """The list's clients, t0 = snapshot B's as_of, the list in words."""
        return self.service.list_members(self.request, self.before, self.after, self.kind, self.key)


def default_pair(snapshots: tuple[Snapshot, ...] | list[Snapshot]) -> tuple[int | None, int | None]:
    """The pair shown first: the last snapshot and the one before it (None where there is none)."""
    if len(snapshots) < 2:
        return None, (snapshots[-1].id if snapshots else None)
    return snapshots[-2].id, snapshots[-1].id


def as_of_text(value: dt.date) -> str:
    """An analysis date as the tab writes it (ДД.ММ.ГГГГ)."""
    return fmt.date(value)
