"""Every technical term a face prints has a plain gloss, and the gloss is the same
in docs/glossary.md, in ``analyze --explain``, in the report and on the page's API
(issue 16, "A glossary")."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from typer.testing import CliRunner

import callbluff.cli  # noqa: F401  (registers the commands)
from callbluff.analysis.verdict import analyze
from callbluff.cli.app import app, console
from callbluff.glossary import GLOSSARY
from callbluff.report.html import build_report
from callbluff.scenario.loader import dump_scenario
from callbluff.solve.signalling import classify
from test_analysis_verdict import two_types

DOCS = Path(__file__).resolve().parent.parent / "docs" / "glossary.md"


def test_docs_page_lists_every_term_with_its_gloss() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for term, gloss in GLOSSARY.items():
        assert f"- **{term}**: {gloss}" in text, term


def test_every_classification_the_solver_gives_has_a_gloss() -> None:
    # One first-move pattern of each kind (docs of `classify`), built by hand.
    cases = {
        "pooling": {"a": {"yes": 1}, "b": {"yes": 1}},
        "separating": {"a": {"yes": 1}, "b": {"no": 1}},
        "semi-separating": {"a": {"yes": 1}, "b": {"yes": 1}, "c": {"no": 1}},
        "hybrid": {"a": {"yes": 1, "no": 1}, "b": {"yes": 1}},
    }
    for kind, moves in cases.items():
        assert classify(moves) == kind  # type: ignore[arg-type]
        assert kind in GLOSSARY


def test_explain_and_the_report_carry_the_glosses(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "two-types.yaml"
    path.write_text(dump_scenario(two_types("1/10")), encoding="utf-8")
    monkeypatch.setattr(console, "width", 400)  # one gloss a line
    result = CliRunner().invoke(app, ["analyze", str(path), "--explain", "--no-thresholds"])
    assert result.exit_code == 0, result.output
    for term, gloss in GLOSSARY.items():
        assert f"{term}: {gloss}" in result.output, term
    report = html.unescape(build_report(analyze(two_types("1/10"), thresholds=False)))
    for term, gloss in GLOSSARY.items():
        assert f"<dt>{term}</dt><dd>{gloss}</dd>" in report, term
    # hover glosses on the terms the equilibrium notes print
    for term in ("diagnosticity (bits)", "misread probability", "intuitive criterion", "D1"):
        assert f'title="{GLOSSARY[term]}"' in report, term
