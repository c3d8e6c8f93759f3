"""Where a verdict flips as one input moves: exact breakpoints.

Every payoff of the bargain game is affine in each scenario number (and each
type's and the proposer's decisive comparisons are linear in the detection
probability and, after clearing the Bayes denominator, in the prior), so a verdict
is piecewise constant in any one input and changes only where such an affine
comparison crosses zero.  We bracket each change on a grid, bisect in exact
rationals to a width below 10⁻¹⁰, and return the simplest rational in the final
bracket (Stern–Brocot).  Two distinct rationals with denominators ≤ q differ by at
least 1/q², so the returned value *is* the breakpoint whenever the breakpoint's
denominator is below 10⁵ — the case for inputs written with a few decimals;
otherwise it is within 10⁻¹⁰.

Reference: Graham, Knuth & Patashnik, *Concrete Mathematics*, 2nd ed., §4.5
(the Stern–Brocot tree).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pydantic import BaseModel

from callbluff.scenario.schema import Scenario

_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[[^\]]+\])*)")
#: Bracket width at which bisection stops.
RESOLUTION = Fraction(1, 10**10)


@dataclass(frozen=True)
class Flip:
    """The verdict is ``left`` just below ``at`` and ``right`` just above it."""

    at: Fraction
    left: Hashable
    right: Hashable


def simplest_between(lo: Fraction, hi: Fraction) -> Fraction:
    """The rational with the smallest denominator in ``[lo, hi]`` (Stern–Brocot)."""
    if lo > hi:
        lo, hi = hi, lo
    floor = math.floor(lo)
    if lo == floor or math.floor(hi) > floor:
        return Fraction(floor if lo == floor else floor + 1)
    # lo and hi share the integer part: recurse on the reciprocals of the fractional parts.
    return floor + 1 / simplest_between(1 / (hi - floor), 1 / (lo - floor))


def find_flips(
    verdict_at: Callable[[Fraction], Hashable],
    lo: Fraction,
    hi: Fraction,
    grid: int = 16,
) -> list[Flip]:
    """All points in ``[lo, hi]`` where ``verdict_at`` changes, found on a grid of
    ``grid`` intervals and refined exactly.  Changes that come and go between two
    neighbouring grid points are not seen: refine the grid to find them."""
    if hi <= lo:
        raise ValueError(f"empty range [{lo}, {hi}]")
    points = [lo + (hi - lo) * i / grid for i in range(grid + 1)]
    verdicts = [verdict_at(x) for x in points]
    flips: list[Flip] = []
    for a, b, va, vb in zip(points, points[1:], verdicts, verdicts[1:], strict=False):
        if va != vb:
            flips.append(_refine(verdict_at, a, b, va, vb))
    return flips


def _refine(
    verdict_at: Callable[[Fraction], Hashable],
    a: Fraction, b: Fraction, va: Hashable, vb: Hashable,
) -> Flip:
    while b - a > RESOLUTION:
        mid = (a + b) / 2
        vm = verdict_at(mid)
        if vm == va:
            a = mid
        else:
            b, vb = mid, vm
    return Flip(at=simplest_between(a, b), left=va, right=vb)


# -- addressing one number of a scenario -------------------------------------

def parse_path(path: str) -> list[str | tuple[str, str]]:
    """``regimes[rigorous].detection`` → ``["regimes", ("id", "rigorous"), "detection"]``.

    A bracket holds a list item's id (or its 0-based index); a dotted segment names a
    field or a mapping key (``types[mixed].weights.security``).
    """
    steps: list[str | tuple[str, str]] = []
    for part in path.split("."):
        match = _SEGMENT.fullmatch(part) if part else None
        if match is None:
            # mapping keys may contain '-' (ids): accept them as plain keys
            if part and re.fullmatch(r"[a-z0-9][a-z0-9_-]*", part):
                steps.append(part)
                continue
            raise ValueError(f"cannot read {part!r} in path {path!r}")
        steps.append(match.group(1))
        steps.extend(("id", key) for key in re.findall(r"\[([^\]]+)\]", match.group(2)))
    return steps


def get_number(scenario: Scenario, path: str) -> Fraction:
    value: Any = scenario
    for step in parse_path(path):
        value = _step(value, step, path)
    if not isinstance(value, Fraction):
        raise ValueError(f"{path!r} is not a number of the scenario")
    return value


def with_number(scenario: Scenario, path: str, new: Fraction) -> Scenario:
    """A copy of ``scenario`` with the number at ``path`` set to ``new``.

    Setting a type's ``prior`` rescales the other types' priors so that they keep
    their proportions and the total stays 1.
    """
    steps = parse_path(path)
    if len(steps) == 3 and steps[0] == "types" and steps[2] == "prior":
        selector = steps[1]
        assert isinstance(selector, tuple)
        type_id = _id_of(scenario.types, selector[1], path)
        return with_prior(scenario, {type_id}, new)
    get_number(scenario, path)  # fails clearly if the path is not a number
    result = _replace(scenario, steps, Fraction(new), path)
    assert isinstance(result, Scenario)
    return result


def with_prior(scenario: Scenario, type_ids: set[str], total: Fraction) -> Scenario:
    """Give the types ``type_ids`` prior mass ``total`` together (in their current
    proportions, or equally if they had none) and the others ``1 - total``."""
    if not 0 <= total <= 1:
        raise ValueError(f"a prior mass must lie in [0, 1], got {total}")
    inside = [t for t in scenario.types if t.id in type_ids]
    outside = [t for t in scenario.types if t.id not in type_ids]
    if not inside or (not outside and total != 1):
        raise ValueError("cannot move prior mass: no types on one side")
    new_types = []
    for group, mass in ((inside, total), (outside, 1 - total)):
        current = sum((t.prior for t in group), Fraction(0))
        for t in group:
            share = t.prior / current if current > 0 else Fraction(1, len(group))
            new_types.append((t.id, mass * share))
    priors = dict(new_types)
    types = [t.model_copy(update={"prior": priors[t.id]}) for t in scenario.types]
    return scenario.model_copy(update={"types": types})


def _id_of(items: list[Any], key: str, path: str) -> str:
    return str(_step(items, ("id", key), path).id)


def _step(value: Any, step: str | tuple[str, str], path: str) -> Any:
    if isinstance(step, tuple):
        key = step[1]
        if not isinstance(value, list):
            raise ValueError(f"{path!r}: [{key}] used on something that is not a list")
        for i, item in enumerate(value):
            if getattr(item, "id", None) == key or str(i) == key:
                return item
        raise ValueError(f"{path!r}: no item {key!r}")
    if isinstance(value, BaseModel):
        if step not in type(value).model_fields:
            raise ValueError(f"{path!r}: no field {step!r}")
        return getattr(value, step)
    if isinstance(value, dict):
        if step not in value:
            raise ValueError(f"{path!r}: no key {step!r}")
        return value[step]
    raise ValueError(f"{path!r}: cannot go into {step!r}")


def _replace(value: Any, steps: list[str | tuple[str, str]], new: Fraction, path: str) -> Any:
    if not steps:
        return new
    step, rest = steps[0], steps[1:]
    child = _step(value, step, path)
    updated = _replace(child, rest, new, path)
    if isinstance(step, tuple):
        return [updated if item is child else item for item in value]
    if isinstance(value, BaseModel):
        return value.model_copy(update={step: updated})
    return {**value, step: updated}
