"""The Typer application every command module registers on."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="callbluff",
    help="Test whether an adversary is bluffing: build the bargain as a game of "
    "incomplete information, solve it exactly, and read the verdict.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True)
