"""The Typer application every command module registers on.

Global options (before the command): ``--time-limit SECONDS`` (environment variable
``CALLBLUFF_TIME_LIMIT``), see :mod:`callbluff.cli.limits`.  Any
:class:`~callbluff.errors.InputError` that a command does not report itself (a time
limit met while printing, say) is reported here: one line, exit status 2.
"""

from __future__ import annotations

import shlex
import sys
from typing import Annotated, Any

import typer
import typer.core
from rich.console import Console

from callbluff.cli import limits
from callbluff.errors import InputError, set_parse_time_limit, time_limit


class _Group(typer.core.TyperGroup):
    """The command group: bad input that escaped a command still gets one line, exit 2."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except InputError as err:
            err_console.print(f"error: {err}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        finally:
            set_parse_time_limit(None)


app = typer.Typer(
    name="callbluff",
    help="Test whether an adversary is bluffing: build the bargain as a game of "
    "incomplete information, solve it exactly, and read the verdict.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=_Group,
)
console = Console()
err_console = Console(stderr=True)


@app.callback()
def _global_options(
    ctx: typer.Context,
    time_limit_seconds: Annotated[float | None, typer.Option(
        "--time-limit", envvar=limits.ENV, min=0, metavar="SECONDS",
        help=f"Stop the command after this many seconds with a message (exit status 2); "
        f"0: no limit.  Default: {limits.DEFAULT_SECONDS:g} s for the commands that read "
        "and solve (analyze, solve, validate, export, report, cases, scenario), none for "
        f"sweeps, never for serve.  Reading one file is limited to "
        f"{limits.PARSE_SECONDS:g} s.")] = None,
) -> None:
    """Test whether an adversary is bluffing: build the bargain as a game of incomplete
    information, solve it exactly, and read the verdict."""
    command = ctx.invoked_subcommand
    seconds = limits.command_limit(command, time_limit_seconds)
    set_parse_time_limit(None if command in limits.NEVER_LIMITED
                         else min(limits.PARSE_SECONDS, seconds or limits.PARSE_SECONDS))
    if seconds is None:
        return
    # The arguments are not parsed yet here; the real process has them in argv.
    words = sys.argv[1:] if limits.real_process else [command or ""]
    describe = "`callbluff " + shlex.join(words) + "`"
    if limits.real_process:
        limits.supervise(seconds, describe)  # returns in the child only
    ctx.with_resource(time_limit(seconds, f"running {describe}"))
