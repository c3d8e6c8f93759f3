"""The verdict quantities of one variant, as one row of a sweep's table.

For every variant the sweep records, per offer, the proposer's value in the
proposer-worst and proposer-best equilibrium, and for the main offer (``all-in``):
whether it separates the security-only types from the rest in every equilibrium
(and in some), how many equilibrium outcomes there are, how many ulterior types
accept and cheat, and the posterior mass on security-only types after a
rejection (proposer-worst equilibrium).  The best offer under each selection rule
is :func:`callbluff.analysis.verdict.best_offers`' choice.

Two engines produce the same :class:`OfferFigures`: the exact solver
(:func:`summarise_exact`, via :func:`callbluff.analysis.verdict.analyze_offer`) and
the vectorised solver (:mod:`callbluff.solve.vectorised`, through
:mod:`callbluff.sweep.fast`), which hands every variant it cannot certify back to
:func:`summarise_exact`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from callbluff.analysis.reading import EquilibriumReading
from callbluff.analysis.verdict import (
    NO_OFFER,
    OfferAnalysis,
    analyze_offer,
    best_offers,
    main_offer_id,
    status_quo,
)
from callbluff.game import bargain
from callbluff.scenario.schema import Scenario


@dataclass(frozen=True)
class OfferFigures:
    """What the sweep keeps of all equilibrium outcomes of one offer of one variant."""

    offer_id: str
    value_worst: float  # the proposer's value in the proposer-worst outcome
    value_best: float
    equilibria: int  # number of outcomes
    separates_all: bool  # separates in every outcome
    separates_any: bool
    cheaters: int  # ulterior types that accept and cheat in some outcome
    security_posterior_after_reject: float  # proposer-worst outcome; NaN off the path
    engine: str  # "exact" or "fast"


def _security_mass(scenario: Scenario, reading: EquilibriumReading) -> float:
    post = reading.posteriors.get(bargain.REJECT)
    if post is None:
        return math.nan
    return float(sum((post[t.id] for t in scenario.types if t.security_only), Fraction(0)))


def summarise_analysis(scenario: Scenario, analysis: OfferAnalysis) -> OfferFigures:
    eqs = analysis.equilibria
    worst = min(eqs, key=lambda e: e.proposer_value)  # the first of equal ones, as the verdict
    return OfferFigures(
        offer_id=analysis.offer_id,
        value_worst=float(worst.proposer_value),
        value_best=float(max(e.proposer_value for e in eqs)),
        equilibria=len(eqs),
        separates_all=all(e.separates for e in eqs),
        separates_any=any(e.separates for e in eqs),
        cheaters=len(analysis.cheaters(scenario)),
        security_posterior_after_reject=_security_mass(scenario, worst),
        engine="exact",
    )


def summarise_exact(scenario: Scenario, offer_id: str) -> OfferFigures:
    """The exact solver's answer for one offer of one variant."""
    return summarise_analysis(scenario, analyze_offer(scenario, offer_id))


def output_columns(scenario: Scenario) -> list[str]:
    """Names of the output columns, in order."""
    cols = ["separates", "separates_sometimes", "equilibria", "cheaters",
            "security_posterior_after_reject", "best_offer", "best_offer_optimistic",
            "value:status-quo"]
    for o in scenario.offers:
        cols += [f"value:{o.id}", f"value_best:{o.id}"]
    cols += ["exact_offers"]
    return cols


def variant_row(
    scenario: Scenario, offers: Sequence[OfferFigures], status_quo_value: float | None = None
) -> dict[str, object]:
    """One table row from the summaries of every offer of a variant (``scenario`` is
    the variant).  Best offer: the largest value, ties to no offer then scenario
    order, as :func:`callbluff.analysis.verdict.best_offers` (exactly so when the
    values are the exact solver's; the fast path's values are exact up to float
    rounding, and it certifies only margins far above it)."""
    main_id = main_offer_id(scenario)
    by_id = {o.offer_id: o for o in offers}
    main = by_id[main_id]
    sq = float(status_quo(scenario)[0]) if status_quo_value is None else status_quo_value
    row: dict[str, object] = {
        "separates": main.separates_all,
        "separates_sometimes": main.separates_any,
        "equilibria": main.equilibria,
        "cheaters": main.cheaters,
        "security_posterior_after_reject": main.security_posterior_after_reject,
    }
    for rule, key in (("best_offer", "value_worst"), ("best_offer_optimistic", "value_best")):
        best_id, best_value = NO_OFFER, sq
        for o in scenario.offers:
            value = getattr(by_id[o.id], key)
            if value > best_value:
                best_id, best_value = o.id, value
        row[rule] = best_id
    row["value:status-quo"] = sq
    for o in scenario.offers:
        row[f"value:{o.id}"] = by_id[o.id].value_worst
        row[f"value_best:{o.id}"] = by_id[o.id].value_best
    row["exact_offers"] = sum(1 for o in offers if o.engine == "exact")
    return row


def evaluate_exact(scenario: Scenario) -> dict[str, object]:
    """The row of one variant, every offer solved exactly; the best offers are
    chosen in exact arithmetic (:func:`callbluff.analysis.verdict.best_offers`)."""
    analyses = [analyze_offer(scenario, o.id) for o in scenario.offers]
    row = variant_row(scenario, [summarise_analysis(scenario, a) for a in analyses])
    best = best_offers(scenario, analyses)
    row["best_offer"] = best["proposer-worst"]
    row["best_offer_optimistic"] = best["proposer-best"]
    return row


def near_tie(values: Sequence[float], tol: float) -> bool:
    """Whether the largest of ``values`` is within ``tol`` of another: only then
    could the largest one (the best offer) found in floats differ from the exact
    one; ties further down change no choice."""
    ordered = sorted(values, reverse=True)
    return len(ordered) > 1 and ordered[0] - ordered[1] <= tol


__all__ = [
    "OfferFigures",
    "evaluate_exact",
    "near_tie",
    "output_columns",
    "summarise_analysis",
    "summarise_exact",
    "variant_row",
]

