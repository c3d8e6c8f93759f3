"""The fast path against the exact solver, variant by variant.

Independent truth: :func:`callbluff.analysis.verdict.analyze_offer` (exact PBE
enumeration) on the same variant, built with the exact ``with_number`` /
``Fraction`` path.  Where the fast path certifies an offer of a variant, the exact
solver must report the same proposer-worst and proposer-best values (to 1e-9),
and where it certifies every figure also the same number of outcomes, separation
in every and in some outcome, cheaters and posterior after a rejection.  Rows with
several outcomes are
checked first.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from callbluff.analysis.thresholds import with_number
from callbluff.scenario.loader import load_scenario
from callbluff.scenario.schema import Scenario
from callbluff.scenario.uncertainty import PriorDistribution, UncertainInput
from callbluff.solve.vectorised import enumeration, evaluate_offer, payoffs
from callbluff.sweep import fast
from callbluff.sweep.evaluate import summarise_exact
from callbluff.sweep.spec import SweepSpec, apply_row, build_spec, draw_chunk

INPUTS = [
    {"path": "regimes[rigorous].detection",
     "distribution": {"kind": "uniform", "low": 0.3, "high": 1.0}},
    {"path": "regimes[light].detection",
     "distribution": {"kind": "triangular", "low": 0.05, "mode": 0.3, "high": 0.7}},
    {"path": "cheating.penalty", "distribution": {"kind": "uniform", "low": 0, "high": 30}},
    {"path": "cheating.covert_fraction",
     "distribution": {"kind": "beta", "alpha": 2, "beta": 4}},
    {"path": "types[mixed].inspection_sensitivity",
     "distribution": {"kind": "truncnormal", "mean": 1.5, "sd": 0.7, "low": 0, "high": 4}},
    {"path": "concessions[end-sanctions].cost",
     "distribution": {"kind": "choice", "values": [2, 5, 10]}},
]


def small(counters: int = 0) -> Scenario:
    """The default scenario with its first ``counters`` counter-demands (the exact
    solver is fast enough on these for a test)."""
    s = load_scenario("north-korea-2009")
    kept = s.counter_demands[:counters]
    offers = [o if o.counter_demands is None else o.model_copy(update={
        "counter_demands": [x for x in o.counter_demands if x in {c.id for c in kept}]})
        for o in s.offers]
    return s.model_copy(update={"counter_demands": kept, "offers": offers,
                                "uncertainty": [], "prior_distribution": None})


def spec_for(s: Scenario) -> SweepSpec:
    extra = [UncertainInput.model_validate(x) for x in INPUTS]
    prior = PriorDistribution.model_validate(
        {"kind": "dirichlet", "concentration": {t.id: 4 for t in s.types}})
    return build_spec(s, extra, prior)


def test_params_equal_the_exact_variant() -> None:
    """The fast path's numbers are the floats of the exact variant's numbers."""
    s = small()
    spec = spec_for(s)
    inputs = draw_chunk(spec, 11, 0, 5)
    params = fast.sweep_params(s, spec, inputs, 5)
    for i in range(5):
        v = apply_row(s, spec, {c: x[i] for c, x in inputs.items()})
        for t in v.types:
            assert params.get(("prior", t.id))[i] == pytest.approx(float(t.prior), abs=1e-15)
        assert params.get(("regime", "rigorous", "detection"))[i] == float(
            v.regime("rigorous").detection)
        assert params.get(("cost", "end-sanctions"))[i] == float(
            v.concession("end-sanctions").cost)


def test_params_move_priors_as_with_number() -> None:
    """A single type's prior as an input: the others keep their proportions."""
    s = small()
    spec = build_spec(s, [UncertainInput.model_validate(
        {"path": "types[mixed].prior", "distribution": {"kind": "uniform", "low": 0,
                                                         "high": 0.9}})])
    inputs = draw_chunk(spec, 4, 0, 6)
    params = fast.sweep_params(s, spec, inputs, 6)
    for i in range(6):
        v = apply_row(s, spec, {c: x[i] for c, x in inputs.items()})
        for t in v.types:
            assert params.get(("prior", t.id))[i] == pytest.approx(float(t.prior), abs=1e-15)


def _agree(s: Scenario, seed: int, n: int, per_offer: int,
           spec: SweepSpec | None = None) -> tuple[int, int]:
    """Compare certified offers with the exact solver (rows with the most outcomes
    first; ``spec`` defaults to :func:`spec_for`); returns (offers checked, of which
    with several outcomes)."""
    spec = spec or spec_for(s)
    inputs = draw_chunk(spec, seed, 0, n)
    params = fast.sweep_params(s, spec, inputs, n)
    status_quo = payoffs.status_quo_values(s, params)
    checked = several = 0
    for o in s.offers:
        fo = evaluate_offer(s, params, o.id)
        rows = sorted(np.flatnonzero(fo.certified), key=lambda i: -int(fo.equilibria[i]))
        for i in rows[:per_offer]:
            variant = apply_row(s, spec, {c: x[i] for c, x in inputs.items()})
            exact = summarise_exact(variant, o.id)
            got = fast.offer_figures(fo, int(i), float(status_quo[i]))
            assert abs(exact.value_worst - got.value_worst) <= 1e-9, (o.id, i, exact, got)
            assert abs(exact.value_best - got.value_best) <= 1e-9, (o.id, i, exact, got)
            if fo.full[i]:
                assert (exact.equilibria, exact.separates_all, exact.separates_any,
                        exact.cheaters) == (got.equilibria, got.separates_all,
                                            got.separates_any, got.cheaters), (o.id, i)
                post, fast_post = (exact.security_posterior_after_reject,
                                   got.security_posterior_after_reject)
                assert (np.isnan(post) and np.isnan(fast_post)) or abs(
                    post - fast_post) <= 1e-9, (o.id, i)
                several += exact.equilibria > 1
            checked += 1
    return checked, several


def test_fast_path_agrees_with_exact_solver_without_counters() -> None:
    """Final offers: every outcome, mixed and multiple ones included."""
    checked, several = _agree(small(0), seed=5, n=300, per_offer=6)
    assert checked == 30 and several >= 10


def test_outcome_sets_equal_the_exact_solvers() -> None:
    """Final offers: the enumerated outcomes themselves — every type's probabilities
    of accept & comply, accept & cheat and reject — equal the exact solver's
    outcomes one for one (to 1e-9), on the variants with the most outcomes."""
    from callbluff.analysis.offers import analyze_offer

    s = small(0)
    spec = spec_for(s)
    n = 300
    inputs = draw_chunk(spec, 13, 0, n)
    params = fast.sweep_params(s, spec, inputs, n)
    compared = several = 0
    for o in s.offers:
        game = enumeration.final_offer_game(payoffs.offer_payoffs(s, params, o.id))
        found = enumeration.enumerate_outcomes(game, fast.TOL, keep_outcomes=True)
        assert found.outcomes is not None
        rows = sorted(np.flatnonzero(found.certified), key=lambda i: -int(found.equilibria[i]))
        for i in rows[:4]:
            variant = apply_row(s, spec, {c: x[i] for c, x in inputs.items()})
            exact = sorted(
                tuple(float(p) for t in s.types for p in (
                    e.target_strategy[t.id].accept_comply, e.target_strategy[t.id].accept_cheat,
                    e.target_strategy[t.id].reject))
                for e in analyze_offer(variant, o.id).equilibria)
            ours = sorted(tuple(float(p) for p in b.ravel()) for b in found.outcomes[i])
            assert len(ours) == len(exact), (o.id, i, ours, exact)
            for a in ours:  # one for one
                match = [b for b in exact if np.allclose(a, b, atol=1e-9, rtol=0)]
                assert match, (o.id, i, a, exact)
                exact.remove(match[0])
            compared += 1
            several += len(ours) > 1
    assert compared == 20 and several >= 10


def test_exactly_cancelling_weights_are_routed() -> None:
    """On the scenario's own (round) numbers the proposer's prior-weighted preferences
    for sanctions over containment cancel between two types (coercion 0.15·(−6 + 8)
    and mixed 0.3·(−8 + 7)), so a posterior made of those two would leave the proposer
    indifferent at every mixture: the enumeration cannot rule out a continuum and
    routes the offer; the exact solver answers (two outcomes, one semi-separating).
    The guarantees are taken to hold (renege risk 0), as when these numbers were set."""
    s = with_number(small(0), "bargaining.renege_risk", Fraction(0))
    spec = build_spec(s, [UncertainInput.model_validate(
        {"path": "cheating.penalty", "distribution": {"kind": "choice", "values": [10]}})])
    inputs = draw_chunk(spec, 0, 0, 1)
    fo = evaluate_offer(s, fast.sweep_params(s, spec, inputs, 1), "all-in-light-inspections")
    prior = {t.id: t.prior for t in s.types}
    fallback = {f.id: f.proposer for f in s.fallbacks}
    lean = {t: prior[t] * (fallback["coercive-sanctions-with-china"][t]
                           - fallback["containment"][t]) for t in ("coercion", "mixed")}
    assert sum(lean.values()) == 0
    assert not fo.full[0] and not fo.certified[0]
    exact = summarise_exact(apply_row(s, spec, {c: x[0] for c, x in inputs.items()}),
                            "all-in-light-inspections")
    assert exact.equilibria == 2


@pytest.mark.parametrize("offer", ["all-in", "all-in-light-inspections"])
def test_cancelling_weights_that_never_reject_alone_are_certified(offer: str) -> None:
    """The same cancelling pair on the default's own numbers, where it cannot be the
    only pair to reject.  Under the all-in offer prestige rejects at every mixture (52
    or 42 against 32.5 for complying) and so does proliferation revenue (32 or 17
    against -0.5).  Under light inspections the security-only type cheats whatever
    happens (53.35 or 50.35 against 44 for complying and at most 22 for rejecting),
    so cheating is detected with positive probability, and the cheaters lean to
    containment even at their most (security-only -3, plus at most revenue's +1.1),
    so y = 0; then mixed, to reject, would need 44 - 12x >= 46.15 (cheating at y = 0):
    never.  Each offer is certified, every figure, and the exact solver on the same
    variant reports the same figures (the priors are the file's: nothing drawn)."""
    s = load_scenario("north-korea-2009").model_copy(
        update={"uncertainty": [], "prior_distribution": None})
    spec = build_spec(s, [UncertainInput.model_validate(
        {"path": "cheating.penalty", "distribution": {"kind": "choice", "values": [10]}})])
    inputs = draw_chunk(spec, 0, 0, 1)
    params = fast.sweep_params(s, spec, inputs, 1)
    # the enumeration itself (the dominance certificate may answer these too)
    got = enumeration.enumerate_outcomes(
        enumeration.final_offer_game(payoffs.offer_payoffs(s, params, offer)), fast.TOL)
    assert got.certified[0]
    exact = summarise_exact(apply_row(s, spec, {c: x[0] for c, x in inputs.items()}), offer)
    assert (exact.equilibria, exact.separates_all, exact.separates_any, exact.cheaters) == (
        got.equilibria[0], got.separates_all[0], got.separates_any[0], got.cheaters[0])
    assert abs(exact.value_worst - got.value_worst[0]) <= 1e-9
    post, fast_post = (exact.security_posterior_after_reject,
                       got.security_posterior_after_reject[0])
    assert (np.isnan(post) and np.isnan(fast_post)) or abs(post - fast_post) <= 1e-9


def test_fast_path_agrees_with_exact_solver_where_weights_cancel() -> None:
    """The scenario's own priors (coercion and mixed cancel in every variant) and the
    other inputs drawn: every offer certified is checked against the exact solver."""
    s = small(0)
    spec = build_spec(s, [UncertainInput.model_validate(x) for x in INPUTS])
    checked, several = _agree(s, seed=21, n=200, per_offer=4, spec=spec)
    assert checked == 20 and several >= 8


def test_fast_path_agrees_with_exact_solver_on_the_default_scenario() -> None:
    """With the negotiable offer: its values (a continuum of outcomes, one value)."""
    checked, _ = _agree(load_scenario("north-korea-2009"), seed=8, n=80, per_offer=3)
    assert checked == 15


def with_counters(counters: list[str]) -> Scenario:
    """The default scenario with every offer entertaining ``counters``."""
    s = load_scenario("north-korea-2009")
    offers = [o.model_copy(update={"counter_demands": counters}) for o in s.offers]
    return s.model_copy(update={"offers": offers})


def test_fast_path_agrees_with_exact_solver_with_a_counter_demand() -> None:
    checked, _ = _agree(with_counters(["light-water-reactors"]), seed=6, n=60, per_offer=2)
    assert checked >= 6


def test_reject_and_walk_ties_certify_values_only() -> None:
    """A counter-demand the proposer never grants (withdrawal of US forces, cost 200)
    makes 'counter then walk away' pay exactly as 'reject': the no-deal types are
    indifferent and the exact solver reports several outcomes, all of one value.  The
    fast path certifies the values, never the outcomes (the main offer then goes to
    the exact solver)."""
    s = with_counters(["us-forces-withdrawal"])
    spec = spec_for(s)
    inputs = draw_chunk(spec, 2, 0, 200)
    params = fast.sweep_params(s, spec, inputs, 200)
    fo = evaluate_offer(s, params, "all-in")
    assert not fo.full.any()
    assert fo.certified.mean() > 0.5
    i = int(np.flatnonzero(fo.certified)[0])
    exact = summarise_exact(apply_row(s, spec, {c: x[i] for c, x in inputs.items()}), "all-in")
    assert exact.equilibria > 1
    assert abs(exact.value_worst - fo.value_worst[i]) <= 1e-9
    assert abs(exact.value_best - fo.value_best[i]) <= 1e-9
    chunk = fast.evaluate(s, spec, inputs, 200)
    assert not chunk.certified.any()


def test_exact_fraction_of_a_draw() -> None:
    assert Fraction(0.1) != Fraction(1, 10)  # the float, not the decimal
    s = small()
    spec = spec_for(s)
    inputs = draw_chunk(spec, 1, 0, 1)
    v = apply_row(s, spec, {c: x[0] for c, x in inputs.items()})
    assert v.regime("rigorous").detection == Fraction(
        float(inputs["in:regimes[rigorous].detection"][0]))
    assert sum((t.prior for t in v.types), Fraction(0)) == 1


def test_detection_thresholds_equal_the_exact_search() -> None:
    """The kernel's thresholds against :func:`callbluff.analysis.verdict.detection_threshold`,
    which locates the exact breakpoint: the kernel bisects to ``RESOLUTION``, so its
    value lies within that of the exact one, and is the same rational where that has
    a denominator below 10^5 (two such rationals are more than 10^-10 apart), both
    where every point is certified and where some points are answered exactly."""
    from callbluff.analysis.thresholds import RESOLUTION
    from callbluff.analysis.verdict import detection_threshold
    from callbluff.sweep.run import detection_threshold_column

    s = small(0)
    spec = spec_for(s)
    n = 40
    inputs = draw_chunk(spec, 21, 0, n)
    found, certified = fast.detection_thresholds(s, fast.sweep_params(s, spec, inputs, n))
    assert not certified.all()
    for i in np.flatnonzero(certified)[:3]:
        variant = apply_row(s, spec, {c: x[i] for c, x in inputs.items()})
        exact_threshold = detection_threshold(variant, "all-in")[0]
        assert (found[i] is None) == (exact_threshold is None)
        if exact_threshold is not None:
            assert found[i] is not None
            assert abs(found[i] - exact_threshold) <= RESOLUTION
            if exact_threshold.denominator < 10**5:
                # the only rational that simple in a bracket of width 10^-10
                assert found[i] == exact_threshold
    rows = np.flatnonzero(~certified)[:3]
    part = {c: x[rows] for c, x in inputs.items()}
    column = detection_threshold_column(s, spec, part, len(rows))
    for k, i in enumerate(rows):
        variant = apply_row(s, spec, {c: x[i] for c, x in inputs.items()})
        expected = detection_threshold(variant, "all-in")[0]
        assert (expected is None and np.isnan(column[k])) or (
            expected is not None and abs(column[k] - float(expected)) <= float(RESOLUTION))


def test_counter_demands_the_kernel_does_not_model_are_routed() -> None:
    """Costly counter-demands (breakdown, delay, standing firm), a balk (another
    regime), and an offer declared final (an audience cost on granting) are not the
    kernel's shape: every variant of such an offer goes to the exact solver."""
    base = with_counters(["light-water-reactors"])
    spec = spec_for(base)
    inputs = draw_chunk(spec, 6, 0, 40)

    def certified(s: Scenario) -> float:
        return float(evaluate_offer(s, fast.sweep_params(s, spec, inputs, 40),
                                    "all-in-negotiable").certified.mean())

    assert certified(base) > 0  # free counter-demands: certificate B
    costly = base.model_copy(update={"bargaining": base.bargaining.model_copy(
        update={"costly_counters": True})})
    balk = with_counters(["declared-sites-only"])
    final = base.model_copy(update={"offers": [
        o.model_copy(update={"final": True}) for o in base.offers]})
    for s in (costly, balk, final):
        assert certified(s) == 0


TIE_INPUTS = [  # inputs that leave the mixed type's tie (32 = 32) in place
    {"path": "regimes[rigorous].detection",
     "distribution": {"kind": "uniform", "low": 0.6, "high": 1.0}},
    {"path": "cheating.penalty", "distribution": {"kind": "uniform", "low": 5, "high": 20}},
    {"path": "concessions[end-sanctions].cost",
     "distribution": {"kind": "choice", "values": [2, 5, 10]}},
]


def _tied(mixed_gap: Fraction = Fraction(0)) -> tuple[Scenario, SweepSpec]:
    """The default with the file's priors, and the mixed type's value of no deal
    under coercive sanctions raised by ``mixed_gap`` (0: tied with its value of the
    negotiable bargain, 32 = 32, which no drawn input moves)."""
    s = load_scenario("north-korea-2009").model_copy(
        update={"uncertainty": [], "prior_distribution": None})
    path = "fallbacks[coercive-sanctions-with-china].target.mixed"
    s = with_number(s, path, s.fallback("coercive-sanctions-with-china").target["mixed"]
                    + mixed_gap)
    return s, build_spec(s, [UncertainInput.model_validate(x) for x in TIE_INPUTS])


def test_an_exact_tie_certifies_the_values_of_its_family() -> None:
    """The mixed type is indifferent between the negotiable bargain (32) and no deal
    under coercive sanctions (32), the fallback that follows a rejection: every
    share of it rejecting is an equilibrium, so the negotiable offer has a continuum
    of outcomes.  The enumeration finds that family's two ends in floats, the tie is
    confirmed in exact arithmetic, and the values are certified: the exact solver's
    worst and best (its outcomes include both ends) are the same on every variant
    checked; the enumeration alone certified none of them."""
    s, spec = _tied()
    n = 40
    inputs = draw_chunk(spec, 3, 0, n)
    chunk = fast.evaluate(s, spec, inputs, n)
    negotiable = next(o for o in chunk.offers if o.offer_id == "all-in-negotiable")
    before = evaluate_offer(s, fast.sweep_params(s, spec, inputs, n), "all-in-negotiable")
    confirmed = np.flatnonzero(negotiable.certified & ~before.certified)
    assert confirmed.size >= n // 2
    for i in confirmed[:4]:
        exact = summarise_exact(apply_row(s, spec, {c: x[i] for c, x in inputs.items()}),
                                "all-in-negotiable")
        assert abs(exact.value_worst - negotiable.value_worst[i]) <= 1e-9
        assert abs(exact.value_best - negotiable.value_best[i]) <= 1e-9
        assert negotiable.value_best[i] - negotiable.value_worst[i] > 1  # a family


def test_a_near_tie_is_not_confirmed() -> None:
    """The same with the mixed type's no deal raised by 10⁻¹²: floats still see the
    tie (the margin is 10⁻⁹), so the family is pending, but the exact check refuses
    it and the offer goes to the exact solver, whose outcomes are only the family's
    end where the mixed type rejects (worst = best)."""
    s, spec = _tied(Fraction(1, 10**12))
    inputs = draw_chunk(spec, 3, 0, 1)
    params = fast.sweep_params(s, spec, inputs, 1)
    pending = evaluate_offer(s, params, "all-in-negotiable")
    assert pending.tie is not None and pending.tie.pending[0] and not pending.certified[0]
    chunk = fast.evaluate(s, spec, inputs, 1)
    negotiable = next(o for o in chunk.offers if o.offer_id == "all-in-negotiable")
    assert not negotiable.certified[0]
    exact = summarise_exact(apply_row(s, spec, {c: x[0] for c, x in inputs.items()}),
                            "all-in-negotiable")
    assert abs(exact.value_worst - pending.value_worst[0]) <= 1e-9
    assert exact.value_best < pending.value_best[0] - 1


def test_map_cells_with_a_confirmed_tie_equal_the_exact_verdicts() -> None:
    """Cells of the default's map (rigorous detection against the security-only
    prior) where the negotiable offer's values come from a confirmed tie: the map's
    verdict (does the main offer separate; the best offer, proposer-worst) equals
    the one computed with every offer solved exactly."""
    from callbluff.sweep.maps import _verdicts, map_spec
    from callbluff.sweep.run import evaluate_inputs

    s = load_scenario("north-korea-2009")
    x, y = "regimes[rigorous].detection", "types[security-only].prior"
    spec = map_spec(s, x, y, ((0.6, 1.0), (0.05, 0.95)))
    xs, ys = np.array([0.7, 0.9, 1.0]), np.array([0.1, 0.3, 0.8])
    columns = {item.column: v for item, v in zip(spec.inputs, (xs, ys), strict=True)}
    chunk = fast.evaluate(s, spec, columns, 3)
    negotiable = next(o for o in chunk.offers if o.offer_id == "all-in-negotiable")
    assert negotiable.tie is not None and negotiable.certified.all()
    assert negotiable.tie.pending.all()
    exact, _ = evaluate_inputs(s, spec, columns, 3, engine="exact")
    assert _verdicts(s, spec, xs, ys) == [
        f"{'separates' if a else 'does not separate'}; best: {b}"
        for a, b in zip(exact["separates"], exact["best_offer"], strict=True)]


def test_only_a_tie_at_the_top_sends_a_row_to_the_exact_solver() -> None:
    """The best offer is the largest value: a tie further down changes no choice.  On
    the default's map, security for inspections has an outcome where every type
    rejects, worth exactly the status quo (-54.05), far below the best; such rows keep
    the offers the fast path certified instead of solving every offer again, and
    their verdicts equal those with every offer solved exactly."""
    from callbluff.sweep.evaluate import near_tie
    from callbluff.sweep.maps import map_spec
    from callbluff.sweep.run import evaluate_inputs

    assert not near_tie([-54.05, -54.05, 11.03], 1e-9)
    assert near_tie([11.03, 11.03 - 1e-12, -54.05], 1e-9)
    assert not near_tie([3.0], 1e-9)
    s = load_scenario("north-korea-2009")
    spec = map_spec(s, "regimes[rigorous].detection", "types[security-only].prior",
                    ((0.0, 1.0), (0.0, 1.0)))
    xs = np.array([0.55, 0.8, 1.0])
    columns = {item.column: v for item, v in zip(spec.inputs, (xs, np.full(3, 0.3)),
                                                   strict=True)}
    fast_rows, _ = evaluate_inputs(s, spec, columns, 3)
    exact_rows, _ = evaluate_inputs(s, spec, columns, 3, engine="exact")
    status_quo = exact_rows["value:status-quo"]
    assert (np.abs(exact_rows["value:security-for-inspections"] - status_quo) < 1e-9).all()
    assert (fast_rows["exact_offers"] < len(s.offers)).any()
    for name in ("separates", "best_offer", "best_offer_optimistic"):
        assert list(fast_rows[name]) == list(exact_rows[name]), name
