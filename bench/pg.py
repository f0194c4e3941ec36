"""A PostgreSQL server for the benchmark, from Debian's package, listening on 127.0.0.1 only.

The same approach as tests/conftest.py (initdb + pg_ctl, run as the `postgres` user when we are root,
because PostgreSQL refuses to run as root), with two differences: the cluster directory may be kept
between runs (so a 10M-cheque table is loaded once), and the server settings are explicit.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

# Settings the benchmark server runs with (documented in docs/SCALING.md). fsync/synchronous_commit/
# full_page_writes only speed up the one-time bulk load; the timed queries only read.
BENCH_SETTINGS: dict[str, str] = {
    "shared_buffers": "1GB",
    "work_mem": "256MB",
    "maintenance_work_mem": "1GB",
    "effective_cache_size": "8GB",
    "max_parallel_workers_per_gather": "2",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


def postgres_bin() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin that has initdb and pg_ctl."""
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """initdb (once) + pg_ctl start/stop of a cluster under `root` (a temporary directory when None)."""

    def __init__(self, bindir: Path, root: Path | None = None, settings: dict[str, str] | None = None):
        self.bindir = bindir
        self.temporary = root is None
        self.root = Path(tempfile.mkdtemp(prefix="rfma-bench-pg-")) if root is None else Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.data = self.root / "data"
        self.port = free_port()
        self.settings = dict(BENCH_SETTINGS if settings is None else settings)
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, *args], check=check, capture_output=True, text=True)

    def running(self) -> bool:
        return (
            self.data.exists()
            and self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "status", check=False).returncode == 0
        )

    def version(self) -> str:
        out = subprocess.run([str(self.bindir / "postgres"), "--version"], capture_output=True, text=True)
        return out.stdout.strip()

    def start(self) -> None:
        if not (self.data / "PG_VERSION").exists():
            shutil.rmtree(self.data, ignore_errors=True)
            self._run(
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C.UTF-8",
            )
        if self.running():  # left over by an interrupted benchmark run: stop it, we start with our settings
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)
        options = ["-c listen_addresses=127.0.0.1", f"-p {self.port}", f"-k {self.root}"]
        options += [f"-c {name}={value}" for name, value in self.settings.items()]
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            " ".join(options),
            "-w",
            "-t",
            "120",
            "-l",
            str(self.root / "log"),
            "start",
        )

    def stop(self) -> None:
        try:
            if self.data.exists():
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)
        finally:
            if self.temporary:
                shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres", **options: str) -> str:
        """SQLAlchemy URL; `options` become per-session settings (`-c name=value`) via libpq's options."""
        url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"
        if options:
            from urllib.parse import quote

            url += "?options=" + quote(" ".join(f"-c {k}={v}" for k, v in options.items()))
        return url

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"PostgreSQL did not listen on port {self.port}; see {self.root / 'log'}")
