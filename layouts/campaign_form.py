"""«Создать кампанию»: a button and its modal form (name, control share, window, the global control group's note),
the same on every tab that offers it; `callbacks.campaign_form.register_form` wires one tab's form to its selection."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from core import formatting as fmt
from core.campaigns import DEFAULT_CONTROL_SHARE, DEFAULT_WINDOW_DAYS, MAX_WINDOW_DAYS
from dashboard import ids
from dashboard.appdb.campaigns import Campaign
from layouts.components import loading


def open_button(tab: str) -> dbc.Button:
    """The button that opens the tab's form (placed next to the tab's other actions on its selection)."""
    return dbc.Button(
        "Создать кампанию",
        id=ids.campaign_form("open", tab),
        color="warning",
        outline=True,
        size="sm",
        title="Заморозить клиентов выборки как кампанию: контрольная группа по хешу, целевой список скачается сразу",
    )


def modal(tab: str) -> html.Div:
    """The form (hidden until the button is pressed) and the store of its target list's download link."""

    def field(label: str, component, hint: str) -> dbc.Row:
        return dbc.Row(
            [
                dbc.Label(label, width=4),
                dbc.Col([component, dbc.FormText(hint)], width=8),
            ],
            className="mb-3",
        )

    body = dbc.ModalBody(
        [
            html.P(
                "Кампания — замороженный список клиентов текущей выборки. Часть клиентов по хешу номера карты "
                "уходит в контрольную группу и рассылку не получает; эффект потом измеряется на вкладке «Кампании».",
                className="small text-muted",
            ),
            field(
                "Название",
                dbc.Input(id=ids.campaign_form("name", tab), type="text", maxLength=120, autocomplete="off"),
                "уникальное; от него зависит разбиение на группы",
            ),
            field(
                "Контрольная группа, %",
                dbc.Input(
                    id=ids.campaign_form("control", tab),
                    type="number",
                    min=1,
                    max=49,
                    step=1,
                    value=round(DEFAULT_CONTROL_SHARE * 100),
                ),
                "больше 0 и меньше 50",
            ),
            field(
                "Окно замера, дней",
                dbc.Input(
                    id=ids.campaign_form("window", tab),
                    type="number",
                    min=1,
                    max=MAX_WINDOW_DAYS,
                    step=1,
                    value=DEFAULT_WINDOW_DAYS,
                ),
                "эффект считается за дни t0 + 1 … t0 + окно, t0 — дата анализа выборки",
            ),
            html.Div(id=ids.campaign_form("global", tab), className="small text-muted mb-2"),
            loading(html.Div(id=ids.campaign_form("message", tab))),
        ]
    )
    footer = dbc.ModalFooter(
        [
            dbc.Button("Закрыть", id=ids.campaign_form("close", tab), color="secondary", outline=True),
            dbc.Button("Создать и скачать целевой список", id=ids.campaign_form("create", tab), color="primary"),
        ]
    )
    return html.Div(
        [
            dbc.Modal(
                [dbc.ModalHeader(dbc.ModalTitle("Создать кампанию")), body, footer],
                id=ids.campaign_form("modal", tab),
                is_open=False,
                size="lg",
            ),
            dcc.Store(id=ids.campaign_form("link", tab)),  # the target list's link, opened clientside
        ]
    )


def render_created(campaign: Campaign, file_name: str) -> dbc.Alert:
    """What the form says after a campaign is stored."""
    return dbc.Alert(
        [
            html.B(f"Кампания «{campaign.name}» создана. "),
            f"Целевая группа: {fmt.count(campaign.target_clients, *fmt.CLIENTS)}, контрольная: "
            f"{fmt.count(campaign.control_clients, *fmt.CLIENTS)}; старт {fmt.date(campaign.start_date)}, окно "
            f"{fmt.count(campaign.window_days, 'день', 'дня', 'дней')}. Файл {file_name} скачивается; отчёт — на "
            "вкладке «Кампании».",
        ],
        color="success",
        className="small py-2 mb-0",
    )
