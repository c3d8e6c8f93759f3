"""The `callbluff` command: one module per command group, all on one Typer app."""

from __future__ import annotations

# Each import registers its commands on the shared app.
import callbluff.cli.analyze_cmd
import callbluff.cli.cases_cmd
import callbluff.cli.game_cmds
import callbluff.cli.report_cmd
import callbluff.cli.runs_cmd
import callbluff.cli.scenario_cmds
import callbluff.cli.serve_cmd
import callbluff.cli.solve_cmd
import callbluff.cli.sweep_cmds  # noqa: F401
from callbluff.cli import limits
from callbluff.cli.app import app


def main() -> None:
    limits.real_process = True  # may fork to enforce the time limit (cli/limits.py)
    app()


__all__ = ["app", "main"]
