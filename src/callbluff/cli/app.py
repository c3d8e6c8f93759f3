"""The Typer application every command module registers on.

Global options (before the command): ``--time-limit SECONDS`` (environment variable
``CALLBLUFF_TIME_LIMIT``), see :mod:`callbluff.cli.limits`.  Any
:class:`~callbluff.errors.InputError` that a command does not report itself (a time
limit met while printing, say) is reported here: one line, exit status 2; any
other exception is a bug, reported in one line with exit status 3
(``CALLBLUFF_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import os
import shlex
import sys
from typing import Annotated, Any

import typer
import typer.core
from rich.console import Console
from rich.text import Text

from callbluff.cli import limits
from callbluff.errors import InputError, set_parse_time_limit, time_limit

#: Exit status of a failure that is a bug in callbluff, not in the input.
INTERNAL_ERROR = 3
#: Set to 1 to see the traceback of an internal error.
DEBUG_ENV = "CALLBLUFF_DEBUG"


class _Group(typer.core.TyperGroup):
    """The command group: bad input that escaped a command still gets one line, exit 2;
    anything else that escapes is a bug, reported in one line with exit status 3."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except InputError as err:
            print_error(err)
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort, typer.exceptions.TyperException):
            raise  # usage errors and exits: Typer reports them itself
        except Exception as err:
            if os.environ.get(DEBUG_ENV) == "1":
                raise
            print_error(
                f"internal error, a bug in callbluff rather than in the input "
                f"({type(err).__name__}: {err}); please report it with the input "
                f"({DEBUG_ENV}=1 shows the traceback)")
            raise typer.Exit(INTERNAL_ERROR) from None
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
    rich_markup_mode=None,
)
# No console markup: scenario labels, titles and error messages are data, and
# "[/]" or "[bold]" in them must print as written (styled text uses rich.text.Text).
console = Console(markup=False)
err_console = Console(stderr=True, markup=False)


def print_error(message: object, *, prefix: bool = True) -> None:
    """``error: message`` on stderr (only the prefix styled; ``prefix=False``: the
    message alone, for messages that start with their file), never wrapped."""
    text = Text(str(message))
    err_console.print(Text("error: ", style="red") + text if prefix else text,
                      highlight=False, soft_wrap=True)


def input_failure(message: object, *, prefix: bool = True) -> typer.Exit:
    """Print ``message`` as :func:`print_error` does; the exit (status 2) to raise."""
    print_error(message, prefix=prefix)
    return typer.Exit(2)


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
