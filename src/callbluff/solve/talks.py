"""Exact equilibria of the talks game (docs/model.md, "Talks that teach") by
backward induction over the proposer's belief states.

Reduction.  The proposer sees only offers and refusals, and every type answers
purely, so after any public history the proposer's belief is the prior restricted
to a set ``U`` of types still unsettled (skimming: Sobel & Takahashi 1983,
Fudenberg, Levine & Tirole 1985; [sobel-takahashi1983], [flt1985] in
docs/sources.md).  A state is ``(U, t)`` (with the freeze in force, if any: a
freeze accepted before the last round sends its acceptors to a frozen state of
their own).  For each state and each
offer allowed in round ``t`` the solver enumerates every *round play*: the set
``A ⊆ U`` that accepts, the cheaters ``K ⊆ A``, the proposer's fallback after
detected cheating (a best reply to the prior on ``K``), and the continuation after
a refusal — an equilibrium of ``(U∖A, t+1)``, or in the last round a fallback that
is a best reply to the prior on ``U∖A``.  A round play is kept iff every type's
answer is a best reply: θ ∈ A iff accepting (its better of complying and cheating)
is worth at least refusing (a round of talks plus its value along the
continuation).  Types outside ``U`` (a type that refused when it was expected to
accept) stop optimally along the continuation's path of offers, so every type's
continuation value is defined.  An unexpected event (a refusal when all of ``U``
accept, detected cheating when no one cheats) may be followed by the prior
restricted to any non-empty ``U' ⊆ U``.

The proposer's choice.  A round play of offer ``o`` is an equilibrium of the state
iff its value to the proposer (prior on ``U``) is at least every other allowed
offer's *worst* round play (the answers that punish the deviation).

Limits (documented in docs/algorithms.md): answers are pure (a type that mixes
between accepting and refusing is not searched); off-path beliefs are restricted to
priors on subsets; an offer none of whose round plays is consistent is reported in
``no_pure_answers`` and left out of the proposer's comparison, so equilibria found
in a state with such an offer are equilibria only if that offer's (mixed) answers
would not pay the proposer more.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction

from callbluff.errors import check_deadline
from callbluff.game.talks import (
    ACCEPT,
    CHEAT,
    COMPLY,
    NO_OFFER,
    REFUSE,
    Freeze,
    TalksSetup,
    accepted_freeze,
    allowed_offers,
    answer_infoset,
    best_fallbacks,
    compliance_infoset,
    detection_infoset,
    freeze_value,
    interim_freeze,
    no_deal_infoset,
    no_deal_value,
    proposer_infoset,
    round_flow,
    settle_values,
    subsets,
)
from callbluff.scenario.schema import Scenario

__all__ = ["Plan", "RoundPlay", "TalksSolution", "plan_behaviour", "solve_talks"]


@dataclass(frozen=True)
class RoundPlay:
    """One round at state ``(unsettled, round)`` after ``offer``: who accepts, who of
    them cheats, the fallback after detected cheating, and what follows a refusal
    (``final_fallback`` in the last round, else the equilibrium ``next`` of the
    following state).  Values are present values at round 0: ``target_values`` for
    every type of the game (a type outside ``unsettled`` stops optimally along this
    path), ``proposer_values`` for the types in ``unsettled``.  ``cheat_preferred``:
    the types (of the whole game) that would rather cheat than comply on accepting.
    The proposer's beliefs (the prior restricted to these types): after detected
    cheating ``detection_belief`` (the cheaters, or off the path a set the fallback
    answers), after a refusal ``refusal_belief`` (the refusers, or off the path a
    set its continuation answers).  ``frozen``: the freeze in force in this state;
    ``freeze_next``: after an accepted freeze offer (before the last round), the
    equilibrium of the frozen state of the acceptors (``freeze_belief``)."""

    round: int
    offer: str
    unsettled: frozenset[str]
    accepting: frozenset[str]
    cheating: frozenset[str]
    detection_fallback: str | None
    final_fallback: str | None
    next: Plan | None
    target_values: Mapping[str, Fraction]
    proposer_values: Mapping[str, Fraction]
    accept_values: Mapping[str, Fraction]
    refuse_values: Mapping[str, Fraction]
    cheat_preferred: frozenset[str]
    proposer_value: Fraction
    detection_belief: frozenset[str] = frozenset()
    refusal_belief: frozenset[str] = frozenset()
    frozen: Freeze | None = None
    freeze_next: Plan | None = None
    freeze_belief: frozenset[str] = frozenset()

    @property
    def refusing(self) -> frozenset[str]:
        return self.unsettled - self.accepting


@dataclass(frozen=True)
class Plan:
    """An equilibrium of the game from state ``(unsettled, round)``: the offer made
    and its answers (``play``), and for every other offer allowed in the round the
    answers that make it no better for the proposer (``deviations``)."""

    round: int
    unsettled: frozenset[str]
    play: RoundPlay
    deviations: tuple[RoundPlay, ...]
    frozen: Freeze | None = None

    @property
    def proposer_value(self) -> Fraction:
        """The proposer's expected value at round 0, conditional on the state."""
        return self.play.proposer_value

    def path(self) -> list[RoundPlay]:
        """The round plays along the path of play (refusals continue it)."""
        out = [self.play]
        while out[-1].next is not None and out[-1].refusing:
            out.append(out[-1].next.play)
        return out


@dataclass(frozen=True)
class TalksSolution:
    """Every equilibrium (pure answers) of the talks game from the prior, distinct
    in the values they give; the states searched; and the (round, unsettled, offer)
    triples whose answers have no pure equilibrium (see the module's limits)."""

    setup: TalksSetup
    equilibria: tuple[Plan, ...]
    states: int
    no_pure_answers: tuple[tuple[int, tuple[str, ...], str], ...] = field(default=())

    @property
    def proposer_worst(self) -> Plan:
        return min(self.equilibria, key=lambda p: p.proposer_value)

    @property
    def proposer_best(self) -> Plan:
        return max(self.equilibria, key=lambda p: p.proposer_value)


def solve_talks(s: Scenario, setup: TalksSetup) -> TalksSolution:
    """All equilibria of the talks game ``setup`` of scenario ``s`` (see the module)."""
    return _Solver(s, setup).solve()


class _Solver:
    def __init__(self, s: Scenario, setup: TalksSetup) -> None:
        self.s = s
        self.setup = setup
        self.types = setup.types
        self.fallbacks = tuple(f.id for f in s.fallbacks)
        self.memo: dict[tuple[frozenset[str], int, Freeze | None], tuple[Plan, ...]] = {}
        self.no_pure: list[tuple[int, tuple[str, ...], str]] = []
        self._deal: dict[tuple[str, str, int, Freeze | None, str],
                         tuple[tuple[Fraction, Fraction], tuple[Fraction, Fraction]]] = {}
        self._best: dict[frozenset[str], tuple[str, ...]] = {}
        self._flow: dict[tuple[str, int, Freeze | None], tuple[Fraction, Fraction]] = {}
        self._no_deal: dict[tuple[str, int, str], tuple[Fraction, Fraction]] = {}
        self._kept: dict[tuple[str, int, Freeze], tuple[Fraction, Fraction]] = {}

    def solve(self) -> TalksSolution:
        found = self.equilibria(frozenset(self.types), 0)
        return TalksSolution(self.setup, found, len(self.memo), tuple(self.no_pure))

    # -- cached pieces --------------------------------------------------------
    def best(self, group: frozenset[str]) -> tuple[str, ...]:
        if group not in self._best:
            self._best[group] = best_fallbacks(
                self.s, {t: self.setup.prior[t] for t in self.types if t in group})
        return self._best[group]

    def replies(self, believed: frozenset[str], unsettled: frozenset[str]
                ) -> list[tuple[str, frozenset[str]]]:
        """(fallback, belief) pairs: the best replies to the prior on ``believed``
        when it is not empty (the event is on the path), else, off the path, every
        fallback that is a best reply to the prior on some non-empty subset of
        ``unsettled``, with the first such subset."""
        if believed:
            return [(f, believed) for f in self.best(believed)]
        out: list[tuple[str, frozenset[str]]] = []
        for f in self.fallbacks:
            support = next((sub for sub in subsets(sorted(unsettled))
                            if sub and f in self.best(sub)), None)
            if support is not None:
                out.append((f, support))
        return out

    def deal(self, theta: str, offer: str, t: int, frozen: Freeze | None, f: str
             ) -> tuple[tuple[Fraction, Fraction], tuple[Fraction, Fraction]]:
        key = (theta, offer, t, frozen, f)
        if key not in self._deal:
            self._deal[key] = settle_values(self.s, theta, offer, t, frozen, f)
        return self._deal[key]

    def flow(self, theta: str, t: int, frozen: Freeze | None) -> tuple[Fraction, Fraction]:
        if (theta, t, frozen) not in self._flow:
            self._flow[theta, t, frozen] = round_flow(self.s, theta, t, frozen)
        return self._flow[theta, t, frozen]

    def value(self, group: frozenset[str], proposer: Mapping[str, Fraction]) -> Fraction:
        weight = sum((self.setup.prior[t] for t in group), Fraction(0))
        return sum((self.setup.prior[t] * proposer[t] for t in group), Fraction(0)) / weight

    # -- the recursion ------------------------------------------------------------
    def equilibria(self, unsettled: frozenset[str], t: int, frozen: Freeze | None = None
                   ) -> tuple[Plan, ...]:
        key = (unsettled, t, frozen)
        if key in self.memo:
            return self.memo[key]
        check_deadline()  # a computation abandoned in a worker thread ends here
        by_offer: dict[str, list[RoundPlay]] = {}
        for offer in allowed_offers(self.s, self.setup, t, frozen):
            plays = self.round_plays(unsettled, t, offer, frozen)
            if plays:
                by_offer[offer] = plays
            else:
                self.no_pure.append((t, tuple(sorted(unsettled)), offer))
        worst = {o: min(plays, key=lambda p: p.proposer_value) for o, plays in by_offer.items()}
        threat = max((w.proposer_value for w in worst.values()), default=None)
        plans: dict[tuple[Fraction, ...], Plan] = {}
        for offer, plays in by_offer.items():
            deviations = tuple(w for o, w in worst.items() if o != offer)
            for play in plays:
                assert threat is not None
                if play.proposer_value < threat:
                    continue
                signature = (*(play.target_values[θ] for θ in self.types),
                             *(play.proposer_values[θ] for θ in sorted(unsettled)))
                plans.setdefault(signature, Plan(t, unsettled, play, deviations, frozen))
        found = tuple(plans.values())
        self.memo[key] = found
        return found

    def continuations(self, refusing: frozenset[str], unsettled: frozenset[str], t: int,
                      frozen: Freeze | None
                      ) -> list[tuple[str | None, Plan | None, frozenset[str]]]:
        """What may follow a refusal, with the proposer's belief then: (final
        fallback, None, belief) in the last round (under a freeze: (None, None,
        belief), the freeze stands), else (None, an equilibrium of the next state,
        its types)."""
        if t == self.setup.horizon - 1:
            if frozen is not None:
                return [(None, None, refusing or unsettled)]
            return [(f, None, b) for f, b in self.replies(refusing, unsettled)]
        return self.next_plans(refusing, unsettled, t + 1, frozen)

    def next_plans(self, believed: frozenset[str], unsettled: frozenset[str], t: int,
                   frozen: Freeze | None
                   ) -> list[tuple[str | None, Plan | None, frozenset[str]]]:
        """The equilibria of state ``(believed, t)``; off the path (``believed``
        empty) those of every non-empty subset of ``unsettled``."""
        if believed:
            return [(None, p, believed) for p in self.equilibria(believed, t, frozen)]
        return [(None, p, sub) for sub in subsets(sorted(unsettled)) if sub
                for p in self.equilibria(sub, t, frozen)]

    def refusal(self, theta: str, t: int, final: str | None, then: Plan | None,
                frozen: Freeze | None) -> tuple[Fraction, Fraction]:
        """(target, proposer) value of type θ refusing in round t."""
        if then is None and frozen is not None:
            if (theta, t, frozen) not in self._kept:
                self._kept[theta, t, frozen] = freeze_value(self.s, theta, t, frozen)
            return self._kept[theta, t, frozen]
        if then is None:
            assert final is not None
            if (theta, t, final) not in self._no_deal:
                self._no_deal[theta, t, final] = no_deal_value(self.s, theta, t, final)
            return self._no_deal[theta, t, final]
        flow = self.flow(theta, t, frozen)
        # The proposer's value exists for the next state's types; for any other type
        # (one that accepts now, or a state with no refuser) it is never read.
        proposer = then.play.proposer_values.get(theta, Fraction(0))
        return flow[0] + then.play.target_values[theta], flow[1] + proposer

    def round_plays(self, unsettled: frozenset[str], t: int, offer: str,
                    frozen: Freeze | None) -> list[RoundPlay]:
        if interim_freeze(self.s, self.setup, offer, t, frozen):
            return self.freeze_plays(unsettled, t, offer)
        out: list[RoundPlay] = []
        groups = [frozenset()] if offer == NO_OFFER else subsets(sorted(unsettled))
        detections: tuple[str | None, ...] = (None,) if offer == NO_OFFER else self.fallbacks
        none: frozenset[str] = frozenset()
        for accepting in groups:
            refusing = unsettled - accepting
            conts = self.continuations(refusing, unsettled, t, frozen)
            for f_det in detections:
                accept: dict[str, Fraction] = {}
                accept_proposer: dict[str, tuple[Fraction, Fraction]] = {}
                prefers_cheat: set[str] = set()
                ties: list[str] = []
                if f_det is not None:
                    for θ in self.types:
                        (c_t, c_p), (h_t, h_p) = self.deal(θ, offer, t, frozen, f_det)
                        accept[θ] = max(c_t, h_t)
                        accept_proposer[θ] = (c_p, h_p)
                        if h_t > c_t:
                            prefers_cheat.add(θ)
                        elif h_t == c_t and θ in accepting:
                            ties.append(θ)
                sure = frozenset(prefers_cheat & accepting)
                for tied in itertools.product((False, True), repeat=len(ties)):
                    cheating = sure | {θ for θ, c in zip(ties, tied, strict=True) if c}
                    detection_belief = none
                    if f_det is not None:
                        found = dict(self.replies(cheating, unsettled))
                        if f_det not in found:
                            continue
                        detection_belief = found[f_det]
                    for final, then, refusal_belief in conts:
                        play = self._check(unsettled, t, offer, accepting, cheating, f_det,
                                           final, then, accept, accept_proposer,
                                           frozenset(prefers_cheat), frozen)
                        if play is not None:
                            out.append(replace(play, detection_belief=detection_belief,
                                               refusal_belief=refusal_belief))
        return out

    def _check(self, unsettled: frozenset[str], t: int, offer: str,
               accepting: frozenset[str], cheating: frozenset[str], f_det: str | None,
               final: str | None, then: Plan | None, accept: Mapping[str, Fraction],
               accept_proposer: Mapping[str, tuple[Fraction, Fraction]],
               prefers_cheat: frozenset[str], frozen: Freeze | None) -> RoundPlay | None:
        refuse: dict[str, Fraction] = {}
        target: dict[str, Fraction] = {}
        proposer: dict[str, Fraction] = {}
        for θ in self.types:
            r_t, r_p = self.refusal(θ, t, final, then, frozen)
            refuse[θ] = r_t
            a = accept.get(θ)
            if θ in unsettled:
                if θ in accepting:
                    assert a is not None
                    if a < r_t:
                        return None
                    comply_p, cheat_p = accept_proposer[θ]
                    proposer[θ] = cheat_p if θ in cheating else comply_p
                else:
                    if a is not None and a > r_t:
                        return None
                    proposer[θ] = r_p
            target[θ] = r_t if a is None else max(a, r_t)
        return RoundPlay(
            round=t, offer=offer, unsettled=unsettled, accepting=accepting,
            cheating=cheating, detection_fallback=f_det, final_fallback=final, next=then,
            target_values=target, proposer_values=proposer, accept_values=dict(accept),
            refuse_values=refuse, cheat_preferred=prefers_cheat,
            proposer_value=self.value(unsettled, proposer), frozen=frozen)

    def freeze_plays(self, unsettled: frozenset[str], t: int, offer: str) -> list[RoundPlay]:
        """Round plays of a freeze offer before the last round: the acceptors go on
        under the freeze (its flow this round, then an equilibrium of their frozen
        state); no one cheats on a freeze (docs/model.md, limits)."""
        new: Freeze = (offer, t)
        none: frozenset[str] = frozenset()
        out: list[RoundPlay] = []
        for accepting in subsets(sorted(unsettled)):
            conts = self.continuations(unsettled - accepting, unsettled, t, None)
            for _, frozen_plan, freeze_belief in self.next_plans(accepting, unsettled, t + 1,
                                                                 new):
                assert frozen_plan is not None
                accept: dict[str, Fraction] = {}
                accept_proposer: dict[str, tuple[Fraction, Fraction]] = {}
                for θ in self.types:
                    flow_t, flow_p = self.flow(θ, t, new)
                    accept[θ] = flow_t + frozen_plan.play.target_values[θ]
                    # Only the acceptors' proposer values are read (see refusal()).
                    p = flow_p + frozen_plan.play.proposer_values.get(θ, Fraction(0))
                    accept_proposer[θ] = (p, p)
                for final, then, refusal_belief in conts:
                    play = self._check(unsettled, t, offer, accepting, none, None, final,
                                       then, accept, accept_proposer, none, None)
                    if play is not None:
                        out.append(replace(play, refusal_belief=refusal_belief,
                                           freeze_next=frozen_plan,
                                           freeze_belief=freeze_belief))
        return out


def plan_behaviour(plan: Plan, types: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """The plan as a pure behaviour profile of the extensive form of
    :func:`callbluff.game.talks.compile_talks`: information-set label → action, at
    every information set the plan reaches after any public history (the proposer's
    deviations included).  A type outside the unsettled set answers by its best
    reply (accept when accepting is worth at least refusing; cheat when strictly
    better)."""
    out: dict[str, dict[str, str]] = {}
    _assign_plan(plan, (), types, out)
    return out


def _assign_plan(plan: Plan, history: tuple[str, ...], types: tuple[str, ...],
                 out: dict[str, dict[str, str]]) -> None:
    out.setdefault("proposer", {})[proposer_infoset(plan.round, history)] = plan.play.offer
    for play in (plan.play, *plan.deviations):
        _assign_round(play, history, types, out)


def _assign_round(play: RoundPlay, history: tuple[str, ...], types: tuple[str, ...],
                  out: dict[str, dict[str, str]]) -> None:
    t, offer = play.round, play.offer
    chosen = out.setdefault("proposer", {})
    answers = out.setdefault("target", {})
    if play.freeze_next is not None:
        for θ in types:
            accepts = (θ in play.accepting if θ in play.unsettled
                       else play.accept_values[θ] >= play.refuse_values[θ])
            answers[answer_infoset(θ, t, offer, history)] = ACCEPT if accepts else REFUSE
        _assign_plan(play.freeze_next, (*history, accepted_freeze(offer)), types, out)
    elif offer != NO_OFFER:
        for θ in types:
            if θ in play.unsettled:
                accepts = θ in play.accepting
            else:
                accepts = play.accept_values[θ] >= play.refuse_values[θ]
            answers[answer_infoset(θ, t, offer, history)] = ACCEPT if accepts else REFUSE
            cheats = (θ in play.cheating) if θ in play.accepting else (θ in play.cheat_preferred)
            answers[compliance_infoset(θ, t, offer, history)] = CHEAT if cheats else COMPLY
        assert play.detection_fallback is not None
        chosen[detection_infoset(t, offer, history)] = play.detection_fallback
    later = (*history, offer)
    if play.final_fallback is not None:
        chosen[no_deal_infoset(later)] = play.final_fallback
    elif play.next is not None:
        _assign_plan(play.next, later, types, out)
