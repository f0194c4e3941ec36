"""A deterministic demo pharmacy chain: loyalty-card cheques calibrated to the seed analysis.

`generate_demo_cheques(scale, seed)` returns one row per cheque in the `bonuscheques` column order.
At scale 1 it has exactly the seed's 38,486 cheques and 5,926 identified cards over the seed's period
(2021-07-01 … 2022-06-06, eight pharmacies, `Аптека 6` closed after 2021). The client behaviour is a
mix of types, each a renewal process of purchase dates:

- one-time buyers (one purchase on a uniformly drawn date);
- occasional buyers (a few purchases, gaps of one to three months);
- regulars and heavy regulars (a purchase every 1–4 weeks, long-lived, higher cheques).

Clients either were customers before the data starts (their first purchase in the data is the
residual of a renewal gap) or arrive on a uniform date. Each client has a home pharmacy, a log-normal
cheque level and occasional purchases in other pharmacies. Unidentified cheques (no card) are drawn
per day and pharmacy with a lower cheque level and a higher share in pharmacies 1, 2, 4, 7 and 8.

Everything is vectorised numpy (no Python loop per row or per client); strings (cards, doc ids) are
built as Arrow arrays. `scale` K multiplies the clients and cheques by K with the same distributions
over the same period, so the suggested thresholds stay put.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DEMO_SEED: int = 20210701
DEMO_SHOPS: tuple[str, ...] = (
    "Аптека 1",
    "Аптека 2",
    "Аптека 4",
    "Аптека 6",
    "Аптека 7",
    "Аптека 8",
    "Аптека 10",
    "Аптека 11",
)
BASE_CHEQUES = 38_486
BASE_CLIENTS = 5_926

FIRST_DATE = np.datetime64("2021-07-01", "D")
LAST_DATE = np.datetime64("2022-06-06", "D")
CLOSED_SHOP = "Аптека 6"
CLOSED_AFTER = np.datetime64("2021-12-31", "D")

_LAST_DAY = int((LAST_DATE - FIRST_DATE) / np.timedelta64(1, "D"))  # 340
_CLOSED_DAY = int((CLOSED_AFTER - FIRST_DATE) / np.timedelta64(1, "D"))  # 183: last trading day of shop 6
_CLOSED_INDEX = DEMO_SHOPS.index(CLOSED_SHOP)

_OPEN_HOUR, _CLOSE_HOUR = 8, 21
# Relative traffic by opening hour 08..20 (a morning bump and an evening peak).
_HOUR_WEIGHTS = np.array([3, 5, 7, 8, 8, 8, 7, 7, 8, 10, 11, 10, 6], dtype=float)

CHEQUE_COLUMNS = ("datetime", "shop", "card", "bonus_earned", "bonus_spent", "summ", "summ_with_disc", "doc_id")


@dataclass(frozen=True)
class _ClientType:
    """One behaviour type: its share of clients, purchase rhythm, life length and cheque level."""

    share: float
    gap_median: float  # median over clients of the client's mean gap between purchases, days
    gap_spread: float  # log-normal spread of the client's mean gap
    gap_shape: float  # gamma shape of the gaps of one client (higher = more regular)
    continue_prob: float  # probability of one more purchase after each purchase (geometric life)
    pre_existing: float  # share of clients already buying before the data starts
    level: float  # median cheque level (roubles, before the per-cheque noise)
    away: float  # probability that a purchase is made outside the home pharmacy


@dataclass(frozen=True)
class _Params:
    types: tuple[_ClientType, ...] = (
        # one-time buyers
        _ClientType(0.30, 1.0, 0.0, 1.0, 0.0, 0.0, 520.0, 0.0),
        # occasional buyers
        _ClientType(0.42, 55.0, 0.45, 1.6, 0.72, 0.35, 600.0, 0.05),
        # regulars
        _ClientType(0.18, 26.0, 0.30, 2.5, 0.93, 0.60, 700.0, 0.05),
        # heavy regulars
        _ClientType(0.10, 13.0, 0.30, 2.5, 0.97, 0.75, 760.0, 0.05),
    )
    level_spread: float = 0.50  # log-normal spread of client cheque levels
    cheque_spread: float = 0.62  # log-normal spread of one client's cheques around its level
    wanderer_share: float = 0.10  # share of multi-purchase clients that also shop in other pharmacies
    wanderer_away: float = 0.25
    cheap_share: float = 0.01  # share of cheques that are a single cheap item (6–80 roubles)
    unidentified_level: float = 500.0
    unidentified_spread: float = 0.86
    bonus_rate: float = 0.03
    bonus_spend_share: float = 0.12  # share of identified repeat cheques paid partly with bonuses
    discount_share: float = 0.15  # share of cheques with a promo discount (summ > paid)
    # per pharmacy (DEMO_SHOPS order): overall traffic, unidentified share and cheque multiplier
    traffic: tuple[float, ...] = (0.15, 0.14, 0.13, 0.11, 0.14, 0.12, 0.11, 0.10)
    unidentified: tuple[float, ...] = (0.53, 0.51, 0.54, 0.42, 0.52, 0.50, 0.27, 0.30)
    shop_level: tuple[float, ...] = (0.97, 0.95, 0.96, 1.0, 0.97, 0.98, 1.22, 1.18)


PARAMS = _Params()


def generate_demo_cheques(scale: float = 1.0, seed: int = DEMO_SEED) -> pd.DataFrame:
    """One row per cheque, columns exactly: datetime, shop, card, bonus_earned, bonus_spent, summ, summ_with_disc, doc_id.

    `scale` K gives round(38,486·K) cheques and round(5,926·K) identified cards with the same shape;
    the same (scale, seed) always gives the same frame.
    """
    return _generate(scale, seed, PARAMS)


def _generate(scale: float, seed: int, params: _Params) -> pd.DataFrame:
    scale = float(scale)
    if not math.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale must be a positive number, not {scale!r}")
    n_cheques = int(round(BASE_CHEQUES * scale))
    n_clients = int(round(BASE_CLIENTS * scale))
    rng = np.random.default_rng(seed)

    ident = _identified_cheques(n_clients, max(n_cheques - 2, n_clients), rng, params)
    n_unidentified = n_cheques - ident["day"].size
    unident = _unidentified_cheques(n_unidentified, rng, params)

    day = np.concatenate([ident["day"], unident["day"]])
    shop = np.concatenate([ident["shop"], unident["shop"]])
    client = np.concatenate([ident["client"], np.full(n_unidentified, -1, dtype=np.int64)])
    paid = np.concatenate([ident["paid"], unident["paid"]])
    earned = np.concatenate([ident["earned"], np.zeros(n_unidentified)])
    spent = np.concatenate([ident["spent"], np.zeros(n_unidentified)])

    discount = np.where(rng.random(day.size) < params.discount_share, paid * rng.uniform(0.03, 0.12, day.size), 0.0)
    summ = np.round(paid + spent + discount, 2)

    seconds = day.astype(np.int64) * 86_400 + _time_of_day(day.size, rng)
    order = np.argsort(seconds, kind="stable")
    timestamps = (FIRST_DATE.astype("datetime64[s]") + seconds[order].astype("timedelta64[s]")).astype(
        "datetime64[us]"
    )
    return pd.DataFrame(
        {
            "datetime": timestamps,
            "shop": _string_column(pa.array(list(DEMO_SHOPS), pa.string()), shop[order]),
            "card": _string_column(_card_numbers(n_clients, rng), client[order]),
            "bonus_earned": earned[order],
            "bonus_spent": spent[order],
            "summ": summ[order],
            "summ_with_disc": paid[order],
            "doc_id": _doc_ids(day.size),
        },
        columns=list(CHEQUE_COLUMNS),
    )


def _identified_cheques(n_clients: int, max_cheques: int, rng: np.random.Generator, params: _Params) -> dict:
    """Purchases of identified clients: day, shop, client index, paid amount and bonuses."""
    types = params.types
    shares = np.array([t.share for t in types])
    kind = rng.choice(len(types), size=n_clients, p=shares / shares.sum())
    attr = {name: np.array([getattr(t, name) for t in types])[kind] for name in _ClientType.__dataclass_fields__}

    gap_mean = attr["gap_median"] * np.exp(attr["gap_spread"] * rng.standard_normal(n_clients))
    shape = attr["gap_shape"]
    # First purchase in the data: pre-existing clients are somewhere inside a renewal gap on day 0
    # (a length-biased gap, uniformly split), the others arrive on a uniform day.
    pre = (rng.random(n_clients) < attr["pre_existing"]) & (attr["continue_prob"] > 0)
    residual = rng.random(n_clients) * rng.gamma(shape + 1.0, gap_mean / shape)
    arrival = rng.uniform(0.0, _LAST_DAY + 1.0, n_clients)
    first = np.where(pre, np.minimum(residual, _LAST_DAY + 0.999), arrival)

    # Planned further purchases: geometric life, capped far beyond what fits before the last day.
    cont = attr["continue_prob"]
    extra = np.where(cont > 0, rng.geometric(1.0 - np.minimum(cont, 0.999)), 0)
    cap = np.ceil((_LAST_DAY + 1.0 - first) / gap_mean * 2.0 + 5.0).astype(np.int64)
    extra = np.minimum(extra, cap)

    sizes = extra + 1
    owner = np.repeat(np.arange(n_clients), sizes)
    gaps = rng.gamma(np.repeat(shape, sizes), np.repeat(gap_mean / shape, sizes))
    starts = np.cumsum(sizes) - sizes
    gaps[starts] = 0.0
    cum = np.cumsum(gaps)
    offset = np.repeat(cum[starts], sizes)
    moment = np.repeat(first, sizes) + (cum - offset)
    keep = moment < _LAST_DAY + 1.0
    owner, moment = owner[keep], moment[keep]
    is_first = np.zeros(owner.size, dtype=bool)
    is_first[np.flatnonzero(np.diff(owner, prepend=-1))] = True
    day = np.floor(moment).astype(np.int64)

    if day.size > max_cheques:  # tiny scales only: drop random repeat purchases, keep every client
        repeats = np.flatnonzero(~is_first)
        drop = rng.choice(repeats, size=day.size - max_cheques, replace=False)
        mask = np.ones(day.size, dtype=bool)
        mask[drop] = False
        owner, day, is_first = owner[mask], day[mask], is_first[mask]

    shop = _client_shops(owner, day, attr, kind, rng, params)

    level = attr["level"] * np.exp(params.level_spread * rng.standard_normal(n_clients))
    noise = params.cheque_spread * rng.standard_normal(day.size) - params.cheque_spread**2 / 2
    paid = level[owner] * np.exp(noise) * np.asarray(params.shop_level)[shop]
    paid = np.round(_with_cheap_items(paid, rng, params), 2)
    earned = np.round(paid * params.bonus_rate, 2)
    spent = _bonus_spent(is_first, earned, paid, rng, params)
    return {"day": day, "shop": shop, "client": owner, "paid": paid, "earned": earned, "spent": spent}


def _client_shops(owner, day, attr, kind, rng, params) -> np.ndarray:
    """Shop of each identified purchase: the client's home pharmacy, sometimes another one."""
    n_clients = kind.size
    traffic = np.asarray(params.traffic)
    weights = traffic * (1.0 - np.asarray(params.unidentified))
    open_weights = weights.copy()
    open_weights[_CLOSED_INDEX] = 0.0
    first_day = np.full(n_clients, _LAST_DAY + 1, dtype=np.int64)
    np.minimum.at(first_day, owner, day)
    home = np.where(
        first_day <= _CLOSED_DAY,
        _pick(weights, n_clients, rng),
        _pick(open_weights, n_clients, rng),
    )
    successor = _pick(open_weights, n_clients, rng)  # where a client of the closed pharmacy goes next
    wanderer = rng.random(n_clients) < params.wanderer_share
    away_prob = np.where(wanderer, params.wanderer_away, attr["away"])
    away = rng.random(day.size) < away_prob[owner]
    other = _pick(open_weights, day.size, rng)
    shop = np.where(away, other, home[owner])
    closed = (shop == _CLOSED_INDEX) & (day > _CLOSED_DAY)
    return np.where(closed, successor[owner], shop)


def _pick(weights: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    return rng.choice(weights.size, size=size, p=weights / weights.sum())


def _with_cheap_items(paid: np.ndarray, rng: np.random.Generator, params: _Params) -> np.ndarray:
    cheap = rng.random(paid.size) < params.cheap_share
    return np.where(cheap, np.exp(rng.uniform(np.log(6.0), np.log(80.0), paid.size)), paid)


def _bonus_spent(is_first, earned, paid, rng, params) -> np.ndarray:
    """Bonuses spent: on some repeat cheques the client redeems the points earned since its previous
    redemption (or its first cheque), at most 30% of the cheque, so no balance ever goes negative.

    Rows are grouped by client in time order, so the previous redemption is found with a running max.
    """
    n = is_first.size
    spend = (~is_first) & (rng.random(n) < params.bonus_spend_share)
    before = np.cumsum(earned) - earned  # points earned before each row (all clients)
    marks = np.maximum.accumulate(np.where(spend | is_first, np.arange(n), 0))
    previous = np.concatenate([[0], marks[:-1]]).astype(np.int64)
    since = before - before[previous]
    return np.where(spend, np.round(np.minimum(since, 0.3 * paid), 2), 0.0)


def _unidentified_cheques(n: int, rng: np.random.Generator, params: _Params) -> dict:
    """Cheques without a card: day, shop and paid amount."""
    day = rng.integers(0, _LAST_DAY + 1, n)
    if n >= 2:  # the period is exact: the first and the last day always have a cheque
        day[0], day[1] = 0, _LAST_DAY
    traffic = np.asarray(params.traffic)
    weights = traffic * np.asarray(params.unidentified)
    open_weights = weights.copy()
    open_weights[_CLOSED_INDEX] = 0.0
    # the closed pharmacy traded half of the period: double its daily rate while open
    early = weights.copy()
    early[_CLOSED_INDEX] *= (_LAST_DAY + 1) / (_CLOSED_DAY + 1)
    shop = np.where(day <= _CLOSED_DAY, _pick(early, n, rng), _pick(open_weights, n, rng))
    level = params.unidentified_level * np.asarray(params.shop_level)[shop]
    paid = level * np.exp(params.unidentified_spread * rng.standard_normal(n))
    paid = np.round(_with_cheap_items(paid, rng, params), 2)
    return {"day": day, "shop": shop, "paid": paid}


def _time_of_day(n: int, rng: np.random.Generator) -> np.ndarray:
    """Seconds after midnight inside opening hours."""
    hour = _OPEN_HOUR + rng.choice(_HOUR_WEIGHTS.size, size=n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
    return hour * 3600 + rng.integers(0, 3600, n)


def _card_numbers(n: int, rng: np.random.Generator) -> pa.Array:
    """n distinct 13-digit EAN-13 loyalty card numbers starting with 2000, in random order."""
    if n == 0:
        return pa.array([], pa.string())
    space = 10**8
    stride = space // n
    serial = np.arange(n, dtype=np.int64) * stride + rng.integers(0, stride, n)
    rng.shuffle(serial)
    body = 2000 * 10**8 + serial  # 12 digits
    digits = (body[:, None] // 10 ** np.arange(11, -1, -1)) % 10
    weights = np.where(np.arange(12) % 2 == 0, 1, 3)
    check = (10 - (digits * weights).sum(axis=1) % 10) % 10
    return pa.array(body * 10 + check).cast(pa.string())


def _string_column(values: pa.Array, index: np.ndarray) -> pd.Series:
    """values[index] as a pandas string column; a negative index gives a missing value."""
    taken = pc.take(values, pa.array(np.maximum(index, 0), mask=index < 0))
    return taken.to_pandas()


def _doc_ids(n: int) -> pd.Series:
    """Unique cheque ids in time order: 10-digit zero-padded sequence numbers."""
    return pc.utf8_lpad(pa.array(np.arange(1, n + 1, dtype=np.int64)).cast(pa.string()), 10, "0").to_pandas()
