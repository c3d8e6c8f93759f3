"""`callbluff analyze`: the main job — is the bargain a test?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from callbluff.analysis.numbers import exact, pct, utility, yes_no
from callbluff.cli.app import app, console, input_failure
from callbluff.errors import InputError, time_limit

if TYPE_CHECKING:
    from rich.console import Console

    from callbluff.analysis.talks import TalksAnalysis
    from callbluff.analysis.verdict import OfferAnalysis, ScenarioAnalysis

DEFAULT_SCENARIO = "north-korea-2009"


@app.command("analyze")
def analyze_command(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or YAML file.")] = (
        DEFAULT_SCENARIO),
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    detail: Annotated[bool, typer.Option(
        "--detail", help="After the summary: every verdict sentence, the equilibria of "
        "every offer grouped by what differs, thresholds and timing.")] = False,
    explain: Annotated[bool, typer.Option(
        "--explain", help="The detail, plus the comparison that decided each type's "
        "answer and what each term means (docs/glossary.md).")] = False,
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

    Prints a one-screen summary; --detail or --explain gives the rest.

    Example: callbluff analyze north-korea-2009 --detail
    """
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
    _print(result, detail, explain)


def _print(a: ScenarioAnalysis, detail: bool, explain: bool) -> None:
    from callbluff.analysis.summary import summary
    from callbluff.glossary import GLOSSARY

    s = a.scenario
    brief = summary(a)
    body = "\n\n".join([brief.question, brief.answer, "Deciding numbers:\n" + "\n".join(
        f"• {line}" for line in brief.numbers), brief.action] if brief.numbers else
        [brief.question, brief.answer, brief.action])
    console.print(Panel(body, title=Text(f"Summary — {s.title}"), expand=False))
    if not (detail or explain):
        console.print(f"More: callbluff analyze {s.id} --detail (every sentence and the "
                      "equilibria, grouped), --explain (also what each term means and why "
                      "each type answers as it does).")
        return
    console.rule("Verdict, sentence by sentence")
    for line in a.verdict:
        console.print(f"• {line}")
    for offer in a.offers:
        _print_offer(a, offer, explain)
    _print_across_offers(a)
    if explain:
        console.rule("Glossary (docs/glossary.md)")
        for term, text in GLOSSARY.items():
            console.print(f"{term}: {text}")


def _print_offer(a: ScenarioAnalysis, offer: OfferAnalysis, explain: bool) -> None:
    """One offer: its equilibria grouped by the target's answers (what differs between
    groups is in the table; what all share is said once)."""
    from callbluff.analysis.reading import explain_types
    from callbluff.analysis.summary import ANSWER_LEGEND, group_equilibria, numbers_in_words

    s = a.scenario
    console.rule(f"Offer {offer.offer_id}")
    sizes = offer.game.sizes()
    n = len(offer.equilibria)
    console.print(
        f"{offer.label}\nregime {offer.regime!r}; game of {sizes['nodes']} nodes and "
        f"{sizes['infosets']} information sets; {n} equilibri{'um' if n == 1 else 'a'} "
        f"(exact method {offer.method}); separates: "
        + ("in every equilibrium" if offer.separates_always else
           f"in {sum(e.separates for e in offer.equilibria)} of {n}"
           if offer.separates_sometimes else "in none"))
    if not offer.complete:
        console.print("  the list may be incomplete: " + "; ".join(offer.incomplete_reasons))
    grouping = group_equilibria(s, offer)
    if grouping.common:
        console.print(f"In {'every equilibrium' if n > 1 else 'the equilibrium'}: "
                      + "; ".join(f"{t} {answer}" for t, answer in grouping.common) + ".")
    table = Table(title=(f"{len(grouping.groups)} group(s) of equilibria by the answers "
                         "that differ" if grouping.varying else None))
    table.add_column("equilibria", no_wrap=True)
    for t in grouping.varying:
        table.add_column(t, overflow="fold", min_width=len(t))
    for col in ("separates", "proposer value"):
        table.add_column(col, justify="right")
    table.add_column("note")
    for g in grouping.groups:
        value = utility(g.lowest_value) + (f" to {utility(g.highest_value)}"
                                           if g.highest_value != g.lowest_value else "")
        table.add_row(numbers_in_words(g.members), *g.answers,
                      "some" if g.separates is None else yes_no(g.separates), value,
                      ", ".join(g.notes))
    console.print(table)
    console.print(ANSWER_LEGEND)
    e = offer.proposer_worst
    posts = "; ".join(
        f"after {ans}: " + ("off the path" if post is None else
                             ", ".join(f"{k} {pct(v)}" for k, v in post.items() if v))
        for ans, post in e.posteriors.items())
    console.print(f"Beliefs in the proposer-worst equilibrium — {posts}.")
    if explain:
        worst = offer.equilibria.index(offer.proposer_worst)
        best = offer.equilibria.index(offer.proposer_best)
        tags = {worst: "proposer-worst"} | {best: "proposer-best" if best != worst
                                            else "proposer-worst and proposer-best"}
        for i, tag in sorted(tags.items()):
            console.print(f"Why each type answers as it does in equilibrium {i + 1} ({tag}; "
                          "its value of each answer, then of complying and cheating):")
            for ex in explain_types(offer.game, offer.equilibria[i].equilibrium):
                values_text = ", ".join(f"{k} {utility(v)}" for k, v in ex.answer_values.items())
                console.print(
                    f"  why {ex.type_id}: {values_text}; once accepted: comply "
                    f"{utility(ex.comply_value)} vs cheat {utility(ex.cheat_value)} → plays "
                    f"{', '.join(ex.chosen)}")


def _print_across_offers(a: ScenarioAnalysis) -> None:
    console.rule("Across offers")
    console.print(f"No offer (status quo): {utility(a.status_quo_value)} with "
                  f"{a.status_quo_fallback}; best offer, each in its proposer-worst "
                  f"equilibrium: {a.best_offer['proposer-worst']}; in its proposer-best: "
                  f"{a.best_offer['proposer-best']}.")
    if a.thresholds is not None:
        th = a.thresholds
        console.print(f"Thresholds ({a.main_offer}): {th.detection_reading}; "
                      f"{th.package_cost_reading}; {th.security_prior_reading}.")
        for path, flips in th.custom.items():
            console.print(f"  {path}: " + ("no flip in range" if not flips else "; ".join(
                f"{f.left} → {f.right} at {exact(f.at)}" for f in flips)))
    if a.cheapest_package is not None:
        p = a.cheapest_package
        console.print(f"Cheapest separating package: {', '.join(p.concessions) or '(nothing)'} "
                      f"under {p.regime!r}, cost {exact(p.cost)}.")
    else:
        console.print("Cheapest separating package: none separates.")
    if a.talks is not None:
        _print_talks(console, a.talks)


def _print_talks(console: Console, t: TalksAnalysis) -> None:
    """The talks game (docs/model.md, "Talks that teach"): each policy's schedule,
    its worst and best equilibrium value, and who settles when (with its chance, when
    it mixes) on its worst path."""
    table = Table(title=f"Talks that teach ({t.horizon} rounds; values: worst / best "
                        "equilibrium)")
    for col in ("policy", "offers by round", "proposer value", "settles (round)"):
        table.add_column(col)
    for p in (*t.policies, t.unrestricted):
        value = ("no equilibrium found" if p.proposer_worst is None or
                 p.proposer_best is None
                 else f"{utility(p.proposer_worst)} / {utility(p.proposer_best)}")
        settles = ", ".join(
            f"{θ} {r}" + ("" if p.settle_probability[θ] == 1
                          else f" (probability {pct(p.settle_probability[θ])})")
            for θ, r in p.settles.items() if r is not None)
        table.add_row(p.family, _runs(p.offers), value, settles or "none")
    console.print(table)


def _runs(offers: tuple[str, ...]) -> str:
    """``("no offer", "no offer", "all-in")`` → "no offer ×2 · all-in"."""
    from callbluff.analysis.talks import offer_runs

    return " · ".join(o + (f" ×{n}" if n > 1 else "") for o, n in offer_runs(offers))
