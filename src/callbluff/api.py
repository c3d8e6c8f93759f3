"""The Python API: every job of the command line as one function, for notebooks.

``import callbluff as cb`` gives these functions flat (``cb.load``, ``cb.analyze``,
``cb.solve``, ...); each is a thin door to the layer that does the work, so the
notebook, the command line and the web API give the same answers.  The results
(`ScenarioAnalysis`, `SolveResult`, `SweepResult`, ...) show as short ``repr`` lines
and as HTML tables in Jupyter, turn into pandas frames with ``.to_frame()`` and into
Plotly figures with ``.plot()`` (`callbluff.display`).

The 2009 verdict in three lines:

>>> import callbluff as cb
>>> nk = cb.load("north-korea-2009")
>>> analysis = cb.analyze(nk, thresholds=False)
>>> analysis.main_offer
'all-in'
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from callbluff.analysis.verdict import ScenarioAnalysis, main_offer_id
from callbluff.analysis.verdict import analyze as _analyze
from callbluff.errors import InputError
from callbluff.game import bargain
from callbluff.game.tree import Game
from callbluff.scenario.loader import load_scenario
from callbluff.scenario.schema import Scenario
from callbluff.solve.result import SolveResult

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

    from callbluff.sweep.run import SweepStats
    from callbluff.sweep.summary import SweepSummary

__all__ = ["SweepResult", "analyze", "compile_offer", "load", "report", "solve", "sweep",
           "with_value"]

ScenarioLike = Scenario | str | Path


def load(source: str | Path) -> Scenario:
    """A scenario: a built-in one by name, or a YAML file by path.

    Parameters
    ----------
    source
        The name of a built-in scenario (``callbluff scenarios`` lists them) or
        the path of a scenario file (``docs/scenario-format.md``).

    Returns
    -------
    Scenario
        The validated scenario, every number exact.

    Raises
    ------
    InputError
        The file is missing or malformed; the message names file, line and field.

    Examples
    --------
    >>> import callbluff as cb
    >>> nk = cb.load("north-korea-2009")
    >>> nk.id, nk.year
    ('north-korea-2009', 2009)
    >>> "all-in" in [o.id for o in nk.offers]
    True
    """
    return load_scenario(source)


def _scenario(scenario: ScenarioLike) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def analyze(
    scenario: ScenarioLike,
    *,
    thresholds: bool = True,
    threshold_paths: tuple[str, ...] | list[str] = (),
    policies: bool = True,
    package: bool = True,
) -> ScenarioAnalysis:
    """Solve every offer of a scenario exactly and read the verdict
    (what ``callbluff analyze`` prints).

    Parameters
    ----------
    scenario
        A `Scenario`, a built-in scenario's name or a YAML file's path.
    thresholds
        Search the exact points where the main offer's verdict flips (detection
        probability, package cost, prior on security-only types).  Slower.
    threshold_paths
        More numbers whose flips to find, in the ``--threshold`` path grammar
        (e.g. ``"regimes[rigorous].detection"``).
    policies
        Compare going all in now with more rounds of talks (the talks game,
        docs/model.md "Talks that teach").
    package
        Find the cheapest separating package.

    Returns
    -------
    ScenarioAnalysis
        Every equilibrium of every offer read in scenario terms, and the verdict
        (``.verdict``, one sentence per line).

    Examples
    --------
    >>> import callbluff as cb
    >>> analysis = cb.analyze("north-korea-2009", thresholds=False, policies=False)
    >>> [o.offer_id for o in analysis.offers] == [o.id for o in analysis.scenario.offers]
    True
    >>> analysis.thresholds is None  # not asked for
    True
    """
    return _analyze(_scenario(scenario), thresholds=thresholds,
                    custom_paths=tuple(threshold_paths), policies=policies, package=package)


def compile_offer(scenario: ScenarioLike, offer_id: str | None = None) -> Game:
    """The extensive game of one offer of a scenario (docs/model.md).

    Parameters
    ----------
    scenario
        A `Scenario`, a built-in scenario's name or a YAML file's path.
    offer_id
        The offer; default: the main offer (``all-in`` or ``comprehensive``,
        else the first).

    Returns
    -------
    Game
        A finite two-player extensive game with exact payoffs; ``cb.solve``
        solves it and `callbluff.game.efg.write_efg` writes it for Gambit.

    Examples
    --------
    >>> import callbluff as cb
    >>> game = cb.compile_offer("north-korea-2009")
    >>> game.players
    ('United States', 'North Korea (DPRK)')
    """
    s = _scenario(scenario)
    return bargain.compile_offer(s, offer_id or main_offer_id(s))


def solve(game: Game | str | Path, *, method: str = "auto") -> SolveResult:
    """Every perfect Bayesian equilibrium outcome of a game, exactly.

    Parameters
    ----------
    game
        A `Game` (e.g. from `compile_offer`) or the path of a
        two-player Gambit ``.efg`` file.
    method
        ``"auto"`` (the own solver when one player is informed, else pygambit),
        ``"pbe-enumeration"`` or ``"gambit"`` (`callbluff.solve.solve`).

    Returns
    -------
    SolveResult
        The equilibria with behaviour, beliefs, payoffs and an exact regret check.

    Examples
    --------
    The beer-quiche game (Cho & Kreps 1987, prior 0.9 on the strong type) has two
    pooling outcomes, on beer (sender's expected payoff 0.9·3 + 0.1·2 = 2.9) and on
    quiche (0.9·2 + 0.1·3 = 2.1); only the first passes the intuitive criterion:

    >>> import callbluff as cb
    >>> from callbluff.game.catalog import beer_quiche
    >>> result = cb.solve(beer_quiche())
    >>> [(e.classification, e.payoffs[0], e.intuitive_criterion) for e in result.equilibria]
    [('pooling', Fraction(29, 10), True), ('pooling', Fraction(21, 10), False)]
    """
    from callbluff.solve import solve as _solve

    if not isinstance(game, Game):
        from callbluff.game.efg import read_efg_file

        game = read_efg_file(game)
    return _solve(game, method=method)


def with_value(scenario: Scenario, path: str, value: float | str | Fraction) -> Scenario:
    """A copy of ``scenario`` with one number changed, validated again as a whole.

    Also available as ``scenario.with_value(path, value)``.

    Parameters
    ----------
    scenario
        The scenario to start from (it is not changed).
    path
        The number's path, in the grammar of ``--threshold`` and of the
        ``uncertainty:`` list: ``regimes[rigorous].detection``,
        ``types[greedy].prior`` (the other priors keep their proportions),
        ``types[mixed].weights.security``, ``cheating.penalty``; and
        ``security_prior``, the prior mass of the security-only types together (the
        others keep their proportions), as the web page's slider.
    value
        The new value; a float, an exact `Fraction` or a string
        such as ``"1/3"`` or ``"0.25"`` (read exactly).

    Returns
    -------
    Scenario
        The changed copy.

    Raises
    ------
    InputError
        The path names no number of the scenario, or the new value breaks a rule
        of the format (e.g. a probability above 1); ``.field`` names the path.

    Examples
    --------
    >>> import callbluff as cb
    >>> nk = cb.load("north-korea-2009")
    >>> weaker = nk.with_value("regimes[rigorous].detection", "1/2")
    >>> weaker.regime("rigorous").detection
    Fraction(1, 2)
    >>> nk.with_value("regimes[rigorous].detection", 1.5)
    Traceback (most recent call last):
    ...
    callbluff.errors.InputError: <with_value>: regimes[rigorous].detection: cannot set ...
    """
    # One grammar and one validation for every face: the web API's overrides.
    from callbluff.web.service import apply_overrides

    raw = value if isinstance(value, str) else (
        f"{value.numerator}/{value.denominator}" if isinstance(value, Fraction) else value)
    try:
        return apply_overrides(scenario, {path: raw})
    except InputError as err:
        # Name the path as the caller wrote it (validation speaks of list positions).
        message = err.message.removeprefix(f"override {path!r}: ").removeprefix(
            "after overrides: ")
        raise InputError(f"cannot set to {value}: {message}", file="<with_value>",
                         field=path) from None


@dataclass(frozen=True)
class SweepResult:
    """A Monte Carlo sweep written to Parquet: where, how many, and its summary.

    ``to_frame()`` reads the rows (one per variant: the drawn inputs, prefixed
    ``in:``, and the outputs); ``plot()`` draws the main offer's value against
    the input that matters most.
    """

    path: Path
    scenario_id: str
    main_offer: str
    samples: int
    seed: int
    stats: SweepStats
    summary: SweepSummary

    def to_frame(self) -> pd.DataFrame:
        """Every variant of the sweep, one row each (read from :attr:`path`)."""
        from callbluff.display import sweep_frame

        return sweep_frame(self)

    def plot(self, x: str | None = None) -> go.Figure:
        """The main offer's value (worst equilibrium) against the input ``x``
        (default: the input with the largest Spearman correlation), coloured by
        whether the offer separates."""
        from callbluff.display import sweep_figure

        return sweep_figure(self, x)

    def __repr__(self) -> str:
        from callbluff.display import sweep_repr

        return sweep_repr(self)

    def _repr_html_(self) -> str:
        from callbluff.display import sweep_html

        return sweep_html(self)


def sweep(
    scenario: ScenarioLike,
    *,
    samples: int = 1000,
    seed: int = 0,
    out: str | Path | None = None,
    workers: int | None = None,
    engine: str = "fast",
    chunk_size: int | None = None,
    thresholds: bool = False,
) -> SweepResult:
    """Draw variants of a scenario's uncertain inputs, solve each, write Parquet
    (what ``callbluff sweep`` does).

    Parameters
    ----------
    scenario
        A `Scenario` (with an ``uncertainty:`` list or a
        ``prior_distribution``), a built-in scenario's name or a YAML file's path.
    samples
        Number of variants.
    seed
        Seed of the draws: same seed and chunk size, same rows.
    out
        Parquet file to write; default: a new file in a temporary directory.
    workers
        Run on a local Dask cluster with this many worker processes; default: in
        this process.
    engine
        ``"fast"`` (vectorised, exact solver where it cannot certify) or ``"exact"``.
    chunk_size
        Variants per chunk (the draws depend on it); default per engine.
    thresholds
        Also compute the main offer's detection threshold per variant (slower).

    Returns
    -------
    SweepResult
        The file, the driver's statistics and the summary (probability that the
        main offer separates with its 95 % interval, best offers, quantiles).

    Examples
    --------
    >>> import callbluff as cb
    >>> result = cb.sweep("north-korea-2009", samples=50, seed=1)
    >>> result.summary.rows
    50
    >>> len(result.to_frame())
    50
    """
    from callbluff.sweep.run import dask_client, plan_sweep, run_sweep
    from callbluff.sweep.summary import summarise_file

    s = _scenario(scenario)
    spec, config = plan_sweep(s, samples, seed, engine, chunk_size, thresholds)
    path = Path(out) if out is not None else Path(
        tempfile.mkdtemp(prefix="callbluff-sweep-")) / f"{s.id}.parquet"
    with dask_client(workers) as client:
        stats = run_sweep(s, spec, config, path, client=client)
    main = main_offer_id(s)
    return SweepResult(path=path, scenario_id=s.id, main_offer=main, samples=samples,
                       seed=seed, stats=stats, summary=summarise_file(path, main))


def report(
    analysis: ScenarioAnalysis | ScenarioLike,
    path: str | Path | None = None,
    *,
    offer_id: str | None = None,
    sweep: SweepResult | str | Path | None = None,
) -> str:
    """The self-contained HTML report (what ``callbluff report`` writes).

    Parameters
    ----------
    analysis
        A `ScenarioAnalysis` from `analyze`, or a scenario (then it
        is analysed first, with every threshold).
    path
        Write the report there too (atomically).
    offer_id
        The offer whose game tree is drawn (default: the main offer).
    sweep
        A sweep of the same scenario: adds the robustness section.

    Returns
    -------
    str
        The HTML document; it opens offline and prints to PDF.

    Examples
    --------
    >>> import callbluff as cb
    >>> analysis = cb.analyze("north-korea-2009", thresholds=False, policies=False)
    >>> page = cb.report(analysis)
    >>> page.startswith("<!DOCTYPE html>")
    True
    """
    from callbluff.report.html import build_report, write_report

    result = analysis if isinstance(analysis, ScenarioAnalysis) else analyze(analysis)
    parquet = sweep.path if isinstance(sweep, SweepResult) else (
        Path(sweep) if sweep is not None else None)
    html_text = build_report(result, offer_id=offer_id, sweep=parquet)
    if path is not None:
        write_report(path, html_text)
    return html_text
