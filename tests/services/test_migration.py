"""Tab «Миграция»'s service: flows across a bonus date, the bonus date's checks."""

from __future__ import annotations

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
