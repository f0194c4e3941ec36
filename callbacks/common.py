"""What every tab's callbacks share: the boundary where an error becomes a Russian message, not a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable

from dash import Input, State, no_update

from core.db import DatabaseError
from core.model import RfmaError
from dashboard import ids
from layouts.components import render_error

log = logging.getLogger(__name__)


def error_component(exc: BaseException):
    """The message component for an error; an unexpected one is logged with its traceback first."""
    if isinstance(exc, DatabaseError):
        log.warning("dashboard callback cannot read the database: %s", exc)
    elif not isinstance(exc, RfmaError):
        log.exception("dashboard callback failed", exc_info=exc)
    return render_error(exc)


def safely(build: Callable[[], object]):
    """Run a tab's builder; any error becomes a message component instead of a traceback or a blank page."""
    try:
        return build()
    except Exception as exc:  # the boundary between the engine and the page
        return error_component(exc)


# The inputs most tab callbacks take: the active tab, the header's period and the user's threshold draft (None: the
# chain's threshold set; `Requests.build` resolves it to the pins in force).
ACTIVE_TAB = Input(ids.SHELL.TABS, "active_tab")
PERIOD = (Input(ids.HEADER.PERIOD, "start_date"), Input(ids.HEADER.PERIOD, "end_date"))
PERIOD_AND_PINS = (*PERIOD, Input(ids.SHELL.DRAFT, "data"))


PURGE_GRID = """
function () {
    if (window.dash_ag_grid && window.dash_ag_grid.getApiAsync) {
        window.dash_ag_grid.getApiAsync("GRID_ID").then(function (api) {
            if (api && !api.isDestroyed()) { api.purgeInfiniteCache(); }
        });
    }
}
"""


def purge_grid(grid_id: str) -> str:
    """A clientside function that purges AG Grid `grid_id`'s infinite cache, so it asks the server for rows again
    (a table whose rows follow a choice made elsewhere: a flow, a pick, a campaign, a list)."""
    return PURGE_GRID.replace("GRID_ID", grid_id)


def tree_click_node(click, current):
    """The node of the latest click on a segment tree ({node, at} from assets/tree.js); the selected one: no change."""
    node = (click or {}).get("node")
    return node if node and node != current else no_update


MARK_TREE = """
function(selection) {
    // also when a new tree arrives (it may be drawn a moment after this runs): it marks the selection of its request
    window.rfmaMarkTree("TREE_ID", selection);
    window.setTimeout(function () { window.rfmaMarkTree("TREE_ID", selection); }, 0);
}
"""


def mark_tree(tree_id: str) -> str:
    """A clientside function that highlights the selected node (its first argument) of the segment tree held by
    `tree_id` (assets/tree.js): the tree is one HTML block, so no callback output reaches its nodes. Wire it to the
    selection and the holder's children: a tree drawn for an older selection is marked again."""
    return MARK_TREE.replace("TREE_ID", tree_id)


def as_states(inputs) -> list[State]:
    """The same component properties read as State (not triggering the callback)."""
    return [State(i.component_id, i.component_property) for i in inputs]
