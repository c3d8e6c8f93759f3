"""Benchmark: cheapest separating package, MILP (HiGHS) against brute force.

Run: ``python benchmarks/bench_packages.py`` (options: ``--instances``, ``--seed``,
``--brute-instances``).  Prints one table:

* random instances with 40 concessions × 8 types × 4 regimes: MILP time per
  instance (goal: < 1 s each);
* random instances with 16 concessions (same generator): MILP and exhaustive exact
  enumeration (2^16 · 4 candidates), their costs (must agree exactly) and the time
  ratio.

Instances are drawn so that separation is possible but not free: security-only
types value security, ulterior types value prestige / coercion / revenue, and the
concessions mix both, some reversible.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from fractions import Fraction
from typing import Any

from callbluff.analysis.packages import (
    brute_force_cheapest_package,
    cheapest_separating_package,
    separation_failures,
)
from callbluff.scenario.schema import Scenario

MOTIVES = ("security", "prestige", "coercion", "revenue", "economy")


def instance(rng: random.Random, n_concessions: int, n_types: int = 8,
             n_regimes: int = 4) -> Scenario:
    def num(lo: int, hi: int, den: int = 4) -> Fraction:
        return Fraction(rng.randint(lo * den, hi * den), den)

    weights = [rng.randint(1, 9) for _ in range(n_types)]
    types: list[dict[str, Any]] = []
    for i in range(n_types):
        security = i < max(1, n_types // 3)
        w = ({"security": num(1, 2), "economy": num(0, 1)} if security
             else {m: num(0, 2) for m in MOTIVES})
        types.append({
            "id": f"t{i}", "prior": Fraction(weights[i], sum(weights)),
            "security_only": security, "weights": w,
            "inspection_sensitivity": num(0, 1) if security else num(0, 3),
            "status_quo": num(-4, 0), "arsenal_harm": num(1, 10),
        })
    concessions = [{
        "id": f"c{j}", "cost": num(1, 10),
        "values": {m: num(0, 3) if rng.random() < 0.5 else Fraction(0) for m in MOTIVES},
        "reversible": rng.random() < 0.4,
    } for j in range(n_concessions)]
    regimes = [{
        "id": f"r{v}", "detection": Fraction(rng.randint(2, 20), 20),
        "intrusiveness": num(0, 2), "cost": num(0, 6),
    } for v in range(n_regimes)]
    fallbacks = [{
        "id": f"f{k}",
        "proposer": {t["id"]: num(-10, 0) for t in types},
        "target": {t["id"]: num(-3, 0) for t in types},
    } for k in range(3)]
    scale = max(2, n_concessions // 4)
    return Scenario.model_validate({
        "id": "bench", "title": "random benchmark instance",
        "proposer": {"name": "P"}, "target": {"name": "T"},
        "motives": [{"id": m} for m in MOTIVES],
        "types": types,
        "arsenal": {"values": {m: num(1, scale) for m in MOTIVES}},
        "concessions": concessions,
        "regimes": regimes,
        "offers": [{"id": "o", "concessions": [], "regime": "r0"}],
        "cheating": {"covert_fraction": num(0, 1), "penalty": num(0, 8)},
        "denuclearisation_value": 50,
        "fallbacks": fallbacks,
        "time": {"rounds": 0, "discount": 1, "arsenal_growth": 0, "harm_growth": 0},
    })


def timed(fn: Any, *args: Any) -> tuple[Any, float, float]:
    """Result, wall seconds, CPU seconds of this process (less noisy on a busy box)."""
    start, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, time.perf_counter() - start, time.process_time() - cpu


def describe(design: Any) -> str:
    if design is None:
        return "none separates"
    return f"{len(design.concessions):2d} conc., {design.regime}, cost {float(design.cost):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--brute-instances", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2009)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    print("MILP (HiGHS) on 40 concessions x 8 types x 4 regimes")
    print(f"{'#':>3}  {'wall s':>8}  {'CPU s':>8}  {'optimal':>7}  result")
    times: list[float] = []
    cpus: list[float] = []
    for i in range(args.instances):
        design, seconds, cpu = timed(cheapest_separating_package, instance(rng, 40))
        times.append(seconds)
        cpus.append(cpu)
        optimal = "-" if design is None else str(design.optimal)
        print(f"{i:>3}  {seconds:8.3f}  {cpu:8.3f}  {optimal:>7}  {describe(design)}")
    for name, xs in (("wall", times), ("CPU", cpus)):
        print(f"MILP 40x8x4 {name}: mean {statistics.mean(xs):.3f} s, median "
              f"{statistics.median(xs):.3f} s, max {max(xs):.3f} s; goal < 1 s: "
              f"{sum(x < 1 for x in xs)}/{len(xs)} instances")

    print()
    print("MILP vs brute force on 16 concessions x 8 types x 4 regimes")
    print(f"{'#':>3}  {'MILP s':>8}  {'brute s':>8}  {'ratio':>7}  {'same cost':>9}  result")
    ratios: list[float] = []
    for i in range(args.brute_instances):
        s = instance(rng, 16)
        fast, t_fast, _ = timed(cheapest_separating_package, s)
        slow, t_slow, _ = timed(brute_force_cheapest_package, s)
        same = (fast is None and slow is None) or (
            fast is not None and slow is not None and fast.cost == slow.cost)
        ratios.append(t_slow / t_fast)
        print(f"{i:>3}  {t_fast:8.3f}  {t_slow:8.2f}  {t_slow / t_fast:7.0f}  "
              f"{same!s:>9}  {describe(fast)}")
    if ratios:
        print(f"brute force / MILP time ratio: median {statistics.median(ratios):.0f}x "
              "(brute force stops at the first separating candidate in cost order)")
        s = instance(rng, 16)
        sample = [(rng.sample([c.id for c in s.concessions], rng.randint(0, 16)),
                   rng.choice(s.regimes).id) for _ in range(100)]
        start = time.perf_counter()
        for ids, regime in sample:
            separation_failures(s, ids, regime)
        per = (time.perf_counter() - start) / len(sample)
        full = per * 2**16 * len(s.regimes)
        print(f"exact check of one candidate: {per * 1e3:.2f} ms; a full enumeration of "
              f"2^16 x {len(s.regimes)} candidates would take ~{full / 60:.0f} min")


if __name__ == "__main__":
    main()
