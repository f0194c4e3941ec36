"""Tab «Пороги»: the thresholds in force, the user's draft (edit = pin, clear = unpin, reset), the chain's threshold
set (save, history, whether it fits the period) and the research figures."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from core import formatting as fmt
from core import research as core_research
from core.model import THRESHOLD_NAMES, RfmaError, ThresholdOrderError, ThresholdPins, parse_threshold_value
from core.thresholds import ThresholdSuggestion, suggest_thresholds
from dashboard.appdb import AuditLog, ChainThresholds, ThresholdSets
from dashboard.appdb.audit import THRESHOLDS_SAVED
from dashboard.services.access import AccessDenied, Permission, allowed, require
from dashboard.services.analysis import Analyses
from dashboard.services.request import AnalysisRequest
from dashboard.services.sources import Sources

ORIGIN_DASHBOARD = "панель"


def display_value(value: float | None) -> str | None:
    """A threshold as the input shows it, in the Russian format: '21', '0,95', '1293,5' (6 decimals at most)."""
    if value is None:
        return None
    return fmt.threshold_plain(round(float(value), 6)).replace(".", ",")


def propose_pin(pins: dict, in_force: dict, name: str, typed: object) -> tuple[dict, bool]:
    """The pins after the user typed `typed` into the input of `name`; (pins, changed).

    An empty input unpins; the value already in force changes nothing; anything else pins it.
    Raises RfmaError for a value that is not a valid number for this threshold.
    """
    pins = dict(pins or {})
    if typed is None or (isinstance(typed, str) and typed.strip() == ""):
        if name in pins:
            pins.pop(name)
            return pins, True
        return pins, False
    value = parse_threshold_value(name, typed)
    current = pins.get(name, in_force.get(name))
    if current is not None and round(float(value), 6) == round(float(current), 6):
        return pins, False
    pins[name] = value
    return pins, True


@dataclass(frozen=True, eq=False)
class ThresholdEdit:
    """The result of one edit of the threshold inputs.

    `pins` are the pins in force afterwards and `draft` the user's draft to keep (None when the pins are the chain's
    set again); `suggestion` is the set in force (None when the typed text is not a number); `rejected` names the
    input whose value was refused and `error` says why (the last valid set stays in force).
    """

    pins: dict[str, float]
    changed: bool
    suggestion: ThresholdSuggestion | None
    rejected: str | None = None
    error: RfmaError | None = None
    draft: dict[str, float] | None = None


@dataclass(frozen=True)
class ThresholdSetView:
    """Which threshold set the page uses: the chain's (who saved it, when) or the user's draft; and whether it fits
    the period (`problem`), with the draft that would (`fix`, `fix_unpins` naming what it unpins)."""

    chain: ChainThresholds | None
    draft: dict[str, float] | None
    problem: ThresholdOrderError | None = None
    fix: dict[str, float] | None = None
    fix_unpins: tuple[str, ...] = ()
    may_edit: bool = True  # the user may keep a draft (manager, administrator)
    may_save: bool = True  # the user may save the chain's set (administrator)

    @property
    def is_draft(self) -> bool:
        """The page uses the user's own draft, not the chain's set."""
        return self.draft is not None


def as_draft(pins: dict[str, float], chain: ThresholdPins) -> dict[str, float] | None:
    """The draft to keep for `pins`: None when they are the chain's set (the page follows the chain again)."""
    return None if pins == chain.as_dict() else dict(pins)


class ThresholdsService:
    """The tab's computation: suggestions with pins, the user's draft, the chain's threshold set and the research."""

    def __init__(self, analyses: Analyses, sources: Sources, audit: AuditLog | None = None):
        self.analyses = analyses
        self.sources = sources
        self.audit = audit

    @property
    def sets(self) -> ThresholdSets:
        """The chain's threshold sets of the user's current data source."""
        return self.sources.current().sets

    def in_force(self, request: AnalysisRequest) -> ThresholdSuggestion:
        """The ThresholdSuggestion for the request's period and pins (ThresholdOrderError for an unordered set)."""
        base = self.analyses.client_base(request)
        message = base.empty_message()
        if message:
            raise RfmaError(message)
        return suggest_thresholds(base, request.pins)

    def edit(self, request: AnalysisRequest, name: str | None, typed: object, reset: bool = False) -> ThresholdEdit:
        """Apply one edit (typed value of `name`, or reset to the suggested values) to the request's pins; the
        result is the user's draft (nothing is saved for the chain).

        Raises for errors that are not about the edited value (pins that do not fit the period, database).
        """
        pins = request.pins.as_dict()
        new_pins = pins
        if reset or name is not None:
            try:
                require(Permission.EDIT_DRAFT)
            except AccessDenied as exc:  # a viewer: said, nothing changes
                return ThresholdEdit(pins, False, None, name or "r1", exc)
        if reset:
            new_pins = {}
        elif name is not None:
            try:
                in_force = self._in_force_values(request)
                candidate, changed = propose_pin(pins, in_force, name, typed)
                if changed:
                    self.in_force(request.with_pins(ThresholdPins.from_mapping(candidate)))  # raises if unordered
                    new_pins = candidate
            except ThresholdOrderError as exc:
                return ThresholdEdit(pins, False, self.in_force(request), name, exc)
            except RfmaError as exc:
                return ThresholdEdit(pins, False, None, name, exc)
        suggestion = self.in_force(request.with_pins(ThresholdPins.from_mapping(new_pins)))
        draft = as_draft(new_pins, self.sets.current_pins())
        return ThresholdEdit(new_pins, new_pins != pins, suggestion, draft=draft)

    def set_view(self, request: AnalysisRequest, draft: dict | None) -> ThresholdSetView:
        """The threshold set the page uses for the request (built from `draft`) and whether it fits the period."""
        chain = self.sets.current()
        chain_pins = chain.pins if chain else ThresholdPins()
        kept = None if draft is None else as_draft(request.pins.as_dict(), chain_pins)
        rights = {"may_edit": allowed(Permission.EDIT_DRAFT), "may_save": allowed(Permission.SAVE_CHAIN_SET)}
        try:
            self.in_force(request)
        except ThresholdOrderError as exc:
            fix, unpinned = self._fitting(request)
            return ThresholdSetView(chain, kept, exc, fix, unpinned, **rights)
        except RfmaError:  # no data for the period: the tabs say so
            pass
        return ThresholdSetView(chain, kept, **rights)

    def _fitting(self, request: AnalysisRequest) -> tuple[dict[str, float], tuple[str, ...]]:
        """The request's pins with the fewest unpinned (the pinned side of each failing pair) so the set is ordered."""
        pins = request.pins.as_dict()
        unpinned: list[str] = []
        for _ in THRESHOLD_NAMES:
            try:
                self.in_force(request.with_pins(ThresholdPins.from_mapping(pins)))
                break
            except ThresholdOrderError as exc:
                names = [name for name in exc.pair if name in pins] or list(pins)[:1]
                if not names:
                    break
                for name in names:
                    pins.pop(name)
                    unpinned.append(name)
        return pins, tuple(unpinned)

    def fitting_draft(self, request: AnalysisRequest) -> dict[str, float] | None:
        """The draft that makes the request's set fit its period (None: the chain's set fits as it is)."""
        require(Permission.EDIT_DRAFT)
        fix, _ = self._fitting(request)
        return as_draft(fix, self.sets.current_pins())

    def save_for_chain(self, draft: dict | None) -> ChainThresholds:
        """Make the draft the chain's threshold set (a new entry in its history and in the audit log); an
        administrator's right."""
        identity = require(Permission.SAVE_CHAIN_SET)
        pins = self.sets.current_pins() if draft is None else ThresholdPins.from_mapping(draft)
        saved = self.sets.save(pins, identity.login, ORIGIN_DASHBOARD)
        if self.audit is not None:
            self.audit.record(identity.login, THRESHOLDS_SAVED, saved.describe(), source=self.sources.current().name)
        return saved

    def history(self, limit: int = 20) -> list[ChainThresholds]:
        """The chain's threshold sets, newest first."""
        return self.sets.history(limit)

    def _in_force_values(self, request: AnalysisRequest) -> dict:
        try:
            thresholds = self.in_force(request).thresholds
        except RfmaError:
            return {}
        return thresholds.as_dict() if thresholds else {}

    def research(self, request: AnalysisRequest) -> core_research.Research:
        """Statistics, deciles, distributions and grade capacities of the period with the request's pins."""
        return self.analyses.cache.get_or_compute(request.key("research"), lambda: self._research(request))

    def _research(self, request: AnalysisRequest) -> core_research.Research:
        with ThreadPoolExecutor(max_workers=1) as pool:  # the amounts' SQL runs while the clients are graded
            amounts = pool.submit(
                self.analyses.cache.get_or_compute,
                request.key("amounts", pins=False),
                lambda: core_research.load_amount_histograms(request.engine(), request.period, request.options),
            )
            classification = self.analyses.classification(request)
            histograms = amounts.result()
        base = classification.base
        suggested: dict[str, float | None] = {}
        for name in THRESHOLD_NAMES:
            try:
                free = suggest_thresholds(base, request.pins.with_values(**{name: None}))
                suggested[name] = free.thresholds.as_dict()[name] if free.thresholds else None
            except RfmaError:
                suggested[name] = None
        return core_research.build_research(classification, histograms, suggested)
