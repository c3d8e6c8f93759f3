"""Sensitivity: Sobol' indices of the Ishigami function, tornado of a linear model.

Ishigami & Homma (1990); analytical indices for a = 7, b = 0.1 from Saltelli et al.
(2008), *Global Sensitivity Analysis: The Primer*, §4.5 (also SALib's test
suite): S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
"""

from __future__ import annotations

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
