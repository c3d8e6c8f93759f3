"""The report's robustness section, from a real sweep of a small scenario."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

import callbluff.cli  # noqa: F401  (registers the commands)
from callbluff.cli.app import app
from callbluff.scenario.loader import dump_scenario
from test_analysis_verdict import two_types

UNCERTAINTY = """
uncertainty:
  - path: regimes[rig].detection
    distribution: {kind: uniform, low: 0, high: 1}
    source: "test"
  - path: cheating.penalty
    distribution: {kind: uniform, low: 5, high: 15}
    source: "test"
"""


def test_report_shows_the_sweeps_tornado_and_verdict_map(tmp_path: Path) -> None:
    scenario = tmp_path / "two-types.yaml"
    scenario.write_text(dump_scenario(two_types()) + UNCERTAINTY, encoding="utf-8")
    results = tmp_path / "sweep.parquet"
    runner = CliRunner()
    swept = runner.invoke(app, ["sweep", str(scenario), "--samples", "40", "--seed", "3",
                                "-o", str(results)])
    assert swept.exit_code == 0, swept.output
    report = tmp_path / "report.html"
    made = runner.invoke(app, ["report", str(scenario), "-o", str(report), "--no-thresholds",
                               "--sweep", str(results)])
    assert made.exit_code == 0, made.output
    page = report.read_text(encoding="utf-8")
    assert 'id="robustness"' in page
    assert 'id="fig-tornado"' in page and 'id="fig-verdict-map"' in page
    # The detection probability moves the verdict of this scenario (threshold 1/9), so
    # the sampled variants fall on both sides of it: both colours appear on the map.
    assert "Verdict map of the sampled variants" in page
    assert "accept and cheat" in page and "does not separate" in page
