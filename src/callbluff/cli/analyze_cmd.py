"""`callbluff analyze`: the main job — is the bargain a test?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from callbluff.cli.app import app, console, input_failure
from callbluff.errors import InputError, time_limit

if TYPE_CHECKING:
    from rich.console import Console

    from callbluff.analysis.talks import TalksAnalysis
    from callbluff.analysis.verdict import ScenarioAnalysis

DEFAULT_SCENARIO = "north-korea-2009"


def _p(x: object) -> str:
    return f"{float(x):.3f}".rstrip("0").rstrip(".") if x is not None else "—"  # type: ignore[arg-type]


@app.command("analyze")
def analyze_command(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or YAML file.")] = (
        DEFAULT_SCENARIO),
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    explain: Annotated[bool, typer.Option(
        "--explain", help="For each type, the comparison that decided its answer.")] = False,
    threshold: Annotated[list[str] | None, typer.Option(
        "--threshold", help="A numeric field (e.g. 'regimes[rigorous].detection') whose "
        "verdict flips to find; repeatable.")] = None,
    no_thresholds: Annotated[bool, typer.Option(
        "--no-thresholds", help="Skip the threshold searches (faster).")] = False,
    store: Annotated[Path | None, typer.Option(
        "--store", help="Run store (SQLite) to record this run in; default: "
        "$CALLBLUFF_STORE or the user data directory.")] = None,
) -> None:
    """Solve every offer of a scenario and say whether the bargain is a test.

    Example: callbluff analyze north-korea-2009 --explain
    """
    # Imported here, not at the top: `callbluff --help` must not load the solver.
    from callbluff.analysis.jsonify import analysis_json
    from callbluff.analysis.verdict import analyze
    from callbluff.scenario.loader import dump_scenario, load_scenario
    from callbluff.store import RunStore

    if threshold and no_thresholds:
        raise typer.BadParameter("--threshold asks for a threshold search, which "
                                 "--no-thresholds turns off; give one or the other",
                                 param_hint="--threshold")
    try:
        loaded = load_scenario(scenario)
        with time_limit(None, "analyzing", file=scenario):  # names it in a timeout
            result = analyze(loaded, thresholds=not no_thresholds,
                             custom_paths=threshold or [])
        document = analysis_json(result)
        with RunStore(store) as runs:
            runs.record(
                "analyze", loaded.id, dump_scenario(loaded),
                {"thresholds": not no_thresholds, "custom_thresholds": threshold or []},
                document)
    except (InputError, KeyError, ValueError) as err:
        raise input_failure(err) from None
    if as_json:
        print(json.dumps(document, indent=2))
        return
    _print(result, explain)


def _print(a: ScenarioAnalysis, explain: bool) -> None:
    from callbluff.analysis.reading import explain_types

    s = a.scenario
    console.print(Panel("\n\n".join(a.verdict), title=Text(f"Verdict — {s.title}"),
                        expand=False))
    for offer in a.offers:
        console.rule(f"Offer {offer.offer_id}: {offer.label}")
        sizes = offer.game.sizes()
        console.print(
            f"regime {offer.regime!r}; game: {sizes['nodes']} nodes, {sizes['infosets']} "
            f"information sets; {len(offer.equilibria)} equilibrium outcome(s) "
            f"({offer.method}); separates: "
            + ("always" if offer.separates_always else
               "in some equilibria" if offer.separates_sometimes else "never"))
        if not offer.complete:
            console.print("  the list may be incomplete: " + "; ".join(offer.incomplete_reasons))
        for index, e in enumerate(offer.equilibria):
            tags = []
            if e is offer.proposer_best:
                tags.append("proposer-best")
            if e is offer.proposer_worst:
                tags.append("proposer-worst")
            table = Table(title=f"Equilibrium {index + 1} — {e.classification}"
                          + (f" ({', '.join(tags)})" if tags else ""), show_lines=False)
            for col in ("type", "prior", "accept & comply", "accept & cheat", "ask for more",
                        "balk", "reject", "value"):
                table.add_column(col, justify="right" if col != "type" else "left",
                                 no_wrap=col == "type")
            for t in s.types:
                st = e.target_strategy[t.id]
                table.add_row(t.id, _p(t.prior), _p(st.accept_comply), _p(st.accept_cheat),
                              _p(st.counter), _p(st.balk), _p(st.reject),
                              _p(e.target_values[t.id]))
            console.print(table)
            posts = "; ".join(
                f"after {ans}: " + ("off the path" if post is None else
                                     ", ".join(f"{k} {_p(v)}" for k, v in post.items() if v))
                for ans, post in e.posteriors.items())
            console.print(f"  posteriors — {posts}")
            ps = e.proposer_strategy
            reply = "; ".join(
                f"after counter:{x}: " + ", ".join(f"{k} {_p(v)}" for k, v in r.items() if v)
                for x, r in ps.after_counter.items())
            console.print(
                "  proposer — after reject: "
                + ", ".join(f"{k} {_p(v)}" for k, v in ps.after_reject.items() if v)
                + "; after detected cheating: "
                + ", ".join(f"{k} {_p(v)}" for k, v in ps.after_detected_cheating.items() if v)
                + (f"; {reply}" if reply else ""))
            console.print(
                f"  proposer value {_p(e.proposer_value)}; diagnosticity "
                f"{e.diagnosticity_bits:.3f} bits; misread probability "
                f"{_p(e.misread_probability)}; intuitive criterion: "
                f"{'—' if e.intuitive_criterion is None else e.intuitive_criterion}; D1: "
                f"{'—' if e.d1 is None else e.d1}")
            if e.equilibrium.refinement is not None:
                console.print(f"  refinements — {e.equilibrium.refinement.summary()}")
            if e.stakeholder_values:
                console.print("  stakeholders — " + ", ".join(
                    f"{k} {_p(v)}" for k, v in e.stakeholder_values.items()))
            if explain:
                for ex in explain_types(offer.game, e.equilibrium):
                    values = ", ".join(f"{k} {_p(v)}" for k, v in ex.answer_values.items())
                    console.print(
                        f"  why {ex.type_id}: {values}; once accepted: comply {_p(ex.comply_value)}"
                        f" vs cheat {_p(ex.cheat_value)} → plays {', '.join(ex.chosen)}")
    console.rule("Across offers")
    console.print(f"status quo (no offer): {_p(a.status_quo_value)} with {a.status_quo_fallback}; "
                  f"best offer: proposer-best {a.best_offer['proposer-best']}, proposer-worst "
                  f"{a.best_offer['proposer-worst']}")
    if a.thresholds is not None:
        th = a.thresholds
        console.print(f"thresholds ({a.main_offer}): {th.detection_reading}; "
                      f"{th.package_cost_reading}; {th.security_prior_reading}")
        for path, flips in th.custom.items():
            console.print(f"  {path}: " + ("no flip in range" if not flips else "; ".join(
                f"{f.left} → {f.right} at {float(f.at):.6f}" for f in flips)))
    if a.cheapest_package is not None:
        p = a.cheapest_package
        console.print(f"cheapest separating package: {', '.join(p.concessions) or '(nothing)'} "
                      f"under {p.regime!r}, cost {_p(p.cost)}")
    else:
        console.print("cheapest separating package: none separates")
    if a.policies is not None:
        table = Table(title="All in now or more talks")
        for col in ("policy", "rounds of talks", "proposer value", "separates"):
            table.add_column(col)
        for pv in a.policies.policies:
            table.add_row(pv.policy, str(pv.rounds_of_talks), _p(pv.proposer),
                          "—" if pv.separates is None else str(pv.separates))
        console.print(table)
    if a.talks is not None:
        _print_talks(console, a.talks)


def _print_talks(console: Console, t: TalksAnalysis) -> None:
    """The talks game (docs/model.md, "Talks that teach"): each policy's schedule,
    its worst and best equilibrium value, and who settles when on its worst path."""
    table = Table(title=f"Talks that teach ({t.horizon} rounds; values: worst / best "
                        "equilibrium)")
    for col in ("policy", "offers by round", "proposer value", "settles (round)"):
        table.add_column(col)
    for p in (*t.policies, t.unrestricted):
        value = ("no pure-answer equilibrium" if p.proposer_worst is None or
                 p.proposer_best is None
                 else f"{_p(p.proposer_worst)} / {_p(p.proposer_best)}")
        settles = ", ".join(f"{θ} {r}" for θ, r in p.settles.items() if r is not None)
        table.add_row(p.family, _runs(p.offers), value, settles or "none")
    console.print(table)


def _runs(offers: tuple[str, ...]) -> str:
    """``("no offer", "no offer", "all-in")`` → "no offer ×2 · all-in"."""
    from callbluff.analysis.talks import offer_runs

    return " · ".join(o + (f" ×{n}" if n > 1 else "") for o, n in offer_runs(offers))
