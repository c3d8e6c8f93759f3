"""Exact linear algebra and exact feasible points of small linear systems.

Floats (HiGHS through :func:`scipy.optimize.linprog`) only *find* a candidate:
the basic solution HiGHS returns is re-solved exactly from its active constraints
in :class:`~fractions.Fraction` arithmetic and every constraint is then checked
exactly, so nothing is decided in floating point.  This is the usual
"guess the basis in floats, certify in rationals" technique (e.g. Applegate, Cook,
Dash & Espinoza, *Exact solutions to linear programming problems*, Oper. Res.
Lett. 35 (2007)).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.optimize import linprog

__all__ = [
    "GUESS_DENOMINATOR", "LinearSystem", "dense_rows", "echelon", "exact_point",
    "float_point", "solve_linear",
]

#: Float tolerance of the basis search (pivot, ratio test, "is this variable zero",
#: "is this inequality active").  Only a guess is decided with it: a wrong basis is
#: rejected by the exact check that follows, never reported.
_TOL = 1e-9
#: Phase 1 of the Bland simplex: artificial variables summing to more than this mean
#: the system is infeasible in floats (the exact check would reject a wrong "yes").
_PHASE1_TOL = 1e-7
#: Largest denominator of the rational default values read off a float point (free
#: coordinates of an underdetermined active system); the exact check decides.
GUESS_DENOMINATOR = 10**6
#: Coefficients of one system further apart than this (ratio of the largest to the
#: smallest nonzero magnitude) are beyond what the float tolerances resolve: an
#: exact simplex decides feasibility when the float search fails.
WIDE_RANGE = 1e6

#: A tableau entry: float in the float search, Fraction in the exact fallback.
Num = Any


@dataclass
class LinearSystem:
    """``A_eq x = b_eq``, ``A_ub x <= b_ub``, ``x >= 0``; rows are sparse dicts."""

    n: int
    eq: list[tuple[dict[int, Fraction], Fraction]]
    ub: list[tuple[dict[int, Fraction], Fraction]]

    def copy(self) -> LinearSystem:
        return LinearSystem(self.n, list(self.eq), list(self.ub))

    def check(self, x: Sequence[Fraction]) -> bool:
        """Exact check of every constraint (and ``x >= 0``)."""
        if any(v < 0 for v in x):
            return False
        for row, rhs in self.eq:
            if sum((c * x[j] for j, c in row.items()), Fraction(0)) != rhs:
                return False
        for row, rhs in self.ub:
            if sum((c * x[j] for j, c in row.items()), Fraction(0)) > rhs:
                return False
        return True


def dense_rows(
    rows: list[tuple[dict[int, Fraction], Fraction]], n: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    if not rows:
        return None, None
    a = np.zeros((len(rows), n))
    b = np.zeros(len(rows))
    for i, (row, rhs) in enumerate(rows):
        for j, c in row.items():
            a[i, j] = float(c)
        b[i] = float(rhs)
    return a, b


def _simplex(system: LinearSystem, objective: Sequence[float] | None = None,
             exact: bool = False) -> list[Num] | None:
    """Dense two-phase simplex with Bland's rule (tiny systems, no overhead).

    Minimises ``objective``; returns a basic optimal solution or ``None`` if the
    system is infeasible (or unbounded).  In floats with tolerances by default; with
    ``exact`` in :class:`~fractions.Fraction` arithmetic and no tolerance at all
    (Bland's rule cannot cycle, so it terminates) — the fallback for systems whose
    coefficients span more orders of magnitude than a float tolerance can resolve.
    """
    num: Callable[[Any], Num] = Fraction if exact else float
    tol: Num = Fraction(0) if exact else _TOL
    phase1_tol: Num = Fraction(0) if exact else _PHASE1_TOL
    n = system.n
    rows: list[tuple[dict[int, Fraction], Fraction, bool]] = [
        (r, b, True) for r, b in system.eq
    ] + [(r, b, False) for r, b in system.ub]
    m = len(rows)
    n_slack = len(system.ub)
    width = n + n_slack + m  # structural, slack, artificial
    tab: list[list[Num]] = []
    basis: list[int] = []
    slack = 0
    for i, (r, b, is_eq) in enumerate(rows):
        line = [num(0)] * (width + 1)
        for j, c in r.items():
            line[j] = num(c)
        if not is_eq:
            line[n + slack] = num(1)
            slack += 1
        line[width] = num(b)
        if line[width] < 0:
            line = [-v for v in line]
        line[n + n_slack + i] = num(1)
        tab.append(line)
        basis.append(n + n_slack + i)
    art0 = n + n_slack

    def pivot(row: int, col: int) -> None:
        pr = tab[row]
        pv = pr[col]
        nz = [j for j in range(width + 1) if pr[j] != 0]
        for j in nz:
            pr[j] /= pv
        for i in range(m):
            if i != row:
                ti = tab[i]
                f = ti[col]
                if f != 0:
                    for j in nz:
                        ti[j] -= f * pr[j]
        basis[row] = col

    def run(cost: list[Num], allowed: int) -> bool:
        for _ in range(50 * (m + width)):
            in_basis = set(basis)
            cb = [(i, cost[basis[i]]) for i in range(m) if cost[basis[i]] != 0]
            col = -1
            for j in range(allowed):
                if j in in_basis:
                    continue
                rc = cost[j] - sum(c * tab[i][j] for i, c in cb)
                if rc < -tol:
                    col = j
                    break
            if col < 0:
                return True
            best, row = num(0), -1
            for i in range(m):
                a = tab[i][col]
                if a > tol:
                    ratio = tab[i][width] / a
                    if (
                        row < 0
                        or ratio < best - tol
                        or (abs(ratio - best) <= tol and basis[i] < basis[row])
                    ):
                        best, row = ratio, i
            if row < 0:
                return False
            pivot(row, col)
        return False

    phase1 = [num(0)] * art0 + [num(1)] * m
    run(phase1, width)
    if sum((tab[i][width] for i in range(m) if basis[i] >= art0), num(0)) > phase1_tol:
        return None
    for i in range(m):
        if basis[i] >= art0:
            for j in range(art0):
                if abs(tab[i][j]) > tol:
                    pivot(i, j)
                    break
    if objective is not None:
        cost = [num(c) for c in objective] + [num(0)] * (width - n)
        # artificials stuck in the basis sit at 0 on redundant rows and stay there
        if not run(cost, art0):
            return None
    x = [num(0)] * n
    for i in range(m):
        if basis[i] < n:
            x[basis[i]] = tab[i][width]
    return x


def _small(system: LinearSystem) -> bool:
    """Small enough for the dense tableau of :func:`_simplex` (else HiGHS)."""
    return system.n <= 40 and len(system.eq) + len(system.ub) <= 80


def float_point(system: LinearSystem,
                objective: Sequence[float] | None = None) -> np.ndarray | None:
    """A floating-point optimal (or feasible) point, or ``None``: a guess, never a decision
    (:func:`exact_point` certifies it; the enumeration also prunes with it)."""
    if system.n == 0:
        return np.zeros(0)
    if _small(system):
        x = _simplex(system, objective)
        return None if x is None else np.asarray(x)
    a_eq, b_eq = dense_rows(system.eq, system.n)
    a_ub, b_ub = dense_rows(system.ub, system.n)
    c = np.zeros(system.n) if objective is None else np.asarray(objective, dtype=float)
    res = linprog(
        c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs-ds"
    )
    if res.status != 0:
        return None
    return np.asarray(res.x, dtype=float)


def echelon(rows: Sequence[Mapping[int, Fraction]], rhs: Sequence[Fraction], n: int
            ) -> tuple[list[list[Fraction]], list[int]] | None:
    """Exact Gauss–Jordan elimination of ``rows · x = rhs`` (``n`` unknowns): the
    reduced rows (coefficients then right-hand side; pivot rows first) and the pivot
    column of each pivot row; ``None`` when the system is inconsistent."""
    mat = [[row.get(j, Fraction(0)) for j in range(n)] + [b]
           for row, b in zip(rows, rhs, strict=True)]
    pivots: list[int] = []
    r = 0
    for col in range(n):
        if r == len(mat):
            break
        piv = next((i for i in range(r, len(mat)) if mat[i][col] != 0), None)
        if piv is None:
            continue
        mat[r], mat[piv] = mat[piv], mat[r]
        pv = mat[r][col]
        mat[r] = [v / pv for v in mat[r]]
        for i in range(len(mat)):
            if i != r and mat[i][col] != 0:
                f = mat[i][col]
                mat[i] = [a - f * b for a, b in zip(mat[i], mat[r], strict=True)]
        pivots.append(col)
        r += 1
    if any(row[n] != 0 for row in mat[r:]):
        return None
    return mat, pivots


def solve_linear(
    rows: list[dict[int, Fraction]],
    rhs: list[Fraction],
    n: int,
    defaults: Sequence[Fraction] | None = None,
) -> list[Fraction] | None:
    """Exact Gauss–Jordan elimination; free variables take ``defaults`` (else 0).

    Returns ``None`` when the system is inconsistent.
    """
    reduced = echelon(rows, rhs, n)
    if reduced is None:
        return None
    mat, pivots = reduced
    x = [Fraction(0)] * n if defaults is None else list(defaults)
    pivot_set = set(pivots)
    for i, col in enumerate(pivots):
        val = mat[i][n]
        for j in range(n):
            if j not in pivot_set and mat[i][j] != 0:
                val -= mat[i][j] * x[j]
        x[col] = val
    return x


def exact_point(
    system: LinearSystem, objective: Sequence[float] | None = None
) -> list[Fraction] | None:
    """An exact feasible point of ``system`` (a vertex when HiGHS returns one).

    HiGHS (dual simplex) proposes a basic solution; its active constraints are
    solved exactly and the result is checked exactly.  ``None`` if either step
    fails (infeasible, or the float basis could not be certified).
    """
    if system.n == 0:
        empty: list[Fraction] = []
        return empty if system.check(empty) else None
    if objective is None:
        applies, belief = _one_row_on_simplex(system)
        if applies:
            return belief
    xf = float_point(system, objective)
    if xf is None:
        return _exact_fallback(system, objective) if _wide(system) else None
    point = _certify(system, xf)
    return point if point is not None else _exact_fallback(system, objective)


def _one_row_on_simplex(system: LinearSystem) -> tuple[bool, list[Fraction] | None]:
    """Closed form for ``Σ x = 1`` plus one homogeneous row ``c·x = 0`` or ``c·x ≤ 0``
    (the beliefs that make one of two answers optimal — the common case, solved
    here without a float search): ``(True, point or None)``; ``(False, None)`` when
    the system has another form."""
    rows = [*((row, rhs, "==") for row, rhs in system.eq), *((r, b, "<=") for r, b in system.ub)]
    simplex = next((r for r in rows if r[2] == "==" and r[1] == 1 and len(r[0]) == system.n
                    and all(c == 1 for c in r[0].values())), None)
    if len(rows) != 2 or simplex is None:
        return False, None
    row, rhs, sense = rows[1] if rows[0] is simplex else rows[0]
    if rhs != 0:
        return False, None
    c = [row.get(i, Fraction(0)) for i in range(system.n)]

    def vertex(i: int) -> list[Fraction]:
        return [Fraction(int(j == i)) for j in range(system.n)]

    low = min(range(system.n), key=c.__getitem__)
    if c[low] > 0:
        return True, None
    if sense == "<=" or c[low] == 0:
        return True, vertex(low)
    high = max(range(system.n), key=c.__getitem__)
    if c[high] < 0:
        return True, None
    if c[high] == 0:
        return True, vertex(high)
    point = [Fraction(0)] * system.n  # on the segment between a negative and a positive c
    point[low] = c[high] / (c[high] - c[low])
    point[high] = -c[low] / (c[high] - c[low])
    return True, point


def _wide(system: LinearSystem) -> bool:
    sizes = [abs(c) for row, _ in (*system.eq, *system.ub) for c in row.values() if c != 0]
    return bool(sizes) and max(sizes) > WIDE_RANGE * min(sizes)


def _exact_fallback(
    system: LinearSystem, objective: Sequence[float] | None
) -> list[Fraction] | None:
    """Feasibility decided in exact arithmetic (small systems only; else ``None``)."""
    if not _small(system):
        return None
    x = _simplex(system, objective, exact=True)
    if x is None:
        return None
    point = [Fraction(v) for v in x]
    return point if system.check(point) else None


def _certify(system: LinearSystem, xf: np.ndarray) -> list[Fraction] | None:
    """The exact point of the float point's active constraints, if it is feasible."""
    zero = {j for j in range(system.n) if abs(xf[j]) <= _TOL}
    keep = [j for j in range(system.n) if j not in zero]
    col = {j: i for i, j in enumerate(keep)}
    rows: list[dict[int, Fraction]] = []
    rhs: list[Fraction] = []
    for row, b in system.eq:
        rows.append({col[j]: c for j, c in row.items() if j in col})
        rhs.append(b)
    for row, b in system.ub:
        val = sum(float(c) * xf[j] for j, c in row.items())
        if abs(val - float(b)) <= _TOL * max(1.0, abs(float(b))):
            rows.append({col[j]: c for j, c in row.items() if j in col})
            rhs.append(b)
    sub_defaults = [Fraction(float(xf[j])).limit_denominator(GUESS_DENOMINATOR) for j in keep]
    sub = solve_linear(rows, rhs, len(keep), sub_defaults)
    if sub is None:
        return None
    x = [Fraction(0)] * system.n
    for j, v in zip(keep, sub, strict=True):
        x[j] = v
    if not system.check(x):
        return None
    return x
