"""`callbluff report`: one self-contained HTML file with the whole analysis."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from callbluff.cli.app import app, console, input_failure
from callbluff.errors import InputError

DEFAULT_SCENARIO = "north-korea-2009"


@app.command("report")
def report_command(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or YAML file.")] = (
        DEFAULT_SCENARIO),
    output: Annotated[Path, typer.Option(
        "-o", "--output", help="HTML file to write (replaced atomically).")] = Path(
        "report.html"),
    offer: Annotated[str | None, typer.Option(
        "--offer", help="Offer whose game tree is drawn (default: the main offer).")] = None,
    no_thresholds: Annotated[bool, typer.Option(
        "--no-thresholds", help="Skip the threshold searches (faster).")] = False,
    threshold: Annotated[list[str] | None, typer.Option(
        "--threshold", help="A numeric field (e.g. 'regimes[rigorous].detection') whose "
        "verdict flips to find; repeatable.")] = None,
    sweep: Annotated[Path | None, typer.Option(
        "--sweep", metavar="PARQUET",
        help="Results of `callbluff sweep` on this scenario: adds the tornado and the "
        "verdict map.")] = None,
    store: Annotated[Path | None, typer.Option(
        "--store", metavar="PATH",
        help="Run store (SQLite) to record this run in; default: $CALLBLUFF_STORE or "
        "the user data directory.")] = None,
) -> None:
    """Write one self-contained HTML report (verdict, inputs and sources, game tree,
    plots, thresholds, timing, cheapest package, who gains, every equilibrium).

    The file needs no network: Plotly is embedded, so it opens offline and prints
    to PDF cleanly.

    Example: callbluff report north-korea-2009 -o report.html
    """
    # Imported here, not at the top: `callbluff --help` must not load the solver.
    from callbluff.analysis.jsonify import analysis_json
    from callbluff.analysis.verdict import analyze
    from callbluff.report.html import build_report, write_report
    from callbluff.scenario.loader import load_scenario

    try:
        loaded = load_scenario(scenario)
        if offer is not None:
            loaded.offer(offer)
        result = analyze(loaded, thresholds=not no_thresholds, custom_paths=threshold or [])
        data = analysis_json(result)
        page = build_report(result, offer_id=offer, analysis_data=data, sweep=sweep)
        written = write_report(output, page)
        _record(store, loaded, scenario, output, offer, not no_thresholds,
                threshold or [], data)
    except (InputError, KeyError, ValueError) as err:
        raise input_failure(err) from None
    except OSError as err:
        raise input_failure(f"cannot write {output}: {err.strerror or err}") from None
    size = written.stat().st_size
    console.print(f"wrote {written} ({size / 1e6:.1f} MB)", highlight=False)


def _record(store: Path | None, loaded: object, name: str, output: Path, offer: str | None,
            thresholds: bool, custom: list[str], data: dict[str, object]) -> None:
    from callbluff.scenario.loader import dump_scenario
    from callbluff.scenario.schema import Scenario
    from callbluff.store import RunStore

    assert isinstance(loaded, Scenario)
    params = {"scenario": name, "output": str(output), "offer": offer,
              "thresholds": thresholds, "custom_thresholds": custom}
    result = json.loads(json.dumps(data))
    with RunStore(store) as runs:
        runs.record("report", loaded.id, dump_scenario(loaded), params, result)
