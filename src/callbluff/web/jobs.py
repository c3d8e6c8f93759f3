"""The computations of the web API, as they run in a worker process (:mod:`.pool`).

Each job is a module-level function of a request model (both pickled on their way to
the worker) that returns :class:`Computed`: the answer, and the run to save in the
run store (what was run, on which scenario text, and what came out) — the server
records it, so that a run is saved exactly when its answer is sent.

No model logic lives here: scenarios are resolved by :mod:`callbluff.web.service`,
answers computed by :mod:`callbluff.analysis`, :mod:`callbluff.solve` and
:mod:`callbluff.report`.  Importing this module imports all of them: the fork
server preloads it, so that every worker starts with them in memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from callbluff.analysis.jsonify import analysis_json
from callbluff.analysis.verdict import analyze, headline, main_offer_id
from callbluff.errors import InputError
from callbluff.game import bargain
from callbluff.report.html import Edit, build_report
from callbluff.scenario.loader import dump_scenario
from callbluff.scenario.schema import Scenario
from callbluff.solve import solve
from callbluff.store.model import RunKind
from callbluff.web import models as m
from callbluff.web.service import apply_overrides, check_threshold_paths, edits, resolve

A = TypeVar("A")


@dataclass(frozen=True)
class RunToSave:
    """One run for :meth:`callbluff.store.RunStore.record`."""

    kind: RunKind
    scenario_id: str
    scenario_text: str
    params: dict[str, Any]
    result: Any


@dataclass(frozen=True)
class Computed(Generic[A]):
    answer: A
    run: RunToSave


def variant(ref: m.ScenarioRef) -> Scenario:
    """The scenario of a request, with its overrides applied."""
    scenario, _ = resolve(ref.yaml, ref.scenario)
    return apply_overrides(scenario, ref.overrides)


def provenance(ref: m.ScenarioRef) -> list[Edit]:
    """The inputs a request changes, from the scenario as written to its variant."""
    original, _ = resolve(ref.yaml, ref.scenario)
    if not ref.overrides:
        return []
    changed = apply_overrides(original, ref.overrides)
    return [Edit(path, before, after)
            for path, before, after in edits(original, changed, ref.overrides)]


def edit_lines(ref: m.ScenarioRef) -> list[str]:
    """``edited: regimes[rigorous].detection 0.9 → 0.3``, one per changed input."""
    return [f"edited: {e.path} {e.before} → {e.after}" for e in provenance(ref)]


def _run(kind: RunKind, scenario: Scenario, ref: m.ScenarioRef, result: Any,
         **params: Any) -> RunToSave:
    source = {"scenario": ref.scenario} if ref.yaml is None else {"uploaded": True}
    return RunToSave(kind=kind, scenario_id=scenario.id, scenario_text=dump_scenario(scenario),
                     params={"via": "web", **source, "overrides": dict(ref.overrides),
                             "edits": edit_lines(ref), **params},
                     result=result)


def analyze_job(body: m.AnalyzeRequest) -> Computed[dict[str, Any]]:
    """The analysis JSON of ``callbluff analyze --json``."""
    scenario = variant(body)
    check_threshold_paths(scenario, body.threshold_paths)
    document = analysis_json(analyze(scenario, thresholds=body.thresholds,
                                     custom_paths=body.threshold_paths,
                                     policies=body.policies, package=body.package))
    return Computed(document, _run("analyze", scenario, body, document,
                                   thresholds=body.thresholds,
                                   custom_thresholds=list(body.threshold_paths),
                                   policies=body.policies, package=body.package))


def solve_job(body: m.SolveRequest) -> Computed[m.SolveResponse]:
    """Every equilibrium of one offer's game."""
    scenario = variant(body)
    offer_id = body.offer or main_offer_id(scenario)
    if offer_id not in [o.id for o in scenario.offers]:
        raise InputError(f"no offer {offer_id!r} (offers: "
                         f"{', '.join(o.id for o in scenario.offers)})", field="offer")
    game = bargain.compile_offer(scenario, offer_id)
    result = solve(game)
    answer = m.SolveResponse(scenario_id=scenario.id, offer=offer_id, method=result.method,
                             complete=result.complete,
                             incomplete_reasons=list(result.incomplete_reasons),
                             game_sizes=game.sizes(),
                             equilibria=[e.to_json() for e in result.equilibria])
    return Computed(answer, _run("solve", scenario, body, answer.model_dump(mode="json"),
                                 offer=offer_id))


def sweep_job(body: m.SweepRequest) -> Computed[m.SweepResponse]:
    """The headline verdict of each override set."""
    base = variant(body)
    changed = []
    for i, overrides in enumerate(body.variants):
        try:
            changed.append(apply_overrides(base, overrides))
        except InputError as err:  # every set is checked before any solve
            raise InputError(err.message, file=f"<variants[{i}]>", field=err.field) from None
    results = []
    for overrides, scenario in zip(body.variants, changed, strict=True):
        verdict = headline(scenario)
        assert isinstance(verdict, tuple)
        words = [str(v) for v in verdict]
        results.append(m.SweepItem(overrides=overrides, separates=words[0] == "separates",
                                   best_policy=words[1] == "best policy", verdict=words))
    answer = m.SweepResponse(main_offer=main_offer_id(base), results=results)
    return Computed(answer, _run("sweep", base, body, answer.model_dump(mode="json"),
                                 variants=[dict(v) for v in body.variants]))


def report_job(ref: m.ScenarioRef, thresholds: bool, offer: str | None,
               out_path: str) -> Computed[None]:
    """The self-contained HTML report, written to ``out_path`` (a temporary file the
    server owns and sends in chunks: a 5 MB report never passes through the server's
    memory whole); the run saved is its analysis JSON (as ``callbluff report --store``
    saves it)."""
    scenario = variant(ref)
    if offer is not None and offer not in [o.id for o in scenario.offers]:
        raise InputError(f"no offer {offer!r}", field="offer")
    analysis = analyze(scenario, thresholds=thresholds)
    document = json.loads(json.dumps(analysis_json(analysis)))
    with open(out_path, "w", encoding="utf-8", newline="\n") as out:
        out.write(build_report(analysis, offer_id=offer, edits=provenance(ref)))
    return Computed(None, _run("report", scenario, ref, document, thresholds=thresholds,
                               offer=offer))


__all__ = ["Computed", "RunToSave", "analyze_job", "edit_lines", "provenance", "report_job",
           "solve_job", "sweep_job", "variant"]
