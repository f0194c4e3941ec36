"""RFMA engine: SQL pushdown of per-client aggregates, thresholds, grades and segments (no Dash/Flask)."""

from core.db import DatabaseError, data_source, make_engine, resolve_database_url
from core.engine import (
    Classification,
    ClientBase,
    ThresholdSuggestion,
    class_counts,
    classify,
    classify_base,
    grade_clients,
    load_client_base,
    segment_summary,
    suggest_thresholds,
)
from core.model import AnalysisOptions, Period, RfmaError, ThresholdOrderError, ThresholdPins, Thresholds

__all__ = [
    "AnalysisOptions",
    "Classification",
    "ClientBase",
    "DatabaseError",
    "Period",
    "RfmaError",
    "ThresholdOrderError",
    "ThresholdPins",
    "ThresholdSuggestion",
    "Thresholds",
    "class_counts",
    "classify",
    "classify_base",
    "data_source",
    "grade_clients",
    "load_client_base",
    "make_engine",
    "resolve_database_url",
    "segment_summary",
    "suggest_thresholds",
]
