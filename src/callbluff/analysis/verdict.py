"""The verdict: is the bargain a test, is it worth offering, and how robust is it?

For every offer of a scenario the game of docs/model.md is solved exactly (all
perfect Bayesian equilibria, :func:`callbluff.solve.solve`) and every equilibrium
is read in scenario terms (:mod:`callbluff.analysis.reading`).  Thresholds are the
exact points where the verdict flips (:mod:`callbluff.analysis.thresholds`); the
cheapest separating package is a mixed-integer program
(:mod:`callbluff.analysis.packages`); all-in now against more talks uses
:mod:`callbluff.analysis.policies`.

Selection among equilibria: never one alone.  When equilibria disagree the verdict
says so and shows the proposer-best and proposer-worst equilibrium; the
conservative readings (is it worth offering?) use the proposer-worst one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from pydantic import BaseModel

from callbluff.analysis.packages import PackageDesign, cheapest_separating_package
from callbluff.analysis.policies import PolicyComparison, RoundValue, compare_policies, grow
from callbluff.analysis.reading import EquilibriumReading, read_equilibrium
from callbluff.analysis.thresholds import Flip, find_flips, get_number, with_number, with_prior
from callbluff.display import AnalysisView, OfferView
from callbluff.game import bargain
from callbluff.game.payoffs import best_fallback, prior
from callbluff.game.tree import Game
from callbluff.scenario.schema import Scenario
from callbluff.solve import solve

MAIN_OFFER_IDS = ("all-in", "comprehensive")
NO_OFFER = "no offer (status quo)"


@dataclass(frozen=True, repr=False)  # the short repr of OfferView
class OfferAnalysis(OfferView):
    """All equilibria of one offer, read in scenario terms."""

    offer_id: str
    label: str
    regime: str
    game: Game
    method: str
    equilibria: tuple[EquilibriumReading, ...]
    complete: bool = True  # False: the solver's list may miss outcomes (incomplete_reasons)
    incomplete_reasons: tuple[str, ...] = ()

    @property
    def proposer_best(self) -> EquilibriumReading:
        return max(self.equilibria, key=lambda e: e.proposer_value)

    @property
    def proposer_worst(self) -> EquilibriumReading:
        return min(self.equilibria, key=lambda e: e.proposer_value)

    @property
    def separates_always(self) -> bool:
        return all(e.separates for e in self.equilibria)

    @property
    def separates_sometimes(self) -> bool:
        return any(e.separates for e in self.equilibria)

    @property
    def equilibria_disagree(self) -> bool:
        first = self.equilibria[0]
        return any(
            e.target_strategy != first.target_strategy or e.proposer_value != first.proposer_value
            for e in self.equilibria[1:]
        )

    def cheaters(self, scenario: Scenario) -> list[str]:
        """Ulterior types that accept and cheat with positive probability in some
        equilibrium."""
        ulterior = [t.id for t in scenario.types if not t.security_only and t.prior > 0]
        return [t for t in ulterior
                if any(e.target_strategy[t].accept_cheat > 0 for e in self.equilibria)]


@dataclass(frozen=True)
class Thresholds:
    """Exact breakpoints of the main offer's verdict (``None``: no such point in range)."""

    detection: Fraction | None
    detection_reading: str
    max_package_cost: Fraction | None
    package_cost_now: Fraction
    package_cost_reading: str
    security_prior_ranges: tuple[tuple[Fraction, Fraction], ...]
    security_prior_reading: str
    custom: Mapping[str, tuple[Flip, ...]] = field(default_factory=dict)


@dataclass(frozen=True, repr=False)  # the short repr of AnalysisView
class ScenarioAnalysis(AnalysisView):
    """The whole answer for a scenario."""

    scenario: Scenario
    main_offer: str
    offers: tuple[OfferAnalysis, ...]
    status_quo_value: Fraction
    status_quo_fallback: str
    best_offer: Mapping[str, str]  # selection rule -> offer id or NO_OFFER
    thresholds: Thresholds | None
    cheapest_package: PackageDesign | None
    policies: PolicyComparison | None
    verdict: tuple[str, ...]

    def offer(self, offer_id: str) -> OfferAnalysis:
        return next(o for o in self.offers if o.offer_id == offer_id)


def main_offer_id(scenario: Scenario) -> str:
    """The comprehensive offer (id ``all-in`` or ``comprehensive``), else the first."""
    ids = [o.id for o in scenario.offers]
    return next((i for i in MAIN_OFFER_IDS if i in ids), ids[0])


def analyze_offer(scenario: Scenario, offer_id: str) -> OfferAnalysis:
    offer = scenario.offer(offer_id)
    game = bargain.compile_offer(scenario, offer_id)
    result = solve(game)
    if not result.equilibria:
        raise RuntimeError(f"offer {offer_id!r}: the solver found no equilibrium")
    readings = tuple(read_equilibrium(scenario, offer_id, game, eq) for eq in result.equilibria)
    return OfferAnalysis(offer_id=offer.id, label=offer.label or offer.id, regime=offer.regime,
                         game=game, method=result.method, equilibria=readings,
                         complete=result.complete, incomplete_reasons=result.incomplete_reasons)


def status_quo(scenario: Scenario) -> tuple[Fraction, str]:
    """The proposer's value of making no offer: its best fallback against the prior,
    with no deal (``−H_θ + f_P(θ)`` in expectation)."""
    p = prior(scenario)
    f_id = best_fallback(scenario, p)
    f = scenario.fallback(f_id)
    value = sum((t.prior * (-t.arsenal_harm + f.proposer[t.id]) for t in scenario.types),
                Fraction(0))
    return value, f_id


def best_offers(scenario: Scenario, offers: Sequence[OfferAnalysis]) -> dict[str, str]:
    """The proposer's best choice of offer under each selection rule (ties: no offer,
    then scenario order)."""
    sq, _ = status_quo(scenario)
    choice: dict[str, str] = {}
    def best(o: OfferAnalysis) -> Fraction:
        return o.proposer_best.proposer_value

    def worst(o: OfferAnalysis) -> Fraction:
        return o.proposer_worst.proposer_value

    rules: tuple[tuple[str, Callable[[OfferAnalysis], Fraction]], ...] = (
        ("proposer-best", best), ("proposer-worst", worst))
    for rule, pick in rules:
        best_id, best_value = NO_OFFER, sq
        for o in offers:
            if pick(o) > best_value:
                best_id, best_value = o.offer_id, pick(o)
        choice[rule] = best_id
    return choice


def analyze(
    scenario: Scenario,
    *,
    thresholds: bool = True,
    custom_paths: Sequence[str] = (),
    policies: bool = True,
    package: bool = True,
) -> ScenarioAnalysis:
    """Everything ``callbluff analyze`` reports, computed (never looked up)."""
    offers = tuple(analyze_offer(scenario, o.id) for o in scenario.offers)
    main = main_offer_id(scenario)
    sq_value, sq_fallback = status_quo(scenario)
    best = best_offers(scenario, offers)
    found_thresholds = (
        compute_thresholds(scenario, main, custom_paths) if thresholds else None
    )
    design = cheapest_separating_package(scenario) if package else None
    comparison = compare_all_in_over_time(scenario, main) if policies else None
    analysis = ScenarioAnalysis(
        scenario=scenario, main_offer=main, offers=offers, status_quo_value=sq_value,
        status_quo_fallback=sq_fallback, best_offer=best, thresholds=found_thresholds,
        cheapest_package=design, policies=comparison, verdict=(),
    )
    return replace(analysis, verdict=plain_verdict(analysis))


# -- thresholds -----------------------------------------------------------------

_OFFER_CACHE: dict[tuple[Hashable, str], OfferAnalysis] = {}
_CACHE_LIMIT = 4096


def _analyze_fast(scenario: Scenario, offer_id: str) -> OfferAnalysis:
    """:func:`analyze_offer`, remembered: threshold searches revisit the same variant."""
    key = (_fingerprint(scenario), offer_id)
    found = _OFFER_CACHE.get(key)
    if found is None:
        found = analyze_offer(scenario, offer_id)
        if len(_OFFER_CACHE) >= _CACHE_LIMIT:
            _OFFER_CACHE.clear()
        _OFFER_CACHE[key] = found
    return found


def _fingerprint(value: object) -> Hashable:
    """An exact, hashable image of a scenario (Fractions stay Fractions)."""
    if isinstance(value, BaseModel):
        return (type(value).__name__,
                tuple((name, _fingerprint(getattr(value, name)))
                      for name in type(value).model_fields))
    if isinstance(value, dict):
        return tuple(sorted((str(k), _fingerprint(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_fingerprint(v) for v in value)
    assert isinstance(value, Hashable)
    return value


def compute_thresholds(
    scenario: Scenario, offer_id: str, custom_paths: Sequence[str] = ()
) -> Thresholds:
    offer = scenario.offer(offer_id)
    detection, detection_reading = detection_threshold(scenario, offer_id)
    cost_now = sum((scenario.concession(c).cost for c in offer.concessions), Fraction(0))
    max_cost, cost_reading = _package_cost_threshold(scenario, offer_id, cost_now)
    ranges, prior_reading = _security_prior_ranges(scenario, offer_id)
    custom = {path: tuple(verdict_flips(scenario, path)) for path in custom_paths}
    return Thresholds(detection=detection, detection_reading=detection_reading,
                      max_package_cost=max_cost, package_cost_now=cost_now,
                      package_cost_reading=cost_reading, security_prior_ranges=ranges,
                      security_prior_reading=prior_reading, custom=custom)


def detection_threshold(scenario: Scenario, offer_id: str) -> tuple[Fraction | None, str]:
    path = f"regimes[{scenario.offer(offer_id).regime}].detection"

    def someone_cheats(d: Fraction) -> Hashable:
        variant = with_number(scenario, path, d)
        return bool(_analyze_fast(variant, offer_id).cheaters(variant))

    if someone_cheats(Fraction(1)):
        return None, ("even certain detection does not stop every ulterior type from "
                      "accepting and cheating")
    flips = find_flips(someone_cheats, Fraction(0), Fraction(1))
    if not flips:
        return Fraction(0), "no ulterior type accepts and cheats at any detection probability"
    at = flips[-1].at
    return at, (f"no ulterior type accepts and cheats once inspections detect cheating with "
                f"probability above {float(at):.6f}")


def _package_cost_threshold(
    scenario: Scenario, offer_id: str, cost_now: Fraction
) -> tuple[Fraction | None, str]:
    offer = scenario.offer(offer_id)
    ids = set(offer.concessions)
    if not ids:
        return None, "the offer has no concessions: its cost cannot move"

    def with_cost(total: Fraction) -> Scenario:
        # The package's concessions cost `total` together (in their current proportions);
        # every offer that contains them pays the new price.
        def cost_of(c_cost: Fraction) -> Fraction:
            return c_cost * total / cost_now if cost_now > 0 else total / len(ids)
        concessions = [c.model_copy(update={"cost": cost_of(c.cost)}) if c.id in ids else c
                       for c in scenario.concessions]
        return scenario.model_copy(update={"concessions": concessions})

    def beats(total: Fraction) -> Hashable:
        return _is_best_offer(with_cost(total), offer_id)

    scale = abs(scenario.denuclearisation_value) + max(t.arsenal_harm for t in scenario.types)
    scale += max(abs(v) for f in scenario.fallbacks for v in f.proposer.values())
    hi = 4 * (scale + cost_now + 1)
    if not beats(Fraction(0)):
        return None, ("offering it is not the proposer's best policy even if the package "
                      "were free")
    flips = find_flips(beats, Fraction(0), hi, grid=16)
    if not flips:
        return None, "offering beats every alternative at any package cost in range"
    at = flips[0].at
    return at, (f"offering it is the proposer's best policy while the package costs at most "
                f"{float(at):.6f} (it costs {float(cost_now):.6f} now)")


def _is_best_offer(scenario: Scenario, offer_id: str) -> bool:
    """Is ``offer_id`` the proposer's choice under worst-equilibrium selection?  Same
    rule as :func:`best_offers` (the status quo wins ties, then scenario order), but
    solving the other offers only as far as needed."""
    value = _analyze_fast(scenario, offer_id).proposer_worst.proposer_value
    if value <= status_quo(scenario)[0]:
        return False
    ids = [o.id for o in scenario.offers]
    position = ids.index(offer_id)
    for i, other in enumerate(ids):
        if other == offer_id:
            continue
        other_value = _analyze_fast(scenario, other).proposer_worst.proposer_value
        if other_value > value or (other_value == value and i < position):
            return False
    return True


def _security_prior_ranges(
    scenario: Scenario, offer_id: str
) -> tuple[tuple[tuple[Fraction, Fraction], ...], str]:
    security = {t.id for t in scenario.types if t.security_only}
    if not security or len(security) == len(scenario.types):
        return (), "needs both security-only and ulterior types"

    def all_in_is_best(p: Fraction) -> Hashable:
        # Going all in against not going all in (no offer, the status quo), with the
        # conservative worst-equilibrium selection.
        variant = with_prior(scenario, security, p)
        value = _analyze_fast(variant, offer_id).proposer_worst.proposer_value
        return value > status_quo(variant)[0]

    flips = find_flips(all_in_is_best, Fraction(0), Fraction(1))
    edges = [Fraction(0), *(f.at for f in flips), Fraction(1)]
    ranges = []
    for lo, hi in itertools.pairwise(edges):
        if all_in_is_best((lo + hi) / 2):
            ranges.append((lo, hi))
    if not ranges:
        return (), f"going all in with {offer_id!r} never beats the status quo"
    text = ", ".join(f"[{float(lo):.6f}, {float(hi):.6f}]" for lo, hi in ranges)
    return tuple(ranges), (f"going all in with {offer_id!r} beats the status quo (even in its "
                           f"worst equilibrium) when the prior on security-only types is in "
                           f"{text}")


def headline(scenario: Scenario) -> Hashable:
    """The verdict as a value: does the main offer separate in every equilibrium, and
    is it the proposer's best policy (worst-equilibrium selection)?"""
    main = main_offer_id(scenario)
    return (
        "separates" if _analyze_fast(scenario, main).separates_always else "does not separate",
        "best policy" if _is_best_offer(scenario, main) else "not the best policy",
    )


def verdict_flips(
    scenario: Scenario, path: str, lo: Fraction | None = None, hi: Fraction | None = None,
    verdict: Callable[[Scenario], Hashable] = headline,
) -> list[Flip]:
    """Where the headline verdict flips as the number at ``path`` moves.

    Default range: [0, 1] for probabilities and priors, else [0, 2·value] (or
    [2·value, 0] for a negative number, [-1, 1] for zero)."""
    current = get_number(scenario, path)
    if lo is None or hi is None:
        lo, hi = default_range(path, current)
    return find_flips(lambda x: verdict(with_number(scenario, path, x)), lo, hi)


def default_range(path: str, current: Fraction) -> tuple[Fraction, Fraction]:
    """The range :func:`verdict_flips` searches by default (see there)."""
    leaf = path.rsplit(".", 1)[-1]
    if leaf in {"prior", "detection", "covert_fraction", "discount"}:
        return Fraction(0), Fraction(1)
    if current > 0:
        return Fraction(0), 2 * current
    if current < 0:
        return 2 * current, Fraction(0)
    return Fraction(-1), Fraction(1)


# -- all in now or more talks ------------------------------------------------------

def compare_all_in_over_time(scenario: Scenario, offer_id: str) -> PolicyComparison:
    def value_at_round(t: int) -> RoundValue:
        analysis = _analyze_fast(grow(scenario, t), offer_id)
        worst = analysis.proposer_worst
        return RoundValue(proposer=worst.proposer_value, target=dict(worst.target_values),
                          separates=analysis.separates_always)

    return compare_policies(scenario, value_at_round)


# -- words -----------------------------------------------------------------------------

def _ulterior_accepting(s: Scenario, e: EquilibriumReading) -> list[str]:
    return [t.id for t in s.types if not t.security_only and t.prior > 0
            and e.target_strategy[t.id].accept_comply + e.target_strategy[t.id].accept_cheat > 0]


def _pct(x: Fraction) -> str:
    return f"{100 * float(x):.0f}%"


def plain_verdict(a: ScenarioAnalysis) -> tuple[str, ...]:
    """A policy reader's verdict, every clause computed from the analysis."""
    s = a.scenario
    main = a.offer(a.main_offer)
    lines: list[str] = []
    security = [t for t in s.types if t.security_only]
    target = s.target.name
    name = f"'{main.offer_id}' offer ({main.label})"
    cheaters = main.cheaters(s)
    poolers = sorted({t for e in main.equilibria for t in _ulterior_accepting(s, e)})
    live_secure = [t.id for t in s.types if t.security_only and t.prior > 0]
    live_ulterior = [t.id for t in s.types if not t.security_only and t.prior > 0]
    if not live_secure or not live_ulterior:
        # Separation needs both kinds with positive prior (docs/model.md); saying "not
        # a test" here would read as a failure of the offer rather than of the question.
        kind, ids = (("security-only", live_secure) if live_secure
                     else ("with ulterior motives", live_ulterior))
        lines.append(
            f"Whether the {name} is a test is undefined here: every {target} type with "
            f"positive prior is {kind} ({', '.join(ids)}), so there is nothing to separate.")
    elif main.separates_always:
        secure_names = ", ".join(t.id for t in security) or "(none)"
        lines.append(
            f"The {name} is a real test: in every equilibrium ({len(main.equilibria)} found) "
            f"no answer is given both by a security-only {target} ({secure_names}) and by "
            "one with ulterior motives.")
    elif main.separates_sometimes:
        lines.append(
            f"The {name} is a test only in some equilibria: "
            f"{sum(e.separates for e in main.equilibria)} of {len(main.equilibria)} separate "
            "the security-only types from the rest; which one is played decides.")
    elif not cheaters and poolers:
        lines.append(
            f"The {name} does not separate the motives, but it still works: types with "
            f"ulterior motives that accept ({', '.join(poolers)}) also comply, so an "
            "acceptance means verified denuclearisation — it just does not reveal the motive.")
    else:
        lines.append(
            f"The {name} is NOT a test: in no equilibrium do the answers separate the "
            "security-only types from those with ulterior motives.")
    if cheaters:
        lines.append(
            f"Types that can accept and cheat: {', '.join(cheaters)} — inspections under "
            f"{main.regime!r} (detection {float(s.regime(main.regime).detection):.2f}) are "
            "too weak to deter them.")
    worst = main.proposer_worst
    accept_post = worst.posteriors.get(bargain.ACCEPT)
    if accept_post is not None and security:
        mass = sum((accept_post[t.id] for t in security), Fraction(0))
        prior_mass = sum((t.prior for t in security), Fraction(0))
        lines.append(
            f"After an acceptance the proposer should believe the {target} is security-only "
            f"with probability {_pct(mass)} (prior {_pct(prior_mass)}).")
    if a.thresholds is not None:
        lines.append(a.thresholds.detection_reading[0].upper() + a.thresholds.detection_reading[1:]
                     + ".")
    best_worst = a.best_offer["proposer-worst"]
    if best_worst == a.main_offer:
        lines.append(
            f"Worth offering: even in its worst equilibrium the '{main.offer_id}' offer gives the "
            f"proposer {float(worst.proposer_value):.2f}, more than the status quo "
            f"({float(a.status_quo_value):.2f}) and every other offer.")
    else:
        lines.append(
            f"Best choice for the proposer (worst-equilibrium selection): {best_worst}; "
            f"the '{main.offer_id}' offer yields {float(worst.proposer_value):.2f} against "
            f"{float(a.status_quo_value):.2f} for the status quo.")
    if a.best_offer["proposer-best"] != best_worst:
        lines.append(
            f"Under the proposer-best selection the choice would be "
            f"{a.best_offer['proposer-best']}: the equilibria disagree.")
    if a.policies is not None:
        p = a.policies
        window = ("never separates" if p.window is None
                  else f"still separates up to round {p.window}")
        lines.append(
            f"Timing: best policy is '{p.best.policy}'"
            + (f" after {p.best.rounds_of_talks} rounds" if p.best.rounds_of_talks else "")
            + f"; the bargain {window} as the arsenal grows.")
    return tuple(lines)
