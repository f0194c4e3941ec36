"""«Справка»: a short glossary of the codes (R, F, M, A, class, cluster, region, warmth), reachable from every tab
through the header's button."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from core import glossary
from core.segments import (
    CLUSTER_NAMES,
    GRADE_NAMES,
    REGION_NAMES,
    REGION_OF_CLUSTER,
    REGION_RECOMMENDATIONS,
    WARMTH_NAMES,
    warmth_of_region,
)
from dashboard import ids


def _metric(metric: str) -> html.Div:
    title, unit, grades = glossary.METRICS[metric]
    names = ", ".join(f"{code} {name}" for code, name in GRADE_NAMES[metric].items())
    return html.Div(
        [
            html.Dt(title),
            html.Dd([html.Div(unit), html.Div(f"Оценки: {names}. {grades}.", className="text-muted")]),
        ]
    )


def regions_list() -> html.Ul:
    """The 9 regions: code, name, warmth and the recommended action."""
    items = []
    for region, name in REGION_NAMES.items():
        warmth = warmth_of_region(region)
        clusters = ", ".join(str(c) for c, r in REGION_OF_CLUSTER.items() if r == region)
        items.append(
            html.Li(
                [
                    html.B(f"{region} {name}"),
                    f" — прогрев {warmth} {WARMTH_NAMES[warmth]}; кластеры {clusters}.",
                    html.Div(REGION_RECOMMENDATIONS[region], className="small text-muted"),
                ],
                className="mb-2",
            )
        )
    return html.Ul(items, className="ps-3")


def clusters_list() -> html.Ul:
    """The 16 clusters: code, name and region."""
    return html.Ul(
        [html.Li(f"{code} {name} → регион {REGION_OF_CLUSTER[code]}") for code, name in CLUSTER_NAMES.items()],
        className="ps-3 small rfma-help-clusters",
    )


def help_body() -> html.Div:
    """The glossary's text."""
    return html.Div(
        [
            html.P(
                "Каждый клиент получает четыре оценки за выбранный период; пороги r1 … a2 — на вкладке «Пороги».",
                className="small",
            ),
            html.Dl([_metric(m) for m in ("r", "f", "m", "a")], className="rfma-help-metrics"),
            html.H6("Коды"),
            html.P(glossary.CLASS_CODE, className="small"),
            html.P(glossary.CLUSTER_CODE, className="small"),
            html.P(glossary.REGION_CODE, className="small"),
            html.P(glossary.WARMTH, className="small"),
            html.H6("9 регионов и что с ними делать"),
            regions_list(),
            html.H6("16 кластеров"),
            clusters_list(),
            html.H6("Когорты, LTV, Парето, динамика базы"),
            html.Dl(
                [
                    part
                    for name, text in glossary.COHORT_TERMS.items()
                    for part in (html.Dt(name, className="small"), html.Dd(text, className="small"))
                ],
                className="rfma-help-cohorts",
            ),
            html.P("Наведите указатель на код в таблице — появится его расшифровка.", className="small text-muted"),
        ]
    )


def help_panel() -> dbc.Offcanvas:
    """The side panel opened by «Справка» in the header (on every tab)."""
    return dbc.Offcanvas(
        help_body(),
        id=ids.SHELL.HELP,
        title="Справка: коды и показатели",
        is_open=False,
        placement="end",
        scrollable=True,
        style={"width": "560px"},
    )
