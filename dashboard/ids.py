"""Every component id of the dashboard, grouped per tab. A typo is an AttributeError, not a dead callback."""

from __future__ import annotations

from types import SimpleNamespace


def _ids(prefix: str, **names: str) -> SimpleNamespace:
    return SimpleNamespace(**{name: f"{prefix}-{value}" for name, value in names.items()})


TAB_CLIENTS = "tab-clients"
TAB_PHARMACIES = "tab-pharmacies"
TAB_THRESHOLDS = "tab-thresholds"
TAB_FINAL = "tab-final"
TAB_MIGRATION = "tab-migration"

SHELL = _ids(
    "shell",
    TABS="tabs",
    DRAFT="threshold-draft",  # the user's threshold draft in this browser session (None: the chain's set)
    HELP="help",
    DOWNLOAD="download",  # the dcc.Download of every table's CSV / XLSX and of the workbook
    DOWNLOAD_MESSAGE="download-message",  # why a table download was refused or failed
)

HEADER = _ids(
    "header",
    PERIOD="period",
    PRESET_ALL="preset-all",
    PRESET_YEAR="preset-year",
    PRESET_QUARTER="preset-quarter",
    PRESET_MONTH="preset-month",
    SOURCE="source",
    SOURCE_SELECT="source-select",  # the data sources granted to the user (shown when more than one)
    SOURCE_CHOSEN="source-chosen",  # the server accepted a choice: the page reloads on it
    SOURCE_MESSAGE="source-message",
    PERIOD_NOTE="period-note",
    THRESHOLD_SET="threshold-set",
    THRESHOLD_PROBLEM="threshold-problem",
    THRESHOLD_PROBLEM_TEXT="threshold-problem-text",
    THRESHOLD_NOTICE="threshold-notice",
    SAVE_FOR_CHAIN="save-for-chain",
    DISCARD_DRAFT="discard-draft",
    FIT_PERIOD="fit-period",
    HELP_BUTTON="help-button",
    ACCOUNT="account",
    LOGOUT="logout",
)

CLIENTS = _ids(
    "clients",
    BODY="body",
    KPI_PERIOD="kpi-period",
    KPI_CLIENTS="kpi-clients",
    KPI_SHOPS="kpi-shops",
    KPI_MULTI="kpi-multi",
    KPI_CHEQUES="kpi-cheques",
    KPI_REVENUE="kpi-revenue",
    GRAPH_SHOP_COUNT="graph-shop-count",
    GRAPH_NEW="graph-new",
    GRAPH_CHEQUES="graph-cheques",
)

PHARMACIES = _ids(
    "pharmacies",
    BODY="body",
    GRAPH_CHEQUE_SHARE="graph-cheque-share",
    GRAPH_REVENUE_SHARE="graph-revenue-share",
    GRAPH_CHEQUE="graph-cheque",
    GRAPH_MONTHLY="graph-monthly",
    TABLE="table",
)

THRESHOLD_INPUT_TYPE = "threshold-input"


def threshold_input(name: str) -> dict:
    """Pattern-matching id of one threshold's input (r1 … a2)."""
    return {"type": THRESHOLD_INPUT_TYPE, "name": name}


THRESHOLDS = _ids(
    "thresholds",
    SUBTABS="subtabs",
    BODY="body",
    RESET="reset",
    ERROR="error",
    WARNINGS="warnings",
    STATUS="status",
    HISTORY="history",
)

SUBTAB_RECENCY = "sub-recency"
SUBTAB_FREQUENCY = "sub-frequency"
SUBTAB_MONETARY = "sub-monetary"
SUBTAB_AGE = "sub-age"


def capacity_graph(metric: str) -> str:
    """Id of the grade-capacity chart of one metric (r, f, m, a) on «Пороги»."""
    return f"capacity-{metric}"


FINAL = _ids(
    "final",
    BODY="body",
    CLASS_TABLE="class-table",
    CLUSTER_TABLE="cluster-table",
    REGION_TABLE="region-table",
    REGION_GRAPH="region-graph",
    TREE="tree",
    TREE_CLICK="tree-click",  # {node, at} of the latest click on a tree node (assets/tree.js)
    SUNBURST="sunburst",
    BREADCRUMB="breadcrumb",
    SEGMENT_RESET="segment-reset",
    SELECTION="selection",
    SELECTION_SUMMARY="selection-summary",
    BREAKDOWN="breakdown",
    FILTER_SHOPS="filter-shops",
    FILTER_R="filter-r",
    FILTER_F="filter-f",
    FILTER_M="filter-m",
    FILTER_A="filter-a",
    FILTER_CARD="filter-card",
    CLIENT_GRID="client-grid",
    CLIENT_COUNT="client-count",
    CSV_FORMAT="csv-format",
    CSV_NAMES="csv-names",
    CLIENT_FILTERS="client-filters",
    CSV_BUTTON="csv-button",
    CSV_LINK="csv-link",
    REPORT_BUTTON="report-button",
    REPORT_DOWNLOAD="report-download",
    EXPORT_MESSAGE="export-message",
    SCATTER="scatter",
    CARD_INPUT="card-input",
    CARD_BUTTON="card-button",
    CARD_RESULT="card-result",
    CLIENT_CHEQUES="client-cheques",
    CLIENT_CHEQUE_TABLE="client-cheque-table",
    CLIENT_SHOPS="client-shops",
    CLIENT_ACTION="client-action",
    DRAWN_BODY="drawn-body",
    DRAWN_CARD="drawn-card",
    DRAWN_TREE="drawn-tree",
    DRAWN_SUNBURST="drawn-sunburst",
    DRAWN_SELECTION="drawn-selection",
    RECOMMENDATIONS="recommendations",
)

MIGRATION = _ids(
    "migration",
    BONUS_DATE="bonus-date",
    LEVEL="level",
    VALUE="value",
    BODY="body",
    SHARES="shares",
    WARMED="warmed",
    STAYED="stayed",
    COOLED="cooled",
    NEW="new",
    THRESHOLDS="thresholds",
    SANKEY="sankey",
    MATRIX="matrix",
    FLOW="flow",
    FLOW_COUNT="flow-count",
    FLOW_GRID="flow-grid",
    FLOW_CSV_BUTTON="flow-csv-button",
    FLOW_CSV_LINK="flow-csv-link",
    FLOW_EXPORT_MESSAGE="flow-export-message",
)

MIGRATION_FLOW_TYPE = "migration-flow"


def migration_flow(flow: str) -> dict:
    """Pattern-matching id of one clickable cell of the migration matrix (a flow key, e.g. 'region|110|410')."""
    return {"type": MIGRATION_FLOW_TYPE, "flow": flow}


THRESHOLD_HINT_TYPE = "threshold-hint"


def threshold_hint(name: str) -> dict:
    """Pattern-matching id of the 'suggested / pinned' hint under a threshold input."""
    return {"type": THRESHOLD_HINT_TYPE, "name": name}


BREADCRUMB_NODE_TYPE = "breadcrumb-node"


def breadcrumb_node(node: str) -> dict:
    """Pattern-matching id of one clickable level of the selection's breadcrumb (a node id, like segment_node)."""
    return {"type": BREADCRUMB_NODE_TYPE, "node": node}


TABLE_DOWNLOAD_TYPE = "table-download"
WORKBOOK = "workbook"  # the table name of «Скачать всё в Excel»


def table_download(table: object, kind: object) -> dict:
    """Pattern-matching id of one download button: a table's name (dashboard.services.tables.TABLES, or WORKBOOK)
    and the file's kind ('csv' or 'xlsx')."""
    return {"type": TABLE_DOWNLOAD_TYPE, "table": table, "kind": kind}


# --- tab «Когорты» (issue 13) ---------------------------------------------------------------------------------------

TAB_COHORTS = "tab-cohorts"

COHORTS = _ids(
    "cohorts",
    SELECTION="selection",  # the segment-tree node whose clients the cohort table holds
    TREE="tree",
    TREE_CLICK="tree-click",  # {node, at} of the latest click on a tree node (assets/tree.js)
    BREADCRUMB="breadcrumb",
    DRAWN_TREE="drawn-tree",
    METRIC="metric",
    HEATMAP="heatmap",
    SIZES="sizes",
    COHORT_NOTE="cohort-note",
    LTV="ltv",
    PARETO="pareto",
    PARETO_HEADLINES="pareto-headlines",
    PARETO_TOP20="pareto-top20",
    PARETO_80="pareto-80",
    PARETO_BANDS="pareto-bands",
    SHOP="shop",
    DYNAMICS="dynamics",
    DYNAMICS_NOTE="dynamics-note",
    PICK="pick",  # what the client table below shows: a cell's, band's or bar's key (never a card number)
    PICK_COUNT="pick-count",
    PICK_GRID="pick-grid",
    PICK_CSV_BUTTON="pick-csv-button",
    PICK_CSV_LINK="pick-csv-link",
    PICK_EXPORT_MESSAGE="pick-export-message",
)

COHORT_BAND_TYPE = "cohort-band"


def cohort_band(band: object) -> dict:
    """Pattern-matching id of one Pareto band's button (1 = the top 20% of clients by revenue)."""
    return {"type": COHORT_BAND_TYPE, "band": band}


# «История» (segment history: snapshots, sizes over them, migration and entered / left between two of them)
TAB_HISTORY = "tab-history"

HISTORY = _ids(
    "history",
    SAVE="save",
    SAVE_MESSAGE="save-message",
    VERSION="version",  # bumped by a save: the list, the chart and the choosers read the snapshots again
    BODY="body",
    LIST="list",
    SIZES_LEVEL="sizes-level",
    SIZES="sizes",
    BEFORE="before",
    AFTER="after",
    LEVEL="level",
    PAIR="pair",
    SANKEY="sankey",
    MATRIX="matrix",
    FLOW="flow",
    FLOW_COUNT="flow-count",
    FLOW_GRID="flow-grid",
    FLOW_CSV_BUTTON="flow-csv-button",
    FLOW_CSV_LINK="flow-csv-link",
    FLOW_EXPORT_MESSAGE="flow-export-message",
    CHANGES="changes",
    CHANGE="change",
    CHANGE_COUNT="change-count",
    CHANGE_GRID="change-grid",
    CHANGE_CSV_BUTTON="change-csv-button",
    CHANGE_CSV_LINK="change-csv-link",
    CHANGE_EXPORT_MESSAGE="change-export-message",
    CLIENT_PATH="client-path",  # «История сегментов» in «Финал»'s client card
)

HISTORY_FLOW_TYPE = "history-flow"
HISTORY_CHANGE_TYPE = "history-change"


def history_flow(flow: str) -> dict:
    """Pattern-matching id of one clickable cell of «История»'s migration matrix (a flow key, 'region|110|410')."""
    return {"type": HISTORY_FLOW_TYPE, "flow": flow}


def history_change(change: str) -> dict:
    """Pattern-matching id of one clickable «вошли» / «вышли» count of «История» ('region|110|entered')."""
    return {"type": HISTORY_CHANGE_TYPE, "change": change}


# --- issue 14: campaigns («Создать кампанию» on any tab's selection, tab «Кампании») and the placebo check ----------

TAB_CAMPAIGNS = "tab-campaigns"

CAMPAIGNS = _ids(
    "campaigns",
    BODY="body",  # the campaign list
    PICK="pick",  # the campaign whose report is shown
    REPORT="report",
    VERDICT="verdict",
    UPLIFT="uplift",  # the uplift chart (differences with their 95% intervals)
    RESPONDERS_COUNT="responders-count",
    RESPONDERS_GRID="responders-grid",
    CSV_BUTTON="csv-button",
    CSV_LINK="csv-link",
    EXPORT_MESSAGE="export-message",
)

CAMPAIGN_FORM_TYPE = "campaign-form"
CAMPAIGN_FORM_PARTS = ("open", "close", "modal", "name", "control", "window", "global", "create", "message", "link")


def campaign_form(part: str, tab: str) -> dict:
    """Id of one part of a tab's «Создать кампанию» form (one form per tab: the tab's name tells them apart)."""
    if part not in CAMPAIGN_FORM_PARTS:
        raise AttributeError(f"campaign form has no part {part!r}")
    return {"type": CAMPAIGN_FORM_TYPE, "part": part, "tab": tab}


PLACEBO = _ids(
    "placebo",
    BODY="body",  # «Миграция»'s placebo check
    VERDICT="verdict",
)
