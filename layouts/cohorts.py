"""Tab «Когорты»: the segment tree on the left; the cohort heatmap with its metric switch and the cohort sizes,
the LTV curves by cohort age, the Pareto curve with its two figures in words and its bands, the client-base
dynamics with a pharmacy selector; the clicked element's clients in a table with «Скачать CSV»."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from core import formatting as fmt
from core.cohorts import CHAIN
from core.glossary import COHORT_TERMS
from core.segment_tree import ALL, Segment
from dashboard import ids
from dashboard.figures import cohorts as charts
from dashboard.figures.common import message_figure, partial_label
from dashboard.services.cohorts import (
    CohortsView,
    DynamicsView,
    ParetoView,
    PickView,
    band_label,
    headline_80,
    headline_top20,
)
from layouts import campaign_form
from layouts.components import dropdown, graph, loading
from layouts.final_grid import CLIENT_COLUMNS, client_grid
from layouts.final_tree import static_tree, tree_holder, tree_list

METRICS = (
    ("retention", "удержание %"),
    ("active_clients", "активные клиенты"),
    ("revenue", "выручка"),
    ("avg_cheque", "средний чек"),
    ("ltv", "LTV"),
)
PICK_PROMPT = (
    "Нажмите на ячейку тепловой карты (или на размер когорты), на группу Парето или на столбец динамики, "
    "чтобы увидеть этих клиентов."
)
WAITING = message_figure("Данные загружаются…")
CAMPAIGN_FORM = "cohorts"  # the tab of «Создать кампанию»'s ids (callbacks.cohorts wires the same one)


def term(name: str, text: str | None = None) -> html.Abbr:
    """A glossary term with its explanation as the tooltip (the same text as in «Справка»)."""
    return html.Abbr(text or name, title=COHORT_TERMS[name], className="rfma-term")


def layout(selected: str = ALL) -> html.Div:
    """The skeleton: tree, heatmap, curves, dynamics and the pick's client table, filled by callbacks.cohorts."""
    tree = dbc.Card(
        dbc.CardBody(
            [
                html.Div("Сегмент", className="rfma-group-title"),
                tree_holder(ids.COHORTS.TREE, ids.COHORTS.TREE_CLICK, static_tree(selected)),
            ]
        ),
        className="rfma-tree-card h-100",
    )
    metric = dbc.RadioItems(
        id=ids.COHORTS.METRIC,
        options=[{"label": label, "value": value} for value, label in METRICS],
        value="retention",
        inline=True,
        persistence=True,
        persistence_type="session",
    )
    heat = dbc.Card(
        dbc.CardBody(
            [
                html.Div(id=ids.COHORTS.BREADCRUMB, className="mb-2"),
                html.Div(
                    [html.Span("Показатель ", className="rfma-group-title"), metric],
                    className="mb-2",
                ),
                loading(graph(WAITING, ids.COHORTS.HEATMAP)),
                html.Div(id=ids.COHORTS.COHORT_NOTE, className="text-muted small"),
            ]
        ),
        className="h-100",
    )
    explain = html.P(
        [
            term("когорта", "Когорта"),
            " — клиенты, впервые купившие в одном месяце (за всю историю, а не только за период). ",
            term("удержание", "Удержание"),
            " — доля когорты, купившая в k-м месяце; ",
            term("LTV"),
            " — накопленная выручка когорты на клиента. Сегмент слева ограничивает когорты и кривые LTV его "
            "клиентами; Парето и динамика — по всем клиентам периода.",
        ],
        className="text-muted small",
    )
    pareto = dbc.Card(
        dbc.CardBody(
            [
                html.Div(id=ids.COHORTS.PARETO_HEADLINES, className="rfma-pareto-headlines mb-2"),
                loading(graph(WAITING, ids.COHORTS.PARETO)),
                html.Div(id=ids.COHORTS.PARETO_BANDS),
            ]
        ),
        className="h-100",
    )
    shop = dropdown(
        ids.COHORTS.SHOP,
        "Аптека: вся сеть или одна аптека",
        options=[{"label": CHAIN, "value": CHAIN}],
        value=CHAIN,
        clearable=False,
        searchable=True,
        persistence=True,
        persistence_type="session",
    )
    dynamics = dbc.Card(
        dbc.CardBody(
            [
                dbc.Row(
                    [
                        dbc.Col(html.Div("Аптека", className="rfma-group-title"), width="auto"),
                        dbc.Col(shop, md=4),
                    ],
                    className="g-2 align-items-center mb-2",
                ),
                loading(graph(WAITING, ids.COHORTS.DYNAMICS)),
                html.Div(id=ids.COHORTS.DYNAMICS_NOTE, className="text-muted small"),
            ]
        ),
        className="h-100",
    )
    pick = dbc.Card(
        dbc.CardBody(
            [
                html.H5("Клиенты выбранного", className="card-title"),
                html.Div(PICK_PROMPT, id=ids.COHORTS.PICK_COUNT, className="mb-2"),
                html.Div(
                    [
                        dbc.Button("Скачать CSV", id=ids.COHORTS.PICK_CSV_BUTTON, color="primary", size="sm"),
                        campaign_form.open_button(CAMPAIGN_FORM),
                        campaign_form.modal(CAMPAIGN_FORM),
                        dcc.Store(id=ids.COHORTS.PICK_CSV_LINK),
                    ],
                    className="d-flex flex-wrap align-items-center gap-3 mb-2",
                ),
                loading(html.Div(id=ids.COHORTS.PICK_EXPORT_MESSAGE)),
                client_grid(ids.COHORTS.PICK_GRID, CLIENT_COLUMNS, filters=False),
            ]
        ),
        className="mb-3",
    )
    return html.Div(
        [
            dcc.Store(id=ids.COHORTS.SELECTION, data=selected),
            dcc.Store(id=ids.COHORTS.TREE_CLICK),
            dcc.Store(id=ids.COHORTS.DRAWN_TREE),
            dcc.Store(id=ids.COHORTS.PICK),
            explain,
            dbc.Row([dbc.Col(tree, lg=3), dbc.Col(heat, lg=9)], className="g-3 mb-3"),
            dbc.Row(
                [
                    dbc.Col(dbc.Card(dbc.CardBody(loading(graph(WAITING, ids.COHORTS.LTV)))), lg=6),
                    dbc.Col(pareto, lg=6),
                ],
                className="g-3 mb-3",
            ),
            dbc.Row([dbc.Col(dynamics, lg=12)], className="g-3 mb-3"),
            pick,
        ]
    )


def render_tree(tree: pd.DataFrame, selected: str) -> html.Div:
    """The segment tree with the period's client counts, `selected` marked."""
    return tree_list(tree, selected=selected)


def render_breadcrumb(segment: Segment) -> html.Nav:
    """The path from all clients down to the segment whose cohorts are shown (text: the tree selects)."""
    path = segment.path()
    items = [html.Li(s.label, className="breadcrumb-item") for s in path[:-1]]
    items.append(html.Li(path[-1].label, className="breadcrumb-item active", **{"aria-current": "page"}))
    return html.Nav(html.Ol(items, className="breadcrumb mb-0"), **{"aria-label": "Сегмент когорт"})


def render_cohorts(view: CohortsView, metric: str) -> tuple[html.Nav, go.Figure, html.Div, go.Figure]:
    """(breadcrumb, heatmap, its note, LTV curves) of a segment's cohort table."""
    figure = charts.cohort_heatmap(view.cells, metric, view.segment.node_id, view.partial_days)
    cohorts = view.cells["cohort"].nunique() if not view.is_empty else 0
    clients = int(view.cells.groupby("cohort")["cohort_clients"].first().sum()) if cohorts else 0
    parts = [
        f"{fmt.count(cohorts, 'когорта', 'когорты', 'когорт')}, {fmt.count(clients, *fmt.CLIENTS)}.",
    ]
    if view.partial_days:
        parts.append(f"{charts.PARTIAL_MARK} — {partial_label(view.partial_days)}: его показатели неполные.")
    parts.append("Нажмите на ячейку — клиенты когорты, купившие в этом месяце; на размер когорты — все её клиенты.")
    return render_breadcrumb(view.segment), figure, html.Div(" ".join(parts)), charts.ltv_curves(view.ltv)


def render_pareto(view: ParetoView) -> tuple[html.Div, go.Figure, html.Div]:
    """(the two figures in words, the curve, the bands as buttons that open their clients)."""
    p = view.pareto
    headlines = html.Div(
        [
            html.Div(html.B(headline_top20(p.top20_revenue_share)), id=ids.COHORTS.PARETO_TOP20),
            html.Div(html.B(headline_80(p.clients_share_for_80_revenue)), id=ids.COHORTS.PARETO_80),
            html.Div(
                [
                    term("Парето", "Парето"),
                    f": {fmt.count(p.clients, *fmt.CLIENTS)} периода по убыванию выручки, "
                    f"всего {fmt.money(p.revenue)}.",
                ],
                className="text-muted small",
            ),
        ]
    )
    buttons = [
        html.Button(
            [
                html.Span(band_label(int(row.band)), className="rfma-band-name"),
                html.Span(
                    f" · {fmt.count(int(row.clients), *fmt.CLIENTS)} · {fmt.percent(row.revenue_share)} выручки",
                    className="rfma-band-figures",
                ),
            ],
            id=ids.cohort_band(int(row.band)),
            n_clicks=0,
            type="button",
            className="btn btn-outline-secondary btn-sm me-1 mb-1 rfma-band",
            title=f"{band_label(int(row.band))}: открыть клиентов",
            disabled=int(row.clients) == 0,
        )
        for row in view.bands.itertuples()
    ]
    bands = html.Div([html.Div("Группы по выручке (нажмите, чтобы открыть):", className="small mb-1"), *buttons])
    return headlines, charts.pareto_curve(p.curve, view.bands), bands


def shop_options(view: DynamicsView) -> list[dict]:
    """«Вся сеть» and each pharmacy."""
    return [{"label": shop, "value": shop} for shop in view.shops]


def render_dynamics(view: DynamicsView, shop: str) -> tuple[go.Figure, html.Div]:
    """(the chart of one scope, its note with r3 in force)."""
    scope = shop if shop in view.shops else CHAIN
    note = html.Div(
        [
            "Активные — клиенты с последней покупкой не дальше ",
            term("период оттока", f"периода оттока r3 = {fmt.count(view.churn_days, *fmt.DAYS)}"),
            " от конца месяца: ",
            term("новые"),
            " (первая покупка в этом месяце), ",
            term("разовые"),
            " (одна покупка), ",
            term("повторные"),
            " (две и больше); линия — ",
            term("ушедшие"),
            ". Нажмите на столбец или точку, чтобы открыть клиентов.",
        ]
    )
    return charts.dynamics_chart(view.of(scope), scope, view.partial_days), note


def render_pick(view: PickView) -> html.Span:
    """The count line above the pick's clients."""
    parts: list = [html.B(f"{view.pick.label}: {fmt.count(view.clients, *fmt.CLIENTS)}")]
    if view.listed < view.clients:
        gone = view.clients - view.listed
        parts.append(
            f" · в таблице {fmt.integer(view.listed)}: у {fmt.count(gone, *fmt.CLIENTS_GENITIVE)} нет покупок "
            "в периоде (они купили до его начала)"
        )
    parts.append(f" · выручка в периоде {fmt.money(view.revenue)}")
    return html.Span(parts)
