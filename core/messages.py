"""User-facing Russian messages said in more than one place (core and the dashboard)."""

NO_CHEQUES = "В выбранном периоде нет ни одного чека."
NO_IDENTIFIED_CLIENTS = "В выбранном периоде нет идентифицированных чеков: классифицировать некого."
EMPTY_DATABASE = "В базе данных нет ни одного чека: загрузите чеки (rfma import) или демо-данные (rfma demo)."
NO_CHEQUES_FOR_MIGRATION = "В выбранном периоде нет ни одного чека — миграцию считать не по чему."
UNREACHABLE = "База данных недоступна. Подробности записаны в журнал сервера."


def unreachable(name: str) -> str:
    """The page's message for a database it cannot read: its name only, never the driver's text."""
    return f"База данных недоступна ({name}). Подробности записаны в журнал сервера." if name else UNREACHABLE
