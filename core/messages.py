"""User-facing Russian messages said in more than one place (core and the dashboard)."""

NO_CHEQUES = "В выбранном периоде нет ни одного чека."
NO_IDENTIFIED_CLIENTS = "В выбранном периоде нет идентифицированных чеков: классифицировать некого."
EMPTY_DATABASE = "В базе данных нет ни одного чека: загрузите чеки (rfma import) или демо-данные (rfma demo)."
NO_CHEQUES_FOR_MIGRATION = "В выбранном периоде нет ни одного чека — миграцию считать не по чему."
