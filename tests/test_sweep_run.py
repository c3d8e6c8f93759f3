"""Sweeps: determinism, streaming to Parquet, and Dask equal to one process.

Truths: a sweep is a pure function of (scenario, inputs, seed, chunk size), so
two runs — one in this process, one on a real ``distributed.LocalCluster`` with
two worker processes — must write identical tables; each chunk's draws come
from its own ``SeedSequence`` child, so reordering chunks cannot change them.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from callbluff.errors import InputError
from callbluff.scenario.loader import load_scenario
from callbluff.scenario.schema import Scenario
from callbluff.scenario.uncertainty import PriorDistribution, UncertainInput
from callbluff.sweep.run import (
    WORKER_MMAP_THRESHOLD,
    SweepConfig,
    iter_chunks,
    run_sweep,
    start_local_cluster,
)
from callbluff.sweep.spec import SweepSpec, build_spec, chunk_generator, draw_chunk
from callbluff.sweep.summary import summarise_file, wilson

INPUTS = [
    {"path": "regimes[rigorous].detection",
     "distribution": {"kind": "uniform", "low": 0.5, "high": 1.0}},
    {"path": "cheating.penalty", "distribution": {"kind": "uniform", "low": 0, "high": 30}},
]


def scenario() -> Scenario:
    s = load_scenario("north-korea-2009")
    keep = [o for o in s.offers if o.id in ("all-in", "security-for-inspections")]
    return s.model_copy(update={"counter_demands": [], "offers": keep, "uncertainty": [],
                                "prior_distribution": None})


def spec(s: Scenario) -> SweepSpec:
    prior = PriorDistribution.model_validate(
        {"kind": "dirichlet", "concentration": {t.id: 20 for t in s.types}})
    return build_spec(s, [UncertainInput.model_validate(x) for x in INPUTS], prior)


def test_chunk_draws_depend_only_on_seed_and_chunk() -> None:
    s = scenario()
    sp = spec(s)
    a = draw_chunk(sp, 7, 3, 10)
    draw_chunk(sp, 7, 0, 10)  # another chunk drawn in between changes nothing
    b = draw_chunk(sp, 7, 3, 10)
    for c in a:
        assert np.array_equal(a[c], b[c])
    c0 = draw_chunk(sp, 7, 0, 10)
    assert not np.array_equal(a[sp.columns[0]], c0[sp.columns[0]])
    # chunk k is the k-th child of SeedSequence(seed)
    child = np.random.SeedSequence(7).spawn(4)[3]
    expected = np.random.Generator(np.random.PCG64(child)).uniform(0.5, 1.0, 10)
    assert np.array_equal(a["in:regimes[rigorous].detection"], expected)
    assert chunk_generator(7, 3).random() == np.random.Generator(
        np.random.PCG64(child)).random()


def test_same_seed_same_parquet_and_streamed_by_chunk(tmp_path: Path) -> None:
    s = scenario()
    sp = spec(s)
    config = SweepConfig(samples=70, seed=3, chunk_size=25)
    first, second = tmp_path / "a.parquet", tmp_path / "b.parquet"
    run_sweep(s, sp, config, first)
    run_sweep(s, sp, config, second)
    a, b = pq.read_table(first), pq.read_table(second)
    assert a.equals(b)
    assert a.num_rows == 70
    assert pq.ParquetFile(str(first)).num_row_groups == 3  # one row group per chunk
    assert a["variant"].to_pylist() == list(range(70))
    assert set(a["seed"].to_pylist()) == {3}
    assert len(set(a["scenario_sha256"].to_pylist())) == 1
    other = tmp_path / "c.parquet"
    run_sweep(s, sp, SweepConfig(samples=70, seed=4, chunk_size=25), other)
    assert not pq.read_table(other)["in:cheating.penalty"].equals(a["in:cheating.penalty"])


def test_fast_and_exact_engines_write_the_same_rows(tmp_path: Path) -> None:
    """The second offer entertains a counter-demand the proposer grants against some
    types only, which the fast path cannot always reduce: some rows are certified,
    others have that offer solved exactly and the main offer from the fast path."""
    s = scenario()
    lwr = [c for c in load_scenario("north-korea-2009").counter_demands
           if c.id == "light-water-reactors"]
    offers = [o if o.id == "all-in" else o.model_copy(
        update={"counter_demands": ["light-water-reactors"]}) for o in s.offers]
    s = s.model_copy(update={"counter_demands": lwr, "offers": offers})
    sp = spec(s)
    fast_table = next(iter_chunks(s, sp, SweepConfig(16, 5, 16, "fast")))
    exact_table = next(iter_chunks(s, sp, SweepConfig(16, 5, 16, "exact")))
    assert 0 < sum(fast_table["certified"].to_pylist()) < 16
    assert 1 in fast_table["exact_offers"].to_pylist()
    for name in fast_table.column_names:
        if name in ("certified", "exact_offers"):
            continue
        x, y = fast_table[name].to_pylist(), exact_table[name].to_pylist()
        for u, v in zip(x, y, strict=True):
            if isinstance(u, float):
                assert (np.isnan(u) and np.isnan(v)) or abs(u - v) <= 1e-9, name
            else:
                assert u == v, name


@pytest.mark.slow
def test_dask_local_cluster_equals_one_process(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    s = scenario()
    sp = spec(s)
    config = SweepConfig(samples=60, seed=11, chunk_size=15)
    local = tmp_path / "local.parquet"
    run_sweep(s, sp, config, local)
    with start_local_cluster(2) as cluster, distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        # the workers allocate chunk-sized arrays from the heap (see run.py)
        mmap = client.run(lambda: os.environ.get("MALLOC_MMAP_THRESHOLD_"))
        assert set(mmap.values()) == {str(WORKER_MMAP_THRESHOLD)}
        remote = tmp_path / "dask.parquet"
        run_sweep(s, sp, config, remote, client=client)
    assert pq.read_table(local).equals(pq.read_table(remote))


def test_summary_counts_every_row(tmp_path: Path) -> None:
    s = scenario()
    out = tmp_path / "s.parquet"
    run_sweep(s, spec(s), SweepConfig(samples=40, seed=1, chunk_size=20), out)
    table = pq.read_table(out)
    summary = summarise_file(out, "all-in", sample_limit=30)
    assert summary.rows == 40
    assert summary.separates == sum(table["separates"].to_pylist())
    assert sum(summary.best_offer.values()) == 40
    assert {i.input for i in summary.importance} == {
        "regimes[rigorous].detection", "cheating.penalty",
        *(f"prior:{t.id}" for t in s.types)}


def test_wilson_interval_known_values() -> None:
    # Wilson (1927); e.g. Agresti & Coull (1998), Am. Stat. 52: 0 of 10 -> [0, 0.2775]
    lo, hi = wilson(0, 10)
    assert lo == 0.0
    assert hi == pytest.approx(0.2775, abs=1e-4)
    lo, hi = wilson(5, 10)
    assert (lo, hi) == pytest.approx((0.2366, 0.7634), abs=1e-4)


def test_bad_paths_and_supports_are_input_errors() -> None:
    s = scenario()
    with pytest.raises(InputError, match="names no number"):
        build_spec(s, [UncertainInput.model_validate(
            {"path": "regimes[nowhere].detection",
             "distribution": {"kind": "uniform", "low": 0, "high": 1}})])
    with pytest.raises(InputError, match="probability"):
        build_spec(s, [UncertainInput.model_validate(
            {"path": "regimes[rigorous].detection",
             "distribution": {"kind": "truncnormal", "mean": 0.9, "sd": 0.1}})])
    with pytest.raises(InputError, match=">= 0"):
        build_spec(s, [UncertainInput.model_validate(
            {"path": "cheating.penalty",
             "distribution": {"kind": "uniform", "low": -1, "high": 1}})])
    with pytest.raises(InputError, match="every type"):
        build_spec(s, [], PriorDistribution.model_validate(
            {"kind": "dirichlet", "concentration": {"mixed": 1}}))


@pytest.mark.slow
def test_a_map_on_dask_workers_equals_one_process() -> None:
    """``callbluff map --workers``: the points computed on a real LocalCluster of two
    workers give the same grid, labels and threshold curves as in this process (the
    default's all-in and security-for-inspections offers, detection against the
    cheating penalty: three verdicts, a curve bisected between them)."""
    distributed = pytest.importorskip("distributed")
    from callbluff.sweep.maps import verdict_map

    s = load_scenario("north-korea-2009")
    keep = [o for o in s.offers if o.id in ("all-in", "security-for-inspections")]
    s = s.model_copy(update={"counter_demands": [], "offers": keep, "uncertainty": [],
                             "prior_distribution": None})
    axes = ("regimes[rigorous].detection", "cheating.penalty", (0.0, 1.0), (0.0, 30.0))
    here = verdict_map(s, *axes, resolution=4)
    with start_local_cluster(2) as cluster, distributed.Client(cluster) as client:
        there = verdict_map(s, *axes, resolution=4, client=client)
    assert here.labels == there.labels and len(here.labels) == 3
    assert (here.grid == there.grid).all()
    assert here.curves == there.curves and here.curves


def test_map_rows_are_computed_spread_over_the_grid() -> None:
    """The map computes its rows ends first, then the midpoints of the widest gaps,
    so that the rate so far is the whole grid's: every row once; for 41 rows the
    first five are 0, 40, 20, 10, 30 (halving [0, 40])."""
    from callbluff.sweep.maps import _spread

    for n in (1, 2, 3, 7, 41, 401):
        assert sorted(_spread(n)) == list(range(n))
    assert _spread(41)[:5] == [0, 40, 20, 10, 30]
