"""Commands about scenario files: list the built-ins, show one, validate files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from callbluff.cli.app import app, console, input_failure, print_error
from callbluff.cli.tables import Column, print_fitted
from callbluff.errors import InputError

scenario_app = typer.Typer(
    help="Look at one scenario.\n\nExample: callbluff scenario show north-korea-2009",
    no_args_is_help=True,
)
app.add_typer(scenario_app, name="scenario")


@app.command("scenarios")
def scenarios(
    wide: Annotated[bool, typer.Option(
        "--wide", help="Show every column, however wide (the terminal wraps lines).")] = False,
) -> None:
    """List the built-in scenarios: id, title, types and offers.

    Ids are never broken: a column that does not fit is left out (--wide shows it).

    Example:

        callbluff scenarios
    """
    from callbluff.scenario.builtin import listings

    listed = listings()  # read, not validated: the suite validates the built-ins
    print_fitted(console, "Built-in scenarios", [
        Column("id", [s.id for s in listed], wraps=False),
        Column("title", [s.title for s in listed], min_width=16),
        Column("types", [", ".join(s.types) for s in listed], optional=True),
        Column("offers", [", ".join(s.offers) for s in listed], optional=True),
    ], wide)


@scenario_app.command("show")
def show(
    name: Annotated[str, typer.Argument(
        help="a built-in scenario id (see `callbluff scenarios`) or a YAML file")],
) -> None:
    """Print a scenario as YAML, with each number's source and note.

    The text loads back to the same scenario, so it is a good start for your own
    file.

    Example:

        callbluff scenario show north-korea-2009 > my-case.yaml
    """
    from callbluff.scenario.loader import dump_scenario, load_scenario

    try:
        text = dump_scenario(load_scenario(name))
    except InputError as err:
        raise input_failure(err, prefix=False) from None
    typer.echo(text, nl=False)


@app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(
        help="scenario files (YAML) to check", show_default=False)],
) -> None:
    """Check scenario files; print OK or where and why each one is wrong.

    Exits with status 2 if any file is invalid.

    Example:

        callbluff validate my-case.yaml other-case.yaml
    """
    from callbluff.scenario.loader import load_scenario

    failed = False
    for path in files:
        try:
            s = load_scenario(path)
        except InputError as err:
            print_error(err, prefix=False)
            failed = True
            continue
        console.print(
            f"OK {path}: {s.id} ({len(s.types)} types, {len(s.offers)} offers)",
            highlight=False, soft_wrap=True)
    if failed:
        raise typer.Exit(code=2)
