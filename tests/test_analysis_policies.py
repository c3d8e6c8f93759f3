"""Time and stalling: grown scenarios and the policy comparison.

Truth: hand-derived closed forms — geometric sums for a constant round value
(Σ_{r<t} δ^r c = c(1−δ^t)/(1−δ), or t·c when δ = 1), exact growth factors
(1+g)^t, composition grow(grow(s, a), b) = grow(s, a+b), and a recursion
(value of "talk t rounds" = one round of talks + δ · value of "talk t−1 rounds"
from the next round on) computed independently of the closed form in the code.
"""

from __future__ import annotations

from fractions import Fraction as Fr
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callbluff.analysis.policies import (
    ALL_IN_NOW,
    TALKS_FOREVER,
    TALKS_THEN_ALL_IN,
    RoundValue,
    compare_policies,
    grow,
)
from callbluff.scenario.schema import Scenario


def make(rounds: int = 3, discount: Any = "9/10", arsenal_growth: Any = "1/10",
         harm_growth: Any = "1/5", talks_proposer: Any = "1/2",
         talks_target: Any = 1) -> Scenario:
    return Scenario.model_validate({
        "id": "timed",
        "title": "timed test scenario",
        "proposer": {"name": "P"},
        "target": {"name": "T"},
        "motives": [{"id": "security"}, {"id": "prestige"}],
        "types": [
            {"id": "sec", "prior": "1/4", "security_only": True,
             "weights": {"security": 1}, "status_quo": -2, "arsenal_harm": 4},
            {"id": "pre", "prior": "3/4", "weights": {"security": "1/2", "prestige": 2},
             "status_quo": -1, "arsenal_harm": 10},
        ],
        "arsenal": {"values": {"security": 4, "prestige": 3}},
        "concessions": [{"id": "treaty", "cost": 2, "values": {"security": 3}}],
        "regimes": [{"id": "strict", "detection": "3/4", "intrusiveness": 2}],
        "offers": [{"id": "o", "concessions": ["treaty"], "regime": "strict"}],
        "cheating": {"covert_fraction": "1/2", "penalty": 4},
        "denuclearisation_value": 20,
        "fallbacks": [
            {"id": "contain", "proposer": {"sec": -1, "pre": -2},
             "target": {"sec": 0, "pre": 1}},
            {"id": "coerce", "proposer": {"sec": -3, "pre": 1},
             "target": {"sec": -1, "pre": -2}},
        ],
        "stakeholders": [{"id": "china", "pressure": "1/2"}],
        "time": {"rounds": rounds, "discount": discount, "arsenal_growth": arsenal_growth,
                 "harm_growth": harm_growth, "talks_proposer": talks_proposer,
                 "talks_target": talks_target},
    })


# -- grow --------------------------------------------------------------------------

def test_grow_by_hand() -> None:
    s = make()
    g = grow(s, 2)
    # (11/10)^2 = 121/100 on the arsenal values; (6/5)^2 = 36/25 on the harms
    assert g.arsenal.values == {"security": Fr(484, 100), "prestige": Fr(363, 100)}
    assert [t.arsenal_harm for t in g.types] == [Fr(144, 25), Fr(360, 25)]
    # everything else unchanged
    assert g.model_copy(update={"arsenal": s.arsenal, "types": s.types}) == s
    assert [t.status_quo for t in g.types] == [t.status_quo for t in s.types]
    assert grow(s, 0) == s


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(0, 12), st.integers(0, 12),
       st.fractions(min_value=0, max_value=1, max_denominator=20),
       st.fractions(min_value=0, max_value=1, max_denominator=20))
def test_grow_composes(a: int, b: int, g: Fr, h: Fr) -> None:
    s = make(arsenal_growth=g, harm_growth=h)
    assert grow(grow(s, a), b) == grow(s, a + b)


def test_grow_validates() -> None:
    with pytest.raises(ValueError, match="rounds"):
        grow(make(), -1)
    with pytest.raises(ValueError, match="10\\^12"):
        grow(make(arsenal_growth=1), 60)  # 4 · 2^60 > 10^12


# -- compare_policies ---------------------------------------------------------------

def constant(value: Fr, target: Fr, separates: bool = True) -> RoundValue:
    return RoundValue(proposer=value, target={"sec": target, "pre": target},
                      separates=separates)


def geometric(c: Fr, delta: Fr, t: int) -> Fr:
    return c * t if delta == 1 else c * (1 - delta**t) / (1 - delta)


@pytest.mark.parametrize("delta", [Fr(9, 10), Fr(1), Fr(0), Fr(1, 3)])
def test_constant_round_value_gives_geometric_sums(delta: Fr) -> None:
    s = make(rounds=4, discount=delta)
    v, w = Fr(7), Fr(-3)
    got = compare_policies(s, lambda t: constant(v, w))
    assert [p.policy for p in got.policies] == (
        [ALL_IN_NOW] + [TALKS_THEN_ALL_IN] * 4 + [TALKS_FOREVER])
    for t, p in enumerate(got.policies[:5]):
        assert p.rounds_of_talks == t
        assert p.proposer == geometric(Fr(1, 2), delta, t) + delta**t * v
        assert p.target == {"sec": geometric(Fr(1), delta, t) + delta**t * w,
                            "pre": geometric(Fr(1), delta, t) + delta**t * w}
    assert got.window == 4
    assert got.separating_rounds == (0, 1, 2, 3, 4)
    later = [geometric(Fr(1, 2), delta, t) + delta**t * v for t in range(1, 5)]
    assert got.value_of_acting_now == v - max(later)


def test_acting_now_without_talk_flows() -> None:
    # talks worth 0, δ = 9/10, V > 0: best later is V·δ, so acting now gains V(1 − δ)
    s = make(rounds=3, talks_proposer=0)
    got = compare_policies(s, lambda t: constant(Fr(10), Fr(0)))
    assert got.value_of_acting_now == 1
    assert got.best.policy == ALL_IN_NOW
    # V < 0: delay shrinks the loss; best later is δ^3 V
    got = compare_policies(s, lambda t: constant(Fr(-10), Fr(0)))
    assert got.value_of_acting_now == -10 + Fr(729, 100)


def test_talks_forever_by_hand() -> None:
    s = make(rounds=2)
    got = compare_policies(s, lambda t: constant(Fr(-100), Fr(0)))
    forever = got.policies[-1]
    assert forever.policy == TALKS_FOREVER and forever.separates is None
    # harms after 2 rounds: sec 4·36/25 = 144/25, pre 10·36/25 = 72/5
    # contain: 1/4(−144/25 − 1) + 3/4(−72/5 − 2) ; coerce: 1/4(−144/25 − 3) + 3/4(−72/5 + 1)
    contain = Fr(1, 4) * (Fr(-144, 25) - 1) + Fr(3, 4) * (Fr(-72, 5) - 2)
    coerce = Fr(1, 4) * (Fr(-144, 25) - 3) + Fr(3, 4) * (Fr(-72, 5) + 1)
    assert coerce > contain
    assert got.status_quo_fallback == "coerce"
    delta = Fr(9, 10)
    assert forever.proposer == Fr(1, 2) * (1 + delta) + delta**2 * coerce
    # targets: A(2) + q + f_T(coerce); A_sec = 4·121/100, A_pre = 1/2·484/100 + 2·363/100
    a_sec, a_pre = Fr(484, 100), Fr(242, 100) + Fr(726, 100)
    assert forever.target == {
        "sec": (1 + delta) + delta**2 * (a_sec - 2 - Fr(1, 2) - 1),
        "pre": (1 + delta) + delta**2 * (a_pre - 1 - Fr(1, 2) - 2),
    }
    assert got.value_of_now_over_talks_forever == -100 - forever.proposer
    assert got.best.policy == TALKS_FOREVER


def test_window_is_last_separating_round_and_ties_go_to_acting_sooner() -> None:
    s = make(rounds=5, discount=1, talks_proposer=0)
    pattern = {0: True, 1: True, 2: False, 3: True, 4: False, 5: False}
    got = compare_policies(s, lambda t: constant(Fr(3), Fr(0), pattern[t]))
    assert got.window == 3
    assert got.separating_rounds == (0, 1, 3)
    # δ = 1, no talk flow: every bargain is worth 3 → tie → all in now
    assert got.best.policy == ALL_IN_NOW
    assert got.value_of_acting_now == 0
    never = compare_policies(s, lambda t: constant(Fr(3), Fr(0), False))
    assert never.window is None


def test_zero_rounds() -> None:
    got = compare_policies(make(rounds=0), lambda t: constant(Fr(1), Fr(0)))
    assert [p.policy for p in got.policies] == [ALL_IN_NOW, TALKS_FOREVER]
    assert got.value_of_acting_now is None


def test_each_round_evaluated_once_and_missing_types_rejected() -> None:
    calls: list[int] = []

    def value(t: int) -> RoundValue:
        calls.append(t)
        return constant(Fr(t), Fr(0))

    compare_policies(make(rounds=3), value)
    assert calls == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="pre"):
        compare_policies(make(), lambda t: RoundValue(Fr(0), {"sec": Fr(0)}, True))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.integers(-20, 20), min_size=1, max_size=7),
       st.fractions(min_value=0, max_value=1, max_denominator=10),
       st.integers(-3, 3))
def test_recursion_agrees(values: list[int], delta: Fr, talk: int) -> None:
    rounds = len(values) - 1
    s = make(rounds=rounds, discount=delta, talks_proposer=talk)
    got = compare_policies(s, lambda t: constant(Fr(values[t]), Fr(0)))

    def talk_then(t: int, start: int) -> Fr:
        """Value at round `start` of talking t rounds, then the bargain."""
        if t == 0:
            return Fr(values[start])
        return talk + delta * talk_then(t - 1, start + 1)

    for t in range(rounds + 1):
        assert got.policies[t].proposer == talk_then(t, 0)
    # the best policy is the first of the largest value (ties → acting sooner)
    assert got.best == max(got.policies, key=lambda p: p.proposer)
