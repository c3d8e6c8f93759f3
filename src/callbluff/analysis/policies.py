"""Time and stalling: "all in now" against more rounds of talks while the arsenal
grows (docs/design.md, "Time").

Model.  Round ``t = 0, 1, …, T`` (``T = time.rounds``).  After ``t`` rounds of talks
the arsenal's motive values are ``a·(1+g)^t`` and every type's harm is
``H_θ·(1+h)^t`` (:func:`grow`); everything else is unchanged.  A round of talks pays
``talks_proposer`` / ``talks_target`` and payoffs of round ``r`` are discounted by
``δ^r``.  Policies compared, for the proposer (and, for the record, each type):

* **all in now**: offer the bargain at round 0, value ``V_0 = R(0)``;
* **talks for t rounds, then all in** (t = 1..T):
  ``V_t = Σ_{r<t} δ^r · talks + δ^t · R(t)``;
* **talks forever / status quo**: talks for ``T`` rounds, then no deal with the
  grown arsenal: ``Σ_{r<T} δ^r · talks + δ^T · N(T)``, where ``N`` is the no-deal
  payoff of ``docs/model.md`` under the proposer's best fallback against the prior:
  proposer ``Σ_θ p_θ (−H_θ(T) + f_P(θ))``, type θ ``A_θ(T) + q_θ + f_T(θ)``.

``R(t)`` (a :class:`RoundValue`) is the value of offering the bargain at round
``t``; the caller computes it from the equilibria of the grown game.  The
*window* is the last round at which the bargain still separates; the *value of
acting now* is ``V_0 − max_{t≥1} V_t``.  This is the standard discounted
comparison of a one-shot offer with delay (Rubinstein, "Perfect equilibrium in a
bargaining model", Econometrica 50(1), 1982, for the δ^t discounting of delay).
Ties between policies go to the earlier one (acting sooner).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pydantic import BaseModel

from callbluff.game.payoffs import (
    arsenal_value,
    best_fallback,
    fallback,
    growth_factors,
    prior,
    status_quo,
)
from callbluff.scenario.schema import MAX_MAGNITUDE, Arsenal, Scenario, TargetType

ALL_IN_NOW = "all-in-now"
TALKS_THEN_ALL_IN = "talks-then-all-in"
TALKS_FOREVER = "talks-forever"


def _fields(model: BaseModel) -> dict[str, Any]:
    """The fields of ``model`` as they are (no serialisation: numbers stay exact)."""
    return {name: getattr(model, name) for name in type(model).model_fields}


def grow(scenario: Scenario, rounds: int) -> Scenario:
    """The scenario after ``rounds`` rounds of talks: arsenal values ×(1+g)^t, every
    type's ``arsenal_harm`` ×(1+h)^t, exact; everything else unchanged.

    The result is validated like any scenario: a grown number above the format's
    limit (10^12) raises ``ValueError``."""
    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 0:
        raise ValueError(f"rounds must be an integer >= 0, got {rounds!r}")
    if rounds == 0:
        return scenario
    value_factor, harm_factor = growth_factors(scenario, rounds)
    grown_values = {m: v * value_factor for m, v in scenario.arsenal.values.items()}
    grown_harms = {t.id: t.arsenal_harm * harm_factor for t in scenario.types}
    for what, value in [*(("arsenal value " + m, v) for m, v in grown_values.items()),
                        *(("harm of type " + t, h) for t, h in grown_harms.items())]:
        if value > MAX_MAGNITUDE:
            raise ValueError(
                f"after {rounds} rounds the {what} is {float(value):.3g}, above the "
                f"limit 10^12 of the scenario format; consider fewer rounds")
    # model_copy(update=...) does not validate, so each changed model is validated
    # again, and then the whole scenario (references, priors).
    arsenal = Arsenal.model_validate(
        _fields(scenario.arsenal.model_copy(update={"values": grown_values})))
    types = [TargetType.model_validate(
        _fields(t.model_copy(update={"arsenal_harm": grown_harms[t.id]})))
        for t in scenario.types]
    return Scenario.model_validate(
        _fields(scenario.model_copy(update={"arsenal": arsenal, "types": types})))


@dataclass(frozen=True)
class RoundValue:
    """Value of offering the all-in bargain at round ``t`` (undiscounted, in the
    payoffs of that round): the proposer's, each type's, and whether the bargain
    still separates the security-only types from the others."""

    proposer: Fraction
    target: Mapping[str, Fraction]
    separates: bool


@dataclass(frozen=True)
class PolicyValue:
    """Discounted value of one policy at round 0.

    ``rounds_of_talks``: 0 for all in now, ``t`` for talks then all in, ``T`` for
    talks forever.  ``separates``: whether the bargain separates when offered
    (``None`` for talks forever, where none is offered)."""

    policy: str
    rounds_of_talks: int
    proposer: Fraction
    target: Mapping[str, Fraction]
    separates: bool | None


@dataclass(frozen=True)
class PolicyComparison:
    """All policies, the best for the proposer (ties → the earlier policy), the
    window (last round whose bargain separates; ``None`` if none does), the value
    of acting now (``V_0 − max_{t≥1} V_t``; ``None`` when ``T = 0``) and of acting
    now against talks forever."""

    policies: tuple[PolicyValue, ...]
    best: PolicyValue
    window: int | None
    separating_rounds: tuple[int, ...]
    value_of_acting_now: Fraction | None
    value_of_now_over_talks_forever: Fraction
    status_quo_fallback: str
    discount: Fraction


def _talk_flow(per_round: Fraction, discount: Fraction, rounds: int) -> Fraction:
    """``Σ_{r=0}^{rounds−1} δ^r · per_round`` (exact)."""
    return sum((per_round * discount**r for r in range(rounds)), Fraction(0))


def compare_policies(scenario: Scenario,
                     value_at_round: Callable[[int], RoundValue]) -> PolicyComparison:
    """Compare all in now, talks for t rounds then all in (t = 1..T), and talks
    forever, for ``T = scenario.time.rounds``.  ``value_at_round(t)`` is called once
    for each ``t = 0..T``."""
    time = scenario.time
    horizon, delta = time.rounds, time.discount
    type_ids = scenario.type_ids()
    policies: list[PolicyValue] = []
    separating: list[int] = []
    for t in range(horizon + 1):
        rv = value_at_round(t)
        missing = set(type_ids) - set(rv.target)
        if missing:
            raise ValueError(f"value_at_round({t}) has no target value for types "
                             f"{sorted(missing)}")
        if rv.separates:
            separating.append(t)
        weight = delta**t
        policies.append(PolicyValue(
            policy=ALL_IN_NOW if t == 0 else TALKS_THEN_ALL_IN,
            rounds_of_talks=t,
            proposer=_talk_flow(time.talks_proposer, delta, t) + weight * rv.proposer,
            target={θ: _talk_flow(time.talks_target, delta, t) + weight * rv.target[θ]
                    for θ in type_ids},
            separates=rv.separates,
        ))
    grown = grow(scenario, horizon)
    p = prior(grown)
    f_id = best_fallback(grown, p)
    f = fallback(grown, f_id)
    no_deal_proposer = sum((p[θ] * (-t.arsenal_harm + f.proposer[θ])
                            for θ, t in zip(type_ids, grown.types, strict=True)),
                           Fraction(0))
    weight = delta**horizon
    forever = PolicyValue(
        policy=TALKS_FOREVER,
        rounds_of_talks=horizon,
        proposer=_talk_flow(time.talks_proposer, delta, horizon) + weight * no_deal_proposer,
        target={θ: _talk_flow(time.talks_target, delta, horizon) + weight * (
            arsenal_value(grown, θ) + status_quo(grown, θ) + f.target[θ]) for θ in type_ids},
        separates=None,
    )
    policies.append(forever)
    best = policies[0]
    for candidate in policies[1:]:
        if candidate.proposer > best.proposer:
            best = candidate
    now = policies[0].proposer
    later = [v.proposer for v in policies[1:horizon + 1]]
    return PolicyComparison(
        policies=tuple(policies),
        best=best,
        window=separating[-1] if separating else None,
        separating_rounds=tuple(separating),
        value_of_acting_now=(now - max(later)) if later else None,
        value_of_now_over_talks_forever=now - forever.proposer,
        status_quo_fallback=f_id,
        discount=delta,
    )
