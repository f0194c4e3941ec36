"""«Финал»: the client table — AG Grid's infinite row model with its columns and Russian locale text."""

from __future__ import annotations

import json

import dash_ag_grid as dag

from core import glossary
from core.segments import CLUSTER_NAMES, GRADE_NAMES, REGION_NAMES
from dashboard import ids

_RU = (
    "params.value == null ? '' : Number(params.value).toLocaleString('ru-RU', "
    "{minimumFractionDigits: %d, maximumFractionDigits: %d})"
)


def _money(digits: int = 2) -> dict:
    return {"function": _RU % (digits, digits)}


# field, header, width, filter, formatter
CLIENT_COLUMNS = [
    ("card", "Карта", 120, "agTextColumnFilter", None),
    ("region", "Регион", 90, "agNumberColumnFilter", None),
    ("region_name", "Название региона", 150, "agTextColumnFilter", None),
    ("cluster", "Кластер", 95, "agNumberColumnFilter", None),
    ("cluster_name", "Название кластера", 170, "agTextColumnFilter", None),
    ("class", "Класс", 85, "agTextColumnFilter", None),
    ("class_name", "Описание класса", 280, "agTextColumnFilter", None),
    ("r", "R", 62, "agNumberColumnFilter", None),
    ("f", "F", 62, "agNumberColumnFilter", None),
    ("m", "M", 62, "agNumberColumnFilter", None),
    ("a", "A", 62, "agNumberColumnFilter", None),
    ("recency_days", "Давность, дн.", 120, "agNumberColumnFilter", None),
    ("age_days", "Возраст, дн.", 115, "agNumberColumnFilter", None),
    ("purchases", "Покупок", 100, "agNumberColumnFilter", None),
    ("frequency", "Частота F", 110, "agNumberColumnFilter", _money(3)),
    ("revenue", "Выручка, ₽", 125, "agNumberColumnFilter", _money(2)),
    ("avg_cheque", "Средний чек, ₽", 130, "agNumberColumnFilter", _money(2)),
    ("bonus_spent", "Бонусов списано", 130, "agNumberColumnFilter", _money(2)),
    ("shops", "Аптек", 85, "agNumberColumnFilter", None),
    ("first_date", "Первая покупка", 130, "agDateColumnFilter", None),
    ("last_date", "Последняя покупка", 140, "agDateColumnFilter", None),
]
PAGE_SIZE = 50


def code_tooltip(hints: dict) -> dict:
    """AG Grid's tooltipValueGetter showing a code's meaning (`hints`: code → text; nothing for other values)."""
    table = json.dumps({str(code): text for code, text in hints.items()}, ensure_ascii=False)
    return {"function": f"({table})[String(params.value)] || ''"}


# the tooltips on the codes of «Финал»'s tables (header tooltips and each cell's meaning)
CODE_TOOLTIPS = {
    **{m: code_tooltip({c: glossary.grade_hint(m, c) for c in GRADE_NAMES[m]}) for m in GRADE_NAMES},
    "cluster": code_tooltip({c: glossary.cluster_hint(c) for c in CLUSTER_NAMES}),
    "region": code_tooltip({r: glossary.region_hint(r) for r in REGION_NAMES}),
    "class": {
        "function": "(function (c) { var n = NAMES; if (!c || String(c).length !== 4) { return ''; } "
        "var s = String(c); return s + ': ' + ['R','F','M','A'].map(function (l, i) { "
        "return l + s[i] + ' ' + (n[l.toLowerCase()][s[i]] || ''); }).join(' · '); })(params.value)".replace(
            "NAMES",
            json.dumps({m: {str(k): v for k, v in n.items()} for m, n in GRADE_NAMES.items()}, ensure_ascii=False),
        )
    },
}
HEADER_TOOLTIPS = {
    **{m: glossary.METRICS[m][0] + ": " + glossary.METRICS[m][1] for m in GRADE_NAMES},
    "class": glossary.CLASS_CODE,
    "cluster": glossary.CLUSTER_CODE,
    "region": glossary.REGION_CODE,
}


def with_tooltips(column: dict) -> dict:
    """A column definition with the tooltips of its codes, when it holds codes."""
    field = column["field"]
    if field in CODE_TOOLTIPS:
        column = column | {"tooltipValueGetter": CODE_TOOLTIPS[field], "headerTooltip": HEADER_TOOLTIPS[field]}
    return column


def column_defs(columns: list[tuple], filters: bool = True) -> list[dict]:
    """AG Grid column definitions of (field, header, width, filter, formatter) rows: the card pinned left, money
    right-aligned in Russian format, the table sorted by revenue; without filters when `filters` is False."""
    defs = []
    for field, header, width, flt, formatter in columns:
        column: dict = {"field": field, "headerName": header, "width": width}
        if filters:
            column |= {"filter": flt, "filterParams": {"maxNumConditions": 1, "debounceMs": 400}}
        if formatter:
            column["valueFormatter"] = formatter
            column["type"] = "rightAligned"
        if field == "card":
            column["pinned"] = "left"
        if field == "revenue":
            column["sort"] = "desc"
        defs.append(with_tooltips(column))
    return defs


def client_grid(
    grid_id: str = ids.FINAL.CLIENT_GRID, columns: list[tuple] | None = None, filters: bool = True
) -> dag.AgGrid:
    """A client table: AG Grid's infinite row model with pagination; rows, sort (and filters) on the server."""
    return dag.AgGrid(
        id=grid_id,
        columnDefs=column_defs(CLIENT_COLUMNS if columns is None else columns, filters),
        defaultColDef={"sortable": True, "resizable": True},
        rowModelType="infinite",
        dashGridOptions={
            "pagination": True,
            "paginationPageSize": PAGE_SIZE,
            "paginationPageSizeSelector": False,
            "cacheBlockSize": PAGE_SIZE,
            "maxBlocksInCache": 20,
            "infiniteInitialRowCount": 1,
            "rowHeight": 30,
            "headerHeight": 34,
            "animateRows": False,
            "localeText": GRID_LOCALE,
            "suppressCellFocus": True,
            "tooltipShowDelay": 300,
        },
        style={"height": "560px"},
        className="ag-theme-alpine",
    )


GRID_LOCALE = {
    "page": "Страница",
    "of": "из",
    "to": "—",
    "more": "ещё",
    "firstPage": "Первая",
    "lastPage": "Последняя",
    "nextPage": "Следующая",
    "previousPage": "Предыдущая",
    "loadingOoo": "Загрузка…",
    "noRowsToShow": "Нет клиентов",
    "filterOoo": "Значение…",
    "equals": "Равно",
    "notEqual": "Не равно",
    "lessThan": "Меньше",
    "greaterThan": "Больше",
    "lessThanOrEqual": "Меньше или равно",
    "greaterThanOrEqual": "Больше или равно",
    "inRange": "В диапазоне",
    "contains": "Содержит",
    "notContains": "Не содержит",
    "startsWith": "Начинается с",
    "endsWith": "Заканчивается на",
    "blank": "Пусто",
    "notBlank": "Не пусто",
    "andCondition": "И",
    "orCondition": "ИЛИ",
    "applyFilter": "Применить",
    "resetFilter": "Сбросить",
    "clearFilter": "Очистить",
    "inRangeStart": "от",
    "inRangeEnd": "до",
    "dateFormatOoo": "дд.мм.гггг",
}
