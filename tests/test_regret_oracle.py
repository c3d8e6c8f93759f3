"""Mutation tests: the independent regret check (``tests/regret_oracle.py``) fails
when a reported equilibrium is perturbed, by exactly the regret derived by hand.

Every test that claims to check an equilibrium uses that oracle (or pygambit's
``agent_max_regret``); these tests show that it can fail.  Each mutation moves
probability at one information set of a reported profile; pygambit's
``agent_max_regret`` of the same mutated profile is checked beside it (it sees
only sets the profile reaches: the off-path mutation shows up at the types).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from callbluff.game.catalog import bargain_example, beer_quiche
from callbluff.solve import Equilibrium, SolveResult, solve
from regret_oracle import independent_regret, regret_by_infoset, shifted
from solve_helpers import gambit_agent_regret_of

F = Fraction


@pytest.fixture(scope="module")
def beer_quiche_result() -> SolveResult:
    return solve(beer_quiche())


def _pooling_on(result: SolveResult, message: str) -> Equilibrium:
    return next(e for e in result.equilibria
                if e.behaviour["weak"][message] == 1 and e.behaviour["strong"][message] == 1)


def _off_path(eq: Equilibrium) -> dict[str, dict[int, Fraction]]:
    return {h: dict(b.distribution) for h, b in eq.beliefs.items() if not b.on_path}


def test_the_reported_equilibria_pass(beer_quiche_result: SolveResult) -> None:
    for eq in beer_quiche_result.equilibria:
        assert independent_regret(beer_quiche_result.game, eq) == 0


def test_sender_mutation_fails(beer_quiche_result: SolveResult) -> None:
    # Beer pooling; the strong type moves 1/2 to quiche.  Beer is worth 1 + 2 = 3 to
    # it (no duel after beer); quiche is worth 0 + 2·(1 − q), q = P(duel | quiche).
    # Its regret: 3 − (½·3 + ½·2(1 − q)) = ½ + q.
    game = beer_quiche_result.game
    eq = _pooling_on(beer_quiche_result, "beer")
    q = eq.behaviour["quiche"]["duel"]
    mutated = shifted(eq, "strong", "beer", "quiche", F(1, 2))
    found = regret_by_infoset(game, mutated, _off_path(eq))
    assert found["strong"] == F(1, 2) + q > 0
    assert gambit_agent_regret_of(game, mutated) > 0


def test_receiver_mutation_on_the_path_fails(beer_quiche_result: SolveResult) -> None:
    # Beer pooling; after beer (belief: weak 1/10, strong 9/10) the receiver moves 1/4
    # to duel.  Duel is worth 1/10, not 9/10; regret 9/10 − (¾·9/10 + ¼·1/10) = 1/5.
    game = beer_quiche_result.game
    eq = _pooling_on(beer_quiche_result, "beer")
    mutated = shifted(eq, "beer", "not", "duel", F(1, 4))
    assert regret_by_infoset(game, mutated, _off_path(eq))["beer"] == F(1, 5)
    assert gambit_agent_regret_of(game, mutated) > 0


def test_off_path_mutation_fails(beer_quiche_result: SolveResult) -> None:
    # Beer pooling; the receiver stops dueling after quiche (off the path).  Then the
    # weak type gets 1 + 2 = 3 from quiche against 0 + 2 = 2 from beer: regret 1.
    game = beer_quiche_result.game
    eq = _pooling_on(beer_quiche_result, "beer")
    mutated = shifted(eq, "quiche", "duel", "not", eq.behaviour["quiche"]["duel"])
    found = regret_by_infoset(game, mutated, _off_path(eq))
    assert found["weak"] == 1
    assert found["strong"] == 0  # quiche is worth 0 + 2 = 2 < 3 to the strong type
    assert gambit_agent_regret_of(game, mutated) > 0


def test_bargain_mutation_fails() -> None:
    # bargain_example (docstring): a reformer that has accepted gets 2 by complying
    # and ½·3 + ½·(−1 + f_T) ≤ ½ by cheating (f_T ∈ {−1, −4}).  Moving 1/2 of its
    # probability to cheating costs it ½·(2 − cheat) ≥ 3/4.
    result = solve(bargain_example())
    game = result.game
    reached = [e for e in result.equilibria if "reformer accepted" in e.on_path]
    assert reached
    for eq in reached:
        assert eq.behaviour["reformer accepted"]["comply"] == 1
        mutated = shifted(eq, "reformer accepted", "comply", "cheat", F(1, 2))
        assert regret_by_infoset(game, mutated, _off_path(eq))["reformer accepted"] >= F(3, 4)
        assert gambit_agent_regret_of(game, mutated) > 0
