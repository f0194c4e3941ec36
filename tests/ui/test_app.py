"""The app factory, settings, ids and the services' cache discipline."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from dashboard import ids
from dashboard.app import ASSETS
from dashboard.settings import Settings
from tests.support.components import walk
from tests.ui.conftest import FULL


def layout_ids(layout) -> list:
    return [getattr(c, "id", None) for c in walk(layout) if getattr(c, "id", None) is not None]


def test_every_callback_id_exists_in_the_page_and_ids_are_unique(app, request_ctx):
    page = app.layout()
    present = layout_ids(page)
    strings = [i for i in present if isinstance(i, str)]
    assert len(strings) == len(set(strings))
    pattern_types = {i["type"] for i in present if isinstance(i, dict)}
    for callback in app.callback_map.values():
        for dependency in callback["inputs"] + callback["state"]:
            component = dependency["id"]
            if component.startswith("{"):
                assert json.loads(component)["type"] in pattern_types
            else:
                assert component in strings, component


def test_two_apps_in_one_process_each_get_all_callbacks(make_app, chain_url):
    first, second = make_app(chain_url), make_app(chain_url)
    assert len(first.callback_map) == len(second.callback_map) >= 9


def test_styles_are_vendored_not_from_a_cdn(app):
    assert (ASSETS / "bootstrap.min.css").stat().st_size > 100_000
    assert ASSETS.is_absolute()
    assert not app.config.external_stylesheets


def test_page_is_russian_and_defaults_to_all_data(app, request_ctx):
    assert '<html lang="ru">' in app.index_string
    page = app.layout()
    period = next(c for c in walk(page) if getattr(c, "id", None) == ids.HEADER.PERIOD)
    assert (period.start_date, period.end_date) == FULL


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RFMA_CACHE_TYPE", "SimpleCache")
    monkeypatch.setenv("RFMA_STATE_DIR", str(tmp_path))
    settings = Settings.from_env("duckdb:///x.duckdb")
    assert settings.cache_type == "SimpleCache"
    assert settings.pins_path == tmp_path / "pins.json"
    assert Settings.from_env().database_url.endswith("default-demo.duckdb")  # RFMA_DEMO_PATH from tests/conftest.py
    with pytest.raises(ValueError, match="RFMA_REDIS_URL"):
        Settings.from_env("duckdb:///x.duckdb", cache_type="RedisCache")
    redis = Settings.from_env("duckdb:///x.duckdb", cache_type="RedisCache", cache_redis_url="redis://localhost:6379/0")
    assert redis.cache_config()["CACHE_REDIS_URL"] == "redis://localhost:6379/0"


def test_the_default_cache_is_a_file_cache_shared_by_processes(app, tmp_path):
    services = app.server.extensions["rfma_services"]
    assert services.settings.cache_type == "FileSystemCache"
    assert services.settings.cache_dir.startswith(str(tmp_path))


def test_cache_keys_accept_only_primitives(services):
    with pytest.raises(TypeError):
        services.cached("x", (pd.DataFrame({"a": [1]}),), lambda: 1)


def test_pinning_a_threshold_regrades_from_the_cached_base_without_sql(services, monkeypatch):
    import dashboard.services as module

    services.research(*FULL, {})
    calls = []
    original = module.compute_client_base
    monkeypatch.setattr(module, "compute_client_base", lambda *a: calls.append(a) or original(*a))
    services.research(*FULL, {"r1": 30})
    services.final_view(*FULL, {"r1": 30})
    assert calls == []


def test_cache_key_includes_database_version_period_and_pins(services):
    key = services.key(*FULL)
    assert key.url == services.settings.database_url
    assert key.version == services.source().version
    assert (key.date_from, key.date_to) == FULL
    a = services.final_view(*FULL, {})
    b = services.final_view("2022-01-01", "2022-06-30", {})
    assert a.clients != b.clients
    assert services.final_view(*FULL, {}).clients == a.clients


def test_pins_file_keeps_one_entry_per_database(tmp_path):
    from dashboard.pins import load_pins, save_pins

    path = tmp_path / "pins.json"
    save_pins(path, "postgresql://u:secret@h/db", {"r1": 21})
    save_pins(path, "duckdb:///a.duckdb", {"m1": 1293.0})
    assert load_pins(path, "postgresql://u:secret@h/db") == {"r1": 21}
    assert "secret" not in path.read_text()
    save_pins(path, "duckdb:///a.duckdb", {})
    assert load_pins(path, "duckdb:///a.duckdb") == {}
    path.write_text("not json")
    assert load_pins(path, "duckdb:///a.duckdb") == {}
