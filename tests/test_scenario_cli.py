"""The scenario commands: `scenarios`, `scenario show`, `validate`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import callbluff.cli.scenario_cmds  # noqa: F401  (registers the commands)
from callbluff.cli.app import app, console
from callbluff.scenario.builtin import builtin_path, list_builtin, listings
from callbluff.scenario.loader import load_scenario, load_scenario_text

runner = CliRunner()


def test_the_listing_reads_what_the_loader_validates() -> None:
    # `callbluff scenarios` reads four fields from the YAML events, unvalidated
    shown = {(x.id, x.title, x.types, x.offers) for x in listings()}
    loaded = {(s.id, s.title, tuple(s.type_ids()), tuple(o.id for o in s.offers))
              for s in map(load_scenario, list_builtin())}
    assert shown == loaded
    assert len(shown) == len(list_builtin())


def test_scenarios_lists_the_builtins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "width", 1000)  # one line per scenario
    result = runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0, result.output
    for name in list_builtin():
        s = load_scenario(name)
        row = next(line for line in result.stdout.splitlines() if f" {s.id} " in line)
        assert s.title in row
        assert ", ".join(s.type_ids()) in row
        assert ", ".join(o.id for o in s.offers) in row


@pytest.mark.parametrize("name", list_builtin())
def test_show_prints_yaml_that_loads_back(name: str) -> None:
    result = runner.invoke(app, ["scenario", "show", name])
    assert result.exit_code == 0, result.stderr
    assert load_scenario_text(result.stdout, "shown.yaml") == load_scenario(name)


def test_show_accepts_a_file(tmp_path: Path) -> None:
    path = tmp_path / "copy.yaml"
    path.write_text(builtin_path("north-korea-2009").read_text(encoding="utf-8"))
    result = runner.invoke(app, ["scenario", "show", str(path)])
    assert result.exit_code == 0
    assert load_scenario_text(result.stdout) == load_scenario("north-korea-2009")


def test_show_unknown_name_exits_2() -> None:
    result = runner.invoke(app, ["scenario", "show", "atlantis-1950"])
    assert result.exit_code == 2
    assert "atlantis-1950" in result.stderr
    assert "north-korea-2009" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_validate_good_files() -> None:
    files = [str(builtin_path(n)) for n in list_builtin()]
    result = runner.invoke(app, ["validate", *files])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("OK ") == len(files)
    assert result.stderr == ""


@pytest.mark.parametrize("args", [["scenarios"], ["scenario", "show"], ["validate"],
                                  ["scenario"]])
def test_help_has_an_example(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--help"], terminal_width=120)
    assert result.exit_code == 0
    assert "Example" in result.stdout
