"""All in now, or talks that teach? The proposer's policies in the talks game of
docs/model.md ("Talks that teach"), solved exactly.

A *policy* is the proposer's commitment to a schedule of offers (``no offer`` is a
round of talks only) that ends with the main offer M made take it or leave it for
good: if M is refused the proposer walks away (no deal under its best fallback).
With one offer a round the schedule's extensive form (:func:`compile_talks`) grows
linearly in the rounds, so every policy is solved by the exact all-PBE solver
(:func:`callbluff.solve.solve`): every perfect Bayesian equilibrium, mixed answers
(a type that accepts with some chance, so that the proposer's fallback after the
last refusal is a mixture) included.  Families compared, for horizon T:

* **all in now**: M in round 0;
* **step by step**: another offer o in rounds 0..k−1, then M in round k (k = 1..T−1);
* **talks, then all in**: no offer in rounds 0..k−1, then M in round k (k = 1..T−1);
* **talks forever**: no offer in any of the T rounds, then no deal.

The *unrestricted* game drops the commitment: the proposer picks any allowed offer
in every round of the horizon, each a best reply to its belief (docs/model.md); its
tree grows as (offers)^T, so it is solved by backward induction over belief states
(:mod:`callbluff.solve.talks`, pure answers only).

A policy's value is the proposer's value in its proposer-worst equilibrium (the
verdict's conservative selection); the best policy is the best such value (ties: the
earlier family, then fewer rounds of waiting).  The *value of acting now* is all in
now minus the best policy that waits (talks, then all in; talks forever).
Uncertainty is the Shannon entropy of the proposer's belief over
the types (bits): "how much is still unknown".

References: Sobel & Takahashi (1983); Fudenberg, Levine & Tirole (1985); Powell
(2004, 2006); Debs & Monteiro (2014) (docs/sources.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from callbluff.game.talks import (
    ACCEPT,
    CHEAT,
    NO_OFFER,
    answer_infoset,
    arsenal_multiplier,
    compile_talks,
    compliance_infoset,
    horizon,
    stock,
    talk_offers,
    talks_setup,
)
from callbluff.scenario.schema import Scenario
from callbluff.solve import solve
from callbluff.solve.result import Equilibrium
from callbluff.solve.talks import Plan, TalksSolution, solve_talks

ALL_IN_NOW = "all in now"
STEP_BY_STEP = "step by step"
TALKS_THEN_ALL_IN = "talks, then all in"
TALKS_FOREVER = "talks forever"
FAMILIES = (ALL_IN_NOW, STEP_BY_STEP, TALKS_THEN_ALL_IN, TALKS_FOREVER)


@dataclass(frozen=True)
class RoundRecord:
    """One round on an equilibrium's path of refusals: the proposer's belief at its
    start, what is offered, each type's chance of accepting it (``accepting``, for
    the types the belief weighs), who settles with a positive chance (and of them who
    cheats), and the arsenal then (``arsenal``: its value as a multiple of today's,
    ``stock``: n_t)."""

    round: int
    offer: str
    posterior: Mapping[str, Fraction]
    security_probability: Fraction
    unknown_bits: float
    accepting: Mapping[str, Fraction]
    settling: tuple[str, ...]
    cheating: tuple[str, ...]
    arsenal: Fraction
    stock: Fraction


@dataclass(frozen=True)
class PolicyResult:
    """A policy (one offer a round), its equilibria and its proposer-worst path.

    ``proposer_worst``/``proposer_best`` are ``None`` when no equilibrium was found
    (then the policy is not compared; ``no_pure_answers`` counts, in the
    unrestricted game, the states whose answers to some offer have no pure
    equilibrium).  ``settles[θ]``: the first round in which type θ settles with a
    positive chance on the worst path (``None``: never, no deal), and
    ``settle_probability[θ]`` its chance of having settled by the end (below 1 when
    it mixes); ``final_belief``: the belief after the last refusal (empty when every
    type settled for sure), with its chance of a security-only type and its
    entropy."""

    family: str
    offers: tuple[str, ...]
    proposer_worst: Fraction | None
    proposer_best: Fraction | None
    equilibria: int
    no_pure_answers: int
    path: tuple[RoundRecord, ...]
    settles: Mapping[str, int | None]
    settle_probability: Mapping[str, Fraction]
    final_belief: Mapping[str, Fraction]
    final_security_probability: Fraction
    final_unknown_bits: float

@dataclass(frozen=True)
class TalksAnalysis:
    """The comparison: every policy, the best of each family, the best overall, the
    value of acting now, the unrestricted game, and the inputs that shape it."""

    horizon: int
    main_offer: str
    saturation: Fraction | None
    policies: tuple[PolicyResult, ...]
    best_by_family: Mapping[str, PolicyResult]
    best: PolicyResult | None
    all_in_now: PolicyResult
    value_of_acting_now: Fraction | None
    unrestricted: PolicyResult
    prior_unknown_bits: float


def entropy_bits(belief: Mapping[str, Fraction]) -> float:
    """Shannon entropy ``−Σ p log₂ p`` of a belief (bits)."""
    # 0.0 − Σ rather than −Σ: a certain belief gives 0.0, not −0.0 ("-0.00" in words).
    return 0.0 - sum(float(p) * math.log2(float(p)) for p in belief.values() if p > 0)


def _normalised(weights: Mapping[str, Fraction]) -> dict[str, Fraction]:
    """A belief from weights (Bayes' rule); empty when every weight is 0."""
    total = sum(weights.values(), Fraction(0))
    return {θ: w / total for θ, w in weights.items() if w > 0} if total else {}


def offer_runs(offers: Sequence[str]) -> list[tuple[str, int]]:
    """A schedule as runs: ``("no offer", "no offer", "all-in")`` →
    ``[("no offer", 2), ("all-in", 1)]``."""
    runs: list[tuple[str, int]] = []
    for o in offers:
        if runs and runs[-1][0] == o:
            runs[-1] = (o, runs[-1][1] + 1)
        else:
            runs.append((o, 1))
    return runs


def _security(s: Scenario, belief: Mapping[str, Fraction]) -> Fraction:
    return sum((p for t, p in belief.items() if s.target_type(t).security_only),
               Fraction(0))


#: One round on the path of refusals: (round, offer, each type's probability of
#: accepting, each type's probability of cheating once it has accepted).
Step = tuple[int, str, Mapping[str, Fraction], Mapping[str, Fraction]]


def _result(s: Scenario, family: str, offers: Sequence[str], types: Sequence[str],
            values: Sequence[Fraction], steps: Iterable[Step], no_pure_answers: int = 0
            ) -> PolicyResult:
    """A policy's result from its equilibria's proposer values and the rounds of the
    worst one along the path of refusals; the belief at the start of each round is
    the prior updated by Bayes' rule on the refusals so far."""
    if not values:
        return PolicyResult(family, tuple(offers), None, None, 0, no_pure_answers, (), {},
                            {}, {}, Fraction(0), 0.0)
    prior = {t.id: t.prior for t in s.types}
    weight = {θ: prior[θ] for θ in types if prior[θ] > 0}
    records: list[RoundRecord] = []
    settles: dict[str, int | None] = {t: None for t in types}
    for t, offer, accept, cheat in steps:
        belief = _normalised(weight)
        if not belief:
            break
        accepting = {θ: accept.get(θ, Fraction(0)) for θ in belief}
        settling = tuple(sorted(θ for θ, a in accepting.items() if a > 0))
        records.append(RoundRecord(
            round=t, offer=offer, posterior=belief,
            security_probability=_security(s, belief), unknown_bits=entropy_bits(belief),
            accepting=accepting, settling=settling,
            cheating=tuple(θ for θ in settling if cheat.get(θ, Fraction(0)) > 0),
            arsenal=arsenal_multiplier(s, t), stock=stock(s, t)))
        for θ in settling:
            if settles[θ] is None:
                settles[θ] = t
            weight[θ] *= 1 - accepting[θ]
    final = _normalised(weight)
    chance = {θ: 1 - weight[θ] / prior[θ] if θ in weight else Fraction(0) for θ in types}
    return PolicyResult(family, tuple(offers), min(values), max(values), len(values),
                        no_pure_answers, tuple(records), settles, chance, final,
                        _security(s, final), entropy_bits(final))


def _plan_steps(plan: Plan) -> list[Step]:
    """The pure answers along a talks-solver plan's path of refusals."""
    return [(play.round, play.offer,
             {θ: Fraction(1) for θ in play.accepting},
             {θ: Fraction(1) for θ in play.cheating}) for play in plan.path()]


def _equilibrium_steps(e: Equilibrium, offers: Sequence[str], types: Sequence[str]
                       ) -> list[Step]:
    """The (possibly mixed) answers of an equilibrium of a schedule's extensive form
    (:func:`compile_talks`) along its path of refusals."""
    steps: list[Step] = []
    for t, offer in enumerate(offers):
        history = tuple(offers[:t])
        accept: dict[str, Fraction] = {}
        cheat: dict[str, Fraction] = {}
        if offer != NO_OFFER:
            for θ in types:
                accept[θ] = e.behaviour[answer_infoset(θ, t, offer, history)][ACCEPT]
                # A freeze accepted before the last round has no compliance choice.
                compliance = e.behaviour.get(compliance_infoset(θ, t, offer, history))
                cheat[θ] = Fraction(0) if compliance is None else compliance[CHEAT]
        steps.append((t, offer, accept, cheat))
    return steps


def solve_policy(s: Scenario, family: str, offers: Sequence[str]) -> PolicyResult:
    """The equilibria of the schedule ``offers`` (mixed answers and mixed fallbacks
    included) as the exact solver reports them on its extensive form (its outcome
    set and limits: docs/algorithms.md): with one offer a round the tree grows
    linearly in the rounds."""
    setup = talks_setup(s, rounds=len(offers), offers_by_round=[(o,) for o in offers])
    found = solve(compile_talks(s, setup)).equilibria
    if not found:
        return _result(s, family, offers, setup.types, (), ())
    worst = min(found, key=lambda e: e.payoffs[0])
    return _result(s, family, offers, setup.types, [e.payoffs[0] for e in found],
                   _equilibrium_steps(worst, offers, setup.types))


def _value(r: PolicyResult) -> Fraction:
    """A compared policy's value (only policies with an equilibrium are compared)."""
    assert r.proposer_worst is not None
    return r.proposer_worst


def policy_plans(s: Scenario, main_offer: str, rounds: int) -> list[tuple[str, tuple[str, ...]]]:
    """(family, offers by round) of every policy compared."""
    def key(offer_id: str) -> tuple[frozenset[str], str, bool]:
        o = s.offer(offer_id)
        return frozenset(o.concessions), o.regime, o.freeze

    others = [o for o in talk_offers(s) if key(o) != key(main_offer)]
    plans: list[tuple[str, tuple[str, ...]]] = [(ALL_IN_NOW, (main_offer,))]
    for k in range(1, rounds):
        plans += [(STEP_BY_STEP, (o,) * k + (main_offer,)) for o in others]
    plans += [(TALKS_THEN_ALL_IN, (NO_OFFER,) * k + (main_offer,)) for k in range(1, rounds)]
    plans.append((TALKS_FOREVER, (NO_OFFER,) * rounds))
    return plans


def _unrestricted(s: Scenario, rounds: int) -> PolicyResult:
    """The game without commitment, by backward induction over belief states (pure
    answers: :mod:`callbluff.solve.talks`)."""
    free: TalksSolution = solve_talks(s, talks_setup(s, rounds=rounds))
    if not free.equilibria:
        return _result(s, "unrestricted", (), free.setup.types, (), (),
                       len(free.no_pure_answers))
    worst = free.proposer_worst
    return _result(s, "unrestricted", tuple(r.offer for r in worst.path()), free.setup.types,
                   [p.proposer_value for p in free.equilibria], _plan_steps(worst),
                   len(free.no_pure_answers))


def analyze_talks(s: Scenario, main_offer: str, *, rounds: int | None = None
                  ) -> TalksAnalysis:
    """Every policy of :func:`policy_plans` and the unrestricted game, solved."""
    big_t = horizon(s) if rounds is None else rounds
    results: list[PolicyResult] = []
    for family, offers in policy_plans(s, main_offer, big_t):
        results.append(solve_policy(s, family, offers))
    unrestricted = _unrestricted(s, big_t)
    best_by_family: dict[str, PolicyResult] = {}
    for r in results:
        if r.proposer_worst is not None and (
                r.family not in best_by_family or _value(r) > _value(best_by_family[r.family])):
            best_by_family[r.family] = r
    best: PolicyResult | None = None
    for family in FAMILIES:
        candidate = best_by_family.get(family)
        if candidate is not None and (
                best is None or _value(candidate) > _value(best)):
            best = candidate
    now = results[0]
    waiting = [r.proposer_worst for r in results
               if r.family in (TALKS_THEN_ALL_IN, TALKS_FOREVER) and r.proposer_worst is not None]
    acting_now = (now.proposer_worst - max(waiting)
                  if now.proposer_worst is not None and waiting else None)
    return TalksAnalysis(
        horizon=big_t, main_offer=main_offer, saturation=s.arsenal.saturation,
        policies=tuple(results), best_by_family=best_by_family, best=best, all_in_now=now,
        value_of_acting_now=acting_now, unrestricted=unrestricted,
        prior_unknown_bits=entropy_bits(_normalised({t.id: t.prior for t in s.types})))
