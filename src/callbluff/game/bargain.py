"""Compile a scenario's offer into the bargain game of docs/model.md.

The tree is the signalling game of docs/design.md: Nature draws the target's type; the
target answers (accept, counter-demand, reject) and, having accepted, complies or
cheats in secret; detection is a chance move; the proposer sees only the answer
(and detected cheating) and chooses whether to grant a counter-demand and which
fallback to take.  Payoffs come from :mod:`callbluff.game.payoffs`, the exact
implementation of the formulas of docs/model.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from callbluff.game.payoffs import OutcomePayoffs, outcome_payoffs
from callbluff.game.tree import Game, GameBuilder
from callbluff.scenario.schema import Scenario

PROPOSER, TARGET = 0, 1

ACCEPT, REJECT, COMPLY, CHEAT, GRANT = "accept", "reject", "comply", "cheat", "grant"
COUNTER_PREFIX, WALK_PREFIX = "counter:", "walk:"
REJECTED = "rejected"
CHEATING_DETECTED = "cheating detected"


def counter_action(counter_id: str) -> str:
    return f"{COUNTER_PREFIX}{counter_id}"


def walk_action(fallback_id: str) -> str:
    return f"{WALK_PREFIX}{fallback_id}"


def accepted_infoset(type_id: str) -> str:
    return f"{type_id} accepted"


def granted_infoset(type_id: str, counter_id: str) -> str:
    return f"{type_id} granted {counter_id}"


def detected_after_grant_infoset(counter_id: str) -> str:
    return f"{CHEATING_DETECTED} after granting {counter_id}"


def offer_counter_demands(scenario: Scenario, offer_id: str) -> list[str]:
    """Counter-demands the target may make to this offer (default: all)."""
    offer = scenario.offer(offer_id)
    if offer.counter_demands is None:
        return [c.id for c in scenario.counter_demands]
    return list(offer.counter_demands)


def compile_offer(scenario: Scenario, offer_id: str) -> Game:
    """The extensive-form game of one offer; players are (proposer, target)."""
    offer = scenario.offer(offer_id)
    counters = offer_counter_demands(scenario, offer_id)
    fallbacks = [f.id for f in scenario.fallbacks]
    builder = GameBuilder(
        title=f"{scenario.title}: offer {offer.id}",
        players=(scenario.proposer.name, scenario.target.name),
        comment=(
            f"callbluff scenario {scenario.id!r}, offer {offer.id!r}: package "
            f"{', '.join(offer.concessions) or '(none)'} under regime {offer.regime!r}. "
            "Model: docs/model.md."
        ),
    )
    root = builder.chance(None, [(t.id, t.prior) for t in scenario.types], label="type")
    for target_type in scenario.types:
        theta = target_type.id
        answer = builder.decision(
            root, TARGET, theta,
            [ACCEPT, *(counter_action(x) for x in counters), REJECT],
            label=theta,
        )
        _deal(builder, answer, scenario, theta, offer.concessions, offer.regime,
              fallbacks, accepted_infoset(theta), CHEATING_DETECTED)
        for x in counters:
            reply = builder.decision(
                answer, PROPOSER, counter_action(x),
                [GRANT, *(walk_action(f) for f in fallbacks)],
            )
            _deal(builder, reply, scenario, theta, [*offer.concessions, x], offer.regime,
                  fallbacks, granted_infoset(theta, x), detected_after_grant_infoset(x))
            for f in fallbacks:
                _no_deal(builder, reply, scenario, theta, offer.concessions, offer.regime, f)
        rejected = builder.decision(answer, PROPOSER, REJECTED, fallbacks)
        for f in fallbacks:
            _no_deal(builder, rejected, scenario, theta, offer.concessions, offer.regime, f)
    return builder.build()


def _deal(
    builder: GameBuilder,
    parent: int,
    scenario: Scenario,
    theta: str,
    package: Sequence[str],
    regime_id: str,
    fallbacks: Sequence[str],
    choice_infoset: str,
    detected_infoset: str,
) -> None:
    """The deal is in force: the target complies or cheats; cheating may be detected."""
    by_fallback = {f: outcome_payoffs(scenario, theta, package, regime_id, f) for f in fallbacks}
    any_fallback: OutcomePayoffs = by_fallback[fallbacks[0]]
    choice = builder.decision(parent, TARGET, choice_infoset, [COMPLY, CHEAT])
    builder.terminal(choice, _ordered(any_fallback.comply), outcome="comply")
    detection = scenario.regime(regime_id).detection
    inspection = builder.chance(
        choice, [("undetected", 1 - detection), ("detected", detection)], label="inspection"
    )
    builder.terminal(inspection, _ordered(any_fallback.cheat_undetected),
                     outcome="cheat, undetected")
    detected = builder.decision(inspection, PROPOSER, detected_infoset, list(fallbacks))
    for f in fallbacks:
        builder.terminal(detected, _ordered(by_fallback[f].cheat_detected),
                         outcome=f"cheat detected: {f}")


def _no_deal(
    builder: GameBuilder,
    parent: int,
    scenario: Scenario,
    theta: str,
    package: Sequence[str],
    regime_id: str,
    fallback_id: str,
) -> None:
    payoffs = outcome_payoffs(scenario, theta, package, regime_id, fallback_id)
    builder.terminal(parent, _ordered(payoffs.no_deal), outcome=f"no deal: {fallback_id}")


def _ordered(target_proposer: tuple[Fraction, Fraction]) -> tuple[Fraction, Fraction]:
    """Payoff pairs are (target, proposer) in OutcomePayoffs; games list the proposer first."""
    target, proposer = target_proposer
    return proposer, target
