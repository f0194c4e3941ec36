"""«Финал»: the segment tree as a list (warmth → region → cluster → class) and the breadcrumb of the selection."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from dash import html

from core import formatting as fmt
from core.segment_tree import ALL, Segment, segment_tree
from dashboard import ids


def class_label_parts(name: str, sibling_names: list[str]) -> tuple[str, str]:
    """(what tells a class from its siblings, what they all share) of a class name like
    'недавний-частый-высокий_чек-ветеран' among the names of the classes listed under the same cluster: the words
    (between hyphens) equal at the same place in every sibling are shared. Underscores read as spaces. A class alone
    under its cluster (or siblings of another shape) keeps its whole name as the first part."""
    words = name.split("-")
    others = [other.split("-") for other in sibling_names if other != name]
    if not others or any(len(other) != len(words) for other in others):
        return name.replace("_", " "), ""
    shared = [all(other[i] == word for other in others) for i, word in enumerate(words)]
    if all(shared):
        return name.replace("_", " "), ""
    own = "-".join(word for word, same in zip(words, shared, strict=True) if not same)
    common = "-".join(word for word, same in zip(words, shared, strict=True) if same)
    return own.replace("_", " "), common.replace("_", " ")


def node_label(code: str, name: str, sibling_names: list[str] | None = None) -> list:
    """A node's label: its code, then the words that tell it from its siblings (classes), then the shared words
    muted; the label wraps instead of being cut (the full name is the node's title)."""
    if not code:
        return [name]
    own, common = class_label_parts(name, sibling_names) if sibling_names is not None else (name, "")
    parts: list = [html.Span(code, className="rfma-tree-code"), " ", html.Span(own, className="rfma-tree-own")]
    if common:
        parts += [" ", html.Span(f"· {common}", className="rfma-tree-common")]
    return parts


def tree_node(
    node: str,
    label: str,
    count: str = "…",
    empty: bool = False,
    selected: bool = False,
    content: list | None = None,
    node_id: Callable[[str], dict] = ids.segment_node,
) -> html.Button:
    """One clickable node of the list tree: its label (`content`, else the plain `label`) and client count; the
    full `label` is its tooltip; `node_id` makes its pattern-matching id (each tab's tree has its own)."""
    classes = "rfma-tree-node" + (" rfma-tree-empty" if empty else "") + (" rfma-tree-selected" if selected else "")
    return html.Button(
        [html.Span(content or label, className="rfma-tree-label"), html.Span(count, className="rfma-tree-count")],
        id=node_id(node),
        n_clicks=0,
        title=label,
        type="button",
        className=classes,
    )


def tree_list(
    tree: pd.DataFrame, counts: bool = True, selected: str = ALL, node_id: Callable[[str], dict] = ids.segment_node
) -> html.Div:
    """The list tree (like a file tree): all → warmth → region → cluster → class, each node with its client count.

    `tree` = core.segment_tree.segment_tree(...); with counts=False the counts show '…' (the page before data).
    Classes sit in a <details> under their cluster, open when the selected node is one of them.
    """
    children: dict[str, list] = {}
    for row in tree.itertuples():
        children.setdefault(row.parent, []).append(row)

    def name_of(row) -> str:
        return row.label.removeprefix(f"{row.code} ") if row.code else row.label

    def item(row) -> html.Li:
        count = fmt.integer(row.clients) if counts else "…"
        siblings = [name_of(s) for s in children.get(row.parent, [])] if row.level == "class" else None
        node = tree_node(
            row.id,
            row.label,
            count,
            empty=counts and row.clients == 0,
            selected=row.id == selected,
            content=node_label(row.code, name_of(row), siblings),
            node_id=node_id,
        )
        kids = children.get(row.id, [])
        if row.level == "cluster":
            if not kids:
                return html.Li(node)
            is_open = any(kid.id == selected for kid in kids)
            return html.Li(html.Details([html.Summary(node), html.Ul([item(k) for k in kids])], open=is_open))
        return html.Li([node, html.Ul([item(k) for k in kids])] if kids else node)

    return html.Div(html.Ul([item(root) for root in children.get("", [])]), className="rfma-tree-root")


def node_classes(node_ids: list[dict], class_names: list[str | None] | None, selected: str) -> list[str]:
    """The CSS classes of the tree's nodes with only `selected` highlighted."""
    classes = []
    for node, names in zip(node_ids, class_names or [None] * len(node_ids), strict=False):
        kept = [c for c in (names or "rfma-tree-node").split() if c != "rfma-tree-selected"]
        classes.append(" ".join(kept + (["rfma-tree-selected"] if node["node"] == selected else [])))
    return classes


def render_breadcrumb(segment: Segment) -> html.Nav:
    """The path from all clients down to the selected segment; each level above it selects that level."""
    path = segment.path()
    items = [
        html.Li(
            html.Button(s.label, id=ids.breadcrumb_node(s.node_id), n_clicks=0, type="button", className="rfma-crumb"),
            className="breadcrumb-item",
        )
        for s in path[:-1]
    ]
    items.append(html.Li(path[-1].label, className="breadcrumb-item active", **{"aria-current": "page"}))
    return html.Nav(html.Ol(items, className="breadcrumb mb-0"), **{"aria-label": "Выбранный сегмент"})


def static_tree(selected: str = ALL, node_id: Callable[[str], dict] = ids.segment_node) -> html.Div:
    """The tree before the period's data arrives (fixed nodes, no counts), `selected` marked."""
    empty = pd.DataFrame(columns=["card", "class", "revenue"])
    return tree_list(segment_tree(empty), counts=False, selected=selected, node_id=node_id)
