"""Degenerate scenarios: correct answers, or a clear statement of what is undefined.

Every scenario here is ``TINY_YAML`` of ``conftest_web`` with one thing changed; the
expected answers are derived by hand from the payoff table of docs/model.md, with the
tiny scenario's numbers: κ = 1/2, F = 20, q = −10 for both types, fallback payoffs 0,
D = 100, the treaty costs 5 and is irreversible, regime cost 0, intrusiveness 0,
H_secure = 30, H_greedy = 50, prior ½ / ½.

* secure:  A = 40, B = 60.  comply 60; reject A + q = 30;
  cheat = (1−d)(B + κA) + d(B − F + κA + q) = (1−d)·80 + d·50 = 80 − 30d.
* greedy:  A = ½·40 + 50 = 70, B = 30.  comply 30; reject 60;
  cheat = (1−d)·65 + d·35 = 65 − 30d.
* proposer: comply D − C = 95; reject −H; undetected cheating (1−κ)D − C − κH.
* status quo (no offer): Σ_θ p_θ (−H_θ + 0).

Every equilibrium is also checked by pygambit's ``agent_max_regret`` (an independent
implementation of the equilibrium condition), never ``max_regret`` (it hangs).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from typer.testing import CliRunner

import callbluff.cli.analyze_cmd  # noqa: F401  (registers `analyze`)
from callbluff.analysis.jsonify import analysis_json
from callbluff.analysis.verdict import NO_OFFER, ScenarioAnalysis, analyze
from callbluff.cli.app import app
from callbluff.game import bargain
from callbluff.scenario.loader import load_scenario_text
from conftest_web import TINY_YAML
from regret_oracle import independent_regret
from solve_helpers import gambit_agent_regret

HALF = Fraction(1, 2)


def _variant(change: Callable[[dict[str, Any]], None]) -> str:
    data = YAML(typ="safe", pure=True).load(TINY_YAML)
    assert isinstance(data, dict)
    change(data)
    return json.dumps(data, indent=1)  # JSON is YAML: no anchors, no aliases


def _analysis(text: str, name: str, thresholds: bool = False) -> ScenarioAnalysis:
    result = analyze(load_scenario_text(text, f"{name}.yaml"), thresholds=thresholds,
                     policies=False, package=False)
    # the JSON every face prints must be finite (no NaN from a 0/0 posterior)
    json.dumps(analysis_json(result), allow_nan=False)
    return result


def _answers(a: ScenarioAnalysis) -> list[dict[str, tuple[Fraction, Fraction, Fraction]]]:
    """Per equilibrium: type -> (accept & comply, accept & cheat, reject)."""
    return [{t: (s.accept_comply, s.accept_cheat, s.reject)
             for t, s in e.target_strategy.items()} for e in a.offer("all-in").equilibria]


def _gambit_agrees(a: ScenarioAnalysis) -> None:
    offer = a.offer("all-in")
    for e in offer.equilibria:
        assert independent_regret(offer.game, e.equilibrium) == 0
        assert gambit_agent_regret(offer.game, e.equilibrium) == 0


COMPLY, CHEAT, REJECT = (Fraction(1), Fraction(0), Fraction(0)), (
    Fraction(0), Fraction(1), Fraction(0)), (Fraction(0), Fraction(0), Fraction(1))


# -- ties everywhere ---------------------------------------------------------------------------

def _all_zero(d: dict[str, Any]) -> None:
    d["arsenal"]["values"] = {"security": 0, "prestige": 0}
    d["concessions"][0].update(values={}, cost=0)
    d["denuclearisation_value"] = 0
    d["cheating"]["penalty"] = 0
    for t in d["types"]:
        t.update(status_quo=0, arsenal_harm=0)


def test_ties_everywhere_every_pure_profile_is_an_equilibrium() -> None:
    """All payoffs 0 (A = B = D = C = F = q = H = 0): every strategy of every player is
    a best reply to anything, so every profile with any beliefs is a weak PBE.  The
    solver reports one point per support profile (docs/algorithms.md, known limits):
    among them must be each of the 3 × 3 pure answer combinations; all pay 0; the
    verdict says the equilibria disagree, and with a tie against the status quo (0
    against 0) the proposer's choice is no offer (ties go to the status quo)."""
    a = _analysis(_variant(_all_zero), "ties")
    offer = a.offer("all-in")
    answers = _answers(a)
    for secure in (COMPLY, CHEAT, REJECT):
        for greedy in (COMPLY, CHEAT, REJECT):
            assert {"secure": secure, "greedy": greedy} in answers
    assert all(e.proposer_value == 0 and set(e.target_values.values()) == {0}
               for e in offer.equilibria)
    assert offer.separates_sometimes and not offer.separates_always
    # a security-only type refuses in some equilibria: the article's inference fails
    assert a.verdict[0].startswith("The article's test fails for the 'all-in' offer")
    assert any("separates the motives only in some equilibria" in v for v in a.verdict)
    separating = next(e for e, x in zip(offer.equilibria, answers, strict=True)
                      if x == {"secure": COMPLY, "greedy": REJECT})
    assert separating.separates and separating.diagnosticity_bits == 1.0  # H(½, ½)
    assert a.status_quo_value == 0
    assert a.best_offer == {"proposer-best": NO_OFFER, "proposer-worst": NO_OFFER}
    # each reported profile checked by pygambit (a sample keeps the test short)
    for e in offer.equilibria[:: max(1, len(offer.equilibria) // 8)]:
        assert gambit_agent_regret(offer.game, e.equilibrium) == 0


# -- zero-probability types --------------------------------------------------------------------

def _prior(secure: int, greedy: int) -> Callable[[dict[str, Any]], None]:
    def change(d: dict[str, Any]) -> None:
        d["types"][0]["prior"] = {"value": secure, "source": "test"}
        d["types"][1]["prior"] = greedy
    return change


def test_zero_prior_ulterior_type() -> None:
    """greedy has prior 0.  At d = 0.9 secure complies (60 > cheat 53 > reject 30) and
    greedy would reject (60 > cheat 38 > comply 30).  Reject is then reached with
    probability 0: its posterior is undefined (None), not 0/0.  After accept the
    proposer is sure of secure.  Proposer 95 = D − C; status quo −H_secure = −30.
    Separation is undefined (no ulterior type with positive prior) and the verdict
    says so instead of "not a test"."""
    a = _analysis(_variant(_prior(1, 0)), "zero-greedy", thresholds=True)
    e, = a.offer("all-in").equilibria
    assert _answers(a) == [{"secure": COMPLY, "greedy": REJECT}]
    assert e.posteriors[bargain.ACCEPT] == {"secure": Fraction(1), "greedy": Fraction(0)}
    assert e.posteriors[bargain.REJECT] is None
    assert e.diagnosticity_bits == 0.0 and e.misread_probability == 0
    assert e.proposer_value == 95 and a.status_quo_value == -30
    assert a.best_offer["proposer-worst"] == "all-in"
    assert "undefined" in a.verdict[0] and "security-only (secure)" in a.verdict[0]
    assert "NOT a test" not in " ".join(a.verdict)
    assert a.offer("all-in").cheaters(a.scenario) == []  # greedy does not count
    assert a.thresholds is not None and a.thresholds.detection == 0
    _gambit_agrees(a)


def test_zero_prior_security_type() -> None:
    """secure has prior 0: greedy rejects (60 > 38 > 30), accept is off the path
    (posterior None).  Proposer −H_greedy = −50, equal to the status quo −50, so the
    proposer makes no offer (ties go to the status quo).  The detection threshold is
    greedy's alone: 65 − 30d < 60 ⇔ d > 1/6."""
    a = _analysis(_variant(_prior(0, 1)), "zero-secure", thresholds=True)
    e, = a.offer("all-in").equilibria
    assert _answers(a)[0]["greedy"] == REJECT
    assert e.posteriors[bargain.ACCEPT] is None
    assert e.posteriors[bargain.REJECT] == {"secure": Fraction(0), "greedy": Fraction(1)}
    assert e.proposer_value == -50 and a.status_quo_value == -50
    assert a.best_offer == {"proposer-best": NO_OFFER, "proposer-worst": NO_OFFER}
    assert "undefined" in a.verdict[0] and "ulterior motives (greedy)" in a.verdict[0]
    assert a.thresholds is not None and a.thresholds.detection == Fraction(1, 6)
    _gambit_agrees(a)


def _single_secure(d: dict[str, Any]) -> None:
    d["types"] = d["types"][:1]
    d["types"][0]["prior"] = 1
    for f in d["fallbacks"]:
        del f["proposer"]["greedy"], f["target"]["greedy"]


def test_single_type() -> None:
    """Only secure (prior 1): it accepts and complies (60 > 53 > 30); proposer 95,
    status quo −30; the prior range on security-only types needs both kinds (empty,
    with that reason); separation undefined."""
    a = _analysis(_variant(_single_secure), "single", thresholds=True)
    assert _answers(a) == [{"secure": COMPLY}]
    e = a.offer("all-in").equilibria[0]
    assert e.posteriors[bargain.ACCEPT] == {"secure": Fraction(1)}
    assert e.proposer_value == 95 and a.status_quo_value == -30
    assert a.thresholds is not None and a.thresholds.security_prior_ranges == ()
    assert "needs both" in a.thresholds.security_prior_reading
    assert "undefined" in a.verdict[0]
    _gambit_agrees(a)


# -- missing parts -----------------------------------------------------------------------------

def test_no_counter_demands_means_accept_or_reject() -> None:
    """No counter-demands in the scenario and none named by the offer (the key left
    out means "all of them" = none): each type's first move is accept or reject only,
    and the answers are those of the final offer (separating, proposer
    ½·95 + ½·(−50) = 22.5)."""
    def change(d: dict[str, Any]) -> None:
        del d["offers"][0]["counter_demands"]
        d["counter_demands"] = []
    a = _analysis(_variant(change), "no-counter")
    game = a.offer("all-in").game
    first = [game.infosets[game.nodes[c].infoset].actions  # type: ignore[index]
             for c in game.root.children]
    assert first == [(bargain.ACCEPT, bargain.REJECT)] * 2
    assert _answers(a) == [{"secure": COMPLY, "greedy": REJECT}]
    assert a.offer("all-in").equilibria[0].proposer_value == Fraction(45, 2)


def test_offer_without_concessions() -> None:
    """B = 0 for both.  secure: comply 0, cheat 0.1·20 + 0.9·(−20 + 20 − 10) = −7,
    reject 30; greedy: comply 0, cheat 0.1·35 + 0.9·(35 − 20 − 10) = 8, reject 60.
    Both reject: accept is off the path, the offer does not separate, the proposer
    gets −40 = the status quo; the package-cost threshold cannot exist."""
    def change(d: dict[str, Any]) -> None:
        d["offers"][0]["concessions"] = []
    a = _analysis(_variant(change), "no-concessions", thresholds=True)
    e, = a.offer("all-in").equilibria
    assert _answers(a) == [{"secure": REJECT, "greedy": REJECT}]
    assert e.posteriors[bargain.ACCEPT] is None and not e.separates
    assert e.proposer_value == -40 == a.status_quo_value
    assert a.thresholds is not None and a.thresholds.max_package_cost is None
    assert "no concessions" in a.thresholds.package_cost_reading
    _gambit_agrees(a)


# -- detection at the ends ---------------------------------------------------------------------

def _detection(d_value: int) -> Callable[[dict[str, Any]], None]:
    def change(d: dict[str, Any]) -> None:
        d["regimes"][0]["detection"] = d_value
    return change


def test_detection_zero() -> None:
    """d = 0: secure cheats (80 > 60 > 30), greedy cheats (65 > 60 > 30): both accept
    and cheat, the detection branch has probability 0 (the proposer's "cheating
    detected" information set is never reached).  Posterior after accept = prior,
    reject off the path.  Proposer: undetected cheating ½(50 − 5 − 15) + ½(50 − 5 − 25)
    = 25 against the status quo −40."""
    a = _analysis(_variant(_detection(0)), "d0")
    e, = a.offer("all-in").equilibria
    assert _answers(a) == [{"secure": CHEAT, "greedy": CHEAT}]
    assert e.posteriors[bargain.ACCEPT] == {"secure": HALF, "greedy": HALF}
    assert e.posteriors[bargain.REJECT] is None
    assert e.outcome_probability["cheat_detected"] == 0
    assert e.proposer_value == 25 and a.status_quo_value == -40
    assert a.offer("all-in").cheaters(a.scenario) == ["greedy"]
    # secure never refuses (the article's one-sided inference holds), but both types
    # accept, so an acceptance reveals nothing: the offer does not separate
    assert a.verdict[0].startswith("The article's test holds for the 'all-in' offer")
    assert any("offer does not separate the motives" in v for v in a.verdict)
    _gambit_agrees(a)


def test_detection_one() -> None:
    """d = 1: secure complies (60 > 50 > 30), greedy rejects (60 > 35 > 30): the offer
    separates; the undetected-cheating branch has probability 0.  Proposer 22.5."""
    a = _analysis(_variant(_detection(1)), "d1")
    e, = a.offer("all-in").equilibria
    assert _answers(a) == [{"secure": COMPLY, "greedy": REJECT}]
    assert e.separates and e.diagnosticity_bits == 1.0 and e.misread_probability == 0
    assert e.outcome_probability["cheat_undetected"] == 0
    assert e.proposer_value == Fraction(45, 2)
    assert a.verdict[0].startswith("The article's test holds for the 'all-in' offer")
    assert any("separates the motives in every equilibrium" in v for v in a.verdict)
    _gambit_agrees(a)


def test_all_fallbacks_equal() -> None:
    """A second fallback with the same payoffs as the first: after a rejection the
    proposer is indifferent, so any mixture is optimal.  Every reported outcome has
    the same answers (secure complies, greedy rejects), value 22.5 and a proper
    mixture after reject; the status quo names the first-listed fallback (the
    documented tie rule of ``best_fallback``)."""
    def change(d: dict[str, Any]) -> None:
        twin = copy.deepcopy(d["fallbacks"][0])
        d["fallbacks"].append({**twin, "id": "sanction", "label": "Sanctions"})
    a = _analysis(_variant(change), "fallbacks")
    offer = a.offer("all-in")
    assert all(x == {"secure": COMPLY, "greedy": REJECT} for x in _answers(a))
    for e in offer.equilibria:
        assert e.proposer_value == Fraction(45, 2)
        mix = e.proposer_strategy.after_reject
        assert set(mix) == {"contain", "sanction"} and sum(mix.values()) == 1
    assert a.status_quo_fallback == "contain"
    _gambit_agrees(a)


# -- determinism -------------------------------------------------------------------------------

def _analyze_json_in_process(path: Path, store: Path) -> str:
    result = CliRunner().invoke(app, ["analyze", str(path), "--json", "--store", str(store)])
    assert result.exit_code == 0, result.output
    return result.output


def test_analyze_json_is_identical_across_runs_and_hash_seeds(tmp_path: Path) -> None:
    """The same analysis twice in one process, and once in a fresh process with a
    different string-hash seed (set and dict orders that depend on hashing would show
    up), prints byte-identical JSON."""
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY_YAML, encoding="utf-8")
    first = _analyze_json_in_process(scenario, tmp_path / "a.sqlite3")
    second = _analyze_json_in_process(scenario, tmp_path / "a.sqlite3")
    assert first == second
    outside = subprocess.run(
        [sys.executable, "-c", "from callbluff.cli import main; main()",
         "analyze", str(scenario), "--json",
         "--store", str(tmp_path / "b.sqlite3")],
        capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert outside.returncode == 0, outside.stderr
    assert outside.stdout == first
    assert json.loads(first)["main_offer"] == "all-in"
