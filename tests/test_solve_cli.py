"""`callbluff solve` on .efg files and scenarios (JSON Lines contract, errors)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import callbluff.cli.solve_cmd  # noqa: F401  (registers the command)
from callbluff.cli.app import app
from callbluff.game.catalog import beer_quiche, inspection_game
from callbluff.game.efg import write_efg
from callbluff.solve import solve
from regret_oracle import independent_regret

runner = CliRunner()


def test_json_lines_for_efg_files(tmp_path: Path) -> None:
    bq = tmp_path / "bq.efg"
    bq.write_text(write_efg(beer_quiche()))
    insp = tmp_path / "insp.efg"
    insp.write_text(write_efg(inspection_game()))
    res = runner.invoke(app, ["solve", str(bq), str(insp), "--json"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert [rec["file"] for rec in lines] == [str(bq), str(insp)]
    first, second = lines
    assert first["method"] == "pbe-enumeration"
    assert first["game"]["players"] == ["Sender", "Receiver"]
    assert len(first["equilibria"]) == 2
    ic = sorted(eq["intuitive_criterion"] for eq in first["equilibria"])
    assert ic == [False, True]
    # the printed profiles are the solver's, and those pass the independent check
    ours = solve(beer_quiche())
    for eq, mine in zip(first["equilibria"], ours.equilibria, strict=True):
        assert independent_regret(ours.game, mine) == 0
        assert eq["strategies"] == {h: {a: float(p) for a, p in acts.items()}
                                    for h, acts in mine.behaviour.items()}
        assert eq["classification"] == "pooling"
    assert second["method"] == "gambit-enummixed"
    (eq,) = second["equilibria"]
    # Avenhaus, von Stengel & Zamir (2002): p* = d/(b+d) = 2/6 with the defaults
    assert abs(eq["strategies"]["inspector"]["inspect"] - 1 / 3) < 1e-12


def test_table_output(tmp_path: Path) -> None:
    bq = tmp_path / "bq.efg"
    bq.write_text(write_efg(beer_quiche()))
    res = runner.invoke(app, ["solve", str(bq)])
    assert res.exit_code == 0, res.output
    assert "μ(weak | quiche) ≥ 1/2" in res.stdout
    assert "pooling" in res.stdout


def test_bad_inputs_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.efg"
    bad.write_text("EFG 2 R oops")
    res = runner.invoke(app, ["solve", str(bad)])
    assert res.exit_code == 2
    assert "bad.efg" in res.stderr
    res = runner.invoke(app, ["solve", str(tmp_path / "missing.yaml")])
    assert res.exit_code == 2
    res = runner.invoke(app, ["solve", "north-korea-2009", "--offer", "no-such-offer"])
    assert res.exit_code == 2
    assert "no-such-offer" in res.stderr


def test_help_has_example() -> None:
    res = runner.invoke(app, ["solve", "--help"])
    assert res.exit_code == 0
    assert "Example" in res.stdout
