"""The talks game (docs/model.md, "Talks that teach"; issue 15) against independent
truth: the one-round game's exact solver (horizon 1), the skimming condition derived
by hand in docs/model.md, pygambit on the exported two-round game, a brute-force
regret oracle (tests/regret_oracle.py) and the saturation formula by hand.

Every expected number below is derived in a comment from the scenario's inputs.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pygambit as gbt
import pytest
from typer.testing import CliRunner

from callbluff.analysis.offers import analyze_offer
from callbluff.analysis.talks import analyze_talks, entropy_bits, solve_policy
from callbluff.api import load
from callbluff.errors import InputError
from callbluff.game.payoffs import growth_factors, outcome_payoffs
from callbluff.game.talks import (
    NO_OFFER,
    accepted_freeze,
    compile_talks,
    detection_infoset,
    no_deal_infoset,
    proposer_infoset,
    talks_setup,
)
from callbluff.scenario.loader import load_scenario_text
from callbluff.solve.gambit import to_pygambit
from callbluff.solve.talks import Plan, plan_behaviour, solve_talks
from regret_oracle import regret_by_infoset
from solve_helpers import gambit_agent_regret

F = Fraction

# --------------------------------------------------------------------------------------
# Horizon 1 is the one-round game
# --------------------------------------------------------------------------------------
TAKE_IT_OR_LEAVE_IT = ["all-in", "all-in-light-inspections", "freeze-for-aid",
                       "security-for-inspections"]


@pytest.mark.parametrize("offer_id", TAKE_IT_OR_LEAVE_IT)
def test_horizon_one_reproduces_the_one_round_game(offer_id: str) -> None:
    """With one round and one offer the talks game is the bargain of docs/model.md:
    the exact solver's equilibria in which every type answers purely are exactly the
    talks solver's (same acceptors, same cheaters, same proposer value); the others
    mix an answer, which the talks solver does not search (its documented limit), and
    which the policies' exact solve finds."""
    s = load("north-korea-2009")
    one_round = analyze_offer(s, offer_id)
    pure: set[tuple[frozenset[str], frozenset[str], Fraction]] = set()
    for e in one_round.equilibria:
        answers = [v for ts in e.target_strategy.values()
                   for v in (ts.accept_comply, ts.accept_cheat, ts.reject)]
        if all(v in (0, 1) for v in answers):
            pure.add((frozenset(t for t, ts in e.target_strategy.items()
                                if ts.accept_comply + ts.accept_cheat == 1),
                      frozenset(t for t, ts in e.target_strategy.items() if ts.accept_cheat),
                      e.proposer_value))
    talks = solve_talks(s, talks_setup(s, rounds=1, offers_by_round=[(offer_id,)]))
    found = {(p.play.accepting, p.play.cheating, p.proposer_value) for p in talks.equilibria}
    assert pure and found == pure
    # The policy "all in now" (the talks tree of one round, mixed answers searched)
    # against the one-round bargain's tree: the same equilibria's values.
    policy = solve_policy(s, "all in now", (offer_id,))
    values = [e.proposer_value for e in one_round.equilibria]
    assert (policy.proposer_worst, policy.proposer_best, policy.equilibria) == (
        min(values), max(values), len(values))


# --------------------------------------------------------------------------------------
# Skimming with two types: the closed form of docs/model.md
# --------------------------------------------------------------------------------------
SKIM_YAML = """\
id: skim
title: "Two types, two rounds"
proposer: {name: P}
target: {name: T}
motives: [{id: security}, {id: prestige}, {id: economy}]
types:
  - {id: secure, security_only: true, prior: 0.5, weights: {security: 1, economy: 1},
     status_quo: -10, arsenal_harm: 30}
  - {id: greedy, prior: 0.5, weights: {prestige: 1, economy: 1}, status_quo: -10, arsenal_harm: 50}
arsenal: {values: {security: 40, prestige: 50}}
concessions:
  - {id: treaty, cost: 5, values: {security: 50}}
  - {id: aid, cost: 1, values: {economy: AID}}
regimes:
  - {id: strict, detection: 1, intrusiveness: 0, cost: 0}
offers:
  - {id: first, concessions: [treaty], regime: strict, counter_demands: []}
  - {id: sweetened, concessions: [treaty, aid], regime: strict, counter_demands: []}
cheating: {covert_fraction: 0, penalty: 20}
denuclearisation_value: 100
fallbacks:
  - {id: contain, proposer: {secure: 0, greedy: 0}, target: {secure: 0, greedy: 0}}
  - {id: squeeze, proposer: {secure: -10, greedy: 5}, target: {secure: -5, greedy: -5}}
time: {rounds: 1, discount: 0.9, arsenal_growth: 0.2, harm_growth: 0}
"""
PLAN = [("first",), ("sweetened",)]


def skim(aid: str):  # type: ignore[no-untyped-def]
    return load_scenario_text(SKIM_YAML.replace("AID", aid))


# Hand derivation (δ = 9/10, no inspection cost, ρ = 0; cheating never pays: κ = 0,
# d = 1, so cheating is B − F + q < B).  secure: A = 40, q = −10, R₀ = A + q = 30;
# U(first) = 50, U(sweetened) = 50 + v.  The closed form (docs/model.md, "Skimming"):
# secure settles in round 0 iff U(S₁) − R₀ ≥ δ(U(S₂) − R₀) + τ_T, τ_T = 0 here:
#   50 − 30 ≥ 0.9·(20 + v)  ⇔  v ≤ 20/9.      v = 2: 20 ≥ 19.8, round 0;
#                                              v = 3: 20 < 20.7, round 1.
# greedy: A = 50, U(first) = 0; in round 1 it weighs 0.9·v against no deal with the
# arsenal grown by 1.2 under the proposer's best fallback against greedy alone
# (squeeze, 5 > 0): 0.9·(60 − 10 − 5) = 40.5: it never settles.
# Proposer: secure accepting first in round 0 gives 100 − 5 = 95; greedy costs a round
# of talks −(1−δ)·50 = −5 and then no deal with squeeze 0.9·(−50 + 5) = −40.5: −45.5.
#   v = 2: (95 − 45.5)/2 = 99/4.
#   v = 3: secure: −(1−δ)·30 = −3 then 0.9·(100 − 6) = 84.6, i.e. 81.6;
#          (81.6 − 45.5)/2 = 361/20.
@pytest.mark.parametrize(("aid", "settles", "value"),
                         [("2", 0, F(99, 4)), ("3", 1, F(361, 20))])
def test_skimming_closed_form(aid: str, settles: int, value: Fraction) -> None:
    s = skim(aid)
    solution = solve_talks(s, talks_setup(s, rounds=2, offers_by_round=PLAN))
    assert len(solution.equilibria) == 1
    (plan,) = solution.equilibria
    rounds = {θ: r.round for r in plan.path() for θ in r.accepting}
    assert rounds == {"secure": settles}
    assert plan.proposer_value == value


def test_skimming_threshold_is_exact() -> None:
    """At v = 20/9 the secure type is indifferent: both answers are equilibria."""
    s = skim("20/9")
    solution = solve_talks(s, talks_setup(s, rounds=2, offers_by_round=PLAN))
    settle_rounds = sorted(next(r.round for r in p.path() if "secure" in r.accepting)
                           for p in solution.equilibria)
    assert settle_rounds == [0, 1]


# --------------------------------------------------------------------------------------
# Mixed answers in a schedule: the closed form of docs/model.md
# --------------------------------------------------------------------------------------
# The skimming game with the treaty worth 35 to secure and no aid (v = 0): schedule
# `first` (round 0), then `sweetened` (round 1), take it or leave it.  greedy refuses
# both (0 against its status quo 40).  secure: U(first) = 35 (= U(sweetened));
# refusing `first` is worth (1−δ)R₀ + δ·V₁ = 3 + 0.9·V₁, V₁ = max(35, N(y)) where, in
# round 1 with the arsenal grown to 48, no deal is worth N(contain) = 48 − 10 = 38
# and N(squeeze) = 33, and y is the chance of `contain` after the last refusal.
# The proposer (no-deal payoffs contain 0, 0; squeeze −10 secure, +5 greedy; the
# harms cancel) is indifferent iff ½(1−x)(−10) + ½·5 = 0, x = 1/2, where x is
# secure's chance of accepting `first`.  Three equilibria:
#   x = 1, y = 0 (only greedy refuses: squeeze; secure's refusal worth 3 + 0.9·35 =
#     34.5 < 35): proposer ½·95 + ½·(−5 − 0.9·45) = 99/4;
#   x = 0, y = 1 (both refuse: contain, 0 > −2.5; refusal worth 3 + 0.9·38 = 37.2 >
#     35; in round 1, 35 < 38): proposer ½·(−3 − 27) + ½·(−5 − 45) = −40;
#   x = 1/2, 35 = 3 + 0.9·(33 + 5y), y = 23/45 (in round 1, 35 < 33 + 5·23/45):
#     secure refusing: −3 + 0.9·(−30 − 10·22/45) = −34.4, greedy: −5 + 0.9·(−50 +
#     5·22/45) = −47.8; proposer ½(½·95 + ½·(−34.4)) + ½(−47.8) = −35/4.
MIXED = [("first",), ("sweetened",)]


def mixed_game():  # type: ignore[no-untyped-def]
    return load_scenario_text(SKIM_YAML.replace("AID", "0")
                              .replace("values: {security: 50}", "values: {security: 35}"))


def test_mixed_answers_closed_form() -> None:
    from callbluff.solve import solve

    s = mixed_game()
    setup = talks_setup(s, rounds=2, offers_by_round=MIXED)
    game = compile_talks(s, setup)
    found = set()
    for e in solve(game).equilibria:
        x = e.behaviour["secure: round 0 offer first, start"]["accept"]
        y = e.behaviour[no_deal_infoset(("first", "sweetened"))]["contain"]
        found.add((x, y, e.payoffs[0]))
        assert gambit_agent_regret(game, e) == 0
    assert found == {(1, 0, F(99, 4)), (0, 1, F(-40)), (F(1, 2), F(23, 45), F(-35, 4))}
    policy = solve_policy(s, "step by step", ("first", "sweetened"))
    assert (policy.proposer_worst, policy.proposer_best, policy.equilibria) == (
        F(-40), F(99, 4), 3)
    # The pure-answer backward induction finds the two pure ones only.
    pure = {p.proposer_value for p in solve_talks(s, setup).equilibria}
    assert pure == {F(99, 4), F(-40)}


def test_default_mixed_policy_path_is_bayes_rule() -> None:
    """'all-in-light-inspections', then 'all-in', on the default scenario: its worst
    equilibrium has proliferation-revenue accept the light offer with a chance p
    (every equilibrium of the policy is an agent equilibrium for pygambit).  Bayes by
    hand on the prior (3/10, 3/20, 3/20, 1/10, 3/10), security-only accepting for
    sure: round 1's belief is prestige 3/20 : coercion 3/20 : revenue (1/10)(1 − p) :
    mixed 3/10, and the sentence says the revenue type settles with probability p."""
    from callbluff.analysis.verdict import _path_words
    from callbluff.solve import solve

    s = load("north-korea-2009")
    offers = ("all-in-light-inspections", "all-in")
    setup = talks_setup(s, rounds=2, offers_by_round=[(o,) for o in offers])
    game = compile_talks(s, setup)
    equilibria = solve(game).equilibria
    for e in equilibria:
        assert gambit_agent_regret(game, e) == 0
    policy = solve_policy(s, "step by step", offers)
    assert policy.proposer_worst == min(e.payoffs[0] for e in equilibria)
    first, second = policy.path
    p = first.accepting["proliferation-revenue"]
    assert 0 < p < 1 and first.accepting["security-only"] == 1
    weights = {"prestige": F(3, 20), "coercion": F(3, 20),
               "proliferation-revenue": F(1, 10) * (1 - p), "mixed": F(3, 10)}
    assert second.posterior == {t: w / sum(weights.values()) for t, w in weights.items()}
    assert policy.settle_probability["proliferation-revenue"] == p
    words = _path_words(s, policy)
    assert (f"proliferation-revenue in round 0 (arsenal worth 1.00× today's) with "
            f"probability {float(p):.1%} in all") in words


def test_policies_agree_with_the_pure_answer_solver() -> None:
    """Second method: on every policy of the default, each equilibrium the
    pure-answer backward induction finds is among the exact solver's (by the
    proposer's value), and where it finds any the exact solver's worst is no better."""
    from callbluff.analysis.talks import policy_plans
    from callbluff.solve import solve

    s = load("north-korea-2009")
    for family, offers in policy_plans(s, "all-in", 6):
        setup = talks_setup(s, rounds=len(offers), offers_by_round=[(o,) for o in offers])
        found = solve(compile_talks(s, setup)).equilibria
        exact = {e.payoffs[0] for e in found}
        pure = {p.proposer_value for p in solve_talks(s, setup).equilibria}
        assert pure <= exact, (family, offers)
        policy = solve_policy(s, family, offers)
        assert policy.proposer_worst == min(exact) and policy.equilibria == len(found)


# --------------------------------------------------------------------------------------
# pygambit on the exported two-round, two-type game
# --------------------------------------------------------------------------------------
def _load_profile(game, behaviour):  # type: ignore[no-untyped-def]
    g, ginfo = to_pygambit(game)
    prof = g.mixed_behavior_profile(rational=True)
    flat = {**behaviour["proposer"], **behaviour["target"]}
    for h, gh in zip(game.infosets, ginfo, strict=True):
        for a, ga in zip(h.actions, gh.actions, strict=True):
            prof[ga] = gbt.Rational(1 if a == flat[h.label] else 0)
    return prof


def _off_path_beliefs(plan: Plan, game) -> dict[str, dict[int, Fraction]]:  # type: ignore[no-untyped-def]
    """The plan's belief (prior on the unsettled types) at every proposer information
    set, as node → probability, for the regret oracle."""
    beliefs: dict[str, dict[int, Fraction]] = {}
    by_label = {h.label: h for h in game.infosets}

    def belief(label: str, unsettled: frozenset[str]) -> None:
        h = by_label[label]
        types = [_type_of(game, n) for n in h.nodes]
        total = sum(1 for t in types if t in unsettled)
        weights = {n: F(1, total) if t in unsettled else F(0)
                   for n, t in zip(h.nodes, types, strict=True)}
        beliefs[label] = weights

    def walk(p: Plan, history: tuple[str, ...]) -> None:
        belief(proposer_infoset(p.round, history), p.unsettled)
        for play in (p.play, *p.deviations):
            later = (*history, play.offer)
            if play.freeze_next is not None:
                walk(play.freeze_next, (*history, accepted_freeze(play.offer)))
            elif play.offer != NO_OFFER:
                belief(detection_infoset(p.round, play.offer, history), play.detection_belief)
            if play.next is not None:
                walk(play.next, later)
            elif play.final_fallback is not None:
                belief(no_deal_infoset(later), play.refusal_belief)
    walk(plan, ())
    return beliefs


def _type_of(game, node_id: int) -> str:  # type: ignore[no-untyped-def]
    """The type drawn at the root on the way to ``node_id``."""
    first = game.path(node_id)[0]
    return game.nodes[0].chance_actions[first[1]]


@pytest.mark.parametrize("aid", ["2", "3"])
def test_fixed_plan_matches_pygambit_and_the_oracle(aid: str) -> None:
    """Offers fixed (first, then sweetened): our equilibrium has pygambit's
    agent_max_regret 0 and brute-force regret 0 under its beliefs, and pygambit's
    own equilibrium (Lemke) has exactly our payoffs."""
    s = skim(aid)
    setup = talks_setup(s, rounds=2, offers_by_round=PLAN)
    (plan,) = solve_talks(s, setup).equilibria
    _check_against_pygambit(s, setup, plan)


def _check_against_pygambit(s, setup, plan: Plan) -> None:  # type: ignore[no-untyped-def]
    game = compile_talks(s, setup)
    behaviour = plan_behaviour(plan, setup.types)
    assert _load_profile(game, behaviour).agent_max_regret() == 0
    profile = {h.label: {a: F(int(a == {**behaviour["proposer"], **behaviour["target"]}[h.label]))
                         for a in h.actions} for h in game.infosets}
    regrets = regret_by_infoset(game, profile, _off_path_beliefs(plan, game))
    assert max(regrets.values()) == 0
    g, _ = to_pygambit(game)
    (theirs,) = gbt.nash.lcp_solve(g, rational=True).equilibria
    assert Fraction(str(theirs.payoff(next(iter(g.players))))) == plan.proposer_value


def test_free_two_round_game_against_pygambit() -> None:
    """The proposer picks first, sweetened or no offer in each round (v = 2).

    Hand derivation: in any perfect Bayesian equilibrium the secure type accepts
    `first` in round 0, because the most it can get later is 0.9·52 = 46.8 < 50; the
    proposer's best is then first in round 0 (99/4, as in the fixed plan).  Every
    equilibrium we report has pygambit agent_max_regret 0 and the value 99/4.
    pygambit's Lemke equilibrium offers `sweetened` at once (value 97/4 = (94 −
    45.5)/2), which is Nash but not sequentially rational: it has the secure type
    refuse `first` in round 1 after refusing it in round 0 (an unreached singleton
    information set), where accepting is worth 0.9·50 = 45 and refusing at most
    0.9·(48 − 10) = 34.2; that threat is what deters the proposer from `first`."""
    s = skim("2")
    setup = talks_setup(s, rounds=2)
    assert setup.offers_by_round == (("first", "sweetened", NO_OFFER),) * 2
    game = compile_talks(s, setup)
    solution = solve_talks(s, setup)
    assert solution.equilibria and not solution.no_pure_answers
    for plan in solution.equilibria:
        assert plan.proposer_value == F(99, 4)
        assert plan.play.offer == "first" and plan.play.accepting == {"secure"}
        assert _load_profile(game, plan_behaviour(plan, setup.types)).agent_max_regret() == 0
    g, ginfo = to_pygambit(game)
    (theirs,) = gbt.nash.lcp_solve(g, rational=True).equilibria
    assert Fraction(str(theirs.payoff(next(iter(g.players))))) == F(97, 4)
    label = "secure: round 1 offer first, refused first"
    h = next(i for i, x in enumerate(game.infosets) if x.label == label)
    refuse = next(a for a in ginfo[h].actions if a.label == "refuse")
    assert theirs[refuse] == 1 and theirs.infoset_prob(ginfo[h]) == 0


# --------------------------------------------------------------------------------------
# Saturation
# --------------------------------------------------------------------------------------
def test_saturation_caps_the_deterrent() -> None:
    """g = 0.2, n̄ = 1.5: the stock 1, 1.2, 1.44, 1.728, … is worth 1, 1.2, 1.44, 1.5,
    1.5, … times today's value, never more than n̄ (the saturated value a = 40·1.5 =
    60 for the secure type), for any number of rounds; without n̄ the old growth
    (1.2)^t is kept (the limit n̄ → ∞)."""
    s = skim("2")
    capped = s.model_copy(update={"arsenal": s.arsenal.model_copy(
        update={"saturation": F(3, 2)})})
    assert [growth_factors(capped, t)[0] for t in range(5)] == [
        1, F(6, 5), F(36, 25), F(3, 2), F(3, 2)]
    assert [growth_factors(s, t)[0] for t in range(5)] == [F(6, 5) ** t for t in range(5)]
    for t in range(0, 201, 5):
        no_deal = outcome_payoffs(capped, "secure", (), "strict", "contain",
                                  rounds_later=t).no_deal[0]
        deterrent = no_deal / F(9, 10) ** t - (-10)  # A(t) = value / δ^t − q − f_T
        assert deterrent <= 60


def test_saturation_and_talks_are_read_from_the_file() -> None:
    text = SKIM_YAML.replace("AID", "2").replace(
        "arsenal: {values: {security: 40, prestige: 50}}",
        "arsenal: {values: {security: 40, prestige: 50}, saturation: 1.5}") + (
        "talks: {horizon: 2, rounds: {sweetened: [1]}}\n")
    s = load_scenario_text(text)
    assert s.arsenal.saturation == F(3, 2)
    assert talks_setup(s).offers_by_round == (("first", NO_OFFER),
                                              ("first", "sweetened", NO_OFFER))


@pytest.mark.parametrize(("extra", "field", "line", "words"), [
    ("talks: {horizon: 2, rounds: {nothing: [0]}}\n", "talks.rounds.nothing", 25,
     "unknown offer"),
    ("talks: {horizon: 2, rounds: {first: [2]}}\n", "talks.rounds.first", 25,
     "below the horizon"),
])
def test_bad_talks_block_names_file_line_and_field(extra: str, field: str, line: int,
                                                   words: str) -> None:
    text = SKIM_YAML.replace("AID", "2") + extra
    with pytest.raises(InputError, match=words) as info:
        load_scenario_text(text, "skim.yaml")
    assert (info.value.file, info.value.line, info.value.field) == ("skim.yaml", line, field)


def test_saturation_below_today_is_refused() -> None:
    text = SKIM_YAML.replace("AID", "2").replace(
        "prestige: 50}}", "prestige: 50}, saturation: 0.5}", 1)
    with pytest.raises(InputError, match="saturation") as info:
        load_scenario_text(text, "skim.yaml")
    assert info.value.line == 10 and info.value.field == "arsenal.saturation"


# --------------------------------------------------------------------------------------
# Policies and words
# --------------------------------------------------------------------------------------
def test_policies_on_the_skimming_game() -> None:
    """v = 3, horizon 2, main offer `sweetened`, which ends every policy take it or
    leave it for good.  All in now: secure takes 53 rather than no deal under squeeze
    (the best reply to greedy alone) 40 − 10 − 5 = 25; greedy refuses (3 < 50 − 10 −
    5 = 35): proposer (94 + (−50 + 5))/2 = 49/2.  Step by step (first, then
    sweetened): 361/20 (above).  Talks, then all in: secure gets 0.1·30 = 3, then
    0.9·53 in round 1: proposer −3 + 0.9·94 = 81.6 and (81.6 − 45.5)/2 = 361/20.
    Talks forever: no deal in round 1 under contain (the best reply to the prior:
    0 > −10·½ + 5·½), secure −3 + 0.9·(−30) = −30, greedy −5 + 0.9·(−50) = −50: −40.
    Best: all in now; value of acting now 49/2 − 361/20 = 129/20.  Entropy: one bit
    at the start, none once secure has settled and only greedy is left."""
    s = skim("3")
    a = analyze_talks(s, "sweetened", rounds=2)
    values = {(p.family, p.offers): p.proposer_worst for p in a.policies}
    assert values == {
        ("all in now", ("sweetened",)): F(49, 2),
        ("step by step", ("first", "sweetened")): F(361, 20),
        ("talks, then all in", (NO_OFFER, "sweetened")): F(361, 20),
        ("talks forever", (NO_OFFER, NO_OFFER)): F(-40),
    }
    assert a.best is not None and a.best.family == "all in now"
    assert a.value_of_acting_now == F(129, 20)
    assert a.all_in_now.settles == {"secure": 0, "greedy": None}
    assert a.prior_unknown_bits == pytest.approx(1.0)
    assert a.all_in_now.final_belief == {"greedy": 1}
    assert a.all_in_now.final_unknown_bits == pytest.approx(0.0)
    assert entropy_bits({"x": F(1, 4), "y": F(3, 4)}) == pytest.approx(0.811278, abs=1e-6)


def test_timing_sentence_agrees_with_hand_numbers() -> None:
    """v = 3, horizon min(time.rounds + 1, 6) = 2, main offer `first` (the first
    offer: no `all-in` here).  All in now: secure takes 50 rather than 25; proposer
    (95 − 45)/2 = 25.  Talks, then all in: secure 3 + 0.9·50 = 48 ≥ 29.7; proposer
    (−3 + 0.9·95 − 45.5)/2 = 37/2; talks forever −40; so acting now is worth 25 − 37/2
    = 6.5.  Step by step (sweetened, then first): secure takes 53 > 3 + 45, proposer
    (94 − 45.5)/2 = 97/4 < 25.  Unrestricted, worst equilibrium 99/4: `first` in round
    0, taken by secure, then no deal with greedy ((95 − 45.5)/2).  Secure would wait
    only for `sweetened` in round 1 (3 + 0.9·53 = 50.7 > 50), but facing both types
    in round 1 the proposer prefers `first` (0.9·95 > 0.9·94 from secure, greedy
    refusing both), so a refusal of `first` in round 0 cannot pay and offering
    `sweetened` in round 0 (97/4) is not an equilibrium."""
    from callbluff.analysis.verdict import analyze

    a = analyze(skim("3"), thresholds=False, package=False)
    assert a.talks is not None and a.talks.horizon == 2
    sentence = a.verdict[-1]
    assert sentence.startswith("Timing (talks over 2 rounds")
    assert "best is 'all in now' ('first' in round 0, take it or leave it), worth 25.00" in sentence
    assert "acting now is worth 6.50 more than the best policy that waits" in sentence
    assert "the worst equilibrium with pure answers is worth 24.75" in sentence
    assert "goes 50% → 0%" in sentence and "1.00 → 0.00 bits" in sentence
    assert "settles: secure in round 0 (arsenal worth 1.00× today's); never: greedy" in sentence
    from callbluff.analysis.jsonify import analysis_json

    talks = json.loads(json.dumps(analysis_json(a)["talks"]))
    assert talks["best"]["family"] == "all in now"
    assert talks["best"]["proposer_worst"]["exact"] == "25"
    assert talks["value_of_acting_now"]["exact"] == "13/2"
    assert talks["unrestricted"]["proposer_worst"]["exact"] == "99/4"
    assert talks["best"]["settles"] == {"secure": 0, "greedy": None}
    assert talks["best"]["path"][0]["posterior"] == {"secure": 0.5, "greedy": 0.5}
    from callbluff.report.charts import talks_figure

    figure = talks_figure(analysis_json(a))
    assert figure is not None
    now = next(d for d in figure.data if d.name == "all in now")
    assert list(now.x) == [0, 1] and list(now.y) == [0.5, 0]


def test_cli_prints_the_talks_table(tmp_path: Path, _private_run_store: Path) -> None:
    """`callbluff analyze` shows every policy of the skimming game (v = 3) with the
    values derived above: all in now 25, talks forever −40."""
    import callbluff.cli  # noqa: F401  (registers the commands)
    from callbluff.cli.app import app

    path = tmp_path / "skim.yaml"
    path.write_text(SKIM_YAML.replace("AID", "3"), encoding="utf-8")
    result = CliRunner().invoke(app, ["analyze", str(path), "--no-thresholds", "--detail"],
                                terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Talks that teach (2 rounds" in result.output
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines()
            if line.startswith("│") and line.count("│") == 5}
    assert "25.00 / 25.00" in rows["all in now"] and "secure 0" in rows["all in now"]
    assert "-40.00 / -40.00" in rows["talks forever"]


# --------------------------------------------------------------------------------------
# A freeze, then a bigger offer
# --------------------------------------------------------------------------------------
FREEZE_YAML = SKIM_YAML.replace("AID", "2").replace(
    "  - {id: aid, cost: 1, values: {economy: 2}}\n",
    "  - {id: aid, cost: 1, values: {economy: 2}}\n"
    "  - {id: fuel, cost: 2, values: {economy: 48}}\n").replace(
    "offers:\n",
    "offers:\n  - {id: freeze, concessions: [fuel], regime: strict, counter_demands: [], "
    "freeze: true}\n")


def test_freeze_then_all_in() -> None:
    """Schedule: `freeze` (fuel, worth 48 to both types, cost 2) in round 0, then
    `first` (the treaty) in round 1, the last.  Under the freeze the arsenal stays at
    today's and the freeze pays its flow (1−δ)·48 = 4.8 a round (proposer
    (1−δ)·(100 − 2) = 9.8); if it is never replaced it stands for ever.

    Frozen round 1: secure takes `first` (0.9·50 = 45 > 0.9·48 = 43.2, the freeze
    kept); greedy keeps the freeze (0 < 43.2).  Round 0: accepting the freeze is worth
    4.8 + 45 = 49.8 to secure and 4.8 + 43.2 = 48 to greedy.  Refusing: secure gets
    0.1·30 = 3 plus 45 from `first` in round 1 = 48 < 49.8; greedy 0.1·40 = 4 plus no
    deal in round 1, 0.9·(60 − 10 + f_T): under squeeze (−5, the best reply to greedy
    alone) 4 + 40.5 = 44.5 < 48.  Both accept (one equilibrium: a refusal is then
    off the path, and a belief on greedy supports it; with greedy alone refusing on
    the path it would accept, and secure alone refusing would rather accept too).
    Proposer: secure 9.8 + 0.9·95 = 95.3, greedy 9.8 + 0.9·98 = 98: 1933/20."""
    s = load_scenario_text(FREEZE_YAML)
    setup = talks_setup(s, rounds=2, offers_by_round=[("freeze",), ("first",)])
    solution = solve_talks(s, setup)
    (plan,) = solution.equilibria
    assert plan.play.accepting == {"secure", "greedy"}
    assert plan.play.freeze_next is not None
    frozen = plan.play.freeze_next.play
    assert frozen.offer == "first" and frozen.accepting == {"secure"}
    assert frozen.frozen == ("freeze", 0)
    assert plan.proposer_value == F(1933, 20)
    _check_against_pygambit(s, setup, plan)


def test_free_game_with_a_freeze_has_agent_regret_zero() -> None:
    """Any offer (freeze, first, sweetened or none) in both rounds: every equilibrium
    found is an agent equilibrium for pygambit on the exported tree."""
    s = load_scenario_text(FREEZE_YAML)
    setup = talks_setup(s, rounds=2)
    assert setup.offers_by_round[0] == ("freeze", "first", "sweetened", NO_OFFER)
    solution = solve_talks(s, setup)
    assert solution.equilibria and not solution.no_pure_answers
    game = compile_talks(s, setup)
    for plan in solution.equilibria:
        assert _load_profile(game, plan_behaviour(plan, setup.types)).agent_max_regret() == 0


def test_report_shows_the_talks_game_with_hand_numbers() -> None:
    """The report's talks section on the skimming game (v = 3) states the numbers
    derived in :func:`test_timing_sentence_agrees_with_hand_numbers`: all in now worth
    25, acting now worth 6.5, talks forever −40, the unrestricted game's worst 99/4 =
    24.75; and it carries the belief plot."""
    import html
    import re

    from callbluff.analysis.verdict import analyze
    from callbluff.report.html import build_report

    page = build_report(analyze(skim("3"), thresholds=False, package=False))
    start = page.index("talks that teach (2 rounds)")
    section = page[start:page.index("</section>", start)]
    assert 'data-figure="fig-talks-data"' in section
    words = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", section)))
    assert "Best policy: all in now, worth 25 to the proposer in its worst equilibrium." in words
    assert "Value of acting now over the best policy that waits: 6.5." in words
    assert "talks forever" in words and "-40 / -40" in words
    assert "24.75 /" in words
