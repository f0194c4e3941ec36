"""Walk Dash component trees in tests: find a component by id, collect all text."""

from __future__ import annotations

from dash.development.base_component import Component


def walk(node):
    if node is None:
        return
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from walk(item)
        return
    yield node
    if isinstance(node, Component):
        yield from walk(getattr(node, "children", None))


def find(node, component_id):
    """The first component with this id, or None."""
    for item in walk(node):
        if isinstance(item, Component) and getattr(item, "id", None) == component_id:
            return item
    return None


def text(node) -> str:
    """All strings in the tree, joined with spaces."""
    return " ".join(str(item) for item in walk(node) if isinstance(item, (str, int, float)))


def figures(node) -> list:
    """Figures of every dcc.Graph in the tree."""
    return [item.figure for item in walk(node) if type(item).__name__ == "Graph"]
