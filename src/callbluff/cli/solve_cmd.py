"""``callbluff solve``: exact equilibria of ``.efg`` files and scenario offers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from callbluff.cli.app import app, console, input_failure
from callbluff.errors import InputError, time_limit

if TYPE_CHECKING:
    from callbluff.game.tree import Game
    from callbluff.solve import SolveResult

__all__ = ["solve_command"]


def _fmt(x: object) -> str:
    return str(x)


def _inputs(source: str, offer: str | None) -> Iterator[tuple[Game, str | None]]:
    """The games named by one command-line input (an .efg file or a scenario)."""
    if source.lower().endswith(".efg"):
        from callbluff.game.efg import read_efg_file

        if offer is not None:
            raise InputError("--offer applies to scenarios, not to .efg files", file=source)
        yield read_efg_file(Path(source)), None
        return
    from callbluff.game.bargain import compile_offer
    from callbluff.scenario.loader import load_scenario

    scenario = load_scenario(source)
    offer_ids = [o.id for o in scenario.offers]
    if offer is not None:
        if offer not in offer_ids:
            raise InputError(
                f"unknown offer {offer!r}; the scenario has: {', '.join(offer_ids)}",
                file=source,
                field="--offer",
            )
        offer_ids = [offer]
    for oid in offer_ids:
        yield compile_offer(scenario, oid), oid


def _record(source: str, offer: str | None, result: SolveResult) -> dict[str, Any]:
    out: dict[str, Any] = {"file": source}
    if offer is not None:
        out["offer"] = offer
    out["game"] = {"title": result.game.title, "players": list(result.game.players)}
    out["method"] = result.method
    out.update(result.completeness_json())
    out["equilibria"] = [eq.to_json() for eq in result.equilibria]
    return out


def _print_tables(source: str, offer: str | None, result: SolveResult) -> None:
    where = source if offer is None else f"{source} (offer {offer})"
    console.print(Text(result.game.title, style="bold") + Text(
        f" — {where}: {len(result.equilibria)} equilibrium outcome(s) by {result.method}"))
    if not result.complete:
        console.print("the list may be incomplete: " + "; ".join(result.incomplete_reasons))
    for i, eq in enumerate(result.equilibria, 1):
        pay = ", ".join(
            f"{p} {_fmt(v)}" for p, v in zip(result.game.players, eq.payoffs, strict=True)
        )
        verdicts = {True: "passes", False: "fails", None: "n/a"}
        ic, d1 = verdicts[eq.intuitive_criterion], verdicts[eq.d1]
        table = Table(
            title=f"#{i} {eq.classification}; payoffs {pay}; intuitive criterion {ic}; D1 {d1}; "
            f"max regret {_fmt(eq.max_regret)}",
            title_justify="left",
        )
        table.add_column("information set")
        table.add_column("path")
        table.add_column("behaviour")
        table.add_column("beliefs")
        for h in result.game.infosets:
            acts = eq.behaviour[h.label]
            beh = ", ".join(f"{a} {_fmt(p)}" for a, p in acts.items() if p > 0)
            b = eq.beliefs.get(h.label)
            table.add_row(
                h.label,
                "on" if h.label in eq.on_path else "off",
                beh,
                b.text if b is not None else "",
            )
        console.print(table)
        if eq.refinement is not None:
            console.print(f"refinements — {eq.refinement.summary()}")


@app.command("solve")
def solve_command(
    inputs: Annotated[
        list[str],
        typer.Argument(help="`.efg` files, or scenario names/files (YAML).", show_default=False),
    ],
    offer: Annotated[
        str | None, typer.Option("--offer", help="Solve only this offer of a scenario.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON Lines: one object per game.")
    ] = False,
) -> None:
    """Solve games exactly: every perfect Bayesian equilibrium outcome.

    Example: callbluff solve beer_quiche.efg --json
    Example: callbluff solve north-korea-2009 --offer freeze-for-aid
    """
    # Imported here, not at the top: `callbluff --help` must not load the solver.
    from callbluff.solve import solve

    try:
        for source in inputs:
            # A time limit met while solving names this input.
            with time_limit(None, "solving", file=source):
                for game, oid in _inputs(source, offer):
                    try:
                        result = solve(game)
                    except (ValueError, RuntimeError) as err:
                        # RuntimeError: a game the solvers cannot take (pygambit refuses
                        # imperfect recall; too many support patterns): say so, exit 2.
                        raise InputError(f"cannot solve this game: {err}",
                                         file=source) from err
                    if as_json:
                        typer.echo(json.dumps(_record(source, oid, result)))
                    else:
                        _print_tables(source, oid, result)
    except InputError as err:
        raise input_failure(err, prefix=False) from err
    except OSError as err:
        raise input_failure(f"{err.filename or ''}: {err.strerror or err}", prefix=False) from err
