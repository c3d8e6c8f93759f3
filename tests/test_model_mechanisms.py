"""The new mechanisms of docs/model.md ("Counter-demands, balking and credibility"),
each against its closed form derived by hand below, the exact solver, and pygambit's
``agent_max_regret`` on the exported game (an independent equilibrium check).

Every expected number in this file is derived in its docstring or comment from the
scenario's inputs with the formulas of docs/model.md; none is copied from the tool.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from callbluff.analysis.article import breakdown_thresholds, credibility_threshold
from callbluff.analysis.offers import analyze_offer
from callbluff.analysis.thresholds import with_number
from callbluff.game.bargain import compile_offer
from callbluff.scenario.loader import load_scenario_text
from callbluff.scenario.schema import Scenario
from callbluff.solve import solve
from solve_helpers import gambit_agent_regret

F = Fraction

# --------------------------------------------------------------------------------------
# 1. Costly counter-demands: π* = (C − U)/(C − R)
# --------------------------------------------------------------------------------------
COUNTER_YAML = """\
id: costly-counter
title: "Two types, one counter-demand"
proposer: {name: P}
target: {name: T}
motives: [{id: security}, {id: prestige}]
types:
  - {id: secure, security_only: true, prior: 0.5, weights: {security: 1}, status_quo: -10, arsenal_harm: 30}
  - {id: greedy, prior: 0.5, weights: {prestige: 1}, status_quo: -10, arsenal_harm: 50}
arsenal: {values: {security: 40, prestige: 50}}
concessions:
  - {id: treaty, cost: 5, values: {security: 60}}
counter_demands:
  - {id: reactor, cost: 10, values: {security: 10, prestige: 60}}
regimes:
  - {id: strict, detection: 1, intrusiveness: 0, cost: 0}
offers:
  - {id: all-in, concessions: [treaty], regime: strict, final: true}
cheating: {covert_fraction: 0, penalty: 20}
denuclearisation_value: 100
fallbacks:
  - {id: contain, proposer: {secure: 0, greedy: 0}, target: {secure: 0, greedy: 0}}
time: {rounds: 1, discount: 0.9, arsenal_growth: 0, harm_growth: 0}
bargaining: {costly_counters: true, breakdown_risk: 0.5, finality_cost: 0, renege_risk: 0}
"""
# Hand derivation (δ = 9/10, no growth, κ = 0, d = 1, one fallback paying 0):
#   secure: A = 40, R_now = A + q = 30; accept S: B = 60, comply 60 (cheat 60−20−10 = 30).
#           granted S+reactor one round later: C = δ·(60+10) = 63 (cheat δ·40 = 36 less);
#           breakdown: R = δ·30 = 27.  π*_secure = (C − U)/(C − R) = (63−60)/(63−27) = 1/12.
#   greedy: A = 50, R_now = 40; accept S: B = 0 (comply 0, cheat −30): rejects outright;
#           granted: C = δ·60 = 54; breakdown δ·40 = 36; it counter-demands rather than
#           rejects iff (1−π)·54 + π·36 ≥ 40, i.e. π ≤ (54−40)/(54−36) = 7/9.
#   proposer at the counter-demand with belief μ = P(secure): grant 0.9·(100−15) = 76.5
#           (both comply); stand firm: secure accepts S (0.9·60 = 54 > 27) → 0.9·95 = 85.5,
#           greedy rejects (0 < 36) → −45, so 130.5μ − 45; walk: −27μ − 45(1−μ).
#           Grant is the best reply iff μ ≤ 121.5/130.5 = 0.93…: for the prior ½ and for μ = 0.
#   Outcomes with a counter-demand on the path (the proposer grants):
#       π < 1/12 → both counter-demand (pooling); 1/12 < π < 7/9 → secure accepts, greedy
#       counter-demands; π > 7/9 → none (greedy rejects).
#   And for every π an outcome without counter-demand: secure accepts, greedy rejects, the
#   proposer believing an unexpected counter-demand comes from secure (μ > 0.93) stands
#   firm, so asking is worth (1−π)·54 + π·27 < 60 to secure and 36 < 40 to greedy.
#   No mixed outcome: secure would mix only if the proposer granted with probability
#   g = 0.86 (π = 1/20), which needs μ = 0.93, i.e. more secure than greedy askers, while
#   greedy, then strictly better off asking, asks with probability 1.


def _at(text: str, path: str, value: Fraction) -> Scenario:
    return with_number(load_scenario_text(text), path, value)


def _first_answers(s: Scenario) -> list[dict[str, dict[str, Fraction]]]:
    """Each equilibrium's first answer per type (accept / counter / balk / reject)."""
    analysis = analyze_offer(s, s.offers[0].id)
    return [{t: dict(st.as_dict()) for t, st in e.target_strategy.items()}
            for e in analysis.equilibria]


def _outcomes(s: Scenario) -> set[tuple[str, ...]]:
    """Each equilibrium as the tuple of the types' sure answers ("mixed" if none)."""
    return {tuple(next((a for a, p in eq[t.id].items() if p == 1), "mixed") for t in s.types)
            for eq in _first_answers(s)}


def _gambit_checks(s: Scenario) -> int:
    game = compile_offer(s, s.offers[0].id)
    result = solve(game)
    for eq in result.equilibria:
        assert gambit_agent_regret(game, eq) == 0
    return len(result.equilibria)


QUIET = ("accept_comply", "reject")  # secure accepts, greedy rejects, nobody asks


@pytest.mark.parametrize(("pi", "asking"), [
    (F(1, 20), ("counter", "counter")),
    (F(1, 10), ("accept_comply", "counter")),
    (F(1, 2), ("accept_comply", "counter")),
    (F(9, 10), None),
])
def test_costly_counter_demand_follows_its_closed_form(
        pi: Fraction, asking: tuple[str, str] | None) -> None:
    s = _at(COUNTER_YAML, "bargaining.breakdown_risk", pi)
    expected = {QUIET} if asking is None else {QUIET, asking}
    assert _outcomes(s) == expected
    assert _gambit_checks(s) == len(expected)


def test_breakdown_thresholds_match_the_hand_derivation() -> None:
    s = load_scenario_text(COUNTER_YAML)
    found = breakdown_thresholds(s, "all-in")
    # π* of the closed form, with C, U and R read from the game
    assert found.pi_star["secure"]["reactor"] == F(1, 12)
    # greedy never accepts outright: π* = (54 − 0)/(54 − 36) = 3 > 1
    assert found.pi_star["greedy"]["reactor"] == 3
    # "demands more ⇒ ulterior" holds in every equilibrium for π ≥ 1/12 (vacuously above
    # 7/9, where nobody counter-demands)
    assert found.demands_more_reveals == ((F(1, 12), F(1)),)


# --------------------------------------------------------------------------------------
# 2. Balking at inspections: separates iff s_S·Δι ≤ ΔB ≤ s_U·Δι
# --------------------------------------------------------------------------------------
BALK_YAML = """\
id: balk
title: "Two compliant types, a lighter regime asked for"
proposer: {name: P}
target: {name: T}
motives: [{id: security}, {id: economy}]
types:
  - {id: secure, security_only: true, prior: 0.5, weights: {security: 1, economy: 1}, inspection_sensitivity: 1, status_quo: -50, arsenal_harm: 30}
  - {id: hider, prior: 0.5, weights: {security: 1, economy: 1}, inspection_sensitivity: 3, status_quo: -50, arsenal_harm: 30}
arsenal: {values: {security: 10}}
concessions:
  - {id: aid, cost: 5, values: {economy: 30}}
  - {id: trade, cost: 5, values: {economy: 16}}
counter_demands:
  - {id: declared-only, cost: 0, regime: light, drops: [trade]}
regimes:
  - {id: rigorous, detection: 1, intrusiveness: 10, cost: 3}
  - {id: light, detection: 1, intrusiveness: 2, cost: 0}
offers:
  - {id: all-in, concessions: [aid, trade], regime: rigorous}
cheating: {covert_fraction: 0, penalty: 20}
denuclearisation_value: 100
fallbacks:
  - {id: contain, proposer: {secure: 0, hider: 0}, target: {secure: 0, hider: 0}}
time: {rounds: 1, discount: 1, arsenal_growth: 0, harm_growth: 0}
bargaining: {costly_counters: true, breakdown_risk: 0, finality_cost: 0, renege_risk: 0}
"""
# Hand derivation: equal economic weights, so B is the same for both types; κ = 0 and
# d = 1 make cheating worthless (compliant types); π = 0, δ = 1, no growth: balking
# costs nothing.  S₁ = {aid, trade} under rigorous (ι = 10), S₂ = {aid} under light
# (ι = 2): Δι = 8, ΔB = B(trade) = b.  No deal is worth 10 − 50 = −40, below both deals.
#   type θ accepts S₁ rather than balk iff 30 + b − 10 s_θ ≥ 30 − 2 s_θ ⇔ b ≥ 8 s_θ.
#   secure (s = 1): accepts iff b ≥ 8; hider (s = 3): balks iff b ≤ 24.
#   proposer after a balk: grant 100 − 5 − 0 = 95 beats standing firm (the type then
#   accepts S₁: 100 − 10 − 3 = 87) and walking (−30), whatever it believes.
#   So the offer separates iff s_S·Δι = 8 ≤ b ≤ 24 = s_U·Δι (strictly inside: no ties).


@pytest.mark.parametrize(("b", "secure", "hider", "separates"), [
    (4, "balk", "balk", False),
    (16, "accept_comply", "balk", True),
    (30, "accept_comply", "accept_comply", False),
])
def test_balking_separates_iff_between_the_sensitivities(b: int, secure: str, hider: str,
                                                        separates: bool) -> None:
    s = _at(BALK_YAML, "concessions[trade].values.economy", F(b))
    analysis = analyze_offer(s, "all-in")
    assert analysis.equilibria
    for e in analysis.equilibria:
        assert e.target_strategy["secure"].as_dict()[secure] == 1
        assert e.target_strategy["hider"].as_dict()[hider] == 1
        assert e.separates is separates
    assert _gambit_checks(s) >= 1


# --------------------------------------------------------------------------------------
# 3. Guarantees that may not hold: the security-only type accepts iff ρ ≤ (U−R)/(U−W)
# --------------------------------------------------------------------------------------
CREDIBILITY_YAML = """\
id: credibility
title: "Two types, guarantees that may not hold"
proposer: {name: P}
target: {name: T}
motives: [{id: security}, {id: prestige}, {id: economy}]
types:
  - {id: secure, security_only: true, prior: 0.5, weights: {security: 1, economy: 1}, status_quo: -10, arsenal_harm: 30, renege_loss: 30}
  - {id: greedy, prior: 0.5, weights: {prestige: 1}, status_quo: -10, arsenal_harm: 50, renege_loss: 30}
arsenal: {values: {security: 40, prestige: 50}}
concessions:
  - {id: pact, cost: 1, values: {security: 20}}
  - {id: aid, cost: 5, values: {economy: 40}, reversible: true}
regimes:
  - {id: strict, detection: 1, intrusiveness: 0, cost: 0}
offers:
  - {id: all-in, concessions: [pact, aid], regime: strict, counter_demands: []}
cheating: {covert_fraction: 0, penalty: 20}
denuclearisation_value: 100
fallbacks:
  - {id: lenient, proposer: {secure: 0, greedy: -20}, target: {secure: 0, greedy: 0}}
  - {id: harsh, proposer: {secure: -30, greedy: 0}, target: {secure: -20, greedy: -5}}
time: {rounds: 1, discount: 1, arsenal_growth: 0, harm_growth: 0}
bargaining: {breakdown_risk: 0, finality_cost: 0, renege_risk: 0.2}
"""
# Hand derivation (d = 1, κ = 0):
#   secure: U = B − sι = 20 + 40 = 60; reneged: W = B_irr − sι − L = 20 − 30 = −10;
#           comply is worth (1−ρ)U + ρW = 60 − 70ρ; cheating (−10) never beats it.
#           no deal: R = 40 − 10 + f_T: 30 under lenient, 10 under harsh.
#           It accepts iff ρ ≤ (U − R)/(U − W): 30/70 = 3/7 (lenient), 50/70 = 5/7 (harsh).
#   greedy: B = 0 < R (40 or 35): always rejects.
#   proposer after a rejection, μ = P(secure): lenient −20 + 20μ, harsh −30μ;
#           lenient iff μ ≥ 2/5.  If only greedy rejects (μ = 0): harsh; if both do (½): lenient.
#   ρ < 3/7: secure accepts in every equilibrium; ρ > 5/7: it rejects in every one;
#   3/7 < ρ < 5/7: both equilibria (self-fulfilling): the band where they coexist.


@pytest.mark.parametrize(("rho", "accepts"), [
    (F(1, 5), {True}), (F(1, 2), {True, False}), (F(4, 5), {False}),
])
def test_security_type_accepts_iff_guarantees_credible_enough(rho: Fraction,
                                                              accepts: set[bool]) -> None:
    s = _at(CREDIBILITY_YAML, "bargaining.renege_risk", rho)
    answers = _first_answers(s)
    pure = {eq["secure"]["accept_comply"] == 1 for eq in answers
            if eq["secure"]["accept_comply"] in (0, 1)}
    assert pure == accepts
    assert _gambit_checks(s) >= len(accepts)


def test_credibility_threshold_and_band_match_the_hand_derivation() -> None:
    found = credibility_threshold(load_scenario_text(CREDIBILITY_YAML), "all-in")
    assert found.threshold == F(3, 7)
    assert found.band == (F(3, 7), F(5, 7))
    # the closed form per fallback, read from the game's payoffs
    assert found.closed_form == {"lenient": F(3, 7), "harsh": F(5, 7)}


# --------------------------------------------------------------------------------------
# Bad input for the new fields: file, line and field named
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("old", "new", "field", "words"), [
    ("  - {id: treaty, cost: 5, values: {security: 60}}",
     "  - {id: treaty, cost: 5, values: {security: 60}, regime: strict}",
     "concessions[0]", "only a counter-demand"),
    ("  - {id: reactor, cost: 10, values: {security: 10, prestige: 60}}",
     "  - {id: reactor, cost: 10, values: {security: 10, prestige: 60}, regime: lax}",
     "counter_demands[0].regime", "unknown regime 'lax'"),
    ("costly_counters: true, breakdown_risk: 0.5,", "costly_counters: true, breakdown_risk: 1.5,",
     "bargaining.breakdown_risk", "probability"),
])
def test_bad_new_fields_name_file_line_and_field(old: str, new: str, field: str,
                                                 words: str) -> None:
    from callbluff.errors import InputError

    text = COUNTER_YAML.replace(old, new)
    assert text != COUNTER_YAML
    with pytest.raises(InputError) as info:
        load_scenario_text(text, "mine.yaml")
    err = info.value
    assert err.file == "mine.yaml"
    assert err.field == field
    assert words in err.message
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if new in row)
    assert err.line == line
