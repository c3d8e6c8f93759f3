"""Where a verdict flips as one input moves: exact breakpoints.

Every payoff of the bargain game is affine in each scenario number (and each
type's and the proposer's decisive comparisons are linear in the detection
probability and, after clearing the Bayes denominator, in the prior), so a verdict
is piecewise constant in any one input and changes only where such an affine
comparison crosses zero.  We bracket each change on a grid, narrow the bracket to
a width below 10⁻¹⁰, and return the simplest rational in the final bracket
(Stern–Brocot).  Two distinct rationals with denominators ≤ q differ by at least
1/q², so the returned value *is* the breakpoint whenever the breakpoint's
denominator is below 10⁵ — the case for inputs written with a few decimals;
otherwise it is within 10⁻¹⁰.

Narrowing a bracket, two ways:

* **from breakpoints** (:func:`payoff_breakpoints`): the points where two affine
  values of one player cross at one of its decision nodes — the value of each
  pure continuation, with the game's payoffs and chance probabilities affine in
  the input — are computed exactly.  Inside a bracket, a binary search over the
  midpoints between consecutive candidates finds the one candidate the change
  sits at, and two solves a hair (10⁻¹⁰/2) either side confirm it, so the final
  bracket is as narrow as bisection's, in about log₂(candidates) + 2 solves
  instead of about 33.  A change where no candidate is (an information set with
  several nodes weighs continuations by beliefs; a mixed equilibrium's support
  moves) fails the confirmation, and that bracket is bisected;
* **by bisection** (the reference), in exact rationals.

Reference: Graham, Knuth & Patashnik, *Concrete Mathematics*, 2nd ed., §4.5
(the Stern–Brocot tree).
"""

from __future__ import annotations

import itertools
import math
import re
import types
import typing
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from callbluff.game.bargain import compile_offer
from callbluff.game.tree import Game, Node, NodeKind
from callbluff.scenario.schema import Scenario

_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[[^\]]+\])*)")
#: Bracket width at which bisection stops.
RESOLUTION = Fraction(1, 10**10)
#: Distinct affine values tracked per node and player; beyond it, no breakpoints
#: (the search bisects).
MAX_VALUES = 512


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
    breakpoints: Sequence[Fraction] | None = None,
) -> list[Flip]:
    """All points in ``[lo, hi]`` where ``verdict_at`` changes, found on a grid of
    ``grid`` intervals and refined exactly: from ``breakpoints`` (candidate points,
    :func:`payoff_breakpoints`) where given, else by bisection.  Changes that come
    and go between two neighbouring grid points are not seen: refine the grid to
    find them."""
    if hi <= lo:
        raise ValueError(f"empty range [{lo}, {hi}]")
    points = [lo + (hi - lo) * i / grid for i in range(grid + 1)]
    verdicts = [verdict_at(x) for x in points]
    flips: list[Flip] = []
    for a, b, va, vb in zip(points, points[1:], verdicts, verdicts[1:], strict=False):
        if va != vb:
            flips.append(_refine(verdict_at, a, b, va, vb) if breakpoints is None
                         else _at_breakpoint(verdict_at, a, b, va, vb, breakpoints))
    return flips


def _refine(
    verdict_at: Callable[[Fraction], Hashable],
    a: Fraction, b: Fraction, va: Hashable, vb: Hashable,
) -> Flip:
    """Bisection of ``[a, b]`` (``va`` at ``a``, ``vb`` at ``b``) to :data:`RESOLUTION`."""
    while b - a > RESOLUTION:
        mid = (a + b) / 2
        vm = verdict_at(mid)
        if vm == va:
            a = mid
        else:
            b, vb = mid, vm
    return Flip(at=simplest_between(a, b), left=va, right=vb)


def _at_breakpoint(
    verdict_at: Callable[[Fraction], Hashable],
    a: Fraction, b: Fraction, va: Hashable, vb: Hashable,
    breakpoints: Sequence[Fraction],
) -> Flip:
    """The change in ``[a, b]`` located among ``breakpoints`` and confirmed a hair
    either side; bisection where it is not at one (:func:`_refine`'s answer: the
    first change to the right of ``a`` that the bisection would meet)."""
    inside = sorted({c for c in breakpoints if a < c < b})
    if not inside:
        return _refine(verdict_at, a, b, va, vb)
    # Probe points: a, the midpoints around and between the candidates, b.  The
    # verdict is constant between consecutive true breakpoints, so if the
    # candidates hold every breakpoint, one candidate lies between two
    # neighbouring probes that differ.
    edges = [a, *inside, b]
    probes = [a, *((x + y) / 2 for x, y in itertools.pairwise(edges)), b]
    known: dict[int, Hashable] = {0: va, len(probes) - 1: vb}
    low, high = 0, len(probes) - 1  # verdict va at probes[low], not va at probes[high]
    while high - low > 1:
        middle = (low + high) // 2
        known[middle] = verdict_at(probes[middle])
        if known[middle] == va:
            low = middle
        else:
            high = middle
    # probes[low] and probes[high] are adjacent: between them lies one candidate
    # (inside[low - 1]) unless one of them is an end of the bracket.
    if low == 0 or high == len(probes) - 1:
        return _refine(verdict_at, probes[low], probes[high], va, known[high])
    candidate = inside[low - 1]
    hair = RESOLUTION / 2
    before = verdict_at(candidate - hair)
    if before != va:
        return _refine(verdict_at, probes[low], candidate - hair, va, before)
    after = verdict_at(candidate + hair)
    if after != va:
        return Flip(at=simplest_between(candidate - hair, candidate + hair), left=va,
                    right=after)
    return _refine(verdict_at, candidate + hair, probes[high], va, known[high])


# -- candidate breakpoints from the game ----------------------------------------

def offer_breakpoints(scenario: Scenario, offer_id: str, path: str,
                      lo: Fraction = Fraction(0), hi: Fraction = Fraction(1)
                      ) -> tuple[Fraction, ...] | None:
    """:func:`payoff_breakpoints` of the game of ``offer_id`` as the number at
    ``path`` moves over ``[lo, hi]``."""
    return payoff_breakpoints(
        lambda x: compile_offer(with_number(scenario, path, x), offer_id), lo, hi)


#: An affine function of the input on ``[lo, hi]``: its values at ``lo`` and ``hi``.
_Affine = tuple[Fraction, Fraction]


def payoff_breakpoints(
    compile_at: Callable[[Fraction], Game], lo: Fraction, hi: Fraction
) -> tuple[Fraction, ...] | None:
    """Candidate breakpoints in ``(lo, hi)`` of any verdict read from the equilibria
    of ``compile_at(x)``: the points where, at one of its decision nodes, a player's
    value of one action crosses its value of another, over every pure continuation.

    ``None`` when the candidates cannot be computed: the games at ``lo``, the
    midpoint and ``hi`` differ in shape, a payoff or chance probability is not
    affine in the input on ``[lo, hi]`` (checked at the midpoint), a value is not
    affine (an input-dependent chance move above input-dependent values), or more
    than :data:`MAX_VALUES` values reach one node.
    """
    games = [compile_at(x) for x in (lo, (lo + hi) / 2, hi)]
    values = _affine_values(*games)
    if values is None:
        return None
    at_lo = games[0]
    found: set[Fraction] = set()
    for node in at_lo.nodes:
        if node.kind != NodeKind.DECISION or node.infoset is None:
            continue
        player = at_lo.infosets[node.infoset].player
        kids = node.children
        for i, first in enumerate(kids):
            for second in kids[i + 1:]:
                for f_lo, f_hi in values[first][player]:
                    for g_lo, g_hi in values[second][player]:
                        slope = (f_hi - f_lo) - (g_hi - g_lo)
                        if slope == 0:
                            continue
                        t = (g_lo - f_lo) / slope  # f = g at lo + t (hi - lo)
                        if 0 < t < 1:
                            found.add(lo + t * (hi - lo))
    return tuple(sorted(found))


def _affine_values(at_lo: Game, at_mid: Game, at_hi: Game
                   ) -> list[list[set[_Affine]]] | None:
    """Per node (below a decision) and player, the affine values of the node's pure
    continuations; ``None`` where :func:`payoff_breakpoints` gives none."""
    n = len(at_lo.nodes)
    if len(at_mid.nodes) != n or len(at_hi.nodes) != n:
        return None
    players = range(len(at_lo.players))
    # Only nodes below a decision are compared; the root's chance move over the
    # types would multiply every type's values together for nothing.
    below_decision = [False] * n
    for node in at_lo.nodes:
        if node.parent is not None:
            below_decision[node.id] = (below_decision[node.parent]
                                       or at_lo.nodes[node.parent].kind == NodeKind.DECISION)
    values: list[list[set[_Affine]]] = [[] for _ in range(n)]
    for i in reversed(range(n)):
        low, mid, high = at_lo.nodes[i], at_mid.nodes[i], at_hi.nodes[i]
        if (low.kind, low.children) != (high.kind, high.children) or \
                (low.kind, low.children) != (mid.kind, mid.children):
            return None
        if not below_decision[i]:
            continue
        if low.kind == NodeKind.TERMINAL:
            if any(2 * m != a + b for a, m, b in zip(low.payoffs, mid.payoffs, high.payoffs,
                                                     strict=True)):
                return None
            values[i] = [{(low.payoffs[p], high.payoffs[p])} for p in players]
        elif low.kind == NodeKind.DECISION:
            values[i] = [set().union(*(values[c][p] for c in low.children)) for p in players]
        else:
            mixed = _chance_values(low, mid, high, values, players)
            if mixed is None:
                return None
            values[i] = mixed
    return values


def _chance_values(low: Node, mid: Node, high: Node, values: list[list[set[_Affine]]],
                   players: range) -> list[set[_Affine]] | None:
    """A chance node's affine values: every weighted sum of its children's values."""
    if any(2 * m != a + b for a, m, b in zip(low.chance_probs, mid.chance_probs,
                                             high.chance_probs, strict=True)):
        return None
    out: list[set[_Affine]] = []
    for p in players:
        sums: set[_Affine] = {(Fraction(0), Fraction(0))}
        for q_lo, q_hi, child in zip(low.chance_probs, high.chance_probs, low.children,
                                     strict=True):
            terms: set[_Affine] = set()
            for v_lo, v_hi in values[child][p]:
                if q_lo != q_hi and v_lo != v_hi:
                    return None  # a product of two affine functions is not affine
                terms.add((q_lo * v_lo, q_hi * v_hi))
            sums = {(s_lo + t_lo, s_hi + t_hi) for s_lo, s_hi in sums for t_lo, t_hi in terms}
            if len(sums) > MAX_VALUES:
                return None
        out.append(sums)
    return out


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


def valid_range(scenario: Scenario, path: str) -> tuple[Fraction | None, Fraction | None]:
    """The values the scenario format accepts for the number at ``path``: ``(0, 1)``
    for a probability, ``(0, None)`` for a number >= 0, ``(None, None)`` otherwise.

    Read from the field's own validator (:mod:`callbluff.scenario.schema`), probed
    just outside 0 and 1, so it cannot drift from what loading a file accepts."""
    get_number(scenario, path)  # fails clearly if the path is not a number
    value: Any = scenario
    annotation: Any = None
    for step in parse_path(path):
        if isinstance(value, BaseModel) and isinstance(step, str):
            annotation = type(value).model_fields[step].rebuild_annotation()
        elif isinstance(value, dict):
            annotation = typing.get_args(_unwrap(annotation))[1]  # dict[str, X] -> X
        elif isinstance(step, tuple):
            annotation = typing.get_args(_unwrap(annotation))[0]  # list[X] -> X
        value = _step(value, step, path)
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)

    def accepts(x: Fraction) -> bool:
        try:
            adapter.validate_python(x)
        except ValidationError:
            return False
        return True

    hair = Fraction(1, 10**9)
    lo = Fraction(0) if not accepts(-hair) else None
    hi = Fraction(1) if not accepts(1 + hair) else None
    return lo, hi


def _unwrap(annotation: Any) -> Any:
    """``X`` of ``Annotated[X, ...]`` and of ``X | None``."""
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
            annotation = args[0]
            continue
        return annotation


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
