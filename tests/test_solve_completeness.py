"""``SolveResult.complete``: when the list of equilibria may miss outcomes, and that
every output shows it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import callbluff.cli.solve_cmd  # noqa: F401  (registers the command)
from callbluff.cli.app import app
from callbluff.game.bargain import compile_offer
from callbluff.game.catalog import bargain_example, inspection_game
from callbluff.game.efg import write_efg
from callbluff.game.tree import Game, GameBuilder
from callbluff.scenario.builtin import builtin_path
from callbluff.scenario.loader import load_scenario
from callbluff.solve import solve
from regret_oracle import independent_regret

runner = CliRunner()


def entry_game() -> Game:
    """Selten's entry game (Fudenberg & Tirole 1991, §3.2): the entrant stays out
    (0, 2) or enters; the incumbent then fights (−1, −1) or accommodates (1, 1).
    Nash equilibria: (in, accommodate) and (out, fight with probability ≥ 1/2); only
    the first is sequentially rational (fighting is never optimal once entered)."""
    gb = GameBuilder("entry", ("Entrant", "Incumbent"))
    root = gb.decision(None, 0, "entrant", ["out", "in"])
    gb.terminal(root, [0, 2], outcome="out")
    node = gb.decision(root, 1, "incumbent", ["fight", "accommodate"])
    gb.terminal(node, [-1, -1], outcome="fight")
    gb.terminal(node, [1, 1], outcome="accommodate")
    return gb.build()


def test_gambit_fallback_flags_dropped_profiles() -> None:
    result = solve(entry_game())
    assert result.method == "gambit-enummixed"
    (eq,) = result.equilibria
    assert eq.behaviour["entrant"]["in"] == 1 and eq.behaviour["incumbent"]["accommodate"] == 1
    assert independent_regret(result.game, eq) == 0
    assert not result.complete
    (reason,) = result.incomplete_reasons
    assert "could not be verified" in reason and "dropped" in reason


def test_gambit_fallback_complete_when_nothing_dropped() -> None:
    result = solve(inspection_game())
    assert result.method == "gambit-enummixed"
    assert result.complete and result.incomplete_reasons == ()


def test_builtin_scenario_offers_are_complete() -> None:
    scenario = load_scenario(builtin_path("north-korea-2009"))
    for offer in scenario.offers:
        result = solve(compile_offer(scenario, offer.id))
        assert result.complete, (offer.id, result.incomplete_reasons)


def test_cli_json_and_table_show_it(tmp_path: Path) -> None:
    entry = tmp_path / "entry.efg"
    entry.write_text(write_efg(entry_game()))
    example = tmp_path / "example.efg"
    example.write_text(write_efg(bargain_example()))
    res = runner.invoke(app, ["solve", str(entry), str(example), "--json"])
    assert res.exit_code == 0, res.output
    records = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["complete"] for r in records] == [False, False]
    assert all(r["incomplete_reasons"] for r in records)
    table = runner.invoke(app, ["solve", str(entry)])
    assert "the list may be incomplete: 2 of pygambit's 3 Nash equilibria" in " ".join(
        table.stdout.split())


def test_analyze_json_carries_it() -> None:
    import callbluff.cli.analyze_cmd  # noqa: F401  (registers the command)
    res = runner.invoke(app, ["analyze", "north-korea-2009", "--json", "--no-thresholds"])
    assert res.exit_code == 0, res.output
    offers = json.loads(res.stdout)["offers"]
    scenario = load_scenario(builtin_path("north-korea-2009"))
    for o in offers:
        result = solve(compile_offer(scenario, o["id"]))
        assert o["complete"] is result.complete
        assert o["incomplete_reasons"] == list(result.incomplete_reasons)
