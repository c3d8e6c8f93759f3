"""`callbluff cases`: the likelihood backtest, checked on cases worked out by hand.

The two-type scenario below is the minimal example of docs/scenario-format.md, whose
answers that page derives from docs/model.md: the honest type (prior 3/5) values the
arsenal at 10 and the treaty at 12, complies (12) rather than cheats
(1/10·(12 + 2) + 9/10·(12 − 5 + 2) = 19/2) or keeps the arsenal (10); the ambitious type
(prior 2/5) keeps the arsenal (15) rather than comply (6 − 10 = −4) or cheat
(1/10·(−4 + 3) + 9/10·(6 − 10 − 5 + 3) = −11/2).  With one fallback and no
counter-demand the proposer has no choice that matters, so every equilibrium has these
answers: P(accept) = 3/5, P(reject) = 2/5.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import callbluff.cli  # noqa: F401  (registers the commands)
from callbluff.cli.app import app

MINIMAL = """\
id: {id}
title: Minimal two-type bargain
proposer: {{name: Proposer}}
target: {{name: Target}}
motives:
  - id: security
  - id: prestige
types:
  - id: honest
    prior: {honest}
    security_only: true
    weights: {{security: 1}}
  - id: ambitious
    prior: {ambitious}
    weights: {{security: 0.5, prestige: 1}}
    inspection_sensitivity: 2
arsenal:
  values: {{security: 10, prestige: 10}}
concessions:
  - id: treaty
    cost: 2
    values: {{security: 12}}
regimes:
  - id: strict
    detection: 0.9
    intrusiveness: 5
offers:
  - id: deal
    concessions: [treaty]
    regime: strict
cheating: {{covert_fraction: 0.2, penalty: 5}}
denuclearisation_value: 50
fallbacks:
  - id: contain
    proposer: {{honest: -5, ambitious: -10}}
    target: {{honest: 0, ambitious: 0}}
time: {{rounds: 5, discount: 0.9, arsenal_growth: 0.1, harm_growth: 0.1}}
history:
  calibration: "by hand (tests/test_cases_backtest.py)"
  offer_made: deal
  observed_answer: {answer}
  compliance: {compliance}
  dates: {{offer: "2000-01-01"}}
  outcome: "what the test says happened in 2000"
"""


def _case(tmp_path: Path, case_id: str, answer: str, compliance: str,
          honest: str = "0.6", ambitious: str = "0.4") -> str:
    path = tmp_path / f"{case_id}.yaml"
    path.write_text(MINIMAL.format(id=case_id, answer=answer, compliance=compliance,
                                   honest=honest, ambitious=ambitious), encoding="utf-8")
    return str(path)


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, ["cases", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _value(likelihood: dict[str, dict[str, object]], selection: str) -> str:
    exact = likelihood[selection]["exact"]
    assert isinstance(exact, str)
    return exact


def test_likelihoods_and_summary_match_the_hand_derivation(tmp_path: Path) -> None:
    accepted = _case(tmp_path, "accepted", "accept", "complied")
    rejected = _case(tmp_path, "rejected", "reject", "not-applicable")
    document = json.loads(_run(accepted, rejected, "--json"))
    cases = {c["case"]: c for c in document["cases"]}
    for selection in ("proposer_worst", "proposer_best", "average"):
        assert _value(cases["accepted"]["answer_likelihood"], selection) == "3/5"
        assert _value(cases["accepted"]["with_compliance"], selection) == "3/5"
        assert _value(cases["rejected"]["answer_likelihood"], selection) == "2/5"
    assert cases["rejected"]["with_compliance"] is None
    assert cases["accepted"]["readings"] == {
        "honest": [{"answers": ["accept, comply"], "equilibria": 1}],
        "ambitious": [{"answers": ["reject"], "equilibria": 1}]}
    summary = document["summary"]
    # Model: ln(3/5) + ln(2/5); baseline: one accept and one reject among two cases.
    for selection in ("proposer_worst", "proposer_best", "average"):
        assert summary["log_likelihood"][selection] == pytest.approx(
            math.log(0.6) + math.log(0.4), abs=1e-12)
    assert summary["baseline"] == {"accepted": 0.5, "rejected": 0.5}
    assert summary["baseline_log_likelihood"] == pytest.approx(2 * math.log(0.5), abs=1e-12)


def test_an_answer_no_type_gives_scores_minus_infinity(tmp_path: Path) -> None:
    # Nobody counters (there is no counter-demand at all): probability 0.
    countered = _case(tmp_path, "countered", "counter", "not-applicable")
    accepted = _case(tmp_path, "accepted", "accept", "cheated")
    document = json.loads(_run(countered, accepted, "--json"))
    cases = {c["case"]: c for c in document["cases"]}
    assert _value(cases["countered"]["answer_likelihood"], "average") == "0"
    # The honest type accepts and complies; nobody accepts and cheats.
    assert _value(cases["accepted"]["with_compliance"], "average") == "0"
    summary = document["summary"]
    assert summary["log_likelihood"]["average"] == "-inf"
    assert summary["cases_with_probability_0"]["average"] == ["countered"]
    # Baseline: one counter, one accept among two cases.
    assert summary["baseline_log_likelihood"] == pytest.approx(2 * math.log(0.5), abs=1e-12)
    text = _run(countered, accepted)
    assert "probability 0 in countered, so the log-likelihood is −∞" in text


def test_detection_needed_only_where_some_type_accepts(tmp_path: Path) -> None:
    # Ambitious only: it rejects, so nobody accepts and no detection is asked for.
    nobody = _case(tmp_path, "nobody", "reject", "not-applicable", honest="0", ambitious="1")
    someone = _case(tmp_path, "someone", "accept", "complied")
    document = json.loads(_run(nobody, someone, "--detection", "--json"))
    cases = {c["case"]: c for c in document["cases"]}
    assert cases["nobody"]["someone_accepts"] is False
    assert cases["nobody"]["detection"] is None
    assert cases["someone"]["someone_accepts"] is True
    detection = cases["someone"]["detection"]
    # The ambitious type never accepts (its comply and cheat values are below 15 at any
    # detection: cheat ≤ −1 when undetected), so no detection is needed: 0.
    assert detection["needed_exact"] == "0" and detection["agreed"] == 0.9
    text = _run(nobody, "--detection")
    assert "detection" not in text
    assert "detection needed / agreed" in _run(someone, "--detection")
    assert "not computed (callbluff cases --detection)" in _run(someone)


def test_every_builtin_case_is_scored() -> None:
    document = json.loads(_run("--json"))
    assert {c["case"] for c in document["cases"]} == {
        "agreed-framework-1994", "hanoi-2019", "iran-jcpoa-2015", "libya-2003",
        "south-africa-1991", "ukraine-1994"}
    assert [c["case"] for c in document["counterfactual_only"]] == ["north-korea-2009"]
    assert document["summary"]["cases"] == 6


def test_each_reading_is_printed_once() -> None:
    from callbluff.analysis.cases import TypeReading
    from callbluff.cli.cases_cmd import _reading_text

    # Three equilibria that agree: the reading once, no count.
    assert _reading_text((TypeReading(("accept, cheat",), 3),), 3) == "accept, cheat"
    # Readings that differ: each once, with its number of equilibria.
    assert _reading_text((TypeReading(("accept, comply",), 2),
                          TypeReading(("accept, comply", "reject"), 1)), 3) == (
        "accept, comply in 2 of 3 equilibria; accept, comply / reject in 1 of 3 equilibria")
    # The Agreed Framework's three equilibria agree on every type's answer.
    text = _run("agreed-framework-1994")
    assert "3 equilibria" in text and "of 3 equilibria" not in text
    assert len(re.findall(r"accept, cheat\b", text)) == 1  # not "accept, cheated"
