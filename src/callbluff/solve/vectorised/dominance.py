"""Certificate C of :mod:`callbluff.solve.vectorised`: iterated strict dominance with
sets of behaviours (Fudenberg & Tirole 1991, *Game Theory*, §2.1 and §8.2) proves a
unique pure equilibrium outcome, or settles the proposer's value."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from callbluff.solve.vectorised.arrays import last_count, last_max, last_min
from callbluff.solve.vectorised.enumeration import security_share, separates
from callbluff.solve.vectorised.outcomes import FastOffer
from callbluff.solve.vectorised.parameters import TOL, BoolArray, FloatArray, IntArray
from callbluff.solve.vectorised.payoffs import OfferPayoffs


def refinement_passes(nt: int, nf: int, nj: int) -> int:
    """Passes after which the refinement of :func:`dominance` is at its fixed point,
    for ``nt`` types, ``nf`` fallbacks and ``nj`` deals (accepting, then each
    counter-demand granted).

    Every update of a pass only removes behaviours from the sets of possible
    behaviour (each set is and-ed with a test), and a variant's update reads that
    variant's sets alone.  So a pass that changes none of a variant's sets leaves
    the variant at its fixed point for good, and until then every pass removes at
    least one of its behaviours.  A variant has ``nf`` fallbacks after a rejection,
    ``nj·nf`` after detected cheating, ``nx`` grants and ``nx·nf`` walks
    (``nx = nj − 1`` counter-demands), ``nt·(nx + 2)`` answers and ``2·nt·nj``
    comply/cheat choices; one more pass sees that nothing changed.  (The loop used
    to stop after 8 passes, a number with no recorded reason; the test scenarios
    settle in at most 5, counting the pass that confirms it.)"""
    nx = nj - 1
    return nf + nj * nf + nx + nx * nf + nt * (nx + 2) + 2 * nt * nj + 1


def dominance(pay: OfferPayoffs) -> FastOffer:
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

    for _ in range(refinement_passes(nt, nf, nj)):
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
    separating = separates((choice == m for m in range(n_answers)), prior,
                                      pay.security)
    sec_post = security_share(prior, is_reject.astype(np.float64), pay.security)
    live_ulterior = (prior > 0) & ~pay.security[None, :]
    unique = FastOffer(
        offer_id=offer_id, certified=certified, full=certified,
        equilibria=np.ones(n, dtype=np.int64), value_worst=value, value_best=value,
        separates_all=separating, separates_any=separating,
        cheaters=(is_accept & cheats & live_ulterior).sum(axis=1).astype(np.int64),
        security_posterior_after_reject=sec_post, all_reject=np.all(is_reject, axis=1))
    settled, value_settled = settled_value(
        prior, pos_msg, pos_r, pos_cd, pos_grant, pos_walk, pos_comply, pos_cheat, alive, fp,
        d, comply_p, cheat_v_p, no_deal_p)
    return dataclasses.replace(
        unique, certified=certified | settled,
        value_worst=np.where(certified, value, value_settled),
        value_best=np.where(certified, value, value_settled))


def settled_value(
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


__all__ = ["dominance", "refinement_passes", "settled_value"]
