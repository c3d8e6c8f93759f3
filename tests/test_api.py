"""The Python API (``import callbluff as cb``) and how its results look in a notebook.

Independent truth: the tiny scenario of ``conftest_web`` whose answers are derived
by hand there (detection threshold exactly 1/6; at d = 0.9 the security-only type
accepts and complies, the greedy one rejects, the proposer gets 22.5; below 1/6 the
greedy type accepts and cheats), and the beer-quiche game (Cho & Kreps 1987, prior
0.9 strong): two pooling outcomes, sender payoff 0.9·3 + 0.1·2 = 2.9 on beer and
0.9·2 + 0.1·3 = 2.1 on quiche, only the beer one passing the intuitive criterion.
"""

from __future__ import annotations

import html
import inspect
import subprocess
import sys
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path

import markupsafe
import pytest

import callbluff as cb
from callbluff.game.catalog import beer_quiche
from callbluff.game.efg import write_efg
from callbluff.scenario.loader import load_scenario_text
from callbluff.sweep.spec import INPUT_PREFIX
from conftest_web import TINY_YAML, XSS_1, XSS_2, xss_yaml

DETECTION = "regimes[strict].detection"


@pytest.fixture(scope="module")
def tiny() -> cb.Scenario:
    return load_scenario_text(TINY_YAML, "tiny.yaml")


@pytest.fixture(scope="module")
def tiny_analysis(tiny: cb.Scenario) -> cb.ScenarioAnalysis:
    return cb.analyze(tiny)


class _Tables(HTMLParser):
    """The text of every table cell, table by table (rows of cells)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _tables(page: str) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


# -- the front door ----------------------------------------------------------------------


def test_three_lines_give_the_2009_verdict_as_a_readable_table() -> None:
    """What a fresh notebook does: import, load, analyze; the cell shows the verdict
    box and the tables, and the plain repr is a few lines."""
    nk = cb.load("north-korea-2009")
    analysis = cb.analyze(nk)
    page = analysis._repr_html_()
    for line in analysis.verdict:
        assert html.escape(line, quote=True) in page
    tables = _tables(page)
    offers = tables[0]
    assert [row[0] for row in offers[1:]] == [o.id for o in nk.offers]
    answers = tables[1]
    assert [row[0] for row in answers[1:]] == nk.type_ids()
    text = repr(analysis)
    assert text.startswith("ScenarioAnalysis of 'north-korea-2009'")
    # a few lines: the summary's answer and what to do (with the Timing of the talks)
    assert len(text) < 800 and len(text.splitlines()) <= 5, text
    # The 309,119-character dataclass repr is gone from every result a notebook shows.
    for result in (nk, analysis.offer("all-in"), analysis.offer("all-in").game):
        assert len(repr(result)) < 400, repr(result)[:200]


def test_html_tables_hold_the_hand_derived_answers(tiny_analysis: cb.ScenarioAnalysis) -> None:
    tables = _tables(tiny_analysis._repr_html_())
    offers, answers, thresholds = tables[0], tables[1], tables[2]
    header = offers[0]
    row = dict(zip(header, offers[1], strict=True))
    assert row["offer"] == "all-in"
    assert row["separation"] == "separates in every equilibrium"
    assert row["proposer value (worst)"] == "22.50"
    assert row["can accept and cheat"] == "none"
    by_type = {r[0]: dict(zip(answers[0], r, strict=True)) for r in answers[1:]}
    assert by_type["secure"]["accept & comply"] == "100%"
    assert by_type["greedy"]["reject"] == "100%"
    assert thresholds[1][:2] == ["detection probability", "0.167 (1/6)"]


def test_frames_hold_the_hand_derived_answers(tiny: cb.Scenario,
                                              tiny_analysis: cb.ScenarioAnalysis) -> None:
    answers = tiny_analysis.to_frame("answers").set_index("type")
    assert answers.loc["secure", "accept_comply"] == 1.0
    assert answers.loc["greedy", "reject"] == 1.0
    exact = tiny_analysis.to_frame("equilibria", exact=True)
    assert exact["proposer_value"].tolist() == [Fraction(45, 2)]
    assert bool(exact["separates"].iloc[0])
    offers = tiny_analysis.to_frame("offers")
    assert offers["offer"].tolist() == ["all-in"]
    # all in now in the talks game is the one-round game: the same 45/2 (two solvers)
    policies = tiny_analysis.to_frame("policies", exact=True)
    assert policies["policy"].iloc[0] == "all in now"
    assert policies["offers"].iloc[0] == "all-in"
    assert policies["proposer_value_worst"].iloc[0] == Fraction(45, 2)
    # Below the threshold of 1/6 the greedy type accepts and cheats: 65 − 30·d = 62 at
    # d = 1/10 (conftest_web).  So does the secure one there: cheating pays it
    # (1−d)(B + κA) + d(B − F + κA + q) = 0.9·80 + 0.1·50 = 77 > 60 for complying.
    weak = cb.analyze(tiny.with_value(DETECTION, "1/10"), thresholds=False)
    cheat = weak.to_frame("answers").set_index("type")
    assert cheat["accept_cheat"].tolist() == [1.0, 1.0]
    values = weak.to_frame("equilibria", exact=True).iloc[0]
    assert (values["value:secure"], values["value:greedy"]) == (77, 62)
    with pytest.raises(ValueError, match="kind must be one of"):
        tiny_analysis.to_frame("bogus")


def test_plots_are_the_reports_figures(tiny_analysis: cb.ScenarioAnalysis) -> None:
    fig = tiny_analysis.plot("responses")
    traces = {t.name: t for t in fig.data}
    comply = traces["accept & comply"]
    assert dict(zip(comply.y, comply.x, strict=True))["secure"] == 1.0 or \
        dict(zip(comply.x, comply.y, strict=True))["secure"] == 1.0
    assert tiny_analysis.plot("thresholds").layout.title.text.startswith("Thresholds")
    assert tiny_analysis.plot("talks").layout.title.text.startswith("Talks that teach")
    without = cb.analyze(tiny_analysis.scenario, thresholds=False, policies=False)
    with pytest.raises(ValueError, match="thresholds=True"):
        without.plot("thresholds")


def test_html_escapes_scenario_strings() -> None:
    page = cb.analyze(load_scenario_text(xss_yaml(), "xss.yaml"), thresholds=False,
                      policies=False, package=False)._repr_html_()
    for payload in (XSS_1, XSS_2):
        assert payload not in page
        assert html.escape(payload, quote=True) in page
    assert "<script" not in page and "<img" not in page


# -- scenario edits ------------------------------------------------------------------------


def test_with_value_uses_the_threshold_paths_and_validates(tiny: cb.Scenario) -> None:
    changed = tiny.with_value(DETECTION, 0.5)
    assert changed.regime("strict").detection == Fraction(1, 2)
    assert tiny.regime("strict").detection == Fraction(9, 10)  # the original stays
    assert cb.with_value(tiny, DETECTION, Fraction(1, 3)).regime("strict").detection == \
        Fraction(1, 3)
    # A type's prior: the other types keep their proportions (here: take the rest).
    moved = tiny.with_value("types[secure].prior", "0.2")
    assert [t.prior for t in moved.types] == [Fraction(1, 5), Fraction(4, 5)]
    together = tiny.with_value("security_prior", "1/4")  # the web page's slider
    assert [t.prior for t in together.types] == [Fraction(1, 4), Fraction(3, 4)]
    # The same path finds the same flip as --threshold: 1/6, derived by hand.
    analysis = cb.analyze(tiny, threshold_paths=[DETECTION], policies=False, package=False)
    assert analysis.thresholds is not None
    assert [f.at for f in analysis.thresholds.custom[DETECTION]] == [Fraction(1, 6)]


@pytest.mark.parametrize(("path", "value", "message"), [
    (DETECTION, 1.5, "cannot set to 1.5: expected a probability in [0, 1]"),
    ("regimes[nowhere].detection", 0.5, "no item 'nowhere'"),
    ("regimes[strict].detektion", 0.5, "no field 'detektion'"),
    ("cheating.penalty", "a lot", "a lot"),
    ("types[secure].prior", 2, "[0, 1]"),
])
def test_with_value_errors_name_the_path(tiny: cb.Scenario, path: str, value: object,
                                         message: str) -> None:
    with pytest.raises(cb.InputError) as caught:
        tiny.with_value(path, value)  # type: ignore[arg-type]
    assert caught.value.field == path
    assert path in str(caught.value)
    assert message in str(caught.value)


# -- solve, sweep, report ------------------------------------------------------------------


def test_solve_a_game_or_an_efg_file(tmp_path: Path) -> None:
    game = beer_quiche()
    path = tmp_path / "beer-quiche.efg"
    path.write_text(write_efg(game), encoding="utf-8")
    for result in (cb.solve(game), cb.solve(path), cb.solve(str(path))):
        assert [(e.classification, e.payoffs[0], e.intuitive_criterion)
                for e in result.equilibria] == [("pooling", Fraction(29, 10), True),
                                                ("pooling", Fraction(21, 10), False)]
        assert repr(result).count("\n") == 0 and "2 equilibria (pooling)" in repr(result)
    behaviour = cb.solve(game).to_frame("behaviour", exact=True)
    totals = behaviour.groupby(["equilibrium", "infoset"])["probability"].sum()
    assert set(totals.tolist()) == {Fraction(1)}
    page = cb.solve(game)._repr_html_()
    rows = _tables(page)[0]
    assert [r[2] for r in rows[1:]] == ["2.900", "2.100"]


def test_compile_offer_defaults_to_the_main_offer(tiny: cb.Scenario) -> None:
    game = cb.compile_offer(tiny)
    assert game.title.endswith("all-in")
    assert repr(game).startswith("Game ") and "\n" not in repr(game)


def test_sweep_in_process_and_its_faces(tmp_path: Path) -> None:
    out = tmp_path / "nk.parquet"
    result = cb.sweep("north-korea-2009", samples=40, seed=3, out=out)
    assert result.path == out and out.exists()
    frame = result.to_frame()
    assert len(frame) == 40 and frame["variant"].tolist() == list(range(40))
    assert result.summary.rows == 40
    assert result.summary.separates == int(frame["separates"].sum())
    again = cb.sweep("north-korea-2009", samples=40, seed=3).to_frame()
    inputs = [c for c in frame.columns if c.startswith(INPUT_PREFIX)]
    assert inputs and frame[inputs].equals(again[inputs])
    fig = result.plot()
    assert sum(len(t.x) for t in fig.data) == 40
    assert len(repr(result).splitlines()) <= 3
    assert "<table>" in result._repr_html_()


@pytest.mark.slow
def test_sweep_on_a_local_dask_cluster_equals_in_process(tmp_path: Path) -> None:
    local = cb.sweep("north-korea-2009", samples=30, seed=5, chunk_size=10)
    cluster = cb.sweep("north-korea-2009", samples=30, seed=5, chunk_size=10, workers=1,
                       out=tmp_path / "c.parquet")
    keep = [c for c in local.to_frame().columns if c not in ("scenario_sha256",)]
    assert local.to_frame()[keep].equals(cluster.to_frame()[keep])


def test_sweep_without_uncertain_inputs_is_refused(tiny: cb.Scenario) -> None:
    with pytest.raises(ValueError, match="declares no uncertain inputs"):
        cb.sweep(tiny, samples=5)


def test_report_writes_the_same_page(tiny_analysis: cb.ScenarioAnalysis, tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    page = cb.report(tiny_analysis, target)
    assert target.read_text(encoding="utf-8") == page
    assert page.startswith("<!DOCTYPE html>")
    assert str(markupsafe.escape(tiny_analysis.verdict[0])) in page  # as Jinja escapes


# -- the package's face --------------------------------------------------------------------


def test_import_is_light_and_names_are_flat() -> None:
    code = ("import sys, callbluff as cb; heavy = [m for m in ('pandas', 'plotly', 'dask', "
            "'numpy', 'scipy', 'fastapi', 'pydantic') if m in sys.modules]; print(heavy); "
            "import callbluff.solve.result, callbluff.sweep.run, callbluff.report.html; "
            "print(all(inspect.isfunction(getattr(cb, n)) for n in ('solve', 'sweep', "
            "'report')))".replace("import sys", "import sys, inspect"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0] == "[]", out
    assert out[1] == "True", out
    for name in cb.__all__:
        assert getattr(cb, name) is not None
    assert cb.solve is not sys.modules["callbluff.solve"]
    from callbluff.solve import solve as layer_solve

    assert callable(layer_solve)


def test_public_functions_have_numpydoc_sections() -> None:
    for name in cb.__all__:
        value = getattr(cb, name)
        if name.startswith("__"):
            continue
        doc = inspect.getdoc(value)
        assert doc, f"{name} has no docstring"
        if inspect.isfunction(value):
            sections = ["Returns\n-------", "Examples\n--------"]
            if inspect.signature(value).parameters:
                sections.append("Parameters\n----------")
            for section in sections:
                assert section in doc, f"{name}: no {section.splitlines()[0]} section"
    for cls in (cb.ScenarioAnalysis, cb.SolveResult):
        doc = inspect.getdoc(cls.to_frame) or ""
        assert "Examples\n--------" in doc
