"""Exact breakpoint search: Stern–Brocot snapping, flip finding, scenario paths."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callbluff.analysis.thresholds import (
    find_flips,
    get_number,
    parse_path,
    simplest_between,
    with_number,
    with_prior,
)
from callbluff.scenario.loader import load_scenario

fractions = st.fractions(min_value=-50, max_value=50, max_denominator=2000)


def _has_simpler(lo: Fraction, hi: Fraction, denominator: int) -> bool:
    """Is there a rational with denominator < ``denominator`` in [lo, hi]?"""
    return any(math.ceil(lo * q) <= math.floor(hi * q) for q in range(1, denominator))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(fractions, fractions)
def test_simplest_between_is_inside_and_simplest(a: Fraction, b: Fraction) -> None:
    lo, hi = min(a, b), max(a, b)
    x = simplest_between(lo, hi)
    assert lo <= x <= hi
    assert not _has_simpler(lo, hi, x.denominator)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.fractions(min_value=0, max_value=1, max_denominator=5000),
                min_size=1, max_size=3, unique=True))
def test_flips_of_a_step_function_are_found_exactly(breakpoints: list[Fraction]) -> None:
    points = sorted(breakpoints)
    # Keep the steps apart from each other and from the ends, so a grid of 64 sees each.
    if any(b - a < Fraction(1, 32) for a, b in zip([Fraction(0), *points], [*points, 1],
                                                    strict=True)):
        return

    def verdict(x: Fraction) -> int:
        return sum(1 for p in points if x > p)  # steps up just after each breakpoint

    flips = find_flips(verdict, Fraction(0), Fraction(1), grid=64)
    assert [f.at for f in flips] == points
    assert [(f.left, f.right) for f in flips] == [(i, i + 1) for i in range(len(points))]


def test_parse_path() -> None:
    assert parse_path("regimes[rigorous].detection") == [
        "regimes", ("id", "rigorous"), "detection"]
    assert parse_path("types[mixed].weights.security") == [
        "types", ("id", "mixed"), "weights", "security"]
    with pytest.raises(ValueError):
        parse_path("regimes..detection")


def test_with_number_changes_one_number_only() -> None:
    s = load_scenario("north-korea-2009")
    regime = s.regimes[0].id
    path = f"regimes[{regime}].detection"
    changed = with_number(s, path, Fraction(1, 7))
    assert get_number(changed, path) == Fraction(1, 7)
    assert get_number(s, path) == s.regimes[0].detection  # the original is untouched
    assert changed.model_copy(update={"regimes": s.regimes}) == s


def test_with_prior_keeps_proportions_and_total() -> None:
    s = load_scenario("north-korea-2009")
    security = {t.id for t in s.types if t.security_only}
    changed = with_prior(s, security, Fraction(3, 5))
    assert sum(t.prior for t in changed.types) == 1
    assert sum(t.prior for t in changed.types if t.id in security) == Fraction(3, 5)
    others = [t for t in s.types if t.id not in security]
    new = {t.id: t.prior for t in changed.types}
    for a, b in itertools.pairwise(others):
        assert new[a.id] * b.prior == new[b.id] * a.prior  # same ratios as before


def test_with_number_on_a_type_prior_rescales_the_others() -> None:
    s = load_scenario("north-korea-2009")
    changed = with_number(s, "types[mixed].prior", Fraction(1, 2))
    assert get_number(changed, "types[mixed].prior") == Fraction(1, 2)
    assert sum(t.prior for t in changed.types) == 1
