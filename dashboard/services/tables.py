"""Every table the dashboard shows, by name, as a DataFrame with Russian headers and a kind per column — what the
CSV and XLSX downloads of each table and the workbook («Скачать всё в Excel») write.

A table is built from the same service view its tab renders, so a download holds the rows on screen. Tables of
aggregates are anyone's; a table with a card number (`personal`) needs Permission.DOWNLOAD_CLIENTS.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from core import formatting as fmt
from core import glossary
from core.export import BOM, CSV_FORMATS, excel_text
from core.migration import STAYED, TOTAL
from core.model import RfmaError
from core.segments import REGION_RECOMMENDATIONS, WARMTH_NAMES, segment_label
from dashboard.services.access import AccessDenied, Identity, Permission
from dashboard.services.clients import ClientsService
from dashboard.services.final import FinalService
from dashboard.services.migration import MigrationService
from dashboard.services.pharmacies import PharmaciesService
from dashboard.services.request import AnalysisRequest
from dashboard.services.thresholds import ThresholdsService

# kinds of a column: how a cell is written (CSV text, XLSX number format)
TEXT, CARD, INT, MONEY, PERCENT, DATE, DATETIME, MONTH = "text", "card", "int", "money", "percent", "date", "dt", "m"
FLOAT1, FLOAT2, FLOAT3, FLOAT6 = "f1", "f2", "f3", "f6"
DIGITS = {INT: 0, MONEY: 2, FLOAT1: 1, FLOAT2: 2, FLOAT3: 3, FLOAT6: 6}
FORMATS = ("csv", "xlsx")
NO_BONUS_DATE = "Выберите бонус-дату на вкладке «Миграция»: без неё матрицы миграции нет."
NO_CARD = "Найдите клиента по номеру карты на вкладке «Финал»: таблица относится к одной карте."


@dataclass(frozen=True)
class Column:
    """One column of a table: its name in the frame, its Russian header and its kind."""

    key: str
    header: str
    kind: str = TEXT


@dataclass(frozen=True)
class Selection:
    """What besides the analysis request decides a table: «Миграция»'s bonus date, level and value; the card of
    «Финал»'s client card."""

    bonus_date: str | None = None
    level: str = "region"
    value: str = "clients"
    card: str | None = None


@dataclass(frozen=True, eq=False)
class Table:
    """A table as downloaded: name, title (the XLSX sheet's name, ≤ 31 characters), columns and rows."""

    name: str
    title: str
    columns: tuple[Column, ...]
    frame: pd.DataFrame = field(repr=False)
    personal: bool = False

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def russian(self) -> pd.DataFrame:
        """The rows under their Russian headers (the frame's own values)."""
        return pd.DataFrame({c.header: self.frame[c.key].to_numpy() for c in self.columns}, index=self.frame.index)


@dataclass(frozen=True)
class TableSpec:
    """A named table: its title, the tab that shows it and whether it holds card numbers."""

    title: str
    tab: str
    personal: bool = False


TABLES: dict[str, TableSpec] = {
    "clients_kpis": TableSpec("Клиенты — показатели", "Клиенты"),
    "clients_by_shops": TableSpec("Клиенты по числу аптек", "Клиенты"),
    "monthly": TableSpec("По месяцам", "Клиенты"),
    "pharmacies": TableSpec("Аптеки", "Аптеки"),
    "threshold_stats": TableSpec("Пороги — статистика", "Пороги"),
    "capacities": TableSpec("Ёмкость грейдов", "Пороги"),
    "threshold_history": TableSpec("История порогов сети", "Пороги"),
    "regions": TableSpec("Регионы", "Финал"),
    "clusters": TableSpec("Кластеры", "Финал"),
    "classes": TableSpec("Классы", "Финал"),
    "recommendations": TableSpec("Рекомендации", "Финал"),
    "migration": TableSpec("Миграция", "Миграция"),
    "client_cheques": TableSpec("Чеки клиента", "Финал", personal=True),
    "client_shops": TableSpec("Аптеки клиента", "Финал", personal=True),
}

SUMMARY = (
    Column("clients", "Клиентов", INT),
    Column("share", "Доля клиентов", PERCENT),
    Column("revenue", "Выручка, ₽", MONEY),
    Column("revenue_share", "Доля выручки", PERCENT),
    Column("avg_cheque", "Средний чек, ₽", MONEY),
    Column("mean_recency_days", "Ср. давность R, дн.", FLOAT1),
    Column("mean_frequency", "Ср. частота F", FLOAT3),
    Column("mean_avg_cheque", "Ср. чек клиента M, ₽", MONEY),
    Column("mean_age_days", "Ср. возраст A, дн.", FLOAT1),
    *(
        Column(name, header, MONEY if name in ("bonus_earned", "bonus_spent", "ltv") else PERCENT)
        for name, (header, _) in glossary.BONUS_ECONOMICS.items()
    ),
)
PHARMACY_COLUMNS = (
    Column("shop", "Аптека"),
    Column("cheques", "Чеков", INT),
    Column("unidentified_cheque_share", "Доля неидент. чеков", PERCENT),
    Column("revenue", "Выручка, ₽", MONEY),
    Column("unidentified_revenue_share", "Доля неидент. выручки", PERCENT),
    Column("avg_identified", "Средний чек (идент.)", MONEY),
    Column("avg_unidentified", "Средний чек (неидент.)", MONEY),
    Column("median_identified", "Медианный чек (идент.)", MONEY),
    Column("median_unidentified", "Медианный чек (неидент.)", MONEY),
    Column("last_month", "Последний месяц продаж", MONTH),
)
STAT_COLUMNS = (
    Column("what", "Показатель"),
    Column("count", "Количество", INT),
    Column("min", "Минимум", FLOAT2),
    Column("max", "Максимум", FLOAT2),
    Column("mean", "Среднее", FLOAT2),
    Column("median", "Медиана", FLOAT2),
)
# the statistics of «Пороги»'s four sub-tabs, in their order: what the row says, the research's key
STAT_ROWS = (
    ("Давность D, дней", "recency"),
    ("Перерывы между покупками, дней", "gaps"),
    ("Частота F (покупок за базовый интервал)", "frequency"),
    ("Суммы идентифицированных чеков, ₽", "monetary"),
    ("Средний чек клиентов, ₽", "monetary_clients"),
    ("Возраст клиента A, дней", "age"),
)
METRICS = (("r", "Recency"), ("f", "Frequency"), ("m", "Monetary"), ("a", "Age"))
CAPACITY_COLUMNS = (
    Column("metric", "Метрика"),
    Column("grade", "Грейд", INT),
    Column("name", "Название"),
    Column("clients", "Клиентов", INT),
    Column("share", "Доля клиентов", PERCENT),
)
CLASS_COLUMNS = (
    Column("r", "R", INT),
    Column("f", "F", INT),
    Column("m", "M", INT),
    Column("a", "A", INT),
    Column("class", "Класс"),
    Column("clients", "Клиентов", INT),
    Column("class_name", "Описание"),
    Column("cluster", "Кластер"),
    Column("region", "Регион"),
)
RECOMMENDATION_COLUMNS = (
    Column("region", "Регион"),
    Column("region_name", "Название"),
    Column("warmth_name", "Прогрев"),
    Column("clients", "Клиентов", INT),
    Column("recommendation", "Что делать маркетингу"),
)
CHEQUE_COLUMNS = (
    Column("card", "Карта", CARD),
    Column("datetime", "Дата и время", DATETIME),
    Column("shop", "Аптека"),
    Column("amount", "Сумма, ₽", MONEY),
    Column("discount", "Скидка, ₽", MONEY),
    Column("bonus_earned", "Бонусов начислено", FLOAT2),
    Column("bonus_spent", "Бонусов списано", FLOAT2),
)
CLIENT_SHOP_COLUMNS = (
    Column("card", "Карта", CARD),
    Column("shop", "Аптека"),
    Column("cheques", "Чеков", INT),
    Column("revenue", "Выручка, ₽", MONEY),
)
MONTHLY_COLUMNS = (
    Column("month", "Месяц", MONTH),
    Column("cheques", "Чеков", INT),
    Column("identified_cheques", "Чеков идентифицированных", INT),
    Column("unidentified_cheques", "Чеков неидентифицированных", INT),
    Column("revenue", "Выручка, ₽", MONEY),
    Column("new_clients", "Новых клиентов", INT),
)


def warmth(value: object) -> str:
    """«Прогрев» as the tables show it: '1 горячие'."""
    return f"{value} {WARMTH_NAMES.get(int(str(value)), '')}".strip()


class TablesService:
    """Each named table for a request and a selection, built from the tab services' views (their caches)."""

    def __init__(
        self,
        clients: ClientsService,
        pharmacies: PharmaciesService,
        thresholds: ThresholdsService,
        final: FinalService,
        migration: MigrationService,
    ):
        self.clients = clients
        self.pharmacies = pharmacies
        self.thresholds = thresholds
        self.final = final
        self.migration = migration
        self._builders: dict[str, Callable[[AnalysisRequest, Selection], tuple[tuple[Column, ...], pd.DataFrame]]]
        self._builders = {
            "clients_kpis": self._clients_kpis,
            "clients_by_shops": self._clients_by_shops,
            "monthly": self._monthly,
            "pharmacies": self._pharmacies,
            "threshold_stats": self._threshold_stats,
            "capacities": self._capacities,
            "threshold_history": self._threshold_history,
            "regions": self._regions,
            "clusters": self._clusters,
            "classes": self._classes,
            "recommendations": self._recommendations,
            "migration": self._migration,
            "client_cheques": self._client_cheques,
            "client_shops": self._client_shops,
        }

    @staticmethod
    def check(name: str, identity: Identity | None) -> TableSpec:
        """The table's spec when `identity` may download it; RfmaError for an unknown name, AccessDenied for a
        table with card numbers and a role that may not download client lists."""
        spec = TABLES.get(name)
        if spec is None:
            raise RfmaError(f"Неизвестная таблица {name!r}.")
        if identity is None or (spec.personal and not identity.may(Permission.DOWNLOAD_CLIENTS)):
            raise AccessDenied("Недостаточно прав: скачивать таблицы с номерами карт могут менеджер и администратор.")
        return spec

    def table(self, name: str, request: AnalysisRequest, selection: Selection, identity: Identity | None) -> Table:
        """The table `name` of the request and selection, for `identity` (see `check`)."""
        spec = self.check(name, identity)
        columns, frame = self._builders[name](request, selection)
        return Table(name, spec.title, columns, frame.reset_index(drop=True), spec.personal)

    # --- «Клиенты» ----------------------------------------------------------------------------------------------

    def _clients_kpis(self, request: AnalysisRequest, _: Selection):
        view = self.clients.view(request)
        o = view.overview
        rows = [
            ("Период деятельности", f"{fmt.date(o.first_date)} — {fmt.date(o.last_date)}"),
            ("Идентифицированных клиентов", fmt.integer(view.clients)),
            ("Аптек в сети", fmt.integer(len(o.shop_names()))),
            ("Покупают в нескольких аптеках", fmt.percent(view.multi_shop_share, 2)),
            ("Чеков", fmt.integer(o.cheques)),
            ("Доля неидентифицированных чеков", fmt.percent(o.unidentified_cheque_share)),
            ("Выручка", fmt.money(o.revenue)),
            ("Доля выручки без идентификации", fmt.percent(o.unidentified_revenue_share, 2)),
        ]
        columns = (Column("what", "Показатель"), Column("value", "Значение"))
        return columns, pd.DataFrame(rows, columns=["what", "value"])

    def _clients_by_shops(self, request: AnalysisRequest, _: Selection):
        columns = (Column("shops", "Аптек у клиента", INT), Column("clients", "Клиентов", INT))
        return columns, self.clients.view(request).shops_per_client

    def _monthly(self, request: AnalysisRequest, _: Selection):
        o = self.clients.view(request).overview
        monthly = o.monthly
        wide = monthly.pivot_table(index="month", columns="identified", values="cheques", aggfunc="sum", fill_value=0)
        frame = pd.DataFrame(index=pd.Index(sorted(monthly["month"].unique()), name="month"))
        frame["identified_cheques"] = wide.get(True, pd.Series(dtype="int64")).reindex(frame.index).fillna(0)
        frame["unidentified_cheques"] = wide.get(False, pd.Series(dtype="int64")).reindex(frame.index).fillna(0)
        frame["cheques"] = frame["identified_cheques"] + frame["unidentified_cheques"]
        frame["revenue"] = monthly.groupby("month")["revenue"].sum().reindex(frame.index).fillna(0.0)
        new = o.new_clients.set_index("month")["clients"] if len(o.new_clients) else pd.Series(dtype="int64")
        frame["new_clients"] = new.reindex(frame.index).fillna(0)
        for column in ("identified_cheques", "unidentified_cheques", "cheques", "new_clients"):
            frame[column] = frame[column].astype("int64")
        return MONTHLY_COLUMNS, frame.reset_index()

    # --- «Аптеки» -----------------------------------------------------------------------------------------------

    def _pharmacies(self, request: AnalysisRequest, _: Selection):
        return PHARMACY_COLUMNS, self.pharmacies.view(request).shop_table

    # --- «Пороги» -----------------------------------------------------------------------------------------------

    def _threshold_stats(self, request: AnalysisRequest, _: Selection):
        stats = self.thresholds.research(request).stats
        rows = [{"what": what} | dict(stats[key]) for what, key in STAT_ROWS if key in stats]
        return STAT_COLUMNS, pd.DataFrame(rows, columns=[c.key for c in STAT_COLUMNS])

    def _capacities(self, request: AnalysisRequest, _: Selection):
        capacities = self.thresholds.research(request).capacities
        parts = [capacities[metric].assign(metric=label) for metric, label in METRICS if metric in capacities]
        frame = (
            pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[c.key for c in CAPACITY_COLUMNS])
        )
        return CAPACITY_COLUMNS, frame

    def _threshold_history(self, _request: AnalysisRequest, _: Selection):
        history = self.thresholds.history()
        columns = (
            Column("saved_at", "Сохранён (UTC)", DATETIME),
            Column("saved_by", "Кто"),
            Column("origin", "Откуда"),
            Column("pins", "Закреплённые пороги"),
        )
        rows = [
            {
                "saved_at": record.saved_at,
                "saved_by": record.saved_by,
                "origin": record.origin,
                "pins": record.describe() + (" (действует)" if position == 0 else ""),
            }
            for position, record in enumerate(history)
        ]
        return columns, pd.DataFrame(rows, columns=[c.key for c in columns])

    # --- «Финал» ------------------------------------------------------------------------------------------------

    def _regions(self, request: AnalysisRequest, _: Selection):
        regions = self.final.view(request).regions
        columns = (Column("region", "Регион"), Column("region_name", "Название"), Column("warmth", "Прогрев"))
        return columns + SUMMARY, regions.assign(warmth=regions["warmth"].map(warmth))

    def _clusters(self, request: AnalysisRequest, _: Selection):
        clusters = self.final.view(request).clusters
        columns = (Column("cluster", "Кластер"), Column("cluster_name", "Название"), Column("warmth", "Прогрев"))
        return columns + SUMMARY, clusters.assign(warmth=clusters["warmth"].map(warmth))

    def _classes(self, request: AnalysisRequest, _: Selection):
        return CLASS_COLUMNS, self.final.view(request).classes

    def _recommendations(self, request: AnalysisRequest, _: Selection):
        regions = self.final.view(request).regions
        frame = regions.assign(
            warmth_name=[WARMTH_NAMES[int(w)] for w in regions["warmth"]],
            recommendation=[REGION_RECOMMENDATIONS[int(r)] for r in regions["region"]],
        )
        return RECOMMENDATION_COLUMNS, frame

    def _client_card(self, request: AnalysisRequest, selection: Selection):
        if not (selection.card or "").strip():
            raise RfmaError(NO_CARD)
        return self.final.client_card(request, selection.card or "")

    def _client_cheques(self, request: AnalysisRequest, selection: Selection):
        result = self._client_card(request, selection)
        return CHEQUE_COLUMNS, result.latest.assign(card=result.card)

    def _client_shops(self, request: AnalysisRequest, selection: Selection):
        result = self._client_card(request, selection)
        return CLIENT_SHOP_COLUMNS, result.shops.assign(card=result.card)

    # --- «Миграция» ---------------------------------------------------------------------------------------------

    def _migration(self, request: AnalysisRequest, selection: Selection):
        if not selection.bonus_date:
            raise RfmaError(NO_BONUS_DATE)
        level = selection.level if selection.level in ("region", "cluster", "class") else "region"
        value = selection.value if selection.value in ("clients", "revenue_after") else "clients"
        matrix = self.migration.view(request, selection.bonus_date).tables[(level, value)]
        destinations = [c for c in matrix.columns if c not in (TOTAL, STAYED)]
        kind = INT if value == "clients" else MONEY
        keys = [f"to_{i}" for i in range(len(destinations))]
        frame = pd.DataFrame({"source": [segment_label(level, str(code)) for code in matrix.index]})
        for key, destination in zip(keys, destinations, strict=True):
            frame[key] = matrix[destination].to_numpy()
        frame["total"] = matrix[TOTAL].to_numpy()
        frame["stayed"] = matrix[STAYED].to_numpy()
        columns = (
            Column("source", "до \\ после"),
            *(Column(k, segment_label(level, str(d)), kind) for k, d in zip(keys, destinations, strict=True)),
            Column("total", "Всего", kind),
            Column("stayed", "осталось %", PERCENT),
        )
        return columns, frame


# --- files ----------------------------------------------------------------------------------------------------


def file_name(table: Table, period: tuple[str, str], extension: str) -> str:
    """'rfma_Аптеки_2021-07-01_2022-06-30.xlsx' (never a card number: a client card's table says «клиент»)."""
    title = "_".join(table.title.replace("—", " ").split())
    return f"rfma_{title}_{period[0]}_{period[1]}.{extension}"


def _csv_cell(value: Any, kind: str) -> str:
    """One cell for a Russian Excel: decimal comma, ДД.ММ.ГГГГ, percent as a share in %, the card as Excel text."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind == CARD:
        return excel_text(str(value))
    if kind == PERCENT:
        return f"{float(value) * 100:.2f}".replace(".", ",")
    if kind in DIGITS:
        digits = DIGITS[kind]
        return (f"{float(value):.{digits}f}" if digits else str(round(float(value)))).replace(".", ",")
    if kind == DATE:
        return fmt.date(pd.Timestamp(value).date())
    if kind == DATETIME:
        return fmt.date_time(value)
    if kind == MONTH:
        return fmt.month(value)
    return str(value)


def table_csv(table: Table) -> bytes:
    """The table as a CSV a Russian Excel opens (UTF-8 with BOM, ';', decimal comma, percents as numbers of %)."""
    sep, _ = CSV_FORMATS["excel"]
    out = io.StringIO()
    out.write(BOM)

    def line(cells: list[str]) -> str:
        quoted = ['"' + c.replace('"', '""') + '"' if (sep in c or '"' in c or "\n" in c) else c for c in cells]
        return sep.join(quoted) + "\r\n"

    headers = [c.header + (", %" if c.kind == PERCENT and "%" not in c.header else "") for c in table.columns]
    out.write(line(headers))
    values = table.frame[[c.key for c in table.columns]].astype(object).to_numpy()
    for row in values:
        out.write(line([_csv_cell(value, c.kind) for value, c in zip(row, table.columns, strict=True)]))
    return out.getvalue().encode("utf-8")
