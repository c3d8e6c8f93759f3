"""Benchmark: the talks game of the default scenario, horizons 2–5, against pygambit.

Run: ``python benchmarks/bench_talks.py [--horizons 2 3 4 5] [--budget SECONDS]``

For each horizon T the unrestricted talks game of ``north-korea-2009`` (every
take-it-or-leave-it offer or none in every round; five types, three fallbacks) is
solved by our backward induction over belief states (:mod:`callbluff.solve.talks`,
exact, every equilibrium with pure answers), timed after one untimed warm-up solve.
The same game is then written as an extensive form (``compile_talks``, then
``write_efg``: its size is printed) and pygambit 16.7 ``lcp_solve(rational=True)``
looks for one Nash equilibrium, in a child process stopped after ``--budget``
seconds.  Printed: our seconds, the number of equilibria, the tree's size,
pygambit's seconds (or "stopped after …"), the ratio pygambit / ours, and whether
pygambit's equilibrium value for the proposer is among ours (it need not be: Lemke
finds a Nash equilibrium, which may rest on threats off the path that no perfect
Bayesian equilibrium makes; tests/test_talks.py shows one).  Building the tree is
timed on its own; at large horizons it is skipped when the tree would exceed
``--max-nodes``.  For reference, the same is printed for the two-type, two-offer
skimming game of tests/test_talks.py (v = 2), where pygambit finishes.

A second table times the *policies* (one offer a round; their trees grow linearly in
the rounds), which callbluff solves with the exact all-PBE solver on the tree
(``analysis.talks.solve_policy``, mixed answers included): for each horizon the
policies "talks, then all in" and "light inspections, then all in", ours (every
equilibrium) against pygambit's ``lcp_solve`` (one Nash equilibrium) on the same tree.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from fractions import Fraction
from pathlib import Path
from queue import Empty

from callbluff.api import load
from callbluff.game.efg import write_efg
from callbluff.game.talks import compile_talks, talk_offers, talks_setup
from callbluff.scenario.schema import Scenario
from callbluff.solve.talks import solve_talks

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def _gambit(efg: str, out: mp.Queue) -> None:  # type: ignore[type-arg]
    import pygambit as gbt

    game = gbt.read_efg(__import__("io").StringIO(efg))
    start = time.perf_counter()
    result = gbt.nash.lcp_solve(game, rational=True)
    seconds = time.perf_counter() - start
    first = next(iter(game.players))
    values = [str(eq.payoff(first)) for eq in result.equilibria]
    out.put((seconds, values))


def _gambit_in_child(efg: str, budget: float) -> tuple[float, list[str]] | None:
    """pygambit's seconds and equilibrium values, or ``None`` if stopped after
    ``budget`` seconds."""
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    child = mp.Process(target=_gambit, args=(efg, queue))
    child.start()
    try:
        found: tuple[float, list[str]] = queue.get(timeout=budget)
        return found
    except Empty:
        child.kill()
        return None
    finally:
        child.join()


def _tree_nodes(offers: int, types: int, fallbacks: int, rounds: int) -> int:
    """Nodes of compile_talks's tree.  Per type and round: the proposer's node; for
    each real offer (``offers`` counts 'no offer' too) the answer node and the
    accepted subtree (compliance choice, guarantees chance and its 2 leaves, inspection
    chance, its undetected leaf, the detection decision and one leaf per fallback:
    7 + fallbacks); after every offer the next round, or after the last round the
    no-deal decision and its leaves (1 + fallbacks).  Plus the root."""
    size = 1 + fallbacks
    for _ in range(rounds):
        size = 1 + (offers - 1) * (1 + 7 + fallbacks) + offers * size
    return 1 + types * size


def _row(s: Scenario, rounds: int, budget: float, max_nodes: int) -> None:
    setup = talks_setup(s, rounds=rounds)
    start = time.perf_counter()
    solution = solve_talks(s, setup)
    ours = time.perf_counter() - start
    values = {p.proposer_value for p in solution.equilibria}
    nodes = _tree_nodes(len(talk_offers(s)) + 1, len(setup.types), len(s.fallbacks), rounds)
    head = f"{s.id:>16} {rounds:>2} {ours:>8.3f} {len(values):>3} {nodes:>8}"
    if nodes > max_nodes:
        print(f"{head} {'-':>9} {'not exported':>16} {'-':>8}  -")
        return
    start = time.perf_counter()
    game = compile_talks(s, setup)
    efg = write_efg(game)
    export = time.perf_counter() - start
    assert len(game.nodes) == nodes, (len(game.nodes), nodes)
    found = _gambit_in_child(efg, budget)
    if found is None:
        print(f"{head} {export:>9.2f} {'stopped after ' + str(int(budget)):>16} {'-':>8}  -")
        return
    seconds, theirs = found
    among = all(Fraction(v) in values for v in theirs)
    print(f"{head} {export:>9.2f} {seconds:>16.2f} {seconds / ours:>8.1f}  {among} "
          f"({', '.join(theirs)})")


def _policy_row(s: Scenario, offers: tuple[str, ...], budget: float) -> None:
    from callbluff.analysis.talks import solve_policy

    start = time.perf_counter()
    policy = solve_policy(s, "policy", offers)
    ours = time.perf_counter() - start
    setup = talks_setup(s, rounds=len(offers), offers_by_round=[(o,) for o in offers])
    game = compile_talks(s, setup)
    head = f"{offers[0][:12]:>12}→{offers[-1]:<8} {len(offers):>2} {ours:>8.3f} " \
           f"{policy.equilibria:>3} {len(game.nodes):>6}"
    found = _gambit_in_child(write_efg(game), budget)
    if found is None:
        print(f"{head} {'stopped after ' + str(int(budget)):>16} {'-':>8}")
        return
    seconds, theirs = found
    print(f"{head} {seconds:>16.3f} {seconds / ours:>8.1f}  ({', '.join(theirs)}; ours "
          f"{float(policy.proposer_worst or 0):.4f} … {float(policy.proposer_best or 0):.4f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--horizons", type=int, nargs="+", default=[2, 3, 4, 5])
    parser.add_argument("--budget", type=float, default=120.0,
                        help="seconds pygambit may take per horizon")
    parser.add_argument("--max-nodes", type=int, default=400_000,
                        help="largest tree exported for pygambit")
    args = parser.parse_args()
    from test_talks import skim

    default = load("north-korea-2009")
    solve_talks(default, talks_setup(default, rounds=1))  # warm-up
    print(f"{'scenario':>16} {'T':>2} {'ours s':>8} {'eq':>3} {'nodes':>8} {'export s':>9} "
          f"{'gambit s':>16} {'ratio':>8}  gambit value among ours")
    for rounds in args.horizons:
        _row(default, rounds, args.budget, args.max_nodes)
    for rounds in (2, 3):
        _row(skim("2"), rounds, args.budget, args.max_nodes)
    print()
    print(f"{'policy':>21} {'T':>2} {'ours s':>8} {'eq':>3} {'nodes':>6} {'gambit s':>16} "
          f"{'ratio':>8}  gambit's value (ours: worst … best)")
    for rounds in [*args.horizons, max(args.horizons) + 1]:
        for first in ("no offer", "all-in-light-inspections"):
            _policy_row(default, (first,) * (rounds - 1) + ("all-in",), args.budget)


if __name__ == "__main__":
    main()
