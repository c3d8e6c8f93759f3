"""The fast path against the exact solver, variant by variant.

Independent truth: :func:`callbluff.analysis.verdict.analyze_offer` (exact PBE
enumeration) on the same variant, built with the exact ``with_number`` /
``Fraction`` path.  Where the fast path certifies a variant, the exact solver must
report exactly one equilibrium outcome, with the same answer of every type and the
same proposer value (to 1e-9).  The certificate must also be conservative: on a
variant where the exact solver finds several outcomes, the fast path must not
certify.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from callbluff.scenario.loader import load_scenario
from callbluff.scenario.schema import Scenario
from callbluff.scenario.uncertainty import PriorDistribution, UncertainInput
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
    return s.model_copy(update={"counter_demands": s.counter_demands[:counters],
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
    params = fast.Params(s, spec, inputs, 5)
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
    params = fast.Params(s, spec, inputs, 6)
    for i in range(6):
        v = apply_row(s, spec, {c: x[i] for c, x in inputs.items()})
        for t in v.types:
            assert params.get(("prior", t.id))[i] == pytest.approx(float(t.prior), abs=1e-15)


def _agree(s: Scenario, seed: int, n: int, per_offer: int) -> int:
    spec = spec_for(s)
    inputs = draw_chunk(spec, seed, 0, n)
    params = fast.Params(s, spec, inputs, n)
    checked = 0
    for o in s.offers:
        fo = fast.evaluate_offer(s, params, o.id)
        for i in np.flatnonzero(fo.certified)[:per_offer]:
            variant = apply_row(s, spec, {c: x[i] for c, x in inputs.items()})
            exact = summarise_exact(variant, o.id)
            assert len(exact.equilibria) == 1, (o.id, i, exact)
            eq = exact.equilibria[0]
            assert abs(eq.proposer_value - fo.value[i]) <= 1e-9, (o.id, i)
            for k, t in enumerate(s.types):
                assert np.allclose(eq.answers[t.id], fo.answers[i, k], atol=1e-9, rtol=0), (
                    o.id, i, t.id, eq.answers[t.id], fo.answers[i, k])
            assert eq.separates == bool(fo.separates[i])
            assert exact.cheaters == int(fo.cheaters[i])
            post = eq.security_posterior_after_reject
            assert (np.isnan(post) and np.isnan(fo.security_posterior_after_reject[i])) or abs(
                post - fo.security_posterior_after_reject[i]) <= 1e-9
            checked += 1
    return checked


def test_fast_path_agrees_with_exact_solver_without_counters() -> None:
    assert _agree(small(0), seed=5, n=60, per_offer=4) >= 12


def test_certificate_is_conservative_where_equilibria_are_mixed() -> None:
    """Light inspections: the exact solver finds semi-separating (mixed) outcomes
    on the default numbers; the fast path must route that variant."""
    s = small(0)
    spec = build_spec(s, [UncertainInput.model_validate(
        {"path": "cheating.penalty", "distribution": {"kind": "choice", "values": [10]}})])
    inputs = draw_chunk(spec, 0, 0, 1)
    params = fast.Params(s, spec, inputs, 1)
    fo = fast.evaluate_offer(s, params, "all-in-light-inspections")
    exact = summarise_exact(apply_row(s, spec, {c: x[0] for c, x in inputs.items()}),
                            "all-in-light-inspections")
    if len(exact.equilibria) > 1 or any(
            0 < p < 1 for e in exact.equilibria for a in e.answers.values() for p in a):
        assert not fo.certified[0]


def test_fast_path_agrees_with_exact_solver_on_the_default_scenario() -> None:
    assert _agree(load_scenario("north-korea-2009"), seed=8, n=80, per_offer=3) >= 9


def with_counters(counters: list[str]) -> Scenario:
    """The default scenario with every offer entertaining ``counters``."""
    s = load_scenario("north-korea-2009")
    offers = [o.model_copy(update={"counter_demands": counters}) for o in s.offers]
    return s.model_copy(update={"offers": offers})


def test_fast_path_agrees_with_exact_solver_with_a_counter_demand() -> None:
    assert _agree(with_counters(["light-water-reactors"]), seed=6, n=60, per_offer=2) >= 6


def test_reject_and_walk_ties_are_never_certified() -> None:
    """A counter-demand the proposer never grants (withdrawal of US forces, cost 200)
    makes 'counter then walk away' pay exactly as 'reject': the no-deal types are
    indifferent and the exact solver reports several outcomes; the fast path must not
    certify the all-in offer."""
    s = with_counters(["us-forces-withdrawal"])
    spec = spec_for(s)
    inputs = draw_chunk(spec, 2, 0, 200)
    params = fast.Params(s, spec, inputs, 200)
    fo = fast.evaluate_offer(s, params, "all-in")
    assert not fo.certified.any()
    exact = summarise_exact(apply_row(s, spec, {c: x[0] for c, x in inputs.items()}), "all-in")
    assert len(exact.equilibria) > 1


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
    """Same rational as :func:`callbluff.analysis.verdict.detection_threshold`, both
    where every point is certified and where some points are answered exactly."""
    from callbluff.analysis.verdict import detection_threshold
    from callbluff.sweep.run import detection_threshold_column

    s = small(0)
    spec = spec_for(s)
    n = 40
    inputs = draw_chunk(spec, 21, 0, n)
    found, certified = fast.detection_thresholds(s, fast.Params(s, spec, inputs, n))
    assert not certified.all()
    for i in np.flatnonzero(certified)[:3]:
        variant = apply_row(s, spec, {c: x[i] for c, x in inputs.items()})
        assert found[i] == detection_threshold(variant, "all-in")[0]
    rows = np.flatnonzero(~certified)[:3]
    part = {c: x[rows] for c, x in inputs.items()}
    column = detection_threshold_column(s, spec, part, len(rows))
    for k, i in enumerate(rows):
        variant = apply_row(s, spec, {c: x[i] for c, x in inputs.items()})
        expected = detection_threshold(variant, "all-in")[0]
        assert (expected is None and np.isnan(column[k])) or column[k] == float(expected)
