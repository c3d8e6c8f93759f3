"""The fast path: the bargain game's equilibrium outcome, vectorised over variants.

The game of an offer has the fixed shape of ``docs/model.md``, so the payoffs of
every outcome are affine expressions in the scenario's numbers, computed here
with NumPy over the variant axis (:class:`Params`).  The exact solver
(:func:`callbluff.solve.solve`) returns all weak perfect Bayesian equilibrium
outcomes, mixed ones included; the fast path answers only where it can *prove*
that there is exactly one outcome, and that it is pure, and says so per variant
(``certified``).  Every other variant goes to the exact solver.

Certificate: iterated strict dominance with sets of behaviours (Fudenberg &
Tirole 1991, *Game Theory*, §2.1 and §8.2).  All comparisons are strict with a
margin ``TOL`` far above float rounding, so that every decision made in floats
is the decision the exact arithmetic makes.

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

Why so strict: ``reject`` and ``counter:x`` followed by walking away with the same
fallback give every player the same payoff, so a type that ends with no deal is
indifferent between those answers whenever the proposer would walk — the exact
solver then reports a continuum of outcomes (one point per support), which no
closed form can reproduce.  Such variants are routed to the exact solver.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from callbluff.analysis.thresholds import RESOLUTION, parse_path, simplest_between
from callbluff.analysis.verdict import NO_OFFER, main_offer_id
from callbluff.game import bargain
from callbluff.scenario.schema import Scenario
from callbluff.sweep.evaluate import EquilibriumSummary, OfferSummary
from callbluff.sweep.spec import INPUT_PREFIX, PRIOR_PREFIX, SweepSpec

#: Margin of every decisive comparison (payoffs are O(1..10³); float rounding is
#: O(10⁻¹³)).
TOL = 1e-9
#: Index of the answers in the ``answers`` arrays.
ACCEPT_COMPLY, ACCEPT_CHEAT, COUNTER, REJECT = range(4)

Key = tuple[str, ...]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


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
                                          "arsenal_harm"):
            return (str(rest[1]), t)
    if head == "arsenal" and len(rest) == 2 and rest[0] == "values" and isinstance(rest[1], str):
        return ("arsenal", rest[1])
    if head in ("concessions", "counter_demands") and len(rest) >= 2 and isinstance(rest[0], tuple):
        items = scenario.concessions if head == "concessions" else scenario.counter_demands
        c = find(items, rest[0][1])
        if rest[1:] == ["cost"]:
            return ("cost", c)
        if len(rest) == 3 and rest[1] == "values" and isinstance(rest[2], str):
            return ("value", c, rest[2])
    if head == "regimes" and len(rest) == 2 and isinstance(rest[0], tuple):
        r = find(scenario.regimes, rest[0][1])
        if rest[1] in ("detection", "intrusiveness", "cost"):
            return ("regime", r, str(rest[1]))
    if head == "cheating" and len(rest) == 1 and rest[0] in ("covert_fraction", "penalty"):
        return (str(rest[0]),)
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
        s = scenario
        values: dict[Key, Any] = {}
        for t in s.types:
            values[("prior", t.id)] = float(t.prior)
            values[("inspection_sensitivity", t.id)] = float(t.inspection_sensitivity)
            values[("status_quo", t.id)] = float(t.status_quo)
            values[("arsenal_harm", t.id)] = float(t.arsenal_harm)
            for m in s.motives:
                values[("weight", t.id, m.id)] = float(t.weights.get(m.id, 0))
        for m in s.motives:
            values[("arsenal", m.id)] = float(s.arsenal.values.get(m.id, 0))
        for c in [*s.concessions, *s.counter_demands]:
            values[("cost", c.id)] = float(c.cost)
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
    """The fast path's answer for one offer over ``n`` variants (valid where
    ``certified``)."""

    offer_id: str
    certified: BoolArray
    answers: FloatArray  # (n, types, 4): accept&comply, accept&cheat, counter, reject
    counter_by_demand: FloatArray  # (n, types, counters)
    value: FloatArray  # proposer's value
    all_reject: BoolArray  # every type rejects (value then equals the status quo)
    separates: BoolArray
    security_posterior_after_reject: FloatArray
    cheaters: np.ndarray[Any, np.dtype[np.int64]]
    fallback_after_reject: np.ndarray[Any, np.dtype[np.int64]]  # -1 when off the path


def _last_min(x: FloatArray) -> FloatArray:
    """``x.min(axis=-1)`` for a short last axis (NumPy reduces those slowly)."""
    out = x[..., 0].copy()
    for i in range(1, x.shape[-1]):
        np.minimum(out, x[..., i], out=out)
    return out


def _last_max(x: FloatArray) -> FloatArray:
    out = x[..., 0].copy()
    for i in range(1, x.shape[-1]):
        np.maximum(out, x[..., i], out=out)
    return out


def _last_count(x: BoolArray) -> np.ndarray[Any, np.dtype[np.int64]]:
    out = x[..., 0].astype(np.int64)
    for i in range(1, x.shape[-1]):
        out += x[..., i]
    return out


def _unique_argmax(scores: FloatArray) -> tuple[np.ndarray[Any, np.dtype[np.int64]], BoolArray]:
    """Row-wise argmax over the last axis and whether it beats the rest by ``TOL``."""
    idx = np.argmax(scores, axis=-1)
    top = np.take_along_axis(scores, idx[..., None], axis=-1)[..., 0]
    rest = np.where(np.arange(scores.shape[-1]) == idx[..., None], -np.inf, scores)
    second = rest.max(axis=-1) if scores.shape[-1] > 1 else np.full(top.shape, -np.inf)
    return idx, top > second + TOL


def evaluate_offer(scenario: Scenario, params: Params, offer_id: str) -> FastOffer:
    """The certified equilibrium outcome of ``offer_id`` in every variant."""
    s = scenario
    n = params.n
    offer = s.offer(offer_id)
    types = [t.id for t in s.types]
    motives = [m.id for m in s.motives]
    fallbacks = [f.id for f in s.fallbacks]
    counters = bargain.offer_counter_demands(s, offer_id)
    nt, nf, nx = len(types), len(fallbacks), len(counters)
    g = params.get

    prior = np.stack([g(("prior", t)) for t in types], axis=1)  # (n, T)
    weights = np.stack([np.stack([g(("weight", t, m)) for m in motives], axis=1)
                        for t in types], axis=1)  # (n, T, M)
    arsenal = np.stack([g(("arsenal", m)) for m in motives], axis=1)  # (n, M)
    big_a = np.einsum("ntm,nm->nt", weights, arsenal)
    pressure = sum((g(("pressure", st.id)) for st in s.stakeholders), np.zeros(n))
    q = np.stack([g(("status_quo", t)) for t in types], axis=1) - pressure[:, None]
    harm = np.stack([g(("arsenal_harm", t)) for t in types], axis=1)
    sens = np.stack([g(("inspection_sensitivity", t)) for t in types], axis=1)
    d = g(("regime", offer.regime, "detection"))
    iota = g(("regime", offer.regime, "intrusiveness"))
    k = g(("regime", offer.regime, "cost"))
    kappa = g(("covert_fraction",))
    penalty = g(("penalty",))
    big_d = g(("D",))
    fp = np.stack([np.stack([g(("fallback", f, "proposer", t)) for f in fallbacks], axis=1)
                   for t in types], axis=1)  # (n, T, F)
    ft = np.stack([np.stack([g(("fallback", f, "target", t)) for f in fallbacks], axis=1)
                   for t in types], axis=1)
    reversible = {c.id: c.reversible for c in [*s.concessions, *s.counter_demands]}

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

    inspection = sens * iota[:, None]
    dd = d[:, None]
    no_deal_t = big_a[:, :, None] + q[:, :, None] + ft  # (n, T, F)
    no_deal_p = -harm[:, :, None] + fp

    # 1. fallbacks that some belief can make optimal (not beaten against every type)
    alive = np.ones((n, nf), dtype=bool)
    for f in range(nf):
        for h in range(nf):
            if h != f:
                alive[:, f] &= ~np.all(fp[:, :, h] > fp[:, :, f] + TOL, axis=1)

    # deal 0: accept S; deal 1 + i: counter-demand i granted
    deals = [list(offer.concessions)] + [[*offer.concessions, x] for x in counters]
    nj = len(deals)
    comply_t, cheat_t, comply_p, cheat_v_p = [], [], [], []
    for ids in deals:
        b, b_irr, c, c_irr = package(ids)
        comply_t.append(b - inspection)
        undetected = b - inspection + kappa[:, None] * big_a
        detected = (b_irr - inspection - penalty[:, None] + kappa[:, None] * big_a + q)[
            :, :, None] + ft
        cheat_t.append((1 - dd)[:, :, None] * undetected[:, :, None]
                       + dd[:, :, None] * detected)
        comply_p.append(np.broadcast_to((big_d - c - k)[:, None], (n, nt)))
        cheat_u = ((1 - kappa) * big_d - c - k)[:, None] - kappa[:, None] * harm
        cheat_d = (-c_irr - k)[:, None, None] - (kappa[:, None] * harm)[:, :, None] + fp
        cheat_v_p.append((1 - dd)[:, :, None] * cheat_u[:, :, None] + dd[:, :, None] * cheat_d)

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
        return (_last_min(np.where(mask, x, np.inf)), _last_max(np.where(mask, x, -np.inf)))

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
        floor = _last_max(np.where(pos_msg, lo_m, -np.inf))
        pos_msg &= hi_m >= floor[:, :, None] - TOL
        only = _last_count(pos_msg) == 1
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

    # values and answers
    rows = np.arange(n)[:, None]
    cols = np.arange(nt)[None, :]
    value_t = np.zeros((n, nt))
    value_t = np.where(is_accept & ~cheats, comply_p[0], value_t)
    value_t = np.where(is_accept & cheats, cheat_v_p[0][rows, cols, f_cd[:, None]], value_t)
    value_t = np.where(is_reject, no_deal_p[rows, cols, f_reject[:, None]], value_t)
    counter_by = np.zeros((n, nt, nx))
    for i in range(nx):
        here = choice == i + 1
        j = i + 1
        ch = cheat_v_p[j][rows, cols, f_cdx[:, i][:, None]]
        value_t = np.where(here & ~cheats, comply_p[j], value_t)
        value_t = np.where(here & cheats, ch, value_t)
        counter_by[:, :, i] = here
    value = (prior * value_t).sum(axis=1)
    answers = np.zeros((n, nt, 4))
    answers[:, :, ACCEPT_COMPLY] = is_accept & ~cheats
    answers[:, :, ACCEPT_CHEAT] = is_accept & cheats
    answers[:, :, COUNTER] = (choice > 0) & ~is_reject
    answers[:, :, REJECT] = is_reject
    secure = np.array([t.security_only for t in s.types])
    live = prior > 0
    live_secure = live & secure[None, :]
    live_ulterior = live & ~secure[None, :]
    separates = live_secure.any(axis=1) & live_ulterior.any(axis=1)
    for m in range(n_answers):
        at = choice == m
        separates &= ~((at & live_secure).any(axis=1) & (at & live_ulterior).any(axis=1))
    rej_mass = (prior * is_reject).sum(axis=1)
    sec_rej = (prior * (is_reject & secure[None, :])).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sec_post = np.where(reject_reached, sec_rej / np.where(reject_reached, rej_mass, 1.0),
                            np.nan)
    cheaters = (is_accept & cheats & live_ulterior).sum(axis=1)
    all_reject = np.all(is_reject, axis=1)
    return FastOffer(
        offer_id=offer_id, certified=certified, answers=answers,
        counter_by_demand=counter_by, value=value, all_reject=all_reject,
        separates=separates, security_posterior_after_reject=sec_post,
        cheaters=cheaters.astype(np.int64),
        fallback_after_reject=np.where(reject_reached, f_reject, -1),
    )


def status_quo_values(scenario: Scenario, params: Params) -> FloatArray:
    """The proposer's value of no offer: the best fallback against the prior."""
    types = [t.id for t in scenario.types]
    prior = np.stack([params.get(("prior", t)) for t in types], axis=1)
    harm = np.stack([params.get(("arsenal_harm", t)) for t in types], axis=1)
    fp = np.stack([np.stack([params.get(("fallback", f.id, "proposer", t)) for f in
                             scenario.fallbacks], axis=1) for t in types], axis=1)
    per_f = (prior[:, :, None] * (-harm[:, :, None] + fp)).sum(axis=1)
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
    variants at once; rows that are not ``certified`` must be computed exactly."""
    params = Params(scenario, spec, inputs, n)
    offers = [evaluate_offer(scenario, params, o.id) for o in scenario.offers]
    main = offers[[o.id for o in scenario.offers].index(main_offer_id(scenario))]
    certified = np.ones(n, dtype=bool)
    for o in offers:
        certified &= o.certified
    sq = status_quo_values(scenario, params)
    columns: dict[str, Any] = {
        "separates": main.separates.copy(),
        "separates_sometimes": main.separates.copy(),
        "equilibria": np.ones(n, dtype=np.int64),
        "cheaters": main.cheaters,
        "security_posterior_after_reject": main.security_posterior_after_reject,
    }
    # Best offer: strictly larger value, ties to no offer then scenario order.  An
    # offer every type rejects is worth exactly the status quo; any other near tie
    # (within TOL) cannot be decided in floats and goes to the exact solver.
    best_value = sq.copy()
    best_is_sq = np.ones(n, dtype=bool)  # current best equals the status quo exactly
    best_index = np.full(n, -1, dtype=np.int64)
    repeats = repeated_offers(scenario)
    for i, o in enumerate(offers):
        if i in repeats:  # the same game as an earlier offer: equal value, never better
            continue
        value = np.where(o.all_reject, sq, o.value)
        better = value > best_value + TOL
        near = ~better & (np.abs(value - best_value) <= TOL) & ~(o.all_reject & best_is_sq)
        certified &= ~near
        best_value = np.where(better, value, best_value)
        best_index = np.where(better, i, best_index)
        best_is_sq = np.where(better, False, best_is_sq)
    names = np.array([NO_OFFER, *(o.id for o in scenario.offers)], dtype=object)
    columns["best_offer"] = names[best_index + 1]
    columns["best_offer_optimistic"] = names[best_index + 1]
    columns["value:status-quo"] = sq
    for offer, fo in zip(scenario.offers, offers, strict=True):
        value = np.where(fo.all_reject, sq, fo.value)
        columns[f"value:{offer.id}"] = value
        columns[f"value_best:{offer.id}"] = value
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


def offer_summary(scenario: Scenario, fo: FastOffer, i: int,
                  status_quo_value: float) -> OfferSummary:
    """Row ``i`` of a certified offer as the sweep's :class:`OfferSummary`."""
    eq = EquilibriumSummary(
        answers={t.id: (float(fo.answers[i, k, 0]), float(fo.answers[i, k, 1]),
                        float(fo.answers[i, k, 2]), float(fo.answers[i, k, 3]))
                 for k, t in enumerate(scenario.types)},
        proposer_value=status_quo_value if fo.all_reject[i] else float(fo.value[i]),
        separates=bool(fo.separates[i]),
        security_posterior_after_reject=float(fo.security_posterior_after_reject[i]),
    )
    return OfferSummary(offer_id=fo.offer_id, equilibria=(eq,), cheaters=int(fo.cheaters[i]),
                        engine="fast")


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
        ok = np.asarray(fo.certified)
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
    "Unsupported",
    "canonical_key",
    "detection_thresholds",
    "evaluate",
    "evaluate_offer",
    "offer_summary",
    "repeated_offers",
    "status_quo_values",
    "supported",
]
