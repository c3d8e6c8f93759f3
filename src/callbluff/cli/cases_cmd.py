"""`callbluff cases`: the case library, and what the model says of each case."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from callbluff.cli.app import app, console, input_failure
from callbluff.errors import InputError

if TYPE_CHECKING:
    from callbluff.analysis.cases import CaseReading


def _f(x: Fraction | None) -> str:
    return "—" if x is None else f"{float(x):.2f}"


def _dominant(strategy: dict[str, Fraction]) -> str:
    best = max(strategy.items(), key=lambda kv: kv[1])
    return best[0] if best[1] == 1 else f"{best[0]} {float(best[1]):.2f}"


def _case_json(c: CaseReading) -> dict[str, Any]:
    from callbluff.analysis.jsonify import exact

    return {
        "case": c.scenario_id, "title": c.title, "year": c.year,
        "offer_made": c.offer_made, "observed_answer": c.observed_answer,
        "compliance": c.compliance, "outcome": c.outcome,
        "equilibria": [
            {"answers_by_type": {t: {k: float(v) for k, v in s.items()}
                                 for t, s in answers.items()},
             "answer_probability": {a: float(p) for a, p in probs.items()},
             "posterior_after_observed": None if post is None else
             {t: float(p) for t, p in post.items()}}
            for answers, probs, post in zip(c.answers_by_type, c.answer_probability,
                                            c.posterior_after_observed, strict=True)
        ],
        "separates": c.separates,
        "detection_threshold": None if c.detection_threshold is None
        else float(c.detection_threshold),
        "detection_threshold_exact": None if c.detection_threshold is None
        else exact(c.detection_threshold),
        "detection_agreed": float(c.detection_agreed),
        "counterfactual_offer": c.counterfactual_offer,
        "counterfactual_separates": c.counterfactual_separates,
        "agrees": c.agrees, "explanation": c.explanation,
    }


@app.command("cases")
def cases_command(
    names: Annotated[list[str] | None, typer.Argument(
        help="Case scenarios (built-in names or files); default: every built-in case.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The backtest table: offer made, the model's answers, what happened.

    Example: callbluff cases libya-2003 iran-jcpoa-2015
    """
    # Imported here, not at the top: `callbluff --help` must not load the solver.
    from callbluff.analysis.cases import read_case
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
            readings.append(read_case(scenario))
    except InputError as err:
        raise input_failure(err) from None
    agreements = sum(c.agrees for c in readings)
    if as_json:
        print(json.dumps({"cases": [_case_json(c) for c in readings],
                          "counterfactual_only": not_made,
                          "agreements": agreements, "total": len(readings)}, indent=2))
        return
    console.rule(f"Case library — the model agrees with {agreements} of {len(readings)} cases")
    for c in readings:
        table = Table(title=f"{c.scenario_id}: {c.title}", show_header=False, expand=True)
        table.add_column("what", style="bold", no_wrap=True)
        table.add_column("value")
        post = c.posterior_after_observed[0]
        table.add_row("offer made", c.offer_made)
        table.add_row("model: answer by type (equilibrium 1)", ", ".join(
            f"{t}: {_dominant(dict(s))}" for t, s in c.answers_by_type[0].items()))
        table.add_row("posterior after the observed answer", "off the path" if post is None
                      else ", ".join(f"{t} {float(p):.2f}" for t, p in post.items() if p))
        table.add_row("separates the motives", c.separates)
        table.add_row("detection needed / agreed",
                      f"{_f(c.detection_threshold)} / {_f(c.detection_agreed)}")
        table.add_row("what happened", f"{c.observed_answer}, {c.compliance}: {c.outcome}")
        table.add_row("all-in counterfactual", "—" if c.counterfactual_offer is None
                      else f"{c.counterfactual_offer} separates {c.counterfactual_separates}")
        table.add_row("agrees", ("yes" if c.agrees else "no") + f" — {c.explanation}")
        console.print(table)
    for row in not_made:
        console.print(f"{row['case']}: {row['note']}; {row['offer']} separates: "
                      f"{row['separates']}")
