"""Tab «Миграция»: bonus date, level and value switches; the renderers of the Sankey, the flow matrix (row totals,
«осталось %», a click opens a flow) and the warmth shares; the flow's client table with «Скачать CSV»."""

from __future__ import annotations

import math
from collections.abc import Callable

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from core import formatting as fmt
from core.migration import STAYED, TOP_FLOWS, TOTAL, Flow
from core.segments import NEW_SOURCE, OTHER_FLOWS, segment_color, segment_label
from dashboard import ids
from dashboard.figures import migration as charts
from dashboard.figures.common import message_figure
from dashboard.services.migration import FlowView, MigrationView, PlaceboView
from layouts.components import RU_DATE_PICKER, control, download_buttons, graph, kpi, loading, switch
from layouts.final_grid import CLIENT_COLUMNS, client_grid

LEVELS = (("region", "Регионы"), ("cluster", "Кластеры"), ("class", "Классы"))
VALUES = (("clients", "клиенты"), ("revenue_after", "выручка после бонус-даты"))
LEVEL_NAMES = {"region": "регион", "cluster": "кластер", "class": "класс"}
NO_SANKEY = message_figure("Диаграмма миграции появится, когда будет выбрана бонус-дата внутри периода.")
FLOW_PROMPT = "Нажмите на поток в диаграмме или на число в матрице, чтобы увидеть клиентов этого потока."
_CARD, *_REST = CLIENT_COLUMNS
# the flow table: the card, where the client was before the bonus date, then «Финал»'s columns (the segments after)
FLOW_GRID_COLUMNS = [
    _CARD,
    ("source_region", 105, None, None),
    ("source_cluster", 110, None, None),
    ("source_class", 100, None, None),
    *[c for c in _REST if c[0] not in ("revenue", "shops")],
]
_REVENUE = next(c for c in CLIENT_COLUMNS if c[0] == "revenue")
FLOW_GRID_COLUMNS.insert(FLOW_GRID_COLUMNS.index(next(c for c in _REST if c[0] == "avg_cheque")), _REVENUE)
FLOW_GRID_COLUMNS.insert(FLOW_GRID_COLUMNS.index(_REVENUE) + 1, ("revenue_after", 150, None, _REVENUE[3]))


def layout(first: str | None, last: str | None, bonus_date: str | None) -> html.Div:
    """The controls (bonus date inside the period, level, value) and an empty body filled by callbacks.migration."""
    bonus = dcc.DatePickerSingle(
        id=ids.MIGRATION.BONUS_DATE,
        date=bonus_date,
        min_date_allowed=first,
        max_date_allowed=last,
        initial_visible_month=bonus_date,
        placeholder="бонус-дата",
        **RU_DATE_PICKER,
    )
    controls = dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    control("Бонус-дата", bonus),
                    control("Уровень", switch(ids.MIGRATION.LEVEL, LEVELS, "region")),
                    control("Матрица показывает", switch(ids.MIGRATION.VALUE, VALUES, "clients")),
                ],
                className="g-3",
            )
        ),
        className="mb-3",
    )
    note = html.P(
        "Снимок 1 — чеки до бонус-даты включительно, снимок 2 — весь период. Оба снимка классифицированы одним "
        "набором порогов (закрепленные или предложенные по снимку 1). «новый» — клиент, которого не было "
        "до бонус-даты.",
        className="text-muted small",
    )
    flow = dbc.Card(
        dbc.CardBody(
            [
                html.H5("Клиенты потока", className="card-title"),
                html.Div(FLOW_PROMPT, id=ids.MIGRATION.FLOW_COUNT, className="mb-2"),
                html.Div(
                    [
                        dbc.Button("Скачать CSV", id=ids.MIGRATION.FLOW_CSV_BUTTON, color="primary", size="sm"),
                        dcc.Store(id=ids.MIGRATION.FLOW_CSV_LINK),  # the streamed CSV's link, opened clientside
                    ],
                    className="mb-2",
                ),
                loading(html.Div(id=ids.MIGRATION.FLOW_EXPORT_MESSAGE)),
                client_grid(ids.MIGRATION.FLOW_GRID, FLOW_GRID_COLUMNS, filters=False),
            ]
        ),
        className="mb-3",
    )
    return html.Div(
        [
            dcc.Store(id=ids.MIGRATION.FLOW),  # the selected flow's key ('region|110|410')
            controls,
            note,
            loading(html.Div(id=ids.MIGRATION.BODY, className="rfma-body")),
            loading(html.Div(id=ids.PLACEBO.BODY)),
            # the Sankey is in the skeleton (its clickData is a callback input), filled with the body
            loading(graph(NO_SANKEY, ids.MIGRATION.SANKEY)),
            html.Div(id=ids.MIGRATION.MATRIX),
            flow,
        ]
    )


def _value_text(value: float, kind: str) -> str:
    return fmt.integer(value) if kind == "clients" else fmt.money(value)


ID_SAFE = {NEW_SOURCE: "new", OTHER_FLOWS: "other"}  # a component id carries ASCII only (see cell_key)


def cell_key(key: str) -> str:
    """A flow key with «новый» / «прочие» spelled in ASCII, for a matrix cell's id: an id with Cyrillic letters is
    serialised differently by the browser and the server, so its clicks would never arrive."""
    return "|".join(ID_SAFE.get(part, part) for part in key.split("|"))


def flow_key(key: object) -> str:
    """The flow key of a matrix cell's id key (the inverse of cell_key)."""
    back = {v: k for k, v in ID_SAFE.items()}
    return "|".join(back.get(part, part) for part in str(key or "").split("|"))


def render_matrix(
    table: pd.DataFrame,
    level: str,
    value: str,
    cell_id: Callable[[str], dict] = ids.migration_flow,
    sides: tuple[str, str] = ("до бонус-даты", "после"),
) -> html.Div:
    """The flow matrix as a table: sources down (warmth order), destinations across, each non-empty cell a button
    (id `cell_id(flow key)`) that opens its flow; the row's total and «осталось %» (clients whose segment is
    unchanged) on the right. `sides` name the rows' and the columns' snapshots (another tab reuses it)."""
    columns = [c for c in table.columns if c not in (TOTAL, STAYED)]
    peak = max((float(v) for v in table[columns].to_numpy().ravel()), default=0.0) or 1.0
    unit = "клиенты" if value == "clients" else "выручка после бонус-даты, ₽"
    head = html.Tr(
        [
            html.Th("до \\ после", className="rfma-matrix-corner"),
            *[html.Th(segment_label(level, c), style={"color": segment_color(level, c)}) for c in columns],
            html.Th("Всего"),
            html.Th("осталось %", title="доля клиентов строки, чей сегмент не изменился"),
        ]
    )
    rows = []
    for source, row in table.iterrows():
        code = str(source)
        cells = [html.Th(segment_label(level, code), style={"color": segment_color(level, code)})]
        for destination in columns:
            amount = float(row[destination])
            if amount <= 0:
                cells.append(html.Td(""))
                continue
            flow = Flow(level, code, str(destination))
            shade = f"rgba(13,110,253,{0.08 + 0.5 * amount / peak:.3f})"
            cells.append(
                html.Td(
                    html.Button(
                        _value_text(amount, value),
                        id=cell_id(cell_key(flow.key)),
                        className="rfma-flow-cell",
                        title=f"{flow.label}: открыть клиентов потока",
                    ),
                    style={"background": shade},
                    className="rfma-stayed" if code == destination else None,
                )
            )
        stayed = row[STAYED]
        cells.append(html.Td(_value_text(float(row[TOTAL]), value), className="rfma-matrix-total"))
        cells.append(html.Td("—" if math.isnan(stayed) else fmt.percent(stayed), className="rfma-matrix-total"))
        rows.append(html.Tr(cells))
    caption = html.Div(
        f"Матрица миграции ({unit}). Строки — {LEVEL_NAMES[level]} {sides[0]}, столбцы — {sides[1]}; "
        "нажмите на число, чтобы открыть клиентов потока.",
        className="rfma-group-title",
    )
    matrix = html.Table([html.Thead(head), html.Tbody(rows)], className="table table-sm rfma-matrix mb-0")
    return html.Div([caption, html.Div(matrix, className="rfma-matrix-scroll")])


def render_flow(view: FlowView) -> html.Span:
    """The count line above the flow's clients: the flow, how many clients, their revenue after the bonus date."""
    return html.Span(
        [
            html.B(f"{view.flow.label}: {fmt.count(view.clients, *fmt.CLIENTS)}"),
            f" · выручка после бонус-даты {fmt.money(view.revenue_after)} · бонус-дата {fmt.date(view.bonus_date)}",
        ]
    )


def top_flows(n: int) -> str:
    """'15 крупнейших потоков', '21 крупнейший поток', '2 крупнейших потока'."""
    return fmt.count(n, "крупнейший поток", "крупнейших потока", "крупнейших потоков")


def other_flows(n: int) -> str:
    """'остальной 1 поток объединён', 'остальные 3 потока объединены', 'остальные 7 потоков объединены'."""
    if fmt.plural(n, "one", "few", "many") == "one":
        return f"остальной {fmt.count(n, 'поток', 'потока', 'потоков')} объединён"
    return f"остальные {fmt.count(n, 'поток', 'потока', 'потоков')} объединены"


def render_migration(view: MigrationView, level: str, value: str) -> tuple[html.Div, go.Figure, html.Div]:
    """(shares of warmed / stayed / cooled and new clients with the notes, the Sankey, the flow matrix) of one
    level; the Sankey always counts clients (the value switch is the matrix's)."""
    s = view.shares
    drawn = view.sankeys[level]
    merged = len(view.matrices[level]) - len(drawn) + 1 if OTHER_FLOWS in set(drawn[f"source_{level}"]) else 0
    sankey_note = (
        [
            html.P(
                f"На диаграмме — {top_flows(TOP_FLOWS)}; {other_flows(merged)} в «прочие → прочие». "
                "Все потоки — в матрице ниже.",
                className="text-muted small",
            )
        ]
        if merged
        else []
    )
    cards = dbc.Row(
        [
            kpi(
                "Потеплели",
                fmt.percent(s["warmed_share"]),
                fmt.count(s["warmed"], *fmt.CLIENTS),
                ids.MIGRATION.WARMED,
            ),
            kpi("Остались", fmt.percent(s["stayed_share"]), fmt.count(s["stayed"], *fmt.CLIENTS), ids.MIGRATION.STAYED),
            kpi("Остыли", fmt.percent(s["cooled_share"]), fmt.count(s["cooled"], *fmt.CLIENTS), ids.MIGRATION.COOLED),
            kpi("Новые клиенты", fmt.integer(s["new"]), "впервые купили после бонус-даты", ids.MIGRATION.NEW),
        ],
        className="g-3 mb-2",
        id=ids.MIGRATION.SHARES,
    )
    among = fmt.count(s["returning"], *fmt.CLIENTS_GENITIVE)
    note = html.P(
        f"Бонус-дата {fmt.date(view.bonus_date)}. Доли — среди {among}, "
        "бывших до бонус-даты; «потеплели» — цифра прогрева региона уменьшилась (например, 4 → 2).",
        className="text-muted small",
    )
    used = ", ".join(f"{name} = {fmt.threshold(number)}" for name, number in view.thresholds.items())
    thresholds = html.P(
        f"Оба снимка классифицированы одними порогами (закреплёнными или предложенными по снимку до бонус-даты, "
        f"поэтому «после» может отличаться от вкладки «Финал»): {used}.",
        className="text-muted small",
        id=ids.MIGRATION.THRESHOLDS,
    )
    warnings = [dbc.Alert(w, color="info", className="small py-2") for w in view.warnings]
    body = html.Div([cards, note, thresholds, *warnings, *sankey_note])
    sankey = charts.migration_sankey(view.sankeys[level], level, "clients")
    matrix = html.Div([download_buttons("migration"), render_matrix(view.tables[(level, value)], level, value)])
    return body, sankey, matrix


PLACEBO_ROWS = (("warmed", "Потеплели"), ("stayed", "Остались"), ("cooled", "Остыли"))


def _share(counts: dict[str, int], name: str) -> str:
    n = counts["n"]
    return f"{fmt.percent(counts[name] / n if n else 0.0)} ({fmt.integer(counts[name])} из {fmt.integer(n)})"


def _points(value: float | None) -> str:
    return "—" if value is None else f"{fmt.number(value * 100, 1)} п. п."


def render_placebo(view: PlaceboView) -> dbc.Card:
    """The placebo check: actual shares beside the placebo's, each difference with its 95% interval, the verdict."""
    lag = (view.analysis_date - view.bonus_date).days
    intro = html.P(
        f"Плацебо — та же миграция, сдвинутая назад на {fmt.count(lag, 'день', 'дня', 'дней')}: бонус-дата "
        f"{fmt.date(view.placebo_bonus_date)}, конец периода {fmt.date(view.bonus_date)}, те же пороги. Если "
        "доли почти такие же, движение между сегментами объясняется временем, а не бонус-датой.",
        className="text-muted small",
    )
    verdict = html.Div(
        view.verdict, id=ids.PLACEBO.VERDICT, className="fw-semibold " + ("text-success" if view.differs else "")
    )
    if view.placebo is None:
        return dbc.Card(
            dbc.CardBody([html.H5("Плацебо-проверка", className="card-title"), intro, verdict]), className="mb-3"
        )
    header = html.Thead(
        html.Tr([html.Th(""), html.Th("Факт"), html.Th("Плацебо"), html.Th("Разница"), html.Th("95% интервал")])
    )
    rows = []
    for name, title in PLACEBO_ROWS:
        diff, ci = view.differences[name]
        interval = "—" if ci is None else f"{_points(ci[0])} … {_points(ci[1])}"
        rows.append(
            html.Tr(
                [
                    html.Th(title),
                    html.Td(_share(view.actual, name)),
                    html.Td(_share(view.placebo, name)),
                    html.Td(_points(diff)),
                    html.Td(interval),
                ]
            )
        )
    table = dbc.Table([header, html.Tbody(rows)], size="sm", striped=True, className="mb-2")
    warnings = [dbc.Alert(w, color="warning", className="small py-2 mt-2 mb-0") for w in view.warnings]
    return dbc.Card(
        dbc.CardBody([html.H5("Плацебо-проверка", className="card-title"), intro, table, verdict, *warnings]),
        className="mb-3",
    )
