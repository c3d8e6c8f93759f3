"""What a sweep varies: the scenario's uncertain inputs, checked, drawn and applied.

A :class:`SweepSpec` is built from a scenario's ``uncertainty:`` list and
``prior_distribution`` (:mod:`callbluff.scenario.uncertainty`).  Here — in the
sweep layer, which may read the scenario through the analysis layer — each path
is checked to name a numeric field (:func:`callbluff.analysis.thresholds.get_number`)
and each distribution's support to fit the field (probabilities in [0, 1],
non-negative fields ≥ 0).

Draws: chunk ``k`` of a sweep with seed ``s`` uses the PCG64 generator seeded by
``SeedSequence(s, spawn_key=(k,))`` — the ``k``-th child of
``SeedSequence(s).spawn(...)`` (O'Neill 2014, "PCG: a family of simple fast
space-efficient statistically good algorithms"; NumPy's ``SeedSequence``) — so
every variant's inputs depend only on (seed, chunk size, variant index), never on
how many workers ran the chunks.

Applying a draw: ``Fraction(float)`` is the exact value of the drawn float; numbers
are set with :func:`~callbluff.analysis.thresholds.with_number`, Dirichlet priors
are normalised exactly (the Fractions sum to 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy import stats

from callbluff.analysis.thresholds import get_number, parse_path, with_number, with_prior
from callbluff.errors import InputError
from callbluff.scenario.schema import Scenario
from callbluff.scenario.uncertainty import (
    Beta,
    Choice,
    Distribution,
    PriorDistribution,
    Triangular,
    TruncNormal,
    UncertainInput,
    Uniform,
)

#: Leaf names of fields that are probabilities.
PROBABILITY_LEAVES = frozenset({"prior", "detection", "covert_fraction", "discount"})
#: Leaf names of fields that must be >= 0 (besides motive weights and values).
NON_NEGATIVE_LEAVES = frozenset({
    "inspection_sensitivity", "arsenal_harm", "intrusiveness", "penalty", "pressure",
    "arsenal_growth", "harm_growth",
})
PRIOR_PREFIX = "prior:"
INPUT_PREFIX = "in:"


@dataclass(frozen=True)
class SweepInput:
    """One uncertain scalar input, resolved against the scenario."""

    path: str
    distribution: Distribution
    current: Fraction
    source: str | None = None

    @property
    def column(self) -> str:
        return INPUT_PREFIX + self.path

    def bounds(self) -> tuple[float, float]:
        return self.distribution.bounds()


@dataclass(frozen=True)
class SweepSpec:
    """The uncertain inputs of one scenario (scalars, then the joint prior)."""

    inputs: tuple[SweepInput, ...]
    prior: PriorDistribution | None
    type_ids: tuple[str, ...]

    @property
    def columns(self) -> list[str]:
        """Input column names, in draw order."""
        cols = [i.column for i in self.inputs]
        if self.prior is not None:
            cols += [INPUT_PREFIX + PRIOR_PREFIX + t for t in self.type_ids]
        return cols

    def __len__(self) -> int:
        return len(self.inputs) + (1 if self.prior is not None else 0)


def build_spec(scenario: Scenario, extra: Sequence[UncertainInput] = (),
               prior: PriorDistribution | None = None) -> SweepSpec:
    """Check the scenario's uncertainty (plus ``extra`` inputs, which override a
    scenario entry with the same path) and resolve every path.

    Raises :class:`InputError` (field ``uncertainty[i].path``) when a path names no
    number of the scenario or a support does not fit its field.
    """
    declared: dict[str, UncertainInput] = {u.path: u for u in _declared(scenario)}
    for u in extra:
        declared[u.path] = u
    joint = prior if prior is not None else _declared_prior(scenario)
    type_ids = tuple(t.id for t in scenario.types)
    resolved: list[SweepInput] = []
    for n, item in enumerate(declared.values()):
        field = f"uncertainty[{n}].path"
        try:
            current = get_number(scenario, item.path)
        except ValueError as err:
            raise InputError(f"{item.path!r} names no number of the scenario: {err}",
                             field=field) from None
        _check_support(item, field)
        steps = parse_path(item.path)
        if joint is not None and steps and steps[0] == "types" and steps[-1] == "prior":
            raise InputError(
                f"{item.path!r}: priors are drawn jointly by prior_distribution; do not "
                "also list a type's prior under uncertainty", field=field)
        resolved.append(SweepInput(item.path, item.distribution, current, item.source))
    if joint is not None:
        missing = set(type_ids) - set(joint.concentration)
        unknown = set(joint.concentration) - set(type_ids)
        if missing or unknown:
            raise InputError(
                "prior_distribution.concentration must give every type exactly once"
                + (f"; missing: {', '.join(sorted(missing))}" if missing else "")
                + (f"; unknown: {', '.join(sorted(unknown))}" if unknown else ""),
                field="prior_distribution.concentration")
    return SweepSpec(inputs=tuple(resolved), prior=joint, type_ids=type_ids)


def _declared(scenario: Scenario) -> list[UncertainInput]:
    found = getattr(scenario, "uncertainty", None)
    return list(found) if found else []


def _declared_prior(scenario: Scenario) -> PriorDistribution | None:
    found = getattr(scenario, "prior_distribution", None)
    return found if isinstance(found, PriorDistribution) else None


def _support(dist: Distribution) -> tuple[float, float]:
    if isinstance(dist, TruncNormal):
        return dist.low, dist.high
    return dist.bounds()


def _check_support(item: UncertainInput, field: str) -> None:
    lo, hi = _support(item.distribution)
    steps = parse_path(item.path)
    leaf = steps[-1] if isinstance(steps[-1], str) else ""
    parent = steps[-2] if len(steps) > 1 and isinstance(steps[-2], str) else ""
    if leaf in PROBABILITY_LEAVES and not (lo >= 0 and hi <= 1):
        raise InputError(
            f"{item.path!r} is a probability: its distribution must stay in [0, 1] "
            f"(support [{lo:g}, {hi:g}]; give low/high)", field=field)
    if (leaf in NON_NEGATIVE_LEAVES or parent in {"weights", "values"}) and lo < 0:
        raise InputError(
            f"{item.path!r} must be >= 0: its distribution must stay >= 0 "
            f"(support starts at {lo:g}; give low)", field=field)


# -- drawing ---------------------------------------------------------------------

def chunk_generator(seed: int, chunk: int) -> np.random.Generator:
    """The generator of chunk ``chunk``: child ``chunk`` of ``SeedSequence(seed)``."""
    if seed < 0 or chunk < 0:
        raise ValueError(f"seed and chunk index must be >= 0, got {seed}, {chunk}")
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(chunk,))))


def draw_distribution(dist: Distribution, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` independent draws of ``dist`` (float64)."""
    if isinstance(dist, Uniform):
        return rng.uniform(dist.low, dist.high, n)
    if isinstance(dist, Triangular):
        if dist.low == dist.mode == dist.high:
            return np.full(n, dist.low)
        return rng.triangular(dist.low, dist.mode, dist.high, n)
    if isinstance(dist, TruncNormal):
        a = (dist.low - dist.mean) / dist.sd
        b = (dist.high - dist.mean) / dist.sd
        u = rng.random(n)
        out = stats.truncnorm.ppf(u, a, b, loc=dist.mean, scale=dist.sd)
        return np.clip(np.asarray(out, dtype=np.float64), dist.low, dist.high)
    if isinstance(dist, Beta):
        return dist.low + (dist.high - dist.low) * rng.beta(dist.alpha, dist.beta, n)
    if isinstance(dist, Choice):
        idx = rng.choice(len(dist.values), size=n, p=dist.probabilities())
        return np.asarray(dist.values, dtype=np.float64)[idx]
    raise TypeError(f"unknown distribution {type(dist).__name__}")


def draw(spec: SweepSpec, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """``n`` variants' inputs, column by column (scalars in spec order, then priors)."""
    out: dict[str, np.ndarray] = {}
    for item in spec.inputs:
        out[item.column] = draw_distribution(item.distribution, rng, n)
    if spec.prior is not None:
        alpha = np.array([spec.prior.concentration[t] for t in spec.type_ids])
        priors = rng.dirichlet(alpha, n)
        for j, t in enumerate(spec.type_ids):
            out[INPUT_PREFIX + PRIOR_PREFIX + t] = priors[:, j]
    return out


def draw_chunk(spec: SweepSpec, seed: int, chunk: int, size: int) -> dict[str, np.ndarray]:
    return draw(spec, chunk_generator(seed, chunk), size)


# -- applying ----------------------------------------------------------------------

def exact_priors(values: Sequence[float]) -> list[Fraction]:
    """Exact priors from drawn floats: ``Fraction(x_i) / Σ Fraction(x_j)`` (sum 1)."""
    fracs = [Fraction(float(v)) for v in values]
    if any(f < 0 for f in fracs):
        raise ValueError("a prior is negative")
    total = sum(fracs, Fraction(0))
    if total <= 0:
        raise ValueError("priors sum to 0")
    return [f / total for f in fracs]


def apply_row(scenario: Scenario, spec: SweepSpec, row: Mapping[str, float]) -> Scenario:
    """The variant of ``scenario`` with the drawn inputs ``row`` (column -> float)."""
    variant = scenario
    if spec.prior is not None:
        priors = exact_priors([row[INPUT_PREFIX + PRIOR_PREFIX + t] for t in spec.type_ids])
        by_id = dict(zip(spec.type_ids, priors, strict=True))
        types = [t.model_copy(update={"prior": by_id[t.id]}) for t in variant.types]
        variant = variant.model_copy(update={"types": types})
    for item in spec.inputs:
        value = float(row[item.column])
        if not math.isfinite(value):
            raise ValueError(f"drawn value of {item.path!r} is not finite")
        variant = _set(variant, item.path, Fraction(value))
    return variant


def _set(scenario: Scenario, path: str, value: Fraction) -> Scenario:
    """``with_number``, with a type's prior moved by ``with_prior`` (the others keep
    their proportions) — the same rule, resolving the type by id or index here."""
    steps = parse_path(path)
    if len(steps) == 3 and steps[0] == "types" and steps[2] == "prior" and isinstance(
            steps[1], tuple):
        key = steps[1][1]
        for i, t in enumerate(scenario.types):
            if t.id == key or str(i) == key:
                return with_prior(scenario, {t.id}, value)
        raise ValueError(f"{path!r}: no type {key!r}")
    return with_number(scenario, path, value)


__all__ = [
    "INPUT_PREFIX",
    "PRIOR_PREFIX",
    "SweepInput",
    "SweepSpec",
    "apply_row",
    "build_spec",
    "chunk_generator",
    "draw",
    "draw_chunk",
    "draw_distribution",
    "exact_priors",
]
