"""Every component id lives in dashboard/ids.py: no literal id anywhere else in the dashboard's code."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("layouts", "callbacks", "dashboard")


def literal_ids(path: Path, root: Path = ROOT) -> list[str]:
    """`id=` keyword arguments and Input/Output/State first arguments given as string literals or f-strings."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        values = [kw.value for kw in node.keywords if kw.arg in ("id", "component_id")]
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        if name in ("Input", "Output", "State") and node.args:
            values.append(node.args[0])
        for value in values:
            if isinstance(value, (ast.Constant, ast.JoinedStr, ast.Dict)):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_no_literal_component_id_outside_ids():
    offenders = [
        place
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path.name != "ids.py"
        for place in literal_ids(path)
    ]
    assert offenders == []


def test_the_check_finds_a_literal_id(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('graph(figure, id="final-client-cheques")\nOutput(f"capacity-{m}", "figure")\n')
    assert literal_ids(sample, tmp_path) == ["sample.py:1", "sample.py:2"]
