"""One analysis request: built once from the page's inputs, it knows its own cache key."""

from __future__ import annotations

import pickle

import pytest

from core.model import Period, RfmaError, ThresholdPins
from dashboard.services.request import AnalysisRequest
from tests.support.dashboard import FULL


def test_a_request_names_the_database_its_data_version_period_options_and_pins(services):
    request = services.requests.build(*FULL, {"r1": 30})
    assert request.database_url == services.settings.database_url
    assert request.data_version == services.source.read().version
    assert request.period == Period.parse(*FULL)
    assert request.pins == ThresholdPins(r1=30)
    assert request.options.amount_column == services.settings.amount_column


def test_the_key_changes_with_every_part_that_changes_the_result(services):
    base = services.requests.build(*FULL)
    keys = {
        base.key("final"),
        base.with_pins(ThresholdPins(r1=30)).key("final"),
        base.with_period(None, None).key("final"),
        AnalysisRequest("other", base.data_version, base.read_only, base.period).key("final"),
        AnalysisRequest(base.database_url, "v-next", base.read_only, base.period).key("final"),
        base.key("final", "2022-01-15"),
        base.key("migration"),
    }
    assert len(keys) == 7
    assert base.key("final") == services.requests.build(*FULL).key("final")  # the same inputs, the same key
    assert base.key("client_base", pins=False) == base.with_pins(ThresholdPins(r1=30)).key("client_base", pins=False)


def test_date_pickers_values_are_read_as_dates(services):
    assert services.requests.build("2021-07-01T00:00:00", "2022-06-30").period == Period.parse(*FULL)
    assert services.requests.build(None, "").period == Period()


def test_bad_inputs_are_russian_errors(services):
    with pytest.raises(RfmaError, match="позже"):
        services.requests.build("2022-06-30", "2021-07-01")
    with pytest.raises(RfmaError, match="r1"):
        services.requests.build(*FULL, {"r1": "много"})


def test_an_empty_database_is_said_once_for_every_tab(make_app, tmp_path):
    from core.db import create_tables, make_engine

    url = f"duckdb:///{tmp_path / 'empty.duckdb'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        create_tables(conn)
    engine.dispose()
    app = make_app(url)
    with app.server.test_request_context():
        with pytest.raises(RfmaError, match="нет ни одного чека: загрузите"):
            app.server.extensions["rfma_services"].requests.build(*FULL)


def test_a_request_survives_pickling_for_a_kept_export(services):
    request = services.requests.build(*FULL, {"m1": 1200.5})
    assert pickle.loads(pickle.dumps(request)) == request


def test_pinning_a_threshold_regrades_from_the_cached_base_without_sql(services, monkeypatch):
    import dashboard.services.analysis as module

    services.thresholds.research(services.requests.build(*FULL))
    calls = []
    original = module.load_client_base
    monkeypatch.setattr(module, "load_client_base", lambda *a, **k: calls.append(a) or original(*a, **k))
    pinned = services.requests.build(*FULL, {"r1": 30})
    services.thresholds.research(pinned)
    services.final.view(pinned)
    assert calls == []
    services.final.view(services.requests.build(*FULL[:1], "2022-03-31"))  # another period: SQL again
    assert len(calls) == 1
