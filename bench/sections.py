"""docs/PERFORMANCE.md is shared by several benchmarks: each rewrites only its own `## ` section."""

from __future__ import annotations

from pathlib import Path


def write_section(path: Path, heading: str, text: str) -> None:
    """Replace the section starting with `heading` (up to the next `## `) by `text`, or append it."""
    existing = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    if heading in existing:
        head, _, rest = existing.partition(heading)
        tail = rest.split("\n## ", 1)
        rest = ("## " + tail[1]) if len(tail) > 1 else ""
        new = head.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n" + ("\n" + rest if rest else "")
    else:
        new = existing.rstrip("\n") + "\n\n" + text
    path.write_text(new, encoding="utf-8")
