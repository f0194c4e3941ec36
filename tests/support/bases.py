"""Hand-built inputs shared by the core tests: the hand cheques and client bases built without SQL."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from core.client_base import ClientBase
from core.model import Period, Thresholds
from core.queries import EPOCH
from core.stats import histogram

T = dt.date(2022, 6, 6)


SEED = Thresholds(r1=21, r2=61, r3=105, f1=0.96, f2=0.2, m1=1293, m2=504, a1=30, a2=180)


def day(d: dt.date) -> int:
    return (d - EPOCH).days


def make_base(clients: list[tuple], analysis_date: dt.date = T, gaps=(), amounts=()) -> ClientBase:
    """clients: (card, first_date, last_date, purchases, revenue)."""
    frame = pd.DataFrame(
        {
            "card": [c[0] for c in clients],
            "first_day": np.array([day(c[1]) for c in clients], dtype="int64"),
            "last_day": np.array([day(c[2]) for c in clients], dtype="int64"),
            "purchases": np.array([c[3] for c in clients], dtype="int64"),
            "revenue": np.array([c[4] for c in clients], dtype="float64"),
            "bonus_earned": 0.0,
            "bonus_spent": 0.0,
            "shops": 1,
        }
    )
    gap_hist = histogram(list(gaps)).astype("int64")
    amount_hist = histogram([float(a) for a in amounts]).astype("int64")
    return ClientBase(Period(), analysis_date, len(clients), frame, gap_hist, amount_hist)


HAND_ROWS = [
    # card 100: three purchases on two dates (two on 2022-01-01, one a multi-row cheque)
    ("2022-01-01 09:00", "100", 300.0, "Аптека 1", "A"),
    ("2022-01-01 18:30", "100", 100.0, "Аптека 2", "B"),
    ("2022-01-01 18:30", "100", 50.0, "Аптека 2", "B"),
    ("2022-01-31 12:00", "100", 150.0, "Аптека 1", "C"),
    # card 200: one purchase
    ("2022-01-20 10:00", "200", 1000.0, "Аптека 1", "D"),
    # unidentified cheques: missing, empty-ish and non-digit cards
    ("2022-02-05 10:00", None, 80.0, "Аптека 1", "E"),
    ("2022-02-04 10:00", "12a4", 90.0, "Аптека 1", "F"),
    ("2022-02-03 10:00", " 300", 95.0, "Аптека 1", "G"),
    # card 300: two dates 10 days apart
    ("2022-01-10 10:00", "300", 400.0, "Аптека 4", "H"),
    ("2022-01-20 23:59", "300", 600.0, "Аптека 4", "I"),
]
