"""Every outcome's payoffs of an offer's game, for every variant at once: the
formulas of :mod:`callbluff.game.payoffs` (docs/model.md) written again in float
arrays (one NumPy expression per outcome over the variant axis).  A copy, not a
call: ``tests/test_payoff_copies.py`` pins it to :mod:`callbluff.game.payoffs` on
random scenarios."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from callbluff.game import bargain
from callbluff.scenario.schema import Scenario
from callbluff.solve.vectorised.parameters import TOL, BoolArray, FloatArray, IntArray, Params


@dataclass(frozen=True)
class OfferPayoffs:
    """Every outcome's payoffs of one offer over ``n`` variants (arrays (n, T) or
    (n, T, F) for an outcome followed by a fallback; per deal: accepting the offer,
    then each counter-demand granted)."""

    offer_id: str
    prior: FloatArray
    fp: FloatArray  # the proposer's fallback payoffs, (n, T, F)
    d: FloatArray  # detection probability, (n,)
    alive: BoolArray  # fallbacks some belief can make optimal, (n, F)
    security: BoolArray  # (T,)
    comply_t: tuple[FloatArray, ...]  # the type's value of complying, per deal
    cheat_t: tuple[FloatArray, ...]  # of cheating, then fallback f if detected
    comply_p: tuple[FloatArray, ...]  # the proposer's
    cheat_v_p: tuple[FloatArray, ...]
    no_deal_t: FloatArray  # no deal, then fallback f
    no_deal_p: FloatArray

    def take(self, rows: IntArray) -> OfferPayoffs:
        def sub(x: FloatArray) -> FloatArray:
            return np.asarray(x[rows])

        return OfferPayoffs(
            offer_id=self.offer_id, prior=sub(self.prior), fp=sub(self.fp), d=sub(self.d),
            alive=self.alive[rows], security=self.security,
            comply_t=tuple(map(sub, self.comply_t)), cheat_t=tuple(map(sub, self.cheat_t)),
            comply_p=tuple(map(sub, self.comply_p)),
            cheat_v_p=tuple(map(sub, self.cheat_v_p)), no_deal_t=sub(self.no_deal_t),
            no_deal_p=sub(self.no_deal_p))


@dataclass(frozen=True)
class TypeArrays:
    """The numbers every offer of a chunk shares: per type (n, T), per type and
    fallback (n, T, F), per type and motive (n, T, M), and scalars (n,)."""

    prior: FloatArray
    weights: FloatArray  # (n, T, M)
    arsenal_value: FloatArray  # the type's value of its arsenal, A
    status_quo: FloatArray  # q, after the stakeholders' pressure
    harm: FloatArray
    sensitivity: FloatArray  # to inspections
    fp: FloatArray  # the proposer's fallback payoffs
    ft: FloatArray  # the type's
    alive: BoolArray  # (n, F): fallbacks some belief can make optimal
    covert: FloatArray  # κ
    penalty: FloatArray
    big_d: FloatArray  # D
    no_deal_t: FloatArray  # (n, T, F): no deal, then fallback f, to the type
    no_deal_p: FloatArray  # to the proposer


def type_arrays(scenario: Scenario, params: Params) -> TypeArrays:
    """The chunk's :class:`TypeArrays`, computed once per ``params``."""
    if params.shared is not None:
        return params.shared
    s = scenario
    n = params.n
    types = [t.id for t in s.types]
    motives = [m.id for m in s.motives]
    fallbacks = [f.id for f in s.fallbacks]
    g = params.get
    weights = np.stack([np.stack([g(("weight", t, m)) for m in motives], axis=1)
                        for t in types], axis=1)  # (n, T, M)
    arsenal = np.stack([g(("arsenal", m)) for m in motives], axis=1)  # (n, M)
    pressure = sum((g(("pressure", st.id)) for st in s.stakeholders), np.zeros(n))
    fp = np.stack([np.stack([g(("fallback", f, "proposer", t)) for f in fallbacks], axis=1)
                   for t in types], axis=1)  # (n, T, F)
    ft = np.stack([np.stack([g(("fallback", f, "target", t)) for f in fallbacks], axis=1)
                   for t in types], axis=1)
    big_a = np.einsum("ntm,nm->nt", weights, arsenal)
    q = np.stack([g(("status_quo", t)) for t in types], axis=1) - pressure[:, None]
    harm = np.stack([g(("arsenal_harm", t)) for t in types], axis=1)
    alive = np.ones((n, len(fallbacks)), dtype=bool)
    for f in range(len(fallbacks)):  # not beaten against every type
        for h in range(len(fallbacks)):
            if h != f:
                alive[:, f] &= ~np.all(fp[:, :, h] > fp[:, :, f] + TOL, axis=1)
    params.shared = TypeArrays(
        prior=np.stack([g(("prior", t)) for t in types], axis=1),
        weights=weights, arsenal_value=big_a, status_quo=q, harm=harm,
        sensitivity=np.stack([g(("inspection_sensitivity", t)) for t in types], axis=1),
        fp=fp, ft=ft, alive=alive, covert=g(("covert_fraction",)), penalty=g(("penalty",)),
        big_d=g(("D",)), no_deal_t=big_a[:, :, None] + q[:, :, None] + ft,
        no_deal_p=-harm[:, :, None] + fp)
    return params.shared


def offer_payoffs(scenario: Scenario, params: Params, offer_id: str) -> OfferPayoffs:
    """The payoffs of every outcome of ``offer_id``'s game, for every variant."""
    s = scenario
    n = params.n
    offer = s.offer(offer_id)
    motives = [m.id for m in s.motives]
    counters = bargain.offer_counter_demands(s, offer_id)
    g = params.get
    shared = type_arrays(scenario, params)
    prior, weights, big_a, q = shared.prior, shared.weights, shared.arsenal_value, \
        shared.status_quo
    harm, fp, ft = shared.harm, shared.fp, shared.ft
    kappa, penalty, big_d = shared.covert, shared.penalty, shared.big_d
    nt = prior.shape[1]
    d = g(("regime", offer.regime, "detection"))
    iota = g(("regime", offer.regime, "intrusiveness"))
    k = g(("regime", offer.regime, "cost"))
    reversible = {c.id: c.reversible for c in [*s.concessions, *s.counter_demands]}

    def renege(ids: Sequence[str]) -> FloatArray:
        """ρ(S'): the largest renege risk of the package's parts (docs/model.md)."""
        default = g(("bargaining", "renege_risk"))
        risks = [default if params.values[("renege_risk", j)] is None
                 else g(("renege_risk", j)) for j in ids]
        return np.maximum.reduce([default, *risks]) if ids else default

    renege_loss = np.stack([g(("renege_loss", t.id)) for t in s.types], axis=1)

    def package(ids: Sequence[str]) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        b = np.zeros((n, nt))
        b_irr = np.zeros((n, nt))
        c = np.zeros(n)
        c_irr = np.zeros(n)
        for j in ids:
            vj = np.stack([g(("value", j, m)) for m in motives], axis=1)
            bj = np.einsum("ntm,nm->nt", weights, vj)
            cj = g(("cost", j))
            b = b + bj
            c = c + cj
            if not reversible[j]:
                b_irr = b_irr + bj
                c_irr = c_irr + cj
        return b, b_irr, c, c_irr

    inspection = shared.sensitivity * iota[:, None]
    dd = d[:, None]
    # deal 0: accept S; deal 1 + i: counter-demand i granted (free counter-demands
    # of the offer's regime that drop nothing: the others are routed, see evaluate_offer)
    deals = [list(offer.concessions)] + [[*offer.concessions, x] for x in counters]
    comply_t, cheat_t, comply_p, cheat_v_p = [], [], [], []
    for ids in deals:
        b, b_irr, c, c_irr = package(ids)
        rho = renege(ids)[:, None]
        # complying: guarantees kept (1−ρ) or reneged (ρ: reversible part withdrawn, L lost)
        comply_t.append(b - inspection - rho * (b - b_irr + renege_loss))
        undetected = b - inspection + kappa[:, None] * big_a
        detected = (b_irr - inspection - penalty[:, None] + kappa[:, None] * big_a + q)[
            :, :, None] + ft
        cheat_t.append((1 - dd)[:, :, None] * undetected[:, :, None]
                       + dd[:, :, None] * detected)
        # the proposer who reneges saves the reversible part's cost
        comply_p.append(np.broadcast_to((big_d - c - k)[:, None] + rho * (c - c_irr)[:, None],
                                        (n, nt)))
        cheat_u = ((1 - kappa) * big_d - c - k)[:, None] - kappa[:, None] * harm
        cheat_d = (-c_irr - k)[:, None, None] - (kappa[:, None] * harm)[:, :, None] + fp
        cheat_v_p.append((1 - dd)[:, :, None] * cheat_u[:, :, None] + dd[:, :, None] * cheat_d)
    return OfferPayoffs(
        offer_id=offer_id, prior=prior, fp=fp, d=d, alive=shared.alive,
        security=np.array([t.security_only for t in s.types]),
        comply_t=tuple(comply_t), cheat_t=tuple(cheat_t), comply_p=tuple(comply_p),
        cheat_v_p=tuple(cheat_v_p), no_deal_t=shared.no_deal_t, no_deal_p=shared.no_deal_p)


def status_quo_values(scenario: Scenario, params: Params) -> FloatArray:
    """The proposer's value of no offer: the best fallback against the prior."""
    shared = type_arrays(scenario, params)
    per_f = (shared.prior[:, :, None] * shared.no_deal_p).sum(axis=1)
    return np.asarray(per_f.max(axis=1), dtype=np.float64)


__all__ = ["OfferPayoffs", "TypeArrays", "offer_payoffs", "status_quo_values", "type_arrays"]
