"""Read an equilibrium of the bargain game in the scenario's own terms.

The solver speaks of information sets and actions; an analyst asks which types
accept and comply, accept and cheat, counter or reject, what the proposer does
after each answer, what it should believe, and who gains.  This module translates,
exactly, using the naming of docs/model.md ("Naming in results").

Information measures: mutual information between type and observable answer
(Cover & Thomas, *Elements of Information Theory*, 2nd ed., §2.4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from callbluff.analysis.information import (
    misread_probability,
    mutual_information_bits,
    posteriors,
)
from callbluff.game import bargain
from callbluff.game.tree import Game
from callbluff.scenario.schema import Scenario
from callbluff.solve import Equilibrium
from callbluff.solve.verify import node_values, reach_probabilities

#: The four outcome classes stakeholders are paid on (schema: StakeholderPayoffs).
OUTCOMES = ("comply", "cheat_undetected", "cheat_detected", "no_deal")


@dataclass(frozen=True)
class TypeStrategy:
    """One type's first answer to the offer, as probabilities (they sum to 1):
    accept (then comply or cheat), counter-demand for more, balk at inspections (a
    counter-demand for another regime), reject.  ``counter_by_demand`` has every
    counter-demand, balks included; ``after_firm`` what the type answers to each if
    the proposer stands firm (probability of accepting then)."""

    accept_comply: Fraction
    accept_cheat: Fraction
    counter: Fraction
    balk: Fraction
    reject: Fraction
    counter_by_demand: Mapping[str, Fraction]
    accept_after_firm: Mapping[str, Fraction]

    def as_dict(self) -> dict[str, Fraction]:
        return {"accept_comply": self.accept_comply, "accept_cheat": self.accept_cheat,
                "counter": self.counter, "balk": self.balk, "reject": self.reject}


@dataclass(frozen=True)
class ProposerStrategy:
    """What the proposer does after each observable answer."""

    after_reject: Mapping[str, Fraction]  # fallback -> probability
    after_detected_cheating: Mapping[str, Fraction]
    after_counter: Mapping[str, Mapping[str, Fraction]]  # counter -> grant/stand firm/walk:f
    after_detected_cheating_on_grant: Mapping[str, Mapping[str, Fraction]]
    after_breakdown: Mapping[str, Mapping[str, Fraction]]  # counter -> fallback -> prob


@dataclass(frozen=True)
class EquilibriumReading:
    """One equilibrium of one offer, in scenario terms."""

    target_strategy: Mapping[str, TypeStrategy]
    proposer_strategy: ProposerStrategy
    answer_probability: Mapping[str, Fraction]  # observable answer -> probability
    posteriors: Mapping[str, Mapping[str, Fraction] | None]  # answer -> type -> prob
    proposer_value: Fraction
    target_values: Mapping[str, Fraction]
    stakeholder_values: Mapping[str, Fraction]
    outcome_probability: Mapping[str, Fraction]  # OUTCOMES -> probability
    separates: bool
    diagnosticity_bits: float
    misread_probability: Fraction
    classification: str
    intuitive_criterion: bool | None
    d1: bool | None
    equilibrium: Equilibrium


def observable_answers(scenario: Scenario, offer_id: str) -> list[str]:
    counters = bargain.offer_counter_demands(scenario, offer_id)
    return [bargain.ACCEPT, *(bargain.counter_action(x) for x in counters), bargain.REJECT]


def read_equilibrium(
    scenario: Scenario, offer_id: str, game: Game, eq: Equilibrium
) -> EquilibriumReading:
    """Translate ``eq`` (an equilibrium of ``compile_offer(scenario, offer_id)``)."""
    counters = bargain.offer_counter_demands(scenario, offer_id)
    balks = set(bargain.balk_counter_demands(scenario, offer_id))
    answers = observable_answers(scenario, offer_id)
    behaviour = eq.behaviour
    strategies: dict[str, TypeStrategy] = {}
    answer_given_type: dict[str, dict[str, Fraction]] = {}
    for t in scenario.types:
        respond = behaviour[t.id]
        after_accept = behaviour[bargain.accepted_infoset(t.id)]
        accept = respond[bargain.ACCEPT]
        by_demand = {x: respond[bargain.counter_action(x)] for x in counters}
        strategies[t.id] = TypeStrategy(
            accept_comply=accept * after_accept[bargain.COMPLY],
            accept_cheat=accept * after_accept[bargain.CHEAT],
            counter=sum((p for x, p in by_demand.items() if x not in balks), Fraction(0)),
            balk=sum((p for x, p in by_demand.items() if x in balks), Fraction(0)),
            reject=respond[bargain.REJECT],
            counter_by_demand=by_demand,
            accept_after_firm={
                x: behaviour[bargain.firm_infoset(t.id, x)][bargain.ACCEPT] for x in counters
                if bargain.firm_infoset(t.id, x) in behaviour},
        )
        answer_given_type[t.id] = {a: respond[a] for a in answers}
    prior = {t.id: t.prior for t in scenario.types}
    answer_probability = {
        a: sum((prior[t] * answer_given_type[t][a] for t in prior), Fraction(0))
        for a in answers
    }
    security = {t.id for t in scenario.types if t.security_only}
    outcome_probability = _outcome_probabilities(game, behaviour)
    stakeholder_values = {
        s.id: sum((outcome_probability[o] * getattr(s.payoffs, o) for o in OUTCOMES),
                  Fraction(0))
        for s in scenario.stakeholders
    }
    informed = eq.type_payoffs
    return EquilibriumReading(
        target_strategy=strategies,
        proposer_strategy=ProposerStrategy(
            after_reject=dict(behaviour[bargain.REJECTED]),
            after_detected_cheating=dict(behaviour[bargain.CHEATING_DETECTED]),
            after_counter={x: dict(behaviour[bargain.counter_action(x)]) for x in counters},
            after_detected_cheating_on_grant={
                x: dict(behaviour[bargain.detected_after_grant_infoset(x)]) for x in counters
            },
            after_breakdown={x: dict(behaviour[bargain.breakdown_infoset(x)])
                             for x in counters if bargain.breakdown_infoset(x) in behaviour},
        ),
        answer_probability=answer_probability,
        posteriors=posteriors(prior, answer_given_type),
        proposer_value=eq.payoffs[bargain.PROPOSER],
        target_values=dict(informed),
        stakeholder_values=stakeholder_values,
        outcome_probability=outcome_probability,
        separates=separates(prior, answer_given_type, security),
        diagnosticity_bits=mutual_information_bits(prior, answer_given_type),
        misread_probability=misread_probability(prior, answer_given_type, security),
        classification=eq.classification,
        intuitive_criterion=eq.intuitive_criterion,
        d1=eq.d1,
        equilibrium=eq,
    )


def separates(
    prior: Mapping[str, Fraction],
    answer_given_type: Mapping[str, Mapping[str, Fraction]],
    security_types: set[str],
) -> bool:
    """True when no observable answer is given, with positive probability, both by a
    security-only type and by a type with ulterior motives (types of prior 0 do not
    count).  Without both kinds of type there is nothing to separate: False."""
    live = [t for t, p in prior.items() if p > 0]
    secure = [t for t in live if t in security_types]
    ulterior = [t for t in live if t not in security_types]
    if not secure or not ulterior:
        return False
    for answer in next(iter(answer_given_type.values())):
        by_secure = any(answer_given_type[t][answer] > 0 for t in secure)
        by_ulterior = any(answer_given_type[t][answer] > 0 for t in ulterior)
        if by_secure and by_ulterior:
            return False
    return True


def by_infoset_id(
    game: Game, behaviour: Mapping[str, Mapping[str, Fraction]]
) -> list[list[Fraction]]:
    """Label-keyed behaviour as the solver's per-information-set rows."""
    return [[behaviour[h.label][a] for a in h.actions] for h in game.infosets]


def _outcome_probabilities(
    game: Game, behaviour: Mapping[str, Mapping[str, Fraction]]
) -> dict[str, Fraction]:
    """Probability of each outcome class under the profile."""
    totals = dict.fromkeys(OUTCOMES, Fraction(0))
    reach = reach_probabilities(game, by_infoset_id(game, behaviour))
    for node in game.terminals():
        totals[_outcome_class(node.outcome)] += reach[node.id]
    return totals


def _outcome_class(outcome_label: str) -> str:
    if outcome_label in (bargain.COMPLY_KEPT, bargain.COMPLY_RENEGED):
        return "comply"
    if outcome_label == "cheat, undetected":
        return "cheat_undetected"
    if outcome_label.startswith("cheat detected"):
        return "cheat_detected"
    if outcome_label.startswith("no deal"):
        return "no_deal"
    raise ValueError(f"not an outcome of the bargain game: {outcome_label!r}")


@dataclass(frozen=True)
class TypeExplanation:
    """Why a type answers as it does: the value to it of each answer, given what the
    proposer does in the equilibrium, and of complying or cheating once accepted."""

    type_id: str
    answer_values: Mapping[str, Fraction]
    comply_value: Fraction
    cheat_value: Fraction
    chosen: tuple[str, ...]


def explain_types(game: Game, eq: Equilibrium) -> list[TypeExplanation]:
    values = node_values(game, by_infoset_id(game, eq.behaviour))
    out: list[TypeExplanation] = []
    root = game.root
    for type_id, child in zip(root.chance_actions, root.children, strict=True):
        node = game.nodes[child]
        assert node.infoset is not None
        infoset = game.infosets[node.infoset]
        answers = {a: values[c][bargain.TARGET]
                   for a, c in zip(infoset.actions, node.children, strict=True)}
        accepted = game.nodes[node.children[infoset.actions.index(bargain.ACCEPT)]]
        comply, cheat = (values[c][bargain.TARGET] for c in accepted.children)
        chosen = tuple(a for a, p in eq.behaviour[infoset.label].items() if p > 0)
        out.append(TypeExplanation(type_id, answers, comply, cheat, chosen))
    return out
