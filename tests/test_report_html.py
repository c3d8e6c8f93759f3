"""The HTML report: game-tree picture, inputs with sources, escaping, atomic writing, CLI.

Truth comes from the hand derivation in ``conftest_web`` (tiny scenario: detection
threshold 1/6, proposer value 22.5, comply leaf (95, 60)) and from the structure
of the game (leaves, information sets), not from our own output.
"""

from __future__ import annotations

import base64
import hashlib
import re
import xml.etree.ElementTree as ET
from fractions import Fraction
from html import unescape
from pathlib import Path

import pytest
from typer.testing import CliRunner

import callbluff.cli.report_cmd  # noqa: F401  (registers `report`)
from callbluff.analysis.numbers import exact
from callbluff.analysis.verdict import ScenarioAnalysis, analyze
from callbluff.cli.app import app
from callbluff.game import bargain
from callbluff.report.charts import text as plot_text
from callbluff.report.html import build_report, safe_json, write_report
from callbluff.report.inputs import input_rows
from callbluff.report.tree_svg import tree_svg
from callbluff.scenario.loader import load_scenario, load_scenario_text
from callbluff.store import RunStore
from conftest_web import TINY_YAML, XSS_1, XSS_2, xss_yaml

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def tiny_analysis() -> ScenarioAnalysis:
    return analyze(load_scenario_text(TINY_YAML, "tiny.yaml"), thresholds=True)


@pytest.fixture(scope="module")
def tiny_report(tiny_analysis: ScenarioAnalysis) -> str:
    return build_report(tiny_analysis)


def _texts(root: ET.Element, cls: str) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter() if e.get("class") == cls]


# -- game tree ------------------------------------------------------------------------

def test_tree_draws_every_leaf_infoset_and_chance_probability() -> None:
    scenario = load_scenario_text(TINY_YAML, "tiny.yaml")
    game = bargain.compile_offer(scenario, "all-in")
    root = ET.fromstring(tree_svg(game))
    terminals = list(game.terminals())
    payoffs = _texts(root, "payoff")
    assert len(payoffs) == len(terminals)
    # comply leaf of the secure type: proposer D − C − k = 100 − 5 − 0, target B = 60
    assert any(t.startswith("(95, 60)") and "comply" in t for t in payoffs)
    shared = [h for h in game.infosets if len(h.nodes) > 1]
    lines = [e for e in root.iter(f"{SVG}polyline") if e.get("class") == "infoset"]
    assert sorted(e.get("data-infoset") or "" for e in lines) == sorted(h.label for h in shared)
    assert all(e.get("stroke-dasharray") for e in lines)
    probs = _texts(root, "prob")
    assert probs.count("0.5") == 2  # the type draw: 1/2, 1/2
    assert probs.count("0.1") == probs.count("0.9") == 2  # detection 0.9 per type
    actions = _texts(root, "action")
    assert {"accept", "reject", "comply", "cheat", "detected", "undetected"} <= set(actions)


def test_tree_marks_equilibrium_branches(tiny_analysis: ScenarioAnalysis) -> None:
    offer = tiny_analysis.offer("all-in")
    behaviour = offer.proposer_worst.equilibrium.behaviour
    root = ET.fromstring(tree_svg(offer.game, behaviour))
    thick = [e for e in root.iter(f"{SVG}polyline")
             if e.get("class") == "branch" and float(e.get("stroke-width") or 0) > 2]
    # played player moves, with positive probability: secure accept+comply, greedy reject,
    # proposer's fallback after reject and after detection (one each per type node)
    played = sum(1 for h in offer.game.infosets for n in h.nodes
                 for a in h.actions if behaviour[h.label][a] > 0)
    assert len(thick) == played


def test_large_tree_collapses_repeated_type_subtrees() -> None:
    scenario = load_scenario("north-korea-2009")
    game = max((bargain.compile_offer(scenario, o.id) for o in scenario.offers),
               key=lambda g: len(g.nodes))
    leaves = sum(1 for _ in game.terminals())
    full = ET.fromstring(tree_svg(game, max_terminals=leaves))
    assert len(_texts(full, "payoff")) == leaves
    small = ET.fromstring(tree_svg(game, max_terminals=leaves - 1))
    per_type = sum(1 for _ in game.terminals()) // len(scenario.types)
    assert len(_texts(small, "payoff")) == per_type
    assert len(_texts(small, "collapsed")) == len(scenario.types) - 1


def test_tree_escapes_player_names() -> None:
    scenario = load_scenario_text(xss_yaml(), "xss.yaml")
    svg = tree_svg(bargain.compile_offer(scenario, "all-in"))
    assert "<script" not in svg and "<img" not in svg
    root = ET.fromstring(svg)  # still well-formed XML
    legend = "".join(_texts(root, "legend"))
    assert XSS_1 in legend and XSS_2 in legend


# -- inputs ---------------------------------------------------------------------------------

def test_every_annotation_is_in_the_inputs() -> None:
    scenario = load_scenario("north-korea-2009")
    rows = {r.path: r for r in input_rows(scenario)}
    for path, ann in scenario.annotations.items():
        assert path in rows
        assert rows[path].source == (ann.source or "")
        assert rows[path].note == (ann.note or "")
    assert rows["types[0].prior"].item == scenario.types[0].id


@pytest.mark.parametrize(("value", "text"), [
    (Fraction(2), "2"), (Fraction(7, 20), "0.35"), (Fraction(-1, 8), "-0.125"),
    (Fraction(1, 3), "0.333 (1/3)"), (Fraction(21, 58), "0.362 (21/58)"),
])
def test_format_number_is_exact(value: Fraction, text: str) -> None:
    assert exact(value) == text


# -- the document ------------------------------------------------------------------------------

def test_report_has_every_part(tiny_report: str) -> None:
    html = tiny_report
    verdict = html.index('id="verdict"')
    for anchor in ("responses", "thresholds", "timing", "package", "who-gains", "offers",
                   "tree", "inputs"):
        assert html.index(f'id="{anchor}"') > verdict  # the verdict comes first
    assert 'data-separates="true"' in html
    assert "offer separates" in html
    assert "(1/6)" in html  # the exact detection threshold, derived by hand
    assert "test source A" in html and "test note A" in html
    for fig in ("fig-responses", "fig-posteriors", "fig-thresholds", "fig-talks"):
        assert f'data-figure="{fig}-data"' in html
    assert "@media print" in html and "@page" in html


def test_report_is_self_contained(tiny_report: str) -> None:
    html = tiny_report
    assert len(html) > 1_000_000  # Plotly is embedded
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)\s*=""", html)
    outside_scripts = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
    assert "cdn.plot.ly" not in outside_scripts and "@import" not in outside_scripts
    assert "fonts.googleapis" not in html
    found = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert found is not None
    csp = unescape(found.group(1))
    assert "default-src 'none'" in csp
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 2
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_report_escapes_scenario_strings() -> None:
    scenario = load_scenario_text(xss_yaml(), "xss.yaml")
    html = build_report(analyze(scenario, thresholds=False))
    assert XSS_1 not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert html.count("<script") == 2 + html.count('<script type="application/json"')


def test_plot_text_is_entity_escaped() -> None:
    # Plotly renders <b>, <a href> and entities in text: scenario strings must arrive
    # as entities so that they are shown, not interpreted.
    assert plot_text(XSS_2) == "&quot;&gt;&lt;img src=x onerror=window.__xss=2&gt;"


def test_safe_json_cannot_close_its_element() -> None:
    text = str(safe_json({"a": "</script><script>alert(1)</script>", "b": "&"}))
    assert "<" not in text and ">" not in text and "&" not in text


# -- writing ----------------------------------------------------------------------------------

def test_write_report_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    write_report(target, "<p>new</p>")
    assert target.read_text(encoding="utf-8") == "<p>new</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    with pytest.raises(OSError):
        write_report(tmp_path / "missing-dir" / "r.html", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_cli_report_writes_file_and_records_run(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY_YAML, encoding="utf-8")
    out = tmp_path / "out.html"
    store = tmp_path / "runs.sqlite3"
    result = CliRunner().invoke(app, ["report", str(scenario), "-o", str(out),
                                      "--no-thresholds", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "offer separates" in out.read_text(encoding="utf-8")
    with RunStore(store) as runs:
        saved = runs.list()
        assert [r.kind for r in saved] == ["report"]
        assert runs.get(saved[0].id).result["main_offer"] == "all-in"


def test_cli_report_bad_input_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY_YAML.replace("prior: 0.5\n    weights: {security: 0.5",
                                     "prior: lots\n    weights: {security: 0.5"),
                   encoding="utf-8")
    result = CliRunner().invoke(app, ["report", str(bad), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert "bad.yaml:" in result.output and "prior" in result.output
    assert not (tmp_path / "r.html").exists()
    missing = CliRunner().invoke(app, ["report", "no-such-scenario"])
    assert missing.exit_code == 2
