"""A local PostgreSQL server from Debian's package, for the tests and the benchmarks.

initdb + pg_ctl of a cluster under one folder: a temporary one (removed by stop()) or a kept one, whose cluster is
reused by the next start (a benchmark loads its big tables once). The server listens on 127.0.0.1 only (and on a
Unix socket inside that folder), trusts local connections, and runs as the `postgres` user when we are root,
because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

# Durability a throw-away cluster does not need: the default settings of a server started here.
NO_DURABILITY: dict[str, str] = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def postgres_bin() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin that has initdb and pg_ctl (None when PostgreSQL is not installed)."""
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """initdb (once) + pg_ctl start/stop of a cluster under `root` (a temporary folder when None).

    `settings` are the server's `-c name=value` options (NO_DURABILITY when None); `locale` is initdb's
    --locale (None: the environment's).
    """

    def __init__(
        self,
        bindir: Path,
        root: Path | None = None,
        settings: dict[str, str] | None = None,
        locale: str | None = None,
    ):
        self.bindir = bindir
        self.temporary = root is None
        self.root = Path(tempfile.mkdtemp(prefix="rfma-pg-")) if root is None else Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.data = self.root / "data"
        self.port = free_port()
        self.settings = dict(NO_DURABILITY if settings is None else settings)
        self.locale = locale
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, *args], check=check, capture_output=True, text=True)

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), *args, check=check)

    def running(self) -> bool:
        return self.data.exists() and self._pg_ctl("status", check=False).returncode == 0

    def version(self) -> str:
        """`postgres --version`, e.g. "postgres (PostgreSQL) 15.…"."""
        out = subprocess.run([str(self.bindir / "postgres"), "--version"], capture_output=True, text=True)
        return out.stdout.strip()

    def start(self) -> None:
        """Create the cluster unless the kept one exists, then start it with `settings` (CalledProcessError if not)."""
        if not (self.data / "PG_VERSION").exists():
            shutil.rmtree(self.data, ignore_errors=True)
            initdb = [str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"]
            initdb += ["-E", "UTF8", "--no-sync"] + ([f"--locale={self.locale}"] if self.locale else [])
            self._run(*initdb)
        if self.running():  # left over by an interrupted run of a kept cluster: stop it, we start with our settings
            self._pg_ctl("-m", "fast", "-w", "stop", check=False)
        options = ["-c listen_addresses=127.0.0.1", f"-p {self.port}", f"-k {self.root}"]
        options += [f"-c {name}={value}" for name, value in self.settings.items()]
        self._pg_ctl("-o", " ".join(options), "-w", "-t", "120", "-l", str(self.root / "log"), "start")

    def stop(self) -> None:
        """Stop the server (if there is a cluster); a temporary root is removed, a kept one stays for the next start."""
        try:
            if self.data.exists():
                # a throw-away cluster needs no clean shutdown; a kept one does (no recovery at its next start)
                self._pg_ctl("-m", "immediate" if self.temporary else "fast", "-w", "stop", check=False)
        finally:
            if self.temporary:
                shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres", **options: str) -> str:
        """SQLAlchemy URL; `options` become per-session settings (`-c name=value`) via libpq's options."""
        url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"
        if options:
            url += "?options=" + quote(" ".join(f"-c {k}={v}" for k, v in options.items()))
        return url
