"""Benchmark of sweeps: fast path, exact solver in a loop, pygambit; memory; workers.

Run: ``.venv/bin/python benchmarks/bench_sweep.py [--quick]``.  Prints one table.

* (a) fast path: variants per second of :func:`callbluff.sweep.fast.evaluate`
  (vectorised kernel only) and its certified share; end-to-end sweep rate (the
  kernel, Parquet, and the exact solver on every offer it does not certify).
* (b) exact solver in a loop (:func:`callbluff.sweep.evaluate.evaluate_exact`).
* (c) pygambit ``lcp_solve`` on the exported ``.efg`` of each offer of a variant
  (one equilibrium per game, so a lower bound on the work of finding all).
* the ratios (a)/(b) and (a)/(c), each measured in the same run.
* peak RSS of a kernel sweep streamed to Parquet with a fixed chunk size, at
  10⁵ and 10⁶ (``--big``: 10⁷) variants, each in a fresh process.
* scaling of the kernel sweep from 1 to 2 Dask workers.

Scenarios: the default (``north-korea-2009``, every counter-demand, its declared
uncertain inputs) and the same without counter-demands ("no counters").

Share routed to the exact solver, per offer: the kernel does not model costly
counter-demands (a breakdown risk, a round of delay, a proposer that may stand firm:
docs/model.md), balks (a counter-demand for another regime) or offers declared final;
every variant of such an offer goes to the exact solver.  The default scenario has
none of them today (``bargaining.costly_counters`` is off), so the table shows the
share each certificate leaves.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np


def setup(counters: bool) -> tuple[Any, Any]:
    """The default scenario with the uncertain inputs it declares (``uncertainty:`` and
    ``prior_distribution:`` in ``north-korea-2009.yaml``), with or without its
    counter-demands."""
    from callbluff.scenario.loader import load_scenario
    from callbluff.sweep.spec import build_spec

    s = load_scenario("north-korea-2009")
    if not counters:
        s = s.model_copy(update={"counter_demands": []})
    return s, build_spec(s)


def kernel_rate(counters: bool, n: int, chunk: int) -> tuple[float, float]:
    from callbluff.sweep import fast
    from callbluff.sweep.spec import draw_chunk

    s, spec = setup(counters)
    fast.evaluate(s, spec, draw_chunk(spec, 0, 0, 1000), 1000)  # warm-up, untimed
    done = 0
    certified = 0
    start = time.perf_counter()
    k = 0
    while done < n:
        size = min(chunk, n - done)
        inputs = draw_chunk(spec, 1, k, size)
        certified += int(fast.evaluate(s, spec, inputs, size).certified.sum())
        done += size
        k += 1
    return done / (time.perf_counter() - start), certified / done


def routed_shares(n: int) -> dict[str, float]:
    """Per offer of the default scenario: the share of ``n`` drawn variants the kernel
    does not certify (they go to the exact solver)."""
    from callbluff.solve.vectorised import evaluate_offer
    from callbluff.sweep import fast
    from callbluff.sweep.spec import draw_chunk

    s, spec = setup(True)
    inputs = draw_chunk(spec, 2, 0, n)
    params = fast.sweep_params(s, spec, inputs, n)
    return {o.id: 1 - float(evaluate_offer(s, params, o.id).certified.mean())
            for o in s.offers}


def end_to_end_rate(counters: bool, n: int) -> tuple[float, int]:
    """Rows per second of a whole sweep (one process), and how many rows needed the
    exact solver for some offer."""
    import pyarrow.parquet as pq

    from callbluff.sweep.run import SweepConfig, run_sweep

    s, spec = setup(counters)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "e.parquet"
        stats = run_sweep(s, spec, SweepConfig(n, 2, 20_000), out)
        exact_rows = sum(1 for x in pq.read_table(out)["certified"].to_pylist() if not x)
    return stats.rows / stats.seconds, exact_rows


def exact_rate(counters: bool, n: int) -> float:
    from callbluff.sweep.evaluate import evaluate_exact
    from callbluff.sweep.spec import apply_row, draw_chunk

    s, spec = setup(counters)
    inputs = draw_chunk(spec, 3, 0, n)
    start = time.perf_counter()
    for i in range(n):
        evaluate_exact(apply_row(s, spec, {c: v[i] for c, v in inputs.items()}))
    return n / (time.perf_counter() - start)


def gambit_rate(counters: bool, n: int) -> float:
    import pygambit as gbt

    from callbluff.game import bargain
    from callbluff.game.efg import write_efg
    from callbluff.sweep.spec import apply_row, draw_chunk

    s, spec = setup(counters)
    inputs = draw_chunk(spec, 4, 0, n)
    start = time.perf_counter()
    for i in range(n):
        v = apply_row(s, spec, {c: x[i] for c, x in inputs.items()})
        for o in v.offers:
            text = write_efg(bargain.compile_offer(v, o.id), gambit_labels=True)
            with tempfile.NamedTemporaryFile("w", suffix=".efg", delete=False) as f:
                f.write(text)
            game = gbt.read_efg(f.name)
            Path(f.name).unlink()
            gbt.nash.lcp_solve(game, rational=False)
    return n / (time.perf_counter() - start)


def rss_child(n: int, chunk: int) -> None:
    """In a fresh process: kernel sweep streamed to Parquet; prints peak RSS (MiB)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from callbluff.sweep import fast
    from callbluff.sweep.spec import draw_chunk

    s, spec = setup(True)
    with tempfile.TemporaryDirectory() as tmp:
        writer = None
        done = k = 0
        while done < n:
            size = min(chunk, n - done)
            inputs = draw_chunk(spec, 1, k, size)
            res = fast.evaluate(s, spec, inputs, size)
            cols = {**inputs, **{c: np.asarray(v) for c, v in res.columns.items()
                                 if not c.startswith("best_offer")}}
            table = pa.table(cols)
            if writer is None:
                writer = pq.ParquetWriter(str(Path(tmp) / "r.parquet"), table.schema)
            writer.write_table(table)
            done += size
            k += 1
        assert writer is not None
        writer.close()
    print(json.dumps({"n": n, "peak_rss_mib": resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss / 1024}))


def peak_rss(n: int, chunk: int) -> float:
    out = subprocess.run([sys.executable, __file__, "--rss-child", str(n), str(chunk)],
                         check=True, capture_output=True, text=True).stdout
    return float(json.loads(out.strip().splitlines()[-1])["peak_rss_mib"])


def dask_rate(workers: int, n: int, chunk: int) -> float:
    from distributed import Client, get_worker

    from callbluff.sweep import fast
    from callbluff.sweep.spec import draw_chunk

    def work(k: int, size: int) -> int:
        worker = get_worker()  # the scenario loaded once per worker, as a sweep does
        if not hasattr(worker, "bench_setup"):
            worker.bench_setup = setup(True)
        s, spec = worker.bench_setup
        inputs = draw_chunk(spec, 1, k, size)
        return int(fast.evaluate(s, spec, inputs, size).certified.sum())

    from callbluff.sweep.run import start_local_cluster

    with start_local_cluster(workers) as cluster, Client(cluster) as client:
        client.gather([client.submit(work, 0, 10, pure=False, workers=[w])
                       for w in client.scheduler_info()["workers"]])  # warm up each worker
        sizes = [min(chunk, n - k * chunk) for k in range((n + chunk - 1) // chunk)]
        start = time.perf_counter()
        client.gather([client.submit(work, k, size, pure=False)
                       for k, size in enumerate(sizes)])
        return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--big", action="store_true", help="also 10^7 variants for RSS")
    parser.add_argument("--rss-child", nargs=2, type=int)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(*args.rss_child)
        return
    n_kernel = 40_000 if args.quick else 100_000
    rows = Rows()
    rate = {}
    for counters, name in ((True, "default"), (False, "no counters")):
        rate[name], share = kernel_rate(counters, n_kernel, 20_000)
        rows.append((f"(a) fast kernel, {name}", f"{rate[name]:,.0f} variants/s "
                     f"({60 * rate[name]:,.0f}/min), certified {share:.2%}"))
    for offer_id, share in routed_shares(n_kernel // 10).items():
        rows.append((f"routed to the exact solver, {offer_id}", f"{share:.2%}"))
    exd = exact_rate(True, 3 if args.quick else 6)
    rows.append(("(b) exact loop, default", f"{exd:.3f} variants/s"))
    gb = gambit_rate(True, 2 if args.quick else 4)
    rows.append(("(c) pygambit lcp, default", f"{gb:.3f} variants/s"))
    rows.append(("ratio fast/exact (default)", f"{rate['default'] / exd:,.0f}×"))
    rows.append(("ratio fast/pygambit (default)", f"{rate['default'] / gb:,.0f}×"))
    n_e2e = 20_000 if args.quick else 100_000
    for counters, name in ((True, "default"), (False, "no counters")):
        e2e, exact_rows = end_to_end_rate(counters, n_e2e)
        rows.append((f"end-to-end sweep, {name}, {n_e2e:,}", f"{e2e:,.0f} variants/s "
                     f"({exact_rows} rows with an offer solved exactly)"))
    for n in ([10**5] if args.quick else [10**5, 10**6]) + ([10**7] if args.big else []):
        rows.append((f"peak RSS, {n:.0e} variants, chunk 20000", f"{peak_rss(n, 20_000):.0f} MiB"))
    r1 = dask_rate(1, 4 * n_kernel, 20_000)
    r2 = dask_rate(2, 4 * n_kernel, 20_000)
    rows.append(("Dask kernel, 1 worker", f"{r1:,.0f} variants/s"))
    rows.append(("Dask kernel, 2 workers", f"{r2:,.0f} variants/s ({r2 / r1:.2f}×)"))


class Rows(list[tuple[str, str]]):
    """Result rows, printed as they come (a long run still shows what it measured)."""

    def append(self, row: tuple[str, str]) -> None:
        super().append(row)
        print(f"{row[0]:<52}  {row[1]}", flush=True)


if __name__ == "__main__":
    main()
