"""Browser tests: headless Debian Chromium through dash[testing]'s dash_duo.

They skip only when chromium or chromedriver is missing (with the reason printed), and fail instead of
skipping when CI=true. Screenshots are written to artifacts/screenshots/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROME_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1440,1100",
    "--lang=ru-RU",
)


def chromium_binary() -> str | None:
    for candidate in (os.environ.get("DASH_TEST_CHROMEPATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def missing_browser_reason() -> str | None:
    missing = []
    if chromium_binary() is None:
        missing.append("chromium (Debian package 'chromium')")
    if shutil.which("chromedriver") is None:
        missing.append("chromedriver on PATH (Debian package 'chromium-driver')")
    return f"browser tests need {' and '.join(missing)}" if missing else None


def pytest_setup_options():
    """dash[testing] hook: the Chrome options of every dash_duo browser."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    binary = chromium_binary()
    if binary:
        options.binary_location = binary
    for argument in CHROME_ARGS:
        options.add_argument(argument)
    return options


@pytest.fixture(autouse=True)
def _require_browser():
    reason = missing_browser_reason()
    if reason:
        skip_or_fail(reason)


@pytest.fixture(scope="session")
def chain_db(tmp_path_factory) -> str:
    """A deterministic DuckDB file with the test pharmacy chain (built once per session)."""
    from tests.support.chain import build_chain_database

    return build_chain_database(tmp_path_factory.mktemp("db") / "chain.duckdb")


@pytest.fixture
def make_app(tmp_path, monkeypatch):
    """Build an app on a database URL with its cache and saved pins under tmp_path."""
    monkeypatch.setenv("RFMA_DEMO_PATH", str(tmp_path / "demo" / "demo.duckdb"))
    from dashboard.app import create_app
    from dashboard.settings import Settings

    def build(url: str, **overrides):
        overrides.setdefault("auth", "none")  # the login's own browser test sets auth="login"
        settings = Settings.from_env(url, state_dir=str(tmp_path / "state"), **overrides)
        return create_app(settings)

    return build


@pytest.fixture
def screenshot(dash_duo):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        dash_duo.driver.save_screenshot(str(path))
        return path

    return save
