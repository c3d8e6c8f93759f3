"""Plotly figures of an analysis, built from its JSON form
(:func:`callbluff.analysis.jsonify.analysis_json`), never from the model.

Plotly reads a small subset of HTML in text (``<b>``, ``<br>``, ``<a href>``) and
decodes entities, so every string that comes from a scenario goes through
:func:`text` (``html.escape``) before it reaches a figure: a label written
``<b>x</b>`` is shown as those characters, not in bold.
"""

from __future__ import annotations

import html
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

#: Response categories of docs/model.md ("Naming in results"), in display order.
RESPONSES = (
    ("accept_comply", "accept & comply", "#2e8b57"),
    ("accept_cheat", "accept & cheat", "#d35400"),
    ("counter", "asks for more", "#8e44ad"),
    ("balk", "balks at inspections", "#c0392b"),
    ("reject", "reject", "#7f8c8d"),
)
#: Figures are drawn this wide and then fitted to the page (report/html.py): on
#: screen the report's column, in print the A4 text width.
WIDTH = 680
#: Smallest text in a figure, in px (issue 16: at least 12 px).
FONT = 13
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939")


def text(value: object) -> str:
    """A scenario string made safe for Plotly's text renderer."""
    return html.escape(str(value), quote=True)


def wrap(line: str, width: int = 80) -> str:
    """A long (already escaped) caption broken into lines for Plotly (``<br>``)."""
    lines: list[str] = []
    for word in line.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": FONT + 2}}, width=WIDTH, height=height,
        template="simple_white", margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.2},
        font={"family": "sans-serif", "size": FONT},
    )
    return fig


def main_offer(aj: dict[str, Any]) -> dict[str, Any]:
    return next(o for o in aj["offers"] if o["id"] == aj["main_offer"])


def equilibrium_choices(offer: dict[str, Any]) -> list[tuple[int, str]]:
    """(index, name) of the equilibria to show: all when few, else best and worst."""
    n = len(offer["equilibria"])
    tags: dict[int, list[str]] = {}
    tags.setdefault(offer["proposer_worst"], []).append("proposer-worst")
    tags.setdefault(offer["proposer_best"], []).append("proposer-best")
    chosen = range(n) if n <= 3 else sorted(tags)
    return [(i, f"equilibrium {i + 1}" + (f" ({', '.join(tags[i])})" if i in tags else ""))
            for i in chosen]


def responses_figure(aj: dict[str, Any], offer: dict[str, Any]) -> go.Figure:
    """Each type's answer to the offer (stacked probabilities), per equilibrium."""
    choices = equilibrium_choices(offer)
    types = aj["scenario"]["types"]
    fig = make_subplots(rows=len(choices), cols=1, shared_xaxes=True,
                        subplot_titles=[text(name) for _, name in choices],
                        vertical_spacing=0.12 if len(choices) > 1 else 0.05)
    for row, (index, _) in enumerate(choices, start=1):
        strategy = offer["equilibria"][index]["target_strategy"]
        for key, label, colour in RESPONSES:
            fig.add_trace(go.Bar(
                y=[text(t) for t in types], x=[strategy[t][key] for t in types],
                orientation="h", name=label, marker_color=colour, legendgroup=key,
                showlegend=row == 1,
                hovertemplate="%{y}: " + label + " %{x:.3f}<extra></extra>"), row=row, col=1)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(range=[0, 1], row=len(choices), col=1)
    return _layout(fig, f"How each type answers the offer {text(offer['id'])} "
                   "(probabilities)",
                   140 + 50 * len(types) * len(choices))


def posteriors_figure(aj: dict[str, Any], offer: dict[str, Any]) -> go.Figure:
    """What the proposer should believe after each answer (proposer-worst equilibrium)."""
    eq = offer["equilibria"][offer["proposer_worst"]]
    answers = list(eq["posteriors"])
    types = aj["scenario"]["types"]
    fig = go.Figure()
    for i, t in enumerate(types):
        ys = [None if eq["posteriors"][a] is None else eq["posteriors"][a][t] for a in answers]
        fig.add_trace(go.Bar(x=[text(a) for a in answers], y=ys, name=text(t),
                             marker_color=PALETTE[i % len(PALETTE)]))
    off = [a for a in answers if eq["posteriors"][a] is None]
    subtitle = f" (off the path: {', '.join(text(a) for a in off)})" if off else ""
    fig.update_layout(barmode="group")
    fig.update_yaxes(range=[0, 1], title_text="posterior probability")
    return _layout(fig, f"Beliefs after each answer, worst equilibrium{subtitle}", 380)


def thresholds_figure(aj: dict[str, Any], offer: dict[str, Any],
                      current: dict[str, float]) -> go.Figure | None:
    """The main offer's thresholds on their axes, with the scenario's current values.

    ``current``: ``detection``, ``package_cost`` and ``security_prior`` now."""
    t = offer["thresholds"]
    if t is None:
        return None
    # Each caption is the reading the bar draws, so colours and words cannot disagree.
    detection, cost, prior = (wrap(text(r)) for r in t["readings"])
    fig = make_subplots(rows=3, cols=1, vertical_spacing=0.3, subplot_titles=[
        f"Detection (green: no ulterior type accepts and cheats)<br>{detection}",
        f"Package cost (green: the offer is the proposer's best choice)<br>{cost}",
        f"Prior on security-only types (green: going all in beats no offer)<br>{prior}",
    ])
    good = "rgba(46,139,87,0.35)"
    bad = "rgba(192,57,43,0.18)"

    def band(row: int, lo: float, hi: float, ok: bool) -> None:
        fig.add_trace(go.Bar(x=[hi - lo], base=[lo], y=[""], orientation="h",
                             marker_color=good if ok else bad, showlegend=False,
                             hovertemplate=f"{lo:.4g} to {hi:.4g}<extra></extra>"),
                      row=row, col=1)

    def marker(row: int, x: float, name: str) -> None:
        fig.add_trace(go.Scatter(x=[x], y=[""], mode="markers+text", text=[f"now {x:.4g}"],
                                 textposition="top center", marker={"size": 12,
                                 "color": "#222", "symbol": "diamond"},
                                 name=name, showlegend=False), row=row, col=1)

    d = t["detection"]
    if d is None:
        band(1, 0.0, 1.0, False)
    else:
        band(1, 0.0, d, False)
        band(1, d, 1.0, True)
    marker(1, current["detection"], "detection")
    cost_max = t["max_package_cost"]
    now = t["package_cost_now"]
    hi = max(2 * now, (cost_max or 0) * 1.25, 1.0)
    if cost_max is None:
        # No threshold in range: the offer is the best choice at every cost, or at none.
        band(2, 0.0, hi, aj["best_offer"]["proposer-worst"] == offer["id"])
    else:
        band(2, 0.0, cost_max, True)
        band(2, cost_max, hi, False)
    marker(2, now, "package cost")
    edges = [0.0]
    for lo, up in t["security_prior_ranges"]:
        if lo > edges[-1]:
            band(3, edges[-1], lo, False)
        band(3, lo, up, True)
        edges.append(up)
    if edges[-1] < 1.0:
        band(3, edges[-1], 1.0, False)
    marker(3, current["security_prior"], "security prior")
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(range=[0, 1], row=1, col=1)
    fig.update_xaxes(range=[0, hi], row=2, col=1)
    fig.update_xaxes(range=[0, 1], row=3, col=1)
    fig.update_yaxes(showticklabels=False)
    fig.update_annotations(font_size=FONT)
    return _layout(fig, f"Thresholds of the offer {text(offer['id'])}", 560)


def talks_figure(aj: dict[str, Any]) -> go.Figure | None:
    """The talks game: on the worst path of the best policy of each family, the
    chance that the target is security-only and how much is still unknown (bits) at
    the start of each round, then after the last refusal; and the arsenal's value
    (× today's) by round."""
    talks = aj.get("talks")
    if not talks or not talks["best_by_family"]:
        return None
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("chance of a security-only target",
                                        "still unknown (bits) and arsenal (× today's)"))
    horizon = talks["horizon"]
    for n, (family, p) in enumerate(talks["best_by_family"].items()):
        color = PALETTE[n % len(PALETTE)]
        rounds = [r["round"] for r in p["path"]]
        security = [r["security_probability"] for r in p["path"]]
        bits = [r["unknown_bits"] for r in p["path"]]
        if p["final_belief"]:
            rounds.append(len(p["path"]))
            security.append(p["final_security_probability"])
            bits.append(p["final_unknown_bits"])
        name = text(family)
        fig.add_trace(go.Scatter(x=rounds, y=security, mode="lines+markers", name=name,
                                 line={"color": color}, legendgroup=name), row=1, col=1)
        fig.add_trace(go.Scatter(x=rounds, y=bits, mode="lines+markers", name=name,
                                 line={"color": color, "dash": "dot"}, legendgroup=name,
                                 showlegend=False), row=2, col=1)
    longest = max(talks["policies"], key=lambda p: len(p["path"]))
    fig.add_trace(go.Scatter(
        x=[r["round"] for r in longest["path"]], y=[r["arsenal"] for r in longest["path"]],
        mode="lines", name="arsenal (× today's)", line={"color": "#7f8c8d", "dash": "dash"}),
        row=2, col=1)
    fig.update_xaxes(title_text="round (the last point: after the last refusal)", dtick=1,
                     range=[-0.3, horizon + 0.3], row=2, col=1)
    fig.update_yaxes(range=[0, 1], row=1, col=1)
    return _layout(fig, "Talks that teach: what the proposer learns, round by round", 520)


def figures(aj: dict[str, Any], current: dict[str, float]) -> list[tuple[str, go.Figure]]:
    """The report's figures, each with a stable id."""
    offer = main_offer(aj)
    out: list[tuple[str, go.Figure]] = [
        ("fig-responses", responses_figure(aj, offer)),
        ("fig-posteriors", posteriors_figure(aj, offer)),
    ]
    thresholds = thresholds_figure(aj, offer, current)
    if thresholds is not None:
        out.append(("fig-thresholds", thresholds))
    talks = talks_figure(aj)
    if talks is not None:
        out.append(("fig-talks", talks))
    return out


__all__ = ["figures", "main_offer", "text"]
