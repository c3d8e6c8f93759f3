"""Backtest: how likely the model makes what happened in bargains whose ending we know.

Each case scenario records the offer actually made and what happened
(``Scenario.history``); the model's reading is computed here at run time from the
file, never stored.  The score is a likelihood, stated so that a reader can disagree:

* **answer likelihood** — the probability, ex ante over the prior of the types, that the
  target gives the observed first answer to the offer made (``accept``, ``reject``, or
  the named counter-demand, balks included; any counter-demand when none is named),
  under the proposer-worst equilibrium, the proposer-best equilibrium (by the
  proposer's expected payoff; :class:`~callbluff.analysis.offers.OfferAnalysis`) and
  averaged with equal weights over the equilibria the solver lists;
* **with compliance** — when the target accepted and its compliance is known, the
  probability of accepting *and* then complying (or cheating) as observed;
* **summary** — the log-likelihood over the cases (natural logarithm; −∞ as soon as one
  case gets probability 0), against a baseline that ignores the type: the frequency of
  each answer (accept, counter-demand or balk, reject) among the cases scored.  The
  baseline is fitted to the same cases, which favours it.

The readings per type (which answers a type gives with positive probability in each
equilibrium) are what the tests pin (``tests/test_cases_readings.py``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass
from fractions import Fraction

from callbluff.analysis.offers import OfferAnalysis, analyze_offer
from callbluff.analysis.reading import EquilibriumReading, TypeStrategy
from callbluff.analysis.verdict import detection_threshold, main_offer_id
from callbluff.game import bargain
from callbluff.scenario.schema import Scenario

#: The answer classes of the baseline (a balk is a counter-demand).
ANSWER_CLASSES = ("accept", "counter", "reject")


@dataclass(frozen=True)
class Likelihood:
    """A probability under the three equilibrium selections."""

    proposer_worst: Fraction
    proposer_best: Fraction
    average: Fraction


@dataclass(frozen=True)
class Detection:
    """The detection probability needed so that no ulterior type accepts and cheats
    (:func:`callbluff.analysis.verdict.detection_threshold`), beside the one agreed."""

    needed: Fraction | None
    reading: str
    agreed: Fraction


@dataclass(frozen=True)
class TypeReading:
    """One support of a type's first answer and in how many equilibria it is played."""

    support: tuple[str, ...]
    equilibria: int


@dataclass(frozen=True)
class CaseReading:
    scenario_id: str
    title: str
    year: int | None
    offer_made: str
    observed_answer: str  # accept | counter | reject
    observed: str  # accept | reject | counter:<x> | counter (any)
    compliance: str
    outcome: str
    offer: OfferAnalysis
    counterfactual: OfferAnalysis | None  # the all-in offer, when it is not the offer made
    answer_likelihood: Likelihood
    with_compliance: Likelihood | None  # P(accept and the observed compliance)
    readings: Mapping[str, tuple[TypeReading, ...]]  # type -> distinct supports
    counterfactual_readings: Mapping[str, tuple[TypeReading, ...]] | None
    someone_accepts: bool  # a type of positive prior accepts in some equilibrium
    detection: Detection | None  # computed on request, and only when someone accepts


def answer_support(strategy: TypeStrategy, balks: Set[str]) -> tuple[str, ...]:
    """The first answers a type gives with positive probability, in a fixed order:
    ``accept, comply``, ``accept, cheat``, ``counter: x`` or ``balk: x`` (``x`` in
    ``balks`` asks for another regime), ``reject``."""
    found: list[str] = []
    if strategy.accept_comply > 0:
        found.append("accept, comply")
    if strategy.accept_cheat > 0:
        found.append("accept, cheat")
    for x, p in sorted(strategy.counter_by_demand.items()):
        if p > 0:
            found.append(f"{'balk' if x in balks else 'counter'}: {x}")
    if strategy.reject > 0:
        found.append("reject")
    return tuple(found)


def readings_by_type(scenario: Scenario, offer: OfferAnalysis
                     ) -> dict[str, tuple[TypeReading, ...]]:
    """Per type, the distinct supports of its first answer over the equilibria (in the
    order the solver lists the equilibria), each with its number of equilibria."""
    balks = set(bargain.balk_counter_demands(scenario, offer.offer_id))
    result: dict[str, tuple[TypeReading, ...]] = {}
    for t in scenario.types:
        counts: dict[tuple[str, ...], int] = {}
        for e in offer.equilibria:
            support = answer_support(e.target_strategy[t.id], balks)
            counts[support] = counts.get(support, 0) + 1
        result[t.id] = tuple(TypeReading(s, n) for s, n in counts.items())
    return result


def observed_key(scenario: Scenario) -> str:
    history = scenario.history
    assert history is not None
    if history.observed_answer == "counter":
        if history.counter_demand is not None:
            return bargain.counter_action(history.counter_demand)
        return "counter"
    return history.observed_answer


def answer_probability(e: EquilibriumReading, observed: str) -> Fraction:
    """P(observed first answer) in one equilibrium (``counter``: any counter-demand)."""
    if observed == "counter":
        return sum((p for a, p in e.answer_probability.items()
                    if a.startswith(bargain.COUNTER_PREFIX)), Fraction(0))
    return e.answer_probability.get(observed, Fraction(0))


def _accept_and(e: EquilibriumReading, prior: Mapping[str, Fraction], compliance: str
                ) -> Fraction:
    pick: Callable[[TypeStrategy], Fraction] = (
        (lambda s: s.accept_comply) if compliance == "complied" else (lambda s: s.accept_cheat))
    return sum((prior[t] * pick(s) for t, s in e.target_strategy.items()), Fraction(0))


def likelihood(offer: OfferAnalysis, of: Callable[[EquilibriumReading], Fraction]
               ) -> Likelihood:
    values = [of(e) for e in offer.equilibria]
    return Likelihood(proposer_worst=of(offer.proposer_worst),
                      proposer_best=of(offer.proposer_best),
                      average=sum(values, Fraction(0)) / len(values))


def read_case(scenario: Scenario, *, with_detection: bool = False) -> CaseReading:
    """The model's reading of one case (a scenario with ``history``)."""
    history = scenario.history
    if history is None:
        raise ValueError(f"scenario {scenario.id!r} has no history: it is not a case")
    offer = analyze_offer(scenario, history.offer_made)
    observed = observed_key(scenario)
    prior = {t.id: t.prior for t in scenario.types}
    main = main_offer_id(scenario)
    counterfactual = None if main == history.offer_made else analyze_offer(scenario, main)
    known = history.observed_answer == "accept" and history.compliance in {"complied",
                                                                           "cheated"}
    someone_accepts = any(prior[t] > 0 and s.accept_comply + s.accept_cheat > 0
                          for e in offer.equilibria for t, s in e.target_strategy.items())
    detection = None
    if with_detection and someone_accepts:
        needed, reading = detection_threshold(scenario, history.offer_made)
        regime = scenario.regime(scenario.offer(history.offer_made).regime)
        detection = Detection(needed=needed, reading=reading, agreed=regime.detection)
    return CaseReading(
        scenario_id=scenario.id,
        title=scenario.title,
        year=scenario.year,
        offer_made=history.offer_made,
        observed_answer=history.observed_answer,
        observed=observed,
        compliance=history.compliance,
        outcome=history.outcome,
        offer=offer,
        counterfactual=counterfactual,
        answer_likelihood=likelihood(offer, lambda e: answer_probability(e, observed)),
        with_compliance=likelihood(
            offer, lambda e: _accept_and(e, prior, history.compliance)) if known else None,
        readings=readings_by_type(scenario, offer),
        counterfactual_readings=None if counterfactual is None
        else readings_by_type(scenario, counterfactual),
        someone_accepts=someone_accepts,
        detection=detection,
    )


# -- the summary score ------------------------------------------------------------

@dataclass(frozen=True)
class Summary:
    """Log-likelihood over the cases, per selection, and of the type-blind baseline."""

    cases: int
    log_likelihood: Mapping[str, float]  # selection -> sum of ln p (-inf if some p = 0)
    zero_cases: Mapping[str, tuple[str, ...]]  # selection -> cases given probability 0
    baseline: Mapping[str, Fraction]  # case -> frequency of its answer class
    baseline_log_likelihood: float


SELECTIONS = ("proposer_worst", "proposer_best", "average")


def baseline_probabilities(cases: Sequence[CaseReading]) -> dict[str, Fraction]:
    """Each case's observed answer class, at its frequency among ``cases``."""
    counts = Counter(c.observed_answer for c in cases)
    return {c.scenario_id: Fraction(counts[c.observed_answer], len(cases)) for c in cases}


def log_likelihood(probabilities: Sequence[Fraction]) -> float:
    """Σ ln p, exactly −∞ when some p is 0."""
    if any(p == 0 for p in probabilities):
        return -math.inf
    return sum(math.log(p) for p in probabilities)


def summarize(cases: Sequence[CaseReading]) -> Summary:
    if not cases:
        raise ValueError("no case to summarise")
    ll: dict[str, float] = {}
    zeros: dict[str, tuple[str, ...]] = {}
    for selection in SELECTIONS:
        ps = [getattr(c.answer_likelihood, selection) for c in cases]
        ll[selection] = log_likelihood(ps)
        zeros[selection] = tuple(c.scenario_id for c, p in zip(cases, ps, strict=True)
                                 if p == 0)
    baseline = baseline_probabilities(cases)
    return Summary(cases=len(cases), log_likelihood=ll, zero_cases=zeros,
                   baseline=baseline,
                   baseline_log_likelihood=log_likelihood(list(baseline.values())))
