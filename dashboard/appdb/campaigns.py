"""Campaigns in the application database (SPEC §9): each campaign's settings and its frozen member list with every
member's group, and the programme's global control share."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from core.campaigns import TARGET, check_global_share
from core.db import DatabaseError, first_line
from core.model import RfmaError
from dashboard.appdb.database import metadata, utc_now

log = logging.getLogger(__name__)

MAX_NAME = 120

# One row per campaign; the name is unique in the application database (it seeds the assignment hash).
campaigns = sa.Table(
    "campaigns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("source", sa.Text, nullable=False, index=True),  # the cheques database it was selected from
    sa.Column("selection", sa.Text, nullable=False),  # the selection in words (period, thresholds, segment)
    sa.Column("start_date", sa.Date, nullable=False),  # t0 = the classification's analysis date
    sa.Column("control_share", sa.Float, nullable=False),  # p
    sa.Column("window_days", sa.Integer, nullable=False),  # W
    sa.Column("global_share", sa.Float, nullable=False, default=0.0),  # g in force when it was made
    sa.Column("clients", sa.Integer, nullable=False),
    sa.Column("target_clients", sa.Integer, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),  # UTC
)

# The frozen member list: one row per member, its group 'target' or 'control'.
campaign_members = sa.Table(
    "campaign_members",
    metadata,
    sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("card", sa.Text, primary_key=True),
    sa.Column("grp", sa.Text, nullable=False),
)

# Programme settings of the campaigns: 'global_control_share' (g).
campaign_settings = sa.Table(
    "campaign_settings",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("saved_by", sa.Text, nullable=False),
    sa.Column("saved_at", sa.DateTime, nullable=False),
)

GLOBAL_SHARE_KEY = "global_control_share"


@dataclass(frozen=True)
class Campaign:
    """One stored campaign (without its members)."""

    id: int
    name: str
    source: str
    selection: str
    start_date: dt.date
    control_share: float
    window_days: int
    global_share: float
    clients: int
    target_clients: int
    created_by: str
    created_at: dt.datetime

    @property
    def control_clients(self) -> int:
        """Members in the control group."""
        return self.clients - self.target_clients

    @property
    def full_end(self) -> dt.date:
        """t0 + W."""
        return self.start_date + dt.timedelta(days=self.window_days)


def check_name(name: str) -> str:
    """The name stripped, when non-empty and not too long, else RfmaError."""
    cleaned = " ".join(str(name or "").split())
    if not cleaned:
        raise RfmaError("название кампании пустое: введите название")
    if len(cleaned) > MAX_NAME:
        raise RfmaError(f"название кампании длиннее {MAX_NAME} символов")
    return cleaned


class Campaigns:
    """The campaigns of an application database and the global control share."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def exists(self, name: str) -> bool:
        """Whether a campaign of this name is stored."""
        query = sa.select(campaigns.c.id).where(campaigns.c.name == name)
        return self._run(lambda conn: conn.execute(query).first() is not None)

    def create(
        self,
        name: str,
        source: str,
        selection: str,
        start_date: dt.date,
        control_share: float,
        window_days: int,
        global_share: float,
        members: pd.DataFrame,
        created_by: str,
    ) -> Campaign:
        """Store a campaign and its members (card, group) in one transaction; RfmaError when the name is taken."""
        name = check_name(name)
        target = int((members["group"] == TARGET).sum())
        values = {
            "name": name,
            "source": source,
            "selection": selection,
            "start_date": start_date,
            "control_share": float(control_share),
            "window_days": int(window_days),
            "global_share": float(global_share),
            "clients": len(members),
            "target_clients": target,
            "created_by": created_by,
            "created_at": utc_now(),
        }
        rows = [
            {"card": str(card), "grp": str(group)}
            for card, group in zip(members["card"], members["group"], strict=True)
        ]
        try:
            with self.engine.begin() as conn:
                if conn.execute(sa.select(campaigns.c.id).where(campaigns.c.name == name)).first() is not None:
                    raise RfmaError(_taken(name))
                new_id = int(conn.execute(campaigns.insert().values(**values)).inserted_primary_key[0])
                for start in range(0, len(rows), 50_000):
                    chunk = [row | {"campaign_id": new_id} for row in rows[start : start + 50_000]]
                    conn.execute(campaign_members.insert(), chunk)
        except sa.exc.IntegrityError:
            raise RfmaError(_taken(name)) from None
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"база приложения недоступна: {first_line(exc)}") from None
        log.info("campaign %s stored: %s members", new_id, len(rows))
        return Campaign(id=new_id, **values)

    def get(self, name: str) -> Campaign | None:
        """The campaign of this name, or None."""
        query = sa.select(campaigns).where(campaigns.c.name == str(name))
        row = self._run(lambda conn: conn.execute(query).mappings().first())
        return None if row is None else _campaign(row)

    def all(self, source: str | None = None) -> list[Campaign]:
        """Every campaign (of one source when given), newest first."""
        query = sa.select(campaigns).order_by(campaigns.c.id.desc())
        if source is not None:
            query = query.where(campaigns.c.source == source)
        rows = self._run(lambda conn: conn.execute(query).mappings().all())
        return [_campaign(row) for row in rows]

    def members(self, campaign_id: int) -> pd.DataFrame:
        """The frozen member list (card, group), sorted by card."""
        query = (
            sa.select(campaign_members.c.card, campaign_members.c.grp)
            .where(campaign_members.c.campaign_id == campaign_id)
            .order_by(campaign_members.c.card)
        )
        rows = self._run(lambda conn: conn.execute(query).all())
        return pd.DataFrame(
            {
                "card": pd.Series([row[0] for row in rows], dtype="str"),
                "group": pd.Series([row[1] for row in rows], dtype="str"),
            }
        )

    def global_share(self) -> float:
        """The programme's global control share g (0 when never set)."""
        query = sa.select(campaign_settings.c.value).where(campaign_settings.c.key == GLOBAL_SHARE_KEY)
        value = self._run(lambda conn: conn.execute(query).scalar())
        try:
            return check_global_share(float(value)) if value is not None else 0.0
        except (ValueError, RfmaError):  # a hand-edited row: never let it break every page
            log.warning("global control share %r is unreadable; 0 is used", value)
            return 0.0

    def set_global_share(self, share: float, saved_by: str) -> float:
        """Set g (0 ≤ g < 0.5); campaigns made later use it, stored ones keep theirs."""
        share = check_global_share(share)
        table = campaign_settings

        def save(conn: sa.Connection) -> None:
            conn.execute(sa.delete(table).where(table.c.key == GLOBAL_SHARE_KEY))
            conn.execute(
                table.insert().values(key=GLOBAL_SHARE_KEY, value=repr(share), saved_by=saved_by, saved_at=utc_now())
            )

        self._run(save, write=True)
        return share

    def _run(self, action, write: bool = False):
        try:
            with self.engine.begin() if write else self.engine.connect() as conn:
                return action(conn)
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"база приложения недоступна: {first_line(exc)}") from None


def _taken(name: str) -> str:
    return f"кампания «{name}» уже есть: выберите другое название"


def _campaign(row) -> Campaign:
    start = row["start_date"]
    if isinstance(start, dt.datetime):
        start = start.date()
    return Campaign(
        id=int(row["id"]),
        name=row["name"],
        source=row["source"],
        selection=row["selection"],
        start_date=start,
        control_share=float(row["control_share"]),
        window_days=int(row["window_days"]),
        global_share=float(row["global_share"]),
        clients=int(row["clients"]),
        target_clients=int(row["target_clients"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
    )


CAMPAIGN_CREATED = "campaign_created"  # the audit log's action of a stored campaign
GLOBAL_SHARE_SAVED = "campaign_global_control"  # the audit log's action of a changed global control share


def window_status(campaign: Campaign, last_cheque: dt.date | None, today: dt.date | None = None) -> str:
    """'finished' when the data covers t0 + W; 'running' while the window's days are still to come; 'partial' when
    they have passed but the data stops before t0 + W (the report covers part of the window)."""
    if last_cheque is not None and last_cheque >= campaign.full_end:
        return "finished"
    today = today or utc_now().date()
    return "running" if today <= campaign.full_end else "partial"


STATUS_NAMES = {"finished": "окно завершено", "running": "окно идёт", "partial": "данные неполные"}


def make_campaign(
    store: Campaigns,
    name: str,
    source: str,
    selection: str,
    start_date: dt.date,
    cards: pd.Series | list,
    control_share: float,
    window_days: int,
    created_by: str,
) -> tuple[Campaign, pd.DataFrame]:
    """Assign the selection's cards (§9, with the programme's global control share) and store the campaign: the
    stored campaign and its members (card, group). RfmaError — nothing stored — for a taken name, a control share
    outside (0, 0.5), a bad window or an empty selection."""
    from core.campaigns import assign, check_control_share, check_window

    name = check_name(name)
    check_control_share(control_share)
    check_window(window_days)
    if store.exists(name):
        raise RfmaError(_taken(name))
    if len(cards) == 0:
        raise RfmaError("в выборке нет клиентов: кампания не создана")
    g = store.global_share()
    members = assign(name, cards, control_share, g)
    campaign = store.create(name, source, selection, start_date, control_share, window_days, g, members, created_by)
    return campaign, members
