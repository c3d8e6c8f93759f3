"""`callbluff analyze`: the JSON contract, --explain, and the saved run."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import callbluff.cli  # noqa: F401  (registers the commands)
from callbluff.cli.app import app
from callbluff.scenario.loader import dump_scenario
from callbluff.store import RunStore
from test_analysis_verdict import two_types


def _write(tmp_path: Path, detection: str = "1/10") -> Path:
    path = tmp_path / "two-types.yaml"
    path.write_text(dump_scenario(two_types(detection)), encoding="utf-8")
    return path


def test_json_follows_the_contract(tmp_path: Path, _private_run_store: Path) -> None:
    result = CliRunner().invoke(app, ["analyze", str(_write(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    for key in ("scenario", "offers", "best_offer", "cheapest_package", "talks", "verdict"):
        assert key in doc
    offer = doc["offers"][0]
    for key in ("id", "equilibria", "separates", "diagnosticity_bits", "misread_probability",
                "thresholds"):
        assert key in offer
    eq = offer["equilibria"][0]
    for key in ("target_strategy", "proposer_strategy", "posteriors", "payoffs",
                "classification", "intuitive_criterion"):
        assert key in eq
    # Hand derivation in test_analysis_verdict: at d = 1/10 prestige accepts and cheats,
    # security-only accepts and complies; the detection threshold is 1/9.
    assert eq["target_strategy"]["prestige"]["accept_cheat"] == 1.0
    assert eq["target_strategy"]["security-only"]["accept_comply"] == 1.0
    assert offer["thresholds"]["detection_exact"] == "1/9"
    assert offer["separates"] is False
    # The run is saved, whole.
    runs = RunStore(_private_run_store).list()
    assert [r.kind for r in runs] == ["analyze"]


def test_explain_states_each_types_comparison(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["analyze", str(_write(tmp_path)), "--explain", "--no-thresholds"],
        terminal_width=200)
    assert result.exit_code == 0, result.output
    # prestige: comply 4, reject 7, cheat 9 − 18/10 = 7.2 (hand derivation)
    text = " ".join(result.output.split())  # the console wraps long lines
    line = text[text.index("why prestige"):]
    line = line[:line.index("plays")]
    assert "reject 7.00" in line and "cheat 7.20" in line and "comply 4.00" in line


def test_bad_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntypes: [", encoding="utf-8")
    result = CliRunner().invoke(app, ["analyze", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml" in result.output and "Traceback" not in result.output
