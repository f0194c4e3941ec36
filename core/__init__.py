"""RFMA engine: SQL pushdown of per-client aggregates, thresholds, grades and segments (no Dash/Flask)."""

from core.classify import Classification, classify, classify_base
from core.client_base import ClientBase, load_client_base
from core.db import DatabaseError, data_source, make_engine, resolve_database_url
from core.grading import empty_graded, grade_clients
from core.model import AnalysisOptions, Period, RfmaError, ThresholdOrderError, ThresholdPins, Thresholds
from core.periods import check_bonus_date, resolved_bounds
from core.summaries import class_counts, segment_summary
from core.thresholds import ThresholdSuggestion, suggest_thresholds

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
    "check_bonus_date",
    "class_counts",
    "classify",
    "classify_base",
    "data_source",
    "empty_graded",
    "grade_clients",
    "load_client_base",
    "make_engine",
    "resolve_database_url",
    "resolved_bounds",
    "segment_summary",
    "suggest_thresholds",
]
