"""The JSON form of a scenario analysis: the contract of ``callbluff analyze --json``,
shared by the report, the web API and the run store.

Probabilities and payoffs are floats for reading; the decisive numbers also come
exact as ``"p/q"`` strings under ``*_exact`` keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from callbluff.analysis.article import ArticleTest
from callbluff.analysis.reading import EquilibriumReading
from callbluff.analysis.summary import summary
from callbluff.analysis.talks import PolicyResult, TalksAnalysis
from callbluff.analysis.verdict import OfferAnalysis, ScenarioAnalysis


def exact(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def _floats(mapping: Mapping[str, Fraction]) -> dict[str, float]:
    return {k: float(v) for k, v in mapping.items()}


def equilibrium_json(e: EquilibriumReading) -> dict[str, Any]:
    p = e.proposer_strategy
    return {
        "target_strategy": {t: _floats(s.as_dict()) for t, s in e.target_strategy.items()},
        "counter_demands": {t: _floats(s.counter_by_demand) for t, s in e.target_strategy.items()},
        "proposer_strategy": {
            "after_reject": _floats(p.after_reject),
            "after_detected_cheating": _floats(p.after_detected_cheating),
            "after_counter": {x: _floats(v) for x, v in p.after_counter.items()},
            "after_detected_cheating_on_grant": {
                x: _floats(v) for x, v in p.after_detected_cheating_on_grant.items()},
            "after_breakdown": {x: _floats(v) for x, v in p.after_breakdown.items()},
        },
        "accept_after_standing_firm": {t: _floats(s.accept_after_firm)
                                       for t, s in e.target_strategy.items()},
        "answer_probability": _floats(e.answer_probability),
        "posteriors": {a: (None if post is None else _floats(post))
                       for a, post in e.posteriors.items()},
        "payoffs": {"proposer": float(e.proposer_value), "target": _floats(e.target_values),
                    "stakeholders": _floats(e.stakeholder_values)},
        "payoffs_exact": {"proposer": exact(e.proposer_value),
                          "target": {t: exact(v) for t, v in e.target_values.items()}},
        "outcome_probability": _floats(e.outcome_probability),
        "separates": e.separates,
        "diagnosticity_bits": e.diagnosticity_bits,
        "misread_probability": float(e.misread_probability),
        "classification": e.classification,
        "intuitive_criterion": e.intuitive_criterion,
        "d1": e.d1,
        "refinements": None if e.equilibrium.refinement is None
        else e.equilibrium.refinement.to_json(),
        "max_regret": float(e.equilibrium.max_regret),
    }


def offer_json(o: OfferAnalysis, analysis: ScenarioAnalysis) -> dict[str, Any]:
    t = analysis.thresholds if o.offer_id == analysis.main_offer else None
    thresholds: dict[str, Any] | None = None
    if t is not None:
        thresholds = {
            "detection": None if t.detection is None else float(t.detection),
            "detection_exact": None if t.detection is None else exact(t.detection),
            "max_package_cost": None if t.max_package_cost is None else float(t.max_package_cost),
            "package_cost_now": float(t.package_cost_now),
            "security_prior_ranges": [[float(a), float(b)] for a, b in t.security_prior_ranges],
            "custom": {path: [{"at": float(f.at), "at_exact": exact(f.at),
                               "left": _plain(f.left), "right": _plain(f.right)}
                              for f in flips]
                       for path, flips in t.custom.items()},
            "readings": [t.detection_reading, t.package_cost_reading, t.security_prior_reading],
        }
    return {
        "id": o.offer_id,
        "label": o.label,
        "regime": o.regime,
        "method": o.method,
        "complete": o.complete,
        "incomplete_reasons": list(o.incomplete_reasons),
        "game_sizes": o.game.sizes(),
        "equilibria": [equilibrium_json(e) for e in o.equilibria],
        "equilibria_disagree": o.equilibria_disagree,
        "proposer_best": o.equilibria.index(o.proposer_best),
        "proposer_worst": o.equilibria.index(o.proposer_worst),
        "separates": o.separates_always,
        "separates_in_some_equilibrium": o.separates_sometimes,
        "diagnosticity_bits": min(e.diagnosticity_bits for e in o.equilibria),
        "misread_probability": float(max(e.misread_probability for e in o.equilibria)),
        "thresholds": thresholds,
    }


def _plain(value: object) -> object:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def analysis_json(a: ScenarioAnalysis) -> dict[str, Any]:
    s = a.scenario
    package = a.cheapest_package
    return {
        "scenario": {"id": s.id, "title": s.title, "types": s.type_ids(),
                     "security_only_types": [t.id for t in s.types if t.security_only],
                     "offers": [o.id for o in s.offers]},
        "main_offer": a.main_offer,
        "offers": [offer_json(o, a) for o in a.offers],
        "status_quo": {"proposer_value": float(a.status_quo_value),
                       "fallback": a.status_quo_fallback},
        "best_offer": dict(a.best_offer),
        "cheapest_package": None if package is None else {
            "concessions": list(package.concessions), "regime": package.regime,
            "cost": float(package.cost), "cost_exact": exact(package.cost),
            "method": package.method, "optimal": package.optimal,
        },
        "article_test": None if a.article is None else article_json(a.article),
        "talks": None if a.talks is None else talks_json(a.talks),
        "summary": summary_json(a),
        "verdict": list(a.verdict),
    }


def _policy_json(p: PolicyResult) -> dict[str, Any]:
    return {
        "family": p.family, "offers": list(p.offers),
        "proposer_worst": _maybe(p.proposer_worst), "proposer_best": _maybe(p.proposer_best),
        "equilibria": p.equilibria, "rounds_without_pure_answers": p.no_pure_answers,
        "path": [{"round": r.round, "offer": r.offer, "posterior": _floats(r.posterior),
                  "security_probability": float(r.security_probability),
                  "unknown_bits": r.unknown_bits, "accepting": _floats(r.accepting),
                  "settling": list(r.settling),
                  "cheating": list(r.cheating), "arsenal": float(r.arsenal),
                  "stock": float(r.stock)} for r in p.path],
        "settles": dict(p.settles),
        "settle_probability": _floats(p.settle_probability),
        "final_belief": _floats(p.final_belief),
        "final_security_probability": float(p.final_security_probability),
        "final_unknown_bits": p.final_unknown_bits,
    }


def talks_json(t: TalksAnalysis) -> dict[str, Any]:
    """The talks game (docs/model.md, "Talks that teach"): every policy, the best,
    the value of acting now and the unrestricted game; values as ``_maybe``."""
    return {
        "horizon": t.horizon, "main_offer": t.main_offer, "saturation": _maybe(t.saturation),
        "policies": [_policy_json(p) for p in t.policies],
        "best": None if t.best is None else _policy_json(t.best),
        "best_by_family": {f: _policy_json(p) for f, p in t.best_by_family.items()},
        "value_of_acting_now": _maybe(t.value_of_acting_now),
        "unrestricted": _policy_json(t.unrestricted),
        "prior_unknown_bits": t.prior_unknown_bits,
    }


def summary_json(a: ScenarioAnalysis) -> dict[str, Any]:
    """The one-screen summary (:mod:`callbluff.analysis.summary`), sentence by part."""
    brief = summary(a)
    return {"question": brief.question, "answer": brief.answer,
            "numbers": list(brief.numbers), "action": brief.action}


def _maybe(x: Fraction | None) -> dict[str, Any] | None:
    return None if x is None else {"value": float(x), "exact": exact(x)}


def _spans(parts: tuple[tuple[Fraction, Fraction], ...] | None) -> list[list[str]] | None:
    return None if parts is None else [[exact(lo), exact(hi)] for lo, hi in parts]


def article_json(t: ArticleTest) -> dict[str, Any]:
    """The article's test (docs/model.md): posteriors per equilibrium, "indisputable",
    ranges where it holds (exact "p/q" ends), margins, π*, credibility, finality."""
    return {
        "offer": t.offer_id,
        "indisputable": t.indisputable,
        "security_refusals": _floats(t.security_refusals),
        "posteriors": [{
            "security_given_accept": _maybe(p.security_given_accept),
            "ulterior_given_counter_demand": _maybe(p.ulterior_given_counter),
            "ulterior_given_balk": _maybe(p.ulterior_given_balk),
            "ulterior_given_reject": _maybe(p.ulterior_given_reject),
        } for p in t.posteriors],
        "holds_for": {"detection": _spans(t.holds_for_detection),
                      "breakdown_risk": _spans(t.holds_for_breakdown_risk),
                      "renege_risk": _spans(t.holds_for_renege_risk)},
        "margins": [{"type": m.type_id, "chosen": m.chosen, "runner_up": m.runner_up,
                     "points": float(m.points), "points_exact": exact(m.points)}
                    for m in t.margins],
        "breakdown": None if t.breakdown is None else {
            "breakdown_risk": exact(t.breakdown.breakdown_risk),
            "pi_star": {θ: {x: None if v is None else exact(v) for x, v in by_x.items()}
                        for θ, by_x in t.breakdown.pi_star.items()},
            "demands_more_reveals": _spans(t.breakdown.demands_more_reveals),
        },
        "credibility": None if t.credibility is None else {
            "renege_risk": exact(t.credibility.renege_risk),
            "threshold": _maybe(t.credibility.threshold),
            "band": None if t.credibility.band is None else [
                exact(t.credibility.band[0]), exact(t.credibility.band[1])],
            "closed_form": {f: None if v is None else exact(v)
                            for f, v in t.credibility.closed_form.items()},
        },
        "finality_credible": None if t.finality_credible is None else dict(t.finality_credible),
    }
