"""Random signalling games: our PBE outcomes against pygambit on the same game.

Why Nash and PBE outcomes coincide here: every message has exactly two receiver
actions and neither is strictly dominated, so for every off-path message each
pure action and each mixture of the two is a best response to *some* belief (the
payoff difference of the two actions changes sign, or vanishes, across types, so
some belief makes them tie and beliefs on either side make either one optimal).
Hence any Nash equilibrium's off-path receiver behaviour can be supported by
beliefs, and on the path Nash already demands best responses to Bayes' beliefs:
the sets of Nash and weak-PBE outcomes (so payoff vectors) are the same.
pygambit's ``enummixed_solve`` returns the extreme Nash equilibria of the
strategic form; with generic (random fractional) payoffs the equilibrium
payoff vectors form a finite set, which both solvers must produce exactly.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callbluff.solve import solve
from regret_oracle import independent_regret
from solve_helpers import gambit_agent_regret, gambit_payoff_set, random_signalling


def _check_against_pygambit(seed: int, n_types: int, n_messages: int) -> None:
    game = random_signalling(seed, n_types, n_messages)
    result = solve(game)
    assert result.method == "pbe-enumeration"
    for eq in result.equilibria:
        # the oracle's regret (tests/regret_oracle.py), and pygambit's agent regret
        assert independent_regret(game, eq) == 0
        assert gambit_agent_regret(game, eq) == 0
        # Bayes' rule on the path, recomputed here from priors and sender behaviour
        priors = dict(zip(game.root.chance_actions, game.root.chance_probs, strict=True))
        for h in game.infosets_of(1):
            m = h.label
            mass = {t: priors[t] * eq.behaviour[t][m] for t in priors}
            total = sum(mass.values(), Fraction(0))
            b = eq.beliefs[m]
            assert b.on_path == (total > 0)
            if total > 0:
                assert b.type_distribution == {t: w / total for t, w in mass.items()}
    ours = {eq.payoffs for eq in result.equilibria}
    assert ours == gambit_payoff_set(game)


# pygambit's exact enummixed takes seconds (2 messages) to minutes (3 types × 3
# messages) on these degenerate strategic forms, so Hypothesis explores two
# messages and a fixed case covers three; benchmarks/bench_solve.py compares
# 3 × 3 games in floats.
@settings(max_examples=20, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**31), n_types=st.integers(2, 3))
def test_outcomes_match_pygambit(seed: int, n_types: int) -> None:
    _check_against_pygambit(seed, n_types, 2)


@pytest.mark.slow
def test_outcomes_match_pygambit_three_messages() -> None:
    _check_against_pygambit(7, 2, 3)
