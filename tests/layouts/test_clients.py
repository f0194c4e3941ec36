"""«Клиенты» renderer: KPI cards and charts for a view; a view without identified clients keeps only the cheques."""

from __future__ import annotations

import dataclasses

from dashboard import ids
from layouts.clients import render_clients
from tests.support.components import figures, find, text


def test_the_kpis_show_russian_numbers_and_dates(services, full):
    view = services.clients.view(full)
    body = render_clients(view)
    assert find(body, ids.CLIENTS.KPI_PERIOD).children == "01.07.2021 — 30.06.2022"
    assert find(body, ids.CLIENTS.KPI_CLIENTS).children == "600"
    assert len(figures(body)) == 3


def test_a_view_without_identified_clients_says_so_and_keeps_the_cheques_chart(services, full):
    view = dataclasses.replace(services.clients.view(full), message="нет идентифицированных чеков")
    body = render_clients(view)
    assert "Нет идентифицированных клиентов" in text(body) and len(figures(body)) == 1
