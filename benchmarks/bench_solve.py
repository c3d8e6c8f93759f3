"""Benchmark: own PBE enumeration vs pygambit ``enummixed_solve`` on random signalling games.

Run: ``python benchmarks/bench_solve.py [--games N] [--budget SECONDS]``

For each size (types × messages, two receiver actions per message) the same random
games (fixed seeds, generator of tests/solve_helpers.py) are solved by our solver
(exact) and, for the small sizes, by pygambit ``enummixed_solve(rational=False)``;
printed: seconds per game for each, the ratio, whether the sets of equilibrium
payoff vectors agree (to 1e-6, since pygambit runs in floats here), and which of
our enumerations ran (``search``: the pattern search of regular games; ``milp``).
Larger sizes run our solver alone.  One untimed solve by each solver first keeps
import and first-call costs out of the figures.  ``--budget`` caps the seconds
spent per size and solver.
"""

from __future__ import annotations

import argparse
import sys
import time
from fractions import Fraction
from pathlib import Path

import pygambit as gbt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from callbluff.solve import SEARCH, solve
from callbluff.solve.gambit import to_pygambit
from solve_helpers import random_signalling

SIZES_COMPARED = [(2, 2), (3, 2), (3, 3)]
SIZES_OURS = [(4, 3), (6, 4), (8, 4)]


def _same(ours: set[tuple[Fraction, ...]], theirs: list[tuple[float, ...]]) -> bool:
    def close(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
        return all(abs(x - y) < 1e-6 for x, y in zip(a, b, strict=True))

    ours_f = [tuple(float(v) for v in p) for p in ours]
    return all(any(close(o, t) for t in theirs) for o in ours_f) and all(
        any(close(t, o) for o in ours_f) for t in theirs
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=8, help="games per size")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per size and solver")
    args = parser.parse_args()
    warm = random_signalling(999, 2, 2)
    solve(warm)
    gbt.nash.enummixed_solve(to_pygambit(warm)[0], rational=False)
    print(f"{'size':>6} {'games':>5} {'ours s/game':>12} {'gambit s/game':>14} {'ratio':>8} "
          "agree  path")
    for n_types, n_msgs in SIZES_COMPARED + SIZES_OURS:
        compare = (n_types, n_msgs) in SIZES_COMPARED
        games = [random_signalling(1000 + i, n_types, n_msgs) for i in range(args.games)]
        ours_t, theirs_t, agree, done, paths = 0.0, 0.0, True, 0, set()
        for game in games:
            t0 = time.perf_counter()
            result = solve(game)
            ours_t += time.perf_counter() - t0
            paths.add("search" if result.options["enumeration"] == SEARCH else "milp")
            if compare:
                g, _ = to_pygambit(game)
                t0 = time.perf_counter()
                eqs = gbt.nash.enummixed_solve(g, rational=False).equilibria
                theirs_t += time.perf_counter() - t0
                theirs = [tuple(float(e.payoff(p)) for p in g.players) for e in eqs]
                agree = agree and _same({e.payoffs for e in result.equilibria}, theirs)
            done += 1
            if ours_t + theirs_t > args.budget:
                break
        ours_pg = ours_t / done
        if compare:
            theirs_pg = theirs_t / done
            print(
                f"{n_types}x{n_msgs:<4} {done:>5} {ours_pg:>12.4f} {theirs_pg:>14.4f} "
                f"{theirs_pg / ours_pg:>8.1f} {'yes' if agree else 'NO':>5}  "
                f"{'+'.join(sorted(paths))}",
                flush=True,
            )
        else:
            print(
                f"{n_types}x{n_msgs:<4} {done:>5} {ours_pg:>12.4f} {'-':>14} {'-':>8} {'-':>5}  "
                f"{'+'.join(sorted(paths))}", flush=True
            )


if __name__ == "__main__":
    main()
