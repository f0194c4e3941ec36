"""The dashboard served as docs/DASHBOARD.md documents it (gunicorn, --preload, threaded workers), for tests that
need real processes: started on a free loopback port, stopped at the end, its stderr kept for the assertions."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_ARGS = ("--preload", "--workers", "2", "--worker-class", "gthread", "--threads", "4", "--timeout", "120")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


ADMIN = "admin"


def add_user(state_dir: Path, login: str, role: str, password: str | None = None) -> str:
    """Create a user in the state directory's application database (as `rfma users add` does); its password."""
    from dashboard.appdb import Users, app_engine, default_app_database_url

    password = password or secrets.token_urlsafe(12)
    Users(app_engine(default_app_database_url(state_dir))).add(login, password, role)
    return password


class Gunicorn:
    """`gunicorn <GUNICORN_ARGS> dashboard.wsgi:server` on 127.0.0.1 with the given RFMA_* settings, with an
    administrator created first and logged in (`get`/`post_json` carry the session; `anonymous` does not)."""

    def __init__(self, database_url: str, state_dir: Path, *args: str, **env: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = state_dir / "gunicorn.log"
        state_dir.mkdir(parents=True, exist_ok=True)
        self.password = add_user(state_dir, ADMIN, "admin")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        environment = os.environ | {
            "RFMA_DATABASE_URL": database_url,
            "RFMA_STATE_DIR": str(state_dir),
            "RFMA_CACHE_DIR": str(state_dir / "cache"),
            "PYTHONPATH": str(ROOT),
        }
        command = [sys.executable, "-m", "gunicorn", *(args or GUNICORN_ARGS)]
        command += ["--bind", f"127.0.0.1:{self.port}", "dashboard.wsgi:server"]
        self._log_handle = self.log.open("w")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=environment | env, stdout=self._log_handle, stderr=subprocess.STDOUT
        )
        self._wait_ready()
        self.login(self.opener, ADMIN, self.password)

    @staticmethod
    def session() -> urllib.request.OpenerDirector:
        """A client with its own cookie jar (one browser)."""
        return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def cookie(self) -> str:
        """The logged-in session's Cookie header value (for raw sockets)."""
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)

    def login(self, opener: urllib.request.OpenerDirector, login: str, password: str) -> int:
        """Log in through the form (CSRF token from the GET); the status of the POST's final answer."""
        with opener.open(self.base + "/login", timeout=30) as response:
            token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode()).group(1)
        form = urllib.parse.urlencode({"username": login, "password": password, "csrf_token": token}).encode()
        try:
            with opener.open(urllib.request.Request(self.base + "/login", data=form), timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def _wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.base + "/login", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {seconds} s:\n{self.log.read_text()}")

    def get(self, path: str, timeout: float = 60, opener=None) -> tuple[int, bytes]:
        try:
            with (opener or self.opener).open(self.base + path, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def post_json(self, path: str, payload: dict, timeout: float = 60, opener=None) -> tuple[int, dict | str]:
        request = urllib.request.Request(
            self.base + path, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with (opener or self.opener).open(request, timeout=timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def stop(self) -> tuple[int, str]:
        """Stop gracefully (SIGTERM, as a service manager does): (exit code, everything gunicorn logged)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_handle.close()
        return self.process.returncode, self.log.read_text()


def callback_payload(output: tuple[str, str], inputs: list[tuple[str, str, object]], state=()) -> dict:
    """The body Dash's renderer POSTs to /_dash-update-component for one single-output callback."""
    component, prop = output
    return {
        "output": f"{component}.{prop}",
        "outputs": {"id": component, "property": prop},
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
    }
