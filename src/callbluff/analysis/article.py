"""The article's test, computed: does every answer but "yes" reveal ulterior motives?

Carpenter (2009) [carpenter2009]: a regime that wants the bomb only for security
"should accept"; if it "demands other concessions or balks at the requirement for
inspections", there are ulterior motives, and that inference is "indisputable".
In the model (docs/model.md, "The article's test") the inference is a property of
the set of equilibria of the main offer:

* **posteriors** per equilibrium: P(security-only | accept), P(ulterior |
  counter-demand), P(ulterior | balk), P(ulterior | reject) — Bayes' rule on the
  first answer (``None`` where that answer is never given);
* **indisputable**: no security-only type of positive prior gives a refusing answer
  (counter-demand, balk, reject) with positive probability in any equilibrium;
* **margins**: by how many utility points each type's chosen answer beats its best
  alternative, given what the proposer does in the equilibrium (the smallest over
  equilibria);
* **thresholds**: where "indisputable" holds as detection, breakdown risk π and
  renege risk ρ move one at a time (exact breakpoints, :mod:`.thresholds`); each
  type's π* = (C − U)/(C − R) read from the game; the security-only type's
  credibility threshold and the band of ρ where equilibria disagree about it, both
  by the solver and by the closed form (U − R_f)/(U − W) per fallback f;
* **finality**: whether an offer declared final stays final (the proposer never
  grants a counter-demand in any equilibrium).

References: Fearon (1995) and Powell (2006) on commitment and credibility;
Binmore, Rubinstein & Wolinsky (1986) on breakdown risk (docs/sources.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from callbluff.analysis.offers import OfferAnalysis, analyze_offer_cached
from callbluff.analysis.reading import (
    EquilibriumReading,
    TypeStrategy,
    by_infoset_id,
    explain_types,
)
from callbluff.analysis.thresholds import find_flips, offer_breakpoints, with_number
from callbluff.game import bargain
from callbluff.game.payoffs import outcome_payoffs, renege_risk
from callbluff.scenario.schema import Scenario
from callbluff.solve.verify import node_values

#: The first answers a reader distinguishes, in the article's words.
ACCEPT, COUNTER, BALK, REJECT = "accept", "counter-demand", "balk", "reject"
Interval = tuple[Fraction, Fraction]


@dataclass(frozen=True)
class AnswerPosteriors:
    """What the proposer should believe after each first answer, in one equilibrium
    (``None``: the answer is never given there)."""

    security_given_accept: Fraction | None
    ulterior_given_counter: Fraction | None
    ulterior_given_balk: Fraction | None
    ulterior_given_reject: Fraction | None


@dataclass(frozen=True)
class Margin:
    """Type ``type_id`` prefers ``chosen`` to ``runner_up`` by ``points`` utility
    points (the smallest such margin over the equilibria; 0: it is indifferent)."""

    type_id: str
    chosen: str
    runner_up: str
    points: Fraction


@dataclass(frozen=True)
class BreakdownThresholds:
    """Costly counter-demands: ``pi_star[θ][x] = (C − U)/(C − R)`` (``None`` where
    ``C = R``), with C the type's value if counter-demand x is granted, U of accepting
    now and R of a breakdown, read from the proposer-worst equilibrium; type θ
    accepts outright rather than ask for x iff π ≥ π*.  ``demands_more_reveals``:
    the values of π in [0, 1] for which no security-only type asks for more (balks
    aside) in any equilibrium."""

    breakdown_risk: Fraction
    pi_star: Mapping[str, Mapping[str, Fraction | None]]
    demands_more_reveals: tuple[Interval, ...]


@dataclass(frozen=True)
class CredibilityThreshold:
    """Guarantees that may not hold.  ``threshold``: the largest renege risk ρ up to
    which every security-only type accepts and complies in every equilibrium
    (``None``: not even at ρ = 0); ``band``: the values of ρ where some equilibria
    have it accept and comply and others not (it refuses, or accepts and cheats to
    keep a covert deterrent); ``closed_form[f] = (U − R_f)/(U − W)`` for the first security-only
    type, U its value of complying, W of complying and being reneged on, R_f of no
    deal under fallback f (docs/model.md)."""

    renege_risk: Fraction
    threshold: Fraction | None
    band: Interval | None
    closed_form: Mapping[str, Fraction | None]


@dataclass(frozen=True)
class ArticleTest:
    """The article's inference for one offer, in every equilibrium."""

    offer_id: str
    posteriors: tuple[AnswerPosteriors, ...]
    indisputable: bool | None
    security_refusals: Mapping[str, Fraction]
    margins: tuple[Margin, ...]
    holds_for_detection: tuple[Interval, ...] | None  # None: not computed
    holds_for_breakdown_risk: tuple[Interval, ...] | None  # None: not computed, or no
    holds_for_renege_risk: tuple[Interval, ...] | None  # counter-demand heard
    breakdown: BreakdownThresholds | None
    credibility: CredibilityThreshold | None
    finality_credible: Mapping[str, bool] | None


def answer_class(scenario: Scenario, answer: str) -> str:
    """The article's name of a first answer (an action of the target's first move)."""
    if answer == bargain.ACCEPT:
        return ACCEPT
    if answer == bargain.REJECT:
        return REJECT
    counter = answer.removeprefix(bargain.COUNTER_PREFIX)
    return BALK if scenario.concession(counter).balks else COUNTER


def answer_words(scenario: Scenario, answer: str) -> str:
    """A first answer in plain words: "accept", "ask for <label>", "balk (<label>)"."""
    kind = answer_class(scenario, answer)
    if kind in (ACCEPT, REJECT):
        return kind
    c = scenario.concession(answer.removeprefix(bargain.COUNTER_PREFIX))
    label = c.label or c.id
    return f"balk at inspections ({label})" if kind == BALK else f"ask for {label}"


def _class_probability(st: TypeStrategy, kind: str) -> Fraction:
    return {ACCEPT: st.accept_comply + st.accept_cheat, COUNTER: st.counter,
            BALK: st.balk, REJECT: st.reject}[kind]


def posteriors(scenario: Scenario, e: EquilibriumReading) -> AnswerPosteriors:
    """Bayes' rule on the first answer, by answer class."""
    def share(kind: str, security: bool) -> Fraction | None:
        total = sum((t.prior * _class_probability(e.target_strategy[t.id], kind)
                     for t in scenario.types), Fraction(0))
        if total == 0:
            return None
        part = sum((t.prior * _class_probability(e.target_strategy[t.id], kind)
                    for t in scenario.types if t.security_only == security), Fraction(0))
        return part / total

    return AnswerPosteriors(share(ACCEPT, True), share(COUNTER, False), share(BALK, False),
                            share(REJECT, False))


def _live(scenario: Scenario) -> tuple[list[str], list[str]]:
    secure = [t.id for t in scenario.types if t.security_only and t.prior > 0]
    ulterior = [t.id for t in scenario.types if not t.security_only and t.prior > 0]
    return secure, ulterior


def security_refusals(scenario: Scenario, offer: OfferAnalysis) -> dict[str, Fraction]:
    """The largest probability, over equilibria and security-only types of positive
    prior, of each refusing answer class."""
    secure, _ = _live(scenario)
    return {kind: max((_class_probability(e.target_strategy[t], kind)
                       for e in offer.equilibria for t in secure), default=Fraction(0))
            for kind in (COUNTER, BALK, REJECT)}


def indisputable(scenario: Scenario, offer: OfferAnalysis) -> bool | None:
    """No security-only type refuses in any equilibrium (``None``: undefined, for lack
    of a security-only or of an ulterior type with positive prior)."""
    secure, ulterior = _live(scenario)
    if not secure or not ulterior:
        return None
    return all(p == 0 for p in security_refusals(scenario, offer).values())


def margins(scenario: Scenario, offer: OfferAnalysis) -> tuple[Margin, ...]:
    """Each type's smallest winning margin over the equilibria (first answers)."""
    smallest: dict[str, Margin] = {}
    for e in offer.equilibria:
        for x in explain_types(offer.game, e.equilibrium):
            ranked = sorted(x.answer_values.items(), key=lambda kv: -kv[1])
            chosen = ranked[0][0]
            others = [(a, v) for a, v in ranked if a not in x.chosen]
            if not others:
                continue
            runner, value = others[0]
            m = Margin(x.type_id, answer_words(scenario, chosen),
                       answer_words(scenario, runner), ranked[0][1] - value)
            if x.type_id not in smallest or m.points < smallest[x.type_id].points:
                smallest[x.type_id] = m
    return tuple(smallest[t.id] for t in scenario.types if t.id in smallest)


def _intervals(holds: Callable[[Fraction], Hashable],
               breakpoints: Sequence[Fraction] | None) -> tuple[Interval, ...]:
    """The parts of [0, 1] where ``holds`` is True, between its exact flips."""
    flips = find_flips(holds, Fraction(0), Fraction(1), breakpoints=breakpoints)
    edges = [Fraction(0), *(f.at for f in flips), Fraction(1)]
    out: list[Interval] = []
    for lo, hi in itertools.pairwise(edges):
        if holds((lo + hi) / 2):
            if out and out[-1][1] == lo:
                out[-1] = (out[-1][0], hi)
            else:
                out.append((lo, hi))
    return tuple(out)


def _along(scenario: Scenario, offer_id: str, path: str,
           judge: Callable[[Scenario, OfferAnalysis], bool]) -> Callable[[Fraction], Hashable]:
    """``x ↦ judge`` of the offer solved with the number at ``path`` set to ``x``."""
    def at(x: Fraction) -> Hashable:
        variant = with_number(scenario, path, x)
        return judge(variant, analyze_offer_cached(variant, offer_id))

    return at


def _holds_along(scenario: Scenario, offer_id: str, path: str) -> tuple[Interval, ...]:
    return _intervals(_along(scenario, offer_id, path,
                             lambda s, o: bool(indisputable(s, o))),
                      offer_breakpoints(scenario, offer_id, path))


def breakdown_path(scenario: Scenario, offer_id: str) -> str:
    """The input that sets π for this offer."""
    if scenario.offer(offer_id).breakdown_risk is not None:
        return f"offers[{offer_id}].breakdown_risk"
    return "bargaining.breakdown_risk"


def breakdown_thresholds(scenario: Scenario, offer_id: str) -> BreakdownThresholds | None:
    """π* per type and counter-demand, and where asking for more reveals ulterior
    motives (``None``: the offer hears no counter-demand, or asking is free)."""
    counters = bargain.offer_counter_demands(scenario, offer_id)
    if not counters or not scenario.bargaining.costly_counters:
        return None
    offer = analyze_offer_cached(scenario, offer_id)
    game = offer.game
    values = node_values(game, by_infoset_id(game, offer.proposer_worst.equilibrium.behaviour))
    pi_star: dict[str, dict[str, Fraction | None]] = {}
    for type_id, child in zip(game.root.chance_actions, game.root.children, strict=True):
        node = game.nodes[child]
        actions = game.infosets[node.infoset].actions if node.infoset is not None else []
        by_action = dict(zip(actions, node.children, strict=True))
        accept_now = values[by_action[bargain.ACCEPT]][bargain.TARGET]
        pi_star[type_id] = {}
        for x in counters:
            talks = game.nodes[by_action[bargain.counter_action(x)]]
            broke, going_on = talks.children  # chance: breakdown, talks go on
            reply = game.nodes[going_on]
            grant = reply.children[game.infosets[reply.infoset].actions.index(bargain.GRANT)] \
                if reply.infoset is not None else going_on
            c_value = values[grant][bargain.TARGET]
            r_value = values[broke][bargain.TARGET]
            pi_star[type_id][x] = (None if c_value == r_value
                                   else (c_value - accept_now) / (c_value - r_value))
    secure, _ = _live(scenario)
    path = breakdown_path(scenario, offer_id)
    nobody_secure_asks = _along(
        scenario, offer_id, path,
        lambda _, o: all(e.target_strategy[t].counter == 0
                         for e in o.equilibria for t in secure))
    return BreakdownThresholds(
        breakdown_risk=bargain.breakdown_risk(scenario, offer_id), pi_star=pi_star,
        demands_more_reveals=_intervals(nobody_secure_asks,
                                        offer_breakpoints(scenario, offer_id, path)))


def credibility_threshold(scenario: Scenario, offer_id: str) -> CredibilityThreshold | None:
    """Where the security-only types stop accepting as the renege risk ρ grows, by the
    exact solver and by the closed form (``None`` without a security-only type)."""
    secure, _ = _live(scenario)
    if not secure:
        return None
    offer = scenario.offer(offer_id)

    def complies(o: OfferAnalysis) -> set[bool]:
        return {e.target_strategy[t].accept_comply == 1 for e in o.equilibria for t in secure}

    path = "bargaining.renege_risk"
    candidates = offer_breakpoints(scenario, offer_id, path)
    always = _intervals(_along(scenario, offer_id, path, lambda _, o: complies(o) == {True}),
                        candidates)
    depends = _intervals(_along(scenario, offer_id, path, lambda _, o: len(complies(o)) == 2),
                         candidates)
    threshold = always[0][1] if always and always[0][0] == 0 else None
    band = (depends[0][0], depends[-1][1]) if depends else None
    theta = secure[0]
    closed: dict[str, Fraction | None] = {}
    rho_now = renege_risk(scenario, offer.concessions)
    for f in scenario.fallbacks:
        pay = outcome_payoffs(scenario, theta, offer.concessions, offer.regime, f.id)
        u, w, r = pay.comply[0], pay.comply_reneged[0], pay.no_deal[0]
        closed[f.id] = None if u == w else (u - r) / (u - w)
    return CredibilityThreshold(renege_risk=rho_now, threshold=threshold, band=band,
                                closed_form=closed)


def finality_credible(scenario: Scenario, offer: OfferAnalysis) -> dict[str, bool] | None:
    """For an offer declared final: per counter-demand, does the proposer never grant
    it in any equilibrium?"""
    if not scenario.offer(offer.offer_id).final:
        return None
    counters = bargain.offer_counter_demands(scenario, offer.offer_id)
    return {x: all(e.proposer_strategy.after_counter[x].get(bargain.GRANT, Fraction(0)) == 0
                   for e in offer.equilibria) for x in counters}


def article_test(scenario: Scenario, offer_id: str, *, thresholds: bool = True) -> ArticleTest:
    """The article's inference for ``offer_id``; ``thresholds=False`` skips the scans
    (each solves the offer's game a few dozen times)."""
    offer = analyze_offer_cached(scenario, offer_id)
    has_counters = (bool(bargain.offer_counter_demands(scenario, offer_id))
                    and scenario.bargaining.costly_counters)
    regime = scenario.offer(offer_id).regime
    return ArticleTest(
        offer_id=offer_id,
        posteriors=tuple(posteriors(scenario, e) for e in offer.equilibria),
        indisputable=indisputable(scenario, offer),
        security_refusals=security_refusals(scenario, offer),
        margins=margins(scenario, offer),
        holds_for_detection=(_holds_along(scenario, offer_id, f"regimes[{regime}].detection")
                             if thresholds else None),
        holds_for_breakdown_risk=(
            _holds_along(scenario, offer_id, breakdown_path(scenario, offer_id))
            if thresholds and has_counters else None),
        holds_for_renege_risk=(_holds_along(scenario, offer_id, "bargaining.renege_risk")
                               if thresholds else None),
        breakdown=breakdown_thresholds(scenario, offer_id) if thresholds else None,
        credibility=credibility_threshold(scenario, offer_id) if thresholds else None,
        finality_credible=finality_credible(scenario, offer),
    )
