"""Run a sweep: chunks of variants, in one process or as Dask tasks, streamed to Parquet.

A sweep of ``samples`` variants is cut into chunks of ``chunk_size``; chunk ``k``
draws its inputs from its own generator (:func:`callbluff.sweep.spec.chunk_generator`),
evaluates them (fast path with exact fallback, or exact only) and returns an
Arrow table.  The driver writes the chunks in order with one
:class:`pyarrow.parquet.ParquetWriter` (one row group per chunk) while at most
``in_flight`` chunks are pending, so memory stays bounded by the chunk size
whatever the number of variants.  Same scenario, seed and chunk size → the same
rows, whether one process or a Dask cluster of any size ran them.

Scale-out: ``client`` is a :class:`distributed.Client` — on a
``LocalCluster`` started by the CLI (``--workers K``) or connected to a running
scheduler (``--scheduler ADDRESS``); the same code path either way (Dask
documentation, "Futures": ``Client.submit``, ``as_completed``).  Workers receive
the scenario as YAML text and load it with the safe loader.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from callbluff.analysis.thresholds import with_number
from callbluff.analysis.verdict import (
    analyze_offer,
    detection_threshold,
    main_offer_id,
    status_quo,
)
from callbluff.scenario.loader import dump_scenario, load_scenario_text
from callbluff.scenario.schema import Scenario
from callbluff.sweep import fast
from callbluff.sweep.evaluate import (
    evaluate_exact,
    near_tie,
    output_columns,
    summarise_exact,
    variant_row,
)
from callbluff.sweep.spec import SweepSpec, apply_row, build_spec, draw_chunk

ENGINES = ("fast", "exact")
DEFAULT_CHUNK = {"fast": 20_000, "exact": 8}
#: glibc's mmap threshold in local Dask workers.  The nanny sets
#: ``MALLOC_TRIM_THRESHOLD_``, which also freezes the mmap threshold at 128 KiB, so
#: every temporary array of a chunk (≈ 1 MB) was mapped and page-faulted afresh: the
#: fast path ran 2–4× slower in a worker than in a plain process.
WORKER_MMAP_THRESHOLD = 64 * 2**20


def start_local_cluster(workers: int) -> Any:
    """A ``distributed.LocalCluster`` of ``workers`` processes, one thread each, whose
    workers allocate chunk-sized arrays from the heap (see ``WORKER_MMAP_THRESHOLD``)."""
    import dask
    from distributed import LocalCluster

    environ = {**dask.config.get("distributed.nanny.pre-spawn-environ", default={}),
               "MALLOC_MMAP_THRESHOLD_": WORKER_MMAP_THRESHOLD}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        return LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A ``distributed.Client`` on a new local cluster of ``workers`` processes or on
    the running ``scheduler`` (closed on exit); ``None`` (run in this process) when
    neither is given."""
    if workers is not None and scheduler is not None:
        raise ValueError("give workers or a scheduler, not both")
    if workers is None and scheduler is None:
        yield None
        return
    from distributed import Client

    cluster = start_local_cluster(workers) if workers is not None else None
    client = Client(cluster if cluster is not None else scheduler)  # type: ignore[no-untyped-call]
    try:
        yield client
    finally:
        client.close()  # type: ignore[no-untyped-call]
        if cluster is not None:
            cluster.close()


@dataclass(frozen=True)
class SweepConfig:
    samples: int
    seed: int
    chunk_size: int
    engine: str = "fast"
    thresholds: bool = False  # add the main offer's detection threshold (slower)

    def __post_init__(self) -> None:
        if self.samples < 1:
            raise ValueError(f"samples must be >= 1, got {self.samples}")
        if self.seed < 0:
            raise ValueError(f"seed must be >= 0, got {self.seed}")
        if self.chunk_size < 1:
            raise ValueError(f"chunk size must be >= 1, got {self.chunk_size}")
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")

    @property
    def chunks(self) -> int:
        return math.ceil(self.samples / self.chunk_size)

    def size_of(self, chunk: int) -> int:
        return min(self.chunk_size, self.samples - chunk * self.chunk_size)


@dataclass
class SweepStats:
    """What the driver saw: rows, how many the fast path certified, time."""

    rows: int = 0
    certified: int = 0
    seconds: float = 0.0
    chunks: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def plan_sweep(scenario: Scenario, samples: int, seed: int, engine: str = "fast",
               chunk_size: int | None = None, thresholds: bool = False,
               ) -> tuple[SweepSpec, SweepConfig]:
    """The scenario's uncertain inputs and the run's settings (``chunk_size``
    default: per engine); ``ValueError`` when the scenario declares nothing uncertain
    or a setting is out of range."""
    spec = build_spec(scenario)
    if len(spec) == 0:
        raise ValueError(f"scenario {scenario.id!r} declares no uncertain inputs (add an "
                         "'uncertainty:' list or a 'prior_distribution'; see docs/sweeps.md)")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    return spec, SweepConfig(samples=samples, seed=seed,
                             chunk_size=chunk_size or DEFAULT_CHUNK[engine], engine=engine,
                             thresholds=thresholds)


def scenario_sha256(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical YAML text."""
    return hashlib.sha256(dump_scenario(scenario).encode("utf-8")).hexdigest()


def evaluate_chunk(scenario: Scenario, spec: SweepSpec, config: SweepConfig,
                   chunk: int) -> pa.Table:
    """The rows of chunk ``chunk``: inputs, outputs, variant index and engine."""
    size = config.size_of(chunk)
    inputs = draw_chunk(spec, config.seed, chunk, size)
    start = chunk * config.chunk_size
    columns: dict[str, Any] = {"variant": np.arange(start, start + size, dtype=np.int64)}
    columns.update(inputs)
    outs, certified = evaluate_inputs(scenario, spec, inputs, size, config.engine)
    columns.update(outs)
    if config.thresholds:
        columns["detection_threshold"] = detection_threshold_column(
            scenario, spec, inputs, size, config.engine)
    columns["certified"] = certified
    return _table(columns)


def evaluate_inputs(scenario: Scenario, spec: SweepSpec, inputs: Mapping[str, Any], size: int,
                    engine: str = "fast") -> tuple[dict[str, Any], np.ndarray]:
    """Output columns for given input columns (``spec.columns``), and which rows the
    fast path certified (the others were solved exactly)."""
    outs = output_columns(scenario)
    if engine == "fast" and fast.supported(scenario, spec):
        result = fast.evaluate(scenario, spec, inputs, size)
        certified = result.certified
        out_cols = {name: np.asarray(result.columns[name]).copy() for name in outs}
        for name in ("best_offer", "best_offer_optimistic"):
            out_cols[name] = out_cols[name].astype(object)
        for i in np.flatnonzero(~certified):
            variant = apply_row(scenario, spec, {c: v[i] for c, v in inputs.items()})
            row = _mixed_row(variant, result, int(i))
            for name in outs:
                out_cols[name][i] = row[name]
    else:
        certified = np.zeros(size, dtype=bool)
        rows = [evaluate_exact(apply_row(scenario, spec, {c: v[i] for c, v in inputs.items()}))
                for i in range(size)]
        out_cols = {name: np.array([r[name] for r in rows], dtype=object) for name in outs}
    return out_cols, certified


def detection_threshold_column(scenario: Scenario, spec: SweepSpec, inputs: Mapping[str, Any],
                               size: int, engine: str = "fast") -> np.ndarray:
    """The main offer's detection threshold per variant (NaN: cheating even at d = 1);
    the fast path where certified, else :func:`~callbluff.analysis.verdict.detection_threshold`."""
    main = main_offer_id(scenario)
    found: list[Fraction | None] = [None] * size
    certified = np.zeros(size, dtype=bool)
    if engine == "fast" and fast.supported(scenario, spec):
        path = f"regimes[{scenario.offer(main).regime}].detection"

        def exact_point(row: int, d: Fraction) -> bool:
            variant = apply_row(scenario, spec, {c: v[row] for c, v in inputs.items()})
            variant = with_number(variant, path, d)
            return bool(analyze_offer(variant, main).cheaters(variant))

        found, certified = fast.detection_thresholds(
            scenario, fast.sweep_params(scenario, spec, inputs, size), exact_point)
    for i in np.flatnonzero(~certified):
        variant = apply_row(scenario, spec, {c: v[i] for c, v in inputs.items()})
        found[i] = detection_threshold(variant, main)[0]
    return np.array([math.nan if f is None else float(f) for f in found], dtype=np.float64)


def _mixed_row(variant: Scenario, result: fast.FastChunk, i: int) -> dict[str, object]:
    """A row where the fast path certified only some offers: those are kept, the
    others solved exactly; if the best policy value (worst or best equilibrium) is
    within the fast path's margin of another, the whole variant is solved exactly
    (the float comparison could err)."""
    sq = float(status_quo(variant)[0])
    main = main_offer_id(variant)
    figures = [
        fast.offer_figures(fo, i, sq) if fo.certified[i] and (o.id != main or fo.full[i])
        else summarise_exact(variant, o.id)
        for o, fo in zip(variant.offers, result.offers, strict=True)
    ]
    if all(f.engine == "exact" for f in figures):
        return evaluate_exact(variant)
    # A certified offer every type rejects is worth exactly the status quo: no tie to
    # decide there.
    repeats = fast.repeated_offers(variant)
    plain = [f for k, (f, fo) in enumerate(zip(figures, result.offers, strict=True))
             if not (f.engine == "fast" and fo.all_reject[i]) and k not in repeats]
    if near_tie([sq] + [f.value_worst for f in plain], fast.TOL) or near_tie(
            [sq] + [f.value_best for f in plain], fast.TOL):
        return evaluate_exact(variant)
    return variant_row(variant, figures, sq)


_TYPES: Mapping[str, pa.DataType] = {
    "separates": pa.bool_(), "separates_sometimes": pa.bool_(), "equilibria": pa.int64(),
    "cheaters": pa.int64(), "best_offer": pa.string(), "best_offer_optimistic": pa.string(),
    "exact_offers": pa.int64(), "certified": pa.bool_(), "variant": pa.int64(),
}


def _table(columns: Mapping[str, Any]) -> pa.Table:
    arrays = []
    names = []
    for name, values in columns.items():
        dtype = _TYPES.get(name, pa.float64())
        data = np.asarray(values)
        if dtype == pa.float64():
            data = data.astype(np.float64)
        elif dtype == pa.int64():
            data = data.astype(np.int64)
        elif dtype == pa.bool_():
            data = data.astype(bool)
        arrays.append(pa.array(data.tolist() if dtype == pa.string() else data, type=dtype))
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


def _worker_chunk(scenario_text: str, spec_paths: tuple[str, ...], config: SweepConfig,
                  chunk: int, extra_json: str) -> pa.Table:
    """A chunk on a Dask worker: the scenario comes as YAML text (safe loader)."""
    scenario = load_scenario_text(scenario_text, "<sweep>")
    spec = _spec_from_json(scenario, extra_json)
    return evaluate_chunk(scenario, spec, config, chunk)


def _spec_json(spec: SweepSpec) -> str:
    return json.dumps({
        "inputs": [{"path": i.path, "distribution": i.distribution.model_dump(),
                    "source": i.source} for i in spec.inputs],
        "prior": spec.prior.model_dump() if spec.prior is not None else None,
    })


def _spec_from_json(scenario: Scenario, text: str) -> SweepSpec:
    from callbluff.scenario.uncertainty import PriorDistribution, UncertainInput

    data = json.loads(text)
    extra = [UncertainInput.model_validate(item) for item in data["inputs"]]
    prior = (PriorDistribution.model_validate(data["prior"])
             if data["prior"] is not None else None)
    spec = build_spec(scenario, extra, prior)
    order = [i["path"] for i in data["inputs"]]
    by_path = {i.path: i for i in spec.inputs}
    return SweepSpec(inputs=tuple(by_path[p] for p in order), prior=spec.prior,
                     type_ids=spec.type_ids)


def iter_chunks(scenario: Scenario, spec: SweepSpec, config: SweepConfig,
                client: Any = None, in_flight: int | None = None) -> Iterator[pa.Table]:
    """The chunks' tables in chunk order, computed here or on ``client``'s workers."""
    if client is None:
        for chunk in range(config.chunks):
            yield evaluate_chunk(scenario, spec, config, chunk)
        return
    from distributed import as_completed

    text = dump_scenario(scenario)
    spec_text = _spec_json(spec)
    paths = tuple(i.path for i in spec.inputs)
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    limit = in_flight or 2 * workers
    pending: dict[Any, int] = {}
    ready: dict[int, pa.Table] = {}
    next_submit = 0
    next_yield = 0
    futures = as_completed()  # type: ignore[no-untyped-call]

    def submit() -> None:
        nonlocal next_submit
        future = client.submit(_worker_chunk, text, paths, config, next_submit, spec_text,
                               pure=False)
        pending[future] = next_submit
        futures.add(future)  # type: ignore[no-untyped-call]
        next_submit += 1

    while next_submit < config.chunks and len(pending) < limit:
        submit()
    while next_yield < config.chunks:
        while next_yield in ready:
            yield ready.pop(next_yield)
            next_yield += 1
        if next_yield >= config.chunks:
            break
        future = next(futures)
        chunk = pending.pop(future)
        ready[chunk] = future.result()
        future.release()
        if next_submit < config.chunks and len(pending) + len(ready) < limit:
            submit()
        while next_yield in ready:
            yield ready.pop(next_yield)
            next_yield += 1
            if next_submit < config.chunks and len(pending) + len(ready) < limit:
                submit()


def run_sweep(
    scenario: Scenario,
    spec: SweepSpec,
    config: SweepConfig,
    out: Path,
    client: Any = None,
    on_chunk: Callable[[int, pa.Table], None] | None = None,
) -> SweepStats:
    """Write every variant of the sweep to the Parquet file ``out``, chunk by chunk.

    The file's key-value metadata holds the scenario hash, the seed, the chunk size,
    the engine and the uncertain inputs (``callbluff.sweep`` JSON); every row also
    carries ``scenario_sha256`` and ``seed``.
    """
    digest = scenario_sha256(scenario)
    meta = {
        "scenario_sha256": digest, "scenario_id": scenario.id, "seed": config.seed,
        "samples": config.samples, "chunk_size": config.chunk_size, "engine": config.engine,
        "uncertainty": json.loads(_spec_json(spec)),
    }
    stats = SweepStats()
    start = time.perf_counter()
    writer: pq.ParquetWriter | None = None
    try:
        for table in iter_chunks(scenario, spec, config, client):
            n = table.num_rows
            table = table.append_column("scenario_sha256", pa.array([digest] * n, pa.string()))
            table = table.append_column("seed", pa.array(np.full(n, config.seed, np.int64)))
            if writer is None:
                schema = table.schema.with_metadata({"callbluff.sweep": json.dumps(meta)})
                writer = pq.ParquetWriter(str(out), schema, compression="zstd")
            writer.write_table(table.replace_schema_metadata(writer.schema.metadata))
            stats.rows += n
            stats.chunks += 1
            stats.certified += int(pc.sum(table["certified"]).as_py() or 0)
            if on_chunk is not None:
                on_chunk(n, table)
    finally:
        if writer is not None:
            writer.close()
    stats.seconds = time.perf_counter() - start
    return stats


__all__ = [
    "DEFAULT_CHUNK",
    "ENGINES",
    "SweepConfig",
    "SweepStats",
    "dask_client",
    "evaluate_chunk",
    "evaluate_inputs",
    "iter_chunks",
    "plan_sweep",
    "run_sweep",
    "scenario_sha256",
    "start_local_cluster",
]
