"""An independent, deliberately plain pandas implementation of SPEC.md, used as the oracle in tests.

It shares no code with `core/`: percentiles use numpy's inverted_cdf, grades and
clusters are written as literal rule tables from the spec.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def pdisc(values, q: float):
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return None
    return float(np.percentile(values, q * 100, method="inverted_cdf"))


def reference_classify(
    cheques: pd.DataFrame, date_from=None, date_to=None, pattern=r"^\d+$"
) -> tuple[dict, pd.DataFrame]:
    """(thresholds dict, per-client frame) for a raw cheques frame, following SPEC.md literally."""
    c = cheques.copy()
    c["day"] = pd.to_datetime(c["datetime"]).dt.normalize()
    history = c  # Age counts from the first purchase ever (up to T), before the period's start too
    if date_from is not None:
        c = c[c["day"] >= pd.Timestamp(date_from)]
    if date_to is not None:
        c = c[c["day"] <= pd.Timestamp(date_to)]
    T = c["day"].max()
    ident = c[c["card"].notna() & c["card"].astype(str).str.contains(pattern, regex=True)]
    if ident.empty:
        return {}, pd.DataFrame()
    g = ident.groupby("card")
    clients = pd.DataFrame(
        {
            "first": g["day"].min(),
            "last": g["day"].max(),
            "n": g["doc_id"].nunique(),
            "revenue": g["summ_with_disc"].sum(),
        }
    )
    # amounts are cents: the average compared with m1/m2 at 1e-9 is the exact rational value
    clients["M"] = (clients["revenue"] / clients["n"]).round(9)
    clients["D"] = (T - clients["last"]).dt.days
    known = history[history["card"].notna() & history["card"].astype(str).str.contains(pattern, regex=True)]
    since = known[known["day"] <= T].groupby("card")["day"].min()
    clients["A"] = (T - since.reindex(clients.index)).dt.days
    clients["newbie_days"] = (T - clients["first"]).dt.days  # the frequency's rule uses the period's first purchase

    gaps = []
    for _, days in ident.groupby("card")["day"]:
        distinct = np.sort(days.unique())
        gaps.extend((np.diff(distinct) / np.timedelta64(1, "D")).astype(int).tolist())
    C = pdisc(gaps, 0.95)
    C = 105 if C is None else int(C)
    r3 = max(C, 3)
    r2 = int(min(max(pdisc(clients["D"], 0.4), 2), r3 - 1))
    r1 = int(min(max(pdisc(clients["D"], 0.2), 1), r2 - 1))
    B = r1

    def rate(row):
        if row["newbie_days"] <= B:
            intervals = 1
        else:
            end = min(row["last"] + pd.Timedelta(days=r3), T)
            intervals = (end - row["first"]).days / B
        return round(row["n"] / intervals, 6)

    clients["F"] = clients.apply(rate, axis=1)
    f2 = round(r1 / r3, 6)
    f1 = pdisc(clients["F"], 0.85)
    if f1 <= f2:
        f1 = f2 + 0.000001
    amounts = ident.groupby("doc_id")["summ_with_disc"].sum().round(9)  # exact cent sums
    m1, m2 = pdisc(amounts, 0.8), pdisc(amounts, 0.4)
    if m2 >= m1:
        m2 = m1 - 0.01
    a1, a2 = 30, 180

    def grade(row):
        D, F, M, A = row["D"], row["F"], row["M"], row["A"]
        r = 1 if D <= r1 else 2 if D <= r2 else 3 if D <= r3 else 4
        f = 1 if F >= f1 else 3 if F <= f2 else 2
        m = 1 if M > m1 else 2 if M > m2 else 3
        a = 1 if A > a2 else 2 if A > a1 else 3
        return pd.Series({"r": r, "f": f, "m": m, "a": a})

    clients = clients.join(clients.apply(grade, axis=1))
    clients["cluster"] = [reference_cluster(*x) for x in clients[["r", "f", "m", "a"]].itertuples(index=False)]
    region_of = {
        11: 110,
        21: 110,
        12: 210,
        22: 210,
        13: 220,
        14: 220,
        23: 220,
        24: 220,
        15: 230,
        25: 230,
        31: 310,
        32: 320,
        41: 410,
        42: 420,
        33: 510,
        43: 510,
    }
    clients["region"] = clients["cluster"].map(region_of)
    thresholds = dict(r1=r1, r2=r2, r3=r3, f1=f1, f2=f2, m1=m1, m2=m2, a1=a1, a2=a2, churn_period=C, T=T.date())
    return thresholds, clients.reset_index()


def reference_cluster(r, f, m, a) -> int:
    """The cluster table of SPEC §4, written as the literal list of participating classes."""
    vip = (f == 1 and m in (1, 2)) or (f == 2 and m == 1)
    middle = (f == 1 and m == 3) or (f == 2 and m in (2, 3))
    not_newbie = a in (1, 2)
    table = [
        (11, r == 1 and not_newbie and vip),
        (12, r == 1 and not_newbie and middle),
        (13, r == 1 and a == 3 and m == 1),
        (14, r == 1 and a == 3 and m in (2, 3)),
        (15, r == 1 and not_newbie and f == 3),
        (21, r == 2 and not_newbie and vip),
        (22, r == 2 and not_newbie and middle),
        (23, r == 2 and a == 3 and ((f == 1 and m in (1, 2)) or (f in (2, 3) and m == 1))),
        (24, r == 2 and a == 3 and ((f == 1 and m == 3) or (f in (2, 3) and m in (2, 3)))),
        (25, r == 2 and not_newbie and f == 3),
        (31, r == 3 and vip),
        (32, r == 3 and middle),
        (33, r == 3 and f == 3),
        (41, r == 4 and vip),
        (42, r == 4 and middle),
        (43, r == 4 and f == 3),
    ]
    matches = [code for code, ok in table if ok]
    assert len(matches) == 1, (r, f, m, a, matches)
    return matches[0]


# --- SPEC part 2, §7: cohorts, Pareto, dynamics (literal, per client and per month) ---------------------------------


def _month(day) -> int:
    day = pd.Timestamp(day)
    return day.year * 12 + day.month - 1


def _purchases(cheques: pd.DataFrame, date_from, date_to, pattern=r"^\d+$"):
    """(S, T, purchases of the history: card, doc_id, day, amount, shops) or None without cheques in the period."""
    c = cheques.copy()
    c["day"] = pd.to_datetime(c["datetime"]).dt.normalize()
    period = c
    if date_from is not None:
        period = period[period["day"] >= pd.Timestamp(date_from)]
    if date_to is not None:
        period = period[period["day"] <= pd.Timestamp(date_to)]
    if period.empty:
        return None
    T = period["day"].max()
    S = pd.Timestamp(date_from) if date_from is not None else period["day"].min()
    known = c[c["card"].notna() & c["card"].astype(str).str.contains(pattern, regex=True) & (c["day"] <= T)]
    purchases = []
    for (card, doc), rows in known.groupby(["card", "doc_id"]):
        purchases.append(
            {
                "card": card,
                "doc_id": doc,
                "day": pd.to_datetime(rows["datetime"]).min().normalize(),
                "amount": float(rows["summ_with_disc"].fillna(0).sum()),
                "shops": set(rows["shop"].dropna()),
            }
        )
    frame = pd.DataFrame(purchases, columns=["card", "doc_id", "day", "amount", "shops"])
    return S, T, frame, period


def reference_cohorts(cheques: pd.DataFrame, date_from=None, date_to=None, cards=None) -> pd.DataFrame:
    """One row per cell of §7 (cohort as a month index), in cohort, months_since order."""
    found = _purchases(cheques, date_from, date_to)
    if found is None:
        return pd.DataFrame()
    S, T, p, _ = found
    if cards is not None:
        p = p[p["card"].isin(list(cards))]
    p = p.assign(month=[_month(d) for d in p["day"]])
    cohort_of = p.groupby("card")["month"].min()
    last = _month(T)
    partial = T != T + pd.offsets.MonthEnd(0)
    rows = []
    for c in range(_month(S), last + 1):
        members = set(cohort_of[cohort_of == c].index)
        if not members:
            continue
        cumulative = 0.0
        for k in range(last - c + 1):
            bought = p[p["card"].isin(members) & (p["month"] == c + k)]
            revenue = float(bought["amount"].sum())
            cumulative += revenue
            rows.append(
                {
                    "cohort": c,
                    "months_since": k,
                    "cohort_clients": len(members),
                    "active_clients": bought["card"].nunique(),
                    "retention": bought["card"].nunique() / len(members),
                    "purchases": len(bought),
                    "revenue": revenue,
                    "avg_cheque": revenue / len(bought) if len(bought) else np.nan,
                    "ltv": cumulative / len(members),
                    "partial": bool(partial and c + k == last),
                }
            )
    return pd.DataFrame(rows)


def reference_pareto(cheques: pd.DataFrame, date_from=None, date_to=None) -> dict:
    """The four Pareto figures of §7 (sorting the period's clients by revenue, descending)."""
    found = _purchases(cheques, date_from, date_to)
    if found is None:
        return {"clients": 0, "revenue": 0.0, "top20_revenue_share": None, "clients_share_for_80_revenue": None}
    period = found[3]
    ident = period[period["card"].notna() & period["card"].astype(str).str.contains(r"^\d+$", regex=True)]
    cents = sorted((ident.groupby("card")["summ_with_disc"].sum() * 100).round().astype(int).tolist(), reverse=True)
    n, total = len(cents), sum(cents)
    if n == 0 or total <= 0:
        return {"clients": n, "revenue": total / 100, "top20_revenue_share": None, "clients_share_for_80_revenue": None}
    top = -(-n // 5)  # ceil(0.2 * N) in integers
    running, for_80 = 0, None
    for k, value in enumerate(cents, start=1):
        running += value
        if running * 10 >= total * 8:  # at least 80% of the revenue, in integer cents
            for_80 = k / n
            break
    return {
        "clients": n,
        "revenue": total / 100,
        "top20_revenue_share": sum(cents[:top]) / total,
        "clients_share_for_80_revenue": for_80,
    }


def reference_dynamics(cheques: pd.DataFrame, r3: int, date_from=None, date_to=None) -> pd.DataFrame:
    """Per scope (`Вся сеть`, each shop) and month: active, new, one-time, repeat, lapsed — §7 literally."""
    found = _purchases(cheques, date_from, date_to)
    if found is None:
        return pd.DataFrame()
    S, T, p, _ = found
    shops = sorted({shop for shops in p["shops"] for shop in shops})
    scopes = [("Вся сеть", p)] + [(s, p[[s in shops for shops in p["shops"]]]) for s in shops]
    rows = []
    for m in range(_month(S), _month(T) + 1):
        first_day = pd.Timestamp(year=m // 12, month=m % 12 + 1, day=1)
        e = min(first_day + pd.offsets.MonthEnd(0), T)
        prev = first_day - pd.Timedelta(days=1)
        for name, scope in scopes:
            counts = dict(active=0, new=0, one=0, repeat=0, lapsed=0)
            for _, mine in scope.groupby("card"):
                upto = mine[mine["day"] <= e]
                if upto.empty:
                    continue
                L = upto["day"].max()
                active = (e - L).days <= r3
                in_month = bool((upto["day"] >= first_day).any())
                if active:
                    counts["active"] += 1
                    if _month(mine["day"].min()) == m:
                        counts["new"] += 1
                    elif len(upto) == 1:
                        counts["one"] += 1
                    else:
                        counts["repeat"] += 1
                before = mine[mine["day"] <= prev]
                if not in_month and not active and not before.empty and (prev - before["day"].max()).days <= r3:
                    counts["lapsed"] += 1
            rows.append(
                {
                    "month": m,
                    "shop": name,
                    "active_clients": counts["active"],
                    "new_clients": counts["new"],
                    "one_time_clients": counts["one"],
                    "repeat_clients": counts["repeat"],
                    "lapsed_clients": counts["lapsed"],
                }
            )
    return pd.DataFrame(rows)
