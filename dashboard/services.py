"""The only place that calls the engine (core) and the cache.

Every expensive result is memoized with primitive arguments only — the database URL, its data version,
the period as ISO strings, the bonus date, the pinned thresholds as a tuple — never a DataFrame.
The per-period ClientBase (the SQL aggregation) is cached apart from grading, so pinning a threshold
re-grades from the cached base and never re-runs SQL. The graded client frame itself (hundreds of MB at
1.5M clients) is kept in the worker's memory only (the last CLASSIFICATIONS_KEPT of them): writing it to the
shared cache cost more than re-grading it from the cached base (0.8 s against 0.3 s at 1.5M clients).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa
from cachelib import SimpleCache
from flask import current_app, g, has_request_context
from flask_caching import Cache
from sqlalchemy.pool import NullPool

from core import client_filter, segment_tree
from core import report as core_report
from core import research as core_research
from core.classify import Classification, classify_base
from core.client_base import ClientBase, load_client_base
from core.client_filter import ClientFilter, Selection
from core.db import DatabaseError, DataSource, data_source, first_line, make_engine
from core.export import (
    CSV_FORMATS,
    client_list_filename,
    client_list_header,
    iter_client_list_csv,
)
from core.migration import LEVELS, migrate_bases
from core.model import (
    THRESHOLD_NAMES,
    AnalysisOptions,
    Period,
    RfmaError,
    ThresholdPins,
    parse_date,
)
from core.overview import Overview, load_overview, shop_sort_key
from core.summaries import class_counts, segment_summary
from core.thresholds import suggest_thresholds
from dashboard import grid
from dashboard import pins as pins_store
from dashboard.settings import Settings

log = logging.getLogger(__name__)

EXTENSION_KEY = "rfma_services"
UNREACHABLE = "База данных недоступна"
EXPORT_KEY = "export:"
EXPORT_TTL = 600  # seconds a «Скачать CSV» link stays valid


class ExportExpired(RfmaError):
    """A download link whose export state is unknown or expired."""


# --- engines ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def dashboard_engine(url: str, read_only: bool = True) -> sa.Engine:
    """A process-wide engine per URL (a shared resource, not user data).

    DuckDB files are opened read-only with no pooled connection, so several server processes can read one
    file and `rfma import` can write between requests. If this process already holds the file read-write
    (e.g. `rfma serve`, whose CLI opened it to create the demo), DuckDB refuses a second configuration and
    we fall back to read-write.
    """
    base = make_engine(url)
    if base.dialect.name != "duckdb":
        return base
    base.dispose()
    if read_only:
        engine = sa.create_engine(base.url, poolclass=NullPool, connect_args={"read_only": True})
        try:
            with engine.connect():
                pass
            return engine
        except sa.exc.DBAPIError as exc:
            if "different configuration" not in str(exc):
                raise DatabaseError(f"{UNREACHABLE}: {first_line(exc)}") from None
            log.info("DuckDB file already open read-write in this process; using read-write connections")
    return sa.create_engine(base.url, poolclass=NullPool)


# --- memoized computations (primitive arguments only) ------------------------------------------------------

CLASSIFICATIONS_KEPT = 3  # per worker: e.g. suggested thresholds, one pinned variant, another period
ORDERS_KEPT = 8  # per worker: client-table row orders (filter × sort), 12 MB each at 1.5M clients


class WorkerMemory:
    """The last `size` results kept in this process (least recently used dropped first), thread-safe."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: tuple, compute):
        """The kept value of `key`, or compute() kept under it (errors are raised, not kept)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()  # outside the lock: two requests may compute the same value once each
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


def _options(card_pattern: str, amount_column: str) -> AnalysisOptions:
    return AnalysisOptions(card_pattern=card_pattern, amount_column=amount_column)


def _period(date_from: str, date_to: str) -> Period:
    return Period.parse(date_from or None, date_to or None)


def _pins(pins_key: tuple) -> ThresholdPins:
    return ThresholdPins(**dict(zip(THRESHOLD_NAMES, pins_key, strict=False)))


@dataclass(frozen=True)
class Key:
    """The primitive cache key of one analysis: database, data version, period, options."""

    url: str
    version: str
    read_only: bool
    date_from: str
    date_to: str
    card_pattern: str
    amount_column: str

    def args(self) -> tuple:
        return (
            self.url,
            self.version,
            self.read_only,
            self.date_from,
            self.date_to,
            self.card_pattern,
            self.amount_column,
        )

    def period(self) -> Period:
        return _period(self.date_from, self.date_to)

    def options(self) -> AnalysisOptions:
        return _options(self.card_pattern, self.amount_column)

    def engine(self) -> sa.Engine:
        return dashboard_engine(self.url, self.read_only)

    def with_period(self, date_from: str, date_to: str) -> Key:
        return Key(self.url, self.version, self.read_only, date_from, date_to, self.card_pattern, self.amount_column)


def _key(url, version, read_only, date_from, date_to, card_pattern, amount_column) -> Key:
    return Key(url, version, read_only, date_from, date_to, card_pattern, amount_column)


def compute_client_base(url, version, read_only, date_from, date_to, card_pattern, amount_column) -> ClientBase:
    key = _key(url, version, read_only, date_from, date_to, card_pattern, amount_column)
    return load_client_base(key.engine(), key.period(), key.options(), with_shops=True)


def compute_overview(url, version, read_only, date_from, date_to, card_pattern, amount_column) -> Overview:
    key = _key(url, version, read_only, date_from, date_to, card_pattern, amount_column)
    return load_overview(key.engine(), key.period(), key.options())


def compute_amount_histograms(url, version, read_only, date_from, date_to, card_pattern, amount_column):
    key = _key(url, version, read_only, date_from, date_to, card_pattern, amount_column)
    return core_research.load_amount_histograms(key.engine(), key.period(), key.options())


def compute_client_cheques(url, version, read_only, date_from, date_to, card_pattern, amount_column, card):
    key = _key(url, version, read_only, date_from, date_to, card_pattern, amount_column)
    return core_research.load_client_cheques(key.engine(), card, key.period(), key.options())


def compute_shop_clients(url, version, read_only, date_from, date_to, card_pattern, amount_column):
    key = _key(url, version, read_only, date_from, date_to, card_pattern, amount_column)
    return client_filter.load_shop_clients(key.engine(), key.period(), key.options())


# --- view models ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ClientsView:
    overview: Overview
    clients: int
    multi_shop_share: float
    shops_per_client: pd.DataFrame  # shops, clients
    message: str | None = None


@dataclass(frozen=True, eq=False)
class FinalView:
    classes: pd.DataFrame
    clusters: pd.DataFrame
    regions: pd.DataFrame
    thresholds: dict
    analysis_date: object
    clients: int


@dataclass(frozen=True, eq=False)
class ClientCard:
    card: str
    row: dict | None
    cheques: pd.DataFrame = field(repr=False)


@dataclass(frozen=True, eq=False)
class MigrationView:
    bonus_date: dt.date
    matrices: dict[str, pd.DataFrame]
    shares: dict
    warnings: tuple[str, ...]
    thresholds: dict
    clients_before: int
    clients_after: int


class Services:
    """One per app: its settings and its cache. Methods take primitives and return small view models."""

    def __init__(self, settings: Settings, cache: Cache):
        self.settings = settings
        self.cache = cache
        self._classifications = WorkerMemory(CLASSIFICATIONS_KEPT)  # graded frames: too big for the shared cache
        self._orders = WorkerMemory(ORDERS_KEPT)  # row orders of the client table

    def cached(self, name: str, args: tuple, compute):
        """flask-caching get/set under a key built from primitive arguments only (repr of str/int/float/None)."""
        for value in args:
            if not isinstance(value, (str, int, float, bool, type(None))):
                raise TypeError(f"cache key part {value!r} is not a primitive")
        key = f"{name}:" + hashlib.sha256(repr(args).encode("utf-8")).hexdigest()
        value = self.cache.get(key)
        if value is None:
            value = compute()
            self.cache.set(key, value)
        return value

    # -- saved pins --

    def saved_pins(self) -> dict[str, float]:
        """The pinned thresholds saved for this database (survive a restart)."""
        return pins_store.load_pins(self.settings.pins_path, self.settings.database_url)

    def save_pins(self, pins: dict[str, float]) -> None:
        pins_store.save_pins(self.settings.pins_path, self.settings.database_url, pins)

    # -- data source and keys --

    def source(self) -> DataSource:
        """Which database, how many cheques, first/last cheque and the data version (once per request)."""
        if has_request_context() and "rfma_source" in g:
            return g.rfma_source
        known_key = "data_source:" + hashlib.sha256(self.settings.database_url.encode("utf-8")).hexdigest()
        known = self.cache.get(known_key)  # re-used while PostgreSQL's write counter is unchanged
        try:
            engine = dashboard_engine(self.settings.database_url, self.settings.duckdb_read_only)
            source = data_source(engine, known)
            if source is not known:
                self.cache.set(known_key, source)
        except DatabaseError:
            raise
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"{UNREACHABLE}: {first_line(exc)}") from None
        if has_request_context():
            g.rfma_source = source
        return source

    def key(self, date_from: str | None, date_to: str | None) -> Key:
        """The cache key of a period; raises RfmaError for a bad or reversed period."""
        period = Period.parse(_iso(date_from), _iso(date_to))
        source = self.source()
        if source.cheques == 0:
            raise RfmaError(
                "В базе данных нет ни одного чека: загрузите чеки (rfma import) или демо-данные (rfma demo)."
            )
        s = self.settings
        return Key(s.database_url, source.version, s.duckdb_read_only, *period.key(), s.card_pattern, s.amount_column)

    # -- engine calls --

    def client_base(self, key: Key) -> ClientBase:
        return self.cached("client_base", key.args(), lambda: compute_client_base(*key.args()))

    def overview(self, key: Key) -> Overview:
        return self.cached("overview", key.args(), lambda: compute_overview(*key.args()))

    def amount_histograms(self, key: Key) -> dict:
        return self.cached("amounts", key.args(), lambda: compute_amount_histograms(*key.args()))

    def classification(self, key: Key, pins: dict | None) -> Classification:
        """Graded clients; RfmaError when the period has no identified client, ThresholdOrderError for bad pins."""
        pk = pins_key(pins)  # re-graded from the cached base on a miss: no SQL
        return self._classifications.get_or_compute(
            key.args() + pk, lambda: self._compute_classification(key, _pins(pk))
        )

    def _compute_classification(self, key: Key, pins: ThresholdPins) -> Classification:
        base = self.client_base(key)
        message = base.empty_message()
        if message:
            raise RfmaError(message)
        return classify_base(base, pins)

    # -- tab views --

    def clients_view(self, date_from, date_to) -> ClientsView:
        key = self.key(date_from, date_to)
        overview = self.overview(key)
        if overview.is_empty:
            raise RfmaError("В выбранном периоде нет ни одного чека.")
        base = self.client_base(key)
        clients = base.clients
        counts = clients["shops"].value_counts().sort_index() if not clients.empty else pd.Series(dtype="int64")
        shops = pd.DataFrame({"shops": counts.index.astype("int64"), "clients": counts.to_numpy(dtype="int64")})
        multi = float((clients["shops"] > 1).mean()) if len(clients) else 0.0
        return ClientsView(overview, len(clients), multi, shops, base.empty_message())

    def pharmacies_view(self, date_from, date_to) -> Overview:
        key = self.key(date_from, date_to)
        overview = self.overview(key)
        if overview.is_empty:
            raise RfmaError("В выбранном периоде нет ни одного чека.")
        return overview

    def thresholds_in_force(self, date_from, date_to, pins: dict | None):
        """The ThresholdSuggestion for the period and pins (raises ThresholdOrderError for an unordered set)."""
        key = self.key(date_from, date_to)
        base = self.client_base(key)
        message = base.empty_message()
        if message:
            raise RfmaError(message)
        return suggest_thresholds(base, ThresholdPins.from_mapping(pins or {}))

    def research(self, date_from, date_to, pins: dict | None) -> core_research.Research:
        key = self.key(date_from, date_to)
        pk = pins_key(pins)
        return self.cached("research", key.args() + pk, lambda: self._compute_research(key, pk))

    def _compute_research(self, key: Key, pk: tuple) -> core_research.Research:
        pins = _pins(pk)
        classification = self.classification(key, pins.as_dict())
        histograms = self.amount_histograms(key)
        base = classification.base
        suggested = {}
        for name in THRESHOLD_NAMES:
            try:
                free = suggest_thresholds(base, pins.with_values(**{name: None}))
                suggested[name] = free.thresholds.as_dict()[name]
            except RfmaError:
                suggested[name] = None
        return core_research.build_research(classification, histograms, suggested)

    def final_view(self, date_from, date_to, pins: dict | None) -> FinalView:
        key = self.key(date_from, date_to)
        return self.cached("final", key.args() + pins_key(pins), lambda: self._compute_final(key, pins))

    def _compute_final(self, key: Key, pins: dict | None) -> FinalView:
        classification = self.classification(key, pins)
        clients = classification.clients
        return FinalView(
            classes=class_counts(clients),
            clusters=segment_summary(clients, "cluster"),
            regions=segment_summary(clients, "region"),
            thresholds=classification.thresholds.as_dict(),
            analysis_date=classification.base.analysis_date,
            clients=len(clients),
        )

    def client_card(self, date_from, date_to, pins: dict | None, card: str) -> ClientCard:
        """One client's metrics, grades and segments, and their cheques in the period."""
        card = (card or "").strip()
        if not card:
            raise RfmaError("Введите номер карты.")
        key = self.key(date_from, date_to)
        classification = self.classification(key, pins)
        rows = classification.clients[classification.clients["card"] == card]
        cheques = self.cached("cheques", (*key.args(), card), lambda: compute_client_cheques(*key.args(), card))
        row = rows.iloc[0].to_dict() if len(rows) else None
        if row is None and cheques.empty:
            raise RfmaError(f"Карта {card} не найдена среди идентифицированных клиентов выбранного периода.")
        return ClientCard(card, row, cheques)

    # -- segment tree, client lists, CSV and report (tab «Финал») --

    def shop_clients(self, key: Key) -> pd.DataFrame:
        """(shop, card) pairs of the period: who bought where (for the pharmacy filter)."""
        return self.cached("shop_clients", key.args(), lambda: compute_shop_clients(*key.args()))

    def shop_names(self, date_from, date_to) -> list[str]:
        """Pharmacies with identified sales in the period, in natural order."""
        shops = self.shop_clients(self.key(date_from, date_to))["shop"].unique()
        return sorted(shops, key=shop_sort_key)

    def segment_tree(self, date_from, date_to, pins: dict | None) -> pd.DataFrame:
        """Warmth → region → cluster → class with client counts (small, cached per period and pins)."""
        key = self.key(date_from, date_to)
        return self.cached(
            "segment_tree",
            key.args() + pins_key(pins),
            lambda: segment_tree.segment_tree(self.classification(key, pins).clients),
        )

    def selection(self, date_from, date_to, pins: dict | None, flt: ClientFilter) -> Selection:
        """The clients passing the filter, filtered in pandas per request from the cached classification."""
        key = self.key(date_from, date_to)
        classification = self.classification(key, pins)
        clients = classification.clients
        shop_cards = self.shop_clients(key) if flt.shops else None
        chosen = client_filter.filter_clients(clients, flt, shop_cards)
        date_from, date_to = _resolved_period(key, classification)
        return Selection(
            clients=chosen,
            flt=flt,
            date_from=date_from,
            date_to=date_to,
            analysis_date=classification.base.analysis_date,
            thresholds=classification.thresholds.as_dict(),
            total_clients=len(clients),
            total_revenue=float(clients["revenue"].sum()),
        )

    def client_page(
        self, date_from, date_to, pins, flt: ClientFilter, start_row: int, end_row: int, sort_model: list | None
    ) -> tuple[list[dict], int]:
        """One block of the client table (server-side paging): the rows and the selection's row count."""
        key = self.key(date_from, date_to)
        clients = self.classification(key, pins).clients
        order = self._ordered_positions(key, pins, flt, sort_model)
        page = clients.take(order[max(0, int(start_row)) : max(0, int(end_row))])  # copies the page rows only
        return grid.page_records(page), len(order)

    def _ordered_positions(self, key: Key, pins, flt: ClientFilter, sort_model: list | None):
        """Positions of the filtered clients in the table's order; this worker keeps the last few, so scrolling
        through 1.5M clients sorts them once, not once per block."""

        def compute():
            clients = self.classification(key, pins).clients
            return client_filter.sort_positions(clients, self._filtered_positions(key, clients, flt), sort_model)

        return self._orders.get_or_compute((key.args(), pins_key(pins), flt.key(), repr(sort_model or [])), compute)

    def _filtered_positions(self, key: Key, clients: pd.DataFrame, flt: ClientFilter):
        return client_filter.filter_positions(clients, flt, self.shop_clients(key) if flt.shops else None)

    def client_list_csv(
        self, date_from, date_to, pins, flt: ClientFilter, sort_model: list | None, fmt: str = "excel"
    ) -> tuple[str, bytes]:
        """(file name, CSV bytes) of the whole filtered selection, in the table's order (the stream, joined)."""
        name, chunks = self.client_list_stream(date_from, date_to, pins, flt, sort_model, fmt)
        return name, b"".join(chunks)

    def client_list_stream(
        self, date_from, date_to, pins, flt: ClientFilter, sort_model: list | None, fmt: str = "excel"
    ) -> tuple[str, Iterator[bytes]]:
        """(file name, CSV chunks) of the whole filtered selection in the table's order; rows are kept as positions.

        Errors of the state (period, pins, filters, format) are raised now; the sort runs when iteration starts.
        """
        if fmt not in CSV_FORMATS:
            raise RfmaError(f"неизвестный формат CSV {fmt!r}")
        key = self.key(date_from, date_to)
        classification = self.classification(key, pins)
        clients = classification.clients
        rows = self._filtered_positions(key, clients, flt)
        date_from, date_to = _resolved_period(key, classification)
        segment = flt.segment_obj
        header = client_list_header(
            f"клиенты сегмента {segment.label}",
            date_from,
            date_to,
            classification.base.analysis_date,
            classification.thresholds.as_dict(),
            flt.describe(),
            len(rows),
        )

        def chunks() -> Iterator[bytes]:
            ordered = self._ordered_positions(key, pins, flt, sort_model)  # the table's order, sorted once per worker
            yield from iter_client_list_csv(clients, client_filter.TABLE_COLUMNS, header, fmt, rows=ordered)

        return client_list_filename(segment.file_part(), date_from, date_to), chunks()

    def keep_client_list(
        self, date_from, date_to, pins, flt: ClientFilter, sort_model: list | None, fmt: str = "excel"
    ) -> tuple[str, str]:
        """Check a CSV export's state and keep it for EXPORT_TTL seconds under a new token: (file name, token)."""
        name, _ = self.client_list_stream(date_from, date_to, pins, flt, sort_model, fmt)
        token = secrets.token_urlsafe(24)
        state = (_iso(date_from), _iso(date_to), dict(pins or {}), flt, tuple(sort_model or ()), fmt)
        self._export_store.set(EXPORT_KEY + token, state, timeout=EXPORT_TTL)
        return name, token

    def kept_client_list(self, token: str) -> tuple[str, Iterator[bytes]]:
        """(file name, CSV chunks) of the export kept under `token`; ExportExpired when unknown or expired."""
        state = self._export_store.get(EXPORT_KEY + token)
        if state is None:
            raise ExportExpired(
                f"Ссылка на файл устарела (она действует {EXPORT_TTL // 60} минут) или неверна. Вернитесь на вкладку "
                "«Финал» и нажмите «Скачать CSV» ещё раз."
            )
        return self.client_list_stream(*state)

    @functools.cached_property
    def _export_store(self) -> Cache | SimpleCache:
        """Where export tokens live: the shared cache (every worker sees them); a process-local one with NullCache."""
        return SimpleCache(threshold=500) if self.settings.cache_type == "NullCache" else self.cache

    def segment_report(self, date_from, date_to, pins, flt: ClientFilter, fmt: str = "html") -> tuple[str, str]:
        """(file name, text) of the segment report of the filtered selection."""
        chosen = self.selection(date_from, date_to, pins, flt)
        segment = flt.segment_obj
        report = core_report.build_report(
            chosen.clients,
            date_from=chosen.date_from,
            date_to=chosen.date_to,
            analysis_date=chosen.analysis_date,
            thresholds=chosen.thresholds,
            filters=flt.describe(),
            title=f"Сегментация клиентов: {segment.label}",
        )
        name = client_list_filename(segment.file_part(), chosen.date_from, chosen.date_to, fmt, prefix="rfma_report")
        return name, core_report.render(report, fmt)

    def migration_view(self, date_from, date_to, bonus_date, pins: dict | None) -> MigrationView:
        key = self.key(date_from, date_to)
        bonus = parse_date(_iso(bonus_date), "бонус-дата")
        if bonus is None:
            raise RfmaError("Выберите бонус-дату внутри периода.")
        pk = pins_key(pins)
        return self.cached(
            "migration", (*key.args(), bonus.isoformat(), *pk), lambda: self._compute_migration(key, bonus, _pins(pk))
        )

    def _compute_migration(self, key: Key, bonus: dt.date, pins: ThresholdPins) -> MigrationView:
        bonus_iso = bonus.isoformat()
        after = self.client_base(key)
        if after.cheques == 0:
            raise RfmaError("В выбранном периоде нет ни одного чека — миграцию считать не по чему.")
        first = _first_date(after)
        last = after.analysis_date
        lower = key.period().date_from or first
        upper = key.period().date_to or last
        if not lower <= bonus <= upper:
            raise RfmaError(
                f"Бонус-дата {_ru_date(bonus)} вне периода {_ru_date(lower)} — {_ru_date(upper)}: "
                "выберите дату внутри периода."
            )
        if after.is_empty:
            raise RfmaError(after.empty_message())
        before = self.client_base(key.with_period(key.date_from, bonus_iso))
        later = self.client_base(key.with_period((bonus + dt.timedelta(days=1)).isoformat(), key.date_to))
        revenue_after = pd.Series(later.clients["revenue"].to_numpy(), index=later.clients["card"].to_numpy())
        result = migrate_bases(before, after, bonus, pins, revenue_after)
        if result.suggestion.thresholds is None:
            raise RfmaError(result.suggestion.warnings[0] if result.suggestion.warnings else "Нет данных для миграции.")
        return MigrationView(
            bonus_date=bonus,
            matrices={level: result.matrix(level) for level in LEVELS},
            shares=result.shares(),
            warnings=result.warnings,
            thresholds=result.suggestion.thresholds.as_dict(),
            clients_before=len(result.before.clients),
            clients_after=len(result.after.clients),
        )


def _first_date(base: ClientBase) -> dt.date:
    return base.period.date_from or (
        base.analysis_date
        if base.clients.empty
        else dt.date(1970, 1, 1) + dt.timedelta(days=int(base.clients["first_day"].min()))
    )


def _resolved_period(key: Key, classification: Classification) -> tuple[str, str]:
    """The period as ISO dates, open bounds resolved to the first purchase / the analysis date."""
    base = classification.base
    date_to = key.date_to or (base.analysis_date.isoformat() if base.analysis_date else "")
    date_from = key.date_from
    if not date_from:
        date_from = _first_date(base).isoformat() if not base.clients.empty else date_to
    return date_from, date_to


def _iso(value) -> str | None:
    if value is None or value == "":
        return None
    return str(value)[:10]


def _ru_date(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def pins_key(pins: dict | None) -> tuple:
    """Pins (a name → value mapping from the page's store) as a primitive tuple in THRESHOLD_NAMES order."""
    return ThresholdPins.from_mapping(pins or {}).key()


def create_cache(server, settings: Settings) -> Cache:
    """The app's flask-caching extension (FileSystemCache by default, RedisCache when configured)."""
    return Cache(server, config=settings.cache_config())


def current_services() -> Services:
    """The Services of the app handling the current request."""
    return current_app.extensions[EXTENSION_KEY]
