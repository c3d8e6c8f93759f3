"""The multi-round bargaining game of docs/model.md ("Talks that teach").

Rounds ``t = 0 … T−1``.  In each round the proposer makes one of the offers allowed
in that round, or none ("talks only"); every type still unsettled accepts or refuses
(offers are take it or leave it here); an acceptance ends the game with compliance or
cheating and detection as in the one-round game; a refusal costs a round of talks
(a per-round flow) and moves the game on with a grown arsenal; a refusal in the last
round ends in no deal under a fallback.  All payoffs are present values at round 0,
exact, from :mod:`callbluff.game.payoffs` (``outcome_payoffs(rounds_later=t)`` is the
value at round 0 of an outcome at round ``t``).

:func:`compile_talks` writes the whole game as an extensive form; it is meant for
small games (the tests export two rounds and two types to ``.efg`` for pygambit):
the solver (:mod:`callbluff.solve.talks`) never builds the tree.

References: Sobel & Takahashi (1983) and Fudenberg, Levine & Tirole (1985) for the
uninformed party making offers over rounds and skimming the types that settle
first; Powell (2004, 2006) and Debs & Monteiro (2014) for bargaining while the
arsenal (the outside option) grows (docs/sources.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from callbluff.game.payoffs import (
    OutcomePayoffs,
    arsenal_value,
    fallback_payoffs,
    growth_factors,
    outcome_payoffs,
    renege_risk,
    status_quo,
)
from callbluff.game.tree import Game, GameBuilder
from callbluff.scenario.schema import Scenario

PROPOSER, TARGET = 0, 1
NO_OFFER = "no offer"
ACCEPT, REFUSE, COMPLY, CHEAT = "accept", "refuse", "comply", "cheat"

#: (target, proposer) present values at round 0.
Pair = tuple[Fraction, Fraction]


@dataclass(frozen=True)
class TalksSetup:
    """What the talks game is played over: the horizon ``T``, the offers allowed in
    each round (``NO_OFFER`` always among them), the types of positive prior and
    their prior weights."""

    horizon: int
    offers_by_round: tuple[tuple[str, ...], ...]
    types: tuple[str, ...]
    prior: Mapping[str, Fraction]


def talk_offers(s: Scenario) -> list[str]:
    """Offers used in the talks game, each played as take it or leave it
    (counter-demands are not part of the talks game): every offer of the scenario
    except one with the same package, regime and freeze flag as an earlier one
    (``all-in`` and ``all-in-negotiable`` are then the same offer)."""
    seen: set[tuple[frozenset[str], str, bool]] = set()
    out: list[str] = []
    for o in s.offers:
        key = (frozenset(o.concessions), o.regime, o.freeze)
        if key not in seen:
            seen.add(key)
            out.append(o.id)
    return out


#: Largest horizon of a scenario without a ``talks`` block (the unrestricted game of
#: the five-type default takes seconds there: benchmarks/bench_talks.py).
DEFAULT_HORIZON = 6


def horizon(s: Scenario) -> int:
    """``talks.horizon``, else ``min(time.rounds + 1, DEFAULT_HORIZON)``."""
    if s.talks is not None:
        return s.talks.horizon
    return max(1, min(s.time.rounds + 1, DEFAULT_HORIZON))


def talks_setup(s: Scenario, *, rounds: int | None = None,
                offers_by_round: Sequence[Sequence[str]] | None = None) -> TalksSetup:
    """The scenario's talks game; ``rounds`` overrides the horizon and
    ``offers_by_round`` the offers allowed in each round (a plan fixes one offer a
    round).  Types of prior 0 are left out: the proposer's belief never weighs them."""
    big_t = horizon(s) if rounds is None else rounds
    if big_t < 1:
        raise ValueError(f"the talks game needs at least one round, got {big_t}")
    if offers_by_round is None:
        windows = s.talks.rounds if s.talks is not None else {}
        offers = talk_offers(s)
        allowed = tuple((*(o for o in offers if o not in windows or t in windows[o]),
                         NO_OFFER) for t in range(big_t))
    else:
        if len(offers_by_round) != big_t:
            raise ValueError(f"{len(offers_by_round)} rounds of offers for a horizon of "
                             f"{big_t}")
        known = {o.id for o in s.offers} | {NO_OFFER}
        for choice in offers_by_round:
            for o in choice:
                if o not in known:
                    raise KeyError(f"scenario {s.id!r} has no offer {o!r}")
        allowed = tuple(tuple(choice) for choice in offers_by_round)
    types = tuple(t.id for t in s.types if t.prior > 0)
    return TalksSetup(big_t, allowed, types, {t.id: t.prior for t in s.types if t.prior > 0})


def arsenal_multiplier(s: Scenario, t: int) -> Fraction:
    """How many times today's value the arsenal is worth at round ``t``
    (``min((1+g)^t, n̄)``, :func:`callbluff.game.payoffs.growth_factors`)."""
    return growth_factors(s, t)[0]


def stock(s: Scenario, t: int) -> Fraction:
    """``n_t = (1+g)^t``: the stock at round ``t`` in units of today's."""
    return (1 + s.time.arsenal_growth) ** t


def deal_values(s: Scenario, theta: str, offer_id: str, t: int, detection_fallback: str
                ) -> tuple[Pair, Pair]:
    """(comply, cheat): the expected (target, proposer) values of type θ accepting
    ``offer_id`` at round ``t`` and then complying (the proposer reneging with
    ``ρ``) or cheating (detected with ``d``, the proposer then taking
    ``detection_fallback``)."""
    offer = s.offer(offer_id)
    pay = outcome_payoffs(s, theta, offer.concessions, offer.regime, detection_fallback,
                          rounds_later=t)
    return (pay.comply_expected(renege_risk(s, offer.concessions)),
            pay.cheat_expected(s.regime(offer.regime).detection))


#: A freeze in force: the freeze offer and the round it was accepted in.
Freeze = tuple[str, int]


def is_freeze(s: Scenario, offer_id: str) -> bool:
    return offer_id != NO_OFFER and s.offer(offer_id).freeze


def allowed_offers(s: Scenario, setup: TalksSetup, t: int, frozen: Freeze | None
                   ) -> tuple[str, ...]:
    """The offers of round ``t``; under a freeze no freeze offer is made again (a
    schedule that has one then makes no offer that round)."""
    offers = setup.offers_by_round[t]
    if frozen is None:
        return offers
    kept = tuple(o for o in offers if not is_freeze(s, o))
    return kept or (NO_OFFER,)


def interim_freeze(s: Scenario, setup: TalksSetup, offer_id: str, t: int,
                   frozen: Freeze | None) -> bool:
    """Whether accepting ``offer_id`` in round ``t`` freezes the arsenal and lets the
    talks go on (a freeze offer before the last round, no freeze yet); in the last
    round a freeze is a deal like any other."""
    return frozen is None and is_freeze(s, offer_id) and t < setup.horizon - 1


def settle_values(s: Scenario, theta: str, offer_id: str, t: int, frozen: Freeze | None,
                  detection_fallback: str) -> tuple[Pair, Pair]:
    """:func:`deal_values` of a deal made in round ``t``, the arsenal grown to round
    ``t`` or, under a freeze, to the round it was frozen in: ``δ^(t−a)`` times the
    values at round ``a``."""
    frozen_at = t if frozen is None else frozen[1]
    comply, cheat = deal_values(s, theta, offer_id, frozen_at, detection_fallback)
    w = s.time.discount ** (t - frozen_at)
    return (w * comply[0], w * comply[1]), (w * cheat[0], w * cheat[1])


def freeze_value(s: Scenario, theta: str, t: int, frozen: Freeze) -> Pair:
    """The freeze for ever from round ``t``: its comply value (a lump sum) at round 0."""
    offer_id, frozen_at = frozen
    comply = deal_values(s, theta, offer_id, frozen_at, s.fallbacks[0].id)[0]
    w = s.time.discount ** (t - frozen_at)
    return w * comply[0], w * comply[1]


def round_flow(s: Scenario, theta: str, t: int, frozen: Freeze | None) -> Pair:
    """One round ``t`` without a (new) deal: :func:`talks_flow`, or under a freeze the
    freeze's flow ``(1−δ)·`` its comply value, plus the talks' own payoffs."""
    if frozen is None:
        return talks_flow(s, theta, t)
    delta = s.time.discount
    lump = freeze_value(s, theta, t, frozen)
    return ((1 - delta) * lump[0] + delta**t * s.time.talks_target,
            (1 - delta) * lump[1] + delta**t * s.time.talks_proposer)


def no_deal_value(s: Scenario, theta: str, t: int, fallback_id: str) -> Pair:
    """No deal from round ``t`` on, under ``fallback_id``: ``δ^t·(A_θ(t) + q_θ +
    f_T(θ), −H_θ(t) + f_P(θ))``."""
    pay = outcome_payoffs(s, theta, (), s.regimes[0].id, fallback_id, rounds_later=t)
    return pay.no_deal


def talks_flow(s: Scenario, theta: str, t: int) -> Pair:
    """One round ``t`` of talks with type θ, at round 0: ``δ^t·((1−δ)(A_θ(t) + q_θ) +
    talks_target, (1−δ)(−H_θ(t)) + talks_proposer)``.

    A lump-sum value ``X`` of the outcome table is the present value of the flow
    ``(1−δ)X`` a round for ever; during talks the status quo (arsenal kept, harm
    suffered, no fallback yet) flows at that rate, plus the talks' own payoffs."""
    delta = s.time.discount
    value_growth, harm_growth = growth_factors(s, t)
    keep = arsenal_value(s, theta) * value_growth + status_quo(s, theta)
    harm = s.target_type(theta).arsenal_harm * harm_growth
    weight = delta**t
    return (weight * ((1 - delta) * keep + s.time.talks_target),
            weight * (-(1 - delta) * harm + s.time.talks_proposer))


def best_fallbacks(s: Scenario, weights: Mapping[str, Fraction]) -> tuple[str, ...]:
    """Every fallback maximising ``Σ_θ weights[θ]·f_P(θ)`` (all of them tie when the
    weights are empty), in scenario order.  Only ``f_P`` depends on the fallback in
    the proposer's payoffs of no deal and of detected cheating."""
    values = {f.id: sum((w * f.proposer[t] for t, w in weights.items()), Fraction(0))
              for f in s.fallbacks}
    top = max(values.values())
    return tuple(f for f, v in values.items() if v == top)


def subsets(items: Iterable[str]) -> list[frozenset[str]]:
    """Every subset of ``items`` (the empty one first)."""
    out: list[frozenset[str]] = [frozenset()]
    for item in items:
        out += [group | {item} for group in out]
    return out


# -- the extensive form (small games only) --------------------------------------------

def history_text(history: Sequence[str]) -> str:
    """Public history of refused offers, as used in information-set labels."""
    return "start" if not history else "refused " + " / ".join(history)


def proposer_infoset(t: int, history: Sequence[str]) -> str:
    return f"round {t}, {history_text(history)}"


def answer_infoset(theta: str, t: int, offer_id: str, history: Sequence[str]) -> str:
    return f"{theta}: round {t} offer {offer_id}, {history_text(history)}"


def compliance_infoset(theta: str, t: int, offer_id: str, history: Sequence[str]) -> str:
    return f"{theta}: accepted {offer_id} in round {t}, {history_text(history)}"


def detection_infoset(t: int, offer_id: str, history: Sequence[str]) -> str:
    return f"cheating detected: {offer_id} in round {t}, {history_text(history)}"


def no_deal_infoset(history: Sequence[str]) -> str:
    return f"no deal, {history_text(history)}"


def accepted_freeze(offer_id: str) -> str:
    """The history entry of an accepted freeze (the proposer sees it)."""
    return f"accepted {offer_id}"


def compile_talks(s: Scenario, setup: TalksSetup) -> Game:
    """The whole talks game as an extensive form (players: proposer, target).  The
    size grows as (offers)^T·types: for small games and pygambit only."""
    builder = GameBuilder(
        title=f"{s.title}: talks over {setup.horizon} rounds",
        players=(s.proposer.name, s.target.name),
        comment=f"callbluff scenario {s.id!r}, talks game (docs/model.md, 'Talks that teach')",
    )
    total = sum(setup.prior.values(), Fraction(0))
    root = builder.chance(None, [(t, setup.prior[t] / total) for t in setup.types],
                          label="type")
    for theta in setup.types:
        _round(builder, s, setup, root, theta, 0, (), (Fraction(0), Fraction(0)), None)
    return builder.build()


def _round(builder: GameBuilder, s: Scenario, setup: TalksSetup, parent: int, theta: str,
           t: int, history: tuple[str, ...], paid: Pair, frozen: Freeze | None) -> None:
    offers = allowed_offers(s, setup, t, frozen)
    node = builder.decision(parent, PROPOSER, proposer_infoset(t, history), list(offers))
    last = t == setup.horizon - 1
    fallbacks = [f.id for f in s.fallbacks]
    for offer_id in offers:
        if offer_id == NO_OFFER:
            refused_at = node
        else:
            answer = builder.decision(node, TARGET, answer_infoset(theta, t, offer_id, history),
                                      [ACCEPT, REFUSE])
            if interim_freeze(s, setup, offer_id, t, frozen):
                new: Freeze = (offer_id, t)
                _round(builder, s, setup, answer, theta, t + 1,
                       (*history, accepted_freeze(offer_id)),
                       _plus(paid, round_flow(s, theta, t, new)), new)
            else:
                _accepted(builder, s, answer, theta, t, offer_id, history, paid, fallbacks,
                          frozen)
            refused_at = answer
        later = (*history, offer_id)
        if last and frozen is not None:
            builder.terminal(refused_at, _ordered(_plus(paid, freeze_value(s, theta, t, frozen))),
                             outcome="the freeze stands")
        elif last:
            end = builder.decision(refused_at, PROPOSER, no_deal_infoset(later), fallbacks)
            for f in fallbacks:
                builder.terminal(end, _ordered(_plus(paid, no_deal_value(s, theta, t, f))),
                                 outcome=f"no deal: {f}")
        else:
            _round(builder, s, setup, refused_at, theta, t + 1, later,
                   _plus(paid, round_flow(s, theta, t, frozen)), frozen)


def _accepted(builder: GameBuilder, s: Scenario, answer: int, theta: str, t: int,
              offer_id: str, history: tuple[str, ...], paid: Pair,
              fallbacks: Sequence[str], frozen: Freeze | None) -> None:
    offer = s.offer(offer_id)
    choice = builder.decision(answer, TARGET, compliance_infoset(theta, t, offer_id, history),
                              [COMPLY, CHEAT])
    # Under a freeze the arsenal stopped growing in the round it was frozen in.
    frozen_at = t if frozen is None else frozen[1]
    w = s.time.discount ** (t - frozen_at)
    by_fallback = {f: _scaled(pay, w) for f, pay in fallback_payoffs(
        s, theta, offer.concessions, offer.regime, fallbacks, rounds_later=frozen_at).items()}
    first = by_fallback[fallbacks[0]]
    rho = renege_risk(s, offer.concessions)
    kept = builder.chance(choice, [("kept", 1 - rho), ("reneged", rho)], label="guarantees")
    builder.terminal(kept, _ordered(_plus(paid, first.comply)), outcome="comply")
    builder.terminal(kept, _ordered(_plus(paid, first.comply_reneged)),
                     outcome="comply, reneged")
    d = s.regime(offer.regime).detection
    inspection = builder.chance(choice, [("undetected", 1 - d), ("detected", d)],
                                label="inspection")
    builder.terminal(inspection, _ordered(_plus(paid, first.cheat_undetected)),
                     outcome="cheat, undetected")
    detected = builder.decision(inspection, PROPOSER, detection_infoset(t, offer_id, history),
                                list(fallbacks))
    for f in fallbacks:
        builder.terminal(detected, _ordered(_plus(paid, by_fallback[f].cheat_detected)),
                         outcome=f"cheat detected: {f}")


def _scaled(pay: OutcomePayoffs, w: Fraction) -> OutcomePayoffs:
    def times(pair: Pair) -> Pair:
        return w * pair[0], w * pair[1]

    return OutcomePayoffs(comply=times(pay.comply), comply_reneged=times(pay.comply_reneged),
                          cheat_undetected=times(pay.cheat_undetected),
                          cheat_detected=times(pay.cheat_detected),
                          no_deal=times(pay.no_deal))


def _plus(a: Pair, b: Pair) -> Pair:
    return a[0] + b[0], a[1] + b[1]


def _ordered(target_proposer: Pair) -> tuple[Fraction, Fraction]:
    """Games list the proposer first."""
    return target_proposer[1], target_proposer[0]
