"""Login for the whole application (Flask-Login sessions): the guard in front of every route, `/login` (a plain HTML
form with a CSRF token), `/logout`, the failed-login throttle, and the optional trusted proxy header.

Modes (`RFMA_AUTH`): `login` (default), `proxy` (a reverse proxy such as oauth2-proxy or authentik authenticates
and passes the login in `RFMA_PROXY_USER_HEADER`; the user must exist here and their role is ours), and `none`
(`rfma serve --no-auth`: one person on 127.0.0.1, acting as an administrator).
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import secrets
from pathlib import Path
from urllib.parse import urlencode

import dash
from flask import Response, g, redirect, request
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms import ValidationError

from dashboard.appdb.audit import LOGIN_FAILED, LOGIN_OK, LOGOUT, AuditLog
from dashboard.appdb.users import User, Users
from dashboard.services.access import AUTH_CONFIG, IDENTITY_KEY, Identity
from dashboard.settings import Settings

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
THROTTLE_FAILURES = 5
THROTTLE_WINDOW = dt.timedelta(minutes=15)
PUBLIC_PREFIXES = ("_dash-component-suites/", "assets/")  # code and styles, no data
PUBLIC_PATHS = ("login", "_favicon.ico")
SECRET_FILE = "secret_key"


class SessionUser(UserMixin):
    """Flask-Login's user: its id carries the session version, so a password or role change ends old sessions."""

    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_version}"


def secret_key(settings: Settings) -> str:
    """The session-signing key: RFMA_SECRET_KEY, else a random key kept in the state directory (shared by the
    workers, created once with owner-only permissions)."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.state_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip()


def register(app: dash.Dash, settings: Settings, users: Users, audit: AuditLog) -> None:
    """Put the login in front of every route of the app's server."""
    server = app.server
    server.config.update(
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.https,
        SESSION_COOKIE_NAME="rfma_session",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session cookie that signs it
    )
    server.config[AUTH_CONFIG] = settings.auth
    prefix = app.config.routes_pathname_prefix
    manager = LoginManager()
    manager.init_app(server)
    manager.session_protection = "basic"

    @manager.user_loader
    def load(user_id: str) -> SessionUser | None:
        """The session's user while enabled and the session is of their current version."""
        ident, _, version = user_id.partition(":")
        if not ident.isdigit() or not version.isdigit():
            return None
        user = users.by_id(int(ident))
        if user is None or user.disabled or user.session_version != int(version):
            return None
        return SessionUser(user)

    def identity() -> Identity | None:
        if settings.auth == "none":
            from dashboard.services.access import NO_AUTH_IDENTITY

            return NO_AUTH_IDENTITY
        if settings.auth == "proxy":
            login = request.headers.get(settings.proxy_user_header, "").strip()
            user = users.get(login) if login else None
            return Identity(user.login, user.role, user.sources) if user and not user.disabled else None
        if current_user.is_authenticated:
            user = current_user.user
            return Identity(user.login, user.role, user.sources)
        return None

    def public(path: str) -> bool:
        relative = path[len(prefix) :] if path.startswith(prefix) else path.lstrip("/")
        return relative in PUBLIC_PATHS or relative.startswith(PUBLIC_PREFIXES)

    @server.before_request
    def guard():
        """Every route but the login form and static code answers only to a valid session."""
        if public(request.path):
            return None
        found = identity()
        if found is None:
            if request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
                return redirect(f"{prefix}login?{urlencode({'next': request.full_path.rstrip('?')})}")
            return Response("Требуется вход: откройте страницу входа.", 401, mimetype="text/plain")
        g.setdefault(IDENTITY_KEY, found)
        return None

    def login_view():
        if settings.auth != "login":
            return redirect(prefix)
        if request.method == "GET":
            return login_page(prefix, "", request.args.get("next", ""))
        name = request.form.get("username", "").strip()
        target = request.form.get("next", "")
        try:
            validate_csrf(request.form.get("csrf_token", ""))
        except (ValidationError, CSRFError):
            return login_page(prefix, "Форма устарела: войдите ещё раз.", target, 400)
        if audit.failed_logins(name, THROTTLE_WINDOW) >= THROTTLE_FAILURES:
            audit.record(name, LOGIN_FAILED, f"слишком много попыток; адрес {request.remote_addr}")
            log.warning("login throttled for %r from %s", name, request.remote_addr)
            minutes = int(THROTTLE_WINDOW.total_seconds() // 60)
            return login_page(
                prefix, f"Слишком много неудачных попыток. Попробуйте через {minutes} минут.", target, 429
            )
        user = users.verify(name, request.form.get("password", ""))
        if user is None:
            audit.record(name, LOGIN_FAILED, f"адрес {request.remote_addr}")
            log.warning("failed login for %r from %s", name, request.remote_addr)
            return login_page(prefix, "Неверный логин или пароль.", target, 401)
        login_user(SessionUser(user))
        audit.record(user.login, LOGIN_OK, f"адрес {request.remote_addr}")
        log.info("login %s (%s)", user.login, user.role)
        return redirect(safe_target(target, prefix))

    def logout_view():
        if current_user.is_authenticated:
            audit.record(current_user.user.login, LOGOUT)
        logout_user()
        return redirect(f"{prefix}login")

    server.add_url_rule(f"{prefix}login", "rfma_login", login_view, methods=["GET", "POST"])
    server.add_url_rule(f"{prefix}logout", "rfma_logout", logout_view, methods=["GET", "POST"])


def safe_target(target: str, prefix: str) -> str:
    """Where to go after login: a path of this app only (never another site)."""
    if target.startswith(prefix) and not target.startswith("//") and "\\" not in target:
        return target
    return prefix


def login_page(prefix: str, error: str, target: str, status: int = 200) -> Response:
    """The plain HTML login form (no Dash): username, password, a hidden CSRF token and where to go next."""
    message = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    body = f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Вход — RFMA</title><link rel="icon" href="{prefix}_favicon.ico">
<link rel="stylesheet" href="{prefix}assets/bootstrap.min.css"><link rel="stylesheet" href="{prefix}assets/rfma.css">
</head><body class="rfma-login"><form method="post" action="{prefix}login">
<h1>RFMA-анализ клиентов аптечной сети</h1>{message}
<input type="hidden" name="csrf_token" value="{generate_csrf()}">
<input type="hidden" name="next" value="{html.escape(target)}">
<label for="username">Логин</label>
<input type="text" id="username" name="username" autocomplete="username" required autofocus>
<label for="password">Пароль</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit" class="btn btn-primary">Войти</button></form></body></html>"""
    response = Response(body, status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response
