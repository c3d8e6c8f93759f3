"""The payoff formulas of ``docs/model.md``, exact, as functions of a scenario.

This module is the exact implementation of the table "Outcomes and payoffs (target,
proposer)" in ``docs/model.md``; the game compiler reads the payoffs from here.
Three other places evaluate parts of the table in their own form (the vectorised
solver's float arrays, the cheapest-package program's affine forms, the status quo
value of ``analysis/verdict.py``); ``tests/test_payoff_copies.py`` pins each of them
to this module on random scenarios.  All arithmetic is in
:class:`fractions.Fraction`.

Symbols (``docs/model.md``, "Derived quantities"): ``A_θ`` arsenal value,
``B_θ(S)`` package value (``B_θ^irr`` its irreversible part), ``C(S)`` package cost
(``C^irr``), ``q_θ`` status quo including stakeholder pressure, ``H_θ`` harm,
``s_θ`` inspection sensitivity, ``d, ι, k`` of the regime, ``κ, F`` of cheating,
``D`` the value of denuclearisation, ``f_P(θ), f_T(θ)`` a fallback's payoffs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from callbluff.scenario.schema import Concession, Fallback, Scenario, TargetType

#: (target payoff, proposer payoff) of one outcome.
PayoffPair = tuple[Fraction, Fraction]


@dataclass(frozen=True)
class OutcomePayoffs:
    """(target, proposer) payoffs of the outcomes of an accepted package.

    ``cheat_detected`` and ``no_deal`` use the fallback passed to
    :func:`outcome_payoffs`; ``comply_reneged`` is compliance after which the
    proposer reneges (probability :func:`renege_risk`).
    """

    comply: PayoffPair
    comply_reneged: PayoffPair
    cheat_undetected: PayoffPair
    cheat_detected: PayoffPair
    no_deal: PayoffPair

    def comply_expected(self, renege: Fraction) -> PayoffPair:
        """Expected (target, proposer) payoff of complying when the proposer reneges
        with probability ``renege``: ``(1−ρ)·comply + ρ·comply_reneged``."""
        return _mixture(renege, self.comply, self.comply_reneged, "renege risk")

    def cheat_expected(self, detection: Fraction) -> PayoffPair:
        """Expected (target, proposer) payoff of cheating when detection has
        probability ``detection``: ``(1−d)·undetected + d·detected``."""
        return _mixture(detection, self.cheat_undetected, self.cheat_detected, "detection")


def _mixture(p: Fraction, first: PayoffPair, second: PayoffPair, what: str) -> PayoffPair:
    """``(1−p)·first + p·second``, exactly; ``p`` must be a probability."""
    q = Fraction(p)
    if not 0 <= q <= 1:
        raise ValueError(f"{what} must be a probability in [0, 1], got {q}")
    return (1 - q) * first[0] + q * second[0], (1 - q) * first[1] + q * second[1]


def target_type(s: Scenario, type_id: str) -> TargetType:
    """The type ``type_id`` of scenario ``s`` (``KeyError`` naming the known ids)."""
    return s.target_type(type_id)


def fallback(s: Scenario, fallback_id: str) -> Fallback:
    """The fallback ``fallback_id`` of scenario ``s``."""
    return s.fallback(fallback_id)


def _concessions(s: Scenario, concession_ids: Iterable[str]) -> list[Concession]:
    ids = list(concession_ids)
    if len(set(ids)) != len(ids):
        raise ValueError(f"a package lists a concession twice: {ids}")
    known = {c.id: c for c in [*s.concessions, *s.counter_demands]}
    out: list[Concession] = []
    for i in ids:
        if i not in known:
            raise KeyError(
                f"scenario {s.id!r} has no concession or counter-demand {i!r}")
        out.append(known[i])
    return out


def _dot(weights: Mapping[str, Fraction], values: Mapping[str, Fraction]) -> Fraction:
    return sum((w * values[m] for m, w in weights.items() if m in values), Fraction(0))


def arsenal_value(s: Scenario, type_id: str) -> Fraction:
    """``A_θ = Σ_m w_θ,m · a_m``: value to type θ of keeping the whole arsenal."""
    return _dot(target_type(s, type_id).weights, s.arsenal.values)


def concession_value(s: Scenario, type_id: str, concession_id: str) -> Fraction:
    """``w_θ · b_j``: value of one concession (or counter-demand) to type θ."""
    return _dot(target_type(s, type_id).weights, s.concession(concession_id).values)


def package_value(s: Scenario, type_id: str, concession_ids: Iterable[str],
                  irreversible_only: bool = False) -> Fraction:
    """``B_θ(S)`` (or ``B_θ^irr(S)`` with ``irreversible_only``): value of the package
    ``S`` (concessions and granted counter-demands) to type θ."""
    w = target_type(s, type_id).weights
    return sum((_dot(w, c.values) for c in _concessions(s, concession_ids)
                if not (irreversible_only and c.reversible)), Fraction(0))


def package_cost(s: Scenario, concession_ids: Iterable[str],
                 irreversible_only: bool = False) -> Fraction:
    """``C(S) = Σ_{j∈S} c_j`` (or ``C^irr(S)``, the cost of the part that is not
    withdrawn after detected cheating)."""
    return sum((c.cost for c in _concessions(s, concession_ids)
                if not (irreversible_only and c.reversible)), Fraction(0))


def status_quo(s: Scenario, type_id: str) -> Fraction:
    """``q_θ = status_quo_θ − Σ_s pressure_s``: value of no deal besides the arsenal."""
    pressure = sum((st.pressure for st in s.stakeholders), Fraction(0))
    return target_type(s, type_id).status_quo - pressure


def no_deal_payoffs(s: Scenario, type_id: str, fallback_id: str) -> PayoffPair:
    """No deal then fallback ``f``: ``(A_θ + q_θ + f_T(θ), −H_θ + f_P(θ))``."""
    t = target_type(s, type_id)
    f = fallback(s, fallback_id)
    return (arsenal_value(s, type_id) + status_quo(s, type_id) + f.target[type_id],
            -t.arsenal_harm + f.proposer[type_id])


def renege_risk(s: Scenario, concession_ids: Iterable[str]) -> Fraction:
    """``ρ(S')``: probability that the proposer reneges once the target has disarmed.

    The package is as credible as its least credible part: the largest of its
    concessions' ``renege_risk`` (each defaulting to ``bargaining.renege_risk``);
    the scenario's value for an empty package."""
    default = s.bargaining.renege_risk
    risks = [default if c.renege_risk is None else c.renege_risk
             for c in _concessions(s, concession_ids)]
    return max(risks, default=default)


def growth_factors(s: Scenario, rounds: int) -> tuple[Fraction, Fraction]:
    """``(min((1+g)^t, n̄), (1+h)^t)``: how much the arsenal's values and the harms
    have grown after ``t`` rounds (``time.arsenal_growth``, ``time.harm_growth``).

    The stock is ``n_t = (1+g)^t`` in units of today's; with ``arsenal.saturation``
    ``n̄`` its value stops growing at ``n̄`` (docs/model.md, "Talks that teach":
    ``a·min(1, n_t/n̄)`` with ``a`` the saturated value ``values·n̄``); without it
    the values grow as ``(1+g)^t`` (the limit n̄ → ∞)."""
    stock = (1 + s.time.arsenal_growth) ** rounds
    n_bar = s.arsenal.saturation
    return (stock if n_bar is None else min(stock, n_bar),
            (1 + s.time.harm_growth) ** rounds)


def outcome_payoffs(s: Scenario, type_id: str, concession_ids: Iterable[str],
                    regime_id: str, fallback_id: str, *, rounds_later: int = 0
                    ) -> OutcomePayoffs:
    """The (target, proposer) payoffs of ``docs/model.md`` for type θ, package
    ``S'`` = ``concession_ids`` in force under regime ``regime_id``; ``fallback_id``
    is the proposer's policy after detected cheating and after no deal.

    ===================  ==========================================  ====================
    outcome              target                                      proposer
    ===================  ==========================================  ====================
    comply               B_θ(S') − s_θ ι                             D − C(S') − k
    comply, reneged      B_θ^irr(S') − s_θ ι − L_θ                   D − C^irr(S') − k
    cheat, undetected    B_θ(S') − s_θ ι + κ A_θ                     (1−κ)D − C(S') − k − κH_θ
    cheat, detected      B_θ^irr(S') − s_θ ι − F + κA_θ + q_θ + f_T  −C^irr(S') − k − κH_θ + f_P
    no deal              A_θ + q_θ + f_T                             −H_θ + f_P
    ===================  ==========================================  ====================

    ``rounds_later = r``: the outcome happens ``r`` rounds later (after a
    counter-demand, r = 1): the arsenal's value and the harm have grown
    (:func:`growth_factors`) and both payoffs are discounted by ``δ^r``.
    """
    return fallback_payoffs(s, type_id, concession_ids, regime_id, (fallback_id,),
                            rounds_later=rounds_later)[fallback_id]


def fallback_payoffs(s: Scenario, type_id: str, concession_ids: Iterable[str],
                     regime_id: str, fallback_ids: Iterable[str], *, rounds_later: int = 0
                     ) -> dict[str, OutcomePayoffs]:
    """:func:`outcome_payoffs` under each of ``fallback_ids``: the terms that do not
    depend on the fallback (the package, the arsenal, the harm) are computed once."""
    ids = list(concession_ids)
    t = target_type(s, type_id)
    r = s.regime(regime_id)
    value_growth, harm_growth = growth_factors(s, rounds_later)
    big_a = arsenal_value(s, type_id) * value_growth
    q = status_quo(s, type_id)
    b = package_value(s, type_id, ids)
    b_irr = package_value(s, type_id, ids, irreversible_only=True)
    c = package_cost(s, ids)
    c_irr = package_cost(s, ids, irreversible_only=True)
    kappa = s.cheating.covert_fraction
    penalty = s.cheating.penalty
    inspection = t.inspection_sensitivity * r.intrusiveness
    harm = t.arsenal_harm * harm_growth
    d_value = s.denuclearisation_value
    discount = s.time.discount ** rounds_later

    def later(target: Fraction, proposer: Fraction) -> PayoffPair:
        return discount * target, discount * proposer

    comply = later(b - inspection, d_value - c - r.cost)
    comply_reneged = later(b_irr - inspection - t.renege_loss, d_value - c_irr - r.cost)
    cheat_undetected = later(b - inspection + kappa * big_a,
                             (1 - kappa) * d_value - c - r.cost - kappa * harm)
    out: dict[str, OutcomePayoffs] = {}
    for fallback_id in fallback_ids:
        f = fallback(s, fallback_id)
        out[fallback_id] = OutcomePayoffs(
            comply=comply, comply_reneged=comply_reneged, cheat_undetected=cheat_undetected,
            cheat_detected=later(
                b_irr - inspection - penalty + kappa * big_a + q + f.target[type_id],
                -c_irr - r.cost - kappa * harm + f.proposer[type_id]),
            no_deal=later(big_a + q + f.target[type_id], -harm + f.proposer[type_id]),
        )
    return out


def best_fallback(s: Scenario, weights: Mapping[str, Fraction]) -> str:
    """The fallback with the largest ``Σ_θ weights[θ] · f_P(θ)`` (weights need not be
    normalised; types not in ``weights`` weigh 0).  Ties go to the fallback listed
    first in the scenario, so the answer is deterministic."""
    for type_id, w in weights.items():
        target_type(s, type_id)
        if w < 0:
            raise ValueError(f"weight of type {type_id!r} must be >= 0, got {w}")
    best_id = s.fallbacks[0].id
    best_value: Fraction | None = None
    for f in s.fallbacks:
        value = sum((w * f.proposer[t] for t, w in weights.items()), Fraction(0))
        if best_value is None or value > best_value:
            best_id, best_value = f.id, value
    return best_id


def prior(s: Scenario) -> dict[str, Fraction]:
    """The prior over types, ``type id -> p_θ``."""
    return {t.id: t.prior for t in s.types}
