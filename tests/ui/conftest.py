"""Fixtures of the figure/callback unit tests: an app on the deterministic test chain, in a request context."""

from __future__ import annotations

import pytest

from tests.support.chain import build_chain_database

FULL = ("2021-07-01", "2022-06-30")


@pytest.fixture(scope="session")
def chain_url(tmp_path_factory) -> str:
    """The deterministic test chain in a DuckDB file, built once (tests must not write to it)."""
    return build_chain_database(tmp_path_factory.mktemp("ui-db") / "chain.duckdb")


@pytest.fixture
def make_app(tmp_path):
    from dashboard.app import create_app
    from dashboard.settings import Settings

    def build(url: str, **overrides):
        overrides.setdefault("state_dir", str(tmp_path / "state"))
        return create_app(Settings.from_env(url, **overrides))

    return build


@pytest.fixture
def app(make_app, chain_url):
    return make_app(chain_url)


@pytest.fixture
def request_ctx(app):
    """Callbacks run inside a Flask request, as under Dash."""
    with app.server.test_request_context():
        yield app


@pytest.fixture
def services(request_ctx):
    from dashboard.services import current_services

    return current_services()
