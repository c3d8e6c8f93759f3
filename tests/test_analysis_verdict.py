"""The verdict against answers derived by hand (docs/model.md payoffs).

The two-type instance below has one fallback and no counter-demands, so the
proposer has no real choice and each type's answer follows from comparing its
payoffs; everything asserted is computed by hand in the comments.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from callbluff.analysis.thresholds import with_number
from callbluff.analysis.verdict import (
    analyze,
    analyze_offer,
    compute_thresholds,
    detection_threshold,
)
from callbluff.scenario.loader import load_scenario
from callbluff.scenario.schema import Scenario
from regret_oracle import independent_regret


def two_types(detection: str = "1/10", fallbacks: list[dict[str, Any]] | None = None) -> Scenario:
    return Scenario.model_validate({
        "id": "two-types", "title": "Two types, by hand",
        "proposer": {"name": "P"}, "target": {"name": "T"},
        "motives": [{"id": "security"}, {"id": "prestige"}],
        "types": [
            {"id": "security-only", "prior": "1/2", "security_only": True,
             "weights": {"security": 1}, "inspection_sensitivity": 1,
             "status_quo": -2, "arsenal_harm": 4},
            {"id": "prestige", "prior": "1/2", "weights": {"prestige": 1},
             "inspection_sensitivity": 1, "status_quo": -2, "arsenal_harm": 6},
        ],
        "arsenal": {"values": {"security": 2, "prestige": 10}},
        "concessions": [
            {"id": "treaty", "cost": 10, "values": {"security": 12}, "reversible": False},
            {"id": "aid", "cost": 8, "values": {"prestige": 5}, "reversible": True},
        ],
        "regimes": [{"id": "rig", "detection": detection, "intrusiveness": 1, "cost": 1}],
        "offers": [{"id": "all-in", "concessions": ["treaty", "aid"], "regime": "rig",
                    "counter_demands": []}],
        "cheating": {"covert_fraction": "1/2", "penalty": 10},
        "denuclearisation_value": 20,
        "fallbacks": fallbacks or [
            {"id": "containment", "proposer": {"security-only": -1, "prestige": -2},
             "target": {"security-only": -1, "prestige": -1}}],
        "time": {"rounds": 2, "discount": "9/10", "arsenal_growth": 0, "harm_growth": 0},
    })


# Hand derivation (docs/model.md), regime detection d:
#   security-only: A = 2, B = 12, s·ι = 1 → comply 11; no deal 2 − 2 − 1 = −1;
#     cheat undetected 11 + 1/2·2 = 12; detected 12 − 1 − 10 + 1 − 2 − 1 = −1
#     → cheat(d) = 12 − 13d ≤ 11 iff d ≥ 1/13.
#   prestige: A = 10, B = 5 (all reversible) → comply 4; no deal 10 − 2 − 1 = 7;
#     cheat undetected 4 + 5 = 9; detected 0 − 1 − 10 + 5 − 2 − 1 = −9
#     → cheat(d) = 9 − 18d > 7 iff d < 1/9: the detection threshold is
#       (undetected − reject)/(undetected − detected) = 2/18 = 1/9.


@pytest.mark.parametrize(("d", "prestige_cheats", "separates"), [
    ("1/10", True, False),   # 1/13 < d < 1/9: security complies, prestige accepts and cheats
    ("1/2", False, True),    # d > 1/9: prestige rejects, security accepts and complies
])
def test_answers_match_the_hand_derivation(d: str, prestige_cheats: bool, separates: bool) -> None:
    offer = analyze_offer(two_types(d), "all-in")
    assert len(offer.equilibria) == 1
    e = offer.equilibria[0]
    assert independent_regret(offer.game, e.equilibrium) == 0
    assert e.target_strategy["security-only"].accept_comply == 1
    assert e.target_strategy["prestige"].accept_cheat == (1 if prestige_cheats else 0)
    assert e.target_strategy["prestige"].reject == (0 if prestige_cheats else 1)
    assert e.separates is separates
    # Bayes' rule after "accept": prior 1/2 each, accept probabilities 1 and 1 or 1 and 0.
    expected = Fraction(1, 2) if prestige_cheats else Fraction(1)
    post = e.posteriors["accept"]
    assert post is not None and post["security-only"] == expected


def test_detection_threshold_is_the_closed_form() -> None:
    value, _ = detection_threshold(two_types("1/10"), "all-in")
    assert value == Fraction(1, 9)


def test_package_cost_and_prior_thresholds_are_the_closed_forms() -> None:
    # At d = 1/10, cost C spread over the package in proportion (treaty 10/18 of it,
    # irreversible): proposer value = 1/2 (19 − C) + 1/2 [9/10 (6 − C) + 1/10 (−6 − 5C/9)]
    #   = 1/2 (119/5 − 88 C/45); status quo = 1/2 (−5) + 1/2 (−8) = −13/2;
    #   offering beats it iff C ≤ 207/11.
    # Prior p on security-only, C = 18: margin of offering over the status quo per type —
    #   security: (20 − 18 − 1) − (−4 − 1) = 6;
    #   prestige: 9/10 (10 − 18 − 1 − 3) + 1/10 (−10 − 1 − 3 − 2) − (−8) = −22/5;
    #   best iff 6p − 22/5 (1 − p) ≥ 0 iff p ≥ 11/26 (a tie goes to not offering).
    t = compute_thresholds(two_types("1/10"), "all-in")
    assert t.detection == Fraction(1, 9)
    assert t.max_package_cost == Fraction(207, 11)
    assert t.security_prior_ranges == ((Fraction(11, 26), Fraction(1)),)


def test_default_scenario_verdict_moves_with_detection() -> None:
    s = load_scenario("north-korea-2009")
    main = analyze(s, thresholds=False, policies=False, package=False)
    offer = main.offer(main.main_offer)
    regime = offer.regime
    value, _ = detection_threshold(s, main.main_offer)
    if value is None or value == 0:
        pytest.fail("the default scenario should have a detection threshold in (0, 1]")
    below = with_number(s, f"regimes[{regime}].detection", value / 2)
    above = with_number(s, f"regimes[{regime}].detection", (value + 1) / 2)
    cheats_below = analyze_offer(below, main.main_offer).cheaters(below)
    cheats_above = analyze_offer(above, main.main_offer).cheaters(above)
    assert cheats_below and not cheats_above
    verdict_below = analyze(below, thresholds=False, policies=False, package=False).verdict
    assert any("can accept and cheat" in line for line in verdict_below)
