"""The header: title, the period used by every tab, presets and the data-source line."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from core import formatting as fmt
from core.db import DataSource
from dashboard import ids
from dashboard.appdb import ROLE_NAMES, describe_pins
from dashboard.services.page_state import PageState
from dashboard.services.shell import PageView
from dashboard.services.thresholds import ThresholdSetView
from layouts.components import RU_DATE_PICKER


def source_line(name: str, source: DataSource) -> str:
    """The header's data-source line: the configured name, never the URL."""
    last = fmt.date_time(source.last_datetime)
    return f"Источник данных: {name} · чеков: {fmt.integer(source.cheques)} · последний чек: {last}"


HIDDEN = "d-none"
BUTTON = "ms-2 py-0"


def threshold_set_bar() -> html.Div:
    """Which threshold set the page uses (the chain's or the user's draft) with its buttons, and the message with a
    way out when the set does not fit the period (the buttons exist always; the callback shows the relevant ones)."""
    return html.Div(
        [
            html.Div(
                [
                    html.Span(id=ids.HEADER.THRESHOLD_SET),
                    dbc.Button("Сохранить для всей сети", id=ids.HEADER.SAVE_FOR_CHAIN, size="sm", className=HIDDEN),
                    dbc.Button(
                        "Вернуть утверждённые",
                        id=ids.HEADER.DISCARD_DRAFT,
                        size="sm",
                        color="secondary",
                        outline=True,
                        className=HIDDEN,
                    ),
                    html.Span(id=ids.HEADER.THRESHOLD_NOTICE, className="ms-2 text-success"),
                ],
                className="d-flex flex-wrap align-items-center",
            ),
            html.Div(
                [
                    html.Span(id=ids.HEADER.THRESHOLD_PROBLEM_TEXT),
                    dbc.Button(id=ids.HEADER.FIT_PERIOD, size="sm", color="warning", className=BUTTON),
                ],
                id=ids.HEADER.THRESHOLD_PROBLEM,
                className=HIDDEN,
            ),
        ],
        className="rfma-threshold-set small",
    )


def render_threshold_set(view: ThresholdSetView | None) -> tuple:
    """Outputs of the bar: text, save/discard classes, the problem box's class, its text and the way-out label."""
    hidden = (HIDDEN, HIDDEN, HIDDEN, None, None)
    if view is None:
        return ("", *hidden)
    if view.is_draft:
        text = f"Пороги: ваш черновик — {describe_pins(view.draft or {})}. Его видите только вы."
    elif view.chain is not None:
        saved = f"{view.chain.saved_by}, {fmt.date_time(view.chain.saved_at)} UTC"
        text = f"Пороги: утверждённые для сети — {view.chain.describe()} (сохранил: {saved})."
    else:
        text = "Пороги: предложенные по данным периода (сеть ещё не утвердила свой набор)."
    save = BUTTON if view.is_draft and view.problem is None and view.may_save else HIDDEN
    discard = BUTTON if view.is_draft else HIDDEN
    if view.is_draft and not view.may_save:
        text += " Сохранить его для всей сети может администратор."
    if view.problem is None:
        return text, save, discard, HIDDEN, None, None
    names = " и ".join(view.fix_unpins)
    detail = str(view.problem).removeprefix("пороги не упорядочены: ")
    # a viewer keeps no draft: a longer period is their only way out (the unpin button is hidden by rfma-no-fix)
    way_out = "Открепите пороги для этого периода или выберите" if view.may_edit else "Выберите"
    problem = (
        f"Закреплённые пороги не подходят выбранному периоду: {detail}. Поэтому вкладки ничего не считают. "
        f"{way_out} период длиннее."
    )
    label = f"Открепить {names} для этого периода" if names else "Взять предложенные для этого периода"
    box = "rfma-threshold-problem alert alert-warning py-2 mt-1 mb-0" + ("" if view.may_edit else " rfma-no-fix")
    return text, save, discard, box, problem, label


def source_selector(page: PageView) -> html.Div:
    """«Источник» with the data sources granted to the user (names only), shown when there is a choice; the select
    and the store exist always, so the selector's callbacks are valid on every page."""
    shown = len(page.choices) > 1
    return html.Div(
        [
            html.Label("Источник:", htmlFor=ids.HEADER.SOURCE_SELECT, className="me-2 fw-semibold"),
            dbc.Select(
                id=ids.HEADER.SOURCE_SELECT,
                options=[{"label": name, "value": name} for name in page.choices],
                value=page.name if shown else None,
                size="sm",
                className="w-auto",
            ),
            html.Span(id=ids.HEADER.SOURCE_MESSAGE, className="ms-2 small text-danger"),
            dcc.Store(id=ids.HEADER.SOURCE_CHOSEN, data=None),
        ],
        className="rfma-source-select d-flex align-items-center" + ("" if shown else " d-none"),
    )


def account_line(page: PageView) -> html.Div:
    """Who is logged in, with their role and «Выйти»; in the no-login mode, that the panel is open on this computer."""
    identity = page.identity
    if page.auth == "none":
        text = (
            "Вход отключён (rfma serve --no-auth): панель открыта только на этом компьютере, с правами администратора."
        )
        return html.Div(text, id=ids.HEADER.ACCOUNT, className="rfma-account small text-warning-emphasis")
    if identity is None:
        return html.Div(id=ids.HEADER.ACCOUNT, className="rfma-account small")
    role = ROLE_NAMES.get(identity.role, identity.role)
    parts: list = [html.Span(f"{identity.login} · {role}", className="me-2")]
    if page.auth == "login":
        parts.append(html.A("Выйти", href="logout", id=ids.HEADER.LOGOUT))
    return html.Div(parts, id=ids.HEADER.ACCOUNT, className="rfma-account small text-muted")


def layout(page: PageView, state: PageState | None = None) -> html.Header:
    """The header of the page (the period picker spans the data's first … last cheque date; it opens on the
    address's period, else all of it) and the «Справка» button."""
    first, last = page.bounds if page.bounds else (None, None)
    start, end = (state.start, state.end) if state and state.start and state.end else (first, last)
    source_error = page.error
    source_text = source_line(page.name, page.source) if page.source is not None else ""
    period = dcc.DatePickerRange(
        id=ids.HEADER.PERIOD,
        start_date=start,
        end_date=end,
        min_date_allowed=first,
        max_date_allowed=last,
        initial_visible_month=end,
        start_date_placeholder_text="начало",
        end_date_placeholder_text="конец",
        clearable=False,
        minimum_nights=0,
        updatemode="bothdates",
        **RU_DATE_PICKER,
    )
    presets = dbc.ButtonGroup(
        [
            dbc.Button("Все данные", id=ids.HEADER.PRESET_ALL, outline=True, color="secondary", size="sm"),
            dbc.Button("Последний год", id=ids.HEADER.PRESET_YEAR, outline=True, color="secondary", size="sm"),
            dbc.Button("Последние 3 месяца", id=ids.HEADER.PRESET_QUARTER, outline=True, color="secondary", size="sm"),
            dbc.Button("Последний месяц", id=ids.HEADER.PRESET_MONTH, outline=True, color="secondary", size="sm"),
        ],
        className="ms-md-2 mt-2 mt-md-0",
    )
    help_button = dbc.Button(
        "Справка", id=ids.HEADER.HELP_BUTTON, color="info", outline=True, size="sm", className="ms-md-2 mt-2 mt-md-0"
    )
    source = html.Div(
        source_error or source_text,
        id=ids.HEADER.SOURCE,
        className="rfma-source text-danger" if source_error else "rfma-source text-muted",
    )
    return html.Header(
        dbc.Container(
            [
                dbc.Row(
                    [
                        dbc.Col(html.H1("RFMA-анализ клиентов аптечной сети", className="rfma-title"), lg=5),
                        dbc.Col(
                            html.Div(
                                [html.Span("Период:", className="me-2 fw-semibold"), period, presets, help_button],
                                className="d-flex flex-wrap align-items-center justify-content-lg-end",
                            ),
                            lg=7,
                        ),
                    ],
                    className="align-items-center g-2",
                ),
                html.Div(
                    [
                        html.Div([source_selector(page), source], className="d-flex flex-wrap column-gap-3"),
                        account_line(page),
                    ],
                    className="d-flex flex-wrap justify-content-between column-gap-3",
                ),
                threshold_set_bar(),
                html.Div(id=ids.HEADER.PERIOD_NOTE, className="rfma-period-note small text-warning-emphasis"),
            ],
            fluid=True,
        ),
        className="rfma-header",
    )
