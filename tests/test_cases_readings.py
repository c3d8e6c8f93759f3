"""Every reading of the case library, pinned: a change that flips one fails here.

For each case, per type, the answers it gives with positive probability (one tuple per
distinct reading over the equilibria) to the offer made and to the all-in
counterfactual, and the probability of the observed answer.  Two cases are derived by
hand below from the payoffs of ``docs/model.md`` (South Africa's and Libya's all-in
offers), with the working written out; the rest were pinned after a review of each
reading against the scenario's numbers (docs/cases.md gives the reasons per case).
"""

from __future__ import annotations

import functools
from fractions import Fraction as Fr

import pytest

from callbluff.analysis.cases import CaseReading, TypeReading, read_case
from callbluff.scenario.loader import load_scenario

ACCEPT = ("accept, comply",)
REJECT = ("reject",)

#: case -> (observed answer's probability in every selection, P(accept and the observed
#: compliance) or None, number of equilibria of the offer made, readings of the offer
#: made, readings of the all-in counterfactual).
PINNED: dict[str, tuple[Fr, Fr | None, int, dict[str, list[tuple[str, ...]]],
                        dict[str, list[tuple[str, ...]]]]] = {
    "agreed-framework-1994": (
        Fr(2, 5), Fr(1, 5), 3,
        {"security-only": [("accept, cheat",)],
         "prestige": [ACCEPT],
         "coercion": [("counter: us-forces-withdrawal",)],
         "proliferation-revenue": [("counter: us-forces-withdrawal",)],
         "mixed": [("counter: us-forces-withdrawal",)]},
        {"security-only": [ACCEPT],
         "prestige": [ACCEPT],
         "coercion": [("balk: freeze-monitoring-only",)],
         "proliferation-revenue": [("balk: freeze-monitoring-only",)],
         "mixed": [("balk: freeze-monitoring-only",)]},
    ),
    "hanoi-2019": (
        Fr(7, 10), None, 1,
        {"security-only": [("balk: yongbyon-proposal",)],
         "prestige": [REJECT],
         "coercion": [REJECT],
         "proliferation-revenue": [("balk: yongbyon-proposal",)],
         "mixed": [("balk: yongbyon-proposal",)]},
        {t: [("balk: yongbyon-only-inspections",)] for t in
         ("security-only", "prestige", "coercion", "proliferation-revenue", "mixed")},
    ),
    "iran-jcpoa-2015": (
        Fr(1, 3), Fr(1, 3), 1,
        {"security-only": [ACCEPT], "prestige": [REJECT], "coercion": [REJECT]},
        {"security-only": [ACCEPT], "prestige": [REJECT],
         "coercion": [("balk: no-military-sites",)]},
    ),
    "libya-2003": (
        Fr(1, 3), Fr(1, 3), 1,
        {"security-only": [ACCEPT],
         "prestige": [("counter: terror-list-removal",)],
         "coercion": [("counter: terror-list-removal",)]},
        {"security-only": [ACCEPT], "prestige": [ACCEPT], "coercion": [ACCEPT]},
    ),
    "south-africa-1991": (
        Fr(1, 4), Fr(1, 4), 1,
        {"security-only": [REJECT], "prestige": [REJECT], "coercion": [REJECT],
         "domestic-politics": [ACCEPT]},
        {"security-only": [ACCEPT], "prestige": [ACCEPT], "coercion": [REJECT],
         "domestic-politics": [ACCEPT]},
    ),
    "ukraine-1994": (
        Fr(2, 3), None, 1,
        {"security-only": [("counter: rada-conditions",)], "prestige": [REJECT],
         "revenue": [("counter: rada-conditions",)]},
        {"security-only": [ACCEPT], "prestige": [REJECT], "revenue": [ACCEPT]},
    ),
}


@functools.cache
def _case(case_id: str) -> CaseReading:
    return read_case(load_scenario(case_id))


def _supports(readings: tuple[TypeReading, ...]) -> list[tuple[str, ...]]:
    return [r.support for r in readings]


@pytest.mark.parametrize("case_id", sorted(PINNED))
def test_readings_are_pinned(case_id: str) -> None:
    answer, with_compliance, equilibria, offer, all_in = PINNED[case_id]
    c = _case(case_id)
    assert len(c.offer.equilibria) == equilibria
    assert {t: _supports(r) for t, r in c.readings.items()} == offer
    assert c.counterfactual is not None and c.counterfactual.offer_id == "all-in"
    assert c.counterfactual_readings is not None
    assert {t: _supports(r) for t, r in c.counterfactual_readings.items()} == all_in
    x = c.answer_likelihood
    assert (x.proposer_worst, x.proposer_best, x.average) == (answer, answer, answer)
    if with_compliance is None:
        assert c.with_compliance is None
    else:
        assert c.with_compliance is not None
        w = c.with_compliance
        assert (w.proposer_worst, w.proposer_best, w.average) == (with_compliance,) * 3


def test_pinned_likelihoods_are_the_priors_of_the_types_that_answer_so() -> None:
    """The pinned probabilities follow from the pinned readings and the priors (every
    reading above is pure): a second route to each number."""
    for case_id, (answer, _, _, offer, _) in PINNED.items():
        scenario = load_scenario(case_id)
        assert scenario.history is not None
        observed = scenario.history.observed_answer
        named = scenario.history.counter_demand
        total = Fr(0)
        for t in scenario.types:
            (support,) = offer[t.id]
            if any(a.endswith(": " + named) if named is not None  # that demand only
                   else a.startswith(observed) for a in support):
                total += t.prior
        assert total == answer, case_id


# -- two cases by hand ---------------------------------------------------------------
#
# Notation of docs/model.md: A arsenal value, B package value, B_irr its irreversible
# part, s·ι inspection cost, ρ renege risk, L renege loss, κ covert fraction, F penalty,
# d detection, q status quo (less pressure), f_T the fallback's target payoff, δ
# discount, g arsenal growth, π breakdown risk, c_F audience cost of granting a final
# offer.  comply = (1−ρ)(B − sι) + ρ(B_irr − sι − L);
# cheat = (1−d)(B − sι + κA) + d(B_irr − sι − F + κA + q + f_T); no deal = A + q + f_T.


def test_south_africa_all_in_by_hand() -> None:
    """All in for South Africa: sanctions relief (economy 30, reversible), nuclear
    cooperation (prestige 5, economy 5, reversible), an assurance (security 10,
    irreversible), under the completeness investigation (d = 4/5, ι = 8); κ = 1/6,
    F = 10, ρ = 1/10, one fallback (isolation, f_T = 0), no pressure, q = −5 (−25 for
    the domestic-politics type).  Take it or leave it: no counter-demand, and with one
    fallback the proposer has no choice to make, so each type simply compares its three
    values, in every equilibrium.

    security-only (A = 15, weights security 1, economy 1/2, s = 1/2, L = 15):
      B = 35/2 + 10 = 55/2, B_irr = 10, sι = 4
      comply = 9/10·(55/2 − 4) + 1/10·(10 − 4 − 15) = 423/20 − 9/10 = 81/4  (20.25)
      cheat  = 1/5·(47/2 + 5/2) + 4/5·(10 − 4 − 10 + 5/2 − 5) = 26/5 − 26/5 = 0
      no deal = 15 − 5 = 10                              → accept, comply
    prestige (A = 15/2 + 5 = 25/2, security 1/2, prestige 1, economy 1/2, s = 1, L = 15/2):
      B = 35/2 + 5 + 5 = 55/2, B_irr = 5, sι = 8
      comply = 9/10·39/2 + 1/10·(5 − 8 − 15/2) = 351/20 − 21/20 = 33/2  (16.5)
      no deal = 25/2 − 5 = 15/2                           → accept, comply
      (cheat = 1/5·(39/2 + 25/12) + 4/5·(5 − 8 − 10 + 25/12 − 5) = −101/12 < comply)
    coercion (A = 15/2 + 20 = 55/2, security 1/2, coercion 1, economy 1/2, s = 3/2):
      B = 35/2 + 5 = 45/2, B_irr = 5, sι = 12
      comply = 9/10·21/2 + 1/10·(5 − 12 − 15/2) = 189/20 − 29/20 = 8
      no deal = 55/2 − 5 = 45/2                           → reject
      (cheat = 1/5·(21/2 + 55/12) + 4/5·(5 − 12 − 10 + 55/12 − 5) = −131/12)
    domestic-politics (A = 15/2, security 1/2, economy 1/2, s = 1/2, q = −25):
      B = 45/2, B_irr = 5, sι = 4
      comply = 9/10·37/2 + 1/10·(5 − 4 − 15/2) = 333/20 − 13/20 = 16
      no deal = 15/2 − 25 = −35/2                         → accept, comply
      (cheat = 1/5·(37/2 + 5/4) + 4/5·(5 − 4 − 10 + 5/4 − 25) = −89/4)
    """
    s = load_scenario("south-africa-1991")
    # The inputs the working uses are the file's.
    assert s.cheating.covert_fraction == Fr(1, 6) and s.cheating.penalty == 10
    assert s.bargaining.renege_risk == Fr(1, 10) and [f.id for f in s.fallbacks] == ["isolation"]
    assert s.regime("npt-completeness").detection == Fr(4, 5)
    assert {t.id: t.status_quo for t in s.types} == {
        "security-only": -5, "prestige": -5, "coercion": -5, "domestic-politics": -25}
    assert s.offer("all-in").counter_demands == []

    def comply(b: Fr, b_irr: Fr, si: Fr, loss: Fr) -> Fr:
        return Fr(9, 10) * (b - si) + Fr(1, 10) * (b_irr - si - loss)

    assert comply(Fr(55, 2), Fr(10), Fr(4), Fr(15)) == Fr(81, 4) > 10
    assert comply(Fr(55, 2), Fr(5), Fr(8), Fr(15, 2)) == Fr(33, 2) > Fr(15, 2)
    assert comply(Fr(45, 2), Fr(5), Fr(12), Fr(15, 2)) == 8 < Fr(45, 2)
    assert comply(Fr(45, 2), Fr(5), Fr(4), Fr(15, 2)) == 16 > Fr(-35, 2)
    by_hand = {"security-only": [ACCEPT], "prestige": [ACCEPT], "coercion": [REJECT],
               "domestic-politics": [ACCEPT]}
    assert PINNED["south-africa-1991"][4] == by_hand
    readings = _case("south-africa-1991").counterfactual_readings
    assert readings is not None
    assert {t: _supports(r) for t, r in readings.items()} == by_hand


def test_libya_all_in_by_hand() -> None:
    """All in for Libya: sanctions relief (economy 30), normalisation (security 5,
    prestige 10, economy 5), both reversible, and an assurance (security 20,
    irreversible), cost 12 in all (5 irreversible); removal regime d = 9/10, ι = 8,
    k = 2; κ = 1/10, F = 10, ρ = 1/5, q = −10; fallbacks containment (f_T = −3 for
    every type) and military pressure (−30, −20, −20).  Declared final (c_F = 5); the
    one counter-demand, removal from the terrorism list (prestige 5, economy 5,
    reversible, cost 5), costs π = 1/10 and a round (δ = 9/10, g = 1/10).

    Accepting now (and complying):
      security-only: B = 35/2 + 25 = 85/2, B_irr = 20, sι = 4, L = 10
        comply = 4/5·77/2 + 1/5·(20 − 4 − 10) = 154/5 + 6/5 = 32
      prestige:      B = 35/2 + 25/2 + 10 = 40, B_irr = 10, sι = 8, L = 5
        comply = 4/5·32 + 1/5·(10 − 8 − 5) = 128/5 − 3/5 = 25
      coercion:      B = 35/2 + 25/2 = 30, B_irr = 10, sι = 12, L = 5
        comply = 4/5·18 + 1/5·(10 − 12 − 5) = 72/5 − 7/5 = 13
    Cheating is far worse (detection 9/10; for prestige 1/10·(32 + 3/2) +
    9/10·(10 − 8 − 10 + 3/2 − 10 − 3) < 0), and no deal now is worth at most
    A − 10 − 3 ≤ 15 − 13 = 2.

    After standing firm every type accepts: δ·comply (28.8, 22.5, 11.7) beats rejecting,
    δ·(A(1+g) − 10 + f_T) ≤ 9/10·(33/2 − 13) = 63/20.  So the proposer compares, for
    any belief, granting (one round later, cost 17, c_F paid) with standing firm:
      grant: 9/10·(4/5·(100 − 17 − 2) + 1/5·(100 − 5 − 2)) − 9/10·5 = 1764/25  (70.56)
      firm:  9/10·(4/5·(100 − 12 − 2) + 1/5·(100 − 5 − 2)) = 3933/50          (78.66)
    It never grants; after a counter-demand a type gets at most δ·comply (firm) or a
    no-deal value ≤ 63/20, both below accepting now.  So in every equilibrium all three
    types accept and comply.
    """
    s = load_scenario("libya-2003")
    assert s.offer("all-in").final and s.offer("all-in").counter_demands == ["terror-list-removal"]
    assert s.bargaining.renege_risk == Fr(1, 5) and s.bargaining.finality_cost == 5
    assert s.bargaining.breakdown_risk == Fr(1, 10) and s.time.discount == Fr(9, 10)
    assert s.regime("removal-and-additional-protocol").detection == Fr(9, 10)
    assert {f.id: f.target["prestige"] for f in s.fallbacks} == {
        "containment": -3, "military-pressure": -20}

    def comply(b: Fr, b_irr: Fr, si: Fr, loss: Fr) -> Fr:
        return Fr(4, 5) * (b - si) + Fr(1, 5) * (b_irr - si - loss)

    now = {"security-only": comply(Fr(85, 2), Fr(20), Fr(4), Fr(10)),
           "prestige": comply(Fr(40), Fr(10), Fr(8), Fr(5)),
           "coercion": comply(Fr(30), Fr(10), Fr(12), Fr(5))}
    assert now == {"security-only": 32, "prestige": 25, "coercion": 13}
    delta = Fr(9, 10)
    best_no_deal_later = delta * (Fr(33, 2) - 13)
    grant = delta * (Fr(4, 5) * (100 - 17 - 2) + Fr(1, 5) * (100 - 5 - 2)) - delta * 5
    firm = delta * (Fr(4, 5) * (100 - 12 - 2) + Fr(1, 5) * (100 - 5 - 2))
    assert grant == Fr(1764, 25) < firm == Fr(3933, 50)
    for value in now.values():
        assert delta * value > best_no_deal_later  # accepts after standing firm
        assert max(delta * value, best_no_deal_later) < value  # so never asks
        assert value > 2  # nor rejects
    by_hand = {t: [ACCEPT] for t in now}
    assert PINNED["libya-2003"][4] == by_hand
    readings = _case("libya-2003").counterfactual_readings
    assert readings is not None
    assert {t: _supports(r) for t, r in readings.items()} == by_hand
