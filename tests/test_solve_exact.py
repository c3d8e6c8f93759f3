"""Exact feasible points of linear systems (``callbluff.solve.exact``).

The float search only proposes; every point returned must satisfy the system in
exact arithmetic, and a feasible system must not be reported infeasible because its
coefficients span more magnitudes than a float tolerance resolves (found by fuzzing:
a fallback payoff of 10¹² beside payoffs of about 10 lost every equilibrium).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callbluff.solve.exact import LinearSystem, _simplex, exact_point

F = Fraction


def _beliefs(rows: list[list[int]]) -> LinearSystem:
    """Beliefs μ ≥ 0 over len(row) nodes, Σμ = 1, and row·μ ≤ 0 for every row."""
    n = len(rows[0])
    return LinearSystem(n, [({i: F(1) for i in range(n)}, F(1))],
                        [({i: F(c) for i, c in enumerate(r) if c}, F(0)) for r in rows])


@pytest.mark.parametrize("big", [10**3, 10**9, 10**12, 10**15])
def test_wide_coefficients_keep_a_feasible_point(big: int) -> None:
    """Hand-derived: only beliefs on node 0 or 1 satisfy both rows (node 3 has +7 in the
    first row, node 4 has +big), so a point exists — e.g. μ = (1, 0, 0, 0, 0)."""
    system = _beliefs([[-10, -5, 0, 7, big + 7], [-35, -30, -37, -20, -33]])
    point = exact_point(system)
    assert point is not None
    assert system.check(point)
    assert point[3] <= F(10, 17)  # 7·μ3 ≤ 10·μ0 + 5·μ1 ≤ 10 (1 − μ3)


@pytest.mark.parametrize("big", [10**3, 10**12])
def test_wide_coefficients_infeasible_stays_infeasible(big: int) -> None:
    """The first row is positive on every node, so row·μ ≤ 0 is impossible on the
    simplex, however large its last coefficient."""
    system = _beliefs([[1, 2, 3, 4, big], [-1, -1, -1, -1, -1]])
    assert exact_point(system) is None


def test_tiny_margin_beside_a_huge_coefficient() -> None:
    """10¹²·μ0 + (10¹² + 1)·μ1 ≤ 10¹² with μ0 + μ1 = 1 means 10¹² + μ1 ≤ 10¹², so
    μ1 = 0: a margin of 1 against coefficients of 10¹², the only point is (1, 0)."""
    big = 10**12
    system = LinearSystem(2, [({0: F(1), 1: F(1)}, F(1))],
                          [({0: F(big), 1: F(big + 1)}, F(big))])
    point = exact_point(system)
    assert point == [F(1), F(0)]


def _one_row(coefficients: list[int], sense: str) -> LinearSystem:
    n = len(coefficients)
    row = ({i: F(c) for i, c in enumerate(coefficients) if c}, F(0))
    simplex = ({i: F(1) for i in range(n)}, F(1))
    return LinearSystem(n, [simplex, row] if sense == "==" else [simplex],
                        [row] if sense == "<=" else [])


@pytest.mark.parametrize(("coefficients", "sense", "expected"), [
    ([3, 1, 2], "<=", None),  # positive on every node
    ([3, -1, 2], "<=", [F(0), F(1), F(0)]),  # the vertex with the least coefficient
    ([3, 1, 2], "==", None),
    ([3, 0, 2], "==", [F(0), F(1), F(0)]),  # a zero coefficient: that vertex
    ([-1, 2, 5], "==", [F(5, 6), F(0), F(1, 6)]),  # −1·5/6 + 5·1/6 = 0
])
def test_one_row_beliefs_closed_form(coefficients: list[int], sense: str,
                                     expected: list[Fraction] | None) -> None:
    """The closed form for the beliefs of a two-answer information set (hand-derived)."""
    assert exact_point(_one_row(coefficients, sense)) == expected


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.integers(-3, 3), min_size=1, max_size=5), st.sampled_from(["==", "<="]))
def test_one_row_beliefs_agree_with_the_exact_simplex(coefficients: list[int],
                                                       sense: str) -> None:
    """Feasible exactly when the exact Bland simplex (another algorithm) says so, and
    the point returned satisfies the system exactly."""
    system = _one_row(coefficients, sense)
    point = exact_point(system)
    assert (point is not None) == (_simplex(system, None, exact=True) is not None)
    if point is not None:
        assert system.check(point)
