"""Numbers for people (callbluff.analysis.numbers): each kind of number written by
what it is.  Expected texts are written out by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest

from callbluff.analysis.numbers import consecutive_runs, exact, pct, pct_exact, utility, yes_no


@pytest.mark.parametrize(("value", "text"), [
    (Fraction(3, 10), "30%"), (Fraction(1, 3), "33.3%"), (Fraction(1, 40), "2.5%"),
    (Fraction(0), "0%"), (Fraction(1), "100%"), (Fraction(1, 2000), "<0.1%"),
    (Fraction(9999, 10000), ">99.9%"),
])
def test_probabilities_are_percentages(value: Fraction, text: str) -> None:
    assert pct(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (Fraction(21, 58), "0.362 (21/58)"),  # the example: 21/58 = 0.36206…
    (Fraction(7, 20), "0.35"), (Fraction(-1, 8), "-0.125"), (Fraction(2), "2"),
    (Fraction(1, 3), "0.333 (1/3)"), (Fraction(123456789, 1000), "123456.8 (123456789/1000)"),
])
def test_exact_values_carry_their_fraction_when_rounded(value: Fraction, text: str) -> None:
    assert exact(value) == text


def test_threshold_percentages_carry_their_fraction_when_rounded() -> None:
    assert pct_exact(Fraction(61, 125)) == "48.8%"  # 0.488 exactly
    assert pct_exact(Fraction(43, 116)) == "37.1% (43/116)"  # 0.37068…


def test_utilities_truth_values_and_runs() -> None:
    assert utility(Fraction(-1, 1000)) == "0.00" and utility(Fraction(-1638, 100)) == "-16.38"
    assert (yes_no(True), yes_no(False), yes_no(None)) == ("yes", "no", "—")
    assert consecutive_runs([0, 1, 2, 5, 7, 8]) == [[0, 1, 2], [5], [7, 8]]
