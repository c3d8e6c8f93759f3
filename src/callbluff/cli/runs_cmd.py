"""``callbluff runs``: list, show and compare the runs saved in the run store.

The store is a SQLite file (see docs/store.md): ``--store PATH`` picks one,
else ``$CALLBLUFF_STORE``, else ``runs.sqlite3`` in the user's data directory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from callbluff.cli.app import app, console, input_failure
from callbluff.cli.tables import Column, print_fitted
from callbluff.errors import InputError
from callbluff.store import (
    RUN_KINDS,
    STORE_ENV,
    JsonChange,
    RunKind,
    RunStore,
    RunSummary,
    default_store_path,
)

runs_app = typer.Typer(
    name="runs",
    help="List, show and compare saved runs (analyze, sweep, report, solve).\n\n"
    "Runs live in a SQLite file: --store PATH, else $CALLBLUFF_STORE, else "
    "runs.sqlite3 in your user data directory.",
    no_args_is_help=True,
)
app.add_typer(runs_app, name="runs")

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        envvar=STORE_ENV,
        metavar="PATH",
        help="Run store file (default: $CALLBLUFF_STORE, else the user data directory).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
_VALUE_WIDTH = 60


def _open(store: Path | None) -> RunStore:
    try:
        return RunStore(store, create=False)
    except InputError as err:
        raise input_failure(err, prefix=False) from None


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _when(summary: RunSummary) -> str:
    return summary.created_at.strftime("%Y-%m-%d %H:%M:%S")


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 1] + "…"


@runs_app.command("list")
def list_runs(
    store: StoreOption = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", "-k", help=f"Only runs of this kind: {', '.join(RUN_KINDS)}."),
    ] = None,
    scenario: Annotated[
        str | None, typer.Option("--scenario", "-s", help="Only runs of this scenario id.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=0, help="Show at most this many (0: all).")
    ] = 50,
    as_json: JsonOption = False,
    wide: Annotated[bool, typer.Option(
        "--wide", help="Show every column, however wide (the terminal wraps lines).")] = False,
) -> None:
    """List saved runs, newest first (columns that do not fit are left out; --wide).

    Examples:

        callbluff runs list

        callbluff runs list --kind sweep --limit 10

        callbluff runs list --store ./runs.sqlite3 --json
    """
    if kind is not None and kind not in RUN_KINDS:
        raise typer.BadParameter(
            f"must be one of {', '.join(RUN_KINDS)}; got {kind!r}", param_hint="--kind"
        )
    path = store if store is not None else default_store_path()
    if not path.exists():
        if as_json:
            _echo_json([])
        else:
            console.print(f"No runs yet: there is no run store at {path}.")
        return
    with _open(store) as runs:
        try:
            found = runs.list(limit=limit or None, kind=_as_kind(kind), scenario_id=scenario)
        except InputError as err:
            raise input_failure(err, prefix=False) from None
    if as_json:
        _echo_json([run.to_json() for run in found])
        return
    if not found:
        console.print(f"No runs in {path} match.")
        return
    with _open(store) as runs:
        edited = [runs.get(run.id).params.get("edits") or [] for run in found]
    print_fitted(console, f"Runs in {path}", [
        Column("ID", [str(run.id) for run in found], wraps=False, justify="right"),
        Column("Kind", [run.kind for run in found], wraps=False),
        Column("Scenario", [run.scenario_id for run in found], wraps=False),
        Column("Created (UTC)", [_when(run) for run in found], wraps=False),
        Column("Edited", [f"{len(e)} input{'s' if len(e) > 1 else ''}" if e else ""
                          for e in edited], optional=True),
        Column("Hash", [run.scenario_sha256[:12] for run in found], wraps=False,
               optional=True),
        Column("Version", [run.version for run in found], optional=True),
        Column("Seed", ["" if run.seed is None else str(run.seed) for run in found],
               optional=True, justify="right"),
    ], wide)
    if any(edited):
        console.print("Edited runs were made from a scenario with inputs changed; "
                      "`callbluff runs show ID` lists them.")


def _as_kind(kind: str | None) -> RunKind | None:
    for known in RUN_KINDS:
        if kind == known:
            return known
    return None


@runs_app.command("show")
def show_run(
    run_id: Annotated[int, typer.Argument(metavar="ID", help="Run id, as `runs list` shows.")],
    store: StoreOption = None,
    scenario: Annotated[
        bool, typer.Option("--scenario", help="Also print the scenario text.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Show one saved run: what was run, on which scenario, and its result.

    Examples:

        callbluff runs show 12

        callbluff runs show 12 --scenario

        callbluff runs show 12 --json > run-12.json
    """
    with _open(store) as runs:
        try:
            run = runs.get(run_id)
        except InputError as err:
            raise input_failure(err, prefix=False) from None
    if as_json:
        _echo_json(run.to_json())
        return
    table = Table(title=f"Run {run.id}", title_justify="left", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for name, value in (
        ("kind", run.kind),
        ("scenario", run.scenario_id),
        ("scenario sha256", run.scenario_sha256),
        ("callbluff version", run.version),
        ("seed", "none" if run.seed is None else str(run.seed)),
        ("created (UTC)", run.created_at.isoformat()),
    ):
        table.add_row(name, Text(value))
    console.print(table)
    for line in run.params.get("edits") or []:
        console.print(Text(str(line)))
    console.print(Text("Parameters", style="bold"))
    console.print_json(json.dumps(run.params, ensure_ascii=False))
    console.print(Text("Result", style="bold"))
    console.print_json(json.dumps(run.result, ensure_ascii=False))
    if scenario:
        console.print(Text("Scenario", style="bold"))
        from rich.syntax import Syntax

        console.print(Syntax(run.scenario_text, "yaml"))
    else:
        lines = run.scenario_text.count("\n")
        console.print(f"(scenario text: {lines} lines; --scenario prints it)")


def _changes_table(title: str, changes: tuple[JsonChange, ...]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("Path")
    table.add_column("Change")
    table.add_column("Old")
    table.add_column("New")
    for change in changes:
        table.add_row(
            Text(change.path or "(whole)"),
            change.kind,
            Text("" if change.kind == "added" else _short(change.old)),
            Text("" if change.kind == "removed" else _short(change.new)),
        )
    return table


@runs_app.command("diff")
def diff_runs(
    id_a: Annotated[int, typer.Argument(metavar="ID_A", help="The older (or reference) run.")],
    id_b: Annotated[int, typer.Argument(metavar="ID_B", help="The run compared with it.")],
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show what changed between two runs: metadata, scenario text, parameters, result.

    Changed values are listed by JSON Pointer path (/types/2/prior).

    Examples:

        callbluff runs diff 3 7

        callbluff runs diff 3 7 --json
    """
    with _open(store) as runs:
        try:
            diff = runs.diff(id_a, id_b)
        except InputError as err:
            raise input_failure(err, prefix=False) from None
    if as_json:
        _echo_json(diff.to_json())
        return
    console.print(
        f"Run {diff.a.id} ({diff.a.kind}, {diff.a.scenario_id}, {_when(diff.a)})"
        f" → run {diff.b.id} ({diff.b.kind}, {diff.b.scenario_id}, {_when(diff.b)})",
    )
    if diff.is_empty:
        console.print("No differences (besides id and time).")
        return
    if diff.fields:
        console.print(_changes_table("Run", diff.fields))
    if diff.scenario_diff:
        console.print(Text("Scenario", style="bold"))
        from rich.syntax import Syntax

        console.print(Syntax(diff.scenario_diff, "diff"))
    for title, changes in (("Parameters", diff.params), ("Result", diff.result)):
        if changes:
            console.print(_changes_table(title, changes))
        else:
            console.print(f"{title}: no differences.")
