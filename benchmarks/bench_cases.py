"""Benchmark: `callbluff cases` (the case library's backtest), goal under 10 s.

Run: ``python benchmarks/bench_cases.py``.  Prints, for each case, the time to read it
(solve the offer made and the all-in counterfactual, score the likelihood) and the
game's size; then the whole command, run in this process as a user runs it
(``callbluff cases``, output discarded), against the goal; and, as a reference measured
in the same run, the same command on the default scenario alone (one small
take-it-or-leave-it offer), so that a slow machine shows as a large reference too.
"""

from __future__ import annotations

import contextlib
import io
import time

from typer.testing import CliRunner

import callbluff.cli  # noqa: F401  (registers the commands)
from callbluff.analysis.cases import read_case
from callbluff.cli.app import app
from callbluff.scenario.builtin import list_builtin
from callbluff.scenario.loader import load_scenario

GOAL_SECONDS = 10.0


def _command(*args: str) -> float:
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        result = CliRunner().invoke(app, ["cases", *args])
    elapsed = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(f"callbluff cases {' '.join(args)} failed: {result.output}")
    return elapsed


def main() -> None:
    print(f"{'case':24} {'types':>5} {'infosets (made / all-in)':>26} {'seconds':>8}")
    for name in list_builtin():
        scenario = load_scenario(name)
        if scenario.history is None:
            continue
        started = time.perf_counter()
        case = read_case(scenario)
        elapsed = time.perf_counter() - started
        sizes = f"{len(case.offer.game.infosets)} / " + (
            "—" if case.counterfactual is None else str(len(case.counterfactual.game.infosets)))
        print(f"{name:24} {len(scenario.types):>5} {sizes:>26} {elapsed:>8.2f}")
    whole = _command()
    reference = _command("north-korea-2009")
    print(f"callbluff cases: {whole:.2f} s (goal {GOAL_SECONDS:.0f} s, ratio to the goal "
          f"{whole / GOAL_SECONDS:.2f}); reference, the default scenario alone: "
          f"{reference:.2f} s (ratio {whole / reference:.1f})")


if __name__ == "__main__":
    main()
