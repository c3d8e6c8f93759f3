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

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from callbluff.analysis.thresholds import get_number, valid_range
from callbluff.analysis.verdict import default_range
from callbluff.scenario.loader import dump_scenario, load_scenario_text
from callbluff.scenario.schema import Scenario
from callbluff.scenario.uncertainty import UncertainInput
from callbluff.sweep.run import evaluate_inputs
from callbluff.sweep.spec import SweepInput, SweepSpec

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


def default_axis(scenario: Scenario, path: str) -> tuple[float, float]:
    """The default range of an axis: the threshold search's
    (:func:`~callbluff.analysis.verdict.default_range`), cut to the values the field
    accepts (:func:`~callbluff.analysis.thresholds.valid_range`)."""
    lo, hi = default_range(path, get_number(scenario, path))
    floor, ceiling = valid_range(scenario, path)
    lo = lo if floor is None else max(lo, floor)
    hi = hi if ceiling is None else min(hi, ceiling)
    if not lo < hi:  # e.g. a zero that may not go below 0
        hi = lo + 1 if ceiling is None else ceiling
    return float(lo), float(hi)


def map_spec(scenario: Scenario, x_path: str, y_path: str,
             lo_hi: tuple[tuple[float, float], tuple[float, float]]) -> SweepSpec:
    """The two axes as the only inputs that vary (uniform over their ranges); every
    other number, priors included, stays at the scenario's value.

    Raises ``ValueError`` naming the axis (and its option, ``--x-range`` or
    ``--y-range``) whose path names no number of the scenario or whose range leaves
    the values the field accepts."""
    items = []
    for axis, path, (lo, hi) in zip("xy", (x_path, y_path), lo_hi, strict=True):
        where = f"the {axis} axis {path!r} (--{axis}-range)"
        try:
            current = get_number(scenario, path)
            floor, ceiling = valid_range(scenario, path)
        except ValueError as err:
            raise ValueError(f"the {axis} axis names no number of the scenario: {err}") from None
        if not lo < hi:
            raise ValueError(f"{where}: empty range [{lo:g}, {hi:g}]")
        if (floor is not None and lo < floor) or (ceiling is not None and hi > ceiling):
            raise ValueError(
                f"{where} accepts values in [{_shown(floor)}, {_shown(ceiling)}]; the range "
                f"[{lo:g}, {hi:g}] leaves it")
        item = UncertainInput.model_validate({"path": path, "distribution": {
            "kind": "uniform", "low": lo, "high": hi}})
        items.append(SweepInput(path, item.distribution, current))
    return SweepSpec(inputs=tuple(items), prior=None,
                     type_ids=tuple(t.id for t in scenario.types))


def _shown(bound: Fraction | None) -> str:
    return "∞" if bound is None else f"{float(bound):g}"


def _verdicts(scenario: Scenario, spec: SweepSpec, xs: np.ndarray, ys: np.ndarray) -> list[str]:
    x_item, y_item = spec.inputs
    inputs: dict[str, Any] = {x_item.column: xs, y_item.column: ys}
    outs, _ = evaluate_inputs(scenario, spec, inputs, len(xs))
    return [f"{'separates' if s else 'does not separate'}; best: {b}"
            for s, b in zip(outs["separates"], outs["best_offer"], strict=True)]


def _worker_verdicts(scenario_text: str, x_path: str, y_path: str,
                     lo_hi: tuple[tuple[float, float], tuple[float, float]], xs: np.ndarray,
                     ys: np.ndarray) -> list[str]:
    """:func:`_verdicts` on a Dask worker: the scenario comes as YAML text (safe loader)."""
    scenario = load_scenario_text(scenario_text, "<map>")
    return _verdicts(scenario, map_spec(scenario, x_path, y_path, lo_hi), xs, ys)


def _spread(n: int) -> list[int]:
    """``0 … n-1`` in an order that covers the range evenly at every prefix: the
    ends, then the midpoints of the widest gaps so far."""
    if n <= 2:
        return list(range(n))
    order, gaps = [0, n - 1], [(0, n - 1)]
    while gaps:
        lo, hi = max(gaps, key=lambda g: (g[1] - g[0], -g[0]))
        gaps.remove((lo, hi))
        if hi - lo < 2:
            continue
        mid = (lo + hi) // 2
        order.append(mid)
        gaps += [(lo, mid), (mid, hi)]
    return order


#: Called with (points evaluated, points planned) as the map is computed; the plan
#: grows when the bisection of the threshold curves starts.
Progress = Callable[[int, int], None]


def verdict_map(scenario: Scenario, x_path: str, y_path: str,
                x_range: tuple[float, float], y_range: tuple[float, float],
                resolution: int = 41, on_progress: Progress | None = None,
                client: Any = None) -> VerdictMap:
    """The verdict on a ``resolution`` × ``resolution`` grid spanning the two ranges
    (ends included), with each change along ``y`` bisected (module docstring); with a
    :class:`distributed.Client`, the points are computed on its workers (one task per
    ``resolution`` points: the same map)."""
    if resolution < 2:
        raise ValueError("resolution must be >= 2")
    if x_path == y_path:
        raise ValueError("the two inputs of a map must differ")
    spec = map_spec(scenario, x_path, y_path, (x_range, y_range))
    xs = np.linspace(*x_range, resolution)
    ys = np.linspace(*y_range, resolution)
    gx, gy = np.meshgrid(xs, ys)
    done = 0
    planned = resolution * resolution

    def evaluate(x: np.ndarray, y: np.ndarray) -> list[str]:
        # One grid row at a time, so that the progress moves while exact solves run.
        parts = [(x[start:start + resolution], y[start:start + resolution])
                 for start in range(0, len(x), resolution)]
        found: list[list[str]] = [[] for _ in parts]

        def finished(i: int, labels: list[str]) -> None:
            nonlocal done
            found[i] = labels
            done += len(labels)
            if on_progress is not None:
                on_progress(done, planned)

        # Rows spread over the grid first (0, the last, the middle, ...): the time a
        # row takes depends on where it lies, so the rate so far (the progress bar's
        # time left) is the whole map's early on.
        order = _spread(len(parts))
        if client is None:
            for i in order:
                finished(i, _verdicts(scenario, spec, *parts[i]))
        else:
            from distributed import as_completed

            text = dump_scenario(scenario)
            futures = {client.submit(_worker_verdicts, text, x_path, y_path,
                                     (x_range, y_range), *parts[i], pure=False): i
                       for i in order}
            for future in as_completed(futures):  # type: ignore[no-untyped-call]
                finished(futures[future], future.result())
        return [label for labels in found for label in labels]

    labels_flat = evaluate(gx.ravel(), gy.ravel())
    labels = tuple(sorted(set(labels_flat)))
    grid = np.array([labels.index(v) for v in labels_flat]).reshape(gy.shape)
    # bisect every change along y
    todo = [(j, i) for j in range(resolution) for i in range(resolution - 1)
            if grid[i, j] != grid[i + 1, j]]
    curves: list[tuple[float, float]] = []
    if todo:
        planned += BISECTIONS * len(todo)
        x = np.array([xs[j] for j, _ in todo])
        lo = np.array([ys[i] for _, i in todo])
        hi = np.array([ys[i + 1] for _, i in todo])
        left = [labels[grid[i, j]] for j, i in todo]
        for _ in range(BISECTIONS):
            mid = (lo + hi) / 2
            at = evaluate(x, mid)
            same = np.array([a == b for a, b in zip(at, left, strict=True)])
            lo = np.where(same, mid, lo)
            hi = np.where(same, hi, mid)
        curves = [(float(a), float((b + c) / 2)) for a, b, c in zip(x, lo, hi, strict=True)]
    return VerdictMap(x_path, y_path, xs, ys, labels, grid, tuple(curves))


def _cell_edges(centres: np.ndarray) -> np.ndarray:
    """Edges of the cells around grid points, cut at the ends of the range: the map
    shows no value outside the inputs' ranges."""
    return np.concatenate(([centres[0]], (centres[:-1] + centres[1:]) / 2, [centres[-1]]))


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
    ax.pcolormesh(_cell_edges(m.xs), _cell_edges(m.ys), m.grid, cmap=cmap, vmin=-0.5,
                  vmax=len(m.labels) - 0.5, shading="flat")
    ax.set_xlim(m.xs[0], m.xs[-1])
    ax.set_ylim(m.ys[0], m.ys[-1])
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

    fig = go.Figure(go.Heatmap(x=_cell_edges(m.xs), y=_cell_edges(m.ys), z=m.grid,
                               colorscale="Viridis",
                               text=[[m.labels[v] for v in row] for row in m.grid],
                               hoverinfo="x+y+text", showscale=False))
    if m.curves:
        cx, cy = zip(*m.curves, strict=True)
        fig.add_trace(go.Scatter(x=cx, y=cy, mode="markers", marker={"size": 4, "color": "black"},
                                 name="threshold (bisected)"))
    fig.update_layout(title=title + "<br><sub>" + " | ".join(
        f"{i}: {label}" for i, label in enumerate(m.labels)) + "</sub>",
        xaxis_title=m.x_path, yaxis_title=m.y_path,
        xaxis_range=[m.xs[0], m.xs[-1]], yaxis_range=[m.ys[0], m.ys[-1]])
    fig.write_html(str(path), include_plotlyjs=True, full_html=True)


__all__ = ["VerdictMap", "default_axis", "map_spec", "verdict_map", "write_html", "write_png"]
