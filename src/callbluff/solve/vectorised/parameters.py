"""The scenario's numbers as float arrays over ``n`` variants, and the margin of
every decisive comparison of the vectorised solver (:mod:`callbluff.solve.vectorised`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from callbluff.scenario.schema import Scenario

if TYPE_CHECKING:
    from callbluff.solve.vectorised.payoffs import TypeArrays

#: Margin of every decisive comparison (payoffs are O(1..10³); float rounding is
#: O(10⁻¹³)).
TOL = 1e-9

Key = tuple[str, ...]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


class Params:
    """The scenario's numbers as float arrays over ``n`` variants: the base values,
    overridden by ``numbers`` (keyed as :func:`callbluff.sweep.fast.canonical_key`
    keys a path), priors moved exactly as ``apply_row`` moves them: ``priors``
    (every type's, normalised here) replace them all; a number keyed ``("prior", t)``
    sets that type's and the others keep their proportions."""

    def __init__(self, scenario: Scenario, n: int, priors: Mapping[str, FloatArray] | None,
                 numbers: Sequence[tuple[Key, FloatArray]]) -> None:
        self.n = n
        self.shared: TypeArrays | None = None  # filled by type_arrays, once
        s = scenario
        values: dict[Key, Any] = {}
        for t in s.types:
            values[("prior", t.id)] = float(t.prior)
            values[("inspection_sensitivity", t.id)] = float(t.inspection_sensitivity)
            values[("status_quo", t.id)] = float(t.status_quo)
            values[("arsenal_harm", t.id)] = float(t.arsenal_harm)
            values[("renege_loss", t.id)] = float(t.renege_loss)
            for m in s.motives:
                values[("weight", t.id, m.id)] = float(t.weights.get(m.id, 0))
        for m in s.motives:
            values[("arsenal", m.id)] = float(s.arsenal.values.get(m.id, 0))
        for field in ("breakdown_risk", "finality_cost", "renege_risk"):
            values[("bargaining", field)] = float(getattr(s.bargaining, field))
        for c in [*s.concessions, *s.counter_demands]:
            values[("cost", c.id)] = float(c.cost)
            values[("renege_risk", c.id)] = (
                None if c.renege_risk is None else float(c.renege_risk))
            for m in s.motives:
                values[("value", c.id, m.id)] = float(c.values.get(m.id, 0))
        for r in s.regimes:
            values[("regime", r.id, "detection")] = float(r.detection)
            values[("regime", r.id, "intrusiveness")] = float(r.intrusiveness)
            values[("regime", r.id, "cost")] = float(r.cost)
        values[("covert_fraction",)] = float(s.cheating.covert_fraction)
        values[("penalty",)] = float(s.cheating.penalty)
        values[("D",)] = float(s.denuclearisation_value)
        for f in s.fallbacks:
            for t in s.types:
                values[("fallback", f.id, "proposer", t.id)] = float(f.proposer[t.id])
                values[("fallback", f.id, "target", t.id)] = float(f.target[t.id])
        for st in s.stakeholders:
            values[("pressure", st.id)] = float(st.pressure)
        type_ids = [t.id for t in s.types]
        if priors is not None:
            for tid in type_ids:
                values[("prior", tid)] = np.asarray(priors[tid], dtype=np.float64)
            total = sum(values[("prior", tid)] for tid in type_ids)
            for tid in type_ids:
                values[("prior", tid)] = values[("prior", tid)] / total
        for key, given in numbers:
            column = np.asarray(given, dtype=np.float64)
            if key[0] == "prior":
                # with_number on a prior: the others keep their proportions.
                inside = key[1]
                others = [tid for tid in type_ids if tid != inside]
                current = sum((np.asarray(values[("prior", tid)], dtype=np.float64)
                               for tid in others), np.zeros(n))
                for tid in others:
                    share = np.where(current > 0,
                                     np.asarray(values[("prior", tid)]) / np.where(
                                         current > 0, current, 1.0),
                                     1.0 / max(len(others), 1))
                    values[("prior", tid)] = (1.0 - column) * share
            values[key] = column
        self.values = values

    def take(self, rows: np.ndarray[Any, np.dtype[np.int64]],
             overrides: Mapping[Key, FloatArray] | None = None) -> Params:
        """The variants ``rows`` (repeats allowed), with some numbers replaced."""
        out = object.__new__(Params)
        out.n = len(rows)
        out.shared = None
        out.values = {k: (v[rows] if isinstance(v, np.ndarray) else v)
                      for k, v in self.values.items()}
        for k, v in (overrides or {}).items():
            out.values[k] = np.asarray(v, dtype=np.float64)
        return out

    def get(self, key: Key) -> FloatArray:
        value = self.values[key]
        if isinstance(value, np.ndarray):
            return value
        return np.full(self.n, value, dtype=np.float64)


__all__ = ["TOL", "BoolArray", "FloatArray", "IntArray", "Key", "Params"]
