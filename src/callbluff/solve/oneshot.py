"""All weak PBE of one-shot signalling games by mixed-integer enumeration of supports.

Shape: Nature draws a type, the sender (the informed player) sends a message, the
receiver answers at one information set per message, the game ends.  Treating every
type as a separate agent, an equilibrium is a feasible point of a mixed-integer
linear program in the manner of *MIP Nash* (Sandholm, Gilpin & Conitzer 2005,
"Mixed-integer programming methods for finding Nash equilibria", AAAI): binaries
``z[t,m]`` (message ``m`` may be used by type ``t`` — then it is a best message)
and ``y[m,a]`` (answer ``a`` may be used after ``m`` — then it is a best answer),
with big-M complementarity.  Two facts keep everything linear:

* the receiver's optimality after ``m`` with *unnormalised* Bayes beliefs
  ``p_t σ_t(m)`` is linear in ``σ`` and vacuous when ``m`` is off the path;
* off the path a weak PBE needs *some* belief ``μ_m`` that makes the answers used
  optimal — linear in ``μ_m``; on the path the Bayes belief is such a ``μ_m``,
  so asking for it everywhere loses nothing.

Each feasible pattern ``(y, z)`` is found by HiGHS, cut off by a no-good cut, and
the search repeats until the program is infeasible: every equilibrium's pattern is
met.  For each pattern an exact point of the (now linear) system is computed in
rationals (:mod:`.exact`) and verified exactly by the caller (max regret 0).
Floating point only proposes patterns and bases; nothing is decided in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import TypeVar

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from callbluff.game.tree import Game
from callbluff.solve.exact import GUESS_DENOMINATOR, LinearSystem, dense_rows, exact_point
from callbluff.solve.oneshot_search import pattern_profiles
from callbluff.solve.signalling import SignallingShape
from callbluff.solve.verify import Behaviour

__all__ = ["enumerate_oneshot"]

T = TypeVar("T")

#: Safety cap on the number of support patterns visited.
MAX_PATTERNS = 20_000


class _Layout:
    """Variable indices of the program."""

    def __init__(self, shape: SignallingShape) -> None:
        self.shape = shape
        n_t, n_m = len(shape.types), len(shape.messages)
        count = 0

        def block(size: int) -> list[int]:
            nonlocal count
            out = list(range(count, count + size))
            count += size
            return out

        self.sigma = [block(n_m) for _ in range(n_t)]
        self.sigma_set = {i for row in self.sigma for i in row}
        self.rho = [block(len(shape.responses[m])) for m in range(n_m)]
        self.v = block(n_t)
        self.w_star = block(n_m)
        self.mu = [block(n_t) for _ in range(n_m)]
        self.v_star = block(n_m)
        self.n_continuous = count
        self.z = [block(n_m) for _ in range(n_t)]
        self.y = [block(len(shape.responses[m])) for m in range(n_m)]
        self.n = count


Payoffs = list[list[list[Fraction]]]
Rows = list[tuple[dict[int, Fraction], Fraction]]


def _normalised(shape: SignallingShape) -> tuple[Payoffs, Payoffs]:
    """Payoffs normalised so that every variable is >= 0 and the big-M constants are
    small (2): each type's payoffs mapped onto [0, 1] (a positive affine map per type keeps
    its best replies), the receiver's shifted per type and message so that the
    least answer is worth 0 and scaled per message onto [0, 1] (a constant per type
    and message, or a positive factor per message, leaves the best answer to every
    belief unchanged).  Equilibria do not change; HiGHS sees numbers of one size as
    far as the game allows."""
    def unit(rows: list[Fraction]) -> list[Fraction]:
        lo, hi = min(rows), max(rows)
        return [(x - lo) / (hi - lo) if hi > lo else Fraction(0) for x in rows]

    n_m = len(shape.messages)
    s: Payoffs = []
    for per_t in shape.sender_payoff:
        flat = unit([x for per_m in per_t for x in per_m])
        it = iter(flat)
        s.append([[next(it) for _ in per_m] for per_m in per_t])
    r: Payoffs = [[[x - min(per_m) for x in per_m] for per_m in per_t]
                  for per_t in shape.receiver_payoff]
    for m in range(n_m):
        top = max((x for row in r for x in row[m]), default=Fraction(0))
        if top > 0:
            for row in r:
                row[m] = [x / top for x in row[m]]
    return s, r


def _rows(shape: SignallingShape, lay: _Layout) -> tuple[Rows, Rows]:
    """Equalities and ``<=`` rows of the program (binaries included as variables)."""
    s, r = _normalised(shape)
    n_t, n_m = len(shape.types), len(shape.messages)
    big_s = max((x for per_t in s for per_m in per_t for x in per_m), default=Fraction(0)) + 1
    big_r = max((x for per_t in r for per_m in per_t for x in per_m), default=Fraction(0)) + 1
    one = Fraction(1)
    eq: list[tuple[dict[int, Fraction], Fraction]] = []
    ub: list[tuple[dict[int, Fraction], Fraction]] = []
    for t in range(n_t):
        eq.append(({lay.sigma[t][m]: one for m in range(n_m)}, one))
    for m in range(n_m):
        eq.append(({lay.rho[m][a]: one for a in range(len(shape.responses[m]))}, one))
        eq.append(({lay.mu[m][t]: one for t in range(n_t)}, one))
    for t in range(n_t):
        for m in range(n_m):
            # σ ≤ z
            ub.append(({lay.sigma[t][m]: one, lay.z[t][m]: -one}, Fraction(0)))
            # U_t(m) ≤ v_t and v_t − U_t(m) ≤ M (1 − z)
            u = {lay.rho[m][a]: s[t][m][a] for a in range(len(shape.responses[m]))}
            _best_if_used(ub, u, lay.v[t], lay.z[t][m], big_s)
    for m in range(n_m):
        for a in range(len(shape.responses[m])):
            ub.append(({lay.rho[m][a]: one, lay.y[m][a]: -one}, Fraction(0)))
            # Bayes-weighted: W(a) ≤ W*, W* − W(a) ≤ M (1 − y)
            w = {lay.sigma[t][m]: shape.priors[t] * r[t][m][a] for t in range(n_t)}
            _best_if_used(ub, w, lay.w_star[m], lay.y[m][a], big_r)
            # Some belief μ_m: V(a) ≤ V*, V* − V(a) ≤ M (1 − y)
            vmu = {lay.mu[m][t]: r[t][m][a] for t in range(n_t)}
            _best_if_used(ub, vmu, lay.v_star[m], lay.y[m][a], big_r)
    return eq, ub


def _best_if_used(ub: Rows, value: dict[int, Fraction], best: int, used: int,
                  big: Fraction) -> None:
    """Big-M complementarity: ``value ≤ best`` always, and ``best − value ≤ big·(1 − used)``,
    so an option whose binary ``used`` is 1 must be a best one."""
    ub.append(({**value, best: Fraction(-1)}, Fraction(0)))
    ub.append(({**{k: -c for k, c in value.items()}, best: Fraction(1), used: big}, big))


def enumerate_oneshot(
    game: Game, shape: SignallingShape, verify: Callable[[Behaviour], T | None]
) -> Iterator[T]:
    """``verify``'s result for one exact profile per feasible support pattern.

    The MILP's own probabilities, rationalised, are tried first (cheap, and exact
    for pure profiles and simple mixtures); if ``verify`` rejects them, a vertex of
    the pattern's linear system is computed exactly and verified instead."""
    lay = _Layout(shape)
    eq, ub = _rows(shape, lay)
    binaries = [i for block in (*lay.z, *lay.y) for i in block]
    upper = np.full(lay.n, np.inf)
    upper[binaries] = 1
    for block in (*lay.sigma, *lay.rho, *lay.mu):
        upper[block] = 1
    integrality = np.zeros(lay.n)
    integrality[binaries] = 1
    a_eq, b_eq = dense_rows(eq, lay.n)
    a_ub, b_ub = dense_rows(ub, lay.n)
    assert a_eq is not None and b_eq is not None and a_ub is not None and b_ub is not None
    cuts: list[np.ndarray] = []
    cut_rhs: list[float] = []
    for _ in range(MAX_PATTERNS):
        constraints = [LinearConstraint(a_eq, b_eq, b_eq), LinearConstraint(a_ub, -np.inf, b_ub)]
        if cuts:
            constraints.append(LinearConstraint(np.array(cuts), np.array(cut_rhs), np.inf))
        result = milp(np.zeros(lay.n), constraints=constraints, integrality=integrality,
                      bounds=Bounds(np.zeros(lay.n), upper))
        if result.status != 0 or result.x is None:
            return
        pattern = {i: round(result.x[i]) for i in binaries}
        yield from _verified_points(game, shape, lay, result.x, pattern, verify)
        # No-good cut: Σ_{on} (1 − b) + Σ_{off} b ≥ 1.
        cut = np.zeros(lay.n)
        ones = 0
        for i, value in pattern.items():
            if value:
                cut[i] = -1
                ones += 1
            else:
                cut[i] = 1
        cuts.append(cut)
        cut_rhs.append(1 - ones)
    raise RuntimeError(f"more than {MAX_PATTERNS} support patterns: give up rather than guess")


def _verified_points(game: Game, shape: SignallingShape, lay: _Layout, x: np.ndarray,
                     pattern: dict[int, int], verify: Callable[[Behaviour], T | None]) -> list[T]:
    """The verified exact point of one pattern found at float point ``x``: from two
    square systems when the pattern is regular (the pattern search's, once per
    deterring answer off the path), else the MILP's probabilities read as rationals,
    else from the pattern's exact linear programs."""
    sigma = [[x[i] for i in row] for row in lay.sigma]
    rho = [[x[i] for i in row] for row in lay.rho]
    regular = [verify(beh) for beh in pattern_profiles(game, shape, sigma, rho) or ()]
    if regular and all(eq is not None for eq in regular):
        return [eq for eq in regular if eq is not None]
    guess = [Fraction(float(v)).limit_denominator(GUESS_DENOMINATOR) for v in x]
    found = verify(_behaviour(game, shape, lay, guess))
    if found is None:
        point = _exact_point(shape, lay, pattern)
        found = None if point is None else verify(_behaviour(game, shape, lay, point))
    return [] if found is None else [found]


def _exact_point(shape: SignallingShape, lay: _Layout,
                 pattern: dict[int, int]) -> list[Fraction] | None:
    """Exact σ and ρ for the pattern.  With the binaries fixed the conditions split,
    as in support enumeration for bimatrix games: the senders' optimality is linear
    in ρ alone, the receiver's (Bayes-weighted) optimality in σ alone — two small
    systems, each solved for a vertex certified by :func:`exact_point`."""
    s, r = _normalised(shape)
    n_t, n_m = len(shape.types), len(shape.messages)
    one, zero = Fraction(1), Fraction(0)
    rho_eq: Rows = []
    rho_ub: Rows = []
    sigma_eq: Rows = []
    sigma_ub: Rows = []
    for m in range(n_m):
        actions = range(len(shape.responses[m]))
        rho_eq.append(({lay.rho[m][a]: one for a in actions}, one))
        rho_eq.extend(({lay.rho[m][a]: one}, zero) for a in actions
                      if not pattern[lay.y[m][a]])
        for t in range(n_t):
            row: dict[int, Fraction] = {lay.rho[m][a]: s[t][m][a] for a in actions}
            row[lay.v[t]] = -one
            (rho_eq if pattern[lay.z[t][m]] else rho_ub).append((row, zero))
        for a in actions:
            row = {lay.sigma[t][m]: shape.priors[t] * r[t][m][a] for t in range(n_t)}
            row[lay.w_star[m]] = -one
            (sigma_eq if pattern[lay.y[m][a]] else sigma_ub).append((row, zero))
    for t in range(n_t):
        sigma_eq.append(({lay.sigma[t][m]: one for m in range(n_m)}, one))
        sigma_eq.extend(({lay.sigma[t][m]: one}, zero) for m in range(n_m)
                        if not pattern[lay.z[t][m]])
    rho = exact_point(LinearSystem(lay.n, rho_eq, rho_ub))
    sigma = exact_point(LinearSystem(lay.n, sigma_eq, sigma_ub))
    if rho is None or sigma is None:
        return None
    return [sigma[i] if i in lay.sigma_set else rho[i] for i in range(lay.n)]


def _behaviour(game: Game, shape: SignallingShape, lay: _Layout,
               x: list[Fraction]) -> Behaviour:
    beh: list[list[Fraction]] = [[Fraction(0)] * len(h.actions) for h in game.infosets]
    for t, node_id in enumerate(shape.sender_nodes):
        infoset = game.nodes[node_id].infoset
        assert infoset is not None
        beh[infoset] = [x[i] for i in lay.sigma[t]]
    for m, infoset in enumerate(shape.receiver_infosets):
        beh[infoset] = [x[i] for i in lay.rho[m]]
    return beh
