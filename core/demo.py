"""A deterministic demo pharmacy chain: loyalty-card cheques calibrated to the seed analysis.

`generate_demo_cheques(scale, seed)` returns one row per cheque in the `bonuscheques` column order.
At scale 1 it has exactly the seed's 38,486 cheques and 5,926 identified cards over the seed's period
(2021-07-01 … 2022-06-06, eight pharmacies, `Аптека 6` closed after 2021-12-31), and its figures land
near the seed's: unidentified shares, cheque statistics, recency distances, the engine's suggested
thresholds (21 / 61 / 105 days, 0.96 / 0.2, 1293 / 504 roubles) and the nine region sizes.

The model. The card programme starts with the period, so every client's first purchase is an arrival
inside it (a linear arrival density per client type). Each client belongs to one type — one-time,
occasional, regular, heavy regular or returning buyer — and its purchase dates are a renewal process:
gamma-distributed gaps around the client's own mean gap (log-normal across clients), a geometric
number of purchases (the client's life), cut at the last day. Each client has a home pharmacy (the
clients of `Аптека 6` move to another one after the closure), a few "wanderers" also buy elsewhere,
and each client has a log-normal cheque level with log-normal noise per cheque. Cheques without a card
are drawn per day and pharmacy, with a lower level and a larger share in pharmacies 1, 2, 4, 7 and 8;
pharmacies 10 and 11 identify best and have the largest cheques. Bonuses: 3% of the paid amount is
earned on identified cheques; some repeat cheques redeem the points earned since the previous
redemption (at most 30% of the cheque, so no balance goes negative); `summ` adds the redeemed
bonuses and an occasional promo discount to the paid `summ_with_disc`.

The numbers in `_Params` were fitted to the seed's figures with a random search over several seeds
(not just `DEMO_SEED`), so other seeds and scales keep the shape. `scale` K multiplies the clients
and cheques by K over the same period with the same distributions.

Everything is vectorised numpy — no Python loop per row or per client; cards and doc ids are built as
Arrow string arrays — and rows are ordered by unique (time, row) keys, so the frame does not depend on
the sort algorithm: the same (scale, seed) gives the same frame on any machine with the same numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.db import CHEQUE_COLUMNS

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

_OPEN_HOUR, _CLOSE_HOUR = 8, 21  # pharmacies open 08:00–21:00
# Relative traffic by opening hour 08..20 (a morning bump and an evening peak).
_HOUR_WEIGHTS = np.array([3, 5, 7, 8, 8, 8, 7, 7, 8, 10, 11, 10, 6], dtype=float)
assert _HOUR_WEIGHTS.size == _CLOSE_HOUR - _OPEN_HOUR


@dataclass(frozen=True)
class _ClientType:
    """One behaviour type: its share of clients, purchase rhythm, life length and cheque level."""

    share: float
    gap_median: float  # median over clients of the client's mean gap between purchases, days
    gap_spread: float  # log-normal spread of the client's mean gap
    gap_shape: float  # gamma shape of the gaps of one client (higher = more regular)
    continue_prob: float  # probability of one more purchase after each purchase (geometric life)
    level: float  # median cheque level (roubles, before the per-cheque noise)
    level_spread: float  # log-normal spread of the cheque levels of the type's clients
    away: float  # probability that a purchase is made outside the home pharmacy
    arrival_trend: float  # slope of the arrival density of the type's new clients over the period (-2..2)


@dataclass(frozen=True)
class _Params:
    """Every calibrated number of the generator (fitted to the seed's figures, see the module docstring)."""

    types: tuple[_ClientType, ...] = (
        # one-time buyers: a single purchase; many got a card in the first months
        _ClientType(
            share=0.26,
            gap_median=1.0,
            gap_spread=0.0,
            gap_shape=1.0,
            continue_prob=0.0,
            level=495.0,
            level_spread=0.887,
            away=0.0,
            arrival_trend=-1.16,
        ),
        # occasional buyers: irregular purchases about every two months, six on average
        _ClientType(
            share=0.481,
            gap_median=67.1,
            gap_spread=0.397,
            gap_shape=0.559,
            continue_prob=0.813,
            level=535.0,
            level_spread=0.723,
            away=0.004,
            arrival_trend=-0.106,
        ),
        # regulars: a purchase every month or two, for years
        _ClientType(
            share=0.132,
            gap_median=48.5,
            gap_spread=0.272,
            gap_shape=1.92,
            continue_prob=0.983,
            level=621.0,
            level_spread=0.863,
            away=0.004,
            arrival_trend=-0.443,
        ),
        # heavy regulars (chronic treatment): a purchase every week or two, about 25 in a row
        _ClientType(
            share=0.088,
            gap_median=9.9,
            gap_spread=0.251,
            gap_shape=3.44,
            continue_prob=0.959,
            level=659.0,
            level_spread=0.38,
            away=0.004,
            arrival_trend=-0.144,
        ),
        # returning buyers: come back after about half a year, once or twice
        _ClientType(
            share=0.039,
            gap_median=170.0,
            gap_spread=0.298,
            gap_shape=3.88,
            continue_prob=0.461,
            level=521.0,
            level_spread=0.764,
            away=0.004,
            arrival_trend=-0.73,
        ),
    )
    cheque_spread: float = 0.523  # log-normal spread of one client's cheques around its level
    first_cheque_boost: float = 1.17  # cards are often issued on a large purchase: first cheques are larger
    wanderer_share: float = 0.15  # share of clients who also shop in other pharmacies now and then
    wanderer_away: float = 0.25  # their probability of buying outside the home pharmacy
    cheap_share: float = 0.01  # share of cheques that are a single cheap item (6–80 roubles)
    big_share: float = 0.001  # share of cheques that are an expensive medicine (5,000–30,000 roubles)
    ceiling_start: float = 16_000.0  # cheques above this are squeezed under start + width (soft maximum)
    ceiling_width: float = 8_000.0
    unidentified_level: float = 572.0  # median unidentified cheque (before the pharmacy multiplier)
    unidentified_spread: float = 0.708
    bonus_rate: float = 0.03  # bonus points earned per rouble paid
    bonus_spend_share: float = 0.12  # share of repeat identified cheques paid partly with bonuses
    discount_share: float = 0.15  # share of cheques with a promo discount (summ > summ_with_disc)
    # per pharmacy (DEMO_SHOPS order): overall traffic, unidentified share and cheque multiplier
    traffic: tuple[float, ...] = (0.15, 0.14, 0.13, 0.11, 0.14, 0.12, 0.11, 0.10)
    unidentified: tuple[float, ...] = (0.53, 0.51, 0.54, 0.30, 0.52, 0.50, 0.27, 0.30)
    shop_level: tuple[float, ...] = (0.97, 0.95, 0.96, 1.0, 0.97, 0.98, 1.22, 1.18)


PARAMS = _Params()


def generate_demo_cheques(scale: float = 1.0, seed: int = DEMO_SEED) -> pd.DataFrame:
    """One row per cheque; columns: datetime, shop, card, bonus_earned, bonus_spent, summ, summ_with_disc, doc_id.

    `scale` K gives round(38,486·K) cheques and round(5,926·K) identified cards with the same shape;
    the same (scale, seed) always gives the same frame.
    """
    return _generate(scale, seed, PARAMS)


def _generate(scale: float, seed: int, params: _Params) -> pd.DataFrame:
    scale = float(scale)
    if not math.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale must be a positive number, not {scale!r}")
    n_cheques = round(BASE_CHEQUES * scale)
    n_clients = round(BASE_CLIENTS * scale)
    rng = np.random.default_rng(seed)

    # Two cheques are kept for the unidentified anchors on the first and the last day.
    ident = _identified_cheques(n_clients, max(n_cheques - 2, n_clients), rng, params)
    n_unidentified = n_cheques - ident["second"].size
    unident = _unidentified_cheques(n_unidentified, rng, params)
    unident["client"] = np.full(n_unidentified, -1, dtype=np.int64)
    unident["earned"] = unident["spent"] = np.zeros(n_unidentified)
    rows = {name: np.concatenate([ident.pop(name), unident.pop(name)]) for name in list(ident)}
    cards = _card_numbers(n_clients, rng)

    # Sort by time with unique keys (time·n + row), so the order never depends on the sort algorithm.
    n = n_cheques
    key = rows.pop("second") * n + np.arange(n, dtype=np.int64)
    key.sort()
    order = key % n
    key //= n
    microseconds = key * 1_000_000 + FIRST_DATE.astype("datetime64[us]").astype(np.int64)
    del key
    paid = rows.pop("paid")
    # summ (before discounts) = paid + redeemed bonuses + an occasional promo discount of 3–12%
    summ = np.where(rng.random(n) < params.discount_share, rng.uniform(1.03, 1.12, n), 1.0)
    summ *= paid
    summ += rows["spent"]
    summ = np.round(summ, 2)
    columns = {
        "datetime": microseconds.view("datetime64[us]"),
        "shop": _string_column(pa.array(list(DEMO_SHOPS), pa.string()), rows.pop("shop")[order]),
        "card": _string_column(cards, rows.pop("client")[order]),
        "bonus_earned": rows.pop("earned")[order],
        "bonus_spent": rows.pop("spent")[order],
        "summ": summ[order],
        "summ_with_disc": paid[order],
        "doc_id": _doc_ids(n),
    }
    del summ, paid, order
    return pd.DataFrame(columns, columns=list(CHEQUE_COLUMNS), copy=False)


def _identified_cheques(n_clients: int, max_cheques: int, rng: np.random.Generator, params: _Params) -> dict:
    """Purchases of identified clients, grouped by client in time order.

    Returns second (since the first day's midnight), shop, client index, paid amount and bonuses.
    """
    types = params.types
    shares = np.array([t.share for t in types])
    kind = rng.choice(len(types), size=n_clients, p=shares / shares.sum())
    attr = {name: np.array([getattr(t, name) for t in types])[kind] for name in _ClientType.__dataclass_fields__}

    gap_mean = attr["gap_median"] * np.exp(attr["gap_spread"] * rng.standard_normal(n_clients))
    shape = attr["gap_shape"]
    # The card programme starts with the period: every client's first purchase is a new arrival.
    first = _linear_density(rng.random(n_clients), attr["arrival_trend"]) * (_LAST_DAY + 1.0)

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

    shop = _client_shops(owner, day, is_first, attr, rng, params)

    level = attr["level"] * np.exp(attr["level_spread"] * rng.standard_normal(n_clients))
    noise = params.cheque_spread * rng.standard_normal(day.size)
    paid = level[owner] * np.exp(noise) * np.asarray(params.shop_level)[shop]
    paid[is_first] *= params.first_cheque_boost
    paid = _amounts(paid, rng, params)
    earned = np.round(paid * params.bonus_rate, 2)
    spent = _bonus_spent(is_first, earned, paid, rng, params)
    # Times of day; a client's purchases of one day keep their order (rows are grouped by client and day).
    seconds = _time_of_day(day.size, rng)
    group = np.cumsum((np.diff(owner, prepend=-1) != 0) | (np.diff(day, prepend=-1) != 0)) * 86_400
    group += seconds
    group.sort()  # groups are contiguous and increasing, so sorting the values sorts inside each group
    second = day * 86_400 + group % 86_400
    return {"second": second, "shop": shop, "client": owner, "paid": paid, "earned": earned, "spent": spent}


def _linear_density(p: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Inverse CDF of the density 1 + slope·(u − 1/2) on [0, 1] at probabilities p (elementwise)."""
    half = slope / 2.0  # the root of half·u² + (1 − half)·u = p in [0, 1], in its cancellation-free form
    return 2.0 * p / ((1.0 - half) + np.sqrt((1.0 - half) ** 2 + 4.0 * half * p))


def _client_shops(owner, day, is_first, attr, rng, params) -> np.ndarray:
    """Shop of each identified purchase: the client's home pharmacy, sometimes another one."""
    n_clients = int(is_first.sum())
    traffic = np.asarray(params.traffic)
    weights = traffic * (1.0 - np.asarray(params.unidentified))
    open_weights = weights.copy()
    open_weights[_CLOSED_INDEX] = 0.0
    first_day = day[is_first]
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


def _amounts(raw: np.ndarray, rng: np.random.Generator, params: _Params) -> np.ndarray:
    """Paid amounts from raw log-normal ones, rounded to kopecks.

    A few cheques are single cheap items (6–80 roubles) or expensive medicines (5,000–30,000), and a
    soft ceiling squeezes every amount above `ceiling_start` under `ceiling_start + ceiling_width`.
    """
    kind = rng.random(raw.size)
    log_uniform = rng.random(raw.size)
    cheap = kind < params.cheap_share
    raw[cheap] = 6.0 * (80.0 / 6.0) ** log_uniform[cheap]
    big = kind > 1.0 - params.big_share
    raw[big] = 5_000.0 * (30_000.0 / 5_000.0) ** log_uniform[big]
    start, width = params.ceiling_start, params.ceiling_width
    high = raw > start
    raw[high] = start + width * np.tanh((raw[high] - start) / width)
    return np.round(raw, 2)


def _bonus_spent(is_first, earned, paid, rng, params) -> np.ndarray:
    """Bonuses spent: on some repeat cheques the client redeems the points earned since its previous
    redemption (or its first cheque), at most 30% of the cheque, so no balance ever goes negative.

    Rows are grouped by client in time order, so the previous redemption is found with a running max.
    """
    n = is_first.size
    spend = (~is_first) & (rng.random(n) < params.bonus_spend_share)
    before = np.cumsum(earned) - earned  # points earned before each row (all clients)
    marks = np.maximum.accumulate(np.where(spend | is_first, np.arange(n), 0))
    previous = np.zeros(n, dtype=np.int64)  # the last redemption (or first cheque) strictly before
    previous[1:] = marks[:-1]
    since = before - before[previous]
    return np.where(spend, np.round(np.minimum(since, 0.3 * paid), 2), 0.0)


def _unidentified_cheques(n: int, rng: np.random.Generator, params: _Params) -> dict:
    """Cheques without a card: second (since the first day's midnight), shop and paid amount."""
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
    paid = _amounts(paid, rng, params)
    return {"second": day * 86_400 + _time_of_day(n, rng), "shop": shop, "paid": paid}


def _time_of_day(n: int, rng: np.random.Generator) -> np.ndarray:
    """Seconds after midnight inside opening hours."""
    hour = _OPEN_HOUR + rng.choice(_HOUR_WEIGHTS.size, size=n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
    return hour * 3600 + rng.integers(0, 3600, n)


def _card_numbers(n: int, rng: np.random.Generator) -> pa.Array:
    """n distinct 13-digit EAN-13 loyalty card numbers starting with 2000, in random order."""
    if n == 0:
        return pa.array([], pa.string())
    space = 10**8  # the eight serial digits after the 2000 prefix
    if n > space:
        raise ValueError(f"cannot issue {n} distinct card numbers")
    stride = space // n
    serial = np.arange(n, dtype=np.int64) * stride + rng.integers(0, stride, n)
    rng.shuffle(serial)
    body = 2000 * 10**8 + serial  # 12 digits
    weighted = np.zeros(n, dtype=np.int64)
    rest = body.copy()
    for position in range(12):  # from the last digit: weights 3, 1, 3, 1, ... (EAN-13)
        weighted += (rest % 10) * (3 if position % 2 == 0 else 1)
        rest //= 10
    check = (10 - weighted % 10) % 10
    return pa.array(body * 10 + check).cast(pa.string())


def _string_column(values: pa.Array, index: np.ndarray) -> pd.Series:
    """values[index] as a pandas string column; a negative index gives a missing value."""
    taken = pc.take(values, pa.array(np.maximum(index, 0), mask=index < 0))
    return taken.to_pandas()


def _doc_ids(n: int) -> pd.Series:
    """Unique cheque ids in time order: 10-digit zero-padded sequence numbers."""
    return pc.utf8_lpad(pa.array(np.arange(1, n + 1, dtype=np.int64)).cast(pa.string()), 10, "0").to_pandas()
