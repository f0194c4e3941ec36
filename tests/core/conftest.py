"""Fixtures of the core tests."""

import pytest

from tests.conftest import cheques_frame, load_cheques
from tests.support.bases import HAND_ROWS


@pytest.fixture
def hand_engine(db_engine):
    """Each backend's database with the hand cheques (tests.support.bases.HAND_ROWS) loaded."""
    load_cheques(db_engine, cheques_frame(HAND_ROWS))
    return db_engine
