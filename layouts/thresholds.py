"""Tab «Пороги»: the nine threshold inputs, a reset button, and sub-tabs Recency / Frequency / Monetary / Age."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard import ids
from layouts.components import loading

GROUPS = (
    ("Recency (давность, дней)", ("r1", "r2", "r3")),
    ("Frequency (частота)", ("f1", "f2")),
    ("Monetary (средний чек, ₽)", ("m1", "m2")),
    ("Age (возраст клиента, дней)", ("a1", "a2")),
)
STEPS = {"r1": 1, "r2": 1, "r3": 1, "a1": 1, "a2": 1, "f1": "any", "f2": "any", "m1": "any", "m2": "any"}
SUBTABS = (
    (ids.SUBTAB_RECENCY, "Recency"),
    (ids.SUBTAB_FREQUENCY, "Frequency"),
    (ids.SUBTAB_MONETARY, "Monetary"),
    (ids.SUBTAB_AGE, "Age"),
)


def threshold_field(name: str) -> html.Div:
    return html.Div(
        [
            dbc.InputGroup(
                [
                    dbc.InputGroupText(name, className="rfma-threshold-name"),
                    dbc.Input(
                        id=ids.threshold_input(name),
                        name=f"threshold-{name}",
                        type="number",
                        step=STEPS[name],
                        debounce=True,
                        inputmode="decimal",
                        className="rfma-threshold-input",
                    ),
                ],
                size="sm",
            ),
            html.Small(id=ids.threshold_hint(name), className="rfma-threshold-hint text-muted"),
        ],
        className="rfma-threshold-field",
    )


def layout() -> html.Div:
    groups = [
        dbc.Col(
            [html.Div(title, className="rfma-group-title")] + [threshold_field(name) for name in names],
            xs=12,
            sm=6,
            lg=3,
        )
        for title, names in GROUPS
    ]
    controls = dbc.Card(
        dbc.CardBody(
            [
                dbc.Row(groups, className="g-3"),
                html.Div(
                    [
                        dbc.Button(
                            "Сбросить к предложенным",
                            id=ids.THRESHOLDS.RESET,
                            color="secondary",
                            outline=True,
                            size="sm",
                        ),
                        html.Span(id=ids.THRESHOLDS.STATUS, className="ms-3 text-muted small"),
                    ],
                    className="mt-3 d-flex align-items-center flex-wrap",
                ),
                html.Div(id=ids.THRESHOLDS.ERROR),
                html.Div(id=ids.THRESHOLDS.WARNINGS),
            ]
        ),
        className="mb-3 rfma-thresholds",
    )
    subtabs = dbc.Tabs(
        [dbc.Tab(label=label, tab_id=tab_id, tab_class_name=f"rfma-{tab_id}") for tab_id, label in SUBTABS],
        id=ids.THRESHOLDS.SUBTABS,
        active_tab=ids.SUBTAB_RECENCY,
        persistence=True,
        persistence_type="session",
    )
    return html.Div([controls, subtabs, loading(html.Div(id=ids.THRESHOLDS.BODY, className="rfma-body pt-3"))])
