"""Saved pinned thresholds: one JSON file in the state directory, one entry per database.

Written atomically (temporary file + rename), so several server processes can share it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import sqlalchemy as sa

from core.model import RfmaError, ThresholdPins


def database_key(url: str) -> str:
    """The key of a database in the pins file: its URL without the password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def load_pins(path: Path, url: str) -> dict[str, float]:
    """The saved pins of a database (empty when none or the file is unreadable)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    entry = data.get(database_key(url), {}) if isinstance(data, dict) else {}
    try:
        return ThresholdPins.from_mapping(entry).as_dict()
    except RfmaError:
        return {}


def save_pins(path: Path, url: str, pins: dict[str, float]) -> None:
    """Replace the saved pins of a database (an empty dict removes its entry)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    key = database_key(url)
    if pins:
        data[key] = dict(sorted(pins.items()))
    else:
        data.pop(key, None)
    fd, tmp = tempfile.mkstemp(prefix=".pins-", suffix=".json", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
    os.replace(tmp, path)


class PinsStore:
    """The saved pins of the configured database."""

    def __init__(self, path: Path, url: str):
        self.path = path
        self.url = url

    def load(self) -> dict[str, float]:
        """The saved pins (survive a restart)."""
        return load_pins(self.path, self.url)

    def save(self, pins: dict[str, float]) -> None:
        """Replace the saved pins."""
        save_pins(self.path, self.url, pins)
