"""A period's actual bounds (open ends resolved against the data) and the bonus-date check of a migration."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa

from core import queries
from core.client_base import ClientBase
from core.formatting import date as ru_date
from core.messages import NO_CHEQUES
from core.model import Period, RfmaError


def resolve(period: Period, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The period's bounds, each open bound replaced by the data's: `first` for the start, `last` for the end."""
    return period.date_from or first, period.date_to or last


def resolved_bounds(base: ClientBase) -> tuple[dt.date, dt.date]:
    """The base's period with open bounds resolved: the first purchase of its clients (the analysis date when it
    has none) and the analysis date. RfmaError when the period has no cheque."""
    last = base.analysis_date
    if last is None:
        raise RfmaError(NO_CHEQUES)
    first = last if base.is_empty else queries.day_number_to_date(int(base.clients["first_day"].min()))
    return resolve(base.period, first, last)


def period_bounds(conn: sa.Connection, period: Period) -> tuple[dt.date, dt.date] | None:
    """The same rule in SQL: open bounds resolved to the first cheque / the analysis date (None: no cheque)."""
    row = conn.execute(queries.period_summary_query(period)).one()
    if row.analysis_day is None:
        return None
    return resolve(period, queries.day_number_to_date(row.first_day), queries.day_number_to_date(row.analysis_day))


def check_bonus_date(bonus: dt.date, first: dt.date, last: dt.date) -> None:
    """RfmaError unless first ≤ bonus ≤ last (a migration's bonus date lies inside its period)."""
    if not first <= bonus <= last:
        raise RfmaError(
            f"Бонус-дата {ru_date(bonus)} вне периода {ru_date(first)} — {ru_date(last)}: выберите дату внутри периода."
        )


def month_days_covered(month: dt.date, first: dt.date, last: dt.date) -> int:
    """How many days of `month` (any date in it) the data's span `first … last` (inclusive) covers."""
    start = month.replace(day=1)
    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return max(0, (min(end, last) - max(start, first)).days + 1)


def partial_months(months: Iterable[dt.date], first: dt.date | None, last: dt.date | None) -> dict[dt.date, int]:
    """The months of a monthly series the span `first … last` covers only in part: {first day of month: days covered}.

    A month the data or the period starts or ends inside (June 2022 with cheques up to the 6th) holds fewer days than
    a whole one and must not be read as a drop; whole months are left out."""
    if first is None or last is None:
        return {}
    partial = {}
    for month in months:
        start = month.replace(day=1)
        days = month_days_covered(start, first, last)
        if 0 < days < calendar.monthrange(start.year, start.month)[1]:
            partial[start] = days
    return partial
