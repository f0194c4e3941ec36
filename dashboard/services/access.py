"""Who is asking and what their role allows. Dash callbacks are one endpoint, so the services check permissions
here (`require`), not view decorators; the routes' guard (`dashboard.auth`) puts the identity in `flask.g`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flask import current_app, g, has_request_context

from core.model import RfmaError


class Permission(StrEnum):
    """What a role may do beyond reading aggregates."""

    SEE_CARDS = "see_cards"
    DOWNLOAD_CLIENTS = "download_clients"
    EDIT_DRAFT = "edit_draft"
    SAVE_CHAIN_SET = "save_chain_set"
    MANAGE_USERS = "manage_users"
    SAVE_SNAPSHOT = "save_snapshot"
    CREATE_CAMPAIGN = "create_campaign"


ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "viewer": frozenset(),
    "manager": frozenset(
        {
            Permission.SEE_CARDS,
            Permission.DOWNLOAD_CLIENTS,
            Permission.EDIT_DRAFT,
            Permission.SAVE_SNAPSHOT,
            Permission.CREATE_CAMPAIGN,
        }
    ),
    "admin": frozenset(Permission),
}
REFUSALS = {
    Permission.SEE_CARDS: "номера карт и карточку клиента видят менеджер и администратор",
    Permission.DOWNLOAD_CLIENTS: "скачивать списки клиентов могут менеджер и администратор",
    Permission.EDIT_DRAFT: "менять пороги (черновик) могут менеджер и администратор",
    Permission.SAVE_CHAIN_SET: "сохранять набор порогов для всей сети может только администратор",
    Permission.MANAGE_USERS: "управлять пользователями может только администратор",
    Permission.SAVE_SNAPSHOT: "сохранять снимки сегментов могут менеджер и администратор",
    Permission.CREATE_CAMPAIGN: "создавать кампании могут менеджер и администратор",
}
IDENTITY_KEY = "rfma_identity"
AUTH_CONFIG = "RFMA_AUTH"
NO_AUTH_USER = "локальный режим (без входа)"


class AccessDenied(RfmaError):
    """A refused action: the message says who may do it; nothing was changed."""


@dataclass(frozen=True)
class Identity:
    """The user behind a request: login, role and the data sources granted to them (None: all)."""

    login: str
    role: str
    sources: tuple[str, ...] | None = None

    def may(self, permission: Permission) -> bool:
        """Whether the role allows `permission`."""
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())


NO_AUTH_IDENTITY = Identity(NO_AUTH_USER, "admin")  # `rfma serve --no-auth`: one person on 127.0.0.1


def current_identity() -> Identity | None:
    """The identity of the request being served (None outside a request or without a session)."""
    if not has_request_context():
        return None
    identity = g.get(IDENTITY_KEY)
    if identity is None and current_app.config.get(AUTH_CONFIG) == "none":
        return NO_AUTH_IDENTITY
    return identity


def allowed(permission: Permission) -> bool:
    """Whether the current request's user may do `permission`."""
    identity = current_identity()
    return identity is not None and identity.may(permission)


def require(permission: Permission) -> Identity:
    """The current identity when it may do `permission`; AccessDenied (a Russian message) otherwise."""
    identity = current_identity()
    if identity is None or not identity.may(permission):
        raise AccessDenied(f"Недостаточно прав: {REFUSALS[permission]}.")
    return identity


def who() -> str:
    """The login to record for the current request (audit log, threshold-set history)."""
    identity = current_identity()
    return identity.login if identity else "неизвестный"


def mask_card(card: object) -> str:
    """A card number as a viewer sees it: only its last 4 digits ('•••• 1234')."""
    text = "" if card is None else str(card)
    return f"•••• {text[-4:]}" if len(text) > 4 else "••••"
