"""The scale benchmark's process runner: every measurement in a fresh Python process, and the CLI as a whole process.

The parent runs `python bench/bench.py --child TASK --params JSON`; bench.py hands that to child_entry, which runs
one task (scale_children.CHILDREN, or the data tasks of scale_data, both handed over by bench.py) and prints its
result as one JSON line marked CHILD_MARK on stdout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from common import ROOT, maxrss_bytes

ENTRY = Path(__file__).resolve().with_name("bench.py")
CHILD_MARK = "BENCH_RESULT "


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def child_entry(task: str, params: dict, measurements: dict, data_tasks: dict) -> int:
    """In the child process: run `task` (a measurement, or a data task) with `params`, print its result (or
    {'error': …}) as the marked line; a measurement's result carries the process's peak RSS."""
    tmp = tempfile.mkdtemp(prefix="rfma-bench-child-")
    os.environ["RFMA_DEMO_PATH"] = str(Path(tmp) / "unused-default.duckdb")
    params = {**params, "tmp": tmp}
    try:
        if task in data_tasks:
            result = data_tasks[task](params)
        else:
            result = measurements[task](params)
            result["rss"] = maxrss_bytes()
        print(CHILD_MARK + json.dumps(result, default=str), flush=True)
        return 0
    except Exception as exc:
        traceback.print_exc()
        print(CHILD_MARK + json.dumps({"error": f"{type(exc).__name__}: {exc}".splitlines()[0][:400]}), flush=True)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _stream(cmd: list[str]) -> tuple[str, str, int]:
    """Run a long child, passing its progress lines through as they come; (stdout, stderr, return code)."""
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, cwd=ROOT)
        lines = []
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if not line.startswith(CHILD_MARK):
                sys.stdout.write(line)
                sys.stdout.flush()
        proc.wait()
        err.seek(0)
        return "\n".join(lines), err.read(), proc.returncode


def run_child(task: str, params: dict, timeout: float) -> dict:
    """Run one measurement in a fresh interpreter; its JSON result (or {'error': …})."""
    cmd = [sys.executable, str(ENTRY), "--child", task, "--params", json.dumps(params)]
    if task == "prepare":  # long: stream its progress lines
        stdout, stderr, returncode = _stream(cmd)
    else:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout:.0f} s"}
        stdout, stderr, returncode = done.stdout, done.stderr, done.returncode
    for line in reversed(stdout.splitlines()):
        if line.startswith(CHILD_MARK):
            result = json.loads(line[len(CHILD_MARK) :])
            if "error" in result:
                sys.stderr.write(stderr[-3000:])
            return result
    return {"error": f"exit {returncode}: " + (stderr.strip().splitlines() or ["no output"])[-1][:400]}


def run_cli(url: str, timeout: float) -> dict:
    """`rfma classify --db URL --out FILE.csv` as a whole process: wall from spawn to exit, ru_maxrss via wait4."""
    tmp = Path(tempfile.mkdtemp(prefix="rfma-bench-cli-"))
    env = {**os.environ, "RFMA_DEMO_PATH": str(tmp / "unused-default.duckdb")}
    out = tmp / "clients.csv"
    rfma = Path(sys.executable).with_name("rfma")
    cmd = [str(rfma), "classify", "--db", url, "--out", str(out)]
    try:
        with open(tmp / "stdout", "w") as so, open(tmp / "stderr", "w") as se:
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=so, stderr=se, env=env, cwd=ROOT)
            deadline = t0 + timeout
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    proc.kill()
                    os.wait4(proc.pid, 0)
                    return {"error": f"timed out after {timeout:.0f} s"}
                time.sleep(0.005)
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            last = ((tmp / "stderr").read_text().strip().splitlines() or [""])[-1][:400]
            return {"error": f"exit {proc.returncode}: {last}"}
        return {"wall": wall, "rss": usage.ru_maxrss * 1024, "bytes": out.stat().st_size}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
