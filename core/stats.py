"""Exact discrete percentiles (PostgreSQL's percentile_disc) over values or value histograms."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd


def disc_rank(q: float, count: int) -> int:
    """1-based rank of percentile_disc(q) among `count` sorted values: ceil(q*count), at least 1."""
    if not 0 <= q <= 1:
        raise ValueError(f"percentile {q} outside [0, 1]")
    return max(1, math.ceil(Fraction(str(q)) * count))


def percentile_disc(values, q: float) -> float | None:
    """Smallest observed value v with at least q of the values <= v (None for no values)."""
    arr = np.asarray(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        return None
    k = disc_rank(q, arr.size)
    return float(np.partition(arr, k - 1)[k - 1])


def percentile_disc_hist(histogram: pd.Series, q: float) -> float | None:
    """percentile_disc over a histogram (index = value, data = count of that value)."""
    hist = histogram[histogram > 0].sort_index()
    total = int(hist.sum())
    if total == 0:
        return None
    k = disc_rank(q, total)
    position = int(np.searchsorted(hist.to_numpy().cumsum(), k, side="left"))
    return float(hist.index[position])


def histogram(values) -> pd.Series:
    """Counts of each distinct value, sorted by value (the input form of percentile_disc_hist)."""
    series = pd.Series(values).dropna()
    return series.value_counts(sort=False).sort_index()
