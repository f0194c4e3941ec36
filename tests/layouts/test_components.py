"""Shared components: errors become Russian messages with a title; never a traceback."""

from __future__ import annotations

from core.db import DatabaseError
from core.model import RfmaError, ThresholdOrderError
from layouts.components import INTERNAL_ERROR, THRESHOLDS_DO_NOT_FIT, render_error, sentence
from tests.support.components import text


def test_each_kind_of_error_has_its_title_and_advice():
    unordered = render_error(ThresholdOrderError(("r1", "r2"), "пороги не упорядочены: r1 = 50"))
    assert text(unordered) == THRESHOLDS_DO_NOT_FIT  # one short line: the message with the way out is in the header
    database = render_error(DatabaseError("нет файла"))
    assert "База данных недоступна" in text(database) and "RFMA_DATABASE_URL" in text(database)
    no_data = render_error(RfmaError("в выбранном периоде нет ни одного чека"))
    assert no_data.color == "warning" and "В выбранном периоде нет ни одного чека." in text(no_data)
    internal = render_error(KeyError("100042"))
    assert INTERNAL_ERROR in text(internal) and "100042" not in text(internal)  # no data in an internal error


def test_a_message_is_a_sentence():
    assert sentence("нет данных") == "Нет данных."
    assert sentence("Готово!") == "Готово!"
    assert sentence("  ") == ""
