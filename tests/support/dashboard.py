"""Fixtures of the dashboard's tests (services, callbacks, layouts): an app on the deterministic test chain.

Registered for the whole suite by `pytest_plugins` in tests/conftest.py.
"""

from __future__ import annotations

import pytest

from tests.support.chain import build_chain_database

FULL = ("2021-07-01", "2022-06-30")  # the test chain's whole period
HALF = ("2022-01-01", "2022-06-30")
EMPTY = ("2030-01-01", "2030-01-31")  # a period with no cheque


@pytest.fixture(scope="session")
def chain_url(tmp_path_factory) -> str:
    """The deterministic test chain in a DuckDB file, built once (tests must not write to it)."""
    return build_chain_database(tmp_path_factory.mktemp("ui-db") / "chain.duckdb")


@pytest.fixture
def make_app(tmp_path):
    """Build an app on a database URL with its own state directory (settings may be overridden)."""
    from dashboard.app import create_app
    from dashboard.settings import Settings

    def build(url: str, **overrides):
        overrides.setdefault("state_dir", str(tmp_path / "state"))
        overrides.setdefault("auth", "none")  # login and roles are tested on their own (tests/dashboard/test_auth.py)
        return create_app(Settings.from_env(url, **overrides))

    return build


@pytest.fixture
def app(make_app, chain_url):
    """An app on the test chain."""
    return make_app(chain_url)


@pytest.fixture
def request_ctx(app):
    """Callbacks run inside a Flask request, as under Dash."""
    with app.server.test_request_context():
        yield app


@pytest.fixture
def services(request_ctx):
    """The app's services (inside a request)."""
    from dashboard.services import EXTENSION_KEY

    return request_ctx.server.extensions[EXTENSION_KEY]


@pytest.fixture
def full(services):
    """The request of the whole period with no pins."""
    return services.requests.build(*FULL)
