"""How results look in a notebook: short ``repr`` lines, HTML tables, pandas frames
and Plotly figures.

The result classes (`ScenarioAnalysis`, `OfferAnalysis`, `SolveResult`, `Game`,
`SweepResult`) delegate here, so that their modules stay free of pandas and Plotly,
which are imported only when a frame or a figure is asked for.

Nothing is computed anew: every cell is read from the result (the HTML verdict box
is the analysis's own ``verdict`` lines; the figures are the report's,
`callbluff.report.charts`).  Every string from a scenario is escaped
(``html.escape``) before it reaches HTML.

>>> import callbluff as cb
>>> analysis = cb.analyze("north-korea-2009", thresholds=False, policies=False)
>>> print(repr(analysis).splitlines()[0])  # doctest: +ELLIPSIS
ScenarioAnalysis of 'north-korea-2009': main offer 'all-in'; ...
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, cast

from callbluff.analysis.numbers import exact, pct, yes_no

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

    from callbluff.analysis.summary import Summary
    from callbluff.analysis.verdict import OfferAnalysis, ScenarioAnalysis
    from callbluff.api import SweepResult
    from callbluff.game.tree import Game
    from callbluff.scenario.schema import Scenario
    from callbluff.solve.result import SolveResult

#: Kinds of frame of an analysis (``ScenarioAnalysis.to_frame(kind)``).
FRAME_KINDS = ("equilibria", "answers", "offers", "policies")
#: Figures of an analysis (``ScenarioAnalysis.plot(kind)``), as in the report.
PLOT_KINDS = ("responses", "posteriors", "thresholds", "talks")
_RESPONSES = ("accept_comply", "accept_cheat", "counter", "balk", "reject")

_STYLE = ("<style>.callbluff-result table{border-collapse:collapse;margin:4px 0 10px}"
          ".callbluff-result th,.callbluff-result td{border:1px solid #ccc;padding:2px 8px;"
          "text-align:left}.callbluff-result .verdict{border-left:5px solid #555;"
          "padding:4px 10px;margin:6px 0;background:#f6f6f6}"
          ".callbluff-result .separates{border-color:#2e8b57}"
          ".callbluff-result .pools{border-color:#c0392b}</style>")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _num(value: Fraction | float | None, places: int = 3) -> str:
    if value is None:
        return "—"
    return f"{float(value):.{places}f}"


def _exact(value: Fraction | None) -> str:
    return "—" if value is None else exact(value)


def _table(header: Sequence[str], rows: Iterable[Sequence[object]], caption: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _value(x: Fraction, exact: bool) -> Fraction | float:
    return x if exact else float(x)


# -- the analysis of a scenario ---------------------------------------------------------

def _separation(o: OfferAnalysis) -> str:
    if o.separates_always:
        return "separates in every equilibrium"
    if o.separates_sometimes:
        return (f"separates in {sum(e.separates for e in o.equilibria)} of "
                f"{len(o.equilibria)} equilibria")
    return "does not separate"


def analysis_repr(a: ScenarioAnalysis) -> str:
    """A few lines: the main offer's separation, the best offer, the first verdict line.

    >>> import callbluff as cb
    >>> analysis = cb.analyze("north-korea-2009", thresholds=False, policies=False)
    >>> len(repr(analysis).splitlines()) <= 5
    True
    """
    from callbluff.analysis.summary import summary  # here: summary imports the verdict

    brief = summary(a)
    lines = [
        f"ScenarioAnalysis of {a.scenario.id!r}: main offer {a.main_offer!r}; "
        f"{len(a.offers)} offers, {sum(len(o.equilibria) for o in a.offers)} equilibria "
        "(.summary() for the deciding numbers)",
        "  " + brief.answer,
        "  " + brief.action,
    ]
    return "\n".join(lines)


def _offer_rows(a: ScenarioAnalysis) -> list[list[object]]:
    rows: list[list[object]] = []
    for o in a.offers:
        rows.append([o.offer_id, o.label, o.regime, len(o.equilibria), _separation(o),
                     _num(o.proposer_worst.proposer_value, 2),
                     _num(o.proposer_best.proposer_value, 2),
                     ", ".join(o.cheaters(a.scenario)) or "none"])
    return rows


def _answers_table(a: ScenarioAnalysis, o: OfferAnalysis) -> str:
    worst = o.proposer_worst
    rows = [[t.id, yes_no(t.security_only), pct(t.prior),
             *(pct(worst.target_strategy[t.id].as_dict()[r]) for r in _RESPONSES)]
            for t in a.scenario.types]
    return _table(["type", "security only", "prior", "accept & comply", "accept & cheat",
                   "ask for more", "balks at inspections", "reject"], rows,
                  f"Answers to the '{o.offer_id}' offer, per type (proposer-worst equilibrium)")


def analysis_html(a: ScenarioAnalysis) -> str:
    """The verdict box and the main tables, as in the report."""
    from callbluff.analysis.summary import summary  # here: summary imports the verdict

    s = a.scenario
    main = a.offer(a.main_offer)
    brief = summary(a)
    test = a.article
    holds = (test.indisputable if test is not None and test.indisputable is not None
             else main.separates_always)
    kind = "separates" if holds else "pools"
    numbers = "".join(f"<li>{_e(line)}</li>" for line in brief.numbers)
    verdict = "".join(f"<li>{_e(line)}</li>" for line in a.verdict)
    parts = [
        _STYLE, '<div class="callbluff-result">',
        f"<h3>{_e(s.title)} <small>({_e(s.id)})</small></h3>",
        f'<div class="verdict {kind}"><p>{_e(brief.question)}</p><p><b>{_e(brief.answer)}'
        f"</b></p>" + (f"<p>Deciding numbers:</p><ul>{numbers}</ul>" if numbers else "")
        + f"<p>{_e(brief.action)}</p></div>",
        f"<details><summary>Every sentence of the verdict ({len(a.verdict)})</summary>"
        f"<ol>{verdict}</ol></details>",
        _table(["offer", "label", "regime", "equilibria", "separation",
                "proposer value (worst)", "proposer value (best)", "can accept and cheat"],
               _offer_rows(a),
               f"Offers (status quo: {_num(a.status_quo_value, 2)}, "
               f"fallback {a.status_quo_fallback})"),
        _answers_table(a, main),
    ]
    if a.thresholds is not None:
        t = a.thresholds
        parts.append(_table(["threshold", "value", "reading"], [
            ["detection probability", _exact(t.detection), t.detection_reading],
            ["maximum package cost", _exact(t.max_package_cost), t.package_cost_reading],
            ["prior on security-only types",
             "; ".join(f"[{exact(lo)}, {exact(hi)}]" for lo, hi in t.security_prior_ranges)
             or "—", t.security_prior_reading],
        ], f"Thresholds of the '{a.main_offer}' offer"))
    if a.talks is not None:
        best = "none" if a.talks.best is None else a.talks.best.family
        parts.append(_table(["policy", "offers by round", "proposer value (worst / best)"],
                            [[p.family, " · ".join(p.offers),
                              "no equilibrium found" if p.proposer_worst is None
                              else f"{_num(p.proposer_worst, 2)} / {_num(p.proposer_best, 2)}"]
                             for p in a.talks.policies],
                            f"All in now or talks that teach, {a.talks.horizon} rounds "
                            f"(best: {best})"))
    parts.append("</div>")
    return "".join(parts)


def _equilibrium_rows(a: ScenarioAnalysis, offers: Sequence[OfferAnalysis],
                      exact: bool) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for o in offers:
        best, worst = o.proposer_best, o.proposer_worst
        for i, e in enumerate(o.equilibria):
            row: dict[str, object] = {
                "offer": o.offer_id, "equilibrium": i,
                "proposer_worst": e is worst, "proposer_best": e is best,
                "separates": e.separates, "classification": e.classification,
                "proposer_value": _value(e.proposer_value, exact),
                "diagnosticity_bits": e.diagnosticity_bits,
                "misread_probability": _value(e.misread_probability, exact),
                "intuitive_criterion": e.intuitive_criterion,
            }
            for answer, p in e.answer_probability.items():
                row[f"P({answer})"] = _value(p, exact)
            for t, v in e.target_values.items():
                row[f"value:{t}"] = _value(v, exact)
            rows.append(row)
    return rows


def _answer_rows(a: ScenarioAnalysis, offers: Sequence[OfferAnalysis],
                 exact: bool) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for o in offers:
        for i, e in enumerate(o.equilibria):
            for t in a.scenario.types:
                strategy = e.target_strategy[t.id]
                rows.append({"offer": o.offer_id, "equilibrium": i, "type": t.id,
                             "security_only": t.security_only,
                             **{r: _value(v, exact) for r, v in strategy.as_dict().items()}})
    return rows


def analysis_frame(a: ScenarioAnalysis, kind: str = "equilibria", *,
                   offer_id: str | None = None, exact: bool = False) -> pd.DataFrame:
    """A pandas frame of an analysis (see ``ScenarioAnalysis.to_frame``)."""
    import pandas as pd

    if kind not in FRAME_KINDS:
        raise ValueError(f"kind must be one of {', '.join(FRAME_KINDS)}, got {kind!r}")
    offers = a.offers if offer_id is None else (a.offer(offer_id),)
    if kind == "equilibria":
        return pd.DataFrame(_equilibrium_rows(a, offers, exact))
    if kind == "answers":
        return pd.DataFrame(_answer_rows(a, offers, exact))
    if kind == "offers":
        return pd.DataFrame([
            {"offer": o.offer_id, "label": o.label, "regime": o.regime,
             "equilibria": len(o.equilibria), "separates_always": o.separates_always,
             "separates_sometimes": o.separates_sometimes,
             "proposer_value_worst": _value(o.proposer_worst.proposer_value, exact),
             "proposer_value_best": _value(o.proposer_best.proposer_value, exact),
             "cheaters": ", ".join(o.cheaters(a.scenario)), "method": o.method}
            for o in offers])
    if a.talks is None:
        raise ValueError("the analysis has no policy comparison (analyze with policies=True)")
    return pd.DataFrame([
        {"policy": p.family, "offers": " · ".join(p.offers), "equilibria": p.equilibria,
         "proposer_value_worst": None if p.proposer_worst is None
         else _value(p.proposer_worst, exact),
         "proposer_value_best": None if p.proposer_best is None
         else _value(p.proposer_best, exact),
         **{f"settles:{t}": r for t, r in p.settles.items()},
         **{f"settle_probability:{t}": _value(q, exact)
            for t, q in p.settle_probability.items()}}
        for p in a.talks.policies])


def analysis_figure(a: ScenarioAnalysis, kind: str = "responses") -> go.Figure:
    """One of the report's figures of an analysis (see ``ScenarioAnalysis.plot``)."""
    from callbluff.analysis.jsonify import analysis_json
    from callbluff.report.charts import figures
    from callbluff.report.html import current_values

    if kind not in PLOT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(PLOT_KINDS)}, got {kind!r}")
    found = dict(figures(analysis_json(a), current_values(a.scenario, a.main_offer)))
    figure = found.get(f"fig-{kind}")
    if figure is None:
        missing = "thresholds=True" if kind == "thresholds" else "policies=True"
        raise ValueError(f"no {kind} figure: analyze with {missing}")
    return figure


# -- one offer ----------------------------------------------------------------------------

def offer_repr(o: OfferAnalysis) -> str:
    """One line: the offer, its equilibria, whether it separates."""
    n = len(o.equilibria)
    return (f"OfferAnalysis {o.offer_id!r} ({o.label}): {n} equilibri{'um' if n == 1 else 'a'}, "
            f"{_separation(o)}; proposer value {float(o.proposer_worst.proposer_value):.2f} "
            f"(worst) to {float(o.proposer_best.proposer_value):.2f} (best)")


def offer_html(o: OfferAnalysis) -> str:
    """The offer's equilibria as a table."""
    rows = [[i, "yes" if e.separates else "no", e.classification, _num(e.proposer_value, 2),
             ", ".join(f"{k} {_num(v)}" for k, v in e.answer_probability.items())]
            for i, e in enumerate(o.equilibria)]
    return (_STYLE + '<div class="callbluff-result">'
            + _table(["equilibrium", "separates", "classification", "proposer value",
                      "answer probabilities"], rows, offer_repr(o)) + "</div>")


# -- a solved game ------------------------------------------------------------------------

def solve_repr(r: SolveResult) -> str:
    """One line: the game, the method, the equilibria's classes."""
    kinds = ", ".join(sorted({e.classification for e in r.equilibria})) or "none"
    n = len(r.equilibria)
    return (f"SolveResult of {r.game.title!r}: {n} equilibri{'um' if n == 1 else 'a'} ({kinds}) "
            f"by {r.method}")


def _payoff_rows(r: SolveResult) -> list[list[object]]:
    return [[i, e.classification, *(_num(v) for v in e.payoffs),
             "—" if e.intuitive_criterion is None else
             ("passes" if e.intuitive_criterion else "fails"), _num(e.max_regret, 6)]
            for i, e in enumerate(r.equilibria)]


def solve_html(r: SolveResult) -> str:
    """The equilibria with payoffs, the intuitive criterion and the regret check."""
    header = ["equilibrium", "classification", *(f"payoff {p}" for p in r.game.players),
              "intuitive criterion", "max regret"]
    return (_STYLE + '<div class="callbluff-result">'
            + _table(header, _payoff_rows(r), solve_repr(r)) + "</div>")


def solve_frame(r: SolveResult, kind: str = "equilibria", *,
                exact: bool = False) -> pd.DataFrame:
    """Equilibria (one row each, payoffs per player) or ``"behaviour"`` (one row per
    equilibrium, information set and action, with its probability)."""
    import pandas as pd

    if kind == "equilibria":
        return pd.DataFrame([
            {"equilibrium": i, "classification": e.classification,
             **{f"payoff:{p}": _value(v, exact) for p, v in
                zip(r.game.players, e.payoffs, strict=True)},
             "intuitive_criterion": e.intuitive_criterion,
             "max_regret": _value(e.max_regret, exact)}
            for i, e in enumerate(r.equilibria)])
    if kind == "behaviour":
        return pd.DataFrame([
            {"equilibrium": i, "infoset": h, "on_path": h in e.on_path, "action": action,
             "probability": _value(p, exact)}
            for i, e in enumerate(r.equilibria)
            for h, actions in e.behaviour.items() for action, p in actions.items()])
    raise ValueError(f"kind must be 'equilibria' or 'behaviour', got {kind!r}")


def game_repr(g: Game) -> str:
    """One line: title, players and sizes."""
    sizes = g.sizes()
    return (f"Game {g.title!r}: players {', '.join(g.players)}; {sizes['nodes']} nodes, "
            f"{sizes['terminals']} terminals, {sizes['infosets']} information sets")


# -- a sweep ------------------------------------------------------------------------------

def sweep_repr(r: SweepResult) -> str:
    """A few lines: size, separation probability with its interval, the file."""
    lo, hi = r.summary.separates_interval
    return (f"SweepResult of {r.scenario_id!r}: {r.summary.rows} variants (seed {r.seed}), "
            f"P(main offer {r.main_offer!r} separates) = {r.summary.p_separates:.3f} "
            f"(95% interval {lo:.3f}–{hi:.3f})\n  file: {r.path}")


def sweep_html(r: SweepResult) -> str:
    """The summary lines and the quantiles of the key outputs."""
    from callbluff.sweep.summary import summary_lines

    lines = "".join(f"<li>{_e(line)}</li>" for line in summary_lines(r.summary))
    rows = [[name, _num(q5), _num(mid), _num(q95)]
            for name, (q5, mid, q95) in r.summary.quantiles.items()]
    return (_STYLE + '<div class="callbluff-result">'
            + f"<h3>Sweep of {_e(r.scenario_id)}</h3><ul>{lines}</ul>"
            + _table(["output", "5%", "median", "95%"], rows, "Key outputs")
            + f"<p>rows in <code>{_e(r.path)}</code></p></div>")


def sweep_frame(r: SweepResult) -> pd.DataFrame:
    """Every row of the sweep's Parquet file."""
    import pandas as pd

    return pd.read_parquet(r.path)


def sweep_figure(r: SweepResult, x: str | None = None) -> go.Figure:
    """Main offer's worst-equilibrium value against one drawn input."""
    import plotly.graph_objects as go

    from callbluff.report.charts import WIDTH, text
    from callbluff.sweep.spec import INPUT_PREFIX

    inputs = [i.input for i in r.summary.importance]
    if not inputs:
        raise ValueError("the sweep has no drawn inputs to plot against")
    chosen = inputs[0] if x is None else x
    if chosen not in inputs:
        raise ValueError(f"no input {chosen!r} in the sweep (inputs: {', '.join(inputs)})")
    value = f"value:{r.main_offer}"
    frame = sweep_frame(r)[[INPUT_PREFIX + chosen, value, "separates"]]
    fig = go.Figure()
    for separates, name, colour in ((True, "separates", "#2e8b57"),
                                    (False, "does not separate", "#7f8c8d")):
        part = frame[frame["separates"] == separates]
        fig.add_scatter(x=part[INPUT_PREFIX + chosen], y=part[value], mode="markers",
                        name=name, marker={"color": colour, "size": 6})
    fig.update_layout(width=WIDTH, height=420, template="simple_white",
                      title=text(f"Proposer value of '{r.main_offer}' (worst equilibrium) "
                                 f"against {chosen}"),
                      xaxis_title=text(chosen), yaxis_title="proposer value",
                      legend={"orientation": "h"})
    return fig


def scenario_repr(s: Scenario) -> str:
    """One line: id, title, types and offers of a scenario."""
    return (f"Scenario {s.id!r} ({s.title}): types {', '.join(s.type_ids())}; "
            f"offers {', '.join(o.id for o in s.offers)}")




# -- the faces the result classes inherit ---------------------------------------------------
# Mixins without state: the classes keep their fields and stay frozen; a dataclass that
# inherits one is declared with ``repr=False`` so that the short repr below is used.

class ScenarioView:
    """Short repr and ``with_value`` of `Scenario`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return scenario_repr(cast("Scenario", self))

    def with_value(self, path: str, value: float | str | Fraction) -> Scenario:
        """A copy with the number at ``path`` set to ``value``, validated again
        (`callbluff.api.with_value`; the paths of ``--threshold``).

        Examples
        --------
        >>> import callbluff as cb
        >>> nk = cb.load("north-korea-2009")
        >>> nk.with_value("cheating.penalty", 0).cheating.penalty
        Fraction(0, 1)
        """
        from callbluff.api import with_value

        return with_value(cast("Scenario", self), path, value)


class AnalysisView:
    """Notebook faces of `ScenarioAnalysis`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return analysis_repr(cast("ScenarioAnalysis", self))

    def summary(self) -> Summary:
        """The one-screen summary every face opens with (question, answer, deciding
        numbers, what to do): :func:`callbluff.analysis.summary.summary`."""
        from callbluff.analysis.summary import summary  # here: summary imports the verdict

        return summary(cast("ScenarioAnalysis", self))

    def _repr_html_(self) -> str:
        return analysis_html(cast("ScenarioAnalysis", self))

    def to_frame(self, kind: str = "equilibria", *, offer_id: str | None = None,
                 exact: bool = False) -> pd.DataFrame:
        """A pandas frame of the analysis.

        Parameters
        ----------
        kind
            ``"equilibria"`` (one row per offer and equilibrium: separation,
            classification, proposer value, answer probabilities, each type's
            value), ``"answers"`` (one row per offer, equilibrium and type: the
            probabilities of accept & comply, accept & cheat, counter, reject),
            ``"offers"`` (one row per offer) or ``"policies"`` (all in now against
            the policies of the talks game: schedule, worst and best value, the round
            each type settles in and its chance of settling).
        offer_id
            Only this offer's rows.
        exact
            Keep the exact `Fraction` values instead of floats.

        Examples
        --------
        >>> import callbluff as cb
        >>> analysis = cb.analyze("north-korea-2009", thresholds=False, policies=False)
        >>> answers = analysis.to_frame("answers", offer_id="all-in")
        >>> list(answers.columns[:4])
        ['offer', 'equilibrium', 'type', 'security_only']
        """
        return analysis_frame(cast("ScenarioAnalysis", self), kind, offer_id=offer_id,
                              exact=exact)

    def plot(self, kind: str = "responses") -> go.Figure:
        """One of the report's Plotly figures: ``"responses"`` (each type's answer to
        the main offer), ``"posteriors"`` (beliefs after each answer),
        ``"thresholds"`` (needs ``thresholds=True``) or ``"talks"`` (belief and
        arsenal over the rounds of the talks game; needs ``policies=True``).

        Examples
        --------
        >>> import callbluff as cb
        >>> analysis = cb.analyze("north-korea-2009", thresholds=False, policies=False)
        >>> type(analysis.plot("responses")).__name__
        'Figure'
        """
        return analysis_figure(cast("ScenarioAnalysis", self), kind)


class OfferView:
    """Notebook faces of `OfferAnalysis`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return offer_repr(cast("OfferAnalysis", self))

    def _repr_html_(self) -> str:
        return offer_html(cast("OfferAnalysis", self))


class SolveView:
    """Notebook faces of `SolveResult`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return solve_repr(cast("SolveResult", self))

    def _repr_html_(self) -> str:
        return solve_html(cast("SolveResult", self))

    def to_frame(self, kind: str = "equilibria", *, exact: bool = False) -> pd.DataFrame:
        """``"equilibria"`` (one row each: classification, payoffs, intuitive
        criterion, regret) or ``"behaviour"`` (one row per equilibrium,
        information set and action).

        Examples
        --------
        >>> import callbluff as cb
        >>> from callbluff.game.catalog import beer_quiche
        >>> frame = cb.solve(beer_quiche()).to_frame()
        >>> frame[["classification", "payoff:Sender", "intuitive_criterion"]].values.tolist()
        [['pooling', 2.9, True], ['pooling', 2.1, False]]
        """
        return solve_frame(cast("SolveResult", self), kind, exact=exact)


class GameView:
    """Short repr of `Game`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return game_repr(cast("Game", self))


__all__ = ["FRAME_KINDS", "PLOT_KINDS", "AnalysisView", "GameView", "OfferView",
           "ScenarioView", "SolveView", "analysis_figure", "analysis_frame", "analysis_html",
           "analysis_repr", "game_repr", "offer_html", "offer_repr", "scenario_repr",
           "solve_frame", "solve_html", "solve_repr", "sweep_figure", "sweep_frame",
           "sweep_html", "sweep_repr"]
