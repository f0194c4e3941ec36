"""A small, fully deterministic pharmacy chain for dashboard tests (no randomness drawn at run time).

Eight pharmacies over twelve months (2021-07-01 … 2022-06-30); «Аптека 6» closes at the end of 2021.
Clients follow a fixed seed, so every run builds the same table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from core.db import make_engine
from core.loading import append_cheques

SEED = 20240601
START = dt.date(2021, 7, 1)
END = dt.date(2022, 6, 30)
SHOPS = ["Аптека 1", "Аптека 2", "Аптека 4", "Аптека 6", "Аптека 7", "Аптека 8", "Аптека 10", "Аптека 11"]
CLOSED_SHOP = "Аптека 6"
CLOSED_FROM = dt.date(2022, 1, 1)


def chain_cheques(clients: int = 600, anonymous: int = 1500, seed: int = SEED) -> pd.DataFrame:
    """Cheque rows of the test chain: identified clients with varied habits plus unidentified cheques."""
    rng = np.random.default_rng(seed)
    days = (END - START).days
    rows: list[tuple] = []
    doc = 0

    def shop_for(day: dt.date, home: int) -> str:
        index = home if rng.random() < 0.9 else int(rng.integers(len(SHOPS)))
        shop = SHOPS[index]
        if shop == CLOSED_SHOP and day >= CLOSED_FROM:
            shop = SHOPS[0]
        return shop

    for client in range(clients):
        card = str(100000 + client)
        first = int(rng.integers(0, days))
        visits = 1 + int(rng.geometric(0.25)) if rng.random() < 0.7 else 1
        interval = int(rng.integers(5, 60))
        home = int(rng.integers(len(SHOPS)))
        level = float(rng.choice([300.0, 600.0, 1200.0]))
        day_number = first
        for _ in range(visits):
            if day_number > days:
                break
            day = START + dt.timedelta(days=day_number)
            amount = round(max(10.0, rng.normal(level, level / 3)), 2)
            doc += 1
            rows.append((day, shop_for(day, home), card, amount, doc))
            day_number += max(1, int(rng.normal(interval, interval / 3)))
    for _ in range(anonymous):
        day = START + dt.timedelta(days=int(rng.integers(0, days + 1)))
        amount = round(max(10.0, rng.normal(450.0, 200.0)), 2)
        doc += 1
        card = None if rng.random() < 0.8 else "нет карты"
        rows.append((day, shop_for(day, int(rng.integers(len(SHOPS)))), card, amount, doc))

    frame = pd.DataFrame(rows, columns=["day", "shop", "card", "summ_with_disc", "doc"])
    seconds = rng.integers(8 * 3600, 21 * 3600, size=len(frame))
    frame["datetime"] = pd.to_datetime(frame["day"]) + pd.to_timedelta(seconds, unit="s")
    frame["summ"] = (frame["summ_with_disc"] * 1.05).round(2)
    frame["bonus_earned"] = (frame["summ_with_disc"] * 0.03).round(2).where(frame["card"].notna(), 0.0)
    frame["bonus_spent"] = np.where(rng.random(len(frame)) < 0.1, (frame["summ_with_disc"] * 0.2).round(2), 0.0)
    frame["doc_id"] = "D" + frame["doc"].astype(str).str.zfill(7)
    return frame[["datetime", "shop", "card", "bonus_earned", "bonus_spent", "summ", "summ_with_disc", "doc_id"]]


def build_chain_database(path: Path, card_prefix: str = "", **kwargs) -> str:
    """Write the test chain into a new DuckDB file and return its SQLAlchemy URL (`card_prefix` before every
    identified card: two chains whose cards cannot be mistaken for each other)."""
    url = f"duckdb:///{path}"
    frame = chain_cheques(**kwargs)
    if card_prefix:
        known = frame["card"].notna() & frame["card"].str.isdigit()
        frame.loc[known, "card"] = card_prefix + frame.loc[known, "card"]
    engine = make_engine(url)
    with engine.begin() as conn:
        append_cheques(conn, frame)
    engine.dispose()
    return url


SECOND_CHAIN = {"clients": 250, "anonymous": 500, "seed": 7}  # «Аптеки Юг»: another, smaller chain


def append_more(url: str, frame: pd.DataFrame) -> None:
    """Append cheques to an existing test database (a re-import)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        append_cheques(conn, frame)
    engine.dispose()


def count_rows(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        value = conn.execute(sa.text("select count(*) from bonuscheques")).scalar_one()
    engine.dispose()
    return int(value)
