"""Compile a scenario's offer into the bargain game of docs/model.md.

The tree is the signalling game of docs/design.md: Nature draws the target's type; the
target answers (accept, counter-demand — an extra concession or a lighter regime,
"balking" —, reject) and, having accepted, complies or cheats in secret; detection
is a chance move, and so are a breakdown of talks after a counter-demand and the
proposer reneging after compliance; the proposer sees only the answer (and detected
cheating) and chooses whether to grant a counter-demand, stand firm or walk away,
and which fallback to take.  Payoffs come from :mod:`callbluff.game.payoffs`, the
single implementation of the formulas of docs/model.md.

References for the mechanisms: breakdown risk and delay after a counter-demand,
Binmore, Rubinstein & Wolinsky (1986) and Admati & Perry (1987); guarantees that
may not hold, Fearon (1995) and Powell (2006) (docs/sources.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from callbluff.game.payoffs import OutcomePayoffs, fallback_payoffs, renege_risk
from callbluff.game.tree import Game, GameBuilder
from callbluff.scenario.schema import Scenario

PROPOSER, TARGET = 0, 1

ACCEPT, REJECT, COMPLY, CHEAT, GRANT = "accept", "reject", "comply", "cheat", "grant"
FIRM = "stand firm"
COUNTER_PREFIX, WALK_PREFIX = "counter:", "walk:"
REJECTED = "rejected"
CHEATING_DETECTED = "cheating detected"
#: Outcome labels of compliance (``docs/model.md``, "The game tree").
COMPLY_KEPT, COMPLY_RENEGED = "comply", "comply, reneged"


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


def breakdown_infoset(counter_id: str) -> str:
    return f"talks broke down after {counter_id}"


def firm_infoset(type_id: str, counter_id: str) -> str:
    """The type's second answer (accept or reject) after the proposer stood firm."""
    return f"{type_id} after standing firm on {counter_id}"


def accepted_after_firm_infoset(type_id: str, counter_id: str) -> str:
    return f"{type_id} accepted after standing firm on {counter_id}"


def detected_after_firm_infoset(counter_id: str) -> str:
    return f"{CHEATING_DETECTED} after standing firm on {counter_id}"


def rejected_after_firm_infoset(counter_id: str) -> str:
    return f"{REJECTED} after standing firm on {counter_id}"


def offer_counter_demands(scenario: Scenario, offer_id: str) -> list[str]:
    """Counter-demands the target may make to this offer (default: all)."""
    offer = scenario.offer(offer_id)
    if offer.counter_demands is None:
        return [c.id for c in scenario.counter_demands]
    return list(offer.counter_demands)


def balk_counter_demands(scenario: Scenario, offer_id: str) -> list[str]:
    """The counter-demands of this offer that ask for another regime ("balks")."""
    return [x for x in offer_counter_demands(scenario, offer_id)
            if scenario.concession(x).balks]


def breakdown_risk(scenario: Scenario, offer_id: str) -> Fraction:
    """``π`` of the offer: its own ``breakdown_risk``, else the scenario's."""
    own = scenario.offer(offer_id).breakdown_risk
    return scenario.bargaining.breakdown_risk if own is None else own


@dataclass(frozen=True)
class Deal:
    """A package in force: its concessions, its regime, how many rounds after the
    offer it takes effect, and what the proposer paid besides (audience cost)."""

    package: tuple[str, ...]
    regime: str
    rounds_later: int = 0
    audience_cost: Fraction = Fraction(0)


def granted_deal(scenario: Scenario, offer_id: str, counter_id: str) -> Deal:
    """The deal after the proposer grants ``counter_id``: the offer's concessions
    without those the counter-demand drops, plus the counter-demand itself, under the
    regime it asks for (or the offer's), one round later; an offer declared final
    costs ``finality_cost`` to the proposer, discounted like the rest."""
    offer = scenario.offer(offer_id)
    x = scenario.concession(counter_id)
    package = (*(c for c in offer.concessions if c not in x.drops), counter_id)
    rounds = 1 if scenario.bargaining.costly_counters else 0
    cost = scenario.bargaining.finality_cost if offer.final else Fraction(0)
    return Deal(package, x.regime or offer.regime, rounds,
                scenario.time.discount**rounds * cost)


def compile_offer(scenario: Scenario, offer_id: str) -> Game:
    """The extensive-form game of one offer; players are (proposer, target)."""
    offer = scenario.offer(offer_id)
    counters = offer_counter_demands(scenario, offer_id)
    fallbacks = [f.id for f in scenario.fallbacks]
    pi = breakdown_risk(scenario, offer_id)
    builder = GameBuilder(
        title=f"{scenario.title}: offer {offer.id}",
        players=(scenario.proposer.name, scenario.target.name),
        comment=(
            f"callbluff scenario {scenario.id!r}, offer {offer.id!r}: package "
            f"{', '.join(offer.concessions) or '(none)'} under regime {offer.regime!r}. "
            "Model: docs/model.md."
        ),
    )
    now = Deal(tuple(offer.concessions), offer.regime)
    later = Deal(tuple(offer.concessions), offer.regime, 1)
    root = builder.chance(None, [(t.id, t.prior) for t in scenario.types], label="type")
    for target_type in scenario.types:
        theta = target_type.id
        # each deal's payoffs under every fallback, computed once per type
        pay_now = deal_payoffs(scenario, theta, now, fallbacks)
        pay_later = (deal_payoffs(scenario, theta, later, fallbacks)
                     if counters and scenario.bargaining.costly_counters else {})
        answer = builder.decision(
            root, TARGET, theta,
            [ACCEPT, *(counter_action(x) for x in counters), REJECT],
            label=theta,
        )
        _deal(builder, answer, scenario, pay_now, now, fallbacks, accepted_infoset(theta),
              CHEATING_DETECTED)
        for x in counters:
            granted = granted_deal(scenario, offer_id, x)
            pay_granted = deal_payoffs(scenario, theta, granted, fallbacks)
            if not scenario.bargaining.costly_counters:
                reply = builder.decision(answer, PROPOSER, counter_action(x),
                                         [GRANT, *(walk_action(f) for f in fallbacks)])
                _deal(builder, reply, scenario, pay_granted, granted, fallbacks,
                      granted_infoset(theta, x), detected_after_grant_infoset(x))
                # the first model's counter-demand: free, answered at once by a grant or
                # a walk (walking ends as a rejection of the offer now does)
                for f in fallbacks:
                    _no_deal(builder, reply, pay_now, f)
                continue
            talks = builder.chance(answer, [("breakdown", pi), ("talks go on", 1 - pi)],
                                   label=f"talks after {x}")
            broke = builder.decision(talks, PROPOSER, breakdown_infoset(x), fallbacks)
            for f in fallbacks:
                _no_deal(builder, broke, pay_later, f)
            reply = builder.decision(
                talks, PROPOSER, counter_action(x),
                [GRANT, FIRM, *(walk_action(f) for f in fallbacks)],
            )
            _deal(builder, reply, scenario, pay_granted, granted, fallbacks,
                  granted_infoset(theta, x), detected_after_grant_infoset(x))
            second = builder.decision(reply, TARGET, firm_infoset(theta, x), [ACCEPT, REJECT])
            _deal(builder, second, scenario, pay_later, later, fallbacks,
                  accepted_after_firm_infoset(theta, x), detected_after_firm_infoset(x))
            refused = builder.decision(second, PROPOSER, rejected_after_firm_infoset(x),
                                       fallbacks)
            for f in fallbacks:
                _no_deal(builder, refused, pay_later, f)
            for f in fallbacks:
                _no_deal(builder, reply, pay_later, f)
        rejected = builder.decision(answer, PROPOSER, REJECTED, fallbacks)
        for f in fallbacks:
            _no_deal(builder, rejected, pay_now, f)
    return builder.build()


def deal_payoffs(scenario: Scenario, theta: str, deal: Deal, fallback_ids: Sequence[str]
                 ) -> dict[str, OutcomePayoffs]:
    """The outcome payoffs of ``deal`` for type θ under each fallback, the audience
    cost included."""
    by_fallback = fallback_payoffs(scenario, theta, deal.package, deal.regime, fallback_ids,
                                   rounds_later=deal.rounds_later)
    if not deal.audience_cost:
        return by_fallback
    cost = deal.audience_cost

    def less(pair: tuple[Fraction, Fraction]) -> tuple[Fraction, Fraction]:
        return pair[0], pair[1] - cost

    return {f: OutcomePayoffs(comply=less(pay.comply), comply_reneged=less(pay.comply_reneged),
                              cheat_undetected=less(pay.cheat_undetected),
                              cheat_detected=less(pay.cheat_detected), no_deal=pay.no_deal)
            for f, pay in by_fallback.items()}


def _deal(
    builder: GameBuilder,
    parent: int,
    scenario: Scenario,
    by_fallback: Mapping[str, OutcomePayoffs],
    deal: Deal,
    fallbacks: Sequence[str],
    choice_infoset: str,
    detected_infoset: str,
) -> None:
    """The deal is in force (``by_fallback``: its payoffs, :func:`deal_payoffs`): the
    target complies (and the proposer may renege) or cheats (and may be detected)."""
    any_fallback: OutcomePayoffs = by_fallback[fallbacks[0]]
    choice = builder.decision(parent, TARGET, choice_infoset, [COMPLY, CHEAT])
    rho = renege_risk(scenario, deal.package)
    guarantees = builder.chance(choice, [("kept", 1 - rho), ("reneged", rho)],
                                label="guarantees")
    builder.terminal(guarantees, _ordered(any_fallback.comply), outcome=COMPLY_KEPT)
    builder.terminal(guarantees, _ordered(any_fallback.comply_reneged), outcome=COMPLY_RENEGED)
    detection = scenario.regime(deal.regime).detection
    inspection = builder.chance(
        choice, [("undetected", 1 - detection), ("detected", detection)], label="inspection"
    )
    builder.terminal(inspection, _ordered(any_fallback.cheat_undetected),
                     outcome="cheat, undetected")
    detected = builder.decision(inspection, PROPOSER, detected_infoset, list(fallbacks))
    for f in fallbacks:
        builder.terminal(detected, _ordered(by_fallback[f].cheat_detected),
                         outcome=f"cheat detected: {f}")


def _no_deal(builder: GameBuilder, parent: int, by_fallback: Mapping[str, OutcomePayoffs],
             fallback_id: str) -> None:
    builder.terminal(parent, _ordered(by_fallback[fallback_id].no_deal),
                     outcome=f"no deal: {fallback_id}")


def _ordered(target_proposer: tuple[Fraction, Fraction]) -> tuple[Fraction, Fraction]:
    """Payoff pairs are (target, proposer) in OutcomePayoffs; games list the proposer first."""
    target, proposer = target_proposer
    return proposer, target
