"""``callbluff runs list|show|diff`` through Typer's CliRunner, on real store files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import callbluff.cli.runs_cmd  # noqa: F401  (registers the `runs` commands)
from callbluff.cli.app import app
from callbluff.store import RunStore

SCENARIO_A = "id: nk2009\nprior: 0.4\nregime: rigorous\n"
SCENARIO_B = "id: nk2009\nprior: 0.6\nregime: rigorous\n"

runner = CliRunner()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "runs.sqlite3"
    with RunStore(path) as store:
        store.record(
            "analyze",
            "nk2009",
            SCENARIO_A,
            {"offer": "all-in"},
            {
                "types": [
                    {"id": "security", "action": "accept"},
                    {"id": "prestige", "action": "cheat"},
                ]
            },
            seed=7,
        )
        store.record(
            "sweep",
            "nk2009",
            SCENARIO_B,
            {"offer": "all-in", "points": 5},
            {
                "types": [
                    {"id": "security", "action": "accept"},
                    {"id": "prestige", "action": "reject"},
                ]
            },
        )
        store.record("report", "other-case", SCENARIO_A, {}, {"pages": 3})
    return path


def test_list_json_newest_first(store_path: Path) -> None:
    result = runner.invoke(app, ["runs", "list", "--store", str(store_path), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["id"], r["kind"], r["scenario_id"]) for r in rows] == [
        (3, "report", "other-case"),
        (2, "sweep", "nk2009"),
        (1, "analyze", "nk2009"),
    ]
    assert rows[2]["seed"] == 7 and rows[1]["seed"] is None


def test_list_filters_by_kind_and_uses_env_var(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLBLUFF_STORE", str(store_path))
    result = runner.invoke(app, ["runs", "list", "--kind", "sweep", "--json"])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)] == [2]


def test_list_table(store_path: Path) -> None:
    result = runner.invoke(app, ["runs", "list", "--store", str(store_path)])
    assert result.exit_code == 0, result.output
    assert "analyze" in result.stdout and "other-case" in result.stdout
    assert "sweep" in result.stdout


def test_list_bad_kind_exits_2(store_path: Path) -> None:
    result = runner.invoke(app, ["runs", "list", "--store", str(store_path), "--kind", "poll"])
    assert result.exit_code == 2
    assert "poll" in result.output


def test_list_missing_store_says_so(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite3"
    result = runner.invoke(app, ["runs", "list", "--store", str(missing)])
    assert result.exit_code == 0
    assert "No runs yet" in result.stdout
    assert not missing.exists()


def test_show_json_round_trips(store_path: Path) -> None:
    result = runner.invoke(app, ["runs", "show", "1", "--store", str(store_path), "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    with RunStore(store_path) as store:
        assert shown == store.get(1).to_json()
    assert shown["scenario_text"] == SCENARIO_A
    assert shown["params"] == {"offer": "all-in"}


def test_show_table(store_path: Path) -> None:
    result = runner.invoke(app, ["runs", "show", "2", "--store", str(store_path), "--scenario"])
    assert result.exit_code == 0, result.output
    assert "sweep" in result.stdout and "reject" in result.stdout
    assert "prior: 0.6" in result.stdout


@pytest.mark.parametrize("command", [["show", "42"], ["diff", "1", "42"], ["diff", "42", "1"]])
def test_unknown_id_exits_2_with_message(store_path: Path, command: list[str]) -> None:
    result = runner.invoke(app, ["runs", *command, "--store", str(store_path)])
    assert result.exit_code == 2
    assert "no run with id 42" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_diff_json_lists_exactly_the_changes(store_path: Path) -> None:
    result = runner.invoke(app, ["runs", "diff", "1", "2", "--store", str(store_path), "--json"])
    assert result.exit_code == 0, result.output
    diff = json.loads(result.stdout)
    assert [(c["path"], c["old"], c["new"]) for c in diff["fields"]] == [
        ("/kind", "analyze", "sweep"),
        ("/scenario_sha256", diff["a"]["scenario_sha256"], diff["b"]["scenario_sha256"]),
        ("/seed", 7, None),
    ]
    assert "-prior: 0.4" in diff["scenario_diff"] and "+prior: 0.6" in diff["scenario_diff"]
    assert diff["params"] == [{"path": "/points", "kind": "added", "new": 5}]
    assert diff["result"] == [
        {"path": "/types/1/action", "kind": "changed", "old": "cheat", "new": "reject"}
    ]


def test_diff_table_and_identical_runs(store_path: Path) -> None:
    result = runner.invoke(app, ["runs", "diff", "1", "2", "--store", str(store_path)])
    assert result.exit_code == 0, result.output
    assert "/types/1/action" in result.stdout and "reject" in result.stdout
    same = runner.invoke(app, ["runs", "diff", "2", "2", "--store", str(store_path)])
    assert same.exit_code == 0
    assert "No differences" in same.stdout


def test_corrupt_store_exits_2_naming_the_path(tmp_path: Path) -> None:
    bad = tmp_path / "scenario.yaml"
    bad.write_text("id: nk2009\n")
    for command in (["list"], ["show", "1"], ["diff", "1", "2"]):
        result = runner.invoke(app, ["runs", *command, "--store", str(bad)])
        assert result.exit_code == 2
        assert str(bad) in result.stderr
        assert "Traceback" not in result.output
    assert bad.read_text() == "id: nk2009\n"


@pytest.mark.parametrize("command", [[], ["list"], ["show"], ["diff"]])
def test_help_has_examples(command: list[str]) -> None:
    result = runner.invoke(app, ["runs", *command, "--help"])
    assert result.exit_code == 0
    assert ("callbluff runs" in result.stdout) or command == []
    assert "Usage" in result.stdout
