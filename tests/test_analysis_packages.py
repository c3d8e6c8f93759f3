"""Payoff formulas (docs/model.md) and the cheapest separating package.

Truth used here: hand computations from the table of docs/model.md on a tiny
scenario written below; a hand-derived two-type package problem; and, on random
small scenarios (Hypothesis), exhaustive exact enumeration
(`brute_force_cheapest_package`) against the MILP.
"""

from __future__ import annotations

from fractions import Fraction as Fr
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callbluff.analysis.packages import (
    ACCEPT_CHEAT,
    ACCEPT_COMPLY,
    REJECT,
    brute_force_cheapest_package,
    cheapest_separating_package,
    default_fallback,
    separation_failures,
    type_choices,
)
from callbluff.game.payoffs import (
    OutcomePayoffs,
    arsenal_value,
    best_fallback,
    outcome_payoffs,
    package_cost,
    package_value,
    status_quo,
)
from callbluff.scenario.schema import Scenario


def scenario(**parts: Any) -> Scenario:
    base: dict[str, Any] = {
        "id": "tiny",
        "title": "tiny test scenario",
        "proposer": {"name": "P"},
        "target": {"name": "T"},
        "offers": [{"id": "o", "concessions": [], "regime": parts["regimes"][0]["id"]}],
        "denuclearisation_value": 20,
        "time": {"rounds": 0, "discount": 1, "arsenal_growth": 0, "harm_growth": 0},
    }
    base.update(parts)
    return Scenario.model_validate(base)


def tiny() -> Scenario:
    return scenario(
        motives=[{"id": "security"}, {"id": "prestige"}],
        types=[
            {"id": "sec", "prior": "1/2", "security_only": True,
             "weights": {"security": 1}, "inspection_sensitivity": 1,
             "status_quo": -2, "arsenal_harm": 3},
            {"id": "pre", "prior": "1/2", "weights": {"security": "1/2", "prestige": 2},
             "status_quo": -1, "arsenal_harm": 10},
        ],
        arsenal={"values": {"security": 4, "prestige": 3}},
        concessions=[
            {"id": "treaty", "cost": 2, "values": {"security": 3}},
            {"id": "aid", "cost": 1, "values": {"security": 1, "prestige": 1},
             "reversible": True},
        ],
        counter_demands=[{"id": "lwr", "cost": 5, "values": {"prestige": 2}}],
        regimes=[
            {"id": "strict", "detection": "3/4", "intrusiveness": 2, "cost": 1},
            {"id": "weak", "detection": "1/4", "intrusiveness": "1/2"},
        ],
        cheating={"covert_fraction": "1/2", "penalty": 4},
        fallbacks=[
            {"id": "contain", "proposer": {"sec": -1, "pre": -2},
             "target": {"sec": 0, "pre": 0}},
            {"id": "coerce", "proposer": {"sec": -3, "pre": 1},
             "target": {"sec": -1, "pre": -2}},
        ],
        stakeholders=[{"id": "china", "pressure": "1/2"}, {"id": "korea", "pressure": 1}],
    )


# -- payoffs: hand computations from docs/model.md ---------------------------------

def test_derived_quantities_by_hand() -> None:
    s = tiny()
    # A = w·a: sec 1·4 = 4; pre 1/2·4 + 2·3 = 8
    assert arsenal_value(s, "sec") == 4
    assert arsenal_value(s, "pre") == 8
    # q = status_quo − Σ pressure = −2 − 3/2, −1 − 3/2
    assert status_quo(s, "sec") == Fr(-7, 2)
    assert status_quo(s, "pre") == Fr(-5, 2)
    both = ["treaty", "aid"]
    assert package_value(s, "sec", both) == 4
    assert package_value(s, "sec", both, irreversible_only=True) == 3
    assert package_value(s, "pre", both) == 4  # 3/2 + (1/2 + 2)
    assert package_value(s, "pre", both, irreversible_only=True) == Fr(3, 2)
    assert package_cost(s, both) == 3
    assert package_cost(s, both, irreversible_only=True) == 2
    assert package_cost(s, []) == 0


def test_outcome_payoffs_by_hand_security_type() -> None:
    s = tiny()
    got = outcome_payoffs(s, "sec", ["treaty", "aid"], "strict", "coerce")
    # B=4, B^irr=3, C=3, C^irr=2, sι=2, κ=1/2, A=4, F=4, q=−7/2, D=20, k=1, H=3
    assert got == OutcomePayoffs(
        comply=(Fr(2), Fr(16)),                           # 4−2 ; 20−3−1
        comply_reneged=(Fr(1), Fr(17)),                   # 3−2−0 (L=0) ; 20−2−1
        cheat_undetected=(Fr(4), Fr(9, 2)),               # 2+2 ; 10−3−1−3/2
        cheat_detected=(Fr(-11, 2), Fr(-15, 2)),          # 3−2−4+2−7/2−1 ; −2−1−3/2−3
        no_deal=(Fr(-1, 2), Fr(-6)),                      # 4−7/2−1 ; −3−3
    )
    # (1−d)·undetected + d·detected with d = 3/4
    assert got.cheat_expected(Fr(3, 4)) == (Fr(1, 4) * 4 + Fr(3, 4) * Fr(-11, 2),
                                            Fr(1, 4) * Fr(9, 2) + Fr(3, 4) * Fr(-15, 2))


def test_outcome_payoffs_by_hand_with_granted_counter_demand() -> None:
    s = tiny()
    got = outcome_payoffs(s, "pre", ["treaty", "aid", "lwr"], "weak", "contain")
    # B = 4 + 2·2 = 8, B^irr = 3/2 + 4 = 11/2, C = 8, C^irr = 7, sι = 0, A = 8, H = 10
    assert got.comply == (Fr(8), Fr(12))
    assert got.cheat_undetected == (Fr(12), Fr(-3))       # 8+4 ; 10−8−0−5
    assert got.cheat_detected == (Fr(3), Fr(-14))         # 11/2−4+4−5/2 ; −7−5−2
    assert got.no_deal == (Fr(11, 2), Fr(-12))            # 8−5/2 ; −10−2
    assert got.cheat_expected(Fr(1, 4))[0] == Fr(39, 4)


def test_lookups_fail_loudly() -> None:
    s = tiny()
    with pytest.raises(KeyError, match="no type"):
        arsenal_value(s, "nobody")
    with pytest.raises(KeyError, match="nothing"):
        package_value(s, "sec", ["nothing"])
    with pytest.raises(ValueError, match="twice"):
        package_cost(s, ["aid", "aid"])
    with pytest.raises(KeyError, match="no fallback"):
        outcome_payoffs(s, "sec", [], "weak", "bomb")


def test_best_fallback_and_default() -> None:
    s = tiny()
    # contain: 1/2(−1) + 1/2(−2) = −3/2 ; coerce: 1/2(−3) + 1/2(1) = −1
    assert best_fallback(s, {"sec": Fr(1, 2), "pre": Fr(1, 2)}) == "coerce"
    assert best_fallback(s, {"sec": Fr(1)}) == "contain"
    # sec 3/4, pre 1/4: contain −3/4 − 1/2 = −5/4 ; coerce −9/4 + 1/4 = −2 → contain
    assert best_fallback(s, {"sec": Fr(3, 4), "pre": Fr(1, 4)}) == "contain"
    # a tie (weights need not sum to 1): contain −3 − 4 = −7 = coerce −9 + 2 → first listed
    assert best_fallback(s, {"sec": Fr(3), "pre": Fr(2)}) == "contain"
    # default: against the ulterior types only (pre): contain −2, coerce 1
    assert default_fallback(s) == "coerce"


# -- a hand-derived two-type package problem ----------------------------------------

def two_types(trade_revenue: int) -> Scenario:
    """sec (security-only, A=4) and rev (ulterior, A=8); κ=1/2, F=4, q=0, f=0.

    weak (d=0): comply − cheat = −κA_sec = −2 < 0 for sec → nothing separates.
    strict (d=1/2, k=2): sec needs B_sec(S) ≥ 4 (comply ≥ reject; comply − cheat =
    B_rev/2 ≥ 0 always); rev does not cheat iff B_rev,rev(S) ≥ 4
    (cheat − comply = 4 − B_rev/2 − 2) or B(S) − B_rev(S)/2 ≤ 6 (cheat − reject).
    Packages with B_sec ≥ 4, by cost: {relations, aid} (3): rev B = 8, B_rev = 0 →
    cheats; {aid, relations, trade} (4): B_rev,rev = trade_revenue; {treaty} (5): rev
    gets 0 → does not cheat.
    """
    return scenario(
        motives=[{"id": "security"}, {"id": "revenue"}],
        types=[
            {"id": "sec", "prior": "1/2", "security_only": True, "weights": {"security": 1}},
            {"id": "rev", "prior": "1/2", "weights": {"revenue": 1}},
        ],
        arsenal={"values": {"security": 4, "revenue": 8}},
        concessions=[
            {"id": "treaty", "cost": 5, "values": {"security": 4}},
            {"id": "relations", "cost": 2, "values": {"security": 2, "revenue": 3}},
            {"id": "aid", "cost": 1, "values": {"security": 2, "revenue": 5}},
            {"id": "trade", "cost": 1, "values": {"revenue": trade_revenue},
             "reversible": True},
        ],
        regimes=[
            {"id": "weak", "detection": 0, "intrusiveness": 0},
            {"id": "strict", "detection": "1/2", "intrusiveness": 1, "cost": 2},
        ],
        cheating={"covert_fraction": "1/2", "penalty": 4},
        fallbacks=[{"id": "contain", "proposer": {"sec": 0, "rev": 0},
                    "target": {"sec": 0, "rev": 0}}],
    )


@pytest.mark.parametrize("solve", [cheapest_separating_package, brute_force_cheapest_package])
def test_two_types_indifference_counts_as_not_cheating(solve: Any) -> None:
    # trade revenue 4: rev is exactly indifferent (cheat = comply = 12) and sec exactly
    # indifferent between comply and reject (4 = 4): weak inequalities → separates.
    got = solve(two_types(4))
    assert got is not None
    assert set(got.concessions) == {"relations", "aid", "trade"}
    assert got.regime == "strict"
    assert got.cost == 6
    assert got.optimal
    choices = {c.type_id: c for c in got.type_choices}
    assert (choices["rev"].comply, choices["rev"].cheat, choices["rev"].reject) == (12, 12, 8)
    assert choices["rev"].choice == ACCEPT_COMPLY
    assert (choices["sec"].comply, choices["sec"].reject) == (4, 4)
    assert choices["sec"].choice == ACCEPT_COMPLY


@pytest.mark.parametrize("solve", [cheapest_separating_package, brute_force_cheapest_package])
def test_two_types_strict_inequality_needs_the_treaty(solve: Any) -> None:
    got = solve(two_types(3))
    assert got is not None
    assert got.concessions == ("treaty",)
    assert got.regime == "strict"
    assert got.cost == 7
    choices = {c.type_id: c.choice for c in got.type_choices}
    assert choices == {"sec": ACCEPT_COMPLY, "rev": REJECT}
    # the cheaper package fails because rev accepts and cheats
    cheaper = type_choices(two_types(3), ["relations", "aid", "trade"], "strict")
    assert {c.type_id: c.choice for c in cheaper}["rev"] == ACCEPT_CHEAT
    assert separation_failures(two_types(3), ["relations", "aid", "trade"], "strict")


def test_nothing_separates_returns_none() -> None:
    s = two_types(4)
    only_weak = s.model_copy(update={"regimes": [s.regimes[0]]})
    assert cheapest_separating_package(only_weak) is None
    assert brute_force_cheapest_package(only_weak) is None


def test_unknown_fallback_parameter() -> None:
    with pytest.raises(KeyError, match="no fallback"):
        cheapest_separating_package(two_types(4), fallback_reject="nuke")


# -- random small scenarios: MILP == brute force, exactly ---------------------------

small = st.integers(min_value=0, max_value=6)
signed = st.integers(min_value=-6, max_value=6)
halves = st.builds(lambda n: Fr(n, 2), st.integers(min_value=0, max_value=12))


@st.composite
def random_scenarios(draw: st.DrawFn) -> Scenario:
    n_motives = draw(st.integers(1, 3))
    motives = [f"m{i}" for i in range(n_motives)]
    n_types = draw(st.integers(1, 4))
    weights = draw(st.lists(st.integers(1, 5), min_size=n_types, max_size=n_types))
    types = [{
        "id": f"t{i}",
        "prior": Fr(weights[i], sum(weights)),
        "security_only": draw(st.booleans()),
        "weights": {m: draw(small) for m in motives},
        "inspection_sensitivity": draw(small),
        "status_quo": draw(signed),
        "arsenal_harm": draw(small),
        "renege_loss": draw(small),
    } for i in range(n_types)]
    n_conc = draw(st.integers(0, 10))
    concessions = [{
        "id": f"c{j}",
        "cost": draw(st.builds(lambda n: Fr(n, 2), st.integers(-2, 12))),
        "values": {m: draw(small) for m in motives},
        "reversible": draw(st.booleans()),
    } for j in range(n_conc)]
    n_reg = draw(st.integers(1, 3))
    regimes = [{
        "id": f"r{v}",
        "detection": Fr(draw(st.integers(0, 4)), 4),
        "intrusiveness": draw(halves),
        "cost": draw(small),
    } for v in range(n_reg)]
    n_fb = draw(st.integers(1, 2))
    fallbacks = [{
        "id": f"f{k}",
        "proposer": {t["id"]: draw(signed) for t in types},
        "target": {t["id"]: draw(signed) for t in types},
    } for k in range(n_fb)]
    return scenario(
        motives=[{"id": m} for m in motives],
        types=types,
        arsenal={"values": {m: draw(small) for m in motives}},
        concessions=concessions,
        regimes=regimes,
        cheating={"covert_fraction": Fr(draw(st.integers(0, 4)), 4), "penalty": draw(small)},
        fallbacks=fallbacks,
        stakeholders=[{"id": "s", "pressure": draw(halves)}],
        bargaining={"renege_risk": Fr(draw(st.integers(0, 4)), 8)},
    )


@settings(max_examples=60, deadline=None, derandomize=True)
@given(random_scenarios())
def test_milp_cost_equals_brute_force_exactly(s: Scenario) -> None:
    milp = cheapest_separating_package(s)
    brute = brute_force_cheapest_package(s)
    if brute is None:
        assert milp is None
        return
    assert milp is not None
    assert milp.optimal
    assert milp.cost == brute.cost
    # the MILP's package satisfies every constraint exactly, recomputed from the table
    f = default_fallback(s)
    d = s.regime(milp.regime).detection
    for t in s.types:
        o = outcome_payoffs(s, t.id, milp.concessions, milp.regime, f)
        # with renege risk ρ, complying is worth (1−ρ)·comply + ρ·comply_reneged
        rho = s.bargaining.renege_risk
        comply = (1 - rho) * o.comply[0] + rho * o.comply_reneged[0]
        cheat, reject = o.cheat_expected(d)[0], o.no_deal[0]
        if t.security_only:
            assert comply >= cheat and comply >= reject
        else:
            assert cheat <= comply or cheat <= reject
    assert milp.cost == package_cost(s, milp.concessions) + s.regime(milp.regime).cost


def test_near_ties_below_solver_tolerance_are_decided_exactly() -> None:
    # sec's inspection sensitivity 10^-9 (ι = 1 under strict): every package with
    # B_sec = 4 now fails comply ≥ reject by 10^-9, below HiGHS's feasibility
    # tolerance, so the exact check must cut them off.  Next cheapest: {treaty, aid}
    # (B_sec = 6; rev gets B = 5, B_rev = 0: cheat − reject = 5 − 6 < 0), cost 6 + 2.
    base = two_types(4)
    sec = base.types[0].model_copy(update={"inspection_sensitivity": Fr(1, 10**9)})
    s = base.model_copy(update={"types": [sec, base.types[1]]})
    milp = cheapest_separating_package(s)
    brute = brute_force_cheapest_package(s)
    assert milp is not None and brute is not None
    assert milp.cost == brute.cost == 8
    assert set(milp.concessions) == {"treaty", "aid"}
    assert milp.optimal
    assert not separation_failures(s, milp.concessions, milp.regime)
