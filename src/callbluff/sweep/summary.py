"""What a sweep says: probability that the bargain separates, distributions of the
key outputs with intervals, and which inputs matter most.

Counts (separation, best offer) are exact over every row, streamed chunk by chunk.
Intervals and input importance use the first ``sample_limit`` rows (variants are
independent draws, so these are a simple random sample): the 5 %–95 % range of
each output, a Wilson 95 % interval for the probability of separation (Wilson
1927, *JASA* 22), and Spearman rank correlations between each input and the
main outputs (Saltelli et al. 2008, *Global Sensitivity Analysis: The Primer*, §1.2.4).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from scipy import stats

from callbluff.sweep.spec import INPUT_PREFIX


@dataclass(frozen=True)
class Importance:
    input: str
    separates: float  # Spearman ρ with the separation indicator
    value: float  # Spearman ρ with the main offer's worst-equilibrium value


@dataclass(frozen=True)
class SweepSummary:
    rows: int
    separates: int
    separates_interval: tuple[float, float]
    best_offer: dict[str, int]
    quantiles: dict[str, tuple[float, float, float]]  # output -> (5%, median, 95%)
    importance: tuple[Importance, ...]
    certified: int
    notes: tuple[str, ...] = field(default=())

    @property
    def p_separates(self) -> float:
        return self.separates / self.rows if self.rows else math.nan


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion."""
    if n == 0:
        return math.nan, math.nan
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def summarise_tables(tables: Iterable[pa.Table], main_offer: str,
                     sample_limit: int = 200_000) -> SweepSummary:
    rows = separates = certified = 0
    best: Counter[str] = Counter()
    kept: list[pa.Table] = []
    kept_rows = 0
    for t in tables:
        rows += t.num_rows
        separates += int(np.asarray(t["separates"]).sum())
        certified += int(np.asarray(t["certified"]).sum())
        best.update(t["best_offer"].to_pylist())
        if kept_rows < sample_limit:
            kept.append(t.slice(0, sample_limit - kept_rows))
            kept_rows += kept[-1].num_rows
    sample = pa.concat_tables(kept) if kept else None
    quantiles: dict[str, tuple[float, float, float]] = {}
    importance: list[Importance] = []
    if sample is not None and sample.num_rows:
        for name in sample.column_names:
            if name.startswith("value:") or name in ("security_posterior_after_reject",
                                                     "detection_threshold"):
                data = np.asarray(sample[name], dtype=np.float64)
                data = data[np.isfinite(data)]
                if data.size:
                    q = np.quantile(data, [0.05, 0.5, 0.95])
                    quantiles[name] = (float(q[0]), float(q[1]), float(q[2]))
        sep = np.asarray(sample["separates"], dtype=np.float64)
        main_value = np.asarray(sample[f"value:{main_offer}"], dtype=np.float64)
        for name in sample.column_names:
            if not name.startswith(INPUT_PREFIX):
                continue
            x = np.asarray(sample[name], dtype=np.float64)
            importance.append(Importance(name[len(INPUT_PREFIX):], _spearman(x, sep),
                                         _spearman(x, main_value)))
    importance.sort(key=lambda i: -max(_abs(i.separates), _abs(i.value)))
    return SweepSummary(rows=rows, separates=separates,
                        separates_interval=wilson(separates, rows), best_offer=dict(best),
                        quantiles=quantiles, importance=tuple(importance), certified=certified)


def _abs(x: float) -> float:
    return abs(x) if math.isfinite(x) else 0.0


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return math.nan
    rho = stats.spearmanr(x, y).statistic
    return float(rho)


def summarise_file(path: Path, main_offer: str, sample_limit: int = 200_000) -> SweepSummary:
    """Summary of a sweep's Parquet file, read one row group at a time."""
    f = pq.ParquetFile(str(path))
    return summarise_tables((f.read_row_group(i) for i in range(f.num_row_groups)), main_offer,
                            sample_limit)


def summary_lines(summary: SweepSummary, top: int = 5) -> Sequence[str]:
    lo, hi = summary.separates_interval
    lines = [
        f"variants: {summary.rows} (fast path certified {summary.certified}, "
        f"{100 * summary.certified / max(summary.rows, 1):.1f}%)",
        f"P(the main offer separates in every equilibrium) = {summary.p_separates:.4f} "
        f"(95% interval {lo:.4f}–{hi:.4f})",
        "best offer (proposer-worst equilibrium): " + ", ".join(
            f"{k} {v / max(summary.rows, 1):.1%}" for k, v in
            sorted(summary.best_offer.items(), key=lambda kv: -kv[1])),
    ]
    return lines
