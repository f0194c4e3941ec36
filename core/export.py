"""Client lists for export: segment filters and the CSV layout of `rfma classify`."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from core.engine import CLIENT_COLUMNS


def filter_segment(
    clients: pd.DataFrame,
    regions: Iterable[int] | None = None,
    clusters: Iterable[int] | None = None,
    classes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Clients in any of the given regions, clusters and classes (each filter is ignored when None/empty)."""
    mask = pd.Series(True, index=clients.index)
    if regions:
        mask &= clients["region"].isin([int(r) for r in regions])
    if clusters:
        mask &= clients["cluster"].isin([int(c) for c in clusters])
    if classes:
        mask &= clients["class"].isin([str(c) for c in classes])
    return clients[mask]


def classified_csv_frame(clients: pd.DataFrame) -> pd.DataFrame:
    """The `rfma classify` columns, with ISO dates and frequency as a 6-decimal string."""
    frame = clients[CLIENT_COLUMNS].copy()
    for column in ("first_date", "last_date"):
        frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d")
    frame["frequency"] = frame["frequency"].map(lambda value: f"{value:.6f}")
    frame["revenue"] = frame["revenue"].astype(float).round(6)
    frame["avg_cheque"] = frame["avg_cheque"].astype(float).round(6)
    return frame
