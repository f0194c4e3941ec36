"""Grading a client base with a threshold set: metrics, R/F/M/A grades, class, cluster, region, names (SPEC §3–4)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.client_base import ClientBase
from core.model import Thresholds, check_order
from core.segments import (
    CLUSTER_NAMES,
    REGION_NAMES,
    class_table,
    grade_age,
    grade_frequency,
    grade_monetary,
    grade_recency,
    segment_codes,
)
from core.thresholds import frequency_rate

CLIENT_COLUMNS = [
    "card",
    "first_date",
    "last_date",
    "purchases",
    "revenue",
    "avg_cheque",
    "recency_days",
    "age_days",
    "frequency",
    "r",
    "f",
    "m",
    "a",
    "class",
    "cluster",
    "region",
    "warmth",
    "class_name",
    "cluster_name",
    "region_name",
]

# the per-client sums behind the segments' bonus economics (core.summaries), after CLIENT_COLUMNS
BONUS_COLUMNS = ["bonus_earned", "bonus_spent", "gross", "discount", "history_revenue"]


def grade_clients(base: ClientBase, thresholds: Thresholds) -> pd.DataFrame:
    """Every identified client with metrics, R/F/M/A grades, class, cluster, region, warmth and names.

    Columns: CLIENT_COLUMNS plus BONUS_COLUMNS (bonuses, the gross amount and discount of the period, the revenue of
    the history up to T), and shops when the base was loaded with them.
    """
    check_order(thresholds)
    clients = base.clients
    if base.is_empty:
        return empty_graded("shops" in clients)
    recency = base.recency_days
    age = base.age_days
    avg = base.avg_cheque
    frequency = frequency_rate(base, thresholds.r1, thresholds.r3)
    r = grade_recency(recency, thresholds)
    f = grade_frequency(frequency, thresholds)
    m = grade_monetary(avg, thresholds)
    a = grade_age(age, thresholds)
    code, cluster, region = segment_codes(r, f, m, a)
    frame = pd.DataFrame(
        {
            "card": clients["card"].reset_index(drop=True),
            "first_date": base.first_dates,
            "last_date": base.last_dates,
            "purchases": clients["purchases"].to_numpy(),
            "revenue": clients["revenue"].to_numpy(),
            "avg_cheque": avg,
            "recency_days": recency,
            "age_days": age,
            "frequency": frequency,
            "r": r,
            "f": f,
            "m": m,
            "a": a,
            "class": _labels(code, _CLASS_LABELS),
            "cluster": cluster.astype("int64"),
            "region": region.astype("int64"),
            "warmth": (region // 100).astype("int64"),
            "class_name": _labels(code, _CLASS_NAME_LABELS),
            "cluster_name": _labels(cluster, _CLUSTER_NAME_LABELS),
            "region_name": _labels(region, _REGION_NAME_LABELS),
            "bonus_earned": clients["bonus_earned"].to_numpy(),
            "bonus_spent": clients["bonus_spent"].to_numpy(),
            "gross": _column(clients, "gross", np.nan),
            "discount": _column(clients, "discount", np.nan),
            "history_revenue": _column(clients, "history_revenue", clients["revenue"]),
        },
        copy=False,  # no consolidation into 2-D blocks: that copy dominated re-grading a large base
    )
    if "shops" in clients:
        frame["shops"] = clients["shops"].to_numpy()
    return frame


def _column(clients: pd.DataFrame, name: str, default) -> np.ndarray:
    """A base column as an array; `default` (a value or a column) for a base built without it (by hand)."""
    if name in clients:
        return clients[name].to_numpy(dtype="float64")
    if isinstance(default, pd.Series):
        return default.to_numpy(dtype="float64")
    return np.full(len(clients), default, dtype="float64")


def _label_lookup(labels: dict[int, str]) -> tuple[np.ndarray, list[str]]:
    """(position of each integer code in the category list, the category list) for categorical labels."""
    categories = list(dict.fromkeys(labels.values()))
    position = np.full(max(labels) + 1, -1, dtype=np.int16)
    for code, label in labels.items():
        position[code] = categories.index(label)
    return position, categories


def _labels(codes: np.ndarray, lookup: tuple[np.ndarray, list[str]]) -> pd.Categorical[str]:
    """Labels of integer codes as a categorical (108 categories at most: no per-row strings)."""
    position, categories = lookup
    return pd.Categorical.from_codes(position[np.asarray(codes)], categories=pd.Index(categories))


_CLASSES = class_table()
_CLASS_INT = (_CLASSES["r"] * 1000 + _CLASSES["f"] * 100 + _CLASSES["m"] * 10 + _CLASSES["a"]).tolist()
_CLASS_LABELS = _label_lookup(dict(zip(_CLASS_INT, _CLASSES["class"], strict=False)))
_CLASS_NAME_LABELS = _label_lookup(dict(zip(_CLASS_INT, _CLASSES["class_name"], strict=False)))
_CLUSTER_NAME_LABELS = _label_lookup(CLUSTER_NAMES)
_REGION_NAME_LABELS = _label_lookup(REGION_NAMES)


GRADED_DTYPES = {
    "card": "str",
    "first_date": "datetime64[s]",
    "last_date": "datetime64[s]",
    "purchases": "int64",
    "revenue": "float64",
    "avg_cheque": "float64",
    "recency_days": "int64",
    "age_days": "int64",
    "frequency": "float64",
    "r": "int8",
    "f": "int8",
    "m": "int8",
    "a": "int8",
    "cluster": "int64",
    "region": "int64",
    "warmth": "int64",
    "bonus_earned": "float64",
    "bonus_spent": "float64",
    "gross": "float64",
    "discount": "float64",
    "history_revenue": "float64",
    "shops": "int64",
}


def empty_graded(with_shops: bool) -> pd.DataFrame:
    """A graded frame with no rows and the same columns and dtypes as grade_clients' result."""
    empty = np.array([], dtype=np.int16)
    frame = pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in GRADED_DTYPES.items()})
    frame["class"] = _labels(empty, _CLASS_LABELS)
    frame["class_name"] = _labels(empty, _CLASS_NAME_LABELS)
    frame["cluster_name"] = _labels(empty, _CLUSTER_NAME_LABELS)
    frame["region_name"] = _labels(empty, _REGION_NAME_LABELS)
    return frame[CLIENT_COLUMNS + BONUS_COLUMNS + (["shops"] if with_shops else [])]
