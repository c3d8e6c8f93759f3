"""The intuitive criterion and D1 (``solve/refinements.py``) against answers derived
by hand: Beer–Quiche (Cho & Kreps 1987) and a two-type bargain derived in
docs/algorithms.md ("Refinements on the bargain")."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from callbluff.game.bargain import compile_offer
from callbluff.game.catalog import beer_quiche
from callbluff.game.tree import Game, GameBuilder
from callbluff.scenario.builtin import builtin_path
from callbluff.scenario.loader import load_scenario
from callbluff.solve import Equilibrium, solve
from regret_oracle import independent_regret
from solve_helpers import random_signalling

F = Fraction
PROPOSER, TARGET = 0, 1


def test_beer_quiche() -> None:
    # Cho & Kreps (1987) §II and §IV: pooling on quiche fails the intuitive
    # criterion — beer is equilibrium-dominated for the weak type (at most 0 + 2 = 2
    # < 3), and against beliefs on the strong type the receiver does not duel, so
    # the strong type gets 1 + 2 = 3 > 2 from beer.  D1 deletes the weak type (it
    # never gains from beer) and fails the same way.  Pooling on beer survives:
    # quiche is equilibrium-dominated for the strong type (≤ 2 < 3); against the
    # weak type the receiver duels, and the weak type gets 1 ≤ 2.
    result = solve(beer_quiche())
    by_message = {e.behaviour["weak"]["beer"]: e for e in result.equilibria}
    beer, quiche = by_message[F(1)], by_message[F(0)]
    assert beer.intuitive_criterion is True and beer.d1 is True
    assert quiche.intuitive_criterion is False and quiche.d1 is False
    assert quiche.refinement is not None and beer.refinement is not None
    (test,) = quiche.refinement.signals
    assert (test.signal, test.dominated, test.breaking, test.deleted, test.d1_survives) == (
        "beer", ("weak",), ("strong",), ("weak",), False)
    (test,) = beer.refinement.signals
    assert (test.signal, test.dominated, test.breaking, test.deleted, test.d1_survives) == (
        "quiche", ("strong",), (), ("strong",), True)


def two_type_bargain() -> Game:
    """The bargain of docs/algorithms.md ("Refinements on the bargain"): an honest and
    a cheating type (prior 1/2 each) accept or reject; after accepting they comply or
    cheat, cheating is detected with probability 1/2 and then sanctioned; after a
    rejection the proposer engages or strikes.  Payoffs (proposer, target)."""
    gb = GameBuilder("two-type bargain", ("Proposer", "Target"))
    root = gb.chance(None, [("honest", F(1, 2)), ("cheater", F(1, 2))], label="type")
    undetected = {"honest": 1, "cheater": 5}
    engage = {"honest": (2, 3), "cheater": (-2, 1)}
    strike = {"honest": (-1, -1), "cheater": (1, -1)}
    for t in ("honest", "cheater"):
        answer = gb.decision(root, TARGET, t, ["accept", "reject"])
        accepted = gb.decision(answer, TARGET, f"{t} accepted", ["comply", "cheat"])
        gb.terminal(accepted, [4, 2], outcome="comply")
        inspection = gb.chance(accepted, [("undetected", F(1, 2)), ("detected", F(1, 2))])
        gb.terminal(inspection, [0, undetected[t]], outcome="cheat, undetected")
        detected = gb.decision(inspection, PROPOSER, "cheating detected", ["sanction", "forgive"])
        gb.terminal(detected, [1, -2], outcome="sanctioned")
        gb.terminal(detected, [0, undetected[t]], outcome="forgiven")
        rejected = gb.decision(answer, PROPOSER, "rejected", ["engage", "strike"])
        gb.terminal(rejected, list(engage[t]), outcome="engage")
        gb.terminal(rejected, list(strike[t]), outcome="strike")
    return gb.build()


def test_two_type_bargain() -> None:
    # docs/algorithms.md: two outcomes.  Pooling on accept (both comply, 2 each) with
    # μ(honest | reject) ≤ 1/2 (strike) fails both tests: reject is worth at most 1 < 2
    # to the cheater, and against the honest type the proposer engages, 3 > 2.  The
    # separating outcome (honest rejects and is engaged, cheater accepts and complies)
    # sends every answer and passes.
    result = solve(two_type_bargain())
    assert len(result.equilibria) == 2
    for eq in result.equilibria:
        assert independent_regret(result.game, eq) == 0
    pooling = next(e for e in result.equilibria if e.classification == "pooling")
    separating = next(e for e in result.equilibria if e.classification == "separating")
    assert pooling.behaviour["honest"]["accept"] == 1 == pooling.behaviour["cheater"]["accept"]
    assert pooling.type_payoffs == {"honest": 2, "cheater": 2}
    assert pooling.beliefs["rejected"].text == "μ(honest | rejected) ≤ 1/2"
    assert pooling.intuitive_criterion is False and pooling.d1 is False
    assert pooling.refinement is not None
    (test,) = pooling.refinement.signals
    assert (test.signal, test.dominated, test.breaking, test.deleted, test.d1_survives) == (
        "reject", ("cheater",), ("honest",), ("cheater",), False)
    assert separating.behaviour["honest"]["reject"] == 1
    assert separating.behaviour["cheater"]["accept"] == 1
    assert separating.type_payoffs == {"honest": 3, "cheater": 2}
    assert separating.intuitive_criterion is True and separating.d1 is True
    assert separating.refinement is not None and separating.refinement.signals == ()


def _d1_implies_ic(equilibria: tuple[Equilibrium, ...]) -> None:
    # D1 deletes at least the types the intuitive criterion calls equilibrium-
    # dominated (Cho & Kreps 1987 §V): an equilibrium that survives D1 survives it.
    for eq in equilibria:
        assert eq.d1 is not None and eq.intuitive_criterion is not None
        assert not eq.d1 or eq.intuitive_criterion


def test_builtin_scenario_every_offer_is_tested() -> None:
    scenario = load_scenario(builtin_path("north-korea-2009"))
    for offer in scenario.offers:
        _d1_implies_ic(solve(compile_offer(scenario, offer.id)).equilibria)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**31), n_types=st.integers(2, 3), n_messages=st.integers(2, 3))
def test_d1_implies_the_intuitive_criterion(seed: int, n_types: int, n_messages: int) -> None:
    _d1_implies_ic(solve(random_signalling(seed, n_types, n_messages)).equilibria)


def credibility_bargain() -> Game:
    """docs/algorithms.md ("Refinements on the bargain", second game): accepting leads to
    comply or cheat, detected cheating (probability 1/2) to the proposer's ``escalate``
    (its best reply to the cheater) or ``settle`` (to the honest type); rejecting ends
    the game at 1 for either type, 0 for the proposer."""
    gb = GameBuilder("credibility bargain", ("Proposer", "Target"))
    root = gb.chance(None, [("honest", F(1, 2)), ("cheater", F(1, 2))], label="type")
    target = {"honest": {"comply": F(1, 2), "undetected": 0, "escalate": -4, "settle": 0},
              "cheater": {"comply": -1, "undetected": 1, "escalate": 3, "settle": -1}}
    proposer = {"honest": {"escalate": -1, "settle": 0}, "cheater": {"escalate": 1, "settle": -2}}
    for t in ("honest", "cheater"):
        answer = gb.decision(root, TARGET, t, ["accept", "reject"])
        accepted = gb.decision(answer, TARGET, f"{t} accepted", ["comply", "cheat"])
        gb.terminal(accepted, [3, target[t]["comply"]], outcome="comply")
        inspection = gb.chance(accepted, [("undetected", F(1, 2)), ("detected", F(1, 2))])
        gb.terminal(inspection, [-2, target[t]["undetected"]], outcome="cheat, undetected")
        detected = gb.decision(inspection, PROPOSER, "cheating detected", ["escalate", "settle"])
        for a in ("escalate", "settle"):
            gb.terminal(detected, [proposer[t][a], target[t][a]], outcome=a)
        gb.terminal(answer, [0, 1], outcome="rejected")
    return gb.build()


def test_credibility_inside_the_continuation() -> None:
    # docs/algorithms.md: pooling on reject (1 each), deterred by settling after
    # detected cheating (the cheater's accept is then worth max(−1, ½·1 + ½·(−1)) = 0),
    # fails both tests: accepting is worth at most 1/2 < 1 to the honest type, and with
    # beliefs on the cheater settling is not sequentially rational (the cheater cheats,
    # so detected cheating comes from it and escalating is better), so the only
    # response is to escalate, worth max(−1, ½·1 + ½·3) = 2 > 1 to the cheater.
    # A test that let the proposer commit to settling would pass this equilibrium.
    result = solve(credibility_bargain())
    assert len(result.equilibria) == 2
    for eq in result.equilibria:
        assert independent_regret(result.game, eq) == 0
    pooling = next(e for e in result.equilibria if e.classification == "pooling")
    separating = next(e for e in result.equilibria if e.classification == "separating")
    assert pooling.behaviour["honest"]["reject"] == 1 == pooling.behaviour["cheater"]["reject"]
    assert pooling.behaviour["cheating detected"]["settle"] == 1
    assert pooling.refinement is not None
    (test,) = pooling.refinement.signals
    assert (test.signal, test.dominated, test.breaking, test.deleted, test.d1_survives) == (
        "accept", ("honest",), ("cheater",), ("honest",), False)
    assert pooling.intuitive_criterion is False and pooling.d1 is False
    assert separating.behaviour["cheater"]["accept"] == 1
    assert separating.behaviour["cheater accepted"]["cheat"] == 1
    assert separating.type_payoffs == {"honest": 1, "cheater": 2}
    assert separating.intuitive_criterion is True and separating.d1 is True
