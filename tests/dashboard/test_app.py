"""The app factory, settings, every id in the page, and the services each app gets."""

from __future__ import annotations

import json

import pytest

from dashboard import ids
from dashboard.app import ASSETS
from dashboard.settings import Settings
from tests.support.components import walk
from tests.support.dashboard import FULL


def layout_ids(layout) -> list:
    return [getattr(c, "id", None) for c in walk(layout) if getattr(c, "id", None) is not None]


def test_every_callback_id_exists_in_the_page_and_ids_are_unique(app, request_ctx):
    page = app.layout()
    present = layout_ids(page)
    strings = [i for i in present if isinstance(i, str)]
    assert len(strings) == len(set(strings))
    # breadcrumb levels exist only once a segment below «Все клиенты» is selected, migration matrix cells only once
    # «Миграция» is drawn, tables' download buttons only with their tables, «Когорты»' Pareto bands with its figures,
    # «История»'s cells and counts once two snapshots are compared
    rendered_later = {ids.BREADCRUMB_NODE_TYPE, ids.MIGRATION_FLOW_TYPE, ids.TABLE_DOWNLOAD_TYPE, ids.COHORT_BAND_TYPE}
    rendered_later |= {ids.HISTORY_FLOW_TYPE, ids.HISTORY_CHANGE_TYPE}
    pattern_types = {i["type"] for i in present if isinstance(i, dict)} | rendered_later
    for callback in app.callback_map.values():
        for dependency in callback["inputs"] + callback["state"]:
            component = dependency["id"]
            if component.startswith("{"):
                assert json.loads(component)["type"] in pattern_types
            else:
                assert component in strings, component


def test_two_apps_in_one_process_each_get_all_callbacks_and_their_own_services(make_app, chain_url, tmp_path):
    first, second = make_app(chain_url), make_app(chain_url, state_dir=str(tmp_path / "other"))
    assert len(first.callback_map) == len(second.callback_map) >= 9
    one, two = (app.server.extensions["rfma_services"] for app in (first, second))
    assert one is not two and one.settings.state_dir != two.settings.state_dir


def test_styles_are_vendored_not_from_a_cdn(app):
    assert (ASSETS / "bootstrap.min.css").stat().st_size > 100_000
    assert ASSETS.is_absolute()
    assert not app.config.external_stylesheets


def test_page_is_russian_and_defaults_to_all_data(app, request_ctx):
    assert '<html lang="ru">' in app.index_string
    page = app.layout()
    period = next(c for c in walk(page) if getattr(c, "id", None) == ids.HEADER.PERIOD)
    assert (period.start_date, period.end_date) == FULL
    bonus = next(c for c in walk(page) if getattr(c, "id", None) == ids.MIGRATION.BONUS_DATE)
    assert bonus.date == "2021-12-30"


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RFMA_CACHE_TYPE", "SimpleCache")
    monkeypatch.setenv("RFMA_STATE_DIR", str(tmp_path))
    settings = Settings.from_env("duckdb:///x.duckdb")
    assert settings.cache_type == "SimpleCache"
    assert settings.pins_path == tmp_path / "pins.json"
    assert settings.app_database_url == f"sqlite:///{tmp_path / 'rfma-app.sqlite'}"
    monkeypatch.setenv("RFMA_APP_DATABASE_URL", "postgresql://app@db/rfma_app")
    assert Settings.from_env("duckdb:///x.duckdb").app_database_url == "postgresql://app@db/rfma_app"
    assert Settings.from_env().database_url.endswith("default-demo.duckdb")  # RFMA_DEMO_PATH from tests/conftest.py
    with pytest.raises(ValueError, match="RFMA_REDIS_URL"):
        Settings.from_env("duckdb:///x.duckdb", cache_type="RedisCache")
    redis = Settings.from_env("duckdb:///x.duckdb", cache_type="RedisCache", cache_redis_url="redis://localhost:6379/0")
    assert redis.cache_config()["CACHE_REDIS_URL"] == "redis://localhost:6379/0"


def test_the_default_cache_is_a_file_cache_shared_by_processes(app, tmp_path):
    services = app.server.extensions["rfma_services"]
    assert services.settings.cache_type == "FileSystemCache"
    assert services.settings.cache_dir.startswith(str(tmp_path))
