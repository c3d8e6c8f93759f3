"""Backtest: what the model says of bargains whose ending we know.

Each case scenario records the offer actually made and what happened
(``Scenario.history``); the model's reading is computed here at run time from the
file, never stored.  Agreement rules (stated so that a reader can disagree):

* **answer** — the model agrees when the observed answer is the most probable
  answer (ex ante, over the prior) in at least one equilibrium of the offer made;
* **compliance** — when the target accepted and its later compliance is known, the
  model agrees when, in that same equilibrium, the probability that an accepting
  target cheats is at least 1/2 if it cheated, below 1/2 if it complied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from callbluff.analysis.offers import OfferAnalysis, analyze_offer
from callbluff.analysis.reading import EquilibriumReading
from callbluff.analysis.verdict import detection_threshold, main_offer_id
from callbluff.game import bargain
from callbluff.scenario.schema import Scenario


@dataclass(frozen=True)
class CaseReading:
    scenario_id: str
    title: str
    year: int | None
    offer_made: str
    observed_answer: str
    compliance: str
    outcome: str
    answers_by_type: tuple[Mapping[str, Mapping[str, Fraction]], ...]  # per equilibrium
    answer_probability: tuple[Mapping[str, Fraction], ...]  # per equilibrium
    posterior_after_observed: tuple[Mapping[str, Fraction] | None, ...]  # per equilibrium
    separates: str  # "always" | "sometimes" | "never"
    detection_threshold: Fraction | None
    detection_agreed: Fraction
    counterfactual_offer: str | None
    counterfactual_separates: str | None
    agrees: bool
    explanation: str


def _separation(o: OfferAnalysis) -> str:
    if o.separates_always:
        return "always"
    return "sometimes" if o.separates_sometimes else "never"


def _observed_key(scenario: Scenario) -> str:
    history = scenario.history
    assert history is not None
    if history.observed_answer == "counter" and history.counter_demand is not None:
        return bargain.counter_action(history.counter_demand)
    return history.observed_answer


def _answer_mass(answer_probability: Mapping[str, Fraction], observed: str) -> Fraction:
    if observed == "counter":
        return sum((p for a, p in answer_probability.items()
                    if a.startswith(bargain.COUNTER_PREFIX)), Fraction(0))
    return answer_probability.get(observed, Fraction(0))


def _cheat_given_accept(e: EquilibriumReading, prior: Mapping[str, Fraction]) -> Fraction | None:
    accept = sum((prior[t] * (s.accept_comply + s.accept_cheat)
                  for t, s in e.target_strategy.items()), Fraction(0))
    if accept == 0:
        return None
    return sum((prior[t] * s.accept_cheat for t, s in e.target_strategy.items()),
               Fraction(0)) / accept


def _agreement(scenario: Scenario, offer: OfferAnalysis) -> tuple[bool, str]:
    history = scenario.history
    assert history is not None
    observed = _observed_key(scenario)
    prior = {t.id: t.prior for t in scenario.types}
    reasons: list[str] = []
    for index, e in enumerate(offer.equilibria, start=1):
        mass = _answer_mass(e.answer_probability, observed)
        grouped = dict(e.answer_probability)
        if observed == "counter":
            grouped = {a: p for a, p in grouped.items()
                       if not a.startswith(bargain.COUNTER_PREFIX)}
            grouped["counter"] = mass
        top = max(grouped.items(), key=lambda kv: kv[1])
        if mass < top[1]:
            reasons.append(f"equilibrium {index} expects {top[0]} (probability "
                           f"{float(top[1]):.2f}), {observed} only {float(mass):.2f}")
            continue
        if history.observed_answer == "accept" and history.compliance in {"complied", "cheated"}:
            cheat = _cheat_given_accept(e, prior)
            if cheat is None:
                reasons.append(f"equilibrium {index}: no type accepts")
                continue
            predicted = "cheated" if cheat >= Fraction(1, 2) else "complied"
            if predicted != history.compliance:
                reasons.append(
                    f"equilibrium {index} gets the answer right but expects an accepting "
                    f"target to have {predicted} (P(cheat | accept) = {float(cheat):.2f}); "
                    f"it {history.compliance}")
                continue
        return True, f"equilibrium {index} expects the observed answer ({observed})" + (
            f" and that the target {history.compliance}"
            if history.compliance in {"complied", "cheated"} else "")
    return False, "; ".join(reasons)


def read_case(scenario: Scenario) -> CaseReading:
    """The model's reading of one case (a scenario with ``history``)."""
    history = scenario.history
    if history is None:
        raise ValueError(f"scenario {scenario.id!r} has no history: it is not a case")
    offer = analyze_offer(scenario, history.offer_made)
    observed = _observed_key(scenario)
    main = main_offer_id(scenario)
    counterfactual = None
    if main != history.offer_made:
        counterfactual = analyze_offer(scenario, main)
    agrees, explanation = _agreement(scenario, offer)
    regime = scenario.regime(scenario.offer(history.offer_made).regime)
    return CaseReading(
        scenario_id=scenario.id,
        title=scenario.title,
        year=scenario.year,
        offer_made=history.offer_made,
        observed_answer=observed,
        compliance=history.compliance,
        outcome=history.outcome,
        answers_by_type=tuple(
            {t: s.as_dict() for t, s in e.target_strategy.items()} for e in offer.equilibria),
        answer_probability=tuple(e.answer_probability for e in offer.equilibria),
        posterior_after_observed=tuple(
            _posterior(e, observed) for e in offer.equilibria),
        separates=_separation(offer),
        detection_threshold=detection_threshold(scenario, history.offer_made)[0],
        detection_agreed=regime.detection,
        counterfactual_offer=None if counterfactual is None else main,
        counterfactual_separates=None if counterfactual is None else _separation(counterfactual),
        agrees=agrees,
        explanation=explanation,
    )


def _posterior(e: EquilibriumReading, observed: str) -> Mapping[str, Fraction] | None:
    if observed != "counter":
        return e.posteriors.get(observed)
    # Any counter-demand: pool the counter answers.
    masses: dict[str, Fraction] = {}
    total = Fraction(0)
    for answer, post in e.posteriors.items():
        if not answer.startswith(bargain.COUNTER_PREFIX) or post is None:
            continue
        weight = e.answer_probability[answer]
        total += weight
        for t, p in post.items():
            masses[t] = masses.get(t, Fraction(0)) + weight * p
    return None if total == 0 else {t: m / total for t, m in masses.items()}
