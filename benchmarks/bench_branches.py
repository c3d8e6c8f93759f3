"""Benchmark: the message-branch search against the sequential enumeration on the 2009
main offer hearing costly counter-demands.

Run: ``python benchmarks/bench_branches.py [--budget SECONDS]``

For each set of counter-demands the main offer ('all-in') of north-korea-2009 hears
with ``bargaining.costly_counters`` on, prints the game's size (combinations of the
proposer's supports the enumeration forms), the seconds each method takes on the
reduced game, the ratio, and whether the outcome sets agree.  A method that passes
``--budget`` seconds is stopped and printed as ">budget" (it runs in a child process).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from callbluff.solve.assemble import build_equilibrium, merge_outcomes
from callbluff.solve.branches import (
    branch_shape,
    search_branches,
    support_combinations,
)
from callbluff.solve.pbe import enumerate_profiles
from callbluff.solve.reduce import lift, reduce_dominated
from callbluff.solve.structure import detect_one_informed
from test_solve_branches import _costly, _key

CASES = [["light-water-reactors"], ["us-forces-withdrawal"], ["declared-sites-only"],
         ["light-water-reactors", "declared-sites-only"],
         ["light-water-reactors", "us-forces-withdrawal", "declared-sites-only"]]


def _run(counters: list[str], method: str, out: mp.Queue) -> None:  # type: ignore[type-arg]
    game = _costly(counters)
    roles = detect_one_informed(game)
    assert roles is not None
    reduction = reduce_dominated(game)
    reduced_roles = detect_one_informed(reduction.reduced)
    assert reduced_roles is not None
    found = []
    start = time.perf_counter()
    if method == "branches":
        shape = branch_shape(reduction.reduced, reduced_roles)
        assert shape is not None

        def accept(beh: list[list[object]]) -> bool:
            eq = build_equilibrium(game, lift(reduction, beh), roles.informed)  # type: ignore[arg-type]
            if eq is not None:
                found.append(eq)
            return eq is not None

        search_branches(shape, accept)  # type: ignore[arg-type]
    else:
        for beh in enumerate_profiles(reduction.reduced, reduced_roles):
            eq = build_equilibrium(game, lift(reduction, beh), roles.informed)
            if eq is not None:
                found.append(eq)
    seconds = time.perf_counter() - start
    out.put((seconds, sorted(map(str, (_key(e) for e in merge_outcomes(game, found))))))


def _timed(counters: list[str], method: str, budget: float) -> tuple[float, list[str]] | None:
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    proc = mp.Process(target=_run, args=(counters, method, queue))
    proc.start()
    proc.join(budget)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None
    return queue.get()  # type: ignore[no-any-return]


def _fmt(result: tuple[float, list[str]] | None, budget: float) -> str:
    return f">{budget:.0f}" if result is None else f"{result[0]:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=300.0, help="seconds per method")
    args = parser.parse_args()
    print(f"{'counter-demands':<66} {'supports':>9} {'branches s':>11} {'enumeration s':>14}"
          f" {'ratio':>7}  same")
    for counters in CASES:
        reduction = reduce_dominated(_costly(counters))
        roles = detect_one_informed(reduction.reduced)
        assert roles is not None
        shape = branch_shape(reduction.reduced, roles)
        assert shape is not None
        size = support_combinations(shape)
        ours = _timed(counters, "branches", args.budget)
        theirs = _timed(counters, "enumeration", args.budget)
        ratio = (f"{theirs[0] / ours[0]:.1f}x" if ours and theirs else "-")
        same = ("yes" if ours[1] == theirs[1] else "NO") if ours and theirs else "-"
        print(f"{' + '.join(counters):<66} {size:>9} {_fmt(ours, args.budget):>11}"
              f" {_fmt(theirs, args.budget):>14}"
              f" {ratio:>7}  {same}", flush=True)


if __name__ == "__main__":
    main()
