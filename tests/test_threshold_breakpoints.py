"""Thresholds from breakpoints (issue 17): the candidate points where two affine
values of one player cross, and the search that confirms the change at one of them.

Independent truths: hand-derived crossing points of small games written out below;
step functions whose breakpoints are chosen by the test; and, over random variants
of built-in scenarios, the reference method (grid and exact bisection), which must
find the same exact thresholds.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable
from fractions import Fraction

import pytest

from callbluff.analysis.offers import analyze_offer_cached
from callbluff.analysis.thresholds import (
    find_flips,
    offer_breakpoints,
    payoff_breakpoints,
    with_number,
)
from callbluff.analysis.verdict import main_offer_id
from callbluff.game.tree import Game, GameBuilder
from callbluff.scenario.loader import load_scenario
from callbluff.scenario.schema import Scenario


def _choice_game(x: Fraction) -> Game:
    """Player 0 picks `risky` (chance: 5 with probability 1 - x, -3 with probability
    x) or `safe` (2 for sure, or x + 1/2 via `linear`).

    Crossings by hand, in x: risky = 5(1 - x) - 3x = 5 - 8x;
    risky = safe: 5 - 8x = 2 ⟺ x = 3/8; risky = linear: 5 - 8x = x + 1/2 ⟺ x = 1/2;
    safe = linear: 2 = x + 1/2 ⟺ x = 3/2 (outside [0, 1]).
    """
    b = GameBuilder("choice", ("P", "Q"))
    root = b.decision(None, 0, "pick", ("risky", "safe", "linear"))
    risky = b.chance(root, [("good", 1 - x), ("bad", x)])
    b.terminal(risky, (5, 0))
    b.terminal(risky, (-3, 0))
    b.terminal(root, (2, 0))
    b.terminal(root, (x + Fraction(1, 2), 0))
    return b.build()


def test_breakpoints_of_a_small_game_are_the_hand_derived_crossings() -> None:
    assert payoff_breakpoints(_choice_game, Fraction(0), Fraction(1)) == (
        Fraction(3, 8), Fraction(1, 2))


def test_breakpoints_refuse_a_value_that_is_not_affine() -> None:
    # An input-dependent chance move above an input-dependent payoff: x(1 - x) is
    # quadratic, so no crossing list could be complete.
    def game(x: Fraction) -> Game:
        b = GameBuilder("quadratic", ("P", "Q"))
        root = b.decision(None, 0, "pick", ("gamble", "sure"))
        gamble = b.chance(root, [("win", x), ("lose", 1 - x)])
        b.terminal(gamble, (1 - x, 0))
        b.terminal(gamble, (0, 0))
        b.terminal(root, (Fraction(1, 5), 0))
        return b.build()

    assert payoff_breakpoints(game, Fraction(0), Fraction(1)) is None


def _counting(points: list[Fraction]) -> tuple[list[int], Callable[[Fraction], Hashable]]:
    calls = [0]

    def verdict(x: Fraction) -> Hashable:
        calls[0] += 1
        return sum(1 for p in points if x > p)

    return calls, verdict


@pytest.mark.parametrize("candidates", [
    # the true breakpoints among decoys
    [Fraction(1, 7), Fraction(3, 10), Fraction(2, 9), Fraction(13, 20), Fraction(5, 7)],
    # decoys only: every change must be found by bisection, still exactly
    [Fraction(1, 11), Fraction(1, 2), Fraction(17, 19)],
    # one true breakpoint missing
    [Fraction(3, 10), Fraction(2, 9)],
])
def test_search_from_candidates_finds_the_breakpoints_exactly(
        candidates: list[Fraction]) -> None:
    truth = [Fraction(3, 10), Fraction(13, 20)]
    calls, verdict = _counting(truth)
    flips = find_flips(verdict, Fraction(0), Fraction(1), breakpoints=candidates)
    assert [f.at for f in flips] == truth
    assert [(f.left, f.right) for f in flips] == [(0, 1), (1, 2)]
    with_candidates = calls[0]
    calls, verdict = _counting(truth)
    assert find_flips(verdict, Fraction(0), Fraction(1)) == flips
    if set(truth) <= set(candidates):
        assert with_candidates < calls[0]  # the candidates were used, not bisection


# -- differential: breakpoints against the reference, on random scenarios -----

def _variant(scenario: Scenario, rng: random.Random) -> Scenario:
    """The scenario with its main regime's detection, the renege risk and every
    concession cost redrawn (two decimals, as scenario files write them)."""
    main = main_offer_id(scenario)
    regime = scenario.offer(main).regime

    def draw(lo: int, hi: int) -> Fraction:
        return Fraction(rng.randint(lo, hi), 100)

    out = with_number(scenario, f"regimes[{regime}].detection", draw(5, 95))
    out = with_number(out, "bargaining.renege_risk", draw(0, 60))
    for c in scenario.concessions:
        if c.cost > 0:
            out = with_number(out, f"concessions[{c.id}].cost", c.cost * draw(50, 150))
    return out


def _judges(scenario: Scenario) -> dict[str, tuple[str, Callable[[Scenario], Hashable]]]:
    main = main_offer_id(scenario)
    regime = scenario.offer(main).regime
    secure = [t.id for t in scenario.types if t.security_only and t.prior > 0]

    def someone_cheats(s: Scenario) -> Hashable:
        return bool(analyze_offer_cached(s, main).cheaters(s))

    def complies(s: Scenario) -> Hashable:
        o = analyze_offer_cached(s, main)
        return frozenset(e.target_strategy[t].accept_comply == 1
                         for e in o.equilibria for t in secure)

    return {"detection": (f"regimes[{regime}].detection", someone_cheats),
            "renege": ("bargaining.renege_risk", complies)}


@pytest.mark.parametrize("name,seed", [("north-korea-2009", 1), ("libya-2003", 3),
                                       ("hanoi-2019", 5), ("iran-jcpoa-2015", 4),
                                       ("south-africa-1991", 6),
                                       ("agreed-framework-1994", 7)])
def test_breakpoints_and_bisection_find_the_same_thresholds(name: str, seed: int) -> None:
    scenario = _variant(load_scenario(name), random.Random(seed))
    main = main_offer_id(scenario)
    found = 0
    for what, (path, judge) in _judges(scenario).items():
        def verdict(x: Fraction, path: str = path,
                    judge: Callable[[Scenario], Hashable] = judge) -> Hashable:
            return judge(with_number(scenario, path, x))

        reference = find_flips(verdict, Fraction(0), Fraction(1))
        candidates = offer_breakpoints(scenario, main, path)
        assert candidates is not None, what
        assert find_flips(verdict, Fraction(0), Fraction(1),
                          breakpoints=candidates) == reference, what
        found += len(reference)
    assert found > 0  # these variants were picked to have thresholds to compare
