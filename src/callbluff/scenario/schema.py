"""The scenario format: every input of the bargain model of docs/design.md.

A scenario is plain data, validated here with pydantic v2 after a safe YAML load
(see :mod:`callbluff.scenario.loader`).  Numbers are kept as exact ``Fraction``:
``0.3`` in a file means 3/10, and ``"1/3"`` is accepted too.  Any number may be
written as ``{value: 0.3, source: "...", note: "..."}``; the source and note are
kept in :attr:`Scenario.annotations` under the number's dotted path, so the code
that computes sees plain numbers and the report can still cite each one.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from callbluff.display import ScenarioView
from callbluff.scenario.safe_yaml import LIMITS, MAX_NUMBER_CHARS
from callbluff.scenario.uncertainty import PriorDistribution, UncertaintyList

ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
_RATIONAL = re.compile(r"^\s*[-+]?\d+\s*/\s*\d+\s*$")
_DECIMAL = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")
#: Largest magnitude a number may have; beyond it the input is absurd, not a model.
MAX_MAGNITUDE = Fraction(10) ** 12
SOURCE_KEYS = frozenset({"value", "source", "note"})
#: Largest decimal exponent accepted in ``1.5e7`` (larger ones are absurd here,
#: and ``Fraction("1e999999999")`` would take forever).
MAX_EXPONENT = 40


#: The scenario lists that have a length limit: field name -> limit.
LIST_LIMITS: dict[str, int] = {
    "types": LIMITS.types,
    "motives": LIMITS.motives,
    "concessions": LIMITS.concessions,
    "counter_demands": LIMITS.counter_demands,
    "regimes": LIMITS.regimes,
    "offers": LIMITS.offers,
    "fallbacks": LIMITS.fallbacks,
    "stakeholders": LIMITS.stakeholders,
}


def unwrap_annotated(data: Any, path: str = "") -> tuple[Any, dict[str, dict[str, Any]]]:
    """Replace every ``{value, source, note}`` mapping by its value.

    A mapping is an annotated number when its keys are a subset of
    ``{value, source, note}`` and include ``value``.  Returns the plain data and
    ``{dotted path: {"source": ..., "note": ...}}`` for each one replaced (paths like
    ``types[2].prior`` or ``fallbacks[0].proposer.mixed``).
    """
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any, where: str) -> Any:
        if isinstance(node, dict):
            keys = set(node)
            if "value" in keys and keys <= SOURCE_KEYS:
                found[where] = {k: node[k] for k in ("source", "note") if k in node}
                return node["value"]
            return {k: walk(v, f"{where}.{k}" if where else str(k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, f"{where}[{i}]") for i, v in enumerate(node)]
        return node

    return walk(data, path), found


def _parse_number_text(raw: str) -> Fraction:
    text = raw.strip().replace(" ", "")
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"number written with more than {MAX_NUMBER_CHARS} characters")
    if "/" in text:
        num, den = text.split("/")
        if int(den) == 0:
            raise ValueError(f"division by zero in {raw!r}")
        return Fraction(int(num), int(den))
    exponent = text.lower().partition("e")[2]
    if exponent and abs(int(exponent)) > MAX_EXPONENT:
        raise ValueError(f"exponent of {raw!r} is beyond ±{MAX_EXPONENT}")
    return Fraction(text)


def to_fraction(raw: Any) -> Fraction:
    """Exact value of a number written in a scenario file."""
    if isinstance(raw, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(raw, Fraction):
        value = raw
    elif isinstance(raw, int):
        value = Fraction(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueError(f"expected a finite number, got {raw}")
        text = getattr(raw, "text", None)
        if isinstance(text, str) and _DECIMAL.match(text):
            value = _parse_number_text(text)
        else:
            # The shortest repr is the decimal the author wrote: 0.3 -> 3/10.
            value = Fraction(repr(raw))
    elif isinstance(raw, str) and (_RATIONAL.match(raw) or _DECIMAL.match(raw)):
        value = _parse_number_text(raw)
    else:
        raise ValueError(
            f"expected a number (like 2, 0.35 or \"1/3\"), got {type(raw).__name__} "
            f"{str(raw)[:40]!r}"
        )
    if abs(value) > MAX_MAGNITUDE:
        raise ValueError(f"number {float(value):.3g} is larger than 10^12 in magnitude")
    return value


Num = Annotated[
    Fraction,
    BeforeValidator(to_fraction),
    PlainSerializer(lambda f: float(f) if f.denominator != 1 else int(f), return_type=Any),
]


def _probability(value: Fraction) -> Fraction:
    if not 0 <= value <= 1:
        raise ValueError(f"expected a probability in [0, 1], got {float(value):g}")
    return value


def _non_negative(value: Fraction) -> Fraction:
    if value < 0:
        raise ValueError(f"expected a number >= 0, got {float(value):g}")
    return value


Prob = Annotated[Fraction, BeforeValidator(lambda v: _probability(to_fraction(v))),
                 PlainSerializer(lambda f: float(f) if f.denominator != 1 else int(f),
                                 return_type=Any)]
NonNeg = Annotated[Fraction, BeforeValidator(lambda v: _non_negative(to_fraction(v))),
                   PlainSerializer(lambda f: float(f) if f.denominator != 1 else int(f),
                                   return_type=Any)]
Id = Annotated[str, Field(pattern=ID_PATTERN)]
Text = Annotated[str, Field(max_length=4000)]


class Annotation(BaseModel):
    """Where a number comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    source: Text | None = None
    note: Text | None = None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Motive(Strict):
    id: Id
    label: Text = ""
    note: Text | None = None


class TargetType(Strict):
    """A possible type of the target: why it wants the bomb."""

    id: Id
    label: Text = ""
    prior: Prob
    security_only: bool = Field(
        default=False,
        description="wants the bomb only for security: the type the bargain should "
        "attract (every other type has ulterior motives)")
    weights: dict[Id, NonNeg] = Field(
        description="motive id -> weight w_θ,m >= 0 (motives not listed weigh 0)")
    inspection_sensitivity: NonNeg = Fraction(0)
    status_quo: Num = Field(
        default=Fraction(0),
        description="q_θ before third-party pressure: value of no deal besides the "
        "arsenal (sanctions pain is negative)")
    arsenal_harm: NonNeg = Field(
        default=Fraction(0),
        description="H_θ: harm to the proposer of the whole arsenal in this type's hands")
    renege_loss: NonNeg = Field(
        default=Fraction(0),
        description="L_θ: what this type loses if the proposer reneges after it has "
        "disarmed (e.g. regime change), besides the withdrawn reversible concessions")
    note: Text | None = None


class Arsenal(Strict):
    values: dict[Id, NonNeg] = Field(description="motive id -> value of the arsenal")
    # -- talks (issue 15, docs/model.md "Talks that teach") --
    saturation: NonNeg | None = Field(
        default=None,
        description="n̄: the stock, in units of today's stock (today = 1, growing by "
        "time.arsenal_growth a round), beyond which more weapons add no value; the "
        "values then stop growing at values·n̄ (default: no saturation)")
    note: Text | None = None

    @field_validator("saturation")
    @classmethod
    def _saturation_at_least_today(cls, n_bar: Fraction | None) -> Fraction | None:
        if n_bar is not None and n_bar < 1:
            raise ValueError(f"saturation is a stock in units of today's (1); it must be "
                             f">= 1, got {n_bar}")
        return n_bar


class Concession(Strict):
    """Something the proposer can give: part of a package or a counter-demand."""

    id: Id
    label: Text = ""
    cost: Num = Field(description="c_j: cost to the proposer")
    values: dict[Id, NonNeg] = Field(default_factory=dict,
                                     description="motive id -> value b_j,m")
    reversible: bool = Field(
        default=False, description="withdrawn if cheating is detected")
    renege_risk: Prob | None = Field(
        default=None,
        description="ρ_j: probability that the proposer reneges on this concession once "
        "the target has disarmed (default: the scenario's bargaining.renege_risk)")
    regime: Id | None = Field(
        default=None,
        description="counter-demands only: the verification regime this counter-demand asks "
        "for instead of the offer's (a lighter one: the target balks at inspections)")
    drops: list[Id] = Field(
        default_factory=list,
        description="counter-demands only: concessions of the offer the target would give "
        "up in exchange")
    note: Text | None = None

    @property
    def balks(self) -> bool:
        """A counter-demand that asks for another verification regime."""
        return self.regime is not None


class Regime(Strict):
    """A verification regime."""

    id: Id
    label: Text = ""
    detection: Prob = Field(description="d_v: probability that cheating is detected")
    intrusiveness: NonNeg = Field(description="ι_v")
    cost: Num = Field(default=Fraction(0), description="k_v: cost to the proposer")
    note: Text | None = None


class Offer(Strict):
    """A named offer: a package of concessions under a verification regime."""

    id: Id
    label: Text = ""
    concessions: list[Id]
    regime: Id
    counter_demands: list[Id] | None = Field(
        default=None,
        description="counter-demands the target may make (default: all of them)")
    final: bool = Field(
        default=False,
        description="declared final: granting a counter-demand anyway costs the proposer "
        "bargaining.finality_cost (an audience cost)")
    breakdown_risk: Prob | None = Field(
        default=None,
        description="π for this offer (default: the scenario's bargaining.breakdown_risk)")
    # -- talks (issue 15, docs/model.md "Talks that teach") --
    freeze: bool = Field(
        default=False,
        description="talks game: accepted before the last round, the deal freezes the "
        "arsenal and the talks go on (a bigger offer may follow)")
    note: Text | None = None


class Cheating(Strict):
    covert_fraction: Prob = Field(description="κ: share of the arsenal kept covertly")
    penalty: NonNeg = Field(description="F: target's loss when cheating is detected")
    note: Text | None = None


class Bargaining(Strict):
    """What a counter-demand costs and how far the proposer's guarantees hold."""

    costly_counters: bool = Field(
        default=False,
        description="true: a counter-demand risks a breakdown and costs a round, and the "
        "proposer grants, stands firm or walks away (docs/model.md); false: the first "
        "model, where asking is free and the proposer grants at once or walks away")
    breakdown_risk: Prob = Field(
        default=Fraction(0),
        description="π: probability that talks break down after a counter-demand")
    finality_cost: NonNeg = Field(
        default=Fraction(0),
        description="audience cost the proposer pays when it grants a counter-demand to an "
        "offer it declared final")
    renege_risk: Prob = Field(
        default=Fraction(0),
        description="ρ: probability that the proposer reneges once the target has disarmed")
    note: Text | None = None


class Fallback(Strict):
    """A policy the proposer falls back on when there is no deal."""

    id: Id
    label: Text = ""
    proposer: dict[Id, Num] = Field(description="type id -> proposer payoff")
    target: dict[Id, Num] = Field(description="type id -> target payoff")
    note: Text | None = None


class Time(Strict):
    rounds: int = Field(ge=0, le=200, description="rounds of talks considered")
    discount: Prob = Field(description="δ per round")
    arsenal_growth: NonNeg = Field(description="g: growth of arsenal values per round")
    harm_growth: NonNeg = Field(description="growth of harms H per round")
    talks_proposer: Num = Field(default=Fraction(0),
                                description="proposer's payoff per round of talks")
    talks_target: Num = Field(default=Fraction(0),
                              description="target's payoff per round of talks")
    note: Text | None = None


# -- talks (issue 15, docs/model.md "Talks that teach") ---------------------------
class Talks(Strict):
    """The multi-round bargaining game: how many rounds, which offers when."""

    horizon: int = Field(ge=1, le=12, description="T: rounds of bargaining (t = 0..T-1)")
    rounds: dict[Id, list[Annotated[int, Field(ge=0, le=11)]]] = Field(
        default_factory=dict,
        description="offer id -> the rounds in which it may be made (offers not listed: "
        "every round)")
    note: Text | None = None


class StakeholderPayoffs(Strict):
    comply: Num = Fraction(0)
    cheat_undetected: Num = Fraction(0)
    cheat_detected: Num = Fraction(0)
    no_deal: Num = Fraction(0)


class Stakeholder(Strict):
    id: Id
    label: Text = ""
    pressure: NonNeg = Field(
        default=Fraction(0),
        description="extra pain this third party adds to the target's status quo")
    payoffs: StakeholderPayoffs = Field(default_factory=StakeholderPayoffs)
    note: Text | None = None


class History(Strict):
    """What actually happened (case library): written after the calibration, which is
    set from sources and never tuned to fit this."""

    calibration: Text = Field(description="how the numbers were set, before the outcome")
    offer_made: Id = Field(description="id of the offer in this file that was made")
    observed_answer: Annotated[str, Field(pattern=r"^(accept|counter|reject)$")]
    counter_demand: Id | None = None
    compliance: Annotated[str, Field(pattern=r"^(complied|cheated|unknown|not-applicable)$")]
    dates: dict[str, str] = Field(default_factory=dict, description="event -> date")
    outcome: Text = Field(description="what happened, in prose, with dates")
    sources: list[Text] = Field(default_factory=list)


class Party(Strict):
    name: Annotated[str, Field(min_length=1, max_length=80)]
    note: Text | None = None


class Scenario(ScenarioView, Strict):  # ScenarioView first: its short repr
    """A whole scenario file."""

    schema_version: int = Field(default=1, ge=1, le=1)
    id: Id
    title: Text
    description: Text = ""
    year: int | None = Field(default=None, ge=1900, le=2200)
    proposer: Party
    target: Party
    motives: list[Motive] = Field(min_length=1, max_length=LIMITS.motives)
    types: list[TargetType] = Field(min_length=1, max_length=LIMITS.types)
    arsenal: Arsenal
    concessions: list[Concession] = Field(default_factory=list,
                               max_length=LIMITS.concessions)
    counter_demands: list[Concession] = Field(default_factory=list,
                                   max_length=LIMITS.counter_demands)
    regimes: list[Regime] = Field(min_length=1, max_length=LIMITS.regimes)
    offers: list[Offer] = Field(min_length=1, max_length=LIMITS.offers)
    cheating: Cheating
    denuclearisation_value: Num = Field(description="D")
    fallbacks: list[Fallback] = Field(min_length=1, max_length=LIMITS.fallbacks)
    time: Time
    bargaining: Bargaining = Field(default_factory=Bargaining)
    talks: Talks | None = None
    stakeholders: list[Stakeholder] = Field(default_factory=list,
                                max_length=LIMITS.stakeholders)
    history: History | None = None
    uncertainty: UncertaintyList = Field(default_factory=list)
    prior_distribution: PriorDistribution | None = None
    annotations: dict[str, Annotation] = Field(
        default_factory=dict,
        description="dotted path of a number -> its source and note (filled by the "
        "loader from {value, source, note} mappings)")

    @model_validator(mode="before")
    @classmethod
    def _unwrap_annotations(cls, data: Any) -> Any:
        """Accept ``{value, source, note}`` for any number; keep source and note."""
        if not isinstance(data, dict):
            return data
        given = data.get("annotations")
        plain, found = unwrap_annotated({k: v for k, v in data.items() if k != "annotations"})
        if not found:
            return data
        merged: dict[str, Any] = dict(found)
        if isinstance(given, dict):
            merged.update(given)
        elif given is not None:
            return data  # let validation report the bad `annotations` field
        plain["annotations"] = merged
        return plain

    @field_validator("types")
    @classmethod
    def _priors_sum_to_one(cls, types: list[TargetType]) -> list[TargetType]:
        total = sum((t.prior for t in types), Fraction(0))
        if total != 1:
            raise ValueError(
                f"priors of the types must sum to 1, they sum to {float(total):g} "
                f"({total})")
        return types

    @model_validator(mode="after")
    def _check_references(self) -> Scenario:
        """Ids unique, every reference known, every fallback complete.

        Raises a ``PydanticCustomError`` of type ``scenario_reference`` whose context
        holds ``path``, the field path of the first problem (``offers[1].regime``),
        so the loader can point at its line.
        """
        problems: list[tuple[str, str]] = []  # (field path, message)

        def unique(kind: str, field: str, ids: list[str]) -> set[str]:
            seen: set[str] = set()
            for n, i in enumerate(ids):
                if i in seen:
                    problems.append((f"{field}[{n}].id", f"duplicate {kind} id {i!r}"))
                seen.add(i)
            return seen

        motives = unique("motive", "motives", [m.id for m in self.motives])
        types = unique("type", "types", [t.id for t in self.types])
        concessions = unique("concession", "concessions", [c.id for c in self.concessions])
        counters = unique("counter-demand", "counter_demands",
                          [c.id for c in self.counter_demands])
        regimes = unique("regime", "regimes", [r.id for r in self.regimes])
        offers = unique("offer", "offers", [o.id for o in self.offers])
        unique("fallback", "fallbacks", [f.id for f in self.fallbacks])
        unique("stakeholder", "stakeholders", [s.id for s in self.stakeholders])
        for n, c in enumerate(self.counter_demands):
            if c.id in concessions:
                problems.append((f"counter_demands[{n}].id",
                                 f"id {c.id!r} used both as concession and counter-demand"))

        def refs(path: str, used: str, known: set[str], kind: str) -> None:
            if used not in known:
                problems.append((path, f"unknown {kind} {used!r} "
                                       f"(known: {', '.join(sorted(known)) or 'none'})"))

        for n, t in enumerate(self.types):
            for m in t.weights:
                refs(f"types[{n}].weights.{m}", m, motives, "motive")
        for m in self.arsenal.values:
            refs(f"arsenal.values.{m}", m, motives, "motive")
        for field, items in (("concessions", self.concessions),
                             ("counter_demands", self.counter_demands)):
            for n, c in enumerate(items):
                for m in c.values:
                    refs(f"{field}[{n}].values.{m}", m, motives, "motive")
        for n, c in enumerate(self.concessions):
            if c.regime is not None or c.drops:
                problems.append((f"concessions[{n}]", f"concession {c.id!r}: only a "
                                 "counter-demand may ask for a regime or drop concessions"))
        for n, c in enumerate(self.counter_demands):
            if c.regime is not None:
                refs(f"counter_demands[{n}].regime", c.regime, regimes, "regime")
            for j, d_id in enumerate(c.drops):
                refs(f"counter_demands[{n}].drops[{j}]", d_id, concessions, "concession")
        for n, o in enumerate(self.offers):
            for j, c_id in enumerate(o.concessions):
                refs(f"offers[{n}].concessions[{j}]", c_id, concessions, "concession")
                if c_id in o.concessions[:j]:
                    problems.append((f"offers[{n}].concessions[{j}]",
                                     f"offer {o.id!r} lists concession {c_id!r} twice"))
            refs(f"offers[{n}].regime", o.regime, regimes, "regime")
            for j, x in enumerate(o.counter_demands or []):
                refs(f"offers[{n}].counter_demands[{j}]", x, counters, "counter-demand")
        for n, f in enumerate(self.fallbacks):
            for side, table in (("proposer", f.proposer), ("target", f.target)):
                for t_id in table:
                    refs(f"fallbacks[{n}].{side}.{t_id}", t_id, types, "type")
                missing = types - set(table)
                if missing:
                    problems.append((f"fallbacks[{n}].{side}",
                                     f"fallback {f.id!r} has no {side} payoff for type(s) "
                                     f"{', '.join(sorted(missing))}"))
        if self.history is not None:
            refs("history.offer_made", self.history.offer_made, offers, "offer")
            if self.history.counter_demand is not None:
                refs("history.counter_demand", self.history.counter_demand, counters,
                     "counter-demand")
        if problems:
            path, first = problems[0]
            more = len(problems) - 1
            message = first if not more else (
                f"{first} (and {more} more: " + "; ".join(m for _, m in problems[1:4])
                + ("; ..." if more > 3 else "") + ")")
            raise PydanticCustomError(
                "scenario_reference", "{problem}",
                {"problem": message, "path": path, "paths": [p for p, _ in problems]})
        return self

    @model_validator(mode="after")
    def _check_talks(self) -> Scenario:
        """``talks.rounds`` names offers of this file and rounds below the horizon
        (a ``scenario_reference`` error with the field path, like the check above)."""
        if self.talks is None:
            return self
        offers = {o.id for o in self.offers}
        for offer_id, rounds in self.talks.rounds.items():
            path = f"talks.rounds.{offer_id}"
            if offer_id not in offers:
                message = (f"unknown offer {offer_id!r} "
                           f"(known: {', '.join(sorted(offers))})")
            elif any(r >= self.talks.horizon for r in rounds):
                message = (f"offer {offer_id!r}: rounds must be below the horizon "
                           f"{self.talks.horizon}, got {rounds}")
            else:
                continue
            raise PydanticCustomError("scenario_reference", "{problem}",
                                      {"problem": message, "path": path, "paths": [path]})
        return self

    # -- lookups used by the layers above -----------------------------------
    def type_ids(self) -> list[str]:
        return [t.id for t in self.types]

    def offer(self, offer_id: str) -> Offer:
        return _by_id(self.offers, offer_id, self.id, "offer")

    def concession(self, concession_id: str) -> Concession:
        return _by_id([*self.concessions, *self.counter_demands], concession_id, self.id,
                      "concession or counter-demand")

    def regime(self, regime_id: str) -> Regime:
        return _by_id(self.regimes, regime_id, self.id, "regime")

    def target_type(self, type_id: str) -> TargetType:
        return _by_id(self.types, type_id, self.id, "type")

    def fallback(self, fallback_id: str) -> Fallback:
        return _by_id(self.fallbacks, fallback_id, self.id, "fallback")


_Item = TypeVar("_Item", Offer, Concession, Regime, TargetType, Fallback)


def _by_id(items: list[_Item], item_id: str, scenario_id: str, kind: str) -> _Item:
    """The item with id ``item_id``; ``KeyError`` naming the ids there are."""
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(
        f"scenario {scenario_id!r} has no {kind} {item_id!r} "
        f"(known: {', '.join(i.id for i in items)})")
