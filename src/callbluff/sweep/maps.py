"""Verdict maps: which verdict holds where on a grid over two inputs.

Each cell's verdict is (does the main offer separate in every equilibrium?, the
proposer's best offer under the proposer-worst selection), computed by the fast
path with the exact solver for every cell it cannot certify.  Threshold curves:
along every grid column where the verdict changes between two neighbouring cells,
the change point is bisected in ``y`` to a width of 2⁻⁴⁰ of the range (the
verdict is piecewise constant along a line: :mod:`callbluff.analysis.thresholds`),
so the curves are the model's thresholds, not the grid's staircase.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from callbluff.scenario.schema import Scenario
from callbluff.scenario.uncertainty import UncertainInput
from callbluff.sweep.run import evaluate_inputs
from callbluff.sweep.spec import build_spec

BISECTIONS = 40


@dataclass(frozen=True)
class VerdictMap:
    x_path: str
    y_path: str
    xs: np.ndarray
    ys: np.ndarray
    labels: tuple[str, ...]  # category names
    grid: np.ndarray  # (len(ys), len(xs)) index into labels
    curves: tuple[tuple[float, float], ...]  # (x, y) points where the verdict changes


def _verdicts(scenario: Scenario, x_path: str, y_path: str, lo_hi: tuple[tuple[float, float],
              tuple[float, float]], xs: np.ndarray, ys: np.ndarray) -> list[str]:
    spec = build_spec(scenario, [
        UncertainInput.model_validate({"path": p, "distribution": {
            "kind": "uniform", "low": lo, "high": hi}})
        for p, (lo, hi) in zip((x_path, y_path), lo_hi, strict=True)], None)
    if spec.prior is not None or len(spec.inputs) != 2:
        spec = type(spec)(inputs=tuple(i for i in spec.inputs if i.path in (x_path, y_path)),
                          prior=None, type_ids=spec.type_ids)
    inputs: dict[str, Any] = {}
    for item in spec.inputs:
        inputs[item.column] = xs if item.path == x_path else ys
    outs, _ = evaluate_inputs(scenario, spec, inputs, len(xs))
    return [f"{'separates' if s else 'does not separate'}; best: {b}"
            for s, b in zip(outs["separates"], outs["best_offer"], strict=True)]


def verdict_map(scenario: Scenario, x_path: str, y_path: str,
                x_range: tuple[float, float], y_range: tuple[float, float],
                resolution: int = 41) -> VerdictMap:
    if resolution < 2:
        raise ValueError("resolution must be >= 2")
    if x_path == y_path:
        raise ValueError("the two inputs of a map must differ")
    xs = np.linspace(*x_range, resolution)
    ys = np.linspace(*y_range, resolution)
    gx, gy = np.meshgrid(xs, ys)
    ranges = (x_range, y_range)
    labels_flat = _verdicts(scenario, x_path, y_path, ranges, gx.ravel(), gy.ravel())
    labels = tuple(sorted(set(labels_flat)))
    grid = np.array([labels.index(v) for v in labels_flat]).reshape(gy.shape)
    # bisect every change along y
    todo = [(j, i) for j in range(resolution) for i in range(resolution - 1)
            if grid[i, j] != grid[i + 1, j]]
    curves: list[tuple[float, float]] = []
    if todo:
        x = np.array([xs[j] for j, _ in todo])
        lo = np.array([ys[i] for _, i in todo])
        hi = np.array([ys[i + 1] for _, i in todo])
        left = [labels[grid[i, j]] for j, i in todo]
        for _ in range(BISECTIONS):
            mid = (lo + hi) / 2
            at = _verdicts(scenario, x_path, y_path, ranges, x, mid)
            same = np.array([a == b for a, b in zip(at, left, strict=True)])
            lo = np.where(same, mid, lo)
            hi = np.where(same, hi, mid)
        curves = [(float(a), float((b + c) / 2)) for a, b, c in zip(x, lo, hi, strict=True)]
    return VerdictMap(x_path, y_path, xs, ys, labels, grid, tuple(curves))


def write_png(m: VerdictMap, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Rectangle

    colours = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3",
               "#8c8c8c"]
    fig, ax = plt.subplots(figsize=(8, 6))
    cmap = ListedColormap([colours[i % len(colours)] for i in range(len(m.labels))])
    ax.pcolormesh(m.xs, m.ys, m.grid, cmap=cmap, vmin=-0.5, vmax=len(m.labels) - 0.5,
                  shading="nearest")
    if m.curves:
        cx, cy = zip(*m.curves, strict=True)
        ax.scatter(cx, cy, s=6, color="black", label="threshold (bisected)")
    handles = [Rectangle((0, 0), 1, 1, color=cmap(i)) for i in range(len(m.labels))]
    ax.legend(handles, m.labels, loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize=8)
    ax.set_xlabel(m.x_path)
    ax.set_ylabel(m.y_path)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(str(path), dpi=120)
    plt.close(fig)


def write_html(m: VerdictMap, path: Path, title: str) -> None:
    import plotly.graph_objects as go

    fig = go.Figure(go.Heatmap(x=m.xs, y=m.ys, z=m.grid, colorscale="Viridis",
                               text=[[m.labels[v] for v in row] for row in m.grid],
                               hoverinfo="x+y+text", showscale=False))
    if m.curves:
        cx, cy = zip(*m.curves, strict=True)
        fig.add_trace(go.Scatter(x=cx, y=cy, mode="markers", marker={"size": 4, "color": "black"},
                                 name="threshold (bisected)"))
    fig.update_layout(title=title + "<br><sub>" + " | ".join(
        f"{i}: {label}" for i, label in enumerate(m.labels)) + "</sub>",
        xaxis_title=m.x_path, yaxis_title=m.y_path)
    fig.write_html(str(path), include_plotlyjs=True, full_html=True)


__all__ = ["VerdictMap", "verdict_map", "write_html", "write_png"]
