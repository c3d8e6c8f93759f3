"""The report's robustness section, where a sweep was run: the sweep's summary, the
one-at-a-time tornado of the main offer's value over each uncertain input's range,
and the verdict map of the sampled variants over the two inputs that matter most.

Everything is computed from the sweep's Parquet file and the scenario
(:mod:`callbluff.sweep`); strings from the scenario go through
:func:`callbluff.report.charts.text` before they reach a figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from callbluff.analysis.verdict import main_offer_id
from callbluff.report.charts import WIDTH, text
from callbluff.scenario.schema import Scenario
from callbluff.sweep.sensitivity import scenario_tornado
from callbluff.sweep.spec import INPUT_PREFIX, build_spec
from callbluff.sweep.summary import summarise_file, summary_lines


@dataclass(frozen=True)
class SweepSection:
    lines: tuple[str, ...]
    figures: tuple[tuple[str, go.Figure], ...]


def sweep_section(scenario: Scenario, parquet: Path) -> SweepSection:
    main = main_offer_id(scenario)
    summary = summarise_file(parquet, main)
    figures: list[tuple[str, go.Figure]] = []
    spec = build_spec(scenario)
    if spec.inputs:
        base, bars = scenario_tornado(scenario, spec)
        bars = sorted(bars, key=lambda b: b.swing)
        fig = go.Figure()
        fig.add_bar(y=[text(b.name) for b in bars], x=[b.output_low - base for b in bars],
                    base=base, orientation="h", name="input at its low end",
                    marker_color="#1f77b4")
        fig.add_bar(y=[text(b.name) for b in bars], x=[b.output_high - base for b in bars],
                    base=base, orientation="h", name="input at its high end",
                    marker_color="#ff7f0e")
        fig.update_layout(barmode="overlay", width=WIDTH, height=120 + 40 * len(bars),
                          template="simple_white",
                          title=text(f"Tornado: proposer value of '{main}' (worst equilibrium)"),
                          xaxis_title="proposer value", legend={"orientation": "h"})
        figures.append(("fig-tornado", fig))
    inputs = [i.input for i in summary.importance]
    if len(inputs) >= 2:
        x_name, y_name = inputs[0], inputs[1]
        table = pd.read_parquet(parquet, columns=[INPUT_PREFIX + x_name, INPUT_PREFIX + y_name,
                                                  "separates", "cheaters"])
        verdict = ["accept and cheat" if c > 0 else ("separates" if s else "does not separate")
                   for s, c in zip(table["separates"], table["cheaters"], strict=True)]
        fig = go.Figure()
        for label, colour in (("separates", "#2e8b57"), ("does not separate", "#7f8c8d"),
                              ("accept and cheat", "#d35400")):
            keep = [v == label for v in verdict]
            fig.add_scatter(x=table[INPUT_PREFIX + x_name][keep],
                            y=table[INPUT_PREFIX + y_name][keep],
                            mode="markers", name=label, marker={"color": colour, "size": 6})
        fig.update_layout(width=WIDTH, height=460, template="simple_white",
                          title="Verdict map of the sampled variants",
                          xaxis_title=text(x_name), yaxis_title=text(y_name),
                          legend={"orientation": "h"})
        figures.append(("fig-verdict-map", fig))
    return SweepSection(lines=tuple(summary_lines(summary)), figures=tuple(figures))
