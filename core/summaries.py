"""Counts per class and per-cluster / per-region summaries of a graded client frame."""

from __future__ import annotations

import pandas as pd

from core.segments import CLUSTER_NAMES, REGION_NAMES, REGION_OF_CLUSTER, class_table, warmth_of_region


def class_counts(clients: pd.DataFrame) -> pd.DataFrame:
    """All 108 classes (empty ones with 0) with client counts, in R, F, M, A order."""
    table = class_table()
    counts = clients.groupby("class").size() if not clients.empty else pd.Series(dtype="int64")
    table["clients"] = counts.reindex(table["class"]).fillna(0).astype("int64").to_numpy()
    return table


def segment_summary(clients: pd.DataFrame, level: str) -> pd.DataFrame:
    """Per cluster or region: clients, share, revenue, revenue share, avg cheque, mean R/F/M/A, bonus spent share."""
    if level not in ("cluster", "region"):
        raise ValueError(f"level must be 'cluster' or 'region', not {level!r}")
    names = CLUSTER_NAMES if level == "cluster" else REGION_NAMES
    index = pd.Index(list(names), name=level)
    grouped = clients.groupby(level)
    total_clients = len(clients)
    total_revenue = float(clients["revenue"].sum()) if total_clients else 0.0
    summary = pd.DataFrame(index=index)
    summary[f"{level}_name"] = [names[c] for c in index]
    summary["warmth"] = [warmth_of_region(c if level == "region" else REGION_OF_CLUSTER[c]) for c in index]
    summary["clients"] = grouped.size().reindex(index).fillna(0).astype("int64")
    summary["share"] = summary["clients"] / total_clients if total_clients else 0.0
    revenue = grouped["revenue"].sum().reindex(index).fillna(0.0)
    summary["revenue"] = revenue
    summary["revenue_share"] = revenue / total_revenue if total_revenue else 0.0
    purchases = grouped["purchases"].sum().reindex(index)
    summary["avg_cheque"] = revenue / purchases
    for metric in ("recency_days", "frequency", "avg_cheque", "age_days"):
        summary[f"mean_{metric}"] = grouped[metric].mean().reindex(index)
    bonus = grouped["bonus_spent"].sum().reindex(index).fillna(0.0)
    summary["bonus_spent_share"] = (bonus / revenue).where(revenue > 0)
    return summary.reset_index()
