"""What every tab's callbacks share: turning engine errors into clear Russian messages."""

from __future__ import annotations

import logging
from collections.abc import Callable

from core.db import DatabaseError
from core.model import RfmaError, ThresholdOrderError
from layouts.components import message

log = logging.getLogger(__name__)

INTERNAL_ERROR = (
    "Не удалось построить эту вкладку из-за внутренней ошибки. Подробности записаны в журнал сервера; "
    "попробуйте изменить период или обновить страницу."
)


def error_message(exc: BaseException):
    """The alert shown in place of the charts for an error (never a traceback)."""
    if isinstance(exc, ThresholdOrderError):
        return message(
            f"{_sentence(str(exc))} Исправьте значение на вкладке «Пороги» или нажмите «Сбросить к предложенным».",
            "danger",
            "Пороги не упорядочены",
        )
    if isinstance(exc, DatabaseError):
        return message(
            f"{_sentence(str(exc))} Проверьте адрес базы (--db или RFMA_DATABASE_URL) и что сервер базы запущен.",
            "danger",
            "База данных недоступна",
        )
    if isinstance(exc, RfmaError):
        return message(_sentence(str(exc)), "warning", "Нет данных для показа")
    log.exception("dashboard callback failed", exc_info=exc)
    return message(INTERNAL_ERROR, "danger", "Ошибка")


def safely(build: Callable[[], object]):
    """Run a tab's builder; any error becomes a message component instead of a traceback or a blank page."""
    try:
        return build()
    except Exception as exc:
        return error_message(exc)


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
