"""`callbluff cases`: the case library, and how likely the model makes what happened."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from callbluff.cli.app import app, console, input_failure
from callbluff.errors import InputError

if TYPE_CHECKING:
    from callbluff.analysis.cases import CaseReading, Likelihood, Summary, TypeReading


def _p(x: Fraction) -> str:
    return f"{float(x):.2f}"


def _ll(x: float) -> str:
    return "−∞" if x == -math.inf else f"{x:.2f}"


def _likelihood_json(x: Likelihood) -> dict[str, Any]:
    from callbluff.analysis.jsonify import exact

    return {name: {"value": float(v), "exact": exact(v)} for name, v in
            (("proposer_worst", x.proposer_worst), ("proposer_best", x.proposer_best),
             ("average", x.average))}


def _equilibria(n: int) -> str:
    return "1 equilibrium" if n == 1 else f"{n} equilibria"


def _reading_text(readings: tuple[TypeReading, ...], total: int) -> str:
    """One type's answers: once when every equilibrium agrees, else each support with
    its number of equilibria ("/" joins the answers of a mixed strategy)."""
    if len(readings) == 1:
        return " / ".join(readings[0].support)
    return "; ".join(f"{' / '.join(r.support)} in {r.equilibria} of {total} equilibria"
                     for r in readings)


def _readings_json(readings: Mapping[str, tuple[TypeReading, ...]]) -> dict[str, Any]:
    return {t: [{"answers": list(r.support), "equilibria": r.equilibria} for r in rs]
            for t, rs in readings.items()}


def _case_json(c: CaseReading) -> dict[str, Any]:
    from callbluff.analysis.jsonify import exact

    return {
        "case": c.scenario_id, "title": c.title, "year": c.year,
        "offer_made": c.offer_made, "observed_answer": c.observed_answer,
        "observed": c.observed, "compliance": c.compliance, "outcome": c.outcome,
        "equilibria": len(c.offer.equilibria), "solver_list_complete": c.offer.complete,
        "answer_likelihood": _likelihood_json(c.answer_likelihood),
        "with_compliance": None if c.with_compliance is None
        else _likelihood_json(c.with_compliance),
        "readings": _readings_json(c.readings),
        "counterfactual_offer": None if c.counterfactual is None else c.counterfactual.offer_id,
        "counterfactual_readings": None if c.counterfactual_readings is None
        else _readings_json(c.counterfactual_readings),
        "someone_accepts": c.someone_accepts,
        "detection": None if c.detection is None else {
            "needed": None if c.detection.needed is None else float(c.detection.needed),
            "needed_exact": None if c.detection.needed is None else exact(c.detection.needed),
            "agreed": float(c.detection.agreed), "reading": c.detection.reading},
    }


def _summary_json(s: Summary) -> dict[str, Any]:
    def num(x: float) -> float | str:
        return "-inf" if x == -math.inf else x
    return {"cases": s.cases,
            "log_likelihood": {k: num(v) for k, v in s.log_likelihood.items()},
            "cases_with_probability_0": {k: list(v) for k, v in s.zero_cases.items()},
            "baseline": {k: float(v) for k, v in s.baseline.items()},
            "baseline_log_likelihood": num(s.baseline_log_likelihood)}


@app.command("cases")
def cases_command(
    names: Annotated[list[str] | None, typer.Argument(
        help="Case scenarios (built-in names or files); default: every built-in case.")] = None,
    detection: Annotated[bool, typer.Option(
        "--detection", help="Also find the detection probability needed where some type "
        "accepts (a scan of the offer: tens of seconds).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The backtest: the probability the model gives what happened, case by case.

    Example: callbluff cases libya-2003 iran-jcpoa-2015
    """
    from callbluff.analysis.cases import read_case, summarize
    from callbluff.analysis.offers import analyze_offer
    from callbluff.analysis.verdict import main_offer_id
    from callbluff.scenario.builtin import list_builtin
    from callbluff.scenario.loader import load_scenario

    readings: list[CaseReading] = []
    not_made: list[dict[str, Any]] = []
    try:
        for name in names or list_builtin():
            scenario = load_scenario(name)
            if scenario.history is None:
                main = main_offer_id(scenario)
                offer = analyze_offer(scenario, main)
                not_made.append({"case": scenario.id, "offer": main,
                                 "separates": offer.separates_always,
                                 "note": "no offer of this file was made: counterfactual only"})
                continue
            readings.append(read_case(scenario, with_detection=detection))
    except InputError as err:
        raise input_failure(err) from None
    summary = summarize(readings) if readings else None
    if as_json:
        print(json.dumps({"cases": [_case_json(c) for c in readings],
                          "summary": None if summary is None else _summary_json(summary),
                          "counterfactual_only": not_made}, indent=2))
        return
    if summary is not None:
        _print_summary(readings, summary)
    for c in readings:
        _print_case(c)
    for row in not_made:
        console.print(f"{row['case']}: {row['note']}; {row['offer']} separates the motives "
                      f"in every equilibrium: {'yes' if row['separates'] else 'no'}")


def _print_summary(readings: list[CaseReading], s: Summary) -> None:
    table = Table(title="Case library: the probability the model gives the observed answer "
                  "to the offer made", expand=True)
    for header in ("case", "offer made", "observed", "proposer-worst", "proposer-best",
                   "average", "type-blind baseline"):
        table.add_column(header)
    for c in readings:
        x = c.answer_likelihood
        table.add_row(c.scenario_id, c.offer_made, c.observed, _p(x.proposer_worst),
                      _p(x.proposer_best),
                      f"{_p(x.average)} ({len(c.offer.equilibria)} eq.)",
                      _p(s.baseline[c.scenario_id]))
    table.add_row("log-likelihood", "", "", _ll(s.log_likelihood["proposer_worst"]),
                  _ll(s.log_likelihood["proposer_best"]), _ll(s.log_likelihood["average"]),
                  _ll(s.baseline_log_likelihood))
    console.print(table)
    for selection, zeros in s.zero_cases.items():
        if zeros:
            console.print(f"{selection.replace('_', '-')}: probability 0 in "
                          f"{', '.join(zeros)}, so the log-likelihood is −∞")
    console.print("Baseline: each answer (accept, counter-demand or balk, reject) at its "
                  "frequency among these cases; it ignores the type and is fitted to the "
                  "same cases.")


def _print_case(c: CaseReading) -> None:
    table = Table(title=f"{c.scenario_id}: {c.title}", show_header=False, expand=True)
    table.add_column("what", style="bold", no_wrap=True)
    table.add_column("value")
    table.add_row("what happened", f"{c.observed}, {c.compliance}: {c.outcome}")
    n = len(c.offer.equilibria)
    note = "" if c.offer.complete else " (the solver's list may be incomplete)"
    table.add_row(f"offer made: {c.offer_made}", f"{_equilibria(n)}{note}")
    for t, rs in c.readings.items():
        table.add_row(f"  {t}", _reading_text(rs, n))
    if c.with_compliance is not None:
        w = c.with_compliance
        table.add_row(f"P(accept and {c.compliance})",
                      f"proposer-worst {_p(w.proposer_worst)}, proposer-best "
                      f"{_p(w.proposer_best)}, average {_p(w.average)}")
    if c.counterfactual is not None and c.counterfactual_readings is not None:
        m = len(c.counterfactual.equilibria)
        table.add_row(f"all-in counterfactual: {c.counterfactual.offer_id}",
                      _equilibria(m))
        for t, rs in c.counterfactual_readings.items():
            table.add_row(f"  {t}", _reading_text(rs, m))
    if c.detection is not None:
        needed = "—" if c.detection.needed is None else _p(c.detection.needed)
        table.add_row("detection needed / agreed",
                      f"{needed} / {_p(c.detection.agreed)}: {c.detection.reading}")
    elif c.someone_accepts:
        table.add_row("detection needed", "not computed (callbluff cases --detection)")
    console.print(table)
