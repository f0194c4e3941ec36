"""Small reusable components: KPI cards, messages, errors, graphs, tables from DataFrames."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from core.db import DatabaseError
from core.model import RfmaError, ThresholdOrderError
from dashboard import ids

# dates as the UI writes them; month and weekday names come from assets/ru-date-picker.js
RU_DATE_PICKER = {"display_format": "DD.MM.YYYY", "month_format": "MMMM YYYY", "first_day_of_week": 1}
# plotly.js knows only English unless a locale is registered: `locale: "ru"` alone changes nothing. The locale goes
# with every graph's config (`locales`), so no script has to load before plotly: Russian month and weekday names,
# ДД.ММ.ГГГГ for dates it formats by itself (a zoomed axis, a hover without a template), the modebar's titles.
PLOTLY_RU = {
    "dictionary": {
        "Zoom": "Масштаб",
        "Pan": "Сдвиг",
        "Zoom in": "Увеличить",
        "Zoom out": "Уменьшить",
        "Autoscale": "Автомасштаб",
        "Reset axes": "Сбросить оси",
        "Reset view": "Сбросить вид",
        "Download plot as a png": "Скачать как PNG",
        "Download plot": "Скачать",
        "Toggle Spike Lines": "Линии к осям",
        "Show closest data on hover": "Подсказка у ближайшей точки",
        "Compare data on hover": "Сравнить значения при наведении",
        "Double-click to zoom back out": "Двойной щелчок — вернуть масштаб",
    },
    "format": {
        "days": ["воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"],
        "shortDays": ["вс", "пн", "вт", "ср", "чт", "пт", "сб"],
        "months": [
            "январь",
            "февраль",
            "март",
            "апрель",
            "май",
            "июнь",
            "июль",
            "август",
            "сентябрь",
            "октябрь",
            "ноябрь",
            "декабрь",
        ],
        "shortMonths": ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"],
        "date": "%d.%m.%Y",
        "year": "%Y",
        "month": "%m.%Y",
        "dayMonth": "%d.%m",
        "dayMonthYear": "%d.%m.%Y",
        "decimal": ",",
        "thousands": "\u00a0",
    },
}
GRAPH_CONFIG = {
    "displaylogo": False,
    "locale": "ru",
    "locales": {"ru": PLOTLY_RU},
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}


# Dash 4's dcc.Dropdown speaks English unless told («No options found», «Search», «Clear selection», «3 selected»);
# `labels` replaces the defaults as a whole, so every key is given.
DROPDOWN_LABELS = {
    "select_all": "Выбрать все",
    "deselect_all": "Снять все",
    "selected_count": "выбрано: {num_selected}",
    "search": "Поиск",
    "clear_search": "Очистить поиск",
    "clear_selection": "Очистить выбор",
    "no_options_found": "Нет вариантов",
}


def switch(component_id: str, options: tuple[tuple[str, str], ...], value: str) -> dbc.RadioItems:
    """Inline radio buttons of (value, label) options, remembered for the browser tab's session."""
    return dbc.RadioItems(
        id=component_id,
        options=[{"label": label, "value": v} for v, label in options],
        value=value,
        inline=True,
        persistence=True,
        persistence_type="session",
    )


def control(title: str, component, md: int = 4) -> dbc.Col:
    """A titled control in a row of controls (full width on a phone, `md` of 12 columns from medium screens)."""
    return dbc.Col([html.Div(title, className="rfma-group-title"), component], xs=12, md=md)


def dropdown(component_id: str, placeholder: str, **props) -> dcc.Dropdown:
    """A dropdown with Russian texts: its placeholder, the search field, «Нет вариантов», the clear buttons."""
    return dcc.Dropdown(id=component_id, placeholder=placeholder, labels=DROPDOWN_LABELS, **props)


def kpi(title: str, value: str, note: str | None = None, id: str | None = None) -> dbc.Col:
    """A KPI card: a small title, a big value, an optional note."""
    body = [
        html.Div(title, className="kpi-title"),
        html.Div(value, className="kpi-value", **({"id": id} if id else {})),
    ]
    if note:
        body.append(html.Div(note, className="kpi-note"))
    return dbc.Col(dbc.Card(dbc.CardBody(body), className="kpi-card h-100"), xs=12, sm=6, lg=True)


def message(text: str, color: str = "warning", title: str | None = None) -> dbc.Alert:
    """A clear message shown in place of charts."""
    children = [html.H5(title, className="alert-heading")] if title else []
    children.append(html.Div(text))
    return dbc.Alert(children, color=color, className="rfma-message my-3")


def graph(figure, id: str | None = None) -> dcc.Graph:
    kwargs = {"id": id} if id else {}
    return dcc.Graph(figure=figure, config=GRAPH_CONFIG, className="rfma-graph", **kwargs)


def card(children, title: str | None = None, class_name: str = "") -> dbc.Card:
    parts = [dbc.CardHeader(title)] if title else []
    parts.append(dbc.CardBody(children))
    return dbc.Card(parts, className=f"mb-3 {class_name}")


def table(
    frame: pd.DataFrame,
    columns: dict[str, str],
    id: str | None = None,
    formats: dict | None = None,
    class_name: str = "",
    hints: dict | None = None,
    header_hints: dict[str, str] | None = None,
) -> dbc.Table:
    """A bootstrap table of the given columns (name → Russian header), values formatted by `formats`; a column in
    `hints` (name → value → text) shows the text as the cell's tooltip (a code's meaning), a column in `header_hints`
    (name → text) as its header's tooltip (what the column means)."""
    formats = formats or {}
    hints = hints or {}
    tips = header_hints or {}
    header = html.Thead(
        html.Tr(
            [html.Th(title, title=tips[name]) if name in tips else html.Th(title) for name, title in columns.items()]
        )
    )
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for column in columns:
            value = record.get(column)
            fmt = formats.get(column)
            hint = hints[column](value) if column in hints else ""
            cell = fmt(value) if fmt else ("—" if value is None else str(value))
            cells.append(html.Td(cell, title=hint, className="rfma-code") if hint else html.Td(cell))
        rows.append(html.Tr(cells))
    kwargs = {"id": id} if id else {}
    return dbc.Table(
        [header, html.Tbody(rows)],
        bordered=False,
        hover=True,
        striped=True,
        size="sm",
        responsive=True,
        className=f"rfma-table {class_name}",
        **kwargs,
    )


def loading(child) -> dcc.Loading:
    return dcc.Loading(child, type="default", delay_show=300)


INTERNAL_ERROR = (
    "Не удалось построить эту вкладку из-за внутренней ошибки. Подробности записаны в журнал сервера; "
    "попробуйте изменить период или обновить страницу."
)


THRESHOLDS_DO_NOT_FIT = "Не посчитано: пороги не подходят выбранному периоду — что сделать, сказано под заголовком."


def render_error(exc: BaseException) -> dbc.Alert | html.P:
    """The alert shown in place of the charts for an error (never a traceback)."""
    if isinstance(exc, ThresholdOrderError):  # said once, with the way out, under the header (not on every panel)
        return html.P(THRESHOLDS_DO_NOT_FIT, className="rfma-threshold-pointer text-muted small my-2")
    if isinstance(exc, DatabaseError):  # the driver's text (hosts, paths, PIDs) goes to the server's log only
        return message(
            "Подробности записаны в журнал сервера. Проверьте адрес базы (RFMA_DATABASE_URL) и что сервер базы "
            "запущен.",
            "danger",
            "База данных недоступна",
        )
    if isinstance(exc, RfmaError):
        return message(sentence(str(exc)), "warning", "Нет данных для показа")
    return message(INTERNAL_ERROR, "danger", "Ошибка")


def sentence(text: str) -> str:
    """A message as a sentence: capitalised, ending with a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def note(text: str) -> html.Div:
    """A small muted line (e.g. under a download button)."""
    return html.Div(text, className="small text-muted")


def download_buttons(table_name: str) -> html.Div:
    """«Скачать: CSV · XLSX» of one table (dashboard.services.tables.TABLES; callbacks.tables sends the file)."""
    return html.Div(
        [
            html.Span("Скачать таблицу:", className="me-1"),
            *(
                dbc.Button(
                    label,
                    id=ids.table_download(table_name, kind),
                    color="link",
                    size="sm",
                    className="p-0 mx-1 rfma-table-download",
                    title=f"Скачать таблицу в {label}",
                )
                for kind, label in (("csv", "CSV"), ("xlsx", "XLSX"))
            ),
        ],
        className="small text-muted d-flex align-items-center justify-content-end mb-1",
    )


def workbook_button() -> dbc.Button:
    """«Скачать всё в Excel»: every table of the period and selection as one workbook."""
    return dbc.Button(
        "Скачать всё в Excel",
        id=ids.table_download(ids.WORKBOOK, "xlsx"),
        color="success",
        outline=True,
        size="sm",
        className="rfma-workbook-button",
        title="Все таблицы периода — на отдельных листах одной книги Excel, с графиками",
    )
