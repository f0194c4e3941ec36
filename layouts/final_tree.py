"""«Финал»: the segment tree as a list (warmth → region → cluster → class) and the breadcrumb of the selection."""

from __future__ import annotations

from html import escape

import pandas as pd
from dash import dcc, html

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


def node_label(code: str, name: str, sibling_names: list[str] | None = None) -> str:
    """A node's label as HTML: its code, then the words that tell it from its siblings (classes), then the shared
    words muted; the label wraps instead of being cut (the full name is the node's title)."""
    if not code:
        return escape(name)
    own, common = class_label_parts(name, sibling_names) if sibling_names is not None else (name, "")
    label = f'<span class="rfma-tree-code">{escape(code)}</span> <span class="rfma-tree-own">{escape(own)}</span>'
    if common:
        label += f' <span class="rfma-tree-common">· {escape(common)}</span>'
    return label


def tree_node(
    node: str, label: str, count: str = "…", empty: bool = False, selected: bool = False, content: str | None = None
) -> str:
    """One clickable node of the list tree as HTML: its label (`content`, else the plain `label`) and client count;
    the full `label` is its tooltip, `data-node` the node id its click selects (assets/tree.js)."""
    classes = "rfma-tree-node" + (" rfma-tree-empty" if empty else "") + (" rfma-tree-selected" if selected else "")
    return (
        f'<button type="button" class="{classes}" data-node="{escape(node)}" title="{escape(label)}">'
        f'<span class="rfma-tree-label">{content or escape(label)}</span>'
        f'<span class="rfma-tree-count">{escape(count)}</span></button>'
    )


def tree_markup(tree: pd.DataFrame, counts: bool = True, selected: str = ALL) -> str:
    """The list tree (like a file tree) as HTML: all → warmth → region → cluster → class, each node with its client
    count. Classes sit in a <details> under their cluster, open when the selected node is one of them."""
    children: dict[str, list] = {}
    for row in tree.itertuples():
        children.setdefault(row.parent, []).append(row)

    def name_of(row) -> str:
        return row.label.removeprefix(f"{row.code} ") if row.code else row.label

    def item(row) -> str:
        count = fmt.integer(row.clients) if counts else "…"
        siblings = [name_of(s) for s in children.get(row.parent, [])] if row.level == "class" else None
        node = tree_node(
            row.id,
            row.label,
            count,
            empty=counts and row.clients == 0,
            selected=row.id == selected,
            content=node_label(row.code, name_of(row), siblings),
        )
        kids = children.get(row.id, [])
        below = "<ul>" + "".join(item(k) for k in kids) + "</ul>" if kids else ""
        if row.level == "cluster" and kids:
            is_open = " open" if any(kid.id == selected for kid in kids) else ""
            return f"<li><details{is_open}><summary>{node}</summary>{below}</details></li>"
        return f"<li>{node}{below}</li>"

    return '<div class="rfma-tree-root"><ul>' + "".join(item(r) for r in children.get("", [])) + "</ul></div>"


def tree_list(tree: pd.DataFrame, counts: bool = True, selected: str = ALL) -> dcc.Markdown:
    """The list tree as ONE component (`tree_markup`'s HTML): some 140 nodes as Dash components (each with its
    spans, list items and a pattern-matching id) took the browser seconds to draw at every render. A click on a
    node is reported by assets/tree.js to the click store named by the tree's holder (`tree_holder`).

    `tree` = core.segment_tree.segment_tree(...); with counts=False the counts show '…' (the page before data).
    """
    return dcc.Markdown(tree_markup(tree, counts, selected), dangerously_allow_html=True, className="rfma-tree-html")


def node_selector(tree_id: str, node: str) -> str:
    """CSS selector of one node of the tree held by `tree_id` (for the browser: tests, benchmarks)."""
    return f"#{tree_id} button[data-node='{node}']"


def tree_holder(tree_id: str, click_id: str, content) -> html.Div:
    """The tree's place on a tab: `content` (a tree_list) in a Div whose `data-click-store` tells assets/tree.js
    which store a node's click goes to (`{"node": …, "at": ms}`: every click is new, the same node again too)."""
    return html.Div(content, id=tree_id, className="rfma-tree", **{"data-click-store": click_id})


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


def static_tree(selected: str = ALL) -> dcc.Markdown:
    """The tree before the period's data arrives (fixed nodes, no counts), `selected` marked."""
    empty = pd.DataFrame(columns=["card", "class", "revenue"])
    return tree_list(segment_tree(empty), counts=False, selected=selected)
