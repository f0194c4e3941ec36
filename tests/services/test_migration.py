"""Tab «Миграция»'s service: flows across a bonus date, the bonus date's checks."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from core.model import RfmaError
from tests.support.dashboard import FULL, HALF


def test_the_view_has_a_matrix_per_level_and_shares_that_add_up(services):
    view = services.migration.view(services.requests.build(*FULL), "2022-01-15")
    assert set(view.matrices) == {"region", "cluster", "class"}
    s = view.shares
    assert s["warmed"] + s["stayed"] + s["cooled"] == s["returning"]
    assert s["new"] > 0 and view.matrices["region"]["clients"].sum() == s["returning"] + s["new"]


def test_a_bonus_date_outside_the_period_names_both_in_russian_dates(services):
    with pytest.raises(RfmaError, match=r"Бонус-дата 01\.03\.2021 вне периода 01\.01\.2022 — 30\.06\.2022"):
        services.migration.view(services.requests.build(*HALF), "2021-03-01")
    with pytest.raises(RfmaError, match="Выберите бонус-дату"):
        services.migration.view(services.requests.build(*HALF), None)


def test_a_bonus_date_on_the_last_day_has_no_revenue_after_it(services):
    view = services.migration.view(services.requests.build(*FULL), FULL[1])
    assert view.matrices["region"]["revenue_after"].sum() == 0
    assert view.shares["new"] == 0 and view.shares["returning"] == 600  # everyone bought by the last day


def test_cheques_but_no_client_before_the_bonus_date_make_everyone_new(make_app, tmp_path):
    from core.db import create_tables, make_engine
    from tests.conftest import cheques_frame, load_cheques
    from tests.core.test_migration import UNIDENTIFIED_BEFORE

    url = f"duckdb:///{tmp_path / 'late.duckdb'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        create_tables(conn)
    load_cheques(engine, cheques_frame(UNIDENTIFIED_BEFORE))
    engine.dispose()
    app = make_app(url)
    services = app.server.extensions["rfma_services"]
    with app.server.test_request_context():
        view = services.migration.view(services.requests.build("2022-01-01", "2022-02-28"), "2022-01-31")
    assert view.shares["new"] == 2 and view.shares["returning"] == 0
    assert any("До бонус-даты нет идентифицированных клиентов" in w for w in view.warnings)


def test_a_flow_s_clients_are_those_of_its_matrix_cell_paged_and_sorted(services):
    from core.migration import Flow
    from core.model import Period

    request = services.requests.build(*FULL)
    view = services.migration.view(request, "2022-01-15")
    matrix = view.matrices["region"]
    cell = matrix.sort_values("clients").iloc[-1]  # the largest flow
    flow = Flow("region", cell["source_region"], cell["destination_region"])
    summary = services.migration.flow_view(request, "2022-01-15", flow)
    assert summary.clients == cell["clients"] and summary.revenue_after == pytest.approx(cell["revenue_after"])
    rows, count = services.migration.flow_page(request, "2022-01-15", flow, 0, 50, (("revenue_after", True),))
    assert count == cell["clients"] and len(rows) == min(50, count)
    assert all(r["source_region"] == flow.source and str(r["region"]) == flow.destination for r in rows)
    after = [r["revenue_after"] for r in rows]
    assert after == sorted(after, reverse=True) and "shops" in rows[0]
    # the clients are exactly core's: the same migration computed straight from the database
    from core.migration import migrate

    result = migrate(request.engine(), dt.date(2022, 1, 15), Period(*(dt.date.fromisoformat(d) for d in FULL)))
    expected = set(result.flows["card"].take(result.flow_positions(flow)))
    _, total = services.migration.flow_page(request, "2022-01-15", flow, 0, 10_000, ())
    everyone = services.migration.flow_page(request, "2022-01-15", flow, 0, 500, ())[0]
    assert {r["card"] for r in everyone} == expected and total == len(expected)


def test_the_flow_csv_names_the_flow_and_holds_its_clients(services):
    from core.migration import Flow

    request = services.requests.build(*FULL)
    flow = Flow("class", "прочие", "прочие")
    name, chunks = services.migration.flow_csv(request, "2022-01-15", flow, (), "csv", names="machine")
    assert name == "rfma_migration_other_to_other_бонус-дата_2022-01-15_2021-07-01_2022-06-30.csv"
    text = b"".join(chunks).decode("utf-8-sig")
    assert not text.startswith("#")  # a plain table, as «Финал»'s: Excel and a plain pd.read_csv read it
    frame = pd.read_csv(io.StringIO(text), dtype={"card": str, "source_class": str})
    view = services.migration.view(request, "2022-01-15")
    assert len(frame) == view.sankeys["class"]["clients"].iloc[-1]  # the «прочие → прочие» link's clients
    assert list(frame.columns[:4]) == ["card", "source_region", "source_cluster", "source_class"]


def test_a_bad_flow_key_is_a_russian_error(services):
    with pytest.raises(RfmaError, match="Выберите поток"):
        services.migration.flow("110")
