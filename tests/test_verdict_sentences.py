"""Every verdict sentence agrees with the numbers it summarises, on every built-in
scenario.

Each check reads the numbers back out of the printed sentence and compares them
with a recomputation from the raw equilibria (each type's answer probabilities,
the proposer's values, the policy table) — not with the structures the sentence
was written from — and, for the thresholds, with exact solves on either side of
the value the sentence states.  A sentence that contradicts its table fails here.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import cache

import pytest

from callbluff.analysis.offers import analyze_offer
from callbluff.analysis.reading import EquilibriumReading
from callbluff.analysis.thresholds import with_number
from callbluff.analysis.verdict import NO_OFFER, ScenarioAnalysis, analyze, pct
from callbluff.scenario.builtin import list_builtin
from callbluff.scenario.loader import load_scenario
from callbluff.scenario.schema import Scenario
from talks_oracle import best_policy

pytestmark = pytest.mark.slow

NUMBER = r"-?\d+(?:\.\d+)?"


@cache
def _analysis(scenario_id: str) -> ScenarioAnalysis:
    return analyze(load_scenario(scenario_id))


def _line(a: ScenarioAnalysis, start: str) -> str | None:
    return next((line for line in a.verdict if line.startswith(start)), None)


def _accepts(e: EquilibriumReading, type_id: str) -> Fraction:
    st = e.target_strategy[type_id]
    return st.accept_comply + st.accept_cheat


def _secure(s: Scenario) -> list[str]:
    return [t.id for t in s.types if t.security_only and t.prior > 0]


def _balks(s: Scenario, counter_id: str) -> bool:
    return s.concession(counter_id).regime is not None


SCENARIOS = list_builtin()


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_the_article_headline_matches_every_equilibrium(scenario_id: str) -> None:
    a = _analysis(scenario_id)
    s, main = a.scenario, a.offer(a.main_offer)
    holds, fails = (_line(a, f"The article's test {w} for") for w in ("holds", "fails"))
    secure = _secure(s)
    ulterior = [t.id for t in s.types if not t.security_only and t.prior > 0]
    if not secure or not ulterior:
        assert holds is None and fails is None
        return
    always = all(_accepts(e, t) == 1 for e in main.equilibria for t in secure)
    assert (holds is not None) is always and (fails is not None) is (not always)
    assert f"'{main.offer_id}' offer" in (holds or fails or "")
    if holds is not None:
        assert f"({len(main.equilibria)} found)" in holds
        # the answers it names are the ones the offer admits (read from the file:
        # listed counter-demands, or all when none are listed; a balk asks for a regime)
        offer = s.offer(main.offer_id)
        listed = ([c.id for c in s.counter_demands] if offer.counter_demands is None
                  else offer.counter_demands)
        asks = any(not _balks(s, x) for x in listed)
        balks = any(_balks(s, x) for x in listed)
        assert ("asking for more" in holds) is asks
        assert ("balking at inspections" in holds) is balks
        only_refusal = _line(a, f"The '{main.offer_id}' offer is take it or leave it")
        assert (only_refusal is not None) is (not asks and not balks)
    if fails is not None:
        # each refusal named, with the largest probability any equilibrium gives it
        by_kind: dict[str, Fraction] = {"asks for more": Fraction(0),
                                        "balks at inspections": Fraction(0),
                                        "refuses": Fraction(0)}
        for e in main.equilibria:
            for t in secure:
                st = e.target_strategy[t]
                ask = sum((p for x, p in st.counter_by_demand.items() if not _balks(s, x)),
                          Fraction(0))
                balk = sum((p for x, p in st.counter_by_demand.items() if _balks(s, x)),
                           Fraction(0))
                for kind, p in (("asks for more", ask), ("balks at inspections", balk),
                                ("refuses", st.reject)):
                    by_kind[kind] = max(by_kind[kind], p)
        for kind, p in by_kind.items():
            assert (f"{kind} (up to {pct(p)})" in fails) is (p > 0), (kind, fails)


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_posteriors_sentence_is_bayes_rule_on_the_worst_equilibrium(scenario_id: str) -> None:
    a = _analysis(scenario_id)
    s, main = a.scenario, a.offer(a.main_offer)
    line = _line(a, "What the proposer should believe")
    if line is None:
        return
    worst = main.proposer_worst
    prior = {t.id: t.prior for t in s.types}

    def share(answer_mass: dict[str, Fraction], security: bool) -> Fraction | None:
        total = sum(answer_mass.values(), Fraction(0))
        if total == 0:
            return None
        return sum((m for t, m in answer_mass.items()
                    if s.target_type(t).security_only == security), Fraction(0)) / total

    accept = {t: prior[t] * _accepts(worst, t) for t in prior}
    refuse = {t: prior[t] * worst.target_strategy[t].reject for t in prior}
    expected = share(accept, True)
    found = re.search(r"accept → security-only (never given|<?[\d.]+%)", line)
    assert found is not None
    assert found.group(1) == ("never given" if expected is None else pct(expected))
    expected = share(refuse, False)
    found = re.search(r"refuse → ulterior (never given|<?[\d.]+%)", line)
    assert found is not None
    assert found.group(1) == ("never given" if expected is None else pct(expected))
    secure_prior = sum((t.prior for t in s.types if t.security_only), Fraction(0))
    assert f"(prior on security-only {pct(secure_prior)})" in line


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_separation_sentence_matches_the_equilibria(scenario_id: str) -> None:
    a = _analysis(scenario_id)
    s, main = a.scenario, a.offer(a.main_offer)
    secure = set(_secure(s))
    ulterior = {t.id for t in s.types if not t.security_only and t.prior > 0}
    if not secure or not ulterior:
        return

    def separates(e: EquilibriumReading) -> bool:
        given = {kind: {t for t in secure | ulterior if p(e.target_strategy[t]) > 0}
                 for kind, p in (
                     ("accept", lambda st: st.accept_comply + st.accept_cheat),
                     ("reject", lambda st: st.reject))}
        for x in next(iter(e.target_strategy.values())).counter_by_demand:
            given[x] = {t for t in secure | ulterior
                        if e.target_strategy[t].counter_by_demand[x] > 0}
        return not any(g & secure and g & ulterior for g in given.values())

    count = sum(separates(e) for e in main.equilibria)
    every = _line(a, f"The '{main.offer_id}' offer separates the motives in every")
    some = _line(a, f"The '{main.offer_id}' offer separates the motives only in some")
    assert (every is not None) is (count == len(main.equilibria))
    assert (some is not None) is (0 < count < len(main.equilibria))
    if some is not None:
        assert f"({count} of {len(main.equilibria)})" in some


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_best_offer_sentence_quotes_the_value_of_the_offer_it_names(scenario_id: str) -> None:
    a = _analysis(scenario_id)
    worst = {o.offer_id: min(e.proposer_value for e in o.equilibria) for o in a.offers}
    sq = a.status_quo_value
    best_id, best_value = NO_OFFER, sq
    for o in a.scenario.offers:  # ties: the status quo, then scenario order
        if worst[o.id] > best_value:
            best_id, best_value = o.id, worst[o.id]
    main = a.main_offer
    worth = _line(a, "Worth offering")
    not_worth = _line(a, "Not worth offering")
    other = _line(a, "Best choice for the proposer")
    assert (worth is not None) is (best_id == main)
    assert (not_worth is not None) is (best_id == NO_OFFER)
    assert (other is not None) is (best_id not in (main, NO_OFFER))
    line = worth or not_worth or other
    assert line is not None
    quoted = dict(re.findall(rf"'([^']+)' offer(?:,| is| gives the proposer)? (?:worth )?"
                             rf"({NUMBER})", line))
    assert quoted[main] == f"{float(worst[main]):.2f}"
    if other is not None:
        assert quoted[best_id] == f"{float(worst[best_id]):.2f}"
    assert f"{float(sq):.2f}" in line


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_timing_sentence_matches_the_talks_game(scenario_id: str) -> None:
    """The Timing sentence names the policy with the largest worst-equilibrium value
    among those compared (ties: the first family of all in now, step by step, talks
    then all in, talks forever), quotes that value, and the value of acting now as
    all in now minus the best waiting policy (talks then all in, talks forever)."""
    a = _analysis(scenario_id)
    line = _line(a, "Timing")
    t = a.talks
    assert t is not None and line is not None
    first = best_policy(t)
    assert first is not None and first.proposer_worst is not None
    # every policy compared ends in the main offer: the sentence says which
    assert all(p.offers[-1] == a.main_offer for p in t.policies if p.family != "talks forever")
    assert f"schedules that end in the '{a.main_offer}' offer" in line
    assert f"best is '{first.family}'" in line
    assert f"worth {float(first.proposer_worst):.2f} to the proposer" in line
    waiting = [p.proposer_worst for p in t.policies if p.proposer_worst is not None
               and p.family in ("talks, then all in", "talks forever")]
    now = t.all_in_now.proposer_worst
    if now is not None and waiting:
        gap = now - max(w for w in waiting if w is not None)
        assert (f"acting now is worth {abs(float(gap)):.2f} "
                f"{'more' if gap > 0 else 'less'} than" in line if gap
                else "acting now is worth the same as" in line)


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_credibility_threshold_sentence_by_solving_on_either_side(scenario_id: str) -> None:
    a = _analysis(scenario_id)
    line = _line(a, f"A security-only {a.scenario.target.name} accepts and complies in every")
    if line is None:
        return
    found = re.search(rf"is at most ({NUMBER})(?: \((\d+)/(\d+)\))?", line)
    assert found is not None
    at = (Fraction(int(found.group(2)), int(found.group(3))) if found.group(2)
          else Fraction(found.group(1)))
    secure = _secure(a.scenario)

    def all_accept(rho: Fraction) -> bool:
        variant = with_number(a.scenario, "bargaining.renege_risk", rho)
        offer = analyze_offer(variant, a.main_offer)
        return all(e.target_strategy[t].accept_comply == 1
                   for e in offer.equilibria for t in secure)

    step = Fraction(1, 1000)
    assert all_accept(max(at - step, Fraction(0)))
    if at < 1:
        assert not all_accept(min(at + step, Fraction(1)))
