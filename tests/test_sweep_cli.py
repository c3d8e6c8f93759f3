"""`callbluff sweep`, `sensitivity` and `map` on a tiny scenario (CliRunner)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import callbluff.cli.sweep_cmds  # noqa: F401  (registers the commands)
from callbluff.cli.app import app
from callbluff.scenario.loader import dump_scenario, load_scenario, load_scenario_text

UNCERTAINTY = """
uncertainty:
  - path: regimes[rigorous].detection
    distribution: {kind: uniform, low: 0.5, high: 1.0}
    source: "test"
    note: "near-complete verification"
  - path: cheating.penalty
    distribution: {kind: triangular, low: 0, mode: 10, high: 30}
prior_distribution:
  kind: dirichlet
  concentration: {security-only: 6, prestige: 3, coercion: 3, proliferation-revenue: 2, mixed: 6}
"""


def tiny_yaml(tmp_path: Path, extra: str = UNCERTAINTY) -> Path:
    s = load_scenario("north-korea-2009")
    keep = [o for o in s.offers if o.id in ("all-in", "security-for-inspections")]
    s = s.model_copy(update={"counter_demands": [], "offers": keep, "uncertainty": [],
                             "prior_distribution": None})
    path = tmp_path / "tiny.yaml"
    path.write_text(dump_scenario(s) + extra, encoding="utf-8")
    return path


def test_uncertainty_loads_and_round_trips(tmp_path: Path) -> None:
    s = load_scenario(tiny_yaml(tmp_path))
    assert [u.path for u in s.uncertainty] == ["regimes[rigorous].detection", "cheating.penalty"]
    assert s.prior_distribution is not None
    again = load_scenario_text(dump_scenario(s))
    assert again == s


def test_bad_distribution_is_an_input_error_with_a_line(tmp_path: Path) -> None:
    path = tiny_yaml(tmp_path, UNCERTAINTY.replace("low: 0.5, high: 1.0", "low: 1.0, high: 0.5"))
    result = CliRunner().invoke(app, ["sweep", str(path), "--samples", "2", "-o",
                                      str(tmp_path / "x.parquet")])
    assert result.exit_code == 2
    assert "low < high" in result.output
    assert "tiny.yaml:" in result.output


def test_unknown_path_exits_2(tmp_path: Path) -> None:
    path = tiny_yaml(tmp_path, UNCERTAINTY.replace("regimes[rigorous].detection",
                                                   "regimes[nowhere].detection"))
    result = CliRunner().invoke(app, ["sweep", str(path), "--samples", "2", "-o",
                                      str(tmp_path / "x.parquet")])
    assert result.exit_code == 2
    assert "names no number" in result.output


def test_sweep_command_writes_parquet_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    result = CliRunner().invoke(app, ["sweep", str(tiny_yaml(tmp_path)), "--samples", "30",
                                      "--seed", "5", "--chunk-size", "10", "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.num_rows == 30
    assert "P(the main offer separates" in result.output
    assert "Inputs that matter most" in result.output
    again = tmp_path / "r2.parquet"
    CliRunner().invoke(app, ["sweep", str(tiny_yaml(tmp_path)), "--samples", "30",
                             "--seed", "5", "--chunk-size", "10", "-o", str(again)])
    assert pq.read_table(again).equals(table)


def test_sensitivity_and_map_commands(tmp_path: Path) -> None:
    path = tiny_yaml(tmp_path)
    result = CliRunner().invoke(app, ["sensitivity", str(path), "--samples", "8",
                                      "--plot", str(tmp_path / "t.png")])
    assert result.exit_code == 0, result.output
    assert "Tornado" in result.output and "Sobol" in result.output
    assert (tmp_path / "t.png").stat().st_size > 0
    result = CliRunner().invoke(app, ["map", "regimes[rigorous].detection", "cheating.penalty",
                                      "--scenario", str(path), "--resolution", "4",
                                      "--y-range", "0:30", "-o", str(tmp_path / "m.png")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m.png").stat().st_size > 0


@pytest.mark.parametrize("args", [["--engine", "quick"], ["--workers", "2", "--scheduler", "x"]])
def test_bad_options_exit_2(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(app, ["sweep", str(tiny_yaml(tmp_path)), *args])
    assert result.exit_code == 2


def test_map_with_workers_and_a_scheduler_exits_2() -> None:
    result = CliRunner().invoke(app, ["map", "regimes[rigorous].detection", "cheating.penalty",
                                      "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2
    assert "give --workers or --scheduler, not both" in result.output


def test_sweep_with_thresholds(tmp_path: Path) -> None:
    out = tmp_path / "t.parquet"
    result = CliRunner().invoke(app, ["sweep", str(tiny_yaml(tmp_path)), "--samples", "4",
                                      "--seed", "2", "--thresholds", "-o", str(out)])
    assert result.exit_code == 0, result.output
    values = pq.read_table(out)["detection_threshold"].to_pylist()
    assert len(values) == 4
    assert all(v != v or 0 <= v <= 1 for v in values)  # NaN or a probability


def test_help_has_an_example() -> None:
    for command in ("sweep", "sensitivity", "map"):
        result = CliRunner().invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.output
