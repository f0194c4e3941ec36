"""The segment tree's HTML (layouts.final_tree.tree_markup) read back: each node's classes, text, title, label parts
and whether an open <details> holds it — what the browser shows, for tests without one."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class TreeNode:
    """One <button data-node> of the tree."""

    node: str
    classes: list[str]
    title: str
    text: str = ""
    parts: dict[str, str] = field(default_factory=dict)  # label spans by class: code, own words, shared words
    in_open_details: bool = False


class _TreeParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.nodes: dict[str, TreeNode] = {}
        self.details: list[bool] = []  # open flags of the <details> around the current position
        self.current: TreeNode | None = None
        self.spans: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "details":
            self.details.append("open" in a)
        elif tag == "button" and "data-node" in a:
            self.current = TreeNode(
                a["data-node"], (a.get("class") or "").split(), a.get("title") or "", in_open_details=any(self.details)
            )
        elif tag == "span" and self.current is not None:
            self.spans.append(a.get("class") or "")

    def handle_endtag(self, tag):
        if tag == "details":
            self.details.pop()
        elif tag == "span" and self.spans:
            self.spans.pop()
        elif tag == "button" and self.current is not None:
            self.nodes[self.current.node] = self.current
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current.text += data
            part = next((c for c in reversed(self.spans) if c not in ("rfma-tree-label", "rfma-tree-count")), None)
            if part:
                self.current.parts[part] = self.current.parts.get(part, "") + data


def markup_of(component) -> str:
    """The tree's HTML from a dcc.Markdown tree, a holder Div around it, or the HTML itself."""
    if isinstance(component, str):
        return component
    return markup_of(component.children)


def tree_nodes(component) -> dict[str, TreeNode]:
    """Every node of the tree in `component` (see markup_of) by node id."""
    parser = _TreeParser()
    parser.feed(markup_of(component))
    return parser.nodes
