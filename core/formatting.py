"""Russian formatting of numbers, money, shares, thresholds, dates and counted nouns (one home for the dashboard,
the reports and the CSV headers): non-breaking spaces for thousands, a decimal comma, dates as ДД.ММ.ГГГГ."""

from __future__ import annotations

import datetime as dt
import math
from typing import SupportsFloat

import pandas as pd

NBSP = "\u00a0"
MISSING = "—"
Number = SupportsFloat | None


def _blank(value: object) -> bool:
    """NaN, NaT or an empty string: shown as a dash, like None."""
    return value is pd.NaT or (isinstance(value, str) and not value) or (isinstance(value, float) and math.isnan(value))


def number(value: Number, digits: int = 0) -> str:
    """1234567.891 → '1 234 567,89' (digits after the comma)."""
    if value is None or _blank(value):
        return MISSING
    text = f"{float(value):,.{digits}f}"
    return text.replace(",", NBSP).replace(".", ",")


def integer(value: Number) -> str:
    return number(value, 0)


def money(value: Number, digits: int = 0) -> str:
    return MISSING if value is None or _blank(value) else f"{number(value, digits)}{NBSP}₽"


def percent(share: Number, digits: int = 1) -> str:
    """0.4521 → '45,2 %'."""
    return MISSING if share is None or _blank(share) else f"{number(float(share) * 100, digits)}{NBSP}%"


def _fraction(value: float) -> str:
    """A non-integer threshold with up to 6 decimals and a dot: 0.250000 → '0.25'."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def threshold(value: Number) -> str:
    """A threshold as typed, for people: integers with thousands separated, others with up to 6 decimals."""
    if value is None or _blank(value):
        return MISSING
    number_ = float(value)
    return integer(number_) if number_.is_integer() else _fraction(number_).replace(".", ",")


def threshold_plain(value: Number) -> str:
    """A threshold for machines (CSV comment lines): a dot, no thousands separator — '1500', '0.25'."""
    if value is None:
        return MISSING
    number_ = float(value)
    return str(int(number_)) if number_.is_integer() else _fraction(number_)


def date(value: dt.date | str | None) -> str:
    """A date (or an ISO string) as ДД.ММ.ГГГГ."""
    if value is None or _blank(value):
        return MISSING
    day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return day.strftime("%d.%m.%Y")


def date_time(value: dt.datetime | None) -> str:
    """A moment as ДД.ММ.ГГГГ ЧЧ:ММ."""
    if value is None or _blank(value):
        return MISSING
    return pd.Timestamp(value).strftime("%d.%m.%Y %H:%M")


def month(value: dt.date | str | None) -> str:
    """A month as ММ.ГГГГ."""
    return MISSING if value is None or _blank(value) else pd.Timestamp(value).strftime("%m.%Y")


def plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian noun form for n: 1 клиент, 2 клиента, 5 клиентов, 11 клиентов, 21 клиент, 111 клиентов."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


CLIENTS = ("клиент", "клиента", "клиентов")  # fmt.count(n, *fmt.CLIENTS) → '1 клиент', '3 клиента', '5 клиентов'
CHEQUES = ("чек", "чека", "чеков")
# after «из», «среди», «больше»: '1 клиента', '21 клиента', '5 клиентов' (genitive: singular for one, plural else)
CLIENTS_GENITIVE = ("клиента", "клиентов", "клиентов")
CHEQUES_GENITIVE = ("чека", "чеков", "чеков")
DAYS = ("день", "дня", "дней")


def count(n: int, one: str, few: str, many: str) -> str:
    """n with its noun: '1 234 клиента'."""
    return f"{integer(n)} {plural(n, one, few, many)}"
