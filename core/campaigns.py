"""Campaigns with a control group and their measured effect (SPEC part 2, §9); the placebo check of a migration (§10).

The window's purchases are summed in SQL (the members' cards bound as one array parameter, joined as a table);
pandas only completes the per-member figures (zeros for members without a purchase) and the intervals.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from core import queries
from core.client_base import load_client_base
from core.db import bonuscheques, reads_cheques
from core.fetch import fetch_frame
from core.formatting import CLIENTS, count
from core.formatting import date as ru_date
from core.migration import Migration, migrate, migrate_bases
from core.model import AnalysisOptions, Period, RfmaError, ThresholdPins

Z95 = 1.959964
DEFAULT_CONTROL_SHARE = 0.10
DEFAULT_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 366
SMALL_CONTROL = 100  # a control group under this many clients gets a warning
TARGET, CONTROL = "target", "control"
GROUPS = (TARGET, CONTROL)
GROUP_FIGURES = (
    "clients",
    "responders",
    "response_rate",
    "purchases",
    "revenue",
    "revenue_per_client",
    "avg_cheque",
)
SHARES = ("warmed", "stayed", "cooled")


# --- assignment ------------------------------------------------------------------------------------------------------


def hash_share(text: str) -> float:
    """The first 8 hex digits of the text's SHA-256 as a number in [0, 1): §9's `u`."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) / 2**32


def assignment_share(name: str, card: str) -> float:
    """`u` of a member of campaign `name` (control when u < p)."""
    return hash_share(f"{name}:{card}")


def global_share(card: str) -> float:
    """`u` of a card for the global control group (in it when u < g)."""
    return hash_share(f"global:{card}")


def check_control_share(share: float) -> float:
    """The control share when 0 < p < 0.5, else RfmaError."""
    if not isinstance(share, int | float) or math.isnan(share) or not 0 < share < 0.5:
        raise RfmaError(f"доля контрольной группы {share}: нужна больше 0 и меньше 0,5 (например 0,1)")
    return float(share)


def check_global_share(share: float) -> float:
    """The global control share when 0 ≤ g < 0.5, else RfmaError."""
    if not isinstance(share, int | float) or math.isnan(share) or not 0 <= share < 0.5:
        raise RfmaError(f"доля глобальной контрольной группы {share}: нужна от 0 до 0,5 (0 — без неё)")
    return float(share)


def check_window(days: int) -> int:
    """The window in days when 1 ≤ W ≤ MAX_WINDOW_DAYS, else RfmaError."""
    if not isinstance(days, int) or not 1 <= days <= MAX_WINDOW_DAYS:
        raise RfmaError(f"окно замера {days}: нужно целое число дней от 1 до {MAX_WINDOW_DAYS}")
    return days


def assign(name: str, cards: Iterable[str], control_share: float, global_control: float = 0.0) -> pd.DataFrame:
    """(card, group) of each distinct member, sorted by card: control when u < p or the card is in the global
    control group (its u < g), else target."""
    check_control_share(control_share)
    check_global_share(global_control)
    unique = sorted({str(card) for card in cards})
    groups = [
        CONTROL
        if assignment_share(name, card) < control_share or (global_control > 0 and global_share(card) < global_control)
        else TARGET
        for card in unique
    ]
    return pd.DataFrame({"card": pd.Series(unique, dtype="str"), "group": pd.Series(groups, dtype="str")})


# --- the window ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The measurement window t0 + 1 … t0 + W, cut at the latest cheque date (then partial)."""

    start_date: dt.date  # t0
    days: int  # W
    last_cheque: dt.date | None  # the latest cheque date of the table

    @property
    def first_day(self) -> dt.date:
        """t0 + 1."""
        return self.start_date + dt.timedelta(days=1)

    @property
    def full_end(self) -> dt.date:
        """t0 + W."""
        return self.start_date + dt.timedelta(days=self.days)

    @property
    def end(self) -> dt.date:
        """The last day measured: t0 + W, or the latest cheque date when earlier (never before t0)."""
        if self.last_cheque is None:
            return self.start_date
        return max(self.start_date, min(self.full_end, self.last_cheque))

    @property
    def partial(self) -> bool:
        """True when the data ends before t0 + W."""
        return self.end < self.full_end

    @property
    def days_measured(self) -> int:
        """Days of the window covered by the data."""
        return (self.end - self.start_date).days

    def status(self) -> str:
        """'running' (no day measured yet or partial) or 'finished'."""
        return "running" if self.partial else "finished"


def window_query(cards: Sequence[str], window: Window, options: AnalysisOptions) -> sa.Select:
    """Per member with a purchase in the window: purchases (distinct doc_id dated by its earliest row) and revenue.

    The window's rows of the members (a date range the database prunes by, joined to the cards bound as one array)
    are grouped by (card, doc_id); a cheque with a row of the same card before the window is dated before it and
    left out (NOT EXISTS), so no row older than the window is ever grouped."""
    t = bonuscheques
    members = sa.select(
        sa.func.unnest(sa.bindparam("cards", [str(card) for card in cards], type_=sa.ARRAY(sa.Text))).label("card")
    ).subquery("members")
    start = dt.datetime.combine(window.first_day, dt.time())
    end = dt.datetime.combine(window.end + dt.timedelta(days=1), dt.time())
    in_window = (
        sa.select(
            t.c.card.label("card"),
            t.c.doc_id.label("doc_id"),
            sa.func.coalesce(sa.func.sum(queries.amount(options)), 0).label("amount"),
        )
        .select_from(t.join(members, members.c.card == t.c.card))
        .where(t.c.datetime >= start, t.c.datetime < end)
        .group_by(t.c.card, t.c.doc_id)
        .subquery("in_window")
    )
    earlier = bonuscheques.alias("earlier")
    started_before = sa.exists(
        sa.select(earlier.c.doc_id).where(
            earlier.c.datetime < start, earlier.c.card == in_window.c.card, earlier.c.doc_id == in_window.c.doc_id
        )
    )
    return (
        sa.select(
            in_window.c.card,
            sa.func.count().label("purchases"),
            queries.as_double(sa.func.sum(in_window.c.amount)).label("revenue"),
        )
        .where(~started_before)
        .group_by(in_window.c.card)
    )


def last_cheque_query() -> sa.Select:
    """The day number of the latest cheque of the table (identified or not)."""
    return sa.select(queries.day_number(sa.func.max(bonuscheques.c.datetime)).label("day"))


@reads_cheques
def latest_cheque_date(conn: sa.Connection) -> dt.date | None:
    """The latest cheque date of the table (None when empty)."""
    day = conn.execute(last_cheque_query()).scalar()
    return None if day is None else queries.day_number_to_date(int(day))


# --- the effect ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupEffect:
    """One group's figures over the window."""

    clients: int
    responders: int
    purchases: int
    revenue: float

    @property
    def response_rate(self) -> float | None:
        """responders / clients."""
        return self.responders / self.clients if self.clients else None

    @property
    def revenue_per_client(self) -> float | None:
        """revenue / clients."""
        return self.revenue / self.clients if self.clients else None

    @property
    def avg_cheque(self) -> float | None:
        """revenue / purchases."""
        return self.revenue / self.purchases if self.purchases else None

    def as_json(self) -> dict:
        """The seven figures of the report."""
        return {name: _plain(getattr(self, name)) for name in GROUP_FIGURES}


@dataclass(frozen=True, eq=False)
class CampaignEffect:
    """Both groups over the window, the uplifts with their 95% intervals, the verdict and the warnings (§9)."""

    window: Window
    target: GroupEffect
    control: GroupEffect
    response_rate_diff: float | None
    response_rate_ci: tuple[float, float] | None
    revenue_per_client_diff: float | None
    revenue_per_client_ci: tuple[float, float] | None
    incremental_revenue: float | None
    proven: bool
    warnings: tuple[str, ...]
    members: pd.DataFrame = field(repr=False)  # card, group, purchases, revenue (0 when none)

    def responders(self) -> pd.DataFrame:
        """The members with a purchase in the window (card, group, purchases, revenue), by revenue descending."""
        found = self.members[self.members["purchases"] > 0]
        return found.sort_values(["revenue", "card"], ascending=[False, True], kind="stable").reset_index(drop=True)

    def as_json(self) -> dict:
        """The report's keys except the campaign's name."""
        return {
            "start_date": self.window.start_date.isoformat(),
            "window_days": self.window.days,
            "window_end": self.window.end.isoformat(),
            "partial": self.window.partial,
            "target": self.target.as_json(),
            "control": self.control.as_json(),
            "response_rate_diff": _plain(self.response_rate_diff),
            "response_rate_ci": _interval(self.response_rate_ci),
            "revenue_per_client_diff": _plain(self.revenue_per_client_diff),
            "revenue_per_client_ci": _interval(self.revenue_per_client_ci),
            "incremental_revenue": _plain(self.incremental_revenue),
            "proven": self.proven,
            "warnings": list(self.warnings),
        }


def _plain(value: float | None) -> float | int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value if isinstance(value, int) else float(value)


def _interval(ci: tuple[float, float] | None) -> list[float] | None:
    return None if ci is None else [float(ci[0]), float(ci[1])]


def proportion_difference(
    successes_a: int, n_a: int, successes_b: int, n_b: int
) -> tuple[float | None, tuple[float, float] | None]:
    """p_a − p_b and its 95% interval `± z·sqrt(p_a(1−p_a)/n_a + p_b(1−p_b)/n_b)`; (None, None) for an empty group."""
    if not n_a or not n_b:
        return None, None
    p_a, p_b = successes_a / n_a, successes_b / n_b
    diff = p_a - p_b
    half = Z95 * math.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    return diff, (diff - half, diff + half)


def mean_difference(a: np.ndarray, b: np.ndarray) -> tuple[float | None, tuple[float, float] | None]:
    """mean_a − mean_b and its 95% interval `± z·sqrt(var_a/n_a + var_b/n_b)` (ddof = 1); the interval is None when
    a group has fewer than 2 values, the difference None when one is empty."""
    if len(a) == 0 or len(b) == 0:
        return None, None
    diff = float(np.mean(a) - np.mean(b))
    if len(a) < 2 or len(b) < 2:
        return diff, None
    half = Z95 * math.sqrt(float(np.var(a, ddof=1)) / len(a) + float(np.var(b, ddof=1)) / len(b))
    return diff, (diff - half, diff + half)


def campaign_effect(members: pd.DataFrame, per_card: pd.DataFrame, window: Window) -> CampaignEffect:
    """The effect of §9 from the members (card, group) and the window's purchases per card (card, purchases,
    revenue; members without a purchase absent)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    # the window's buyers matched to the members in Arrow (no Python string per member: 400k members in ~50 ms)
    member_cards = pa.array(members["card"].astype(str), type=pa.string())
    buyer_cards = pa.array(per_card["card"].astype(str), type=pa.string())
    at = pc.index_in(buyer_cards, value_set=member_cards).to_numpy(zero_copy_only=False)
    known = ~np.isnan(at.astype("float64")) if at.dtype.kind == "f" else np.ones(len(at), dtype=bool)
    slots = at[known].astype("int64")
    purchases = np.zeros(len(members), dtype="int64")
    purchases[slots] = per_card["purchases"].to_numpy(dtype="int64")[known]
    revenue = np.zeros(len(members), dtype="float64")
    revenue[slots] = per_card["revenue"].to_numpy(dtype="float64")[known]
    is_target = (members["group"] == TARGET).to_numpy(dtype=bool)
    table = members[["card", "group"]].reset_index(drop=True).assign(purchases=purchases, revenue=revenue)
    groups = {}
    revenues = {}
    for name in GROUPS:
        mask = is_target if name == TARGET else ~is_target
        revenues[name] = revenue[mask]
        groups[name] = GroupEffect(
            clients=int(mask.sum()),
            responders=int((purchases[mask] > 0).sum()),
            purchases=int(purchases[mask].sum()),
            revenue=float(revenues[name].sum()),
        )
    target, control = groups[TARGET], groups[CONTROL]
    rate_diff, rate_ci = proportion_difference(target.responders, target.clients, control.responders, control.clients)
    revenue_diff, revenue_ci = mean_difference(revenues[TARGET], revenues[CONTROL])
    incremental = None if revenue_diff is None else revenue_diff * target.clients
    warnings = []
    if control.clients < SMALL_CONTROL:
        warnings.append(
            f"В контрольной группе {count(control.clients, *CLIENTS)} (меньше {SMALL_CONTROL}): результат ненадёжен."
        )
    if window.partial:
        if window.days_measured == 0:
            warnings.append(f"Окно замера ещё не началось: данных после {ru_date(window.start_date)} нет.")
        else:
            warnings.append(
                f"Окно замера неполное: данные есть по {ru_date(window.end)} "
                f"({window.days_measured} из {window.days} дн.)."
            )
    return CampaignEffect(
        window=window,
        target=target,
        control=control,
        response_rate_diff=rate_diff,
        response_rate_ci=rate_ci,
        revenue_per_client_diff=revenue_diff,
        revenue_per_client_ci=revenue_ci,
        incremental_revenue=incremental,
        proven=rate_ci is not None and rate_ci[0] > 0,
        warnings=tuple(warnings),
        members=table,
    )


@reads_cheques
def load_campaign_effect(
    conn: sa.Connection,
    members: pd.DataFrame,
    start_date: dt.date,
    window_days: int,
    options: AnalysisOptions = AnalysisOptions(),
) -> CampaignEffect:
    """Measure a campaign: its members (card, group), start date t0 and window W, on the cheques database."""
    window = Window(start_date, window_days, latest_cheque_date(conn))
    if window.days_measured == 0 or members.empty:
        per_card = pd.DataFrame({"card": [], "purchases": [], "revenue": []})
    else:
        per_card = fetch_frame(conn, window_query(members["card"].astype(str).tolist(), window, options))
    return campaign_effect(members, per_card, window)


# --- placebo ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareDifference:
    """actual − placebo of one share, with its 95% interval."""

    diff: float | None
    ci: tuple[float, float] | None

    @property
    def differs(self) -> bool:
        """True when the interval excludes 0."""
        return self.ci is not None and (self.ci[0] > 0 or self.ci[1] < 0)

    def as_json(self) -> dict:
        """{diff, ci}."""
        return {"diff": _plain(self.diff), "ci": _interval(self.ci)}


@dataclass(frozen=True, eq=False)
class PlaceboCheck:
    """The actual migration beside its placebo (§10); `placebo` is None when unavailable (then `message` says why)."""

    bonus_date: dt.date
    analysis_date: dt.date
    placebo_bonus_date: dt.date
    actual: Migration
    placebo: Migration | None
    message: str | None = None

    @property
    def available(self) -> bool:
        """False when b − L is before the first cheque."""
        return self.placebo is not None

    @staticmethod
    def counts(migration: Migration) -> dict[str, int]:
        """n (clients present before the bonus date) and the warmed/stayed/cooled counts."""
        shares = migration.shares()
        return {"n": int(shares["returning"]), **{name: int(shares[name]) for name in SHARES}}

    def differences(self) -> dict[str, ShareDifference]:
        """actual − placebo of each share with its interval (empty when unavailable)."""
        if self.placebo is None:
            return {}
        actual, placebo = self.counts(self.actual), self.counts(self.placebo)
        return {
            name: ShareDifference(*proportion_difference(actual[name], actual["n"], placebo[name], placebo["n"]))
            for name in SHARES
        }

    @property
    def differs(self) -> bool:
        """True when some share's interval excludes 0: the movement is more than time passing."""
        return any(difference.differs for difference in self.differences().values())

    def verdict(self) -> str:
        """One line in words."""
        if self.placebo is None:
            return self.message or "Плацебо-проверка недоступна."
        moved = [_SHARE_NAMES[name] for name, d in self.differences().items() if d.differs]
        if moved:
            return (
                "Миграция отличается от того, что даёт само время: у доли "
                + ", ".join(moved)
                + " интервал разницы с плацебо не включает ноль."
            )
        return "Миграция не отличается от плацебо: интервалы разницы включают ноль — движение объясняется временем."

    def warnings(self) -> list[str]:
        """A placebo or an actual migration with under SMALL_CONTROL returning clients: the comparison is unreliable."""
        sides = [("миграции", self.counts(self.actual)["n"])]
        if self.placebo is not None:
            sides.append(("плацебо", self.counts(self.placebo)["n"]))
        return [
            f"В {name} {count(n, *CLIENTS)}, бывших до бонус-даты (меньше {SMALL_CONTROL}): вывод ненадёжен."
            for name, n in sides
            if n < SMALL_CONTROL
        ]

    def as_json(self) -> dict:
        """`rfma placebo`'s JSON."""
        result: dict = {
            "bonus_date": self.bonus_date.isoformat(),
            "analysis_date": self.analysis_date.isoformat(),
            "placebo_bonus_date": self.placebo_bonus_date.isoformat(),
            "available": self.available,
            "actual": self.counts(self.actual),
        }
        if self.placebo is None:
            result["message"] = self.message
            return result
        result["placebo"] = self.counts(self.placebo)
        result.update({name: d.as_json() for name, d in self.differences().items()})
        result["differs"] = self.differs
        result["verdict"] = self.verdict()
        result["warnings"] = self.warnings()
        return result


_SHARE_NAMES = {"warmed": "потеплевших", "stayed": "оставшихся", "cooled": "остывших"}


@reads_cheques
def placebo_check(
    conn: sa.Connection,
    bonus_date: dt.date,
    period: Period = Period(),
    pins: ThresholdPins = ThresholdPins(),
    options: AnalysisOptions = AnalysisOptions(),
    actual: Migration | None = None,
) -> PlaceboCheck:
    """§10: the migration at `bonus_date` (or `actual`, already made) beside the same migration with bonus date
    b − L and period end b (L = T − b), graded with the actual migration's threshold set."""
    if actual is None:
        actual = migrate(conn, bonus_date, period, pins, options)
    analysis_date = actual.after.base.analysis_date
    if analysis_date is None:  # migrate refused an empty period already
        raise RfmaError("В периоде нет чеков.")
    lag = (analysis_date - bonus_date).days
    placebo_bonus = bonus_date - dt.timedelta(days=lag)
    row = conn.execute(queries.period_summary_query(period)).one()
    first = queries.day_number_to_date(int(row.first_day))
    if placebo_bonus < first:
        message = (
            f"Плацебо-проверка недоступна: бонус-дата плацебо {ru_date(placebo_bonus)} (на {lag} дн. раньше "
            f"{ru_date(bonus_date)}) раньше первого чека {ru_date(first)}; выберите бонус-дату ближе к концу периода."
        )
        return PlaceboCheck(bonus_date, analysis_date, placebo_bonus, actual, None, message)
    thresholds = actual.suggestion.thresholds
    same = ThresholdPins.from_mapping(thresholds.as_dict()) if thresholds is not None else pins
    # the placebo's period ends at b: its snapshot 2 is the actual migration's snapshot 1, already loaded; only the
    # snapshot up to b − L is read (the shares need no revenue after the bonus date)
    before = load_client_base(conn, Period(period.date_from, placebo_bonus), options)
    placebo = migrate_bases(before, actual.before.base, placebo_bonus, same)
    return PlaceboCheck(bonus_date, analysis_date, placebo_bonus, actual, placebo)
