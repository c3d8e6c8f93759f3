"""Removing conditionally dominated actions loses no equilibrium.

Independent truth: the enumeration on the whole game, without the reduction.
Every outcome must survive the reduction (same payoff vectors, same on-path
behaviour), and every profile lifted back must verify in the original game.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callbluff.game.bargain import compile_offer
from callbluff.game.catalog import bargain_example, beer_quiche
from callbluff.game.tree import Game
from callbluff.scenario.loader import load_scenario
from callbluff.solve import solve
from callbluff.solve.assemble import build_equilibrium, merge_outcomes
from callbluff.solve.pbe import enumerate_profiles
from callbluff.solve.reduce import reduce_dominated
from callbluff.solve.structure import detect_one_informed
from regret_oracle import independent_regret
from solve_helpers import random_signalling


def _unreduced_payoffs(game: Game) -> set[tuple[Fraction, ...]]:
    roles = detect_one_informed(game)
    assert roles is not None
    found = [eq for beh in enumerate_profiles(game, roles)
             if (eq := build_equilibrium(game, beh, roles.informed)) is not None]
    return {tuple(eq.payoffs) for eq in merge_outcomes(game, found)}


@pytest.mark.parametrize("game", [bargain_example(), beer_quiche()], ids=["bargain", "beer-quiche"])
def test_reduction_keeps_every_outcome(game: Game) -> None:
    reduced = solve(game)
    assert all(independent_regret(game, eq) == 0 for eq in reduced.equilibria)
    assert {tuple(eq.payoffs) for eq in reduced.equilibria} == _unreduced_payoffs(game)


@settings(max_examples=15, deadline=None, derandomize=True)
@given(st.integers(0, 10**6), st.integers(2, 3))
def test_reduction_keeps_every_outcome_of_random_signalling_games(seed: int, types: int) -> None:
    game = random_signalling(seed, types, 2)
    assert {tuple(eq.payoffs) for eq in solve(game).equilibria} == _unreduced_payoffs(game)


def test_reduction_removes_strictly_dominated_fallbacks() -> None:
    # north-korea-2009.yaml: "military-pressure" pays the proposer -30, -25, -35, -25, -30
    # against the five types and "containment" -5, -5, -8, -15, -7: worse against every
    # type, so it is never a best reply after a rejection, whatever the belief.
    scenario = load_scenario("north-korea-2009")
    game = compile_offer(scenario, "all-in")
    reduction = reduce_dominated(game)
    rejected = next(h for h in game.infosets if h.label == "rejected")
    kept = [rejected.actions[a] for a in reduction.kept[rejected.id]]
    assert "military-pressure" not in kept
    assert "containment" in kept
