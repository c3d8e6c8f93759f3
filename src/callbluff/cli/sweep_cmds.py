"""`callbluff sweep`: Monte Carlo over a scenario's uncertain inputs, to Parquet."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from callbluff.cli.app import app, console, err_console, input_failure
from callbluff.cli.game_cmds import write_atomically
from callbluff.errors import InputError

DEFAULT_SCENARIO = "north-korea-2009"


@app.command("sweep")
def sweep_command(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or YAML file.")] = (
        DEFAULT_SCENARIO),
    samples: Annotated[int, typer.Option("--samples", "-n", min=1,
                                         help="Number of variants to draw.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the draws.")] = 0,
    output: Annotated[Path, typer.Option("-o", "--output",
                                         help="Parquet file to write.")] = Path("results.parquet"),
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Start a local Dask cluster with K worker processes.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Address of a running Dask scheduler (tcp://host:8786).")] = None,
    engine: Annotated[str, typer.Option(
        "--engine", help="fast (vectorised, exact solver where it cannot certify) or exact."
    )] = "fast",
    thresholds: Annotated[bool, typer.Option(
        "--thresholds", help="Also compute the main offer's detection threshold per variant "
        "(about 50 evaluations each).")] = False,
    chunk_size: Annotated[int | None, typer.Option(
        "--chunk-size", min=1, help="Variants per chunk (default 20000 fast, 8 exact); the "
        "draws depend on it.")] = None,
) -> None:
    """Draw variants of a scenario's uncertain inputs, solve each, write Parquet.

    Same seed and chunk size give identical results whatever the number of workers.

    Example: callbluff sweep north-korea-2009 --samples 20 --seed 1 --workers 2 -o nk.parquet
    """
    # Imported here, not at the top: `callbluff --help` must not load the solver.
    from callbluff.analysis.verdict import main_offer_id
    from callbluff.scenario.loader import dump_scenario, load_scenario
    from callbluff.store import RunStore
    from callbluff.sweep.run import ENGINES, dask_client, plan_sweep, run_sweep
    from callbluff.sweep.summary import summarise_file, summary_lines

    if engine not in ENGINES:
        raise input_failure(f"--engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if workers is not None and scheduler is not None:
        raise input_failure("give --workers or --scheduler, not both")
    try:
        loaded = load_scenario(scenario)
        spec, config = plan_sweep(loaded, samples, seed, engine, chunk_size, thresholds)
    except (InputError, KeyError, ValueError) as err:
        raise input_failure(err) from None
    try:
        with dask_client(workers, scheduler) as client, Progress(
                TextColumn("sweep"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                TimeRemainingColumn(), console=err_console) as progress:
            task = progress.add_task("sweep", total=samples, rate="")

            def advance(n: int, _table: object) -> None:
                progress.advance(task, n)
                elapsed = progress.tasks[0].elapsed or 0.0
                done = progress.tasks[0].completed
                rate = done / elapsed if elapsed > 0 else math.nan
                progress.update(task, rate=f"{rate:,.0f} variants/s")

            stats = run_sweep(loaded, spec, config, output, client=client, on_chunk=advance)
    except (InputError, ValueError, OSError) as err:
        raise input_failure(err) from None
    summary = summarise_file(output, main_offer_id(loaded))
    for line in summary_lines(summary):
        console.print(line, highlight=False)
    table = Table(title="Key outputs (5% / median / 95%)")
    for col in ("output", "5%", "median", "95%"):
        table.add_column(col, justify="left" if col == "output" else "right")
    for name, (lo, mid, hi) in summary.quantiles.items():
        table.add_row(name, f"{lo:.3f}", f"{mid:.3f}", f"{hi:.3f}")
    console.print(table)
    imp = Table(title="Inputs that matter most (Spearman ρ)")
    for col in ("input", "ρ with separation", "ρ with main offer's value"):
        imp.add_column(col, justify="left" if col == "input" else "right")
    for item in summary.importance[:8]:
        imp.add_row(item.input, f"{item.separates:+.3f}", f"{item.value:+.3f}")
    console.print(imp)
    console.print(f"wrote {stats.rows} rows to {output} in {stats.seconds:.1f} s "
                  f"({stats.rows / max(stats.seconds, 1e-9):,.0f} variants/s)", highlight=False)
    # The run is saved (SQLite run store); the variants stay in the Parquet file.
    with RunStore(None) as runs:
        runs.record("sweep", loaded.id, dump_scenario(loaded),
                    {"samples": samples, "engine": engine, "chunk_size": config.chunk_size,
                     "thresholds": thresholds, "output": str(output)},
                    {"summary": summary_lines(summary), "rows": stats.rows}, seed=seed)


#: What `callbluff sensitivity` measures (see callbluff.sweep.sensitivity.OUTPUTS).
MEASURES = ("value", "separates")


def _progress(label: str) -> Progress:
    """A progress bar on stderr (stdout stays the command's answer)."""
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=err_console,
                    transient=False)


@app.command("sensitivity")
def sensitivity_command(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or YAML file.")] = (
        DEFAULT_SCENARIO),
    measure: Annotated[str, typer.Option(
        "--measure", help="value (main offer, worst equilibrium) or separates (0/1).")] = "value",
    samples: Annotated[int, typer.Option(
        "--samples", "-n", min=2, help="Sobol' base samples (a power of 2).")] = 256,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the Sobol' sample.")] = 0,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Also write the tornado and the indices as JSON to this "
        "file.")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the tornado as PNG.")] = None,
) -> None:
    """Tornado (one input at a time over its range) and Sobol' indices (SALib).

    Example: callbluff sensitivity north-korea-2009 --measure value --samples 4 -o s.json
    """
    # Imported here, not at the top: `callbluff --help` must not load the solver.
    from callbluff.scenario.loader import load_scenario
    from callbluff.sweep.sensitivity import (
        scenario_sobol,
        scenario_tornado,
        sobol_runs,
        tornado_runs,
    )
    from callbluff.sweep.spec import build_spec

    if measure not in MEASURES:
        raise input_failure(f"--measure must be one of {', '.join(MEASURES)}, got {measure!r}")
    if output is not None and output.suffix.lower() != ".json":
        hint = (f"; to choose what is measured, use --measure {output}"
                if str(output) in MEASURES else "")
        raise input_failure(f"--output is the JSON file to write, got {str(output)!r}{hint}")
    try:
        loaded = load_scenario(scenario)
        spec = build_spec(loaded)
        if not spec.inputs:
            raise ValueError(f"scenario {loaded.id!r} declares no scalar uncertain inputs")
        if samples & (samples - 1):
            raise ValueError(f"--samples must be a power of 2, got {samples}")
        with _progress("sensitivity") as progress:
            task = progress.add_task(
                "sensitivity", total=tornado_runs(spec) + sobol_runs(spec, samples))

            def advance(runs: int) -> None:
                progress.advance(task, runs)

            centre, bars = scenario_tornado(loaded, spec, measure, on_progress=advance)
            indices = scenario_sobol(loaded, spec, samples, seed, measure, on_progress=advance)
    except (InputError, KeyError, ValueError) as err:
        raise input_failure(err) from None
    table = Table(title=f"Tornado: {measure} (at the scenario's values: {centre:.4f})")
    for col in ("input", "low", "high", f"{measure} at low", f"{measure} at high", "swing"):
        table.add_column(col, justify="left" if col == "input" else "right")
    for b in bars:
        table.add_row(b.name, f"{b.low:g}", f"{b.high:g}", f"{b.output_low:.4f}",
                      f"{b.output_high:.4f}", f"{b.swing:.4f}")
    console.print(table)
    if indices.constant is not None:
        console.print(f"Sobol' indices: {measure} is {indices.constant:.4f} at every one of the "
                      f"{indices.points} sampled points, so no input moves it over "
                      "its range and the indices (shares of a variance of 0) are not defined.",
                      highlight=False)
    else:
        if indices.rare:
            these = "that point" if indices.moved == 1 else "those points"
            console.print(f"Sobol' indices: {measure} is {indices.typical:.4f} at "
                          f"{indices.points - indices.moved} of the {indices.points} sampled "
                          f"points and another number at {indices.moved}; the indices below "
                          f"rest on {these} alone and do not rank the inputs (`callbluff sweep` "
                          "shows where it moves).", highlight=False)
        sob = Table(title=f"Sobol' indices ({indices.samples} base samples, 95% ±)")
        for col in ("input", "S1", "ST"):
            sob.add_column(col, justify="left" if col == "input" else "right")
        for i, name in enumerate(indices.names):
            sob.add_row(name, f"{indices.first[i]:.3f} ± {indices.first_conf[i]:.3f}",
                        f"{indices.total[i]:.3f} ± {indices.total_conf[i]:.3f}")
        console.print(sob)
    if output is not None:
        document = {
            "scenario": loaded.id, "measure": measure, "at_scenario_values": centre,
            "tornado": [{"input": b.name, "low": b.low, "high": b.high,
                         "at_low": b.output_low, "at_high": b.output_high, "swing": b.swing}
                        for b in bars],
            "sobol": {"base_samples": indices.samples, "seed": seed,
                      # the output at every sampled point, or null where it moves
                      "constant_output": indices.constant,
                      # its median, and at how many sampled points it is another number
                      "typical_output": indices.typical, "moved_points": indices.moved,
                      "indices": [
                {"input": name, "S1": indices.first[i], "S1_conf": indices.first_conf[i],
                 "ST": indices.total[i], "ST_conf": indices.total_conf[i]}
                for i, name in enumerate(indices.names) if indices.constant is None]},
        }
        try:
            write_atomically(output, json.dumps(document, indent=2) + "\n")
        except OSError as err:
            raise input_failure(f"cannot write {output}: {err.strerror or err}") from None
        console.print(f"wrote {output}", highlight=False)
    if plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(8, 0.5 * len(bars) + 1.5))
        for k, b in enumerate(reversed(bars)):
            lo, hi = sorted((b.output_low, b.output_high))
            ax.barh(k, hi - lo, left=lo, color="#4c72b0")
        ax.axvline(centre, color="black", lw=1)
        ax.set_yticks(range(len(bars)), [b.name for b in reversed(bars)])
        ax.set_xlabel(measure)
        fig.tight_layout()
        fig.savefig(str(plot), dpi=120)
        plt.close(fig)
        console.print(f"wrote {plot}", highlight=False)


def _range(text: str | None, path: str, loaded: Any) -> tuple[float, float]:
    """An axis's range: ``LOW:HIGH`` as given, else the map's default."""
    if text is None:
        from callbluff.sweep.maps import default_axis

        return default_axis(loaded, path)
    try:
        lo_text, hi_text = text.split(":")
        return float(lo_text), float(hi_text)
    except ValueError:
        raise ValueError(f"a range is LOW:HIGH, got {text!r}") from None


@app.command("map")
def map_command(
    words: Annotated[list[str], typer.Argument(
        metavar="[SCENARIO] X Y", show_default=False,
        help="The scenario (built-in name or YAML file; default north-korea-2009), then the "
        "paths of the x and y inputs, e.g. regimes[rigorous].detection "
        "types[security-only].prior")],
    scenario_option: Annotated[str | None, typer.Option(
        "--scenario", hidden=True, help="Deprecated: give the scenario first.")] = None,
    x_range: Annotated[str | None, typer.Option(
        "--x-range", help="LOW:HIGH (default: [0, 1] for probabilities, else [0, twice the "
        "value]).")] = None,
    y_range: Annotated[str | None, typer.Option("--y-range", help="LOW:HIGH")] = None,
    resolution: Annotated[int, typer.Option(
        "--resolution", min=2, max=401, help="Grid points per axis.")] = 41,
    output: Annotated[Path, typer.Option("-o", "--output",
                                         help="PNG or HTML file.")] = Path("map.png"),
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Start a local Dask cluster with K worker processes.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Address of a running Dask scheduler (tcp://host:8786).")] = None,
) -> None:
    """A verdict map over two inputs, with the threshold curves bisected on top.

    The points the fast path cannot certify are solved exactly; ``--workers`` spreads
    them over processes (the same map).

    Example: callbluff map libya-2003 bargaining.renege_risk 'types[0].prior' --resolution 11
    """
    # Imported here, not at the top: `callbluff --help` must not load the solver.
    from callbluff.scenario.loader import load_scenario
    from callbluff.sweep.maps import verdict_map, write_html, write_png
    from callbluff.sweep.run import dask_client

    if len(words) == 2:
        scenario, x, y = scenario_option or DEFAULT_SCENARIO, *words
    elif len(words) == 3 and scenario_option is None:
        scenario, x, y = words
    else:
        raise input_failure("give [SCENARIO] X Y: the scenario (optional, first; or the "
                            "deprecated --scenario, not both), then two input paths")
    if output.suffix.lower() not in (".png", ".html"):
        raise input_failure(f"output must end in .png or .html, got {output.name!r}")
    if workers is not None and scheduler is not None:
        raise input_failure("give --workers or --scheduler, not both")
    try:
        loaded = load_scenario(scenario)
        ranges = _range(x_range, x, loaded), _range(y_range, y, loaded)
        with dask_client(workers, scheduler) as client, _progress("map") as progress:
            task = progress.add_task("map", total=resolution * resolution)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            m = verdict_map(loaded, x, y, *ranges, resolution, on_progress=advance,
                            client=client)
    except (InputError, KeyError, ValueError) as err:
        raise input_failure(err) from None
    title = f"{loaded.title}: verdict map"
    if output.suffix.lower() == ".png":
        write_png(m, output, title)
    else:
        write_html(m, output, title)
    for i, label in enumerate(m.labels):
        share = float((m.grid == i).mean())
        console.print(f"{share:6.1%}  {label}", highlight=False)
    console.print(f"wrote {output} ({len(m.curves)} threshold points)", highlight=False)
