"""Helpers shared by the benchmarks: the demo database they measure, memory readings, their PERFORMANCE.md sections.

Importing this module puts the repository root first on sys.path, so that a benchmark run as `python bench/x.py`
imports this checkout's core/, dashboard/, callbacks/ and tests/ (not an installed copy). The benchmarks import it
before any of those: isort keeps `common` (a third-party name to it) above the first-party imports.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PERFORMANCE = ROOT / "docs" / "PERFORMANCE.md"
sys.path.insert(0, str(ROOT))


def parse_args(default_scale: float) -> argparse.Namespace:
    """The dashboard benchmarks' common options: --runs, --scale, --no-write."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", type=float, default=default_scale)
    parser.add_argument("--no-write", action="store_true")
    return parser.parse_args()


def workspace(prefix: str) -> Path:
    """A fresh temporary folder; the embedded default database is pointed into it so no real file is touched."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["RFMA_DEMO_PATH"] = str(work / "unused-default.duckdb")
    return work


def build_demo(path: Path, scale: float) -> str:
    """Generate the demo chain at `scale` into a DuckDB file; returns its URL."""
    from core.db import make_engine
    from core.demo import DEMO_SEED, generate_demo_cheques
    from core.loading import replace_with_demo

    url = f"duckdb:///{path}"
    engine = make_engine(url)
    replace_with_demo(engine, generate_demo_cheques(scale=scale, seed=DEMO_SEED), seed=DEMO_SEED, scale=scale)
    engine.dispose()
    return url


def maxrss_bytes() -> int:
    """This process's peak RSS since it started (ru_maxrss)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def rss_now_bytes() -> int:
    """This process's RSS now."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def reset_peak_rss() -> bool:
    """Start this process's peak RSS (VmHWM) afresh from its current RSS (Linux ≥ 4.0); False when not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_bytes() -> int:
    """VmHWM of /proc/self/status: the peak RSS since the process started or since reset_peak_rss."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return maxrss_bytes()


def write_section(path: Path, heading: str, text: str) -> None:
    """docs/PERFORMANCE.md is shared: replace the section starting with `heading` (up to the next `## `), or append."""
    existing = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    if heading in existing:
        head, _, rest = existing.partition(heading)
        tail = rest.split("\n## ", 1)
        rest = ("## " + tail[1]) if len(tail) > 1 else ""
        new = head.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n" + ("\n" + rest if rest else "")
    else:
        new = existing.rstrip("\n") + "\n\n" + text
    path.write_text(new, encoding="utf-8")


def publish(lines: list[str], heading: str, write: bool, path: Path = PERFORMANCE) -> None:
    """Close a dashboard benchmark's section with this process's peak RSS, print it and, unless told not to,
    write it into docs/PERFORMANCE.md."""
    rss = f"- Process max RSS after the benchmark: {maxrss_bytes() / 2**20:.0f} MiB."
    text = "\n".join([*lines, rss, ""])
    print(text)
    if write:
        write_section(path, heading, text)
