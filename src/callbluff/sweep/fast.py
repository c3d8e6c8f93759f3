"""The sweep's fast engine: a chunk of drawn variants through the vectorised solver
(:mod:`callbluff.solve.vectorised`), as the columns of the sweep's table.

The solver certifies, per variant and offer, that its figures are those of the
exact solver (:func:`callbluff.solve.solve`); here the drawn inputs become its
:class:`~callbluff.solve.vectorised.parameters.Params`, its answers become rows,
and every row it cannot certify is marked for the exact solver (``sweep/run.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np

from callbluff.analysis.thresholds import RESOLUTION, parse_path, simplest_between
from callbluff.analysis.verdict import NO_OFFER, main_offer_id
from callbluff.game import bargain
from callbluff.scenario.schema import Scenario
from callbluff.solve.vectorised import evaluate_offer
from callbluff.solve.vectorised.outcomes import FastOffer
from callbluff.solve.vectorised.parameters import TOL, BoolArray, FloatArray, Key, Params
from callbluff.solve.vectorised.payoffs import status_quo_values
from callbluff.solve.vectorised.ties import tie_is_exact
from callbluff.sweep.evaluate import OfferFigures
from callbluff.sweep.spec import INPUT_PREFIX, PRIOR_PREFIX, SweepSpec, apply_row


class Unsupported(ValueError):
    """A path the fast path does not model (the sweep then runs every variant exactly)."""


def canonical_key(scenario: Scenario, path: str) -> Key | None:
    """The number at ``path`` as a key of :class:`Params`, or ``None`` for numbers
    that do not enter the game of an offer (time, stakeholder payoffs)."""
    steps = parse_path(path)

    def find(items: Sequence[Any], key: str) -> str:
        for i, item in enumerate(items):
            if item.id == key or str(i) == key:
                return str(item.id)
        raise Unsupported(f"{path!r}: no item {key!r}")

    head = steps[0]
    rest = steps[1:]
    if head == "types" and len(rest) >= 2 and isinstance(rest[0], tuple):
        t = find(scenario.types, rest[0][1])
        if rest[1:] == ["weights", *rest[2:]] and len(rest) == 3 and isinstance(rest[2], str):
            return ("weight", t, rest[2])
        if len(rest) == 2 and rest[1] in ("prior", "inspection_sensitivity", "status_quo",
                                          "arsenal_harm", "renege_loss"):
            return (str(rest[1]), t)
    if head == "arsenal" and len(rest) == 2 and rest[0] == "values" and isinstance(rest[1], str):
        return ("arsenal", rest[1])
    if head in ("concessions", "counter_demands") and len(rest) >= 2 and isinstance(rest[0], tuple):
        items = scenario.concessions if head == "concessions" else scenario.counter_demands
        c = find(items, rest[0][1])
        if rest[1:] == ["cost"]:
            return ("cost", c)
        if rest[1:] == ["renege_risk"]:
            return ("renege_risk", c)
        if len(rest) == 3 and rest[1] == "values" and isinstance(rest[2], str):
            return ("value", c, rest[2])
    if head == "regimes" and len(rest) == 2 and isinstance(rest[0], tuple):
        r = find(scenario.regimes, rest[0][1])
        if rest[1] in ("detection", "intrusiveness", "cost"):
            return ("regime", r, str(rest[1]))
    if head == "cheating" and len(rest) == 1 and rest[0] in ("covert_fraction", "penalty"):
        return (str(rest[0]),)
    if head == "bargaining" and len(rest) == 1 and isinstance(rest[0], str):
        # breakdown risk and finality cost only matter to offers with counter-demands,
        # which go to the exact solver (callbluff.solve.vectorised.evaluate_offer)
        return ("bargaining", rest[0])
    if head == "denuclearisation_value" and not rest:
        return ("D",)
    if head == "fallbacks" and len(rest) == 3 and isinstance(rest[0], tuple):
        f = find(scenario.fallbacks, rest[0][1])
        if rest[1] in ("proposer", "target") and isinstance(rest[2], str):
            return ("fallback", f, str(rest[1]), rest[2])
    if head == "stakeholders" and len(rest) >= 2 and isinstance(rest[0], tuple):
        s = find(scenario.stakeholders, rest[0][1])
        if rest[1:] == ["pressure"]:
            return ("pressure", s)
        if rest[1] == "payoffs":
            return None
    if head == "time":
        return None
    raise Unsupported(f"the fast path does not model {path!r}")


def sweep_params(scenario: Scenario, spec: SweepSpec, inputs: Mapping[str, FloatArray],
                 n: int) -> Params:
    """The vectorised solver's :class:`Params` of ``n`` drawn variants (``inputs``:
    the columns of ``spec``)."""
    priors = ({tid: inputs[INPUT_PREFIX + PRIOR_PREFIX + tid] for tid in spec.type_ids}
              if spec.prior is not None else None)
    numbers = [(key, inputs[item.column]) for item in spec.inputs
               if (key := canonical_key(scenario, item.path)) is not None]
    return Params(scenario, n, priors, numbers)


def offer_figures(offer: FastOffer, i: int, status_quo_value: float) -> OfferFigures:
    """Row ``i`` (certified) of ``offer`` as the sweep's :class:`OfferFigures`."""
    worst, best = float(offer.value_worst[i]), float(offer.value_best[i])
    if offer.all_reject[i]:
        worst = best = status_quo_value
    return OfferFigures(
        offer_id=offer.offer_id, value_worst=worst, value_best=best,
        equilibria=int(offer.equilibria[i]), separates_all=bool(offer.separates_all[i]),
        separates_any=bool(offer.separates_any[i]), cheaters=int(offer.cheaters[i]),
        security_posterior_after_reject=float(offer.security_posterior_after_reject[i]),
            engine="fast")


@dataclass(frozen=True)
class FastChunk:
    """Rows of a chunk from the fast path; ``certified`` rows are final."""

    certified: BoolArray
    columns: dict[str, Any]
    offers: tuple[FastOffer, ...] = ()


def evaluate(scenario: Scenario, spec: SweepSpec, inputs: Mapping[str, FloatArray],
             n: int) -> FastChunk:
    """The output columns of :func:`callbluff.sweep.evaluate.variant_row` for ``n``
    variants at once; rows that are not ``certified`` must be computed exactly (the
    main offer needs every figure, the others their worst and best values)."""
    params = sweep_params(scenario, spec, inputs, n)
    main_id = main_offer_id(scenario)
    variants: dict[int, Scenario] = {}

    def variant(row: int) -> Scenario:
        if row not in variants:
            variants[row] = apply_row(scenario, spec, {c: v[row] for c, v in inputs.items()})
        return variants[row]

    offers = [confirm_ties(evaluate_offer(scenario, params, o.id, full=o.id == main_id),
                           variant) for o in scenario.offers]
    main = offers[[o.id for o in scenario.offers].index(main_id)]
    certified = main.full.copy()
    for o in offers:
        certified &= o.certified
    sq = status_quo_values(scenario, params)
    columns: dict[str, Any] = {
        "separates": main.separates_all.copy(),
        "separates_sometimes": main.separates_any.copy(),
        "equilibria": main.equilibria,
        "cheaters": main.cheaters,
        "security_posterior_after_reject": main.security_posterior_after_reject,
        "value:status-quo": sq,
    }
    names = np.array([NO_OFFER, *(o.id for o in scenario.offers)], dtype=object)
    repeats = repeated_offers(scenario)
    for rule, field, prefix in (("best_offer", "value_worst", "value"),
                                ("best_offer_optimistic", "value_best", "value_best")):
        # Strictly larger value, ties to no offer then scenario order.  An offer every
        # type rejects is worth exactly the status quo; any other near tie (within
        # TOL) cannot be decided in floats and goes to the exact solver.
        best_value = sq.copy()
        best_is_sq = np.ones(n, dtype=bool)  # current best equals the status quo exactly
        best_index = np.full(n, -1, dtype=np.int64)
        for i, (offer, o) in enumerate(zip(scenario.offers, offers, strict=True)):
            value = np.where(o.all_reject, sq, getattr(o, field))
            columns[f"{prefix}:{offer.id}"] = value
            if i in repeats:  # the same game as an earlier offer: equal value, never better
                continue
            better = value > best_value + TOL
            # an uncertified offer's value may be ±inf (its row is uncertified anyway)
            with np.errstate(invalid="ignore"):
                gap = np.abs(value - best_value)
            near = ~better & (gap <= TOL) & ~(o.all_reject & best_is_sq)
            certified &= ~near
            best_value = np.where(better, value, best_value)
            best_index = np.where(better, i, best_index)
            best_is_sq = np.where(better, False, best_is_sq)
        columns[rule] = names[best_index + 1]
    columns["exact_offers"] = np.zeros(n, dtype=np.int64)
    return FastChunk(certified=certified, columns=columns, offers=tuple(offers))


def confirm_ties(offer: FastOffer, variant: Callable[[int], Scenario]) -> FastOffer:
    """``offer`` with its values certified in the variants where a pending tie
    (:class:`~callbluff.solve.vectorised.outcomes.PendingTie`) holds exactly on the
    variant's own numbers (``variant(row)``: that row's scenario)."""
    tie = offer.tie
    if tie is None:
        return offer
    rows = [int(i) for i in np.flatnonzero(tie.pending & ~offer.certified)]
    exact = [i for i in rows if tie_is_exact(variant(i), offer.offer_id, tie, i)]
    if not exact:
        return offer
    certified = offer.certified.copy()
    certified[exact] = True
    return replace(offer, certified=certified)


def repeated_offers(scenario: Scenario) -> set[int]:
    """Indices of offers whose game is the same as an earlier offer's (same package,
    regime and counter-demands): their values are equal exactly."""
    seen: set[tuple[object, ...]] = set()
    out: set[int] = set()
    for i, o in enumerate(scenario.offers):
        key = (frozenset(o.concessions), o.regime,
               tuple(bargain.offer_counter_demands(scenario, o.id)))
        if key in seen:
            out.add(i)
        seen.add(key)
    return out


def detection_thresholds(
    scenario: Scenario, params: Params,
    exact_point: Callable[[int, Fraction], bool] | None = None,
) -> tuple[list[Fraction | None], BoolArray]:
    """:func:`callbluff.analysis.verdict.detection_threshold` of the main offer for
    every variant, where every evaluation it needs is certified.

    The reference search of :mod:`callbluff.analysis.thresholds`: "does an ulterior
    type accept and cheat?" at d = 1, on the grid i/16, then bisection of the last
    change down to ``RESOLUTION`` (10⁻¹⁰), and the simplest rational of the final
    bracket (Stern–Brocot).  Every point is dyadic, exact in float64, so each answer
    is the exact one at that point.  The analysis narrows its bracket from the
    game's breakpoints instead, so the two brackets differ: both thresholds are the
    breakpoint itself when its denominator is below 10⁵, and within 10⁻¹⁰ of it
    otherwise (``tests/test_sweep_fast.py`` holds them to that).
    ``None``: cheating even at d = 1.

    ``exact_point(row, d)`` answers the question exactly where the fast path cannot
    certify a point; without it such variants come back not ``certified``."""
    main = main_offer_id(scenario)
    key: Key = ("regime", scenario.offer(main).regime, "detection")
    n = params.n

    def cheats(rows: np.ndarray[Any, np.dtype[np.int64]], d: FloatArray) -> tuple[
            BoolArray, BoolArray]:
        fo = evaluate_offer(scenario, params.take(rows, {key: d}), main)
        verdict = np.asarray(fo.cheaters > 0)
        ok = np.asarray(fo.full)
        if exact_point is not None:
            for j in np.flatnonzero(~ok):
                verdict[j] = exact_point(int(rows[j]), Fraction(float(d[j])))
            ok = np.ones_like(ok)
        return verdict, ok

    rows = np.arange(n)
    at_one, certified = cheats(rows, np.ones(n))
    grid = 16
    g_rows = np.repeat(rows, grid + 1)
    g_d = np.tile(np.arange(grid + 1) / grid, n)
    g_v, g_ok = cheats(g_rows, g_d)
    g_v = g_v.reshape(n, grid + 1)
    certified = certified & g_ok.reshape(n, grid + 1).all(axis=1)
    change = g_v[:, 1:] != g_v[:, :-1]
    has_flip = change.any(axis=1)
    last = grid - 1 - np.argmax(change[:, ::-1], axis=1)
    lo = last / grid
    hi = (last + 1) / grid
    left = g_v[rows, last]
    todo = np.flatnonzero(has_flip & ~at_one)
    width = Fraction(1, grid)
    while width > RESOLUTION:
        width /= 2
        mid = (lo[todo] + hi[todo]) / 2
        v, ok = cheats(todo, mid)
        certified[todo] &= ok
        same = v == left[todo]
        lo[todo] = np.where(same, mid, lo[todo])
        hi[todo] = np.where(same, hi[todo], mid)
    out: list[Fraction | None] = []
    for i in range(n):
        if at_one[i]:
            out.append(None)
        elif not has_flip[i]:
            out.append(Fraction(0))
        else:
            out.append(simplest_between(Fraction(float(lo[i])), Fraction(float(hi[i]))))
    return out, certified


def supported(scenario: Scenario, spec: SweepSpec) -> bool:
    """Whether every uncertain input is a number the fast path models."""
    try:
        for item in spec.inputs:
            canonical_key(scenario, item.path)
    except Unsupported:
        return False
    return True


__all__ = [
    "TOL",
    "FastChunk",
    "Unsupported",
    "canonical_key",
    "detection_thresholds",
    "evaluate",
    "offer_figures",
    "repeated_offers",
    "supported",
    "sweep_params",
]
