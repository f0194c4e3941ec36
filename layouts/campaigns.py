"""Tab «Кампании»: the campaign list with its window's status, one campaign's report (both groups side by side, the
uplifts with their intervals drawn, incremental revenue, the verdict, warnings) and its responders."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from core import formatting as fmt
from dashboard import ids
from dashboard.appdb.campaigns import STATUS_NAMES
from dashboard.figures import campaigns as charts
from dashboard.figures.common import message_figure
from dashboard.services.campaigns import GROUP_HEADER, CampaignReport, CampaignRow
from layouts.components import card, graph, loading, table
from layouts.final_grid import CLIENT_COLUMNS, client_grid

NO_UPLIFT = message_figure("Выберите кампанию — здесь появится её эффект с 95% интервалами.")
NO_CAMPAIGNS = (
    "Кампаний пока нет. Создайте первую на вкладке «Финал»: выберите сегмент и нажмите «Создать кампанию» — "
    "или на вкладках «Когорты» и «История» над списком клиентов (или командой rfma campaign create)."
)
RESPONDERS_PROMPT = "Выберите кампанию, чтобы увидеть откликнувшихся клиентов."
_MONEY = next(c[3] for c in CLIENT_COLUMNS if c[0] == "revenue")
RESPONDER_GRID_COLUMNS = [
    ("card", 150, None, None),
    ("group", 130, None, None),
    ("purchases", 110, None, None),
    ("revenue", 140, None, _MONEY),
]
FIGURES = (
    ("clients", "Клиентов", fmt.integer),
    ("responders", "Откликнулись", fmt.integer),
    ("response_rate", "Отклик", fmt.percent),
    ("purchases", "Покупок", fmt.integer),
    ("revenue", "Выручка", fmt.money),
    ("revenue_per_client", "Выручка на клиента", lambda v: fmt.money(v, 2)),
    ("avg_cheque", "Средний чек", lambda v: fmt.money(v, 2)),
)
STATUS_COLORS = {"running": "info", "finished": "success", "partial": "warning"}


def layout() -> html.Div:
    """The campaign list, the pick, the report and the responders' table (filled by callbacks.campaigns)."""
    pick = dbc.Select(id=ids.CAMPAIGNS.PICK, options=[], placeholder="Выберите кампанию")
    responders = card(
        [
            html.Div(RESPONDERS_PROMPT, id=ids.CAMPAIGNS.RESPONDERS_COUNT, className="mb-2"),
            html.Div(
                [
                    dbc.Button("Скачать CSV", id=ids.CAMPAIGNS.CSV_BUTTON, color="primary", size="sm"),
                    dcc.Store(id=ids.CAMPAIGNS.CSV_LINK),
                ],
                className="mb-2",
            ),
            loading(html.Div(id=ids.CAMPAIGNS.EXPORT_MESSAGE)),
            client_grid(
                ids.CAMPAIGNS.RESPONDERS_GRID, RESPONDER_GRID_COLUMNS, filters=False, headers={"group": GROUP_HEADER}
            ),
        ],
        "Откликнувшиеся клиенты (покупка в окне замера)",
    )
    return html.Div(
        [
            card(loading(html.Div(id=ids.CAMPAIGNS.BODY)), "Кампании"),
            card(
                [
                    html.Div(pick, className="mb-3"),
                    loading(html.Div(id=ids.CAMPAIGNS.REPORT)),
                    graph(NO_UPLIFT, ids.CAMPAIGNS.UPLIFT),
                ],
                "Отчёт кампании",
            ),
            responders,
        ]
    )


def _list_row(row: CampaignRow) -> dict:
    c = row.campaign
    return {
        "name": c.name,
        "status": row.status_name,
        "start": fmt.date(c.start_date),
        "window": f"{fmt.date(c.start_date + dt.timedelta(days=1))} — {fmt.date(c.full_end)}",
        "target": fmt.integer(c.target_clients),
        "control": f"{fmt.integer(c.control_clients)} ({fmt.percent(c.control_share, 0)})",
        "selection": c.selection,
        "created": f"{c.created_by}, {fmt.date_time(c.created_at)} UTC",
    }


def render_list(rows: list[CampaignRow]) -> tuple[html.Div, list[dict]]:
    """(the list as a table, the pick's options) of the campaigns, newest first."""
    options = [{"label": row.campaign.name, "value": row.campaign.name} for row in rows]
    if not rows:
        return html.P(NO_CAMPAIGNS, className="text-muted"), options
    frame = pd.DataFrame([_list_row(row) for row in rows])
    columns = {
        "name": "Кампания",
        "status": "Статус",
        "start": "Старт (t0)",
        "window": "Окно замера",
        "target": "Целевая",
        "control": "Контрольная",
        "selection": "Выборка",
        "created": "Создал",
    }
    return table(frame, columns, class_name="rfma-campaign-list"), options


def _groups_table(report: CampaignReport) -> dbc.Table:
    effect = report.effect
    header = html.Thead(html.Tr([html.Th(""), html.Th("Целевая группа"), html.Th("Контрольная группа")]))
    rows = [
        html.Tr(
            [
                html.Th(title),
                html.Td(render(getattr(effect.target, name))),
                html.Td(render(getattr(effect.control, name))),
            ]
        )
        for name, title, render in FIGURES
    ]
    return dbc.Table([header, html.Tbody(rows)], size="sm", striped=True, className="rfma-campaign-groups")


def _interval(ci, render) -> str:
    return "не определён" if ci is None else f"{render(ci[0])} … {render(ci[1])}"


def render_report(report: CampaignReport):
    """(the report's body, the uplift chart, the responders' count line) of one campaign."""
    c, effect = report.campaign, report.effect
    window = effect.window
    status = dbc.Badge(
        STATUS_NAMES[report.status],
        color=STATUS_COLORS[report.status],
        className="ms-2",
    )
    head = html.P(
        [
            html.B(c.name),
            status,
            html.Br(),
            f"Старт {fmt.date(c.start_date)}, окно {fmt.count(c.window_days, 'день', 'дня', 'дней')}: "
            f"{fmt.date(window.first_day)} — {fmt.date(window.full_end)}; измерено по {fmt.date(window.end)}"
            + (" (неполное окно)" if window.partial else "")
            + f". Выборка: {c.selection}.",
        ],
        className="small",
    )
    verdict_color = "success" if effect.proven else "secondary"
    verdict = dbc.Alert(
        [html.B("Вердикт: "), report.verdict],
        color=verdict_color,
        className="py-2",
        id=ids.CAMPAIGNS.VERDICT,
    )
    uplift = html.Ul(
        [
            html.Li(
                f"Отклик: разница {fmt.number((effect.response_rate_diff or 0) * 100, 1)} п. п., 95% интервал "
                + _interval(effect.response_rate_ci, lambda v: f"{fmt.number(v * 100, 1)} п. п.")
            ),
            html.Li(
                f"Выручка на клиента: разница {fmt.money(effect.revenue_per_client_diff, 2)}, 95% интервал "
                + _interval(effect.revenue_per_client_ci, lambda v: fmt.money(v, 2))
            ),
            html.Li(
                [
                    html.B("Дополнительная выручка: "),
                    fmt.money(effect.incremental_revenue),
                    " (разница выручки на клиента × клиенты целевой группы)",
                ]
            ),
        ],
        className="small",
    )
    warnings = [dbc.Alert(w, color="warning", className="small py-2") for w in effect.warnings]
    if report.other_source:
        warnings.append(
            dbc.Alert("Кампания создана на другом источнике данных.", color="warning", className="small py-2")
        )
    body = html.Div([head, _groups_table(report), verdict, uplift, *warnings])
    figure = charts.uplift_figure(
        effect.response_rate_diff,
        effect.response_rate_ci,
        effect.revenue_per_client_diff,
        effect.revenue_per_client_ci,
        effect.proven,
    )
    responders = len(effect.responders())
    count = html.Span(
        [
            html.B(fmt.count(responders, "откликнувшийся клиент", "откликнувшихся клиента", "откликнувшихся клиентов")),
            f" обеих групп за окно {fmt.date(window.first_day)} — {fmt.date(window.end)}",
        ]
    )
    return body, figure, count
