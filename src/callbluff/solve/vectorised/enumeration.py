"""Every equilibrium outcome of a final offer, vectorised over variants.

Certificates A and B of :mod:`callbluff.solve.vectorised`.  A final offer (no
counter-demands) is a signalling game with two information sets
of the proposer: after a rejection (R) and after detected cheating (C).  Each type
answers comply, cheat or reject; when exactly two fallbacks are *alive* (not
beaten against every type) the proposer's behaviour at R and at C is one number each, x
and y, the probability of the second alive fallback.  A type's value of rejecting
is affine in x, of cheating affine in y, of complying constant.

All weak perfect Bayesian equilibrium outcomes are enumerated by support
enumeration (Porter, Nudelman & Shoham 2008, *Games Econ. Behav.* 63, "Simple
search methods for finding a Nash equilibrium"; the signalling-game conditions of
Fudenberg & Tirole 1991, *Game Theory*, §8.2.1): each information set is off the
path (its behaviour free within the set that deters every type), pure, or mixed;
a mixed set is balanced by the Bayes posterior of the types that reach it, which
needs a type mixing into it, whose indifference pins x or y.  Generic games need at
most two such mixing types (one unknown per mixed set); the structures are listed
in :func:`structures`.  For each, the point (x, y), the types' best answers, the
mixing probabilities and the proposer's conditions are computed for every
variant at once.

Certification.  Every comparison is decided with the margin ``tol``; a structure
whose checks are neither decisively passed nor decisively failed makes the variant
uncertified (it goes to the exact solver).  Non-generic games, where equilibria
need more coincidences than unknowns (a continuum), are caught there — a type not
designated as mixing is tied at the structure's point (one such tie in a structure
without mixing types may instead make a *tie family* whose values are pending until
the tie is confirmed exactly: :class:`_Ties`) — or by the flat-family test
(:func:`_flat_families_possible`): a set of types whose weighted preferences between
the two fallbacks cancel, which lets x or y move freely while the proposer stays
indifferent, *and* which can be exactly the set of types giving that answer at some
x (or y).  Cancelling weights alone are not enough: in the default scenario
coercion and mixed cancel, but under the all-in offer prestige and proliferation
revenue reject at every x, so those two are never the only ones to reject.  Two
outcomes whose proposer values are within ``tol`` make the variant uncertified
too (which is the proposer-worst one decides the reported posterior).

Completeness, in short: in an equilibrium of a game without flat families each
mixed set has a mixing sender (else its pure senders' weights cancel: a flat
family); each mixing type adds one
equation in (x, y) and each mixed set one in the mixing probabilities, so a
generic equilibrium has as many mixing types' extra answers as mixed sets (at most
two), and is one of the listed structures; a type mixing beyond that is a tie at
that structure's point.  Soundness: every condition of a weak PBE (types' best
answers, the proposer's best reply to the Bayes posterior at reached sets, some
deterring behaviour at unreached ones) is checked for each reported outcome.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from callbluff.solve.vectorised.arrays import last_max, last_min, last_sum
from callbluff.solve.vectorised.outcomes import FastOffer, PendingTie
from callbluff.solve.vectorised.parameters import TOL, IntArray
from callbluff.solve.vectorised.payoffs import OfferPayoffs

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]

#: The answers, as indices of the last axis of the types' values.
COMPLY, CHEAT, REJECT = range(3)
#: Modes of an information set: first alive fallback, second, mixed, off the path.
FIRST, SECOND, MIXED, FREE = "first", "second", "mixed", "free"
_REJECT_CHEAT = frozenset({REJECT, CHEAT})


@dataclass(frozen=True)
class FinalOfferGame:
    """One final offer's payoffs over ``n`` variants, restricted to the two alive
    fallbacks (arrays (n, T); ``*_first``/``*_second``: the fallback played at R or C)."""

    prior: FloatArray
    comply: FloatArray  # the type's value of accept & comply
    cheat_first: FloatArray  # of accept & cheat, (1 - d)·undetected + d·detected
    cheat_second: FloatArray
    reject_first: FloatArray
    reject_second: FloatArray
    proposer_comply: FloatArray
    proposer_cheat_first: FloatArray
    proposer_cheat_second: FloatArray
    proposer_reject_first: FloatArray
    proposer_reject_second: FloatArray
    preference: FloatArray  # prior · (fp(second) - fp(first)): the proposer's lean to second
    security: BoolArray  # (T,): security-only types
    usable: BoolArray  # (n,): the variant fits the shape (d > 0, priors > 0, 2 alive)
    #: where the answers come from (:func:`final_offer_game`): the deal each type's
    #: "comply" keeps (n, T), the deal whose cheating is "cheat" (n,), the two alive
    #: fallbacks (n, 2); the offer's own deal and fallbacks 0, 1 when not given
    comply_deal: IntArray | None = None
    cheat_deal: IntArray | None = None
    fallback_pair: IntArray | None = None


@dataclass(frozen=True)
class FinalOfferFigures:
    """What the sweep keeps of all equilibrium outcomes of the offer, per variant
    (valid where ``certified``)."""

    certified: BoolArray
    equilibria: np.ndarray[Any, np.dtype[np.int64]]
    value_worst: FloatArray
    value_best: FloatArray
    separates_all: BoolArray
    separates_any: BoolArray
    cheaters: np.ndarray[Any, np.dtype[np.int64]]  # ulterior types cheating in some outcome
    security_posterior_after_reject: FloatArray  # proposer-worst outcome; NaN off the path
    all_reject: BoolArray  # one outcome, in which every type rejects
    #: with ``keep_outcomes``: per variant, each outcome's answer probabilities (T, 3)
    outcomes: tuple[tuple[FloatArray, ...], ...] | None = None
    #: variants whose values (``value_worst``, ``value_best``) hold if one tie found in
    #: floats is exact (:class:`_Ties`; ``None``: none)
    tie: PendingTie | None = None


@dataclass(frozen=True)
class Structure:
    """A support pattern: the mode of R and C and the mixing types with their supports."""

    r_mode: str
    c_mode: str
    mixers: tuple[tuple[int, frozenset[int]], ...]


def structures(n_types: int) -> list[Structure]:
    """Every generic support pattern (at most one unknown per mixed information set)."""
    ra, ca, rc = frozenset({REJECT, COMPLY}), frozenset({CHEAT, COMPLY}), _REJECT_CHEAT
    out: list[Structure] = []
    for r in (FIRST, SECOND, FREE):
        out += [Structure(r, c, ()) for c in (FIRST, SECOND, FREE)]
    types = range(n_types)
    for t in types:
        for c in (FIRST, SECOND):
            out += [Structure(MIXED, c, ((t, ra),)), Structure(MIXED, c, ((t, rc),)),
                    Structure(c, MIXED, ((t, ca),)), Structure(c, MIXED, ((t, rc),))]
        out += [Structure(MIXED, FREE, ((t, ra),)), Structure(FREE, MIXED, ((t, ca),)),
                Structure(MIXED, MIXED, ((t, frozenset({REJECT, CHEAT, COMPLY})),))]
    for t1, t2 in itertools.permutations(types, 2):
        out += [Structure(MIXED, MIXED, ((t1, ra), (t2, ca))),
                Structure(MIXED, MIXED, ((t1, ra), (t2, rc))),
                Structure(MIXED, MIXED, ((t1, rc), (t2, ca)))]
    return out


class _Checks:
    """Conjunction of margin-decided conditions: ``passed`` where every condition
    holds by more than ``tol``, ``failed`` where one fails by more than ``tol``."""

    def __init__(self, n: int, tol: float) -> None:
        self.passed = np.ones(n, dtype=bool)
        self.failed = np.zeros(n, dtype=bool)
        self.tol = tol

    def greater(self, a: FloatArray, b: FloatArray | float) -> None:
        """``a > b`` (NaN counts as failed)."""
        diff = a - b
        self.fold(diff > self.tol, ~(diff >= -self.tol))

    def require(self, condition: BoolArray) -> None:
        """A condition decided exactly (no margin needed)."""
        self.fold(condition, ~condition)

    def fold(self, holds: BoolArray, fails: BoolArray) -> None:
        """One condition: where it holds decisively, where it fails decisively."""
        self.passed &= holds
        self.failed |= fails


class _SplitChecks(_Checks):
    """The checks of a structure at the two ends of one tied type's split, rows ``i``
    (all on one answer) and ``k + i`` (all on the other) for ``k`` variants: passed
    where every condition holds at both ends, failed where one condition fails at
    both.  Each condition is affine in the split (the reach and the lean of a set; the
    others do not move with it), so it then holds, or fails, along the whole split."""

    def fold(self, holds: BoolArray, fails: BoolArray) -> None:
        k = self.passed.shape[0]
        holds = np.broadcast_to(holds, (2 * k,))
        fails = np.broadcast_to(fails, (2 * k,))
        self.passed &= holds[:k] & holds[k:]
        self.failed |= fails[:k] & fails[k:]


def _deterrable(level: FloatArray, slope: FloatArray, slack: float) -> BoolArray:
    """Whether some z in [0, 1] has ``level - z·slope >= slack`` for every type (n,):
    one behaviour at an off-path set that leaves no type gaining by its answer."""
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = (level - slack) / slope
    low = last_max(np.where(slope < 0, bound, -np.inf))
    high = last_min(np.where(slope > 0, bound, np.inf))
    flat_ok = np.all((slope != 0) | (level >= slack), axis=1)
    return np.asarray(flat_ok & (np.maximum(low, 0.0) <= np.minimum(high, 1.0)))


def _mixture_ranges(answers: _Answers, tol: float) -> tuple[FloatArray, FloatArray]:
    """Per side (reject and x, cheat and y), bounds ``(lo, hi)`` (2, n) on the
    proposer's mixture in every equilibrium.  A type *must* give an answer that beats
    its others whatever the proposer plays, *may* give one that beats them at some
    mixtures (by ``tol``).  If some type must give it, the set is reached; if then
    even the senders leaning most to the second fallback (those that must, and those
    that may with a positive weight) lean to the first by more than ``tol``, the
    proposer plays the first (0), and the second (1) in the mirror case."""
    comply = answers.comply
    spans = [(answers.reject_first, answers.reject_first + answers.reject_slope),
             (answers.cheat_first, answers.cheat_first + answers.cheat_slope)]
    low = [np.minimum(*e) for e in spans]
    high = [np.maximum(*e) for e in spans]
    w = answers.preference
    los, his = [], []
    for side in (0, 1):
        other = 1 - side
        must = low[side] > np.maximum(comply, high[other]) + tol
        may = high[side] >= np.maximum(comply, low[other]) - tol
        lean_hi = last_sum(np.where(must, w, np.where(may, np.maximum(w, 0.0), 0.0)))
        lean_lo = last_sum(np.where(must, w, np.where(may, np.minimum(w, 0.0), 0.0)))
        reached = must.any(axis=1)
        los.append(np.where(reached & (lean_lo > tol), 1.0, 0.0))
        his.append(np.where(reached & (lean_hi < -tol), 0.0, 1.0))
    return np.stack(los), np.stack(his)


def _flat_families_possible(answers: _Answers, tol: float) -> BoolArray:
    """Whether some *flat family* may exist (a necessary test, relaxed by ``tol``):
    a non-empty set Z of types whose weights cancel (``|Σ_Z w| <= tol``) answering
    reject for sure, and no other type rejecting, at some x — or the same with cheat
    and y.  Only there is the proposer indifferent at a reached set that no type
    mixes into, so that x (or y) moves freely: the one case the structures do not
    list (a type mixing beside Z would need a zero probability to keep the posterior
    balanced).  At such an x each type of Z weakly prefers reject to complying and to
    cheating at the least the possible y (:func:`_mixture_ranges`) make it; each
    other type weakly prefers complying, or cheating at the most, to rejecting.  Each
    is a half-line in x; the family needs their intersection with x's range."""
    n, nt = answers.prior.shape
    comply = answers.comply
    lo_z, hi_z = _mixture_ranges(answers, tol)
    starts = (answers.reject_first, answers.cheat_first)
    slopes = (answers.reject_slope, answers.cheat_slope)
    ends = [(starts[k] + lo_z[k][:, None] * slopes[k], starts[k] + hi_z[k][:, None] * slopes[k])
            for k in (0, 1)]
    least = [np.maximum(comply, np.minimum(*e)) for e in ends]
    most = [np.maximum(comply, np.maximum(*e)) for e in ends]
    sums = [np.zeros(n)]
    possible = np.zeros(n, dtype=bool)
    for mask in range(1, 2 ** nt):
        added = (mask & -mask).bit_length() - 1  # each subset: a smaller one plus a type
        sums.append(sums[mask & (mask - 1)] + answers.preference[:, added])
        near = np.abs(sums[mask]) <= tol
        if not near.any():
            continue
        inside = np.array([(mask >> t) & 1 == 1 for t in range(nt)])
        for side in (0, 1):
            # a + b·z >= 0 per type: in Z, start + z·slope - (what it must beat) >=
            # -tol; outside, (what it may get instead) - start - z·slope >= -tol
            start, slope = starts[side], slopes[side]
            a = np.where(inside, start - least[1 - side], most[1 - side] - start) + tol
            b = np.where(inside, slope, -slope)
            with np.errstate(divide="ignore", invalid="ignore"):
                bound = -a / b
            lo = np.maximum(last_max(np.where(b > 0, bound, -np.inf)), lo_z[side])
            hi = np.minimum(last_min(np.where(b < 0, bound, np.inf)), hi_z[side])
            flat_ok = np.all((b != 0) | (a >= 0), axis=1)
            possible |= near & flat_ok & (lo <= hi)
    return possible


class _Answers:
    """The types' side of the game, (n, T) each: a type's value of reject is
    ``reject_first + x · reject_slope``, of cheat ``cheat_first + y · cheat_slope``.
    Kept also as one (n, 7, T) array, so that a subset of variants is one copy."""

    def __init__(self, stacked: FloatArray) -> None:
        self.stacked = stacked
        (self.prior, self.preference, self.comply, self.reject_first, self.reject_slope,
         self.cheat_first, self.cheat_slope) = (np.ascontiguousarray(stacked[:, k, :])
                                                for k in range(7))

    @staticmethod
    def of(game: FinalOfferGame) -> _Answers:
        return _Answers(np.stack([game.prior, game.preference, game.comply, game.reject_first,
                                  game.reject_second - game.reject_first, game.cheat_first,
                                  game.cheat_second - game.cheat_first], axis=1))

    def lines(self) -> tuple[FloatArray, FloatArray]:
        """Where each type is indifferent between reject and comply (x), between cheat
        and comply (y); a line that does not exist (slope 0) is inf or NaN, and every
        check on it fails."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return ((self.comply - self.reject_first) / self.reject_slope,
                    (self.comply - self.cheat_first) / self.cheat_slope)

    def take(self, rows: np.ndarray[Any, np.dtype[np.int64]]) -> _Answers:
        return _Answers(self.stacked[rows])


@dataclass(frozen=True)
class _Candidate:
    """A structure solved for every variant: where it is an equilibrium (``passed``),
    where it is not (``failed``), else undecided; the behaviour it gives."""

    passed: BoolArray
    failed: BoolArray
    behaviour: FloatArray  # (n, T, 3): each type's answer probabilities
    #: (n, T, 3): a type's allowed answers within ``tol`` of its best (more than one:
    #: tied at the point)
    best: BoolArray


def enumerate_outcomes(game: FinalOfferGame, tol: float,
                       keep_outcomes: bool = False) -> FinalOfferFigures:
    """All equilibrium outcomes of every variant, summarised (see the module
    docstring); with ``keep_outcomes`` also listed, for checking against the exact
    solver (slow: a Python list per variant)."""
    n, nt = game.prior.shape
    answers = _Answers.of(game)
    x_line, y_line = answers.lines()
    undecided = ~game.usable | _flat_families_possible(answers, tol)
    tally = _Tally(n, nt, tol, keep_outcomes)
    possible = _Possible(game, tol)
    ties = _Ties(n)
    for st in structures(nt):
        # necessary conditions first, on every variant; the rest only where they hold
        with np.errstate(divide="ignore", invalid="ignore"):
            x, y = _point(st, answers, x_line, y_line)
            ranged = possible.check(st, x, y)
        rows = np.flatnonzero(~ranged.failed)
        if rows.size == 0:
            continue
        xr, yr = (None if x is None else x[rows]), (None if y is None else y[rows])
        with np.errstate(divide="ignore", invalid="ignore"):
            cand = _solve(st, answers if rows.size == n else answers.take(rows), xr, yr, tol)
            passed = cand.passed & ranged.passed[rows]
            open_ = ~passed & ~cand.failed
            if not st.mixers:
                # a type tied at the point may split either way: where the ends of
                # the split decide (a family, or none) they replace the point's checks
                tied = (cand.best.sum(axis=2) > 1).any(axis=1)
                if tied.any():
                    family, none = ties.settle(game, st, answers, rows, tied, cand, xr, yr,
                                               tol)
                    open_ = (open_ | family) & ~(family | none)
        undecided[rows] |= open_
        if passed.any():
            tally.add(game, rows[passed], cand.behaviour[passed],
                      None if x is None else x[rows[passed]],
                      None if y is None else y[rows[passed]])
    decided = ~(undecided | tally.undecided)
    figures = tally.figures(decided & ~ties.found, game.security)
    if not (decided & ties.found).any():
        return figures
    pending = decided & ties.found
    return replace(
        figures, value_worst=np.where(pending, np.minimum(figures.value_worst, ties.low),
                                      figures.value_worst),
        value_best=np.where(pending, np.maximum(figures.value_best, ties.high),
                            figures.value_best),
        tie=ties.pending(game, pending))


class _Ties:
    """Tie families: at a structure's point without mixing types, one type tied
    between two allowed answers (within ``tol``) and the variant otherwise decided.

    If the tie is exact, every split r of that type between the two answers leaves
    its value unchanged, and every other condition of the structure is affine in r
    (the reach and lean of each set; the other types' answers and the deterrence of
    an unreached set do not move with r).  So when every condition holds at both
    ends (the type all on one answer, all on the other), every split is an
    equilibrium, and the proposer's value, affine in r, runs between its values at
    the ends; when one condition fails at both ends, no split is.  Floats cannot tell
    an exact tie from a near one, so such a variant's values are *pending*: the
    caller confirms the tie in exact arithmetic (:mod:`.ties`) or routes the variant.
    A second, different tie in the same variant leaves it undecided."""

    def __init__(self, n: int) -> None:
        self.found = np.zeros(n, dtype=bool)
        self.conflict = np.zeros(n, dtype=bool)
        self.low = np.full(n, np.inf)
        self.high = np.full(n, -np.inf)
        self.type_index = np.full(n, -1, dtype=np.int64)
        self.answers = np.full((n, 2), -1, dtype=np.int64)
        self.fallbacks = np.full((n, 2), -1, dtype=np.int64)

    def settle(self, game: FinalOfferGame, st: Structure, answers: _Answers, rows: IntArray,
               tied: BoolArray, cand: _Candidate, x: FloatArray | None,
               y: FloatArray | None, tol: float) -> tuple[BoolArray, BoolArray]:
        """Which of ``rows`` (where ``tied``) one tie decides: (a family, none)."""
        counts = cand.best.sum(axis=2)
        one = tied & ((counts > 1).sum(axis=1) == 1) & (counts.max(axis=1) == 2)
        at = np.flatnonzero(one)
        family_rows = np.zeros(rows.size, dtype=bool)
        none_rows = np.zeros(rows.size, dtype=bool)
        if at.size == 0:
            return family_rows, none_rows
        k = at.size
        tau = np.argmax(counts[at] > 1, axis=1)
        pair = cand.best[at, tau]  # (k, 3), two answers
        first = np.argmax(pair, axis=1)
        second = 2 - np.argmax(pair[:, ::-1], axis=1)
        both = np.concatenate([at, at])
        checks = _SplitChecks(k, tol)
        ends = _solve(st, answers.take(rows[both]), None if x is None else x[both],
                      None if y is None else y[both], tol, checks,
                      (np.concatenate([tau, tau]), np.concatenate([first, second])))
        family, none = checks.passed, checks.failed
        none_rows[at] = none
        if not family.any():
            return family_rows, none_rows
        here = rows[at[family]]
        values = _outcome_value(game, rows[both], ends.behaviour,
                                None if x is None else x[both], None if y is None else y[both])
        v_first, v_second = values[:k][family], values[k:][family]
        mode = {FIRST: 0, SECOND: 1}
        fallback = {COMPLY: -1, CHEAT: mode.get(st.c_mode, -1), REJECT: mode.get(st.r_mode, -1)}
        fbs = np.array([[fallback[int(a)], fallback[int(b)]]
                        for a, b in zip(first[family], second[family], strict=True)],
                       dtype=np.int64).reshape(-1, 2)
        pairs = np.stack([first[family], second[family]], axis=1)
        seen = self.found[here]
        same = ((self.type_index[here] == tau[family]) & (self.answers[here] == pairs).all(axis=1)
                & (self.fallbacks[here] == fbs).all(axis=1))
        self.conflict[here] |= seen & ~same
        self.found[here] = True
        self.type_index[here] = tau[family]
        self.answers[here] = pairs
        self.fallbacks[here] = fbs
        self.low[here] = np.minimum(self.low[here], np.minimum(v_first, v_second))
        self.high[here] = np.maximum(self.high[here], np.maximum(v_first, v_second))
        # a variant with two different ties stays undecided
        family_rows[at[family]] = ~self.conflict[here]
        return family_rows, none_rows

    def pending(self, game: FinalOfferGame, where: BoolArray) -> PendingTie:
        """The ties pending ``where``, in the terms of the offer's own game: the deal
        each tied answer keeps and the fallback it is played under (scenario
        indices; a game without them: the offer's own deal, fallbacks 0 and 1)."""
        n, nt = game.prior.shape
        comply_deal = (np.zeros((n, nt), dtype=np.int64) if game.comply_deal is None
                       else game.comply_deal)
        cheat_deal = np.zeros(n, dtype=np.int64) if game.cheat_deal is None else game.cheat_deal
        pair = (np.tile(np.arange(2, dtype=np.int64), (n, 1)) if game.fallback_pair is None
                else game.fallback_pair)
        tau = np.maximum(self.type_index, 0)
        deal = np.where(self.answers == COMPLY, comply_deal[np.arange(n), tau][:, None],
                        np.where(self.answers == CHEAT, cheat_deal[:, None], -1))
        fallback = np.where(self.fallbacks >= 0,
                            np.take_along_axis(pair, np.maximum(self.fallbacks, 0), axis=1), -1)
        return PendingTie(where, self.type_index, self.answers, deal, fallback)


class _Possible:
    """Cheap necessary conditions of a structure, on every variant: its point in
    range; its answers possible (a type sends reject or cheat only if it can beat
    complying, always available); the proposer able to lean the structure's way (a
    pure choice needs a sender leaning that way, a mixed one senders leaning both)."""

    def __init__(self, game: FinalOfferGame, tol: float) -> None:
        self.tol = tol
        self.may = {REJECT: np.maximum(game.reject_first, game.reject_second)
                    >= game.comply - tol,
                    CHEAT: np.maximum(game.cheat_first, game.cheat_second) >= game.comply - tol}
        up = {a: np.asarray((m & (game.preference > 0)).any(axis=1)) for a, m in self.may.items()}
        down = {a: np.asarray((m & (game.preference < 0)).any(axis=1))
                for a, m in self.may.items()}
        self.lean = {FIRST: down, SECOND: up, MIXED: {a: up[a] & down[a] for a in up}}

    def check(self, st: Structure, x: FloatArray | None, y: FloatArray | None) -> _Checks:
        checks = _Checks(self.may[REJECT].shape[0], self.tol)
        for mode, answer, z in ((st.r_mode, REJECT, x), (st.c_mode, CHEAT, y)):
            if mode == FREE:
                continue
            checks.require(self.lean[mode][answer])
            if mode == MIXED and z is not None:
                checks.greater(z, 0.0)
                checks.greater(1.0 - z, 0.0)
        for t, support in st.mixers:
            for answer in support - {COMPLY}:
                checks.require(self.may[answer][:, t])
        return checks


class _Tally:
    """The figures of the outcomes found so far, per variant."""

    def __init__(self, n: int, nt: int, tol: float, keep_outcomes: bool) -> None:
        self.tol = tol
        self.outcomes: list[list[FloatArray]] | None = (
            [[] for _ in range(n)] if keep_outcomes else None)
        self.count = np.zeros(n, dtype=np.int64)
        self.worst = np.full(n, np.inf)
        self.best = np.full(n, -np.inf)
        self.worst_post = np.full(n, np.nan)
        self.sep_all = np.ones(n, dtype=bool)
        self.sep_any = np.zeros(n, dtype=bool)
        self.cheat_some = np.zeros((n, nt), dtype=bool)
        self.every_reject = np.zeros(n, dtype=bool)
        self.undecided = np.zeros(n, dtype=bool)

    def add(self, game: FinalOfferGame, rows: np.ndarray[Any, np.dtype[np.int64]],
            behaviour: FloatArray, x: FloatArray | None, y: FloatArray | None) -> None:
        """One equilibrium outcome in each of ``rows``."""
        p = game.prior[rows]
        secure = game.security
        comply, cheats, rejects = (behaviour[:, :, a] for a in (COMPLY, CHEAT, REJECT))
        value = _outcome_value(game, rows, behaviour, x, y)
        sep = separates((comply + cheats > 0, rejects > 0), p, secure)
        post = security_share(p, rejects, secure)
        # the proposer-worst outcome's posterior: a near tie cannot be ordered in floats
        self.undecided[rows] |= np.abs(value - self.worst[rows]) <= self.tol
        lower = value < self.worst[rows]
        self.worst_post[rows[lower]] = post[lower]
        self.worst[rows] = np.minimum(self.worst[rows], value)
        self.best[rows] = np.maximum(self.best[rows], value)
        self.count[rows] += 1
        self.sep_all[rows] &= sep
        self.sep_any[rows] |= sep
        self.cheat_some[rows] |= cheats > 0
        self.every_reject[rows] |= (rejects == 1).all(axis=1)
        if self.outcomes is not None:
            for k, row in enumerate(rows):
                self.outcomes[row].append(behaviour[k].copy())

    def figures(self, decided: BoolArray, security: BoolArray) -> FinalOfferFigures:
        return FinalOfferFigures(
            certified=decided & (self.count > 0), equilibria=self.count,
            value_worst=self.worst, value_best=self.best, separates_all=self.sep_all,
            separates_any=self.sep_any,
            cheaters=(self.cheat_some & ~security[None, :]).sum(axis=1).astype(np.int64),
            security_posterior_after_reject=self.worst_post,
            all_reject=self.every_reject & (self.count == 1),
            outcomes=None if self.outcomes is None else tuple(map(tuple, self.outcomes)))


def separates(sent: Iterable[BoolArray], prior: FloatArray, security: BoolArray) -> BoolArray:
    """Per variant: no observable answer (each a (n, T) mask of the types sending it)
    comes from both a security-only type and an ulterior one of positive prior; False
    without both kinds (as :func:`callbluff.analysis.reading.separates`)."""
    live = prior > 0
    secure, ulterior = live & security, live & ~security
    out = np.asarray(secure.any(axis=1) & ulterior.any(axis=1))
    for mask in sent:
        out &= ~((mask & secure).any(axis=1) & (mask & ulterior).any(axis=1))
    return out


def security_share(prior: FloatArray, rejects: FloatArray, security: BoolArray) -> FloatArray:
    """The posterior mass of security-only types after a rejection (``rejects``: each
    type's probability of rejecting); NaN where nobody rejects."""
    mass = last_sum(prior * rejects)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(mass > 0, last_sum(prior * rejects * security) / mass,
                                   np.nan))


def _outcome_value(game: FinalOfferGame, rows: IntArray, behaviour: FloatArray,
                   x: FloatArray | None, y: FloatArray | None) -> FloatArray:
    """The proposer's value of one outcome in each of ``rows``."""
    comply, cheats, rejects = (behaviour[:, :, a] for a in (COMPLY, CHEAT, REJECT))
    xs = np.zeros(rows.size) if x is None else x
    ys = np.zeros(rows.size) if y is None else y
    return last_sum(game.prior[rows] * (
        comply * game.proposer_comply[rows]
        + cheats * _between(game.proposer_cheat_first[rows], game.proposer_cheat_second[rows],
                            ys)
        + rejects * _between(game.proposer_reject_first[rows],
                             game.proposer_reject_second[rows], xs)))


def _between(first: FloatArray, second: FloatArray, z: FloatArray) -> FloatArray:
    """The payoff when the second fallback is played with probability z (per row)."""
    return np.asarray(first + z[:, None] * (second - first))


def _solve(st: Structure, answers: _Answers, x: FloatArray | None, y: FloatArray | None,
           tol: float, checks: _Checks | None = None,
           force: tuple[IntArray, IntArray] | None = None) -> _Candidate:
    """At the structure's point (x, y): the types' best answers, the mixing
    probabilities and the proposer's conditions, for every variant.  ``force``
    (per variant a type and an answer) puts that type on that answer, as tied there
    (:class:`_Ties`)."""
    n, nt = answers.prior.shape
    checks = checks or _Checks(n, tol)
    values = np.empty((n, nt, 3))
    values[:, :, COMPLY] = answers.comply
    values[:, :, CHEAT] = answers.cheat_first
    if y is not None:
        values[:, :, CHEAT] += y[:, None] * answers.cheat_slope
    values[:, :, REJECT] = answers.reject_first
    if x is not None:
        values[:, :, REJECT] += x[:, None] * answers.reject_slope
    # an off-path set's answer is not played (whether it deters is checked below)
    allowed = [a for a, free in ((COMPLY, False), (CHEAT, st.c_mode == FREE),
                                 (REJECT, st.r_mode == FREE)) if not free]
    # each type's best allowed answer and by how much it beats the runner-up
    columns = [values[:, :, a] for a in allowed]
    top = columns[0].copy()
    for c in columns[1:]:
        np.maximum(top, c, out=top)
    if len(columns) == 1:
        margin = np.full((n, nt), np.inf)
    elif len(columns) == 2:
        margin = np.abs(columns[0] - columns[1])
    else:
        low = np.minimum(np.minimum(columns[0], columns[1]), columns[2])
        margin = 2 * top + low - columns[0] - columns[1] - columns[2]  # top - middle
    behaviour = np.zeros((n, nt, 3))
    best = np.zeros((n, nt, 3), dtype=bool)
    for a, c in zip(allowed, columns, strict=True):
        behaviour[:, :, a] = c == top
        best[:, :, a] = c >= top - tol
    if force is not None:
        every = np.arange(n)
        behaviour[every, force[0], :] = 0.0
        behaviour[every, force[0], force[1]] = 1.0
        margin[every, force[0]] = np.inf
    for t, support in st.mixers:  # tied on its support by construction; the rest worse
        behaviour[:, t, :] = 0.0
        tie = values[:, t, min(support)]
        margin[:, t] = np.inf
        for a in allowed:
            if a not in support:
                margin[:, t] = np.minimum(margin[:, t], tie - values[:, t, a])
    checks.greater(last_min(margin), 0.0)
    _mix(st, behaviour, answers.preference, checks)
    own = last_sum(values * behaviour)  # the types' equilibrium values
    for mode, answer, start, slope in (
            (st.r_mode, REJECT, answers.reject_first, answers.reject_slope),
            (st.c_mode, CHEAT, answers.cheat_first, answers.cheat_slope)):
        reach = last_sum(answers.prior * behaviour[:, :, answer])
        if mode == FREE:
            checks.require(reach == 0)
            # weak inequality: an off-path set deters when no type gains by it
            level = own - start
            checks.fold(_deterrable(level, slope, tol), ~_deterrable(level, slope, -tol))
            continue
        checks.require(reach > 0)
        lean = last_sum(answers.preference * behaviour[:, :, answer])
        if mode == FIRST:
            checks.greater(-lean, 0.0)
        elif mode == SECOND:
            checks.greater(lean, 0.0)
    return _Candidate(checks.passed, checks.failed, behaviour, best)


def _point(st: Structure, answers: _Answers, x_line: FloatArray,
           y_line: FloatArray) -> tuple[FloatArray | None, FloatArray | None]:
    """The proposer's behaviour (x at R, y at C) that the structure's mixing types
    pin; ``None`` for a set off the path."""
    n = answers.prior.shape[0]
    fixed = {FIRST: np.zeros(n), SECOND: np.ones(n), FREE: None, MIXED: None}
    x, y = fixed[st.r_mode], fixed[st.c_mode]
    diagonal = None
    for t, support in st.mixers:
        if support == _REJECT_CHEAT:
            diagonal = t
            continue
        if REJECT in support:
            x = x_line[:, t]
        if CHEAT in support:
            y = y_line[:, t]
    if diagonal is not None:  # reject ~ cheat: one coordinate from the other
        t = diagonal
        gap = answers.cheat_first[:, t] - answers.reject_first[:, t]
        if x is None and y is not None:
            x = (gap + y * answers.cheat_slope[:, t]) / answers.reject_slope[:, t]
        elif y is None and x is not None:
            y = (-gap + x * answers.reject_slope[:, t]) / answers.cheat_slope[:, t]
    return x, y


def _mix(st: Structure, behaviour: FloatArray, w: FloatArray, checks: _Checks) -> None:
    """The mixing types' probabilities from the proposer's indifference at each mixed
    set (the posterior's lean ``Σ w·share`` is zero), checked to be interior.  A type
    mixing between reject and cheat balances the set no other mixer reaches, and goes
    first; the other mixer then balances its set knowing it."""

    def balance(t: int, answer: int) -> None:
        behaviour[:, t, answer] = 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            behaviour[:, t, answer] = -(w * behaviour[:, :, answer]).sum(axis=1) / w[:, t]

    for t, support in sorted(st.mixers, key=lambda m: m[1] != _REJECT_CHEAT):
        if support == _REJECT_CHEAT:
            others_reject = any(REJECT in s for u, s in st.mixers if u != t)
            first = REJECT if st.r_mode == MIXED and not others_reject else CHEAT
            balance(t, first)
            behaviour[:, t, REJECT + CHEAT - first] = 1.0 - behaviour[:, t, first]
        else:
            rest: FloatArray = np.ones(behaviour.shape[0])
            for answer in (REJECT, CHEAT):
                if answer in support:
                    balance(t, answer)
                    rest = rest - behaviour[:, t, answer]
            behaviour[:, t, COMPLY] = rest
    for t, support in st.mixers:
        for a in support:
            checks.greater(behaviour[:, t, a], 0.0)




def _unique_argmax(scores: FloatArray) -> tuple[np.ndarray[Any, np.dtype[np.int64]], BoolArray]:
    """Row-wise argmax over the last axis and whether it beats the rest by ``TOL``."""
    idx = np.argmax(scores, axis=-1)
    top = np.take_along_axis(scores, idx[..., None], axis=-1)[..., 0]
    rest = np.where(np.arange(scores.shape[-1]) == idx[..., None], -np.inf, scores)
    second = rest.max(axis=-1) if scores.shape[-1] > 1 else np.full(top.shape, -np.inf)
    return idx, top > second + TOL


def final_offer_game(pay: OfferPayoffs) -> FinalOfferGame:
    """The offer as the final-offer game of this module: itself
    without counter-demands, else the reduction of :func:`counters_as_final` (its
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
    n, nt = prior.shape
    if nx == 0:
        constant, proposer_constant = comply_t[0], np.asarray(comply_p[0])
        other_t, other_p = cheat_t[0], cheat_v_p[0]
        choice, cheat_deal = np.zeros((n, nt), dtype=np.int64), np.zeros(n, dtype=np.int64)
    else:
        constant, proposer_constant, choice, cheat_deal, reducible, refused = \
            counters_as_final(comply_t, cheat_t, comply_p, cheat_v_p, no_deal_p, alive)
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
    game = FinalOfferGame(
        prior=prior, comply=constant, cheat_first=on_fallback(other_t, first),
        cheat_second=on_fallback(other_t, second), reject_first=on_fallback(no_deal_t, first),
        reject_second=on_fallback(no_deal_t, second), proposer_comply=proposer_constant,
        proposer_cheat_first=on_fallback(other_p, first),
        proposer_cheat_second=on_fallback(other_p, second),
        proposer_reject_first=on_fallback(no_deal_p, first),
        proposer_reject_second=on_fallback(no_deal_p, second),
        preference=prior * (on_fallback(fp, second) - on_fallback(fp, first)),
        security=pay.security, usable=usable, comply_deal=choice, cheat_deal=cheat_deal,
        fallback_pair=np.stack([first, second], axis=1))
    return game


def enumerated(pay: OfferPayoffs) -> FastOffer:
    """Certificates A (final offers: every figure) and B (counter-demands: values)."""
    n = pay.prior.shape[0]
    nx = len(pay.comply_t) - 1
    every = enumerate_outcomes(final_offer_game(pay), TOL)
    return FastOffer(
        offer_id=pay.offer_id, certified=every.certified,
        # with counter-demands the reduced game merges answers: values only
        full=every.certified if nx == 0 else np.zeros(n, dtype=bool),
        equilibria=every.equilibria, value_worst=every.value_worst,
        value_best=every.value_best, separates_all=every.separates_all,
        separates_any=every.separates_any, cheaters=every.cheaters,
        security_posterior_after_reject=every.security_posterior_after_reject,
        all_reject=every.all_reject, tie=every.tie)


def counters_as_final(
    comply_t: Sequence[FloatArray], cheat_t: Sequence[FloatArray],
    comply_p: Sequence[FloatArray], cheat_v_p: Sequence[FloatArray], no_deal_p: FloatArray,
    alive: BoolArray,
) -> tuple[FloatArray, FloatArray, IntArray, IntArray, BoolArray, BoolArray]:
    """An offer with counter-demands as a final offer of the same values.

    Where (by ``TOL``, against every type and alive fallback) each counter-demand is
    either always granted (granting beats every fallback, whether the type then
    complies or cheats) or always refused (one fallback beats granting), and cheating
    can beat a type's best deal honoured after one deal at most, a type's "comply" is
    its best deal honoured (granted counter-demands included), its "cheat" is
    cheating after that one deal, and a refused counter-demand is a second "reject"
    (the proposer picks a fallback at its own information set).

    Returns the type's best deal's value, its value to the proposer, that deal (its
    index, per type), the deal whose cheating is the "cheat", where the reduction
    holds (the best deal also clear by ``TOL``) and where some counter-demand is
    refused."""
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
    return constant, proposer, choice, np.argmax(cheat_pays, axis=1), ok, refused_some


__all__ = [
    "FinalOfferFigures",
    "FinalOfferGame",
    "Structure",
    "counters_as_final",
    "enumerate_outcomes",
    "enumerated",
    "final_offer_game",
    "security_share",
    "separates",
    "structures",
]
