"""Textbook games with known equilibria (sources cited per test).

Every equilibrium must have zero regret first, exactly, by the brute-force check of
``tests/regret_oracle.py`` (written apart from the solver's verifier); then the
outcome set is compared with the answer derived by hand from the source.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from callbluff.game.catalog import beer_quiche, inspection_game, kydd_reassurance, spence_education
from callbluff.solve import Equilibrium, SolveResult, solve
from regret_oracle import bayes_agrees, independent_regret

F = Fraction


def _verified(result: SolveResult) -> None:
    """Every equilibrium sequentially rational and Bayes-consistent, by the oracle."""
    assert result.equilibria
    for eq in result.equilibria:
        assert independent_regret(result.game, eq) == 0
        assert bayes_agrees(result.game, eq)


def _on_path_pure(eq: Equilibrium, infoset: str) -> str:
    acts = [a for a, p in eq.behaviour[infoset].items() if p == 1]
    assert len(acts) == 1, eq.behaviour[infoset]
    return acts[0]


def _by_pooling_message(
    eqs: tuple[Equilibrium, ...], t1: str, t2: str
) -> dict[tuple[str, str], Equilibrium]:
    return {(_on_path_pure(e, t1), _on_path_pure(e, t2)): e for e in eqs}


def test_beer_quiche_two_pooling_outcomes_and_intuitive_criterion() -> None:
    # Cho & Kreps (1987) §II; Fudenberg & Tirole (1991) §11.2: with P(weak)=0.1 the
    # PBE outcomes are pooling on beer and pooling on quiche; the receiver does not
    # duel on the path (μ(weak)=1/10 < 1/2) and must duel off the path, which needs
    # μ(weak | off-path message) ≥ 1/2.  Only beer pooling passes the intuitive
    # criterion.  Beer pooling (weak 2, strong 3): from quiche the strong type gets at
    # most 2 < 3 (equilibrium dominated), the weak type up to 3; against beliefs on
    # {weak} the receiver duels, weak gets 1 < 2: no deviation, passes.  Quiche
    # pooling (weak 3, strong 2): from beer the weak type gets at most 2 < 3, so
    # beliefs go to {strong}, the receiver does not duel, strong gets 3 > 2: fails.
    result = solve(beer_quiche())
    assert result.method == "pbe-enumeration"
    _verified(result)
    outcomes = _by_pooling_message(result.equilibria, "weak", "strong")
    assert set(outcomes) == {("beer", "beer"), ("quiche", "quiche")}
    beer, quiche = outcomes[("beer", "beer")], outcomes[("quiche", "quiche")]
    for eq, on, off in ((beer, "beer", "quiche"), (quiche, "quiche", "beer")):
        assert eq.classification == "pooling"
        assert eq.on_path == {"weak", "strong", on}
        assert eq.behaviour[on] == {"duel": 0, "not": 1}
        assert eq.behaviour[off]["duel"] >= F(1, 2)
        # on path: Bayes' rule gives the prior
        assert eq.beliefs[on].type_distribution == {"weak": F(1, 10), "strong": F(9, 10)}
        # off path: exactly the beliefs μ(weak) ≥ 1/2 support the outcome
        b = eq.beliefs[off]
        assert not b.on_path
        weak_node, strong_node = b.nodes
        for w in (F(1, 2), F(3, 4), F(1)):
            assert b.supports({weak_node: w, strong_node: 1 - w})
        for w in (F(0), F(1, 10), F(49, 100)):
            assert not b.supports({weak_node: w, strong_node: 1 - w})
        assert b.text == f"μ(weak | {off}) ≥ 1/2"
    # sender payoffs: beer pooling weak 2, strong 3; quiche pooling weak 3, strong 2
    assert beer.type_payoffs == {"weak": 2, "strong": 3}
    assert quiche.type_payoffs == {"weak": 3, "strong": 2}
    assert beer.intuitive_criterion is True
    assert quiche.intuitive_criterion is False


def test_spence_education_separating_and_pooling() -> None:
    # Discrete Spence (Gibbons 1992 §4.2.B), hand-derived with P(high)=1/3, wages
    # {1, 2}, costs college 1/2 (high) / 3/2 (low); the firm pays 2 iff μ(high) ≥ 1/2.
    # Separating (high→college, low→none): high 2−1/2 = 3/2 ≥ 1, low 1 ≥ 2−3/2.
    # Pooling on none: wage 1 (μ=1/3); high must not want college: w−1/2 ≤ 1, so the
    # firm pays 1 after college, i.e. μ(high | college) ≤ 1/2.  Pooling on college
    # fails (low prefers none), the reverse separation fails, no hybrid exists.
    # Intuitive criterion: in the pooling outcome the low type cannot gain from
    # college (≤ 1/2 < 1), so beliefs go to high, the firm pays 2, high gets 3/2 > 1.
    result = solve(spence_education())
    _verified(result)
    outcomes = _by_pooling_message(result.equilibria, "high", "low")
    assert set(outcomes) == {("college", "none"), ("none", "none")}
    sep, pool = outcomes[("college", "none")], outcomes[("none", "none")]
    assert sep.classification == "separating" and pool.classification == "pooling"
    assert sep.type_payoffs == {"high": F(3, 2), "low": F(1)}
    assert pool.type_payoffs == {"high": F(1), "low": F(1)}
    assert sep.behaviour["college"] == {"wage 1": 0, "wage 2": 1}
    b = pool.beliefs["college"]
    high, low = b.nodes
    assert b.supports({high: F(1, 2), low: F(1, 2)})
    assert b.supports({high: F(0), low: F(1)})
    assert not b.supports({high: F(51, 100), low: F(49, 100)})
    assert b.text == "μ(high | college) ≤ 1/2"
    assert sep.intuitive_criterion is True
    assert pool.intuitive_criterion is False
    # firm payoff in separation: 0 (pays productivity); in pooling −(1−2)²·1/3 = −1/3
    assert sep.payoffs == (F(7, 6), F(0))
    assert pool.payoffs == (F(1), F(-1, 3))


def test_kydd_reassurance() -> None:
    # Costly reassurance after Kydd (2005) ch. 7, hand-derived (P(trustworthy)=1/2;
    # A cooperates iff μ(trustworthy) ≥ 2/3; reassurance costs 3/2; cooperation is
    # worth 2 to a trustworthy B and 1 to an untrustworthy one).
    # Separating: trustworthy reassures (2 − 3/2 = 1/2 ≥ 0), untrustworthy does not
    # (0 ≥ 1 − 3/2).  Pooling on nothing: A defects (1/2 < 2/3); deterring the
    # trustworthy type needs P(cooperate | reassure)·2 ≤ 3/2, i.e. A defects after
    # reassurance: μ(trustworthy | reassure) ≤ 2/3 (mixing at μ = 2/3 is inside).
    result = solve(kydd_reassurance())
    _verified(result)
    outcomes = _by_pooling_message(result.equilibria, "trustworthy", "untrustworthy")
    assert set(outcomes) == {("reassure", "nothing"), ("nothing", "nothing")}
    sep, pool = outcomes[("reassure", "nothing")], outcomes[("nothing", "nothing")]
    assert sep.type_payoffs == {"trustworthy": F(1, 2), "untrustworthy": F(0)}
    assert pool.type_payoffs == {"trustworthy": F(0), "untrustworthy": F(0)}
    assert pool.beliefs["reassure"].text == "μ(trustworthy | reassure) ≤ 2/3"
    assert sep.intuitive_criterion is True
    assert pool.intuitive_criterion is False


@pytest.mark.parametrize(
    ("a", "b", "c", "d", "k"),
    [(1, 4, 5, 2, 1), (F(1, 2), 3, 7, 5, 2), (2, 1, 10, 9, F(7, 3))],
)
def test_inspection_game_closed_form(a: int, b: int, c: int, d: int, k: int) -> None:
    # Avenhaus, von Stengel & Zamir (2002) §2: unique equilibrium, inspection
    # probability p* = d/(b+d) (inspectee indifferent), violation q* = k/(c−a)
    # (inspector indifferent).  Simultaneous, so outside the own solver's class:
    # the pygambit fallback runs.
    a, b, c, d, k = (F(v) for v in (a, b, c, d, k))
    result = solve(inspection_game(a, b, c, d, k))
    assert result.method == "gambit-enummixed"
    assert len(result.equilibria) == 1
    eq = result.equilibria[0]
    assert independent_regret(result.game, eq) == 0
    assert eq.behaviour["inspector"]["inspect"] == d / (b + d)
    assert eq.behaviour["inspectee"]["violate"] == k / (c - a)
    assert eq.intuitive_criterion is None
    assert eq.classification == "n/a"


def test_more_than_two_players_rejected() -> None:
    from callbluff.game.tree import GameBuilder

    gb = GameBuilder("three", ("A", "B", "C"))
    root = gb.decision(None, 0, "a", ["x", "y"])
    gb.terminal(root, [1, 2, 3])
    gb.terminal(root, [0, 0, 0])
    with pytest.raises(ValueError, match="two-player"):
        solve(gb.build())


def test_unknown_method_rejected() -> None:
    with pytest.raises(ValueError, match="unknown method"):
        solve(beer_quiche(), method="magic")
    with pytest.raises(ValueError, match="one-informed-player"):
        solve(inspection_game(), method="pbe-enumeration")


def test_forced_gambit_on_beer_quiche_finds_subset_of_outcomes() -> None:
    # pygambit's Nash equilibria (strategic form) of Beer–Quiche, checked as weak PBE:
    # every one is one of our two outcomes (same payoffs).
    ours = {e.payoffs for e in solve(beer_quiche()).equilibria}
    theirs = solve(beer_quiche(), method="gambit")
    assert theirs.method == "gambit-enummixed"
    assert theirs.equilibria
    _verified(theirs)
    for eq in theirs.equilibria:
        assert eq.payoffs in ours


def test_json_contract() -> None:
    eq = solve(beer_quiche()).equilibria[0]
    js = eq.to_json()
    assert set(js) == {
        "payoffs",
        "payoffs_exact",
        "strategies",
        "beliefs",
        "classification",
        "intuitive_criterion",
        "d1",
        "refinements",
        "max_regret",
    }
    assert set(js["payoffs"]) == {"Sender", "Receiver"}
    assert all("/" in v or v.lstrip("-").isdigit() for v in js["payoffs_exact"].values())
    assert set(js["strategies"]) == {"weak", "strong", "beer", "quiche"}
    assert js["max_regret"] == float(eq.max_regret)
