"""The pattern search for regular two-answer signalling games (``solve/oneshot_search.py``).

Independent truths: the complete MILP enumeration of ``solve/oneshot.py`` (another
algorithm: HiGHS over big-M complementarity, then exact split systems) and
pygambit's ``enummixed_solve`` on the same game.  The search must give the same
equilibrium outcomes, and the same off-path belief *sets* (as sets of beliefs,
probed at many points of the simplex), and must hand every game it cannot decide
(ties, dependent equations) to the MILP.
"""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import combinations

import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callbluff.game.catalog import signalling_game
from callbluff.game.tree import Game
from callbluff.solve import MILP, SEARCH, oneshot_search, solve
from callbluff.solve.assemble import (
    build_equilibrium,
    merge_outcomes,
    outcome_key,
    render_belief_set,
)
from callbluff.solve.gambit import to_pygambit
from callbluff.solve.oneshot import enumerate_oneshot
from callbluff.solve.oneshot_search import _Search, _TooClose, search_profiles
from callbluff.solve.result import Equilibrium, LinearInequality
from callbluff.solve.signalling import SignallingShape, signalling_shape
from callbluff.solve.structure import detect_one_informed
from regret_oracle import independent_regret
from solve_helpers import random_signalling

F = Fraction


def _shape(game: Game) -> SignallingShape:
    roles = detect_one_informed(game)
    assert roles is not None
    shape = signalling_shape(game, roles.informed)
    assert shape is not None
    return shape


def _milp(game: Game) -> tuple[Equilibrium, ...]:
    shape = _shape(game)
    return merge_outcomes(game, list(enumerate_oneshot(
        game, shape, lambda beh: build_equilibrium(game, beh, 0))))


def _probes(n: int, rng: random.Random) -> list[list[Fraction]]:
    """Vertices, edge midpoints, the centre and random rational points of the simplex."""
    points = [[F(int(i == j)) for j in range(n)] for i in range(n)]
    points += [[F(1, 2) if j in (a, b) else F(0) for j in range(n)]
               for a, b in combinations(range(n), 2)]
    points.append([F(1, n)] * n)
    for _ in range(20):
        w = [rng.randint(0, 9) for _ in range(n)]
        if sum(w):
            points.append([F(v, sum(w)) for v in w])
    return points


def _in_union(polyhedra: tuple[tuple[LinearInequality, ...], ...],
              mu: dict[int, Fraction]) -> bool:
    return any(all(ineq.holds(mu) for ineq in poly) for poly in polyhedra)


def _assert_same_outcomes(game: Game, ours: tuple[Equilibrium, ...],
                          theirs: tuple[Equilibrium, ...]) -> None:
    assert [outcome_key(game, e) for e in ours] == [outcome_key(game, e) for e in theirs]
    rng = random.Random(0)
    for a, b in zip(ours, theirs, strict=True):
        assert a.payoffs == b.payoffs
        for label, belief in a.beliefs.items():
            other = b.beliefs[label]
            assert belief.on_path == other.on_path
            if belief.on_path:
                assert belief.distribution == other.distribution
                continue
            for point in _probes(len(belief.nodes), rng):
                mu = dict(zip(belief.nodes, point, strict=True))
                assert _in_union(belief.polyhedra, mu) == _in_union(other.polyhedra, mu)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**31), n_types=st.integers(2, 4), n_messages=st.integers(2, 3))
def test_search_matches_the_milp_on_generic_games(seed: int, n_types: int,
                                                  n_messages: int) -> None:
    game = random_signalling(seed, n_types, n_messages)
    result = solve(game)
    assert result.options["enumeration"] == SEARCH
    assert all(independent_regret(game, eq) == 0 for eq in result.equilibria)
    _assert_same_outcomes(game, result.equilibria, _milp(game))


@pytest.mark.parametrize("seed", [1000, 1001, 1002])
def test_three_by_three_matches_pygambit(seed: int) -> None:
    """The benchmark's size, against pygambit's enummixed (floats, as in the benchmark;
    the exact version takes minutes here)."""
    game = random_signalling(seed, 3, 3)
    result = solve(game)
    assert result.options["enumeration"] == SEARCH
    g, _ = to_pygambit(game)
    theirs = {tuple(float(eq.payoff(p)) for p in g.players)
              for eq in gbt.nash.enummixed_solve(g, rational=False).equilibria}
    ours = {tuple(float(v) for v in eq.payoffs) for eq in result.equilibria}

    def close(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
        return all(abs(x - y) < 1e-6 for x, y in zip(a, b, strict=True))

    assert all(any(close(o, t) for t in theirs) for o in ours)
    assert all(any(close(t, o) for o in ours) for t in theirs)


def _small_integer_game(seed: int, spread: int) -> Game:
    """Payoffs in [−spread, spread]: ties of every kind are common."""
    rng = random.Random(seed)
    types = [f"t{i}" for i in range(rng.randint(2, 3))]
    weights = [rng.randint(1, 3) for _ in types]
    priors = {t: F(w, sum(weights)) for t, w in zip(types, weights, strict=True)}
    messages = [f"m{j}" for j in range(rng.randint(2, 3))]
    responses = {m: (f"{m}a", f"{m}b") for m in messages}
    pay = {(t, m, a): (F(rng.randint(-spread, spread)), F(rng.randint(-spread, spread)))
           for t in types for m in messages for a in responses[m]}
    return signalling_game("ties", ("S", "R"), priors, messages, responses, pay)


@settings(max_examples=120, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**31), spread=st.sampled_from([3, 8, 20]))
def test_games_with_ties_go_to_the_milp_or_agree_with_it(seed: int, spread: int) -> None:
    """Where payoffs tie the search must either decline (the MILP then runs) or find
    exactly the MILP's outcomes."""
    game = _small_integer_game(seed, spread)
    result = solve(game)
    milp = _milp(game)
    if result.options["enumeration"] == SEARCH:
        _assert_same_outcomes(game, result.equilibria, milp)
    else:
        assert result.options["enumeration"] == MILP
        assert {e.payoffs for e in result.equilibria} == {e.payoffs for e in milp}


def test_receiver_indifferent_facing_a_type_is_declined() -> None:
    """Found while building the search: the receiver's payoffs after m2 are equal for
    t0 (9, 9), so a message sent by t0 alone leaves the receiver indifferent at every
    mixture — a continuum the search does not handle.  It must decline; the MILP then
    reports points of the continuum (how many depends on the points HiGHS visits), and
    must include the two outcomes derived here by hand."""
    pay_rows = {
        ("t0", "m0"): ((-8, -18), (-15, -12)), ("t0", "m1"): ((-5, 12), (-7, 5)),
        ("t0", "m2"): ((-19, 9), (11, 9)), ("t1", "m0"): ((4, 11), (16, -8)),
        ("t1", "m1"): ((5, -15), (11, -6)), ("t1", "m2"): ((-19, -3), (13, 6)),
    }
    pay = {(t, m, f"{m}{'ab'[i]}"): (F(s), F(r))
           for (t, m), answers in pay_rows.items() for i, (s, r) in enumerate(answers)}
    game = signalling_game("receiver indifferent", ("S", "R"), {"t0": F(2, 3), "t1": F(1, 3)},
                           ["m0", "m1", "m2"], {m: (f"{m}a", f"{m}b") for m in ("m0", "m1", "m2")},
                           pay)
    assert search_profiles(game, _shape(game)) is None
    result = solve(game)
    assert result.options["enumeration"] == MILP
    # Pooling on m2 answered m2b: the posterior (2/3, 1/3) makes m2b worth 8 against 5;
    # t1 would get 16 from m0 answered m0b, but a belief on t1 makes m0a (11 > −8)
    # optimal there; S gets 2/3·11 + 1/3·13 = 35/3, R 2/3·9 + 1/3·6 = 8.
    assert (F(35, 3), F(8)) in {eq.payoffs for eq in result.equilibria}
    # t0 sending m2 answered m2b with probability x gets −19(1 − x) + 11x = −19 + 30x;
    # sending m1 answered m1b it gets −7, so x = 2/5 makes t0 indifferent.
    assert any(eq.behaviour["m2"]["m2b"] == F(2, 5) for eq in result.equilibria)


def test_near_ties_are_decided_in_exact_arithmetic() -> None:
    """Type t0's values of m0 and m1 answered first differ by 10⁻⁶ against payoffs of
    10⁴: within the float band, so the float search stops and the exact search decides
    (no tie: the search still answers), with the MILP's outcomes."""
    base = random_signalling(1000, 3, 3)
    shape = _shape(base)
    rows = {(t, m, a): (shape.sender_payoff[i][j][k], shape.receiver_payoff[i][j][k])
            for i, t in enumerate(shape.types) for j, m in enumerate(shape.messages)
            for k, a in enumerate(shape.responses[j])}
    rows[("t0", "m1", "m1a")] = (rows[("t0", "m0", "m0a")][0] + F(1, 10**6),
                                 rows[("t0", "m1", "m1a")][1])
    game = signalling_game("near tie", ("S", "R"), dict(zip(shape.types, shape.priors,
                                                            strict=True)),
                           list(shape.messages), dict(zip(shape.messages, shape.responses,
                                                          strict=True)), rows)
    with pytest.raises(_TooClose):
        _Search(_shape(game), exact=False).run()
    result = solve(game)
    assert result.options["enumeration"] == SEARCH
    _assert_same_outcomes(game, result.equilibria, _milp(game))


def test_both_answers_deterring_read_as_any_belief() -> None:
    """After an unsent message both answers may deter: the first for c·μ ≤ 0, the second
    for −c·μ ≤ 0 — together every belief, and the text says so (one half alone not)."""
    c = ((1, F(3)), (2, F(-5, 2)), (3, F(1, 7)))
    first = (LinearInequality(c, "<=", F(0)),)
    second = (LinearInequality(tuple((n, -v) for n, v in c), "<=", F(0)),)
    names, nodes = ["t0", "t1", "t2"], (1, 2, 3)
    assert render_belief_set("m1", names, nodes, (first, second)) == "any belief at m1"
    assert render_belief_set("m1", names, nodes, (first,)).startswith("3·μ(t0 | m1)")
    for point in _probes(3, random.Random(1)):  # the union really is the whole simplex
        assert _in_union((first, second), dict(zip(nodes, point, strict=True)))


def test_larger_games_milp_with_regular_points_matches_the_search(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """5 types × 4 messages is above the search's size limit: the MILP runs and takes
    each mixed pattern's exact point from the search's square systems
    (``pattern_profiles``).  With the limit lifted, the search (another algorithm)
    must find the same outcomes and belief sets."""
    game = random_signalling(2024, 5, 4)
    result = solve(game)
    assert result.options["enumeration"] == MILP
    assert any(len({p for p in eq.behaviour[t].values() if p}) > 1
               for eq in result.equilibria for t in ("t0", "t1", "t2", "t3", "t4"))
    monkeypatch.setattr(oneshot_search, "MAX_SIZE", 10**6)
    monkeypatch.setattr(oneshot_search, "MAX_NODES", 10**7)
    profiles = search_profiles(game, _shape(game))
    assert profiles is not None
    searched = merge_outcomes(game, [eq for beh in profiles
                                     if (eq := build_equilibrium(game, beh, 0))])
    _assert_same_outcomes(game, result.equilibria, searched)


def test_verification_rejects_negative_probabilities() -> None:
    """Found by comparing the MILP with the search on payoffs spanning 10⁻⁴…10¹²: a
    pattern's exact point had a 'mixture' of (−3854131/85680001869, 1.00004…) — the
    receiver was indifferent, so every regret was 0.  A behaviour row must be a
    probability distribution; with all payoffs 0 every row has regret 0, and the
    row (−1, 2) must still be refused."""
    pay = {(t, m, f"{m}{a}"): (F(0), F(0)) for t in ("t0", "t1") for m in ("m0", "m1")
           for a in "ab"}
    game = signalling_game("all zero", ("S", "R"), {"t0": F(1, 2), "t1": F(1, 2)},
                           ["m0", "m1"], {m: (f"{m}a", f"{m}b") for m in ("m0", "m1")}, pay)
    beh = [[F(1), F(0)] for _ in game.infosets]
    assert build_equilibrium(game, beh, 0) is not None
    m0 = next(h.id for h in game.infosets if h.label == "m0")
    beh[m0] = [F(-1), F(2)]
    assert build_equilibrium(game, beh, 0) is None


def test_wide_payoff_ranges_through_the_milp(monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by comparing the two enumerations on payoffs spanning many magnitudes: with
    type t's payoffs multiplied by 10^(3t) and the receiver's after message m by
    10^(3m) (transformations that change no equilibrium), the MILP found nothing.
    It now normalises per type and per message; its outcomes must equal the exact
    search's (limits lifted) on such a 5 × 4 game."""
    base = random_signalling(2024, 5, 4)
    shape = _shape(base)
    rows = {(t, m, a): (shape.sender_payoff[i][j][k] * 10 ** (3 * i),
                        shape.receiver_payoff[i][j][k] * 10 ** (3 * j))
            for i, t in enumerate(shape.types) for j, m in enumerate(shape.messages)
            for k, a in enumerate(shape.responses[j])}
    game = signalling_game("wide", ("S", "R"), dict(zip(shape.types, shape.priors, strict=True)),
                           list(shape.messages),
                           dict(zip(shape.messages, shape.responses, strict=True)), rows)
    result = solve(game)
    assert result.options["enumeration"] == MILP
    monkeypatch.setattr(oneshot_search, "MAX_SIZE", 10**6)
    monkeypatch.setattr(oneshot_search, "MAX_NODES", 10**7)
    profiles = search_profiles(game, _shape(game))
    assert profiles is not None
    searched = merge_outcomes(game, [eq for beh in profiles
                                     if (eq := build_equilibrium(game, beh, 0))])
    _assert_same_outcomes(game, result.equilibria, searched)


def test_zero_gain_game_through_the_milp() -> None:
    """Found on reading the change: t0 does not care how m1 is answered (−10 either
    way), so the search declines the game and the MILP runs; its patterns' exact
    points must come from the same regularity check (this game divided by zero there
    before).  Pooling on m0 answered m0a is an equilibrium (hand-derived: the prior
    makes m0a worth 1 against 0 to the receiver; each type gets 0, and m1 is deterred
    by any answer x in [1/5, 4/5] — t1 gets 5 − 25x, t2 gets −20 + 25x)."""
    rows = {"t0": ((0, 1), (-10, -10)), "t1": ((0, 1), (5, -20)), "t2": ((0, 1), (-20, 5))}
    receiver = {"t0": ((1, 0), (1, 0)), "t1": ((1, 0), (0, 1)), "t2": ((1, 0), (1, 0))}
    pay = {(t, m, f"{m}{'ab'[k]}"): (F(rows[t][j][k]), F(receiver[t][j][k]))
           for t in rows for j, m in enumerate(("m0", "m1")) for k in range(2)}
    game = signalling_game("zero gain", ("S", "R"), {t: F(1, 3) for t in rows}, ["m0", "m1"],
                           {m: (f"{m}a", f"{m}b") for m in ("m0", "m1")}, pay)
    assert search_profiles(game, _shape(game)) is None
    result = solve(game)
    assert result.options["enumeration"] == MILP
    pooling = [eq for eq in result.equilibria
               if all(eq.behaviour[t]["m0"] == 1 for t in rows) and eq.behaviour["m0"]["m0a"] == 1]
    assert pooling and pooling[0].payoffs == (F(0), F(1))
