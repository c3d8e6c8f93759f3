"""Shared helpers for the solve tests: random signalling games and pygambit access."""

from __future__ import annotations

import random
from collections.abc import Mapping
from fractions import Fraction

import pygambit as gbt

from callbluff.game.catalog import signalling_game
from callbluff.game.tree import Game
from callbluff.solve import Equilibrium
from callbluff.solve.gambit import to_pygambit


def random_signalling(seed: int, n_types: int, n_messages: int) -> Game:
    """Random signalling game, fractional payoffs, 2 receiver actions per message,
    neither receiver action strictly dominated at any message."""
    rng = random.Random(seed)

    # Wide numerators and denominators: payoff ties (non-generic games, where both
    # solvers may pick different points of a continuum of equilibria) are unlikely.
    def frac() -> Fraction:
        return Fraction(rng.randint(-(10**4), 10**4), rng.randint(1, 97))

    weights = [rng.randint(1, 9) for _ in range(n_types)]
    types = [f"t{i}" for i in range(n_types)]
    priors = {t: Fraction(w, sum(weights)) for t, w in zip(types, weights, strict=True)}
    messages = [f"m{j}" for j in range(n_messages)]
    responses = {m: (f"{m}a", f"{m}b") for m in messages}
    pay: dict[tuple[str, str, str], tuple[Fraction, Fraction]] = {}
    for m in messages:
        while True:
            recv = {(t, a): frac() for t in types for a in responses[m]}
            diffs = [recv[(t, responses[m][0])] - recv[(t, responses[m][1])] for t in types]
            if all(d > 0 for d in diffs) or all(d < 0 for d in diffs):
                t0 = types[rng.randrange(n_types)]
                a, b = responses[m]
                recv[(t0, a)], recv[(t0, b)] = recv[(t0, b)], recv[(t0, a)]
                diffs = [recv[(t, a)] - recv[(t, b)] for t in types]
            if any(d > 0 for d in diffs) and any(d < 0 for d in diffs):
                break
        for t in types:
            for a in responses[m]:
                pay[(t, m, a)] = (frac(), recv[(t, a)])
    return signalling_game(
        f"random signalling {seed}", ("S", "R"), priors, messages, responses, pay
    )


def gambit_payoff_set(game: Game) -> set[tuple[Fraction, ...]]:
    """Payoff vectors of pygambit's extreme equilibria (enummixed, exact)."""
    g, _ = to_pygambit(game)
    result = gbt.nash.enummixed_solve(g, rational=True)
    return {tuple(Fraction(str(eq.payoff(p))) for p in g.players) for eq in result.equilibria}


def gambit_agent_regret(game: Game, eq: Equilibrium) -> Fraction:
    """pygambit's agent_max_regret of our profile, loaded into pygambit."""
    return gambit_agent_regret_of(game, eq.behaviour)


def gambit_agent_regret_of(game: Game, behaviour: Mapping[str, Mapping[str, Fraction]]
                           ) -> Fraction:
    """pygambit's agent_max_regret of a behaviour profile (information set label ->
    action -> probability)."""
    g, ginfo = to_pygambit(game)
    prof = g.mixed_behavior_profile(rational=True)
    for h, gh in zip(game.infosets, ginfo, strict=True):
        for a, ga in zip(h.actions, gh.actions, strict=True):
            prof[ga] = gbt.Rational(behaviour[h.label][a])
    return Fraction(str(prof.agent_max_regret()))
