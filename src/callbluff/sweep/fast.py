"""The fast path: the bargain game's equilibrium outcomes, vectorised over variants.

The game of an offer has the fixed shape of ``docs/model.md``, so the payoffs of
every outcome are affine expressions in the scenario's numbers, computed here
with NumPy over the variant axis (:class:`Params`).  The exact solver
(:func:`callbluff.solve.solve`) returns all weak perfect Bayesian equilibrium
outcomes, mixed ones included; the fast path answers only where it can *prove*
its answer is the same, and says so per variant and offer (``certified``: the
proposer's worst and best values; ``full``: every figure the sweep keeps).  Every
other variant goes to the exact solver.  Three certificates; any that holds answers:

A. Final offers (no counter-demands) with at most two fallbacks some belief can
   make optimal: every outcome, by support enumeration
   (:mod:`callbluff.sweep.final_offer`).
B. Offers with counter-demands, each always granted or always refused, where
   cheating never pays: the same enumeration on the final offer of equal values
   (:func:`_counters_as_final`) — values only, since a refused counter-demand and
   a rejection end alike and the exact solver reports a continuum of outcomes
   between them.
C. Otherwise: a unique pure outcome, proven by iterated strict dominance with sets
   of behaviours (Fudenberg & Tirole 1991, *Game Theory*, §2.1 and §8.2), or, for
   the values only, every type's possible answers ending in one outcome for the
   proposer (:func:`_settled_value`).

All comparisons are strict with a margin ``TOL`` far above float rounding, so that
every decision made in floats is the decision the exact arithmetic makes.

The dominance certificate (C):

1. A fallback ``f`` is never chosen, at any belief, if another fallback ``g`` is
   better for the proposer against every type (``f_P(θ) < g_P(θ)`` for all θ).
   The others are *alive*: any of them (or a mixture) may be played off the path.
2. After a deal ``S'`` (accepting ``S``, or a granted counter-demand), a type
   complies for sure if complying beats cheating under every alive fallback
   after detection, cheats for sure in the reverse case; its value of the deal
   lies in ``[max(comply, min_f cheat), max(comply, max_f cheat)]``.
3. After ``counter:x`` granting is *dominant* if, at every type's node, its least
   value (over that type's possible behaviour after the grant) beats walking away
   with every alive fallback; it is *dominated* if walking away with one alive
   fallback beats granting's greatest value at every node.
4. Each answer (accept, counter:x, reject) then has an interval of values for
   each type; a type is *pinned* when one answer's least value beats every other
   answer's greatest value, and its behaviour after the deal is settled.
5. If every type is pinned (and every prior is positive), the types' behaviour is
   the same in every equilibrium; the proposer's choice at each reached
   information set must then be the unique best reply to the Bayes posterior
   (checked with the margin).  The variant then has exactly one equilibrium
   outcome, pure, and it is the one computed here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from callbluff.analysis.thresholds import RESOLUTION, parse_path, simplest_between
from callbluff.analysis.verdict import NO_OFFER, main_offer_id
from callbluff.game import bargain
from callbluff.scenario.schema import Scenario
from callbluff.sweep import final_offer
from callbluff.sweep.arrays import last_count, last_max, last_min
from callbluff.sweep.evaluate import OfferFigures
from callbluff.sweep.spec import INPUT_PREFIX, PRIOR_PREFIX, SweepSpec

#: Margin of every decisive comparison (payoffs are O(1..10³); float rounding is
#: O(10⁻¹³)).
TOL = 1e-9

Key = tuple[str, ...]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


class Unsupported(ValueError):
    """A path the fast path does not model (the sweep then runs every variant exactly)."""


def canonical_key(scenario: Scenario, path: str) -> Key | None:
    """The number at ``path`` as a key of :class:`Params`, or ``None`` for numbers
    that do not enter the game of an offer (time, stakeholder payoffs)."""
    steps = parse_path(path)

    def find(items: Sequence[Any], key: str) -> str:
        for i, item in enumerate(items):
            if item.id == key or str(i) == key:
                return str(item.id)
        raise Unsupported(f"{path!r}: no item {key!r}")

    head = steps[0]
    rest = steps[1:]
    if head == "types" and len(rest) >= 2 and isinstance(rest[0], tuple):
        t = find(scenario.types, rest[0][1])
        if rest[1:] == ["weights", *rest[2:]] and len(rest) == 3 and isinstance(rest[2], str):
            return ("weight", t, rest[2])
        if len(rest) == 2 and rest[1] in ("prior", "inspection_sensitivity", "status_quo",
                                          "arsenal_harm", "renege_loss"):
            return (str(rest[1]), t)
    if head == "arsenal" and len(rest) == 2 and rest[0] == "values" and isinstance(rest[1], str):
        return ("arsenal", rest[1])
    if head in ("concessions", "counter_demands") and len(rest) >= 2 and isinstance(rest[0], tuple):
        items = scenario.concessions if head == "concessions" else scenario.counter_demands
        c = find(items, rest[0][1])
        if rest[1:] == ["cost"]:
            return ("cost", c)
        if rest[1:] == ["renege_risk"]:
            return ("renege_risk", c)
        if len(rest) == 3 and rest[1] == "values" and isinstance(rest[2], str):
            return ("value", c, rest[2])
    if head == "regimes" and len(rest) == 2 and isinstance(rest[0], tuple):
        r = find(scenario.regimes, rest[0][1])
        if rest[1] in ("detection", "intrusiveness", "cost"):
            return ("regime", r, str(rest[1]))
    if head == "cheating" and len(rest) == 1 and rest[0] in ("covert_fraction", "penalty"):
        return (str(rest[0]),)
    if head == "bargaining" and len(rest) == 1 and isinstance(rest[0], str):
        # breakdown risk and finality cost only matter to offers with counter-demands,
        # which go to the exact solver (evaluate_offer)
        return ("bargaining", rest[0])
    if head == "denuclearisation_value" and not rest:
        return ("D",)
    if head == "fallbacks" and len(rest) == 3 and isinstance(rest[0], tuple):
        f = find(scenario.fallbacks, rest[0][1])
        if rest[1] in ("proposer", "target") and isinstance(rest[2], str):
            return ("fallback", f, str(rest[1]), rest[2])
    if head == "stakeholders" and len(rest) >= 2 and isinstance(rest[0], tuple):
        s = find(scenario.stakeholders, rest[0][1])
        if rest[1:] == ["pressure"]:
            return ("pressure", s)
        if rest[1] == "payoffs":
            return None
    if head == "time":
        return None
    raise Unsupported(f"the fast path does not model {path!r}")


class Params:
    """The scenario's numbers as float arrays over ``n`` variants: the base values,
    overridden by the drawn inputs, priors moved exactly as ``apply_row`` moves them."""

    def __init__(self, scenario: Scenario, spec: SweepSpec,
                 inputs: Mapping[str, FloatArray], n: int) -> None:
        self.n = n
        self.shared: TypeArrays | None = None  # filled by type_arrays, once
        s = scenario
        values: dict[Key, Any] = {}
        for t in s.types:
            values[("prior", t.id)] = float(t.prior)
            values[("inspection_sensitivity", t.id)] = float(t.inspection_sensitivity)
            values[("status_quo", t.id)] = float(t.status_quo)
            values[("arsenal_harm", t.id)] = float(t.arsenal_harm)
            values[("renege_loss", t.id)] = float(t.renege_loss)
            for m in s.motives:
                values[("weight", t.id, m.id)] = float(t.weights.get(m.id, 0))
        for m in s.motives:
            values[("arsenal", m.id)] = float(s.arsenal.values.get(m.id, 0))
        for field in ("breakdown_risk", "finality_cost", "renege_risk"):
            values[("bargaining", field)] = float(getattr(s.bargaining, field))
        for c in [*s.concessions, *s.counter_demands]:
            values[("cost", c.id)] = float(c.cost)
            values[("renege_risk", c.id)] = (
                None if c.renege_risk is None else float(c.renege_risk))
            for m in s.motives:
                values[("value", c.id, m.id)] = float(c.values.get(m.id, 0))
        for r in s.regimes:
            values[("regime", r.id, "detection")] = float(r.detection)
            values[("regime", r.id, "intrusiveness")] = float(r.intrusiveness)
            values[("regime", r.id, "cost")] = float(r.cost)
        values[("covert_fraction",)] = float(s.cheating.covert_fraction)
        values[("penalty",)] = float(s.cheating.penalty)
        values[("D",)] = float(s.denuclearisation_value)
        for f in s.fallbacks:
            for t in s.types:
                values[("fallback", f.id, "proposer", t.id)] = float(f.proposer[t.id])
                values[("fallback", f.id, "target", t.id)] = float(f.target[t.id])
        for st in s.stakeholders:
            values[("pressure", st.id)] = float(st.pressure)
        type_ids = [t.id for t in s.types]
        if spec.prior is not None:
            for tid in type_ids:
                values[("prior", tid)] = np.asarray(inputs[INPUT_PREFIX + PRIOR_PREFIX + tid],
                                                  dtype=np.float64)
            total = sum(values[("prior", tid)] for tid in type_ids)
            for tid in type_ids:
                values[("prior", tid)] = values[("prior", tid)] / total
        for item in spec.inputs:
            key = canonical_key(scenario, item.path)
            if key is None:
                continue
            column = np.asarray(inputs[item.column], dtype=np.float64)
            if key[0] == "prior":
                # with_number on a prior: the others keep their proportions.
                inside = key[1]
                others = [tid for tid in type_ids if tid != inside]
                current = sum((np.asarray(values[("prior", tid)], dtype=np.float64)
                               for tid in others), np.zeros(n))
                for tid in others:
                    share = np.where(current > 0,
                                     np.asarray(values[("prior", tid)]) / np.where(
                                         current > 0, current, 1.0),
                                     1.0 / max(len(others), 1))
                    values[("prior", tid)] = (1.0 - column) * share
            values[key] = column
        self.values = values

    def take(self, rows: np.ndarray[Any, np.dtype[np.int64]],
             overrides: Mapping[Key, FloatArray] | None = None) -> Params:
        """The variants ``rows`` (repeats allowed), with some numbers replaced."""
        out = object.__new__(Params)
        out.n = len(rows)
        out.shared = None
        out.values = {k: (v[rows] if isinstance(v, np.ndarray) else v)
                      for k, v in self.values.items()}
        for k, v in (overrides or {}).items():
            out.values[k] = np.asarray(v, dtype=np.float64)
        return out

    def get(self, key: Key) -> FloatArray:
        value = self.values[key]
        if isinstance(value, np.ndarray):
            return value
        return np.full(self.n, value, dtype=np.float64)


@dataclass(frozen=True)
class FastOffer:
    """The fast path's answer for one offer over ``n`` variants: the proposer's worst
    and best equilibrium values where ``certified``, every figure where ``full``."""

    offer_id: str
    certified: BoolArray
    full: BoolArray
    equilibria: IntArray
    value_worst: FloatArray
    value_best: FloatArray
    separates_all: BoolArray
    separates_any: BoolArray
    cheaters: IntArray  # ulterior types that accept and cheat in some outcome
    security_posterior_after_reject: FloatArray  # proposer-worst outcome; NaN off the path
    all_reject: BoolArray  # one outcome, every type rejects: worth the status quo exactly

    def figures(self, i: int, status_quo_value: float) -> OfferFigures:
        """Row ``i`` (certified) as the sweep's :class:`OfferFigures`."""
        worst, best = float(self.value_worst[i]), float(self.value_best[i])
        if self.all_reject[i]:
            worst = best = status_quo_value
        return OfferFigures(
            offer_id=self.offer_id, value_worst=worst, value_best=best,
            equilibria=int(self.equilibria[i]), separates_all=bool(self.separates_all[i]),
            separates_any=bool(self.separates_any[i]), cheaters=int(self.cheaters[i]),
            security_posterior_after_reject=float(self.security_posterior_after_reject[i]),
            engine="fast")


def _unique_argmax(scores: FloatArray) -> tuple[np.ndarray[Any, np.dtype[np.int64]], BoolArray]:
    """Row-wise argmax over the last axis and whether it beats the rest by ``TOL``."""
    idx = np.argmax(scores, axis=-1)
    top = np.take_along_axis(scores, idx[..., None], axis=-1)[..., 0]
    rest = np.where(np.arange(scores.shape[-1]) == idx[..., None], -np.inf, scores)
    second = rest.max(axis=-1) if scores.shape[-1] > 1 else np.full(top.shape, -np.inf)
    return idx, top > second + TOL


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


def evaluate_offer(scenario: Scenario, params: Params, offer_id: str,
                   full: bool = True) -> FastOffer:
    """The certified figures of ``offer_id`` in every variant: the enumeration
    first; the dominance certificate for the variants it leaves (or, with ``full``,
    for those where it certifies the values only)."""
    if bargain.offer_counter_demands(scenario, offer_id):
        # Counter-demands cost a round and risk a breakdown, and the proposer may stand
        # firm: a shape the kernel does not model, so every variant is routed.
        return _routed(offer_id, params.n)
    pay = offer_payoffs(scenario, params, offer_id)
    out = _enumerated(pay)
    rest = np.flatnonzero(~(out.full if full else out.certified))
    if rest.size:
        out = _fill(out, rest, _dominance(pay.take(rest)))
    return out


def _routed(offer_id: str, n: int) -> FastOffer:
    """No variant certified: all go to the exact solver."""
    no = np.zeros(n, dtype=bool)
    nan = np.full(n, np.nan)
    return FastOffer(offer_id=offer_id, certified=no, full=no,
                     equilibria=np.zeros(n, dtype=np.int64), value_worst=nan, value_best=nan,
                     separates_all=no, separates_any=no, cheaters=np.zeros(n, dtype=np.int64),
                     security_posterior_after_reject=nan, all_reject=no)


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
    # deal 0: accept S; deal 1 + i: counter-demand i granted
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
        comply_p.append(np.broadcast_to((big_d - c - k)[:, None] - rho * (c - c_irr)[:, None],
                                        (n, nt)))
        cheat_u = ((1 - kappa) * big_d - c - k)[:, None] - kappa[:, None] * harm
        cheat_d = (-c_irr - k)[:, None, None] - (kappa[:, None] * harm)[:, :, None] + fp
        cheat_v_p.append((1 - dd)[:, :, None] * cheat_u[:, :, None] + dd[:, :, None] * cheat_d)
    return OfferPayoffs(
        offer_id=offer_id, prior=prior, fp=fp, d=d, alive=shared.alive,
        security=np.array([t.security_only for t in s.types]),
        comply_t=tuple(comply_t), cheat_t=tuple(cheat_t), comply_p=tuple(comply_p),
        cheat_v_p=tuple(cheat_v_p), no_deal_t=shared.no_deal_t, no_deal_p=shared.no_deal_p)


def _dominance(pay: OfferPayoffs) -> FastOffer:
    """Certificate C of the module docstring: a unique pure outcome, or values
    settled for every type."""
    prior, fp, d, alive = pay.prior, pay.fp, pay.d, pay.alive
    comply_t, cheat_t, comply_p, cheat_v_p = pay.comply_t, pay.cheat_t, pay.comply_p, pay.cheat_v_p
    no_deal_t, no_deal_p = pay.no_deal_t, pay.no_deal_p
    n, nt, nf = fp.shape
    nj = len(comply_t)
    nx = nj - 1
    offer_id = pay.offer_id

    # possible behaviour, refined until nothing changes (every step is valid in
    # every equilibrium, so the sets always contain every equilibrium's behaviour)
    n_answers = nx + 2
    reject_idx = n_answers - 1
    pos_r = alive.copy()
    pos_cd = np.repeat(alive[:, None, :], nj, axis=1)  # (n, J, F): after detection
    pos_grant = np.ones((n, nx), dtype=bool)
    pos_walk = np.repeat(alive[:, None, :], nx, axis=1)  # (n, X, F)
    pos_msg = np.ones((n, nt, n_answers), dtype=bool)
    pos_comply = np.ones((n, nt, nj), dtype=bool)
    pos_cheat = np.ones((n, nt, nj), dtype=bool)
    live_prior = prior > 0
    detect = (d > 0)[:, None]

    def lo_hi(x: FloatArray, allowed: BoolArray) -> tuple[FloatArray, FloatArray]:
        mask = np.broadcast_to(allowed[:, None, :], x.shape)
        return (last_min(np.where(mask, x, np.inf)), last_max(np.where(mask, x, -np.inf)))

    def cone_possible(diff_best: FloatArray, sure: BoolArray, maybe: BoolArray) -> BoolArray:
        """Whether ``Σ_θ p_θ r_θ diff(θ) ≥ −TOL`` for some r with r = 1 on ``sure``,
        r ∈ [0, 1] on ``maybe``, 0 elsewhere (diff: (n, T))."""
        w = prior * diff_best
        top = np.where(sure, w, 0.0).sum(axis=1) + np.where(maybe & ~sure, np.maximum(w, 0.0),
                                                           0.0).sum(axis=1)
        return np.asarray(top >= -TOL, dtype=bool)

    # prior-weighted differences between fallbacks, for every pair (n, T, F, F)
    pair_w = prior[:, :, None, None] * (fp[:, :, :, None] - fp[:, :, None, :])
    pair_w_pos = np.maximum(pair_w, 0.0)
    not_self = ~np.eye(nf, dtype=bool)

    def refine_fallbacks(current: BoolArray, sure: BoolArray, maybe: BoolArray) -> BoolArray:
        """Fallbacks optimal at some posterior ∝ p·r (r as in ``cone_possible``)."""
        reached = (sure & live_prior).any(axis=1)
        top = np.einsum("nt,ntfh->nfh", sure.astype(np.float64), pair_w) + np.einsum(
            "nt,ntfh->nfh", (maybe & ~sure).astype(np.float64), pair_w_pos)
        ok = np.all((top >= -TOL) | ~not_self, axis=2)
        return np.asarray(current & (ok | ~np.asarray(reached)[:, None]), dtype=bool)

    for _ in range(8):
        before = (pos_r.sum(), pos_cd.sum(), pos_grant.sum(), pos_walk.sum(), pos_msg.sum(),
                  pos_comply.sum(), pos_cheat.sum())
        # the target after each deal
        deal_lo = np.empty((n, nt, nj))
        deal_hi = np.empty((n, nt, nj))
        for j in range(nj):
            c_lo, c_hi = lo_hi(cheat_t[j], pos_cd[:, j, :])
            pos_comply[:, :, j] &= ~(c_lo > comply_t[j] + TOL)
            pos_cheat[:, :, j] &= ~(comply_t[j] > c_hi + TOL)
            deal_lo[:, :, j] = np.where(pos_comply[:, :, j], np.maximum(comply_t[j], c_lo), c_lo)
            deal_hi[:, :, j] = np.where(pos_cheat[:, :, j], np.maximum(comply_t[j], c_hi),
                                        comply_t[j])
        # the target's answer
        nd_lo, nd_hi = lo_hi(no_deal_t, pos_r)
        lo_m = np.empty((n, nt, n_answers))
        hi_m = np.empty((n, nt, n_answers))
        lo_m[:, :, 0], hi_m[:, :, 0] = deal_lo[:, :, 0], deal_hi[:, :, 0]
        for i in range(nx):
            w_lo, w_hi = lo_hi(no_deal_t, pos_walk[:, i, :])
            any_walk = np.asarray(pos_walk[:, i, :].any(axis=1))[:, None]
            grant = pos_grant[:, i][:, None]
            lo_m[:, :, i + 1] = np.minimum(np.where(grant, deal_lo[:, :, i + 1], np.inf),
                                           np.where(any_walk, w_lo, np.inf))
            hi_m[:, :, i + 1] = np.maximum(np.where(grant, deal_hi[:, :, i + 1], -np.inf),
                                           np.where(any_walk, w_hi, -np.inf))
        lo_m[:, :, reject_idx], hi_m[:, :, reject_idx] = nd_lo, nd_hi
        floor = last_max(np.where(pos_msg, lo_m, -np.inf))
        pos_msg &= hi_m >= floor[:, :, None] - TOL
        only = last_count(pos_msg) == 1
        # the proposer after a rejection, and after detected cheating
        sure_r = only & pos_msg[:, :, reject_idx]
        pos_r = refine_fallbacks(pos_r, sure_r, pos_msg[:, :, reject_idx])
        for j in range(nj):
            msg = pos_msg[:, :, j]
            sure_msg = only & msg
            if j > 0:
                only_grant = pos_grant[:, j - 1] & ~pos_walk[:, j - 1, :].any(axis=1)
                sure_msg = sure_msg & only_grant[:, None]
                msg = msg & pos_grant[:, j - 1][:, None]
            sure = sure_msg & ~pos_comply[:, :, j] & detect
            maybe = msg & pos_cheat[:, :, j] & detect
            pos_cd[:, j, :] = refine_fallbacks(pos_cd[:, j, :], sure, maybe)
        # the proposer after each counter-demand: grant (value range) or walk:f
        for i in range(nx):
            j = i + 1
            v_lo, v_hi = lo_hi(cheat_v_p[j], pos_cd[:, j, :])
            g_lo = np.where(pos_comply[:, :, j], np.minimum(comply_p[j], np.where(
                pos_cheat[:, :, j], v_lo, np.inf)), v_lo)
            g_hi = np.where(pos_comply[:, :, j], np.maximum(comply_p[j], np.where(
                pos_cheat[:, :, j], v_hi, -np.inf)), v_hi)
            sure = only & pos_msg[:, :, j]
            maybe = pos_msg[:, :, j]
            reached = (sure & live_prior).any(axis=1)
            keep_grant = pos_grant[:, i].copy()
            for f in range(nf):
                walk_f = no_deal_p[:, :, f]
                ok_grant = cone_possible(g_hi - walk_f, sure, maybe)
                keep_grant &= ok_grant | ~reached
                keep_grant &= ~np.all(walk_f > g_hi + TOL, axis=1)
                ok_walk = cone_possible(walk_f - g_lo, sure, maybe) | ~reached
                ok_walk &= ~np.all(g_lo > walk_f + TOL, axis=1)
                for h in range(nf):
                    if h != f:
                        ok_walk &= cone_possible(walk_f - no_deal_p[:, :, h], sure, maybe) | \
                            ~reached
                        ok_walk &= ~np.all(no_deal_p[:, :, h] > walk_f + TOL, axis=1)
                pos_walk[:, i, f] &= ok_walk
            pos_grant[:, i] = keep_grant
        after = (pos_r.sum(), pos_cd.sum(), pos_grant.sum(), pos_walk.sum(), pos_msg.sum(),
                 pos_comply.sum(), pos_cheat.sum())
        if after == before:
            break

    # certified: one answer per type, settled after its deal, one action at every
    # reached information set of the proposer
    choice = np.argmax(pos_msg, axis=-1)  # (n, T)
    one_msg = pos_msg.sum(axis=-1) == 1
    is_accept = choice == 0
    is_reject = choice == reject_idx
    deal_of = np.where(is_accept, 0, np.where(is_reject, -1, choice))
    cheats = np.zeros((n, nt), dtype=bool)
    settled = np.ones((n, nt), dtype=bool)
    for j in range(nj):
        here = deal_of == j
        if j > 0:
            grant_only = pos_grant[:, j - 1] & ~pos_walk[:, j - 1, :].any(axis=1)
            settled &= ~here | grant_only[:, None]
        one = pos_comply[:, :, j] ^ pos_cheat[:, :, j]
        settled &= ~here | one
        cheats |= here & pos_cheat[:, :, j] & ~pos_comply[:, :, j]
    certified = np.all(one_msg & settled, axis=1) & np.all(live_prior, axis=1)
    reject_reached = is_reject.any(axis=1)
    certified &= ~reject_reached | (pos_r.sum(axis=1) == 1)
    f_reject = np.argmax(pos_r, axis=1)
    f_cd_all = np.argmax(pos_cd, axis=2)  # (n, J)
    for j in range(nj):
        reached = ((deal_of == j) & cheats).any(axis=1) & (d > 0)
        certified &= ~reached | (pos_cd[:, j, :].sum(axis=1) == 1)
    f_cd = f_cd_all[:, 0]
    f_cdx = f_cd_all[:, 1:]

    # the unique outcome's figures
    rows = np.arange(n)[:, None]
    cols = np.arange(nt)[None, :]
    value_t = np.zeros((n, nt))
    value_t = np.where(is_accept & ~cheats, comply_p[0], value_t)
    value_t = np.where(is_accept & cheats, cheat_v_p[0][rows, cols, f_cd[:, None]], value_t)
    value_t = np.where(is_reject, no_deal_p[rows, cols, f_reject[:, None]], value_t)
    for i in range(nx):
        here = choice == i + 1
        j = i + 1
        ch = cheat_v_p[j][rows, cols, f_cdx[:, i][:, None]]
        value_t = np.where(here & ~cheats, comply_p[j], value_t)
        value_t = np.where(here & cheats, ch, value_t)
    value = (prior * value_t).sum(axis=1)
    separates = final_offer.separates((choice == m for m in range(n_answers)), prior,
                                      pay.security)
    sec_post = final_offer.security_share(prior, is_reject.astype(np.float64), pay.security)
    live_ulterior = (prior > 0) & ~pay.security[None, :]
    unique = FastOffer(
        offer_id=offer_id, certified=certified, full=certified,
        equilibria=np.ones(n, dtype=np.int64), value_worst=value, value_best=value,
        separates_all=separates, separates_any=separates,
        cheaters=(is_accept & cheats & live_ulterior).sum(axis=1).astype(np.int64),
        security_posterior_after_reject=sec_post, all_reject=np.all(is_reject, axis=1))
    settled, settled_value = _settled_value(
        prior, pos_msg, pos_r, pos_cd, pos_grant, pos_walk, pos_comply, pos_cheat, alive, fp,
        d, comply_p, cheat_v_p, no_deal_p)
    return dataclasses.replace(
        unique, certified=certified | settled,
        value_worst=np.where(certified, value, settled_value),
        value_best=np.where(certified, value, settled_value))


def final_offer_game(pay: OfferPayoffs) -> final_offer.FinalOfferGame:
    """The offer as the final-offer game of :mod:`callbluff.sweep.final_offer`: itself
    without counter-demands, else the reduction of :func:`_counters_as_final` (its
    ``usable`` says where each holds)."""
    prior, fp, alive, d = pay.prior, pay.fp, pay.alive, pay.d
    comply_t, cheat_t, comply_p, cheat_v_p = pay.comply_t, pay.cheat_t, pay.comply_p, pay.cheat_v_p
    no_deal_t, no_deal_p = pay.no_deal_t, pay.no_deal_p
    nf = fp.shape[2]
    nx = len(comply_t) - 1
    first = np.argmax(alive, axis=1)
    second = np.argmax(alive & (np.arange(nf)[None, :] != first[:, None]), axis=1)

    def on_fallback(x: FloatArray, f: IntArray) -> FloatArray:
        return np.asarray(np.take_along_axis(x, f[:, None, None], axis=2)[:, :, 0])

    usable = np.all(prior > 0, axis=1) & (alive.sum(axis=1) == 2) & (d > TOL)
    if nx == 0:
        constant, proposer_constant = comply_t[0], np.asarray(comply_p[0])
        other_t, other_p = cheat_t[0], cheat_v_p[0]
    else:
        constant, proposer_constant, cheat_deal, reducible, refused = _counters_as_final(
            comply_t, cheat_t, comply_p, cheat_v_p, no_deal_p, alive)
        pick = cheat_deal[:, None, None, None]
        other_t = np.take_along_axis(np.stack(cheat_t, axis=3), pick, axis=3)[:, :, :, 0]
        other_p = np.take_along_axis(np.stack(cheat_v_p, axis=3), pick, axis=3)[:, :, :, 0]
        # A refused counter-demand is a second "reject".  If every type gains (or every
        # type loses) by the second fallback, the no-deal types all go where the
        # proposer plays it most (least); so every equilibrium is worth what one of
        # the game without the refused answers is worth (a type split between equal
        # behaviours changes no value).
        gain = on_fallback(no_deal_t, second) - on_fallback(no_deal_t, first)
        usable &= reducible & (~refused | np.all(gain > TOL, axis=1)
                               | np.all(gain < -TOL, axis=1))
    game = final_offer.FinalOfferGame(
        prior=prior, comply=constant, cheat_first=on_fallback(other_t, first),
        cheat_second=on_fallback(other_t, second), reject_first=on_fallback(no_deal_t, first),
        reject_second=on_fallback(no_deal_t, second), proposer_comply=proposer_constant,
        proposer_cheat_first=on_fallback(other_p, first),
        proposer_cheat_second=on_fallback(other_p, second),
        proposer_reject_first=on_fallback(no_deal_p, first),
        proposer_reject_second=on_fallback(no_deal_p, second),
        preference=prior * (on_fallback(fp, second) - on_fallback(fp, first)),
        security=pay.security, usable=usable)
    return game


def _enumerated(pay: OfferPayoffs) -> FastOffer:
    """Certificates A (final offers: every figure) and B (counter-demands: values)."""
    n = pay.prior.shape[0]
    nx = len(pay.comply_t) - 1
    every = final_offer.enumerate_outcomes(final_offer_game(pay), TOL)
    return FastOffer(
        offer_id=pay.offer_id, certified=every.certified,
        # with counter-demands the reduced game merges answers: values only
        full=every.certified if nx == 0 else np.zeros(n, dtype=bool),
        equilibria=every.equilibria, value_worst=every.value_worst,
        value_best=every.value_best, separates_all=every.separates_all,
        separates_any=every.separates_any, cheaters=every.cheaters,
        security_posterior_after_reject=every.security_posterior_after_reject,
        all_reject=every.all_reject)


def _counters_as_final(
    comply_t: Sequence[FloatArray], cheat_t: Sequence[FloatArray],
    comply_p: Sequence[FloatArray], cheat_v_p: Sequence[FloatArray], no_deal_p: FloatArray,
    alive: BoolArray,
) -> tuple[FloatArray, FloatArray, IntArray, BoolArray, BoolArray]:
    """An offer with counter-demands as a final offer of the same values.

    Where (by ``TOL``, against every type and alive fallback) each counter-demand is
    either always granted (granting beats every fallback, whether the type then
    complies or cheats) or always refused (one fallback beats granting), and cheating
    can beat a type's best deal honoured after one deal at most, a type's "comply" is
    its best deal honoured (granted counter-demands included), its "cheat" is
    cheating after that one deal, and a refused counter-demand is a second "reject"
    (the proposer picks a fallback at its own information set).

    Returns the type's best deal, its value to the proposer, the deal whose cheating
    is the "cheat", where the reduction holds (the best deal also clear by ``TOL``)
    and where some counter-demand is refused."""
    n, nt, _ = no_deal_p.shape
    on = alive[:, None, :]

    def best_alive(x: FloatArray) -> FloatArray:
        return np.asarray(np.where(on, x, -np.inf).max(axis=2))

    ok = np.ones(n, dtype=bool)
    refused_some = np.zeros(n, dtype=bool)
    deals = np.full((n, nt, len(comply_t)), -np.inf)
    offered = np.ones((n, len(comply_t)), dtype=bool)  # the deal can happen
    deals[:, :, 0] = comply_t[0]
    cheat_best = [best_alive(c) for c in cheat_t]
    for j in range(1, len(comply_t)):
        honest = cheat_best[j] < comply_t[j] - TOL
        grant_low = np.where(honest, comply_p[j], np.minimum(
            comply_p[j], -best_alive(-cheat_v_p[j])))
        granted = np.all(np.where(on, grant_low[:, :, None] > no_deal_p + TOL, True),
                         axis=(1, 2))
        grant_best = np.maximum(comply_p[j], best_alive(cheat_v_p[j]))
        refused = np.any(alive & np.all(no_deal_p > grant_best[:, :, None] + TOL, axis=1),
                         axis=1)
        ok &= granted | refused
        refused_some |= refused
        offered[:, j] = granted
        deals[:, :, j] = np.where(granted[:, None], comply_t[j], -np.inf)
    choice, clear = _unique_argmax(deals)
    ok &= np.all(clear, axis=1)
    constant = np.take_along_axis(deals, choice[:, :, None], axis=2)[:, :, 0]
    cheat_pays = np.stack([offered[:, j] & np.any(c >= constant - TOL, axis=1)
                           for j, c in enumerate(cheat_best)], axis=1)
    ok &= cheat_pays.sum(axis=1) <= 1
    proposer = np.take_along_axis(np.stack(list(comply_p), axis=2), choice[:, :, None],
                                  axis=2)[:, :, 0]
    return constant, proposer, np.argmax(cheat_pays, axis=1), ok, refused_some


def _fill(out: FastOffer, rows: IntArray, other: FastOffer) -> FastOffer:
    """``out`` with ``other``'s answers (for ``rows``) where ``out`` lacks them: every
    field where ``other`` is full, the values where only ``other`` is certified."""
    fields = {f.name: np.array(getattr(out, f.name), copy=True)
              for f in dataclasses.fields(FastOffer) if f.name != "offer_id"}
    full = other.full & ~fields["full"][rows]
    values = other.certified & ~fields["certified"][rows] & ~full
    for name, column in fields.items():
        column[rows[full]] = np.asarray(getattr(other, name))[full]
    for name in ("certified", "value_worst", "value_best", "all_reject"):
        fields[name][rows[values]] = np.asarray(getattr(other, name))[values]
    return FastOffer(offer_id=out.offer_id, **fields)


def _settled_value(
    prior: FloatArray, pos_msg: BoolArray, pos_r: BoolArray, pos_cd: BoolArray,
    pos_grant: BoolArray, pos_walk: BoolArray, pos_comply: BoolArray, pos_cheat: BoolArray,
    alive: BoolArray, fp: FloatArray, d: FloatArray, comply_p: Sequence[FloatArray],
    cheat_v_p: Sequence[FloatArray], no_deal_p: FloatArray,
) -> tuple[BoolArray, FloatArray]:
    """Where every type's possible answers all end in one outcome for the proposer
    (typically: reject, or a counter-demand the proposer always refuses, both followed
    by the same fallback), the proposer's value is the same in every equilibrium,
    however the types split between those answers: (where, value).

    A fallback is settled at an information set when one is possible there, or when
    every type that may reach the set prefers it to every other alive fallback (by
    ``TOL``): whenever the set is reached, it is the proposer's unique best reply."""
    n, nt, n_answers = pos_msg.shape
    nf = alive.shape[1]
    nx = n_answers - 2
    rows = np.arange(n)[:, None]
    cols = np.arange(nt)[None, :]
    wins = np.ones((n, nt, nf), dtype=bool)  # f beats every other alive fallback for θ
    for f in range(nf):
        for h in range(nf):
            if h != f:
                wins[:, :, f] &= ~alive[:, h][:, None] | (fp[:, :, f] > fp[:, :, h] + TOL)

    def settled_fallback(possible: BoolArray, maybe: BoolArray) -> IntArray:
        unanimous = alive & np.all(wins | ~maybe[:, :, None], axis=1)
        return np.asarray(np.where(possible.sum(axis=1) == 1, np.argmax(possible, axis=1),
                                   np.where(unanimous.any(axis=1),
                                            np.argmax(unanimous, axis=1), -1)))

    # outcome codes: comply after deal j: 1000(j+1); cheat after deal j, then f:
    # 1000(j+1) + 1 + f; no deal, then f: 1 + f; unsettled: -1
    def deal(j: int, reach: BoolArray) -> tuple[IntArray, FloatArray]:
        maybe = reach & pos_cheat[:, :, j] & (d > 0)[:, None]
        f = np.where(d > 0, settled_fallback(pos_cd[:, j, :], maybe), 0)
        comply_only = pos_comply[:, :, j] & ~pos_cheat[:, :, j]
        cheat_only = pos_cheat[:, :, j] & ~pos_comply[:, :, j] & (f >= 0)[:, None]
        code = np.where(comply_only, 1000 * (j + 1),
                        np.where(cheat_only, 1000 * (j + 1) + 1 + f[:, None], -1))
        payoff = np.where(comply_only, comply_p[j],
                          cheat_v_p[j][rows, cols, np.maximum(f, 0)[:, None]])
        return code, payoff

    def no_deal(f: IntArray) -> tuple[IntArray, FloatArray]:
        code = np.where(f >= 0, 1 + f, -1)[:, None] * np.ones((1, nt), dtype=np.int64)
        return code, no_deal_p[rows, cols, np.maximum(f, 0)[:, None]]

    codes = np.empty((n, nt, n_answers), dtype=np.int64)
    payoffs = np.empty((n, nt, n_answers))
    codes[:, :, 0], payoffs[:, :, 0] = deal(0, pos_msg[:, :, 0])
    for i in range(nx):
        grant_only = pos_grant[:, i] & ~pos_walk[:, i, :].any(axis=1)
        d_code, d_pay = deal(i + 1, pos_msg[:, :, i + 1] & pos_grant[:, i][:, None])
        w_code, w_pay = no_deal(settled_fallback(pos_walk[:, i, :], pos_msg[:, :, i + 1]))
        codes[:, :, i + 1] = np.where(grant_only[:, None], d_code,
                                      np.where(pos_grant[:, i][:, None], -1, w_code))
        payoffs[:, :, i + 1] = np.where(grant_only[:, None], d_pay, w_pay)
    codes[:, :, -1], payoffs[:, :, -1] = no_deal(settled_fallback(pos_r, pos_msg[:, :, -1]))
    low = np.where(pos_msg, codes, np.iinfo(np.int64).max).min(axis=2)
    high = np.where(pos_msg, codes, -1).max(axis=2)
    one = (low == high) & (low >= 0)
    payoff = payoffs[rows, cols, np.argmax(pos_msg, axis=2)]
    settled = np.all(one | (prior == 0), axis=1)
    return settled, (prior * np.where(prior == 0, 0.0, payoff)).sum(axis=1)


def status_quo_values(scenario: Scenario, params: Params) -> FloatArray:
    """The proposer's value of no offer: the best fallback against the prior."""
    shared = type_arrays(scenario, params)
    per_f = (shared.prior[:, :, None] * shared.no_deal_p).sum(axis=1)
    return np.asarray(per_f.max(axis=1), dtype=np.float64)


@dataclass(frozen=True)
class FastChunk:
    """Rows of a chunk from the fast path; ``certified`` rows are final."""

    certified: BoolArray
    columns: dict[str, Any]
    offers: tuple[FastOffer, ...] = ()


def evaluate(scenario: Scenario, spec: SweepSpec, inputs: Mapping[str, FloatArray],
             n: int) -> FastChunk:
    """The output columns of :func:`callbluff.sweep.evaluate.variant_row` for ``n``
    variants at once; rows that are not ``certified`` must be computed exactly (the
    main offer needs every figure, the others their worst and best values)."""
    params = Params(scenario, spec, inputs, n)
    main_id = main_offer_id(scenario)
    offers = [evaluate_offer(scenario, params, o.id, full=o.id == main_id)
              for o in scenario.offers]
    main = offers[[o.id for o in scenario.offers].index(main_id)]
    certified = main.full.copy()
    for o in offers:
        certified &= o.certified
    sq = status_quo_values(scenario, params)
    columns: dict[str, Any] = {
        "separates": main.separates_all.copy(),
        "separates_sometimes": main.separates_any.copy(),
        "equilibria": main.equilibria,
        "cheaters": main.cheaters,
        "security_posterior_after_reject": main.security_posterior_after_reject,
        "value:status-quo": sq,
    }
    names = np.array([NO_OFFER, *(o.id for o in scenario.offers)], dtype=object)
    repeats = repeated_offers(scenario)
    for rule, field, prefix in (("best_offer", "value_worst", "value"),
                                ("best_offer_optimistic", "value_best", "value_best")):
        # Strictly larger value, ties to no offer then scenario order.  An offer every
        # type rejects is worth exactly the status quo; any other near tie (within
        # TOL) cannot be decided in floats and goes to the exact solver.
        best_value = sq.copy()
        best_is_sq = np.ones(n, dtype=bool)  # current best equals the status quo exactly
        best_index = np.full(n, -1, dtype=np.int64)
        for i, (offer, o) in enumerate(zip(scenario.offers, offers, strict=True)):
            value = np.where(o.all_reject, sq, getattr(o, field))
            columns[f"{prefix}:{offer.id}"] = value
            if i in repeats:  # the same game as an earlier offer: equal value, never better
                continue
            better = value > best_value + TOL
            near = ~better & (np.abs(value - best_value) <= TOL) & ~(o.all_reject & best_is_sq)
            certified &= ~near
            best_value = np.where(better, value, best_value)
            best_index = np.where(better, i, best_index)
            best_is_sq = np.where(better, False, best_is_sq)
        columns[rule] = names[best_index + 1]
    columns["exact_offers"] = np.zeros(n, dtype=np.int64)
    return FastChunk(certified=certified, columns=columns, offers=tuple(offers))


def repeated_offers(scenario: Scenario) -> set[int]:
    """Indices of offers whose game is the same as an earlier offer's (same package,
    regime and counter-demands): their values are equal exactly."""
    seen: set[tuple[object, ...]] = set()
    out: set[int] = set()
    for i, o in enumerate(scenario.offers):
        key = (frozenset(o.concessions), o.regime,
               tuple(bargain.offer_counter_demands(scenario, o.id)))
        if key in seen:
            out.add(i)
        seen.add(key)
    return out


def detection_thresholds(
    scenario: Scenario, params: Params,
    exact_point: Callable[[int, Fraction], bool] | None = None,
) -> tuple[list[Fraction | None], BoolArray]:
    """:func:`callbluff.analysis.verdict.detection_threshold` of the main offer for
    every variant, where every evaluation it needs is certified.

    The same search, point for point: "does an ulterior type accept and cheat?" at
    d = 1, on the grid i/16, then bisection of the last change down to the
    resolution of :mod:`callbluff.analysis.thresholds`.  All points are dyadic
    rationals, exact in float64, so the fast path visits the very points the exact
    search visits and returns the same rational (Stern–Brocot) — exactly, not
    within a tolerance.  ``None``: cheating even at d = 1.

    ``exact_point(row, d)`` answers the question exactly where the fast path cannot
    certify a point; without it such variants come back not ``certified``."""
    main = main_offer_id(scenario)
    key: Key = ("regime", scenario.offer(main).regime, "detection")
    n = params.n

    def cheats(rows: np.ndarray[Any, np.dtype[np.int64]], d: FloatArray) -> tuple[
            BoolArray, BoolArray]:
        fo = evaluate_offer(scenario, params.take(rows, {key: d}), main)
        verdict = np.asarray(fo.cheaters > 0)
        ok = np.asarray(fo.full)
        if exact_point is not None:
            for j in np.flatnonzero(~ok):
                verdict[j] = exact_point(int(rows[j]), Fraction(float(d[j])))
            ok = np.ones_like(ok)
        return verdict, ok

    rows = np.arange(n)
    at_one, certified = cheats(rows, np.ones(n))
    grid = 16
    g_rows = np.repeat(rows, grid + 1)
    g_d = np.tile(np.arange(grid + 1) / grid, n)
    g_v, g_ok = cheats(g_rows, g_d)
    g_v = g_v.reshape(n, grid + 1)
    certified = certified & g_ok.reshape(n, grid + 1).all(axis=1)
    change = g_v[:, 1:] != g_v[:, :-1]
    has_flip = change.any(axis=1)
    last = grid - 1 - np.argmax(change[:, ::-1], axis=1)
    lo = last / grid
    hi = (last + 1) / grid
    left = g_v[rows, last]
    todo = np.flatnonzero(has_flip & ~at_one)
    width = Fraction(1, grid)
    while width > RESOLUTION:
        width /= 2
        mid = (lo[todo] + hi[todo]) / 2
        v, ok = cheats(todo, mid)
        certified[todo] &= ok
        same = v == left[todo]
        lo[todo] = np.where(same, mid, lo[todo])
        hi[todo] = np.where(same, hi[todo], mid)
    out: list[Fraction | None] = []
    for i in range(n):
        if at_one[i]:
            out.append(None)
        elif not has_flip[i]:
            out.append(Fraction(0))
        else:
            out.append(simplest_between(Fraction(float(lo[i])), Fraction(float(hi[i]))))
    return out, certified


def supported(scenario: Scenario, spec: SweepSpec) -> bool:
    """Whether every uncertain input is a number the fast path models."""
    try:
        for item in spec.inputs:
            canonical_key(scenario, item.path)
    except Unsupported:
        return False
    return True


__all__ = [
    "TOL",
    "FastChunk",
    "FastOffer",
    "Params",
    "TypeArrays",
    "Unsupported",
    "canonical_key",
    "detection_thresholds",
    "evaluate",
    "evaluate_offer",
    "final_offer_game",
    "offer_payoffs",
    "repeated_offers",
    "status_quo_values",
    "supported",
    "type_arrays",
]
