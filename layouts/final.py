"""Tab «Финал»: regions, clusters, the 108 classes, recommendations, and a client lookup by card."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard import ids
from layouts.components import card, loading


def layout() -> html.Div:
    lookup = card(
        [
            dbc.InputGroup(
                [
                    dbc.Input(id=ids.FINAL.CARD_INPUT, placeholder="номер карты, например 100042", type="text",
                              debounce=False, autocomplete="off"),
                    dbc.Button("Найти", id=ids.FINAL.CARD_BUTTON, color="primary"),
                ],
                style={"maxWidth": "420px"},
            ),
            loading(html.Div(id=ids.FINAL.CARD_RESULT, className="pt-3")),
        ],
        title="Клиент по номеру карты",
    )  # fmt: skip
    return html.Div([lookup, loading(html.Div(id=ids.FINAL.BODY, className="rfma-body"))])
