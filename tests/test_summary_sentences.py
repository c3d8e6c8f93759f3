"""The one-screen summary (issue 16) on every built-in scenario, through every face.

* **Faces agree**: the sentences ``callbluff analyze`` prints, the report shows, the
  notebook shows (repr and HTML) and the JSON API (``analyze --json``, the web page's
  source; tests/test_web_browser.py checks the page against it) carries are the same
  sentences, word for word.
* **Sentences agree with numbers**: each number a sentence quotes is read back out
  of the text and checked against an independent recomputation — from the raw
  equilibria (each type's answer probabilities, the proposer's values), from the
  scenario's own inputs, or by solving the main offer exactly on either side of a
  threshold the sentence states.  The offer a value is quoted for must be the offer
  that has that value; "yes" must match the answers in every equilibrium; "best"
  must match the policy table.
"""

from __future__ import annotations

import html
import json
import re
from fractions import Fraction
from functools import cache

import pytest
from typer.testing import CliRunner

import callbluff.cli  # noqa: F401  (registers the commands)
from callbluff import api
from callbluff.analysis.numbers import pct, utility
from callbluff.analysis.offers import analyze_offer
from callbluff.analysis.reading import EquilibriumReading
from callbluff.analysis.summary import Summary, summary
from callbluff.analysis.thresholds import with_number
from callbluff.analysis.verdict import NO_OFFER, ScenarioAnalysis
from callbluff.cli.app import app
from callbluff.game.talks import NO_OFFER as TALKS_ONLY
from callbluff.report.html import build_report
from callbluff.scenario.builtin import list_builtin
from callbluff.scenario.schema import Scenario
from talks_oracle import best_policy

pytestmark = pytest.mark.slow

SCENARIOS = list_builtin()
PERCENT = r"(<?\d+(?:\.\d+)?)%(?: \((\d+)/(\d+)\))?"
#: A small step either side of a threshold, in probability.
STEP = Fraction(1, 1000)


@cache
def _analysis(scenario_id: str) -> ScenarioAnalysis:
    return api.analyze(scenario_id)


@cache
def _summary(scenario_id: str) -> Summary:
    return summary(_analysis(scenario_id))


def _flat(text: str) -> str:
    """Terminal or HTML text as one line: box borders and bullets dropped, whitespace
    collapsed (rich wraps at spaces, so joining the lines restores the sentences)."""
    text = re.sub(r"[│╭╮╰╯─•]", " ", text)
    return " ".join(text.split())


def _percent(found: re.Match[str], at: int = 1) -> Fraction:
    """The exact value a "48.8%" or "37.1% (43/116)" stands for."""
    if found.group(at + 1):
        return Fraction(int(found.group(at + 1)), int(found.group(at + 2)))
    return Fraction(found.group(at)) / 100


def _secure(s: Scenario) -> list[str]:
    return [t.id for t in s.types if t.security_only and t.prior > 0]


def _ulterior(s: Scenario) -> list[str]:
    return [t.id for t in s.types if not t.security_only and t.prior > 0]


def _refuses(e: EquilibriumReading, type_id: str) -> bool:
    st = e.target_strategy[type_id]
    return st.counter + st.balk + st.reject > 0


def _test_holds(scenario: Scenario, offer_id: str) -> bool:
    """The article's test, recomputed from the answers: no security-only type of
    positive prior gives any answer but acceptance in any equilibrium."""
    offer = analyze_offer(scenario, offer_id)
    return not any(_refuses(e, t) for e in offer.equilibria for t in _secure(scenario))


# -- the faces say the same ------------------------------------------------------------------

@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_cli_report_api_and_notebook_carry_the_same_summary(scenario_id: str) -> None:
    brief = _summary(scenario_id)
    result = CliRunner().invoke(app, ["analyze", scenario_id], terminal_width=100)
    assert result.exit_code == 0, result.output
    printed = _flat(result.output)
    shown = _flat(html.unescape(re.sub(r"<[^>]+>", " ", build_report(_analysis(scenario_id)))))
    as_json = CliRunner().invoke(app, ["analyze", scenario_id, "--json"])
    document = json.loads(as_json.output)["summary"]
    assert document == {"question": brief.question, "answer": brief.answer,
                        "numbers": list(brief.numbers), "action": brief.action}
    notebook = _flat(html.unescape(re.sub(r"<[^>]+>", " ",
                                          _analysis(scenario_id)._repr_html_())))
    for sentence in brief.lines():
        assert _flat(sentence) in printed, sentence
        assert _flat(sentence) in shown, sentence
        assert _flat(sentence) in notebook, sentence
    assert brief.answer in repr(_analysis(scenario_id))
    # The summary is the screen: the CLI prints it and not the detail.
    assert "Verdict, sentence by sentence" not in result.output
    assert len(result.output.splitlines()) <= 40


# -- each sentence against the numbers it quotes ---------------------------------------------

@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_answer_matches_every_equilibrium(scenario_id: str) -> None:
    a, brief = _analysis(scenario_id), _summary(scenario_id)
    s, main = a.scenario, a.offer(a.main_offer)
    if not _secure(s) or not _ulterior(s):
        assert brief.answer.startswith("Answer: undefined here")
        return
    holds = _test_holds(s, a.main_offer)
    assert brief.answer.startswith("Answer: yes" if holds else "Answer: no"), brief.answer
    if not holds:
        return
    assert f"in every equilibrium ({len(main.equilibria)} found)" in brief.answer
    # P(security-only | accept) by Bayes' rule on the equilibrium worst for the proposer
    worst = min(main.equilibria, key=lambda e: e.proposer_value)
    mass = {t.id: t.prior * (worst.target_strategy[t.id].accept_comply
                             + worst.target_strategy[t.id].accept_cheat) for t in s.types}
    total = sum(mass.values(), Fraction(0))
    found = re.search(rf"with probability {PERCENT}", brief.answer)
    if total == 0:
        assert found is None
    else:
        assert found is not None
        secure = sum((mass[t] for t in _secure(s)), Fraction(0))
        assert found.group(0) == f"with probability {pct(secure / total)}"


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_detection_sentence_by_solving_either_side(scenario_id: str) -> None:
    a, brief = _analysis(scenario_id), _summary(scenario_id)
    s = a.scenario
    line = next((x for x in brief.numbers if x.startswith("Detection of cheating")), None)
    if not _secure(s) or not _ulterior(s):
        assert line is None
        return
    assert line is not None
    regime = s.offer(a.main_offer).regime
    path = f"regimes[{regime}].detection"
    now = s.regime(regime).detection
    assert f"under '{regime}': now {pct(now)};" in line

    def cheats(d: Fraction) -> bool:
        variant = with_number(s, path, d)
        offer = analyze_offer(variant, a.main_offer)
        return any(e.target_strategy[t].accept_cheat > 0
                   for e in offer.equilibria for t in _ulterior(variant))

    found = re.search(rf"accepts and cheats above {PERCENT}", line)
    if "accepts and cheats at any detection" in line:
        assert not cheats(Fraction(0)) and not cheats(now)
    elif found is not None:
        at = _percent(found)
        assert cheats(max(at - STEP, Fraction(0)))
        assert not cheats(min(at + STEP, Fraction(1)))
        if now > at:
            margin = re.search(r"\(margin (\d+(?:\.\d+)?) percentage points\)",
                               line[found.end():])
            assert margin is not None
            assert margin.group(1) == f"{100 * float(now - at):.1f}".removesuffix(".0")
    if "the test holds at any value" in line:
        for d in (Fraction(0), Fraction(1, 2), Fraction(1)):
            assert _test_holds(with_number(s, path, d), a.main_offer), d


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_renege_risk_sentence_by_solving_either_side(scenario_id: str) -> None:
    a, brief = _analysis(scenario_id), _summary(scenario_id)
    s = a.scenario
    line = next((x for x in brief.numbers if x.startswith("Risk that the guarantees")), None)
    if line is None:
        return
    path = "bargaining.renege_risk"
    now = s.bargaining.renege_risk
    assert f"now {pct(now)};" in line
    found = re.search(rf"the test holds up to {PERCENT} \(margin ([\d.]+) percentage points\)",
                      line)
    if found is not None:
        at = _percent(found)
        assert _test_holds(with_number(s, path, max(at - STEP, Fraction(0))), a.main_offer)
        assert not _test_holds(with_number(s, path, min(at + STEP, Fraction(1))),
                               a.main_offer)
        assert found.group(4) == f"{100 * float(at - now):.1f}".removesuffix(".0")
    elif "the test holds at any value" in line:
        for rho in (Fraction(0), Fraction(1, 2), Fraction(1)):
            assert _test_holds(with_number(s, path, rho), a.main_offer), rho
    elif "the test holds at no value" in line:
        for rho in (Fraction(0), Fraction(1, 2), Fraction(1)):
            assert not _test_holds(with_number(s, path, rho), a.main_offer), rho


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_cheaters_sentence_names_who_accepts_and_cheats(scenario_id: str) -> None:
    a, brief = _analysis(scenario_id), _summary(scenario_id)
    s, main = a.scenario, a.offer(a.main_offer)
    cheaters = [t.id for t in s.types if not t.security_only and any(
        e.target_strategy[t.id].accept_cheat > 0 for e in main.equilibria)]
    line = next((x for x in brief.numbers if x.startswith("Types that can accept and cheat")),
                None)
    if not _secure(s) or not _ulterior(s):
        return
    assert (line is not None) is bool(cheaters)
    if line is not None:
        assert line.endswith(": " + ", ".join(cheaters) + ".")


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_action_quotes_each_offer_its_own_value(scenario_id: str) -> None:
    a, brief = _analysis(scenario_id), _summary(scenario_id)
    worst = {o.offer_id: min(e.proposer_value for e in o.equilibria) for o in a.offers}
    best_id, best_value = NO_OFFER, a.status_quo_value
    for o in a.scenario.offers:  # ties: no offer, then scenario order
        if worst[o.id] > best_value:
            best_id, best_value = o.id, worst[o.id]
    action, main = brief.action, a.main_offer
    sq = utility(a.status_quo_value)
    if best_id == main:
        assert action.startswith(f"What to do: make the '{main}' offer")
        assert f"gives the proposer {utility(worst[main])}, more than no offer ({sq})" in action
    elif best_id == NO_OFFER:
        assert action.startswith("What to do: make no offer")
        assert f"the '{main}' offer gives the proposer {utility(worst[main])}" in action
        assert f"no more than no offer ({sq})" in action
    else:
        assert f"the '{best_id}' offer is the better choice at {utility(worst[best_id])}" in action
        assert f"against {utility(worst[main])} for the '{main}' offer and {sq} for no offer" \
            in action
    # Timing: the talks game's best policy (largest worst-equilibrium value; ties go to
    # the first family in this order), as the verdict's Timing sentence
    t = a.talks
    assert t is not None
    first = best_policy(t)
    if first is None or first.proposer_worst is None:
        assert "Timing" not in action
        return
    assert (f"Timing: of the schedules that end in the '{t.main_offer}' offer, best is "
            f"'{first.family}'") in action
    assert f"worth {utility(first.proposer_worst)}." in action
    assert ("talks only" in action) is any(o == TALKS_ONLY for o in first.offers[:-1])


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_the_verdict_alone_says_what_the_whole_analysis_says(scenario_id: str) -> None:
    """After a slider move the page shows the verdict from an analysis without the
    talks game and the package search, then the whole (thresholds off in both).  So
    every sentence of the first must be the whole analysis's: the question, the
    answer and the deciding numbers the same, the action the same up to the Timing
    sentence, which only the talks game gives."""
    from callbluff.analysis.verdict import analyze

    scenario = _analysis(scenario_id).scenario
    alone = summary(analyze(scenario, thresholds=False, policies=False, package=False))
    whole = summary(analyze(scenario, thresholds=False))
    assert (alone.question, alone.answer, alone.numbers) == (
        whole.question, whole.answer, whole.numbers)
    assert whole.action.startswith(alone.action)
    assert whole.action[len(alone.action):].startswith(" Timing: ")
    assert "Timing" not in alone.action
