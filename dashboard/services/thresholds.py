"""Tab «Пороги»: the thresholds in force, editing pins (edit = pin, clear = unpin, reset), research figures."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from core import formatting as fmt
from core import research as core_research
from core.model import THRESHOLD_NAMES, RfmaError, ThresholdOrderError, ThresholdPins, parse_threshold_value
from core.thresholds import ThresholdSuggestion, suggest_thresholds
from dashboard.services.analysis import Analyses
from dashboard.services.pins import PinsStore
from dashboard.services.request import AnalysisRequest


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

    `suggestion` is the set in force afterwards (None when the typed text is not a number); `rejected` names the
    input whose value was refused and `error` says why (the last valid set stays in force).
    """

    pins: dict[str, float]
    changed: bool
    suggestion: ThresholdSuggestion | None
    rejected: str | None = None
    error: RfmaError | None = None


class ThresholdsService:
    """The tab's computation: suggestions with pins, saved pins and the research figures."""

    def __init__(self, analyses: Analyses, pins: PinsStore):
        self.analyses = analyses
        self.pins = pins

    def in_force(self, request: AnalysisRequest) -> ThresholdSuggestion:
        """The ThresholdSuggestion for the request's period and pins (ThresholdOrderError for an unordered set)."""
        base = self.analyses.client_base(request)
        message = base.empty_message()
        if message:
            raise RfmaError(message)
        return suggest_thresholds(base, request.pins)

    def edit(self, request: AnalysisRequest, name: str | None, typed: object, reset: bool = False) -> ThresholdEdit:
        """Apply one edit (typed value of `name`, or reset) to the request's pins, saving them when they change.

        Raises for errors that are not about the edited value (saved pins that do not fit the period, database).
        """
        pins = request.pins.as_dict()
        new_pins = pins
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
        changed = new_pins != pins
        if changed:
            self.pins.save(new_pins)
        return ThresholdEdit(new_pins, changed, suggestion)

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
