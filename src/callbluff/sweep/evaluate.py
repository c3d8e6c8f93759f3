"""The verdict quantities of one variant, as one row of a sweep's table.

For every variant the sweep records, per offer, the proposer's value in the
proposer-worst and proposer-best equilibrium, and for the main offer (``all-in``):
whether it separates the security-only types from the rest in every equilibrium
(and in some), how many equilibrium outcomes there are, how many ulterior types
accept and cheat, and the posterior mass on security-only types after a
rejection (proposer-worst equilibrium).  The best offer under each selection rule
is :func:`callbluff.analysis.verdict.best_offers`' choice.

Two engines produce the same :class:`OfferSummary`: the exact solver
(:func:`summarise_exact`, via :func:`callbluff.analysis.verdict.analyze_offer`) and
the vectorised fast path (:mod:`callbluff.sweep.fast`), which hands every variant
it cannot certify back to :func:`summarise_exact`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
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

#: A type's answer as (accept & comply, accept & cheat, counter, reject).
Answer = tuple[float, float, float, float]


@dataclass(frozen=True)
class EquilibriumSummary:
    """What the sweep keeps of one equilibrium outcome (floats)."""

    answers: Mapping[str, Answer]  # type id -> answer distribution
    proposer_value: float
    separates: bool
    security_posterior_after_reject: float  # NaN when reject is off the path


@dataclass(frozen=True)
class OfferSummary:
    """All equilibrium outcomes of one offer of one variant, summarised."""

    offer_id: str
    equilibria: tuple[EquilibriumSummary, ...]
    cheaters: int
    engine: str  # "exact" or "fast"

    @property
    def worst(self) -> EquilibriumSummary:
        return min(self.equilibria, key=lambda e: e.proposer_value)

    @property
    def best(self) -> EquilibriumSummary:
        return max(self.equilibria, key=lambda e: e.proposer_value)


def _security_mass(scenario: Scenario, reading: EquilibriumReading) -> float:
    post = reading.posteriors.get(bargain.REJECT)
    if post is None:
        return math.nan
    return float(sum((post[t.id] for t in scenario.types if t.security_only), Fraction(0)))


def summarise_analysis(scenario: Scenario, analysis: OfferAnalysis) -> OfferSummary:
    eqs = tuple(
        EquilibriumSummary(
            answers={t: (float(s.accept_comply), float(s.accept_cheat), float(s.counter),
                         float(s.reject)) for t, s in e.target_strategy.items()},
            proposer_value=float(e.proposer_value),
            separates=e.separates,
            security_posterior_after_reject=_security_mass(scenario, e),
        )
        for e in analysis.equilibria
    )
    return OfferSummary(offer_id=analysis.offer_id, equilibria=eqs,
                        cheaters=len(analysis.cheaters(scenario)), engine="exact")


def summarise_exact(scenario: Scenario, offer_id: str) -> OfferSummary:
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
    scenario: Scenario, offers: Sequence[OfferSummary], status_quo_value: float | None = None
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
        "separates": all(e.separates for e in main.equilibria),
        "separates_sometimes": any(e.separates for e in main.equilibria),
        "equilibria": len(main.equilibria),
        "cheaters": main.cheaters,
        "security_posterior_after_reject": main.worst.security_posterior_after_reject,
    }
    for rule, key in (("best_offer", "worst"), ("best_offer_optimistic", "best")):
        best_id, best_value = NO_OFFER, sq
        for o in scenario.offers:
            value = getattr(by_id[o.id], key).proposer_value
            if value > best_value:
                best_id, best_value = o.id, value
        row[rule] = best_id
    row["value:status-quo"] = sq
    for o in scenario.offers:
        row[f"value:{o.id}"] = by_id[o.id].worst.proposer_value
        row[f"value_best:{o.id}"] = by_id[o.id].best.proposer_value
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
    """Whether two of ``values`` are within ``tol`` (a float comparison could then
    disagree with the exact one)."""
    ordered = sorted(values)
    return any(b - a <= tol for a, b in itertools.pairwise(ordered))


__all__ = [
    "EquilibriumSummary",
    "OfferSummary",
    "evaluate_exact",
    "near_tie",
    "output_columns",
    "summarise_analysis",
    "summarise_exact",
    "variant_row",
]

