"""The message-branch search (solve/branches.py) against the sequential support
enumeration (solve/pbe.py), a second method for the same equilibrium set, and
pygambit's regret on what it reports.

The two methods organise the same support conditions differently: the enumeration
forms every combination of the uninformed player's supports, the branch search
combines supports branch by branch and tries off-path continuations only until one
deters.  They must report the same outcomes on every built-in offer, on the 2009
bargain hearing a costly counter-demand (the games the branch search is for), and on
random signalling games.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

import callbluff as cb
from callbluff.game.tree import Game
from callbluff.scenario.builtin import list_builtin
from callbluff.solve import BRANCHES, solve
from callbluff.solve.assemble import build_equilibrium, merge_outcomes
from callbluff.solve.branches import branch_shape, search_branches
from callbluff.solve.pbe import enumerate_profiles
from callbluff.solve.reduce import lift, reduce_dominated
from callbluff.solve.result import Equilibrium
from callbluff.solve.structure import detect_one_informed
from solve_helpers import gambit_agent_regret, random_signalling

Key = tuple[object, ...]


def _key(eq: Equilibrium) -> Key:
    on_path = tuple(sorted((h, tuple(sorted(p.items())))
                           for h, p in eq.behaviour.items() if h in eq.on_path))
    return eq.payoffs, tuple(sorted(eq.type_payoffs.items())), on_path


def _both(game: Game) -> tuple[set[Key], set[Key]]:
    """Outcomes of the branch search and of the enumeration, on the reduced game."""
    roles = detect_one_informed(game)
    assert roles is not None
    reduction = reduce_dominated(game)
    reduced_roles = detect_one_informed(reduction.reduced)
    assert reduced_roles is not None
    shape = branch_shape(reduction.reduced, reduced_roles)
    assert shape is not None

    def verified(beh: list[list[Fraction]]) -> Equilibrium | None:
        return build_equilibrium(game, lift(reduction, beh), roles.informed)

    by_branches: list[Equilibrium] = []

    def accept(beh: list[list[Fraction]]) -> bool:
        eq = verified(beh)
        if eq is not None:
            by_branches.append(eq)
        return eq is not None

    search_branches(shape, accept)
    enumerated = [eq for beh in enumerate_profiles(reduction.reduced, reduced_roles)
                  if (eq := verified(beh)) is not None]
    return ({_key(e) for e in merge_outcomes(game, by_branches)},
            {_key(e) for e in merge_outcomes(game, enumerated)})


def _offers() -> list[tuple[str, str]]:
    return [(name, offer.id) for name in list_builtin() for offer in cb.load(name).offers]


@pytest.mark.parametrize(("scenario", "offer"), _offers())
def test_same_outcomes_on_every_builtin_offer(scenario: str, offer: str) -> None:
    branches, enumerated = _both(cb.compile_offer(cb.load(scenario), offer))
    assert branches == enumerated
    assert branches


def _costly(counters: list[str]) -> Game:
    """The 2009 main offer hearing these counter-demands at their cost (breakdown risk
    0.2, a round's delay, the proposer's grant / stand firm / walk away)."""
    nk = cb.load("north-korea-2009")
    bargaining = nk.bargaining.model_copy(update={"costly_counters": True})
    offers = [o.model_copy(update={"counter_demands": counters}) if o.id == "all-in" else o
              for o in nk.offers]
    return cb.compile_offer(nk.model_copy(update={"bargaining": bargaining, "offers": offers}),
                            "all-in")


@pytest.mark.parametrize("counter", ["light-water-reactors", "us-forces-withdrawal"])
def test_same_outcomes_with_a_costly_counter_demand(counter: str) -> None:
    branches, enumerated = _both(_costly([counter]))
    assert branches == enumerated
    assert branches


@pytest.mark.parametrize(("seed", "types", "messages"),
                         [(s, 2 + s % 3, 2 + s % 2) for s in range(12)]
                         + [(s, 3 + s % 2, 3) for s in range(20, 40)])
def test_same_outcomes_on_random_signalling_games(seed: int, types: int, messages: int) -> None:
    # one-shot signalling games are message-branch games with one U information set
    # per branch; solve() sends them to the one-shot solvers, here both methods run
    branches, enumerated = _both(random_signalling(seed, types, messages))
    assert branches == enumerated


def test_solve_uses_it_for_costly_counter_demands_and_pygambit_agrees() -> None:
    game = _costly(["light-water-reactors"])
    result = solve(game)
    assert result.options["enumeration"] == BRANCHES
    assert result.complete and result.equilibria
    for eq in result.equilibria:
        assert gambit_agent_regret(game, eq) == 0
