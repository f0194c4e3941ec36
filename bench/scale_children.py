"""The scale benchmark's measurements: each runs in a fresh Python process (scale_runner.child_entry).

A measurement returns a dict with "wall" = the measured part only (imports are done before the clock starts;
connecting is included) and whatever else its report rows read; child_entry adds the process's peak RSS.
The peers (lifetimes, pymc-marketing, plain pandas) read the same cheques from the Parquet export.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from common import maxrss_bytes, peak_rss_bytes, reset_peak_rss, rss_now_bytes


def child_engine(p: dict) -> dict:
    from core.classify import classify
    from core.db import make_engine

    _preimport_drivers()
    t0, c0 = time.perf_counter(), time.process_time()
    engine = make_engine(p["url"])
    result = classify(engine)
    regions = result.clients["region"].to_numpy()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0  # CPU: every thread of this process
    engine.dispose()
    return {"wall": wall, "cpu": cpu, "clients": len(regions), "digest": _digest(result)}


def _digest(result) -> str:
    """A fingerprint of a classification (thresholds; each card's grades, region and revenue to the cent), equal
    across backends exactly when their results are."""
    import hashlib

    clients = result.clients.sort_values("card")
    columns = [clients["card"].astype(str), clients["region"].astype(str), clients["purchases"].astype(str)]
    columns += [clients[g].astype(str) for g in "rfma"] + [clients["revenue"].round(2).map("{:.2f}".format)]
    text = str(result.thresholds) + "\n" + "\n".join(map(" ".join, zip(*columns, strict=True)))
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def child_regrade(p: dict) -> dict:
    from core.classify import classify_base
    from core.client_base import load_client_base
    from core.db import make_engine
    from core.model import ThresholdPins

    engine = make_engine(p["url"])
    _preimport_drivers()
    t0 = time.perf_counter()
    base = load_client_base(engine)
    load = time.perf_counter() - t0
    first = classify_base(base)  # what the page had before the user pinned a threshold
    t = first.thresholds
    run = int(p.get("run", 0))
    pins = ThresholdPins(r1=max(1, int(t.r1) - 1 - run % 3), r3=int(t.r3) + 5 + run)
    t0 = time.perf_counter()
    regraded = classify_base(base, pins)
    regions = regraded.clients["region"].to_numpy()
    wall = time.perf_counter() - t0
    return {"wall": wall, "base_load": load, "clients": len(regions), "pins": str(pins.key())}


def _preimport_drivers() -> None:
    """Import the database drivers before the clock starts (imports are not part of the measured time)."""
    import duckdb_engine  # noqa: F401
    import psycopg  # noqa: F401

    try:  # the `clickhouse` extra, when installed (chDB is only imported here, not opened)
        import chdb  # noqa: F401
        import clickhouse_connect  # noqa: F401

        import core.clickhouse  # noqa: F401
    except ImportError:
        pass


def _preimport_parquet() -> None:
    """pandas imports its Parquet engine lazily on the first read: do it before the clock starts."""
    import pandas  # noqa: F401
    import pyarrow.dataset
    import pyarrow.parquet  # noqa: F401


def _read_identified(path: str, columns: list[str]):
    """The peers' load: the cheques from Parquet, T = the last cheque's date, identified cards only."""
    import pandas as pd

    frame = pd.read_parquet(path, columns=columns)
    last = frame["datetime"].max()
    frame = frame[frame["card"].str.fullmatch(r"\d+", na=False)]
    return frame, last


def _peer_summary(p: dict, summarise) -> dict:
    """A peer's per-client summary: the Parquet load (timed apart), then `summarise(frame, last)`."""
    _preimport_parquet()
    t0 = time.perf_counter()
    frame, last = _read_identified(p["parquet"], ["card", "datetime", "summ_with_disc"])
    t1 = time.perf_counter()
    summary = summarise(frame, last)
    t2 = time.perf_counter()
    return {"wall": t2 - t0, "load": t1 - t0, "compute": t2 - t1, "clients": len(summary)}


def child_lifetimes(p: dict) -> dict:
    from lifetimes.utils import summary_data_from_transaction_data

    return _peer_summary(
        p,
        lambda frame, last: summary_data_from_transaction_data(
            frame, "card", "datetime", monetary_value_col="summ_with_disc", observation_period_end=last, freq="D"
        ),
    )


def child_pymc(p: dict) -> dict:
    import warnings

    warnings.filterwarnings("ignore")
    from pymc_marketing.clv.utils import rfm_summary

    return _peer_summary(
        p,
        lambda frame, last: rfm_summary(
            frame, "card", "datetime", monetary_value_col="summ_with_disc", observation_period_end=last
        ),
    )


def child_pandas(p: dict) -> dict:
    """Plain pandas: per-client first/last day, purchases, revenue, and the 95th percentile of purchase gaps."""
    import numpy as np

    _preimport_parquet()
    t0 = time.perf_counter()
    frame, last = _read_identified(p["parquet"], ["card", "datetime", "summ_with_disc", "doc_id"])
    t1 = time.perf_counter()
    day = frame["datetime"].to_numpy().astype("datetime64[D]").astype("int64")
    frame = frame.assign(day=day)
    clients = frame.groupby("card", sort=False).agg(
        first_day=("day", "min"),
        last_day=("day", "max"),
        purchases=("doc_id", "nunique"),
        revenue=("summ_with_disc", "sum"),
    )
    days = frame[["card", "day"]].drop_duplicates().sort_values(["card", "day"])
    same = days["card"].eq(days["card"].shift()).to_numpy()
    gaps = np.diff(days["day"].to_numpy(), prepend=0)[same]
    churn = int(np.quantile(gaps, 0.95, method="inverted_cdf")) if len(gaps) else None
    recency = np.datetime64(last, "D").astype("int64") - clients["last_day"].to_numpy()
    t2 = time.perf_counter()
    return {
        "wall": t2 - t0,
        "load": t1 - t0,
        "compute": t2 - t1,
        "clients": len(clients),
        "churn": churn,
        "recency_median": float(np.median(recency)) if len(recency) else None,
    }


def child_export(p: dict) -> dict:
    """write_classified_csv of every client (the `rfma classify --out` file), after classify()."""
    from core.classify import classify
    from core.db import make_engine
    from core.export import write_classified_csv

    _preimport_drivers()
    t0 = time.perf_counter()
    result = classify(make_engine(p["url"]))
    classify_wall = time.perf_counter() - t0
    before_peak, before_now = maxrss_bytes(), rss_now_bytes()
    out = Path(p["tmp"]) / "clients.csv"
    t0 = time.perf_counter()
    write_classified_csv(result.clients, out)
    wall = time.perf_counter() - t0
    after_peak = maxrss_bytes()
    return {
        "wall": wall,
        "classify": classify_wall,
        "clients": len(result.clients),
        "bytes": out.stat().st_size,
        "extra_peak": max(0, after_peak - before_peak),
        "rss_before": before_now,
    }


def child_dashboard(p: dict) -> dict:
    """The dashboard's services through the tab callbacks: «Финал» cold and cached, a pin, the client table, CSV."""
    import plotly.utils

    from callbacks.final import FinalCallbacks
    from core.client_filter import ClientFilter
    from dashboard import ids
    from dashboard.app import create_app
    from dashboard.downloads import client_list_url
    from dashboard.services.exports import ClientListExport
    from dashboard.settings import Settings

    def render(output) -> int:
        return len(json.dumps(output, cls=plotly.utils.PlotlyJSONEncoder))

    app = create_app(Settings.from_env(p["url"], state_dir=str(Path(p["tmp"]) / "state")))
    services = app.server.extensions["rfma_services"]
    final = FinalCallbacks(services)
    out: dict = {"errors": {}}
    with app.server.test_request_context():
        source = services.source.read()  # the per-request data-version query (not part of the timed renders)
    start, end = source.first_datetime.date().isoformat(), source.last_datetime.date().isoformat()

    def timed(name, call):
        try:
            with app.server.test_request_context():
                t0 = time.perf_counter()
                value = call()
                out[name] = time.perf_counter() - t0
                return value
        except Exception as exc:
            out["errors"][name] = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            return None

    def request(pins=None):
        return services.requests.build(start, end, pins)

    timed("final_cold", lambda: render(final.update_final(ids.TAB_FINAL, start, end, {})))
    view = timed("final_check", lambda: services.final.view(request()))  # raises if the render showed an error
    out.pop("final_check", None)
    timed("final_cached", lambda: render(final.update_final(ids.TAB_FINAL, start, end, {})))
    if view is not None:
        r1 = max(1, int(view.thresholds["r1"]) - 1)
        timed("final_pin", lambda: render(final.update_final(ids.TAB_FINAL, start, end, {"r1": r1})))
    out["rss_after_final"] = maxrss_bytes()
    flt = ClientFilter.build()
    timed("page_first", lambda: render(services.final.client_page(request(), flt, 0, 100, ())))
    timed("page_next", lambda: render(services.final.client_page(request(), flt, 100, 200, ())))
    by_revenue = (("revenue", True),)
    timed("page_sorted", lambda: render(services.final.client_page(request(), flt, 0, 100, by_revenue)))

    def stream() -> int:  # «Скачать CSV»: the callback keeps the state, the browser streams the link
        _, token = services.exports.keep_client_list(ClientListExport(request(), flt, (), "csv"))
        response = app.server.test_client().get(client_list_url(token), buffered=False)
        size = sum(len(chunk) for chunk in response.response)
        response.close()
        return size

    before = rss_now_bytes()
    reset = reset_peak_rss()
    size = timed("export_csv", stream)
    if size is not None:
        out["export_bytes"] = size
        out["export_extra_peak"] = max(0, (peak_rss_bytes() if reset else maxrss_bytes()) - before)
    out["wall"] = out.get("final_cold")
    return out


CHILDREN = {
    "engine": child_engine,
    "regrade": child_regrade,
    "lifetimes": child_lifetimes,
    "pymc": child_pymc,
    "pandas": child_pandas,
    "export": child_export,
    "dashboard": child_dashboard,
}
