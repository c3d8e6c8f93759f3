"""The uncertainty format: distributions validated, paths checked for syntax."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from callbluff.scenario.uncertainty import (
    Distribution,
    PriorDistribution,
    UncertainInput,
    UncertaintyList,
)
from callbluff.sweep.spec import draw_distribution

dist = TypeAdapter(Distribution)


@pytest.mark.parametrize("bad", [
    {"kind": "uniform", "low": 1, "high": 1},
    {"kind": "triangular", "low": 0, "mode": 2, "high": 1},
    {"kind": "truncnormal", "mean": 0, "sd": 0},
    {"kind": "truncnormal", "mean": 0, "sd": 1, "low": 40, "high": 50},
    {"kind": "beta", "alpha": 0, "beta": 1},
    {"kind": "choice", "values": []},
    {"kind": "choice", "values": [1, 2], "weights": [1]},
    {"kind": "choice", "values": [1, 2], "weights": [0, 0]},
    {"kind": "uniform", "low": 0, "high": float("inf")},
    {"kind": "poisson", "mean": 1},
    {"kind": "uniform", "low": 0, "high": 1, "extra": 2},
])
def test_bad_distributions_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        dist.validate_python(bad)


@pytest.mark.parametrize("path", ["regimes[rigorous].detection", "cheating.penalty",
                                  "types[mixed].weights.security", "types[0].prior",
                                  "fallbacks[containment].proposer.security-only"])
def test_good_paths(path: str) -> None:
    UncertainInput.model_validate(
        {"path": path, "distribution": {"kind": "uniform", "low": 0, "high": 1}})


@pytest.mark.parametrize("path", ["", "regimes[rigorous]..detection", "__import__('os')",
                                  "a b", "regimes[Rig orous].detection"])
def test_bad_paths(path: str) -> None:
    with pytest.raises(ValidationError):
        UncertainInput.model_validate(
            {"path": path, "distribution": {"kind": "uniform", "low": 0, "high": 1}})


def test_duplicate_paths_refused() -> None:
    item = {"path": "cheating.penalty", "distribution": {"kind": "uniform", "low": 0, "high": 1}}
    with pytest.raises(ValidationError, match="twice"):
        TypeAdapter(UncertaintyList).validate_python([item, item])


def test_dirichlet_needs_positive_concentration() -> None:
    with pytest.raises(ValidationError):
        PriorDistribution.model_validate({"kind": "dirichlet", "concentration": {"a": 0}})


@pytest.mark.parametrize("spec,reference", [
    ({"kind": "uniform", "low": 2, "high": 5}, stats.uniform(2, 3)),
    ({"kind": "triangular", "low": 0, "mode": 0.25, "high": 1}, stats.triang(0.25, 0, 1)),
    ({"kind": "beta", "alpha": 2, "beta": 5, "low": 1, "high": 3}, stats.beta(2, 5, 1, 2)),
    ({"kind": "truncnormal", "mean": 1, "sd": 2, "low": 0, "high": 4},
     stats.truncnorm(-0.5, 1.5, loc=1, scale=2)),
])
def test_draws_follow_the_distribution(spec: dict[str, object], reference: object) -> None:
    """Kolmogorov–Smirnov against scipy's distribution (fixed seed, loose level)."""
    rng = np.random.Generator(np.random.PCG64(2024))
    x = draw_distribution(dist.validate_python(spec), rng, 4000)
    assert stats.kstest(x, reference.cdf).pvalue > 1e-3  # type: ignore[attr-defined]


def test_choice_weights() -> None:
    rng = np.random.Generator(np.random.PCG64(1))
    x = draw_distribution(dist.validate_python(
        {"kind": "choice", "values": [1, 2], "weights": [3, 1]}), rng, 20000)
    assert abs((x == 1).mean() - 0.75) < 0.02


def test_builtin_ranges_bracket_the_point_values() -> None:
    """The default scenario's uncertain inputs are ranges around its judgements: each
    point value lies inside its distribution's support, and the Dirichlet's mean
    (α / Σα) is the point prior of every type."""
    from callbluff.scenario.loader import load_scenario
    from callbluff.sweep.spec import build_spec

    scenario = load_scenario("north-korea-2009")
    spec = build_spec(scenario)
    assert len(spec.inputs) >= 4
    for item in spec.inputs:
        low, high = float(item.distribution.low), float(item.distribution.high)
        assert low < float(item.current) < high, item.path
    assert spec.prior is not None
    total = sum(spec.prior.concentration.values())
    for t in scenario.types:
        assert abs(spec.prior.concentration[t.id] / total - float(t.prior)) < 1e-12, t.id
