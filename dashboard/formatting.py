"""Russian number and date formatting for cards and tables (thin spaces for thousands, decimal comma)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

NBSP = "\u00a0"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def number(value, digits: int = 0) -> str:
    """1234567.891 → '1 234 567,89' (digits after the comma)."""
    if _missing(value):
        return "—"
    text = f"{float(value):,.{digits}f}"
    return text.replace(",", NBSP).replace(".", ",")


def integer(value) -> str:
    return number(value, 0)


def money(value, digits: int = 0) -> str:
    return "—" if _missing(value) else f"{number(value, digits)}{NBSP}₽"


def percent(share, digits: int = 1) -> str:
    """0.4521 → '45,2 %'."""
    return "—" if _missing(share) else f"{number(float(share) * 100, digits)}{NBSP}%"


def threshold(value) -> str:
    """A threshold value as typed: integers without a fraction, others with up to 6 decimals."""
    if _missing(value):
        return "—"
    value = float(value)
    if value.is_integer():
        return integer(value)
    return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")


def date(value) -> str:
    """A date as DD.MM.YYYY."""
    if _missing(value):
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, pd.Timestamp):
        value = value.date()
    return value.strftime("%d.%m.%Y")


def month(value) -> str:
    return "—" if _missing(value) else pd.Timestamp(value).strftime("%m.%Y")


RU_MONTHS = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
]
