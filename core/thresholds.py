"""Suggested thresholds with the SPEC's repairs, pinned values, and the frequency rate they are based on (SPEC §2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from core.client_base import ClientBase, frozen
from core.formatting import count, money, threshold
from core.messages import NO_IDENTIFIED_CLIENTS
from core.model import (
    DEFAULT_A1,
    DEFAULT_A2,
    DEFAULT_CHURN_PERIOD,
    THRESHOLD_NAMES,
    ThresholdPins,
    Thresholds,
    check_order,
)
from core.stats import percentile_disc, percentile_disc_hist


def frequency_rate(base: ClientBase, base_interval: int, churn_period: int) -> np.ndarray:
    """F = round(n / intervals, 6); intervals = 1 for A <= B, else (min(last + r3, T) − first) / B."""
    key = (base_interval, churn_period)
    known = base.__dict__.get("_frequency")  # suggesting f1 and grading use the same (r1, r3): compute once
    if known is not None and known[0] == key:
        return known[1]
    today = base.analysis_day
    if today is None:
        raise ValueError("a base without cheques has no analysis date to measure frequency against")
    first = base.clients["first_day"].to_numpy()
    last = base.clients["last_day"].to_numpy()
    purchases = base.clients["purchases"].to_numpy()
    age = today - first
    end = np.minimum(last + churn_period, today)
    with np.errstate(divide="ignore", invalid="ignore"):
        intervals = np.where(age <= base_interval, 1.0, (end - first) / base_interval)
        rate = frozen(np.round(purchases / intervals, 6))
    base.__dict__["_frequency"] = (key, rate)  # the frozen dataclass's own cache slot, like cached_property's
    return rate


@dataclass(frozen=True)
class ThresholdSuggestion:
    """The thresholds in force (pinned or suggested) with the churn period, base interval and repair warnings."""

    thresholds: Thresholds | None
    churn_period: int
    base_interval: int | None
    warnings: tuple[str, ...]
    pinned: frozenset[str]
    raw: dict = field(default_factory=dict, compare=False, hash=False)

    def as_json(self, analysis_date: dt.date | None) -> dict:
        """The CLI's JSON document: analysis_date, churn_period, base_interval, the nine thresholds, warnings."""
        values = self.thresholds.as_dict() if self.thresholds else dict.fromkeys(THRESHOLD_NAMES)
        return {
            "analysis_date": analysis_date.isoformat() if analysis_date else None,
            "churn_period": self.churn_period,
            "base_interval": self.base_interval,
            **{k: _plain(v) for k, v in values.items()},
            "pinned": sorted(self.pinned),
            "warnings": list(self.warnings),
        }


def _plain(value):
    if value is None:
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _observed(percentile: float | None) -> float:
    """A percentile of a base with clients: every client has a recency, a frequency and cheques, so it exists."""
    if percentile is None:
        raise ValueError("percentile of no values")
    return percentile


def _days(value: float) -> str:
    """A number of days in words: '1 день', '49 дней', '12,5 дня'."""
    if float(value).is_integer():
        return count(int(value), "день", "дня", "дней")
    return f"{threshold(value)} дня"


def _squeezed(
    name: str, q: int, percentile: float, floor: int, upper_name: str, upper: int, warnings: list[str]
) -> int:
    """Rule 2 for r1 and r2: min(max(percentile, floor), upper − 1), with a warning when it is not the percentile."""
    value = int(min(max(percentile, floor), upper - 1))
    if value != percentile:
        at_least = count(floor, "дня", "дней", "дней")  # «не меньше 1 дня / 2 дней»
        warnings.append(
            f"Правило 2: {name} = {_days(value)}, а не {_days(percentile)} (давность, которую не превышают {q} % "
            f"клиентов): {name} не бывает меньше {at_least} и должен быть меньше {upper_name} = {_days(upper)}."
        )
    return value


def suggest_thresholds(base: ClientBase, pins: ThresholdPins = ThresholdPins()) -> ThresholdSuggestion:
    """Suggested thresholds from data, repaired in SPEC order, with pinned values used wherever given.

    Raises ThresholdOrderError when the resulting set (because of a pinned value) is not ordered.
    """
    warnings: list[str] = []
    pinned = frozenset(pins.as_dict())
    raw: dict[str, float | None] = {}

    churn = percentile_disc_hist(base.gap_histogram, 0.95)
    raw["churn_period"] = churn
    if churn is None:
        churn = DEFAULT_CHURN_PERIOD
        if not base.is_empty:
            warnings.append(
                f"Правило 1: ни один клиент не покупал в две разные даты — период оттока C = {DEFAULT_CHURN_PERIOD} "
                "(значение по умолчанию)."
            )
    churn = int(churn)
    if base.is_empty:
        message = base.empty_message() or NO_IDENTIFIED_CLIENTS
        return ThresholdSuggestion(None, churn, None, (message,), pinned, raw)

    recency = base.recency_days
    p20, p40 = _observed(percentile_disc(recency, 0.2)), _observed(percentile_disc(recency, 0.4))
    raw.update(p20_recency=p20, p40_recency=p40)

    if pins.r3 is not None:
        r3 = pins.r3
    else:
        r3 = max(churn, 3)
        if r3 != churn:
            warnings.append(f"Правило 2: r3 = 3 дня, а не период оттока ({_days(churn)}): r3 не бывает меньше 3 дней.")
    r2 = pins.r2 if pins.r2 is not None else _squeezed("r2", 40, p40, 2, "r3", r3, warnings)
    r1 = pins.r1 if pins.r1 is not None else _squeezed("r1", 20, p20, 1, "r2", r2, warnings)

    f2 = pins.f2 if pins.f2 is not None else round(r1 / r3, 6)
    if pins.f1 is not None:
        f1 = pins.f1
    else:
        f1 = _observed(percentile_disc(frequency_rate(base, r1, r3), 0.85))
        raw["p85_frequency"] = f1
        if f1 <= f2:
            repaired = round(f2 + 0.000001, 6)
            warnings.append(
                f"Правило 3: f1 = {threshold(repaired)}: частота, которую превышают 15 % клиентов ({threshold(f1)}), "
                f"не больше f2 = {threshold(f2)}, а f1 должен быть больше f2, поэтому f1 взят чуть больше f2."
            )
            f1 = repaired

    p80 = _observed(percentile_disc_hist(base.amount_histogram, 0.8))
    p40m = _observed(percentile_disc_hist(base.amount_histogram, 0.4))
    raw.update(p80_amount=p80, p40_amount=p40m)
    m1 = pins.m1 if pins.m1 is not None else p80
    if pins.m2 is not None:
        m2 = pins.m2
    else:
        m2 = p40m
        if m2 >= m1:
            repaired = round(m1 - 0.01, 6)
            warnings.append(
                f"Правило 4: m2 = {money(repaired, 2)}: сумма чека, которой не превышают 40 % чеков "
                f"({money(m2, 2)}), не меньше m1 = {money(m1, 2)}, а m2 должен быть меньше m1, поэтому m2 взят "
                "на копейку меньше m1."
            )
            m2 = repaired

    thresholds = Thresholds(
        r1=int(r1),
        r2=int(r2),
        r3=int(r3),
        f1=float(f1),
        f2=float(f2),
        m1=float(m1),
        m2=float(m2),
        a1=int(pins.a1 if pins.a1 is not None else DEFAULT_A1),
        a2=int(pins.a2 if pins.a2 is not None else DEFAULT_A2),
    )
    check_order(thresholds)
    return ThresholdSuggestion(thresholds, churn, int(r1), tuple(warnings), pinned, raw)
