"""The application database: what the app itself writes. `database` holds the schema and engines; one module per
record kind (`chain_thresholds`, `users`, `audit`, `snapshots`, `campaigns`)."""

from dashboard.appdb.audit import AuditEntry, AuditLog
from dashboard.appdb.campaigns import Campaign, Campaigns
from dashboard.appdb.chain_thresholds import (
    ChainThresholds,
    ThresholdSets,
    describe_pins,
    open_threshold_sets,
)
from dashboard.appdb.database import (
    APP_DATABASE_FILE,
    ENV_APP_DATABASE_URL,
    app_engine,
    audit_log,
    default_app_database_url,
    metadata,
    source_key,
    threshold_sets,
    users,
    utc_now,
)
from dashboard.appdb.snapshots import Snapshot, Snapshots, open_snapshots
from dashboard.appdb.users import ROLE_NAMES, ROLES, User, Users

__all__ = [
    "APP_DATABASE_FILE",
    "ENV_APP_DATABASE_URL",
    "ROLES",
    "ROLE_NAMES",
    "AuditEntry",
    "AuditLog",
    "Campaign",
    "Campaigns",
    "ChainThresholds",
    "Snapshot",
    "Snapshots",
    "ThresholdSets",
    "User",
    "Users",
    "app_engine",
    "audit_log",
    "default_app_database_url",
    "describe_pins",
    "metadata",
    "open_snapshots",
    "open_threshold_sets",
    "source_key",
    "threshold_sets",
    "users",
    "utc_now",
]
