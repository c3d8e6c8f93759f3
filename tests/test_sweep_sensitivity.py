"""Sensitivity: Sobol' indices of the Ishigami function, tornado of a linear model.

Ishigami & Homma (1990); analytical indices for a = 7, b = 0.1 from Saltelli et al.
(2008), *Global Sensitivity Analysis: The Primer*, §4.5 (also SALib's test
suite): S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pydantic import TypeAdapter

from callbluff.scenario.uncertainty import Distribution
from callbluff.sweep.sensitivity import ppf_of, sobol, tornado


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_of_ishigami() -> None:
    uniform = TypeAdapter(Distribution).validate_python(
        {"kind": "uniform", "low": -np.pi, "high": np.pi})
    res = sobol(ishigami, ["x1", "x2", "x3"], [ppf_of(uniform)] * 3, n=4096, seed=1)
    assert res.first == pytest.approx((0.3139, 0.4424, 0.0), abs=0.04)
    assert res.total == pytest.approx((0.5576, 0.4424, 0.2437), abs=0.04)


def test_tornado_orders_a_linear_model_by_swing() -> None:
    coef = np.array([1.0, -5.0, 0.5])

    def model(x: np.ndarray) -> np.ndarray:
        return x @ coef

    base = [1.0, 1.0, 1.0]
    lows, highs = [0.0, 0.9, -10.0], [2.0, 1.1, 10.0]
    # swings: |1|*2 = 2, |−5|*0.2 = 1, 0.5*20 = 10
    centre, bars = tornado(model, ["a", "b", "c"], base, lows, highs)
    assert centre == pytest.approx(-3.5)
    assert [b.name for b in bars] == ["c", "a", "b"]
    assert [b.swing for b in bars] == pytest.approx([10.0, 2.0, 1.0])
    assert bars[2].output_low == pytest.approx(1.0 * 1 - 5 * 0.9 + 0.5)


def test_ppf_of_choice_and_triangular() -> None:
    adapter = TypeAdapter(Distribution)
    choice = adapter.validate_python({"kind": "choice", "values": [1, 2, 3],
                                      "weights": [1, 1, 2]})
    u = np.array([0.0, 0.24, 0.26, 0.49, 0.51, 0.99])
    assert ppf_of(choice)(u).tolist() == [1, 1, 2, 2, 3, 3]
    tri = adapter.validate_python({"kind": "triangular", "low": 0, "mode": 1, "high": 2})
    assert ppf_of(tri)(np.array([0.5]))[0] == pytest.approx(1.0)


def test_the_scenario_model_agrees_with_every_offer_solved_exactly() -> None:
    """The model solves the main offer alone (``main_offer_only``); the reference is the
    sweep's exact row of the whole scenario (every offer solved, the best chosen in
    exact arithmetic), read at the same two outputs, on variants where they move."""
    from callbluff.analysis.verdict import main_offer_id
    from callbluff.scenario.loader import load_scenario
    from callbluff.sweep.evaluate import evaluate_exact
    from callbluff.sweep.sensitivity import scenario_model
    from callbluff.sweep.spec import INPUT_PREFIX, PRIOR_PREFIX, apply_row, build_spec

    scenario = load_scenario("north-korea-2009")
    spec = build_spec(scenario)
    paths = [i.path for i in spec.inputs]
    base = [float(i.current) for i in spec.inputs]
    rows = []
    # low detection and a mild penalty let ulterior types accept and cheat; a small
    # pact value makes the security-only type refuse
    for detection, penalty, pact in [(0.9, 10, 20), (0.05, 5, 20), (0.3, 5, 20),
                                     (0.9, 10, 0), (0.05, 5, 0)]:
        row = list(base)
        row[paths.index("regimes[rigorous].detection")] = detection
        row[paths.index("cheating.penalty")] = penalty
        row[paths.index("concessions[non-aggression-pact].values.security")] = pact
        rows.append(row)
    x = np.array(rows)
    main = main_offer_id(scenario)
    priors = {INPUT_PREFIX + PRIOR_PREFIX + t.id: float(t.prior) for t in scenario.types}
    reference = [evaluate_exact(apply_row(scenario, spec, {
        **priors, **{i.column: r[j] for j, i in enumerate(spec.inputs)}})) for r in rows]
    values = [float(ref[f"value:{main}"]) for ref in reference]  # type: ignore[arg-type]
    separates = [float(bool(ref["separates"])) for ref in reference]
    assert len(set(values)) > 2 and len(set(separates)) == 2  # the variants move both
    assert scenario_model(scenario, spec, "value")[1](x) == pytest.approx(values, abs=1e-9)
    assert scenario_model(scenario, spec, "separates")[1](x).tolist() == separates


def test_a_constant_output_has_no_indices() -> None:
    """Sobol' indices are shares of the output's variance; where it is 0 they are
    0/0, so none are reported, and the constant is."""
    res = sobol(lambda x: np.full(x.shape[0], -16.38), ["a", "b"],
                [lambda u: u, lambda u: u], n=8, seed=0)
    assert res.constant == pytest.approx(-16.38)
    assert res.first == res.total == ()
    moving = sobol(lambda x: x[:, 0], ["a", "b"], [lambda u: u, lambda u: u], n=64, seed=0)
    assert moving.constant is None and moving.first[0] == pytest.approx(1.0, abs=0.1)


def test_the_constant_sentence_agrees_with_its_json(tmp_path: Path) -> None:
    """On the default scenario every sampled point separates (the file's uncertainty
    ranges keep the security-only type accepting and no ulterior type cheating): the
    sentence names the constant and the number of sampled points, n·(k + 2) with k = 5
    inputs, and the JSON holds the same."""
    from typer.testing import CliRunner

    from callbluff.cli.app import app

    out = tmp_path / "s.json"
    result = CliRunner().invoke(app, ["sensitivity", "--measure", "separates", "-n", "4",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    text = " ".join(result.output.split())
    assert document["sobol"]["constant_output"] == 1.0
    assert document["sobol"]["indices"] == []
    assert "separates is 1.0000 at every one of the 28 sampled points" in text


def test_an_output_that_moves_at_a_few_points_is_said_to() -> None:
    """Where the output is another number at only a few sampled points, the indices
    rest on those points: the count is reported (here recounted from the outputs the
    model was given to compute) and flagged; an output that moves everywhere is not."""
    seen: list[np.ndarray] = []

    def spike(x: np.ndarray) -> np.ndarray:
        y = np.where(x[:, 0] > 0.995, -45.10, -16.38)
        seen.append(y)
        return y

    res = sobol(spike, ["a", "b"], [lambda u: u, lambda u: u], n=256, seed=0)
    outputs = np.concatenate(seen)
    recount = int(np.count_nonzero(outputs != -16.38))
    assert len(outputs) == 256 * 4 and 0 < recount < 0.01 * len(outputs)
    assert (res.moved, res.typical, res.rare) == (recount, -16.38, True)
    broad = sobol(lambda x: x[:, 0], ["a", "b"], [lambda u: u, lambda u: u], n=64, seed=0)
    assert not broad.rare and broad.moved > 0.9 * 64 * 4


def test_the_rare_sentence_agrees_with_its_json_and_the_exact_solver(tmp_path: Path) -> None:
    """On the default scenario the main offer's value moves at one of the 1792 sampled
    points of the defaults (256 base samples, 5 inputs): the sentence gives the count
    and the typical value, the JSON the same; the points are recounted from the
    model on SALib's sample (same seed), and the exact solver confirms the two values
    at the moved point and at another."""
    from SALib.sample import sobol as sobol_sample
    from typer.testing import CliRunner

    from callbluff.analysis.verdict import main_offer_id
    from callbluff.cli.app import app
    from callbluff.scenario.loader import load_scenario
    from callbluff.sweep.evaluate import evaluate_exact
    from callbluff.sweep.sensitivity import scenario_model
    from callbluff.sweep.spec import INPUT_PREFIX, PRIOR_PREFIX, apply_row, build_spec

    out = tmp_path / "s.json"
    result = CliRunner().invoke(app, ["sensitivity", "-o", str(out)])
    assert result.exit_code == 0, result.output
    sobol_json = json.loads(out.read_text())["sobol"]
    text = " ".join(result.output.split())
    scenario = load_scenario("north-korea-2009")
    spec = build_spec(scenario)
    names, model = scenario_model(scenario, spec, "value")
    unit = sobol_sample.sample({"num_vars": len(names), "names": names,
                                "bounds": [[0.0, 1.0]] * len(names)}, 256,
                               calc_second_order=False, seed=0)
    x = np.column_stack([ppf_of(i.distribution)(unit[:, k]) for k, i in enumerate(spec.inputs)])
    y = model(x)
    moved = np.flatnonzero(np.abs(y - np.median(y)) > 1e-6)
    assert len(y) == 1792 and sobol_json["moved_points"] == len(moved) == 1
    assert sobol_json["typical_output"] == pytest.approx(-16.38)
    assert ("value is -16.3800 at 1791 of the 1792 sampled points and another number "
            "at 1; the indices below rest on that point alone") in text
    priors = {INPUT_PREFIX + PRIOR_PREFIX + t.id: float(t.prior) for t in scenario.types}
    main = main_offer_id(scenario)
    for row in (int(moved[0]), int(moved[0]) - 1 if moved[0] > 0 else 1):
        exact = evaluate_exact(apply_row(scenario, spec, {
            **priors, **{i.column: x[row, j] for j, i in enumerate(spec.inputs)}}))
        assert float(exact[f"value:{main}"]) == pytest.approx(float(y[row]), abs=1e-9)
