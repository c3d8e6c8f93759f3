"""Which uncertain inputs matter: one-at-a-time tornado and Sobol' indices.

* Tornado (one-at-a-time): each input is moved to the low and the high end of its
  range, the others held at the scenario's values; inputs are ranked by the swing
  of the output (Saltelli et al. 2008, *Global Sensitivity Analysis: The Primer*,
  §1.2.1; Howard 1988, "Decision analysis: practice and promise", *Management
  Science* 34).
* Sobol' indices: first-order ``S1`` and total ``ST`` by Saltelli's scheme
  (Saltelli 2002, *Comput. Phys. Commun.* 145; Saltelli et al. 2010, *Comput.
  Phys. Commun.* 181) with SALib (Herman & Usher 2017, *JOSS* 2(9)).  Inputs are
  sampled on the unit hypercube and mapped through each distribution's inverse
  CDF, so the indices are those of the declared distributions.  A joint Dirichlet
  prior is not an independent input: Sobol' analysis holds the priors at the
  scenario's values.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample
from scipy import stats

from callbluff.analysis.verdict import main_offer_id
from callbluff.scenario.schema import Scenario
from callbluff.scenario.uncertainty import Beta, Choice, Distribution, Triangular, TruncNormal
from callbluff.sweep.run import evaluate_inputs
from callbluff.sweep.spec import INPUT_PREFIX, PRIOR_PREFIX, SweepSpec

Model = Callable[[np.ndarray], np.ndarray]  # (m, k) inputs -> (m,) output


@dataclass(frozen=True)
class TornadoBar:
    name: str
    low: float
    high: float
    output_low: float
    output_high: float

    @property
    def swing(self) -> float:
        return abs(self.output_high - self.output_low)


@dataclass(frozen=True)
class SobolIndices:
    names: tuple[str, ...]
    first: tuple[float, ...]
    first_conf: tuple[float, ...]
    total: tuple[float, ...]
    total_conf: tuple[float, ...]
    samples: int
    #: the output at every sampled point when it never moves; the indices (shares of
    #: a variance of 0) are then undefined and the four tuples empty
    constant: float | None = None
    #: the sampled points (model runs), the output's median over them, and at how many
    #: it is another number (beyond ``CONSTANT_TOL``)
    points: int = 0
    typical: float = 0.0
    moved: int = 0

    @property
    def rare(self) -> bool:
        """The output moves at so few points (under ``RARE_SHARE`` of them) that the
        indices rest on those points alone."""
        return self.constant is None and self.moved < RARE_SHARE * self.points


def tornado(model: Model, names: Sequence[str], base: Sequence[float],
            lows: Sequence[float], highs: Sequence[float]) -> tuple[float, list[TornadoBar]]:
    """The output at ``base`` and one bar per input, largest swing first (ties: input
    order)."""
    k = len(names)
    if not (len(base) == len(lows) == len(highs) == k):
        raise ValueError("names, base, lows and highs must have the same length")
    rows = np.tile(np.asarray(base, dtype=np.float64), (2 * k + 1, 1))
    for i in range(k):
        rows[1 + 2 * i, i] = lows[i]
        rows[2 + 2 * i, i] = highs[i]
    out = np.asarray(model(rows), dtype=np.float64)
    bars = [TornadoBar(names[i], float(lows[i]), float(highs[i]), float(out[1 + 2 * i]),
                       float(out[2 + 2 * i])) for i in range(k)]
    order = sorted(range(k), key=lambda i: (-bars[i].swing, i))
    return float(out[0]), [bars[i] for i in order]


#: Outputs within this relative spread are one number (the fast path's float rounding
#: of an exactly constant value), not a variance to share out.
CONSTANT_TOL = 1e-9
#: An output that moves at fewer than this share of the sampled points has its whole
#: variance in those few points: Saltelli's estimators then see it only through the
#: few sample rows where it shows, and do not rank the inputs.
RARE_SHARE = 0.01


def sobol(model: Model, names: Sequence[str], ppfs: Sequence[Callable[[np.ndarray], np.ndarray]],
          n: int, seed: int) -> SobolIndices:
    """Sobol' indices of ``model`` whose inputs are ``ppf_i(U_i)``, ``U`` uniform on
    the unit hypercube; ``n`` (a power of 2) base samples, ``n·(2k+2)`` model runs."""
    k = len(names)
    problem = {"num_vars": k, "names": list(names), "bounds": [[0.0, 1.0]] * k}
    unit = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    x = np.column_stack([ppfs[i](unit[:, i]) for i in range(k)])
    y = np.asarray(model(x), dtype=np.float64)
    scale = CONSTANT_TOL * max(1.0, float(np.max(np.abs(y))))
    typical = float(np.median(y))
    moved = int(np.count_nonzero(np.abs(y - typical) > scale))
    if np.ptp(y) <= scale:
        return SobolIndices(tuple(names), (), (), (), (), n, constant=typical,
                            points=len(y), typical=typical)
    with warnings.catch_warnings():
        # SALib warns whenever some resampled columns repeat a value (an output with
        # flat stretches); the indices are still defined, and the all-flat case is above
        warnings.filterwarnings("ignore", message="Constant values encountered")
        res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
    return SobolIndices(tuple(names), tuple(float(v) for v in res["S1"]),
                        tuple(float(v) for v in res["S1_conf"]),
                        tuple(float(v) for v in res["ST"]),
                        tuple(float(v) for v in res["ST_conf"]), n, points=len(y),
                        typical=typical, moved=moved)


def ppf_of(dist: Distribution) -> Callable[[np.ndarray], np.ndarray]:
    """Inverse CDF of a declared distribution (vectorised)."""
    if isinstance(dist, Triangular):
        width = dist.high - dist.low
        c = (dist.mode - dist.low) / width
        return lambda u: np.asarray(stats.triang.ppf(u, c, loc=dist.low, scale=width))
    if isinstance(dist, TruncNormal):
        a, b = (dist.low - dist.mean) / dist.sd, (dist.high - dist.mean) / dist.sd
        return lambda u: np.asarray(stats.truncnorm.ppf(u, a, b, loc=dist.mean, scale=dist.sd))
    if isinstance(dist, Beta):
        return lambda u: np.asarray(stats.beta.ppf(u, dist.alpha, dist.beta, loc=dist.low,
                                                   scale=dist.high - dist.low))
    if isinstance(dist, Choice):
        cum = np.cumsum(dist.probabilities())
        values = np.asarray(dist.values, dtype=np.float64)
        return lambda u: values[np.minimum(np.searchsorted(cum, u, side="right"),
                                           len(values) - 1)]
    return lambda u: dist.low + (dist.high - dist.low) * np.asarray(u)  # uniform


# -- the scenario as a model ---------------------------------------------------------

OUTPUTS = ("value", "separates")


#: Called with the number of model runs just done.
Progress = Callable[[int], None]
#: Model runs per call of the fast path, so that the progress moves.
BATCH = 64


def main_offer_only(scenario: Scenario) -> Scenario:
    """The scenario with its main offer alone.  Both outputs read only the main
    offer's own game, and no uncertain input names an offer (sweep paths never do),
    so the other offers — one with free counter-demands costs the exact solver about
    a second a run — need not be solved."""
    return scenario.model_copy(update={"offers": [scenario.offer(main_offer_id(scenario))]})


def scenario_model(scenario: Scenario, spec: SweepSpec, output: str = "value",
                   engine: str = "fast", on_progress: Progress | None = None
                   ) -> tuple[list[str], Model]:
    """The scenario's scalar uncertain inputs (names) and a model mapping them to the
    main offer's proposer value (worst equilibrium) or to separation (0/1); priors
    stay at the scenario's values."""
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {', '.join(OUTPUTS)}, got {output!r}")
    names = [i.path for i in spec.inputs]
    main = main_offer_id(scenario)
    scenario = main_offer_only(scenario)
    base_priors = {INPUT_PREFIX + PRIOR_PREFIX + t.id: float(t.prior) for t in scenario.types}

    def batch(x: np.ndarray) -> np.ndarray:
        m = x.shape[0]
        inputs: dict[str, Any] = {i.column: x[:, j] for j, i in enumerate(spec.inputs)}
        if spec.prior is not None:
            for column, p in base_priors.items():
                inputs[column] = np.full(m, p)
        outs, _ = evaluate_inputs(scenario, spec, inputs, m, engine)
        if output == "value":
            return np.asarray(outs[f"value:{main}"], dtype=np.float64)
        return np.asarray(outs["separates"], dtype=np.float64)

    def model(x: np.ndarray) -> np.ndarray:
        parts = []
        for start in range(0, x.shape[0], BATCH):
            parts.append(batch(x[start:start + BATCH]))
            if on_progress is not None:
                on_progress(len(parts[-1]))
        return np.concatenate(parts) if parts else np.zeros(0)

    return names, model


def tornado_runs(spec: SweepSpec) -> int:
    """Model runs of :func:`scenario_tornado`."""
    return 2 * len(spec.inputs) + 1


def sobol_runs(spec: SweepSpec, n: int) -> int:
    """Model runs of :func:`scenario_sobol` with ``n`` base samples."""
    return n * (len(spec.inputs) + 2)


def scenario_tornado(scenario: Scenario, spec: SweepSpec, output: str = "value",
                     engine: str = "fast", on_progress: Progress | None = None
                     ) -> tuple[float, list[TornadoBar]]:
    names, model = scenario_model(scenario, spec, output, engine, on_progress)
    base = [float(i.current) for i in spec.inputs]
    lows = [i.bounds()[0] for i in spec.inputs]
    highs = [i.bounds()[1] for i in spec.inputs]
    return tornado(model, names, base, lows, highs)


def scenario_sobol(scenario: Scenario, spec: SweepSpec, n: int, seed: int,
                   output: str = "value", engine: str = "fast",
                   on_progress: Progress | None = None) -> SobolIndices:
    names, model = scenario_model(scenario, spec, output, engine, on_progress)
    return sobol(model, names, [ppf_of(i.distribution) for i in spec.inputs], n, seed)


__all__ = [
    "SobolIndices",
    "TornadoBar",
    "main_offer_only",
    "ppf_of",
    "scenario_model",
    "scenario_sobol",
    "scenario_tornado",
    "sobol",
    "sobol_runs",
    "tornado",
    "tornado_runs",
]
