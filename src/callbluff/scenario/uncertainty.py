"""Uncertain inputs of a scenario: distributions over its numbers, for sweeps.

A scenario may list, under ``uncertainty:``, numbers it is unsure of, each with a
distribution and where the belief comes from::

    uncertainty:
      - path: regimes[rigorous].detection
        distribution: {kind: triangular, low: 0.6, mode: 0.9, high: 0.99}
        source: "[factsheet] case table: Libya 2003, South Africa 1991-93"
        note: "near-complete verification is possible with access"
    prior_distribution:
      kind: dirichlet
      concentration: {security-only: 6, prestige: 3, coercion: 3,
                      proliferation-revenue: 2, mixed: 6}

Distributions (parameters are plain numbers; draws are floats, applied to the
scenario exactly as ``Fraction(float)``):

============  =========================================  ==============================
kind          parameters                                 draws
============  =========================================  ==============================
uniform       low < high                                 U(low, high)
triangular    low <= mode <= high, low < high            triangular (Johnson & Kotz)
truncnormal   mean, sd > 0, low < high (default ±inf)    N(mean, sd²) restricted to
                                                         [low, high]
beta          alpha > 0, beta > 0, low < high (0, 1)     low + (high − low)·Beta(α, β)
choice        values (1..64), weights >= 0 (optional)    one of ``values``
============  =========================================  ==============================

``prior_distribution`` draws all the types' priors jointly from a Dirichlet
distribution, so they stay on the simplex (Kotz, Balakrishnan & Johnson,
*Continuous Multivariate Distributions*, vol. 1, 2nd ed., ch. 49).

This module checks the distributions and the *syntax* of each path only; that a
path names a numeric field of the scenario is checked by the sweep layer
(:mod:`callbluff.sweep.spec`), which may read scenario values (layers point one
way: scenario → … → analysis → sweep).
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

#: Most uncertain inputs one scenario may declare.
MAX_UNCERTAIN = 64
#: Most values a ``choice`` distribution may list.
MAX_CHOICES = 64

_SEGMENT = r"(?:[A-Za-z_][A-Za-z0-9_]*(?:\[[a-z0-9][a-z0-9_.-]{0,63}\])*|[a-z0-9][a-z0-9_-]{0,63})"
PATH_PATTERN = re.compile(rf"^{_SEGMENT}(?:\.{_SEGMENT})*$")
_ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"


def _finite(value: float, name: str) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if abs(value) > 1e12:
        raise ValueError(f"{name} is larger than 10^12 in magnitude")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Uniform(_Strict):
    """``U(low, high)``."""

    kind: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _check(self) -> Uniform:
        _finite(self.low, "low")
        _finite(self.high, "high")
        if not self.low < self.high:
            raise ValueError(f"uniform needs low < high, got low={self.low}, high={self.high}")
        return self

    def bounds(self) -> tuple[float, float]:
        return self.low, self.high


class Triangular(_Strict):
    """Triangular on ``[low, high]`` with its peak at ``mode``."""

    kind: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _check(self) -> Triangular:
        for name in ("low", "mode", "high"):
            _finite(getattr(self, name), name)
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"triangular needs low <= mode <= high and low < high, got "
                f"{self.low}, {self.mode}, {self.high}")
        return self

    def bounds(self) -> tuple[float, float]:
        return self.low, self.high


class TruncNormal(_Strict):
    """Normal ``N(mean, sd²)`` restricted to ``[low, high]``."""

    kind: Literal["truncnormal"]
    mean: float
    sd: float
    low: float = -math.inf
    high: float = math.inf

    @model_validator(mode="after")
    def _check(self) -> TruncNormal:
        _finite(self.mean, "mean")
        _finite(self.sd, "sd")
        if self.sd <= 0:
            raise ValueError(f"truncnormal needs sd > 0, got {self.sd}")
        for name in ("low", "high"):
            v = getattr(self, name)
            if math.isnan(v) or (math.isfinite(v) and abs(v) > 1e12):
                raise ValueError(f"{name} must be a number of magnitude at most 10^12")
        if not self.low < self.high:
            raise ValueError(f"truncnormal needs low < high, got {self.low}, {self.high}")
        # The kept interval must carry some mass (else draws are meaningless).
        lo = (self.low - self.mean) / self.sd
        hi = (self.high - self.mean) / self.sd
        if lo > 30 or hi < -30:
            raise ValueError(
                "truncnormal: [low, high] lies more than 30 standard deviations from the mean")
        return self

    def bounds(self) -> tuple[float, float]:
        """A finite range for one-at-a-time sensitivity: ``[low, high]`` clipped to
        the mean ± 3 sd."""
        return max(self.low, self.mean - 3 * self.sd), min(self.high, self.mean + 3 * self.sd)


class Beta(_Strict):
    """``low + (high − low)·Beta(alpha, beta)``."""

    kind: Literal["beta"]
    alpha: float
    beta: float
    low: float = 0.0
    high: float = 1.0

    @model_validator(mode="after")
    def _check(self) -> Beta:
        for name in ("alpha", "beta", "low", "high"):
            _finite(getattr(self, name), name)
        if self.alpha <= 0 or self.beta <= 0:
            raise ValueError(f"beta needs alpha > 0 and beta > 0, got {self.alpha}, {self.beta}")
        if not self.low < self.high:
            raise ValueError(f"beta needs low < high, got {self.low}, {self.high}")
        return self

    def bounds(self) -> tuple[float, float]:
        return self.low, self.high


class Choice(_Strict):
    """One of ``values``, with probabilities proportional to ``weights`` (equal if
    omitted)."""

    kind: Literal["choice"]
    values: list[float] = Field(min_length=1, max_length=MAX_CHOICES)
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _check(self) -> Choice:
        for v in self.values:
            _finite(v, "a value")
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"choice has {len(self.values)} values but {len(self.weights)} weights")
            for w in self.weights:
                _finite(w, "a weight")
                if w < 0:
                    raise ValueError(f"choice weights must be >= 0, got {w}")
            if sum(self.weights) <= 0:
                raise ValueError("choice weights must not all be 0")
        return self

    def probabilities(self) -> list[float]:
        weights = self.weights or [1.0] * len(self.values)
        total = math.fsum(weights)
        return [w / total for w in weights]

    def bounds(self) -> tuple[float, float]:
        return min(self.values), max(self.values)


Distribution = Annotated[
    Uniform | Triangular | TruncNormal | Beta | Choice, Field(discriminator="kind")
]


class UncertainInput(_Strict):
    """One uncertain number: its path in the scenario and its distribution."""

    path: str = Field(max_length=300, description="the number's path, e.g. "
                      "'regimes[rigorous].detection' or 'types[mixed].weights.security'")
    distribution: Distribution
    source: str | None = Field(default=None, max_length=4000)
    note: str | None = Field(default=None, max_length=4000)

    @field_validator("path")
    @classmethod
    def _path_syntax(cls, path: str) -> str:
        if not PATH_PATTERN.fullmatch(path):
            raise ValueError(
                f"{path!r} is not a path to a number (expected e.g. "
                "'regimes[rigorous].detection', 'cheating.penalty' or "
                "'types[mixed].weights.security')")
        return path


class PriorDistribution(_Strict):
    """The types' priors, drawn jointly: ``Dirichlet(concentration)``."""

    kind: Literal["dirichlet"]
    concentration: dict[Annotated[str, Field(pattern=_ID_PATTERN)], float] = Field(
        min_length=1, max_length=12,
        description="type id -> concentration α > 0 (every type of the scenario)")
    source: str | None = Field(default=None, max_length=4000)
    note: str | None = Field(default=None, max_length=4000)

    @field_validator("concentration")
    @classmethod
    def _positive(cls, concentration: dict[str, float]) -> dict[str, float]:
        for type_id, alpha in concentration.items():
            _finite(alpha, f"concentration of {type_id!r}")
            if alpha <= 0:
                raise ValueError(f"concentration of {type_id!r} must be > 0, got {alpha}")
        return concentration


def check_unique_paths(inputs: list[UncertainInput]) -> list[UncertainInput]:
    """Each path may be uncertain once."""
    seen: set[str] = set()
    for item in inputs:
        if item.path in seen:
            raise ValueError(f"path {item.path!r} is listed twice under uncertainty")
        seen.add(item.path)
    return inputs


UncertaintyList = Annotated[
    list[UncertainInput], Field(max_length=MAX_UNCERTAIN), AfterValidator(check_unique_paths)
]

__all__ = [
    "MAX_UNCERTAIN",
    "PATH_PATTERN",
    "Beta",
    "Choice",
    "Distribution",
    "PriorDistribution",
    "Triangular",
    "TruncNormal",
    "UncertainInput",
    "UncertaintyList",
    "Uniform",
    "check_unique_paths",
]
