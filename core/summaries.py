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
    """Per cluster or region: clients, share, revenue, revenue share, avg cheque, mean R/F/M/A and the bonus
    economics (BONUS_ECONOMICS; an empty cell where the denominator is zero)."""
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
    summary = summary.join(bonus_economics(clients, level, index))
    return summary.reset_index()


# the bonus economics of a segment (issue 13), in the tables' order; definitions in docs/DECISIONS.md
BONUS_ECONOMICS = [
    "bonus_earned",
    "bonus_spent",
    "bonus_spent_to_earned",
    "bonus_spent_share",
    "discount_share",
    "bonus_clients_share",
    "ltv",
]


def bonus_economics(clients: pd.DataFrame, level: str, index: pd.Index) -> pd.DataFrame:
    """Per segment of `level` (rows `index`): bonuses earned and spent in the period, spent / earned, spent / revenue,
    the discount share Σ(summ − summ_with_disc) / Σ summ, the share of clients who spent bonuses, and LTV per client
    (the clients' revenue over the history up to T / clients). NaN where the denominator is zero."""

    def total(name: str) -> pd.Series:
        if name not in clients:  # a frame built by hand without it
            return pd.Series(float("nan"), index=index)
        return clients.groupby(level)[name].sum().reindex(index).fillna(0.0).astype("float64")

    count = clients.groupby(level).size().reindex(index).fillna(0).astype("float64")
    earned, spent, revenue = total("bonus_earned"), total("bonus_spent"), total("revenue")
    gross, discount, history = total("gross"), total("discount"), total("history_revenue")
    spenders = (
        (clients["bonus_spent"] > 0).groupby(clients[level]).sum().reindex(index).fillna(0).astype("float64")
        if "bonus_spent" in clients
        else pd.Series(float("nan"), index=index)
    )
    return pd.DataFrame(
        {
            "bonus_earned": earned,
            "bonus_spent": spent,
            "bonus_spent_to_earned": (spent / earned).where(earned > 0),
            "bonus_spent_share": (spent / revenue).where(revenue > 0),
            "discount_share": (discount / gross).where(gross > 0),
            "bonus_clients_share": (spenders / count).where(count > 0),
            "ltv": (history / count).where(count > 0),
        },
        index=index,
    )
