"""The page's state in its address: tab, period, the «Финал» segment and its filters, read once per page load.

`?tab=final&from=2022-01-01&to=2022-06-30&segment=r110&shop=Аптека 11&r=1,2` — the writer is the clientside
callback `callbacks.shell.WRITE_URL` (no server round trip per change); this module reads the address when the
page is built and renders the same query for the layout. Anything unknown, malformed or outside the data is
dropped for its default: a stale or edited link never gives an error page. Card numbers and the free-text card
search are personal data and never go into the address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from core.model import RfmaError
from core.segment_tree import ALL, Segment
from core.segments import GRADE_NAMES
from dashboard import ids

# the tab's name in the address ↔ its component id
TAB_NAMES = {
    "clients": ids.TAB_CLIENTS,
    "pharmacies": ids.TAB_PHARMACIES,
    "thresholds": ids.TAB_THRESHOLDS,
    "final": ids.TAB_FINAL,
    "migration": ids.TAB_MIGRATION,
    "cohorts": ids.TAB_COHORTS,
    "history": ids.TAB_HISTORY,
    "campaigns": ids.TAB_CAMPAIGNS,
}
DEFAULT_TAB = ids.TAB_CLIENTS
GRADES = ("r", "f", "m", "a")
MAX_SHOPS = 200  # a hand-made address cannot make the page render thousands of options
MAX_TEXT = 200


@dataclass(frozen=True)
class PageState:
    """What the page opens with: the active tab, the period (ISO dates), the selected segment and its filters."""

    tab: str = DEFAULT_TAB
    start: str | None = None
    end: str | None = None
    segment: str = ALL
    shops: tuple[str, ...] = ()
    grades: dict[str, tuple[int, ...]] = field(default_factory=dict)  # r, f, m, a → the chosen grade codes

    def grade(self, metric: str) -> list[int] | None:
        """The chosen codes of one grade filter (None = all, as the dropdown's empty value)."""
        return list(self.grades[metric]) if self.grades.get(metric) else None


def referrer_args(referrer: str | None) -> dict[str, list[str]]:
    """The query parameters of the page that asked for its layout.

    Dash builds the layout in a request of its own (`/_dash-layout`) without the page's query string; the page's
    address arrives as that request's Referer (the app's Referrer-Policy is same-origin, so it is the full URL).
    """
    if not referrer:
        return {}
    return parse_qs(urlsplit(referrer).query)


def _values(args: Mapping, name: str) -> list[str]:
    """Every value of a parameter (a werkzeug MultiDict or a plain dict of str / list)."""
    getlist = getattr(args, "getlist", None)
    if getlist is not None:
        return [str(v) for v in getlist(name)]
    value = args.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def _first(args: Mapping, name: str) -> str | None:
    values = _values(args, name)
    return values[0].strip() if values else None


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def read_period(start: str | None, end: str | None, bounds: tuple[str, str] | None) -> tuple[str | None, str | None]:
    """The address's period clamped to the data's bounds; all the data when it is missing, reversed or outside."""
    if bounds is None:
        return None, None
    first, last = dt.date.fromisoformat(bounds[0]), dt.date.fromisoformat(bounds[1])
    lo, hi = _date(start) or first, _date(end) or last
    lo, hi = max(lo, first), min(hi, last)
    if lo > hi:
        return bounds
    return lo.isoformat(), hi.isoformat()


def read_segment(text: str | None) -> str:
    """A known segment-tree node id ('w1', 'r110', 'c11', 'k1121'), else all clients."""
    try:
        return Segment.parse(text).node_id
    except RfmaError:
        return ALL


def read_grades(text: str | None, metric: str) -> tuple[int, ...]:
    """Grade codes '1,2' of one metric: known codes only, each once, in order."""
    known = GRADE_NAMES[metric]
    codes = {int(part) for part in (text or "").split(",") if part.strip().isdigit() and int(part) in known}
    return tuple(sorted(codes))


def read_page_state(args: Mapping, bounds: tuple[str, str] | None) -> PageState:
    """The page's state from its query parameters; every unknown or invalid value falls back to its default."""
    tab = TAB_NAMES.get((_first(args, "tab") or "").lower(), DEFAULT_TAB)
    start, end = read_period(_first(args, "from"), _first(args, "to"), bounds)
    shops = tuple(dict.fromkeys(s.strip() for s in _values(args, "shop") if s.strip() and len(s) <= MAX_TEXT))
    grades = {m: codes for m in GRADES if (codes := read_grades(_first(args, m), m))}
    return PageState(tab, start, end, read_segment(_first(args, "segment")), shops[:MAX_SHOPS], grades)


def page_query(state: PageState) -> str:
    """The address's query for a state ('?tab=…'), as the clientside writer builds it."""
    tab = next((name for name, tab_id in TAB_NAMES.items() if tab_id == state.tab), "clients")
    params: list[tuple[str, str]] = [("tab", tab)]
    if state.start:
        params.append(("from", state.start))
    if state.end:
        params.append(("to", state.end))
    if state.segment != ALL:
        params.append(("segment", state.segment))
    params += [("shop", shop) for shop in state.shops]
    params += [(m, ",".join(str(c) for c in state.grades[m])) for m in GRADES if state.grades.get(m)]
    return "?" + urlencode(params)
