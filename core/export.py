"""Client lists for export: segment filters and the CSV layout of `rfma classify`."""

from __future__ import annotations

import io
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
    frame = clients[CLIENT_COLUMNS].sort_values("card", kind="stable").reset_index(drop=True)
    for column in ("first_date", "last_date"):
        frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d")
    frame["frequency"] = frame["frequency"].map(lambda value: f"{value:.6f}")
    frame["revenue"] = frame["revenue"].astype(float).round(6)
    frame["avg_cheque"] = frame["avg_cheque"].astype(float).round(6)
    return frame


# --- client lists of the dashboard (CSV for the campaign tool) ---------------------------------------------

CSV_FORMATS = {
    # name: (separator, decimal mark) — "excel" opens correctly in a Russian Excel (';' and a decimal comma)
    "excel": (";", ","),
    "csv": (",", "."),
}
BOM = "\ufeff"


def client_list_filename(segment_part: str, date_from: str, date_to: str, suffix: str = "csv", prefix: str = "rfma") -> str:
    """E.g. rfma_110_VIP_2021-07-01_2022-06-06.csv (segment code and name, then the period)."""
    return f"{prefix}_{segment_part}_{date_from}_{date_to}.{suffix}"


def client_list_header(title: str, date_from: str, date_to: str, analysis_date, thresholds: dict | None,
                       filters: list[str], clients: int) -> list[str]:
    """The comment lines ('# …') written above the CSV header: what, period, analysis date, thresholds, filters."""
    thresholds_text = "; ".join(f"{k}={_threshold_text(v)}" for k, v in (thresholds or {}).items()) or "—"
    lines = [
        f"# RFMA: {title}",
        f"# период: {date_from} — {date_to}; дата анализа: {analysis_date or '—'}",
        f"# пороги: {thresholds_text}",
        "# фильтры: " + (" | ".join(filters) if filters else "нет"),
        f"# клиентов: {clients}",
    ]
    return [line.replace("\n", " ").replace("\r", " ") for line in lines]


def _threshold_text(value) -> str:
    if value is None:
        return "—"
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.6f}".rstrip("0").rstrip(".")


def client_list_csv(clients: pd.DataFrame, columns: list[str], header_lines: list[str], fmt: str = "excel") -> bytes:
    """The CSV file as bytes: UTF-8 with BOM, comment lines, then the table (`fmt` = 'excel' or 'csv').

    Read it back with `pd.read_csv(path, sep=..., decimal=..., comment='#', encoding='utf-8-sig', dtype={'card': str})`
    (or `skiprows=len(header_lines)` instead of `comment` when values may contain '#').
    Money is rounded to kopecks, frequency to 6 decimals, dates are ISO. Only the selected columns are copied.
    """
    if fmt not in CSV_FORMATS:
        raise ValueError(f"unknown CSV format {fmt!r}")
    sep, decimal = CSV_FORMATS[fmt]
    frame = clients[columns]  # one copy of the selection's columns, never of the whole client base
    rounded = {c: frame[c].astype("float64").round(2) for c in ("revenue", "avg_cheque", "bonus_spent", "bonus_earned") if c in frame}
    rounded |= {c: frame[c].astype("float64").round(6) for c in ("frequency",) if c in frame}
    frame = frame.assign(**rounded) if rounded else frame
    buffer = io.StringIO()
    buffer.write(BOM)
    for line in header_lines:
        buffer.write(line + "\n")
    frame.to_csv(buffer, sep=sep, decimal=decimal, index=False, date_format="%Y-%m-%d", lineterminator="\n")
    return buffer.getvalue().encode("utf-8")
