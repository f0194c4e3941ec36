"""«Финал»: the client table — AG Grid's infinite row model with its columns and Russian locale text."""

from __future__ import annotations

import json

import dash_ag_grid as dag

from core import glossary
from core.client_filter import TABLE_HEADERS
from core.segments import CLUSTER_NAMES, GRADE_NAMES, REGION_NAMES
from dashboard import ids

_RU = (
    "params.value == null ? '' : Number(params.value).toLocaleString('ru-RU', "
    "{minimumFractionDigits: %d, maximumFractionDigits: %d})"
)


def _money(digits: int = 2) -> dict:
    return {"function": _RU % (digits, digits)}


# ISO 'YYYY-MM-DD' (as the server sends it) shown as ДД.ММ.ГГГГ
_DATE = {"function": "params.value ? String(params.value).slice(0, 10).split('-').reverse().join('.') : ''"}


# field, width, filter, formatter (headers: core.client_filter.TABLE_HEADERS, the CSV's too)
CLIENT_COLUMNS = [
    ("card", 150, "agTextColumnFilter", None),  # 13 digits and the pin: never «20007661…»
    ("region", 100, "agNumberColumnFilter", None),
    ("region_name", 150, "agTextColumnFilter", None),
    ("cluster", 105, "agNumberColumnFilter", None),
    ("cluster_name", 170, "agTextColumnFilter", None),
    ("class", 95, "agTextColumnFilter", None),
    ("class_name", 280, "agTextColumnFilter", None),
    ("r", 70, "agNumberColumnFilter", None),
    ("f", 70, "agNumberColumnFilter", None),
    ("m", 70, "agNumberColumnFilter", None),
    ("a", 70, "agNumberColumnFilter", None),
    ("recency_days", 125, "agNumberColumnFilter", None),
    ("age_days", 125, "agNumberColumnFilter", None),
    ("purchases", 110, "agNumberColumnFilter", None),
    ("frequency", 115, "agNumberColumnFilter", _money(3)),
    ("revenue", 130, "agNumberColumnFilter", _money(2)),
    ("avg_cheque", 130, "agNumberColumnFilter", _money(2)),
    ("bonus_spent", 130, "agNumberColumnFilter", _money(2)),
    ("shops", 90, "agNumberColumnFilter", None),
    ("first_date", 135, "agDateColumnFilter", _DATE),
    ("last_date", 135, "agDateColumnFilter", _DATE),
]
# What a header means, shown as its tooltip (the header itself wraps instead of being cut).
HEADER_TIPS = {
    "card": "Номер карты лояльности",
    "region": "Код региона: первая цифра — теплота (1 горячие … 4 холодные)",
    "cluster": "Код кластера внутри региона",
    "class": "Код класса: цифры R, F, M, A",
    "r": "R — давность: 1 недавний, 2 спящий, 3 уходящий, 4 ушедший",
    "f": "F — частота покупок в день: 1 частый, 2 редкий, 3 разовый",
    "m": "M — средний чек: 1 высокий, 2 средний, 3 низкий",
    "a": "A — возраст: 1 старожил, 2 опытный, 3 новичок",
    "recency_days": "Дней от последней покупки до даты анализа",
    "age_days": "Дней от первой покупки (за всю историю) до даты анализа",
    "frequency": "Покупок в день",
    "shops": "Число аптек, где клиент покупал за период",
}
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


def column_defs(columns: list[tuple], filters: bool = True, headers: dict[str, str] | None = None) -> list[dict]:
    """AG Grid column definitions of (field, width, filter, formatter) rows, headers from TABLE_HEADERS (or
    `headers`): the card pinned left, money right-aligned in Russian format, the table sorted by revenue, tooltips
    on headers and codes; without filters when `filters` is False."""
    names = TABLE_HEADERS | (headers or {})
    defs = []
    for field, width, flt, formatter in columns:
        header = names[field]
        column: dict = {
            "field": field,
            "headerName": header,
            "headerTooltip": HEADER_TIPS.get(field, header),
            "width": width,
            "minWidth": width,
        }
        if filters:
            column |= {"filter": flt, "filterParams": {"maxNumConditions": 1, "debounceMs": 400}}
        if formatter:
            column["valueFormatter"] = formatter
            if formatter is not _DATE:
                column["type"] = "rightAligned"
        if field == "card":
            column["pinned"] = "left"
        if field == "revenue":
            column["sort"] = "desc"
        defs.append(with_tooltips(column))
    return defs


def client_grid(
    grid_id: str = ids.FINAL.CLIENT_GRID,
    columns: list[tuple] | None = None,
    filters: bool = True,
    headers: dict[str, str] | None = None,
) -> dag.AgGrid:
    """A client table: AG Grid's infinite row model with pagination; rows, sort (and filters) on the server."""
    return dag.AgGrid(
        id=grid_id,
        columnDefs=column_defs(CLIENT_COLUMNS if columns is None else columns, filters, headers),
        defaultColDef={"sortable": True, "resizable": True, "wrapHeaderText": True, "autoHeaderHeight": True},
        rowModelType="infinite",
        dashGridOptions={
            "pagination": True,
            "paginationPageSize": PAGE_SIZE,
            "paginationPageSizeSelector": False,
            "cacheBlockSize": PAGE_SIZE,
            "maxBlocksInCache": 20,
            "infiniteInitialRowCount": 1,
            "rowHeight": 30,
            "tooltipShowDelay": 300,
            "suppressColumnVirtualisation": True,  # 21 columns: all in the page (and checked whole by the tests)
            "animateRows": False,
            "localeText": GRID_LOCALE,
            "suppressCellFocus": True,
        },
        style={"height": "560px"},
        className="ag-theme-alpine",
    )


GRID_LOCALE = {
    # the paging panel: «1 — 50 из 5 926 · Страница 1 из 119»
    "page": "Страница",
    "of": "из",
    "to": "—",
    "more": "многих",
    "pageLastRowUnknown": "?",
    "firstPage": "Первая страница",
    "lastPage": "Последняя страница",
    "nextPage": "Следующая страница",
    "previousPage": "Предыдущая страница",
    "pageSizeSelectorLabel": "Строк на странице:",
    "footerTotal": "Итого",
    "thousandSeparator": "\u00a0",
    "decimalSeparator": ",",
    "loadingOoo": "Загрузка…",
    "loadingError": "Ошибка",
    "noRowsToShow": "Нет клиентов",
    "enabled": "Включено",
    "disabled": "Выключено",
    # filters
    "filterOoo": "Значение…",
    "empty": "Выберите…",
    "equals": "Равно",
    "notEqual": "Не равно",
    "lessThan": "Меньше",
    "greaterThan": "Больше",
    "lessThanOrEqual": "Меньше или равно",
    "greaterThanOrEqual": "Больше или равно",
    "inRange": "В диапазоне",
    "inRangeStart": "от",
    "inRangeEnd": "до",
    "contains": "Содержит",
    "notContains": "Не содержит",
    "startsWith": "Начинается с",
    "endsWith": "Заканчивается на",
    "blank": "Пусто",
    "notBlank": "Не пусто",
    "before": "До",
    "after": "После",
    "dateFormatOoo": "дд.мм.гггг",
    "andCondition": "И",
    "orCondition": "ИЛИ",
    "applyFilter": "Применить",
    "resetFilter": "Сбросить",
    "clearFilter": "Очистить",
    "cancelFilter": "Отмена",
    "selectAll": "(Выбрать все)",
    "selectAllSearchResults": "(Выбрать все найденные)",
    "addCurrentSelectionToFilter": "Добавить выбранное к фильтру",
    "searchOoo": "Поиск…",
    "blanks": "(Пусто)",
    "noMatches": "Ничего не найдено",
    "invalidDate": "Неверная дата",
    "invalidNumber": "Неверное число",
    # column menu and panels
    "columnFilter": "Фильтр столбца",
    "columnChooser": "Выбрать столбцы",
    "chooseColumns": "Выбрать столбцы",
    "columns": "Столбцы",
    "filters": "Фильтры",
    "pinColumn": "Закрепить столбец",
    "pinLeft": "Закрепить слева",
    "pinRight": "Закрепить справа",
    "noPin": "Не закреплять",
    "autosizeThisColumn": "Подогнать ширину",
    "autosizeAllColumns": "Подогнать ширину всех",
    "resetColumns": "Вернуть столбцы",
    "sortAscending": "По возрастанию",
    "sortDescending": "По убыванию",
    "sortUnSort": "Без сортировки",
    "hideColumn": "Скрыть столбец",
    "copy": "Копировать",
    "copyWithHeaders": "Копировать с заголовками",
    # read by screen readers and shown as hints
    "ariaFilterInput": "Поле фильтра",
    "ariaFilterValue": "Значение фильтра",
    "ariaFilterFromValue": "Значение «от»",
    "ariaFilterToValue": "Значение «до»",
    "ariaFilteringOperator": "Условие фильтра",
    "ariaDateFilterInput": "Дата фильтра",
    "ariaFilterList": "Список фильтров",
    "ariaSearch": "Поиск",
    "ariaSearchFilterValues": "Поиск значений",
    "ariaColumnFiltered": "Столбец отфильтрован",
    "ariaLabelColumnMenu": "Меню столбца",
    "ariaLabelColumnFilter": "Фильтр столбца",
    "ariaLabelDialog": "Диалог",
    "ariaFilterMenuOpen": "Открыть фильтр",
    "ariaMenuColumn": "Меню столбца",
    "ariaSortableColumn": "Нажмите Enter, чтобы отсортировать",
    "ariaPageSizeSelectorLabel": "Строк на странице",
    "ariaChecked": "отмечено",
    "ariaUnchecked": "не отмечено",
    "ariaVisible": "видим",
    "ariaHidden": "скрыт",
}
