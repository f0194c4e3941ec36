"""XLSX files (XlsxWriter): one table as a sheet, and the whole dashboard as one workbook — «Отчёт» (period, data
source, thresholds in force and whose set they are, who exported it and when), then one sheet per table of the
period and selection, with native Excel charts where the page draws one.

Only tables of aggregates go into the workbook (a few hundred rows at most: 108 classes, the pharmacies, the
months, a migration matrix), so it is built in memory; client lists stay with the streamed CSV downloads.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from core import formatting as fmt
from core.model import THRESHOLD_NAMES, RfmaError
from dashboard.appdb.audit import AuditLog
from dashboard.services.access import AccessDenied, Identity, current_identity
from dashboard.services.analysis import Analyses
from dashboard.services.request import AnalysisRequest
from dashboard.services.tables import (
    CARD,
    DATE,
    DATETIME,
    FLOAT1,
    FLOAT2,
    FLOAT3,
    FLOAT6,
    FORMATS,
    INT,
    MONEY,
    MONTH,
    PERCENT,
    Selection,
    Table,
    TablesService,
    file_name,
    table_csv,
)
from dashboard.services.thresholds import ThresholdsService

REPORT_SHEET = "Отчёт"
# the workbook's sheets after «Отчёт», in the tabs' order («Миграция» only with a bonus date)
WORKBOOK_TABLES = (
    "clients_kpis",
    "clients_by_shops",
    "monthly",
    "pharmacies",
    "threshold_stats",
    "capacities",
    "regions",
    "clusters",
    "classes",
    "recommendations",
    "migration",
)
NUMBER_FORMATS = {
    INT: "#,##0",
    MONEY: '#,##0.00" ₽"',
    PERCENT: "0.0%",
    FLOAT1: "0.0",
    FLOAT2: "0.00",
    FLOAT3: "0.000",
    FLOAT6: "0.######",
    DATE: "dd.mm.yyyy",
    DATETIME: "dd.mm.yyyy hh:mm",
    MONTH: "mm.yyyy",
}
MAX_WIDTH = 60
SET_KINDS = {
    "chain": "набор сети",
    "draft": "черновик пользователя",
    "suggested": "предложены по данным (без набора сети)",
    "cli": "закреплены в командной строке (--pin), остальные — как в наборе сети или предложены",
}


@dataclass(frozen=True)
class ThresholdSource:
    """Whose thresholds the workbook used: "chain" (with who saved it and when), "draft" or "suggested"."""

    kind: str
    saved_by: str | None = None
    saved_at: dt.datetime | None = None

    def describe(self) -> str:
        text = SET_KINDS[self.kind]
        if self.kind == "chain" and self.saved_by:
            text += f" (сохранил {self.saved_by}, {fmt.date_time(self.saved_at)} UTC)"
        return text


class _Formats:
    """The workbook's cell formats, made once per workbook."""

    def __init__(self, book: Workbook):
        self.header = book.add_format({"bold": True, "bg_color": "#E9ECEF", "text_wrap": True, "valign": "top"})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.label = book.add_format({"bold": True})
        self.text = book.add_format({"num_format": "@"})
        self.number = {kind: book.add_format({"num_format": code}) for kind, code in NUMBER_FORMATS.items()}


def _excel_value(value: Any, kind: str) -> object:
    """A cell's value as XlsxWriter writes it: None for a blank, datetimes for dates, str for text and cards."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if kind in (DATE, DATETIME, MONTH):
        return pd.Timestamp(value).to_pydatetime()
    if kind in NUMBER_FORMATS:
        return float(value)
    return str(value)


def _width(table: Table, position: int) -> float:
    """A column's width: its header's or its longest value's (formatted roughly), within MAX_WIDTH."""
    column = table.columns[position]
    values = table.frame[column.key]
    longest = int(values.astype(str).str.len().max()) if len(values) else 0
    if column.kind in (DATE, MONTH):
        longest = 10
    elif column.kind == DATETIME:
        longest = 16
    elif column.kind in NUMBER_FORMATS:
        longest = min(longest, 12) + (3 if column.kind == MONEY else 1)
    header = max((len(word) for word in column.header.split()), default=0)
    return float(min(MAX_WIDTH, max(longest, header, len(column.header) // 2, 6) + 2))


def write_table(book: Workbook, formats: _Formats, table: Table) -> Worksheet:
    """One table on a sheet named after it: a frozen header row, number formats, widths; cards as text cells."""
    sheet = book.add_worksheet(table.title[:31])
    for position, column in enumerate(table.columns):
        sheet.write_string(0, position, column.header, formats.header)
        cell = formats.text if column.kind in (CARD, "text") else formats.number.get(column.kind)
        sheet.set_column(position, position, _width(table, position), cell)
    values = table.frame[[c.key for c in table.columns]].astype(object).to_numpy()
    for row, record in enumerate(values, start=1):
        for position, (value, column) in enumerate(zip(record, table.columns, strict=True)):
            cell = _excel_value(value, column.kind)
            if cell is None:
                sheet.write_blank(row, position, None)
            elif column.kind in (CARD, "text"):
                sheet.write_string(row, position, str(cell), formats.text)  # a card keeps every digit
            elif isinstance(cell, dt.datetime):
                sheet.write_datetime(row, position, cell, formats.number[column.kind])
            else:
                sheet.write_number(row, position, float(cell), formats.number[column.kind])  # type: ignore[arg-type]
    sheet.freeze_panes(1, 0)
    if len(values):
        sheet.autofilter(0, 0, len(values), len(table.columns) - 1)
    return sheet


def table_xlsx(table: Table) -> bytes:
    """One table as an XLSX file of one sheet."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    write_table(book, _Formats(book), table)
    book.close()
    return out.getvalue()


# --- native charts where the page draws one -------------------------------------------------------------------


def _column(table: Table, key: str) -> int:
    return [c.key for c in table.columns].index(key)


def _chart(book: Workbook, sheet: Worksheet, table: Table, kind: str, title: str, series: list[str], category: str):
    """A native chart of `series` (column keys) over `category`, placed right of the table."""
    rows = len(table.frame)
    if not rows:
        return
    chart = book.add_chart({"type": kind})
    name = sheet.get_name()
    cat = _column(table, category)
    for key in series:
        col = _column(table, key)
        chart.add_series(
            {
                "name": [name, 0, col],
                "categories": [name, 1, cat, rows, cat],
                "values": [name, 1, col, rows, col],
            }
        )
    chart.set_title({"name": title})
    chart.set_legend({"position": "bottom" if len(series) > 1 else "none"})
    chart.set_size({"width": 640, "height": 360})
    sheet.insert_chart(1, len(table.columns) + 1, chart)


def _charts(book: Workbook, sheet: Worksheet, table: Table) -> None:
    if table.name == "regions":
        _chart(book, sheet, table, "bar", "Клиенты по регионам", ["clients"], "region_name")
    elif table.name == "monthly":
        _chart(book, sheet, table, "line", "Чеки по месяцам", ["identified_cheques", "unidentified_cheques"], "month")
    elif table.name == "clients_by_shops":
        _chart(book, sheet, table, "column", "Клиенты по числу аптек", ["clients"], "shops")
    elif table.name == "pharmacies":
        _chart(book, sheet, table, "column", "Выручка по аптекам", ["revenue"], "shop")
    elif table.name == "capacities":
        _capacity_charts(book, sheet, table)


def _capacity_charts(book: Workbook, sheet: Worksheet, table: Table) -> None:
    """One column chart per metric: clients per grade (the rows of that metric)."""
    name = sheet.get_name()
    label, clients = _column(table, "name"), _column(table, "clients")
    start = 1
    for position, (value, part) in enumerate(table.frame.groupby("metric", sort=False)):
        first, last = start, start + len(part) - 1
        chart = book.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": f"Ёмкость грейдов {value}",
                "categories": [name, first, label, last, label],
                "values": [name, first, clients, last, clients],
            }
        )
        chart.set_title({"name": f"Ёмкость грейдов {value}"})
        chart.set_legend({"none": True})
        chart.set_size({"width": 480, "height": 260})
        sheet.insert_chart(1 + position * 14, len(table.columns) + 1, chart)
        start = last + 1


# --- the whole dashboard --------------------------------------------------------------------------------------


class WorkbookService:
    """The workbook of a request and a selection."""

    def __init__(
        self, tables: TablesService, analyses: Analyses, thresholds: ThresholdsService, source_name: Callable[[], str]
    ):
        self.tables = tables
        self.analyses = analyses
        self.thresholds = thresholds
        self.source_name = source_name

    def tables_of(self, request: AnalysisRequest, selection: Selection, identity: Identity) -> list[Table]:
        """The workbook's tables (the migration matrix only with a bonus date)."""
        names = [n for n in WORKBOOK_TABLES if n != "migration" or selection.bonus_date]
        return [self.tables.table(name, request, selection, identity) for name in names]

    def build(
        self,
        request: AnalysisRequest,
        selection: Selection,
        identity: Identity,
        source: ThresholdSource,
        now: dt.datetime | None = None,
    ) -> tuple[str, bytes, int]:
        """(file name, XLSX bytes, rows of every table) of the whole dashboard for `identity`."""
        classification = self.analyses.classification(request)
        period = self.analyses.resolved_period(classification)
        tables = self.tables_of(request, selection, identity)
        suggestion = self.thresholds.in_force(request)
        if suggestion.thresholds is None:
            raise RfmaError("Нет порогов для выбранного периода.")
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True})
        book.set_properties({"title": "RFMA — клиенты аптечной сети", "author": identity.login})
        formats = _Formats(book)
        report = book.add_worksheet(REPORT_SHEET)
        report.set_column(0, 0, 34)
        report.set_column(1, 1, 70)
        report.write_string(0, 0, "RFMA — отчёт по клиентам аптечной сети", formats.title)
        moment = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        values = suggestion.thresholds.as_dict()
        lines: list[tuple[str, str]] = [
            ("Период", f"{fmt.date(period[0])} — {fmt.date(period[1])}"),
            ("Источник данных", self.source_name()),
            ("Дата анализа", fmt.date(classification.base.analysis_date)),
            ("Клиентов", fmt.integer(len(classification.clients))),
            ("Пороги", source.describe()),
            *(
                (
                    f"Порог {name}",
                    f"{fmt.threshold(values[name])} ({'закреплён' if name in suggestion.pinned else 'предложен'})",
                )
                for name in THRESHOLD_NAMES
            ),
            ("Период оттока C, дн.", fmt.integer(suggestion.churn_period)),
            ("Бонус-дата (миграция)", fmt.date(selection.bonus_date) if selection.bonus_date else "не выбрана"),
            ("Выгрузил", identity.login),
            ("Когда", f"{fmt.date_time(moment)} UTC"),
            ("Листы", ", ".join(t.title for t in tables)),
        ]
        for row, (label, text) in enumerate(lines, start=2):
            report.write_string(row, 0, label, formats.label)
            report.write_string(row, 1, text)
        for table in tables:
            _charts(book, write_table(book, formats, table), table)
        book.close()
        name = f"rfma_дашборд_{period[0]}_{period[1]}.xlsx"
        return name, out.getvalue(), sum(len(t.frame) for t in tables)


# --- downloads (audited) --------------------------------------------------------------------------------------

DOWNLOAD_TABLE = "download_table"
DOWNLOAD_WORKBOOK = "download_workbook"


class TableDownloads:
    """The files the page's download buttons ask for, for the current user, each recorded in the audit log."""

    def __init__(
        self, tables: TablesService, workbook: WorkbookService, audit: AuditLog | None, source: Callable[[], str]
    ):
        self.tables = tables
        self.workbook = workbook
        self.audit = audit
        self.source = source

    def _identity(self) -> Identity:
        identity = current_identity()
        if identity is None:
            raise AccessDenied("Войдите в систему, чтобы скачивать таблицы.")
        return identity

    def table_file(self, name: str, kind: str, request: AnalysisRequest, selection: Selection) -> tuple[str, bytes]:
        """(file name, bytes) of one table as CSV or XLSX; AccessDenied for a table the role may not download."""
        if kind not in FORMATS:
            raise RfmaError(f"Неизвестный формат файла {kind!r}.")
        identity = self._identity()
        table = self.tables.table(name, request, selection, identity)
        period = self.workbook.analyses.resolved_period(self.workbook.analyses.classification(request))
        data = table_csv(table) if kind == "csv" else table_xlsx(table)
        file = file_name(table, period, kind)
        if self.audit is not None:
            self.audit.record(identity.login, DOWNLOAD_TABLE, file, rows=len(table.frame), source=self.source())
        return file, data

    def workbook_file(
        self, request: AnalysisRequest, selection: Selection, source: ThresholdSource, identity: Identity | None = None
    ) -> tuple[str, bytes]:
        """(file name, bytes) of the whole dashboard's workbook for the current user (or `identity`: the CLI)."""
        identity = identity or self._identity()
        name, data, rows = self.workbook.build(request, selection, identity, source)
        if self.audit is not None:
            self.audit.record(identity.login, DOWNLOAD_WORKBOOK, name, rows=rows, source=self.source())
        return name, data
