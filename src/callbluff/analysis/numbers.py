"""Numbers for people: the one formatter every face uses (CLI, report, page, notebook).

A number is written by what it is, never by the type it happens to be stored in:

* a **probability** as a percentage with sensible digits: ``30%``, ``2.5%``, ``<0.1%``;
* an **exact value** (an input, a threshold) as a short decimal when that decimal *is*
  the value (``0.35``, ``-0.125``, ``2``), else three significant digits followed by
  the exact fraction: ``0.362 (21/58)``;
* a **utility** (a payoff, a value of an offer) with two decimals: ``-16.38``;
* a **truth value** as ``yes``/``no`` (never Python's ``True``/``False``).

The JSON contract keeps its machine form (``"21/58"``, floats); this module is for
the sentences and tables that people read.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

#: The most significant digits of a decimal written without its fraction.
_PLAIN_DIGITS = 6


def pct(x: Fraction | float) -> str:
    """A probability for people: "30%", "2.5%", "33.3%" (never "0%" for a positive
    value: "<0.1%"; never "100%" for a value short of 1: ">99.9%")."""
    value = 100 * float(x)
    if 0 < value < 0.1:
        return "<0.1%"
    if 99.9 < value < 100:
        return ">99.9%"
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text}%"


def _terminating(x: Fraction) -> str | None:
    """``x`` as a decimal of at most a few significant digits, if one is exactly ``x``."""
    den = x.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    if den != 1:
        return None
    for places in range(13):
        text = f"{float(x):.{places}f}"
        if Fraction(text) == x:
            digits = len(text.lstrip("-").replace(".", "").lstrip("0"))
            return text if digits <= _PLAIN_DIGITS else None
    return None


def exact(x: Fraction) -> str:
    """An exact value: "2", "0.35", or "0.362 (21/58)" when no short decimal is it."""
    if x.denominator == 1:
        return str(x.numerator)
    plain = _terminating(x)
    if plain is not None:
        return plain
    decimal = f"{float(x):.3g}" if abs(x) < 1000 else f"{float(x):.1f}"
    return f"{decimal} ({x.numerator}/{x.denominator})"


def pct_exact(x: Fraction) -> str:
    """A probability that is a threshold: "48.8%", or "37.1% (43/116)" when the
    percentage is rounded."""
    text = pct(x)
    if text[0] in "<>" or Fraction(text.rstrip("%")) / 100 != x:
        return f"{text} ({x.numerator}/{x.denominator})"
    return text


def utility(x: Fraction | float) -> str:
    """A payoff or value: two decimals ("-16.38"), and "0.00" never written "-0.00"."""
    text = f"{float(x):.2f}"
    return "0.00" if text == "-0.00" else text


def consecutive_runs(numbers: Sequence[int]) -> list[list[int]]:
    """``[0, 1, 2, 5]`` → ``[[0, 1, 2], [5]]``: runs of consecutive integers, for
    writing "0–2 and 5"."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return runs


def yes_no(flag: bool | None) -> str:
    """A truth value for people; ``None`` (not computed, undefined) is "—"."""
    return "—" if flag is None else ("yes" if flag else "no")


__all__ = ["consecutive_runs", "exact", "pct", "pct_exact", "utility", "yes_no"]
