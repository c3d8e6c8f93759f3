"""Benchmark: every figure of issue 17's table, with the ratio to the reference method
measured in the same run.

Run: ``python benchmarks/bench_analyze.py [--repeat 3] [--budget 120] [--only NAME ...]``

Figures (wall seconds; commands run as real processes, ``PYTHONPATH`` pointing at
this tree's ``src``, a fresh run store):

* ``analyze`` — ``callbluff analyze north-korea-2009``; reference: the same command
  with the thresholds found by grid and bisection only (the candidate breakpoints
  turned off in the process), so the ratio is what the breakpoints save;
* ``help``, ``scenarios`` — ``callbluff --help`` and ``callbluff scenarios``;
  reference: the same after importing what the command line imported at start-up
  before issue 17 (analysis, report, sweep, store);
* ``report`` — ``callbluff report north-korea-2009``; reference as for ``analyze``;
* ``cases`` — ``callbluff cases``; reference as for ``analyze``;
* ``8x4`` — seconds per 8-type × 4-message random signalling game, every PBE exact
  (the games of ``benchmarks/bench_solve.py``); no second method: the ratio is to
  the goal;
* ``map`` — ``callbluff map`` on the default scenario (detection of its main regime
  against the security-only prior, 41 × 41; no second method: ratio to the goal);
  ``sensitivity`` — its defaults; reference: every offer solved per model run (before
  the model read the main offer alone).  Both run in this process under ``--budget``
  seconds: past it, the figure is the points done and the projected total at the
  rate so far;
* ``slider`` — the web page in Debian's chromium (Playwright) on a loopback
  ``callbluff serve``: p50 and p95 seconds from a slider move to the new verdict
  shown (``benchmarks/bench_slider.py``).

Each line: the figure, the reference's figure, their ratio (reference / ours: above 1
is faster) and the issue's goal.  ``help`` and ``scenarios``: the medians of
``--repeat`` runs after one untimed warm-up run; the long commands run once each way
(their spread is far below their ratio).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
sys.path[:0] = [str(SRC), str(ROOT / "tests"), str(ROOT / "benchmarks")]

#: What `callbluff --help` imported before the commands imported lazily.
EAGER = ("import callbluff.analysis.verdict, callbluff.analysis.jsonify, "
         "callbluff.report.html, callbluff.sweep.run, callbluff.sweep.sensitivity, "
         "callbluff.store\n")
#: Thresholds by grid and bisection only: the candidate breakpoints turned off.
BISECTION = ("import importlib\n"
             "for name in ('callbluff.analysis.article', 'callbluff.analysis.verdict'):\n"
             "    importlib.import_module(name).offer_breakpoints = lambda *a, **k: None\n")
CLI = "from callbluff.cli import main\nmain()\n"

GOALS = {"analyze": 1.0, "help": 0.3, "scenarios": 0.3, "report": 2.0, "cases": 10.0,
         "8x4": 0.5, "map": 10.0, "sensitivity": 60.0, "slider": 0.3}


def _run(prelude: str, args: Sequence[str], cwd: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(SRC), "CALLBLUFF_STORE": str(cwd / "runs.sqlite3"),
           "CALLBLUFF_TIME_LIMIT": "0"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", prelude + CLI, *args], cwd=cwd, env=env,
                          capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"callbluff {' '.join(args)} failed: {done.stderr.decode()[-500:]}")
    return seconds


def _median(prelude: str, args: Sequence[str], repeat: int, cwd: Path) -> float:
    if repeat > 1:
        _run(prelude, args, cwd)  # warm-up of the quick commands, untimed
    return statistics.median(_run(prelude, args, cwd) for _ in range(repeat))


def _line(name: str, ours: float, reference: float | None, note: str = "") -> None:
    ratio = f"{reference / ours:7.2f}" if reference is not None else "      —"
    ref = f"{reference:10.3f}" if reference is not None else "         —"
    goal = GOALS[name]
    met = "yes" if ours < goal else "no"
    print(f"{name:<12} {ours:10.3f} {ref} {ratio}   < {goal:<5g} {met:<4} {note}", flush=True)


def bench_commands(names: set[str], repeat: int, cwd: Path) -> None:
    commands: list[tuple[str, list[str], str]] = [
        ("help", ["--help"], EAGER),
        ("scenarios", ["scenarios"], EAGER),
        ("analyze", ["analyze", "north-korea-2009"], BISECTION),
        ("report", ["report", "north-korea-2009", "-o", str(cwd / "report.html")], BISECTION),
        ("cases", ["cases"], BISECTION),
    ]
    for name, args, reference_prelude in commands:
        if name not in names:
            continue
        times = repeat if name in ("help", "scenarios") else 1
        ours = _median("", args, times, cwd)
        reference = _median(reference_prelude, args, times, cwd)
        _line(name, ours, reference, "ref: " + ("eager imports" if reference_prelude is EAGER
                                                else "grid + bisection"))


def bench_8x4(games: int) -> None:
    from callbluff.solve import solve
    from solve_helpers import random_signalling

    solve(random_signalling(999, 2, 2))
    batch = [random_signalling(1000 + i, 8, 4) for i in range(games)]
    start = time.perf_counter()
    methods = {solve(g).method for g in batch}
    _line("8x4", (time.perf_counter() - start) / games, None,
          f"s/game over {games} games ({', '.join(sorted(methods))})")


class _OutOfBudget(Exception):
    pass


def _budgeted(budget: float) -> tuple[Callable[[int, int], None], list[float]]:
    """A progress callback that stops the work after ``budget`` seconds; the list
    holds (points done, points planned, seconds) as last seen."""
    start = time.perf_counter()
    seen = [0.0, 1.0, 0.0]

    def progress(done: int, planned: int) -> None:
        seen[:] = [done, planned, time.perf_counter() - start]
        if seen[2] > budget:
            raise _OutOfBudget

    return progress, seen


def bench_map(budget: float) -> None:
    from callbluff.scenario.loader import load_scenario
    from callbluff.sweep.maps import default_axis, verdict_map

    scenario = load_scenario("north-korea-2009")
    x = f"regimes[{scenario.offer('all-in').regime}].detection"
    y = "types[security-only].prior"
    progress, seen = _budgeted(budget)
    start = time.perf_counter()
    try:
        verdict_map(scenario, x, y, default_axis(scenario, x), default_axis(scenario, y), 41,
                    on_progress=progress)
    except _OutOfBudget:
        done, planned, seconds = seen
        _line("map", seconds * planned / max(done, 1), None,
              f"projected: {done:.0f} of {planned:.0f} points in {seconds:.0f} s (budget)")
        return
    _line("map", time.perf_counter() - start, None, "41 x 41, finished")


def _sensitivity_seconds(budget: float) -> tuple[float, str]:
    """Seconds of `callbluff sensitivity`'s defaults on the default scenario (projected
    past ``budget``), and how the figure was found."""
    from callbluff.scenario.loader import load_scenario
    from callbluff.sweep.sensitivity import (
        scenario_sobol,
        scenario_tornado,
        sobol_runs,
        tornado_runs,
    )
    from callbluff.sweep.spec import build_spec

    scenario = load_scenario("north-korea-2009")
    spec = build_spec(scenario)
    planned = tornado_runs(spec) + sobol_runs(spec, 256)
    progress, seen = _budgeted(budget)
    done = [0]

    def advance(runs: int) -> None:
        done[0] += runs
        progress(done[0], planned)

    start = time.perf_counter()
    try:
        scenario_tornado(scenario, spec, on_progress=advance)
        scenario_sobol(scenario, spec, 256, 0, on_progress=advance)
    except _OutOfBudget:
        runs, total, seconds = seen
        return (seconds * total / max(runs, 1),
                f"projected: {runs:.0f} of {total:.0f} model runs in {seconds:.0f} s")
    return time.perf_counter() - start, f"{planned} model runs, finished"


def bench_sensitivity(budget: float) -> None:
    """Ours, then the reference: every offer of the scenario solved per model run, as
    before the model read the main offer alone."""
    from callbluff.sweep import sensitivity

    ours, note = _sensitivity_seconds(budget)
    restrict = sensitivity.main_offer_only
    sensitivity.main_offer_only = lambda scenario: scenario
    try:
        reference, ref_note = _sensitivity_seconds(budget)
    finally:
        sensitivity.main_offer_only = restrict
    _line("sensitivity", ours, reference, f"{note}; reference {ref_note}")


def bench_web(moves: int) -> None:
    from bench_slider import slider_latencies

    complete: list[float] = []
    latencies = slider_latencies(moves, complete=complete)
    p50 = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20, method="inclusive")[-1]
    everything = statistics.quantiles(complete, n=20, method="inclusive")[-1]
    _line("slider", p95, None, f"p95 of {len(latencies)} moves to the verdict shown; p50 "
          f"{p50:.3f} s; p95 to everything shown (talks, package) {everything:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of the quick commands")
    parser.add_argument("--budget", type=float, default=120.0,
                        help="seconds for map and for sensitivity each")
    parser.add_argument("--games", type=int, default=8, help="8x4 games")
    parser.add_argument("--moves", type=int, default=20, help="slider moves")
    parser.add_argument("--only", nargs="*", default=sorted(GOALS), choices=sorted(GOALS))
    args = parser.parse_args()
    names = set(args.only)
    print(f"{'figure':<12} {'ours s':>10} {'ref s':>10} {'ratio':>7}   goal    met  note")
    with tempfile.TemporaryDirectory(prefix="bench-analyze-") as tmp:
        bench_commands(names, args.repeat, Path(tmp))
    if "8x4" in names:
        bench_8x4(args.games)
    if "map" in names:
        bench_map(args.budget)
    if "sensitivity" in names:
        bench_sensitivity(args.budget)
    if "slider" in names:
        bench_web(args.moves)


if __name__ == "__main__":
    main()
