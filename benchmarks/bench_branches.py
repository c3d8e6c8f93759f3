"""Benchmark: the message-branch search against the sequential enumeration on the 2009
main offer hearing costly counter-demands.

Run: ``python benchmarks/bench_branches.py [--budget SECONDS]``

For each set of counter-demands the main offer ('all-in') of north-korea-2009 hears
with ``bargaining.costly_counters`` on, prints the game's size (combinations of the
proposer's supports the enumeration forms), the seconds each method takes on the
reduced game — the branch search, the same with its twins enumerated apart
("untied"), the sequential enumeration —, the ratio of the enumeration (else the
untied search) to the branch search, and whether the outcome sets agree (the
enumeration's, else the untied search's: there, the target's strategy and the
payoffs, since untied twins list more points of a continuum).  A method that passes
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
from test_solve_branches import _costly

CASES = [["light-water-reactors"], ["us-forces-withdrawal"], ["declared-sites-only"],
         ["light-water-reactors", "declared-sites-only"],
         ["us-forces-withdrawal", "declared-sites-only"],
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
    if method in ("branches", "untied"):
        shape = branch_shape(reduction.reduced, reduced_roles)
        assert shape is not None

        def accept(beh: list[list[object]]) -> bool:
            eq = build_equilibrium(game, lift(reduction, beh), roles.informed)  # type: ignore[arg-type]
            if eq is not None:
                found.append(eq)
            return eq is not None

        search_branches(shape, accept, tie_twins=method == "branches")  # type: ignore[arg-type]
    else:
        for beh in enumerate_profiles(reduction.reduced, reduced_roles):
            eq = build_equilibrium(game, lift(reduction, beh), roles.informed)
            if eq is not None:
                found.append(eq)
    seconds = time.perf_counter() - start
    target = {h.label for h in game.infosets if h.player == roles.informed}
    out.put((seconds, sorted({str((e.payoffs, sorted(e.type_payoffs.items()),
                                   sorted((h, sorted(p.items()))
                                          for h, p in e.behaviour.items()
                                          if h in e.on_path and h in target)))
                              for e in merge_outcomes(game, found)})))


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
    print(f"{'counter-demands':<66} {'supports':>9} {'branches s':>11} {'untied s':>9}"
          f" {'enumeration s':>14} {'ratio':>7}  same")
    for counters in CASES:
        reduction = reduce_dominated(_costly(counters))
        roles = detect_one_informed(reduction.reduced)
        assert roles is not None
        shape = branch_shape(reduction.reduced, roles)
        assert shape is not None
        size = support_combinations(shape)
        ours = _timed(counters, "branches", args.budget)
        untied = _timed(counters, "untied", args.budget)
        theirs = _timed(counters, "enumeration", args.budget)
        reference = theirs or untied
        ratio = f"{reference[0] / ours[0]:.1f}x" if ours and reference else "-"
        same = ("yes" if ours[1] == reference[1] else "NO") if ours and reference else "-"
        print(f"{' + '.join(counters):<66} {size:>9} {_fmt(ours, args.budget):>11}"
              f" {_fmt(untied, args.budget):>9} {_fmt(theirs, args.budget):>14}"
              f" {ratio:>7}  {same}", flush=True)


if __name__ == "__main__":
    main()
