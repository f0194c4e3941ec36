"""The engine's four aggregation queries rewritten for ClickHouse, timed on chDB (ClickHouse's engine in-process).

Written before ClickHouse became a product backend (issue 15: core/clickhouse.py compiles the engine's own
statements, and `bench/bench.py --backends duckdb,chdb` measures them); kept as the hand-written reference of
the array form of Q3. Not part of `make bench`: it measures the *rewritten* SQL on the same Parquet cheques that
bench/bench.py exports (.cache/bench/s<scale>-seed<seed>/cheques.parquet). With the `clickhouse` extra installed
chDB is already there; else a separate venv:

    python3 -m venv /tmp/chvenv && /tmp/chvenv/bin/pip install chdb pandas pyarrow
    /tmp/chvenv/bin/python bench/clickhouse_queries.py .cache/bench/s26-seed20210701/cheques.parquet --runs 3

It prints each query's median time, its row count, and the churn period C (95th percentile of the gaps,
percentile_disc) from both gap-histogram variants, which must equal the engine's value.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

IDENTIFIED = "card IS NOT NULL AND match(card, '^\\\\d+$')"  # PostgreSQL `card ~ '^\d+$'`
DAY = "(toDate(datetime) - toDate('1970-01-01'))"  # CAST(datetime AS DATE) - DATE '1970-01-01'


def queries(source: str) -> dict[str, str]:
    return {
        "period summary": (
            f"SELECT count(DISTINCT doc_id) AS cheques, max({DAY}) AS analysis_day, min({DAY}) AS first_day "
            f"FROM {source}"
        ),
        "client aggregates": (
            f"SELECT card, min({DAY}) AS first_day, max({DAY}) AS last_day, count(DISTINCT doc_id) AS purchases, "
            "CAST(coalesce(sum(summ_with_disc), 0) AS DOUBLE) AS revenue, "
            "CAST(coalesce(sum(bonus_earned), 0) AS DOUBLE) AS bonus_earned, "
            "CAST(coalesce(sum(bonus_spent), 0) AS DOUBLE) AS bonus_spent, count(DISTINCT shop) AS shops "
            f"FROM {source} WHERE {IDENTIFIED} GROUP BY card"
        ),
        # lag() → lagInFrame over the whole partition; its first row gets the type's default (0), not NULL,
        # so `gap IS NOT NULL` would keep a bogus gap per client: drop the first row by row_number instead.
        "gap histogram, window (lagInFrame)": (
            "SELECT gap_days, count() AS gaps FROM ("
            " SELECT day - lagInFrame(day) OVER (PARTITION BY card ORDER BY day"
            "   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS gap_days,"
            "  row_number() OVER (PARTITION BY card ORDER BY day) AS k"
            f" FROM (SELECT DISTINCT card, {DAY} AS day FROM {source} WHERE {IDENTIFIED}) AS client_days"
            ") AS gaps WHERE k > 1 GROUP BY gap_days ORDER BY gap_days"
        ),
        # the idiomatic ClickHouse form: one sorted array of distinct days per client, differences, unnest
        "gap histogram, arrays": (
            "SELECT gap_days, count() AS gaps FROM ("
            f" SELECT arrayJoin(arrayPopFront(arrayDifference(arraySort(groupUniqArray({DAY}))))) AS gap_days"
            f" FROM {source} WHERE {IDENTIFIED} GROUP BY card"
            ") GROUP BY gap_days ORDER BY gap_days"
        ),
        "amount histogram": (
            "SELECT CAST(amount AS DOUBLE) AS amount, count() AS cheques FROM ("
            f" SELECT doc_id, sum(summ_with_disc) AS amount FROM {source} WHERE {IDENTIFIED} GROUP BY doc_id"
            ") AS cheque_amounts WHERE amount IS NOT NULL GROUP BY amount ORDER BY amount"
        ),
    }


def churn(histogram) -> int | None:
    """percentile_disc(0.95) of a (gap_days, gaps) histogram."""
    counts = histogram["gaps"].cumsum().to_numpy()
    if not len(counts):
        return None
    rank = max(1, math.ceil(0.95 * int(counts[-1])))
    return int(histogram["gap_days"].to_numpy()[(counts >= rank).argmax()])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("parquet")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import chdb

    source = f"file('{args.parquet}', Parquet)"
    chdb.query(f"SELECT count() FROM {source}", "DataFrame")  # warm the file cache and the engine
    total = 0.0
    for name, sql in queries(source).items():
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            result = chdb.query(sql, "DataFrame")
            times.append(time.perf_counter() - t0)
        median = statistics.median(times)
        if "arrays" not in name:
            total += median
        extra = f", C = {churn(result)}" if name.startswith("gap") else ""
        print(
            f"{name}: median {median:.3f} s (min {min(times):.3f}, max {max(times):.3f}), {len(result):,} rows{extra}"
        )
    print(f"four queries (window variant): {total:.3f} s; chdb {chdb.__version__}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
