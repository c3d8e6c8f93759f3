"""The verdict: is the bargain a test, is it worth offering, and how robust is it?

For every offer of a scenario the game of docs/model.md is solved exactly (all
perfect Bayesian equilibria, :func:`callbluff.solve.solve`) and every equilibrium
is read in scenario terms (:mod:`callbluff.analysis.reading`).  Thresholds are the
exact points where the verdict flips (:mod:`callbluff.analysis.thresholds`); the
cheapest separating package is a mixed-integer program
(:mod:`callbluff.analysis.packages`); all in now against more talks is the talks
game of :mod:`callbluff.analysis.talks` (the Timing sentence).

Selection among equilibria: never one alone.  When equilibria disagree the verdict
says so and shows the proposer-best and proposer-worst equilibrium; the
conservative readings (is it worth offering?) use the proposer-worst one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from callbluff.analysis.article import ArticleTest, article_test
from callbluff.analysis.numbers import consecutive_runs
from callbluff.analysis.numbers import exact as exact  # re-exported
from callbluff.analysis.numbers import pct as pct  # re-exported
from callbluff.analysis.offers import OfferAnalysis as OfferAnalysis  # re-exported
from callbluff.analysis.offers import analyze_offer as analyze_offer  # re-exported
from callbluff.analysis.offers import analyze_offer_cached
from callbluff.analysis.packages import PackageDesign, cheapest_separating_package
from callbluff.analysis.reading import EquilibriumReading
from callbluff.analysis.talks import (
    TALKS_FOREVER,
    PolicyResult,
    TalksAnalysis,
    analyze_talks,
    offer_runs,
)
from callbluff.analysis.thresholds import (
    Flip,
    find_flips,
    get_number,
    offer_breakpoints,
    with_number,
    with_prior,
)
from callbluff.display import AnalysisView
from callbluff.game import bargain
from callbluff.game.payoffs import best_fallback, prior
from callbluff.game.talks import NO_OFFER as TALKS_ONLY
from callbluff.scenario.schema import Scenario

MAIN_OFFER_IDS = ("all-in", "comprehensive")
NO_OFFER = "no offer (status quo)"


@dataclass(frozen=True)
class Thresholds:
    """Exact breakpoints of the main offer's verdict (``None``: no such point in range)."""

    detection: Fraction | None
    detection_reading: str
    max_package_cost: Fraction | None
    package_cost_now: Fraction
    package_cost_reading: str
    security_prior_ranges: tuple[tuple[Fraction, Fraction], ...]
    security_prior_reading: str
    custom: Mapping[str, tuple[Flip, ...]] = field(default_factory=dict)


@dataclass(frozen=True, repr=False)  # the short repr of AnalysisView
class ScenarioAnalysis(AnalysisView):
    """The whole answer for a scenario."""

    scenario: Scenario
    main_offer: str
    offers: tuple[OfferAnalysis, ...]
    status_quo_value: Fraction
    status_quo_fallback: str
    best_offer: Mapping[str, str]  # selection rule -> offer id or NO_OFFER
    thresholds: Thresholds | None
    cheapest_package: PackageDesign | None
    article: ArticleTest | None
    verdict: tuple[str, ...]
    talks: TalksAnalysis | None  # the talks game: the Timing sentence, all in now or later

    def offer(self, offer_id: str) -> OfferAnalysis:
        return next(o for o in self.offers if o.offer_id == offer_id)


def main_offer_id(scenario: Scenario) -> str:
    """The comprehensive offer (id ``all-in`` or ``comprehensive``), else the first."""
    ids = [o.id for o in scenario.offers]
    return next((i for i in MAIN_OFFER_IDS if i in ids), ids[0])


def status_quo(scenario: Scenario) -> tuple[Fraction, str]:
    """The proposer's value of making no offer: its best fallback against the prior,
    with no deal (``−H_θ + f_P(θ)`` in expectation)."""
    p = prior(scenario)
    f_id = best_fallback(scenario, p)
    f = scenario.fallback(f_id)
    value = sum((t.prior * (-t.arsenal_harm + f.proposer[t.id]) for t in scenario.types),
                Fraction(0))
    return value, f_id


def best_offers(scenario: Scenario, offers: Sequence[OfferAnalysis]) -> dict[str, str]:
    """The proposer's best choice of offer under each selection rule (ties: no offer,
    then scenario order)."""
    sq, _ = status_quo(scenario)
    choice: dict[str, str] = {}
    def best(o: OfferAnalysis) -> Fraction:
        return o.proposer_best.proposer_value

    def worst(o: OfferAnalysis) -> Fraction:
        return o.proposer_worst.proposer_value

    rules: tuple[tuple[str, Callable[[OfferAnalysis], Fraction]], ...] = (
        ("proposer-best", best), ("proposer-worst", worst))
    for rule, pick in rules:
        best_id, best_value = NO_OFFER, sq
        for o in offers:
            if pick(o) > best_value:
                best_id, best_value = o.offer_id, pick(o)
        choice[rule] = best_id
    return choice


def analyze(
    scenario: Scenario,
    *,
    thresholds: bool = True,
    custom_paths: Sequence[str] = (),
    policies: bool = True,
    package: bool = True,
) -> ScenarioAnalysis:
    """Everything ``callbluff analyze`` reports, computed (never looked up)."""
    offers = tuple(analyze_offer_cached(scenario, o.id) for o in scenario.offers)
    main = main_offer_id(scenario)
    article = article_test(scenario, main, thresholds=thresholds)
    sq_value, sq_fallback = status_quo(scenario)
    best = best_offers(scenario, offers)
    found_thresholds = (
        compute_thresholds(scenario, main, custom_paths) if thresholds else None
    )
    design = cheapest_separating_package(scenario) if package else None
    talks = analyze_talks(scenario, main) if policies else None
    analysis = ScenarioAnalysis(
        scenario=scenario, main_offer=main, offers=offers, status_quo_value=sq_value,
        status_quo_fallback=sq_fallback, best_offer=best, thresholds=found_thresholds,
        cheapest_package=design, article=article, verdict=(), talks=talks,
    )
    return replace(analysis, verdict=plain_verdict(analysis))


# -- thresholds -----------------------------------------------------------------

def compute_thresholds(
    scenario: Scenario, offer_id: str, custom_paths: Sequence[str] = ()
) -> Thresholds:
    offer = scenario.offer(offer_id)
    detection, detection_reading = detection_threshold(scenario, offer_id)
    cost_now = sum((scenario.concession(c).cost for c in offer.concessions), Fraction(0))
    max_cost, cost_reading = _package_cost_threshold(scenario, offer_id, cost_now)
    ranges, prior_reading = _security_prior_ranges(scenario, offer_id)
    custom = {path: tuple(verdict_flips(scenario, path)) for path in custom_paths}
    return Thresholds(detection=detection, detection_reading=detection_reading,
                      max_package_cost=max_cost, package_cost_now=cost_now,
                      package_cost_reading=cost_reading, security_prior_ranges=ranges,
                      security_prior_reading=prior_reading, custom=custom)


def detection_threshold(scenario: Scenario, offer_id: str) -> tuple[Fraction | None, str]:
    path = f"regimes[{scenario.offer(offer_id).regime}].detection"

    def someone_cheats(d: Fraction) -> Hashable:
        variant = with_number(scenario, path, d)
        return bool(analyze_offer_cached(variant, offer_id).cheaters(variant))

    if someone_cheats(Fraction(1)):
        return None, ("even certain detection does not stop every ulterior type from "
                      "accepting and cheating")
    flips = find_flips(someone_cheats, Fraction(0), Fraction(1),
                       breakpoints=offer_breakpoints(scenario, offer_id, path))
    if not flips:
        return Fraction(0), "no ulterior type accepts and cheats at any detection probability"
    at = flips[-1].at
    return at, (f"no ulterior type accepts and cheats once inspections detect cheating with "
                f"probability above {exact(at)}")


def _package_cost_threshold(
    scenario: Scenario, offer_id: str, cost_now: Fraction
) -> tuple[Fraction | None, str]:
    offer = scenario.offer(offer_id)
    ids = set(offer.concessions)
    if not ids:
        return None, "the offer has no concessions: its cost cannot move"

    def with_cost(total: Fraction) -> Scenario:
        # The package's concessions cost `total` together (in their current proportions);
        # every offer that contains them pays the new price.
        def cost_of(c_cost: Fraction) -> Fraction:
            return c_cost * total / cost_now if cost_now > 0 else total / len(ids)
        concessions = [c.model_copy(update={"cost": cost_of(c.cost)}) if c.id in ids else c
                       for c in scenario.concessions]
        return scenario.model_copy(update={"concessions": concessions})

    def beats(total: Fraction) -> Hashable:
        return _is_best_offer(with_cost(total), offer_id)

    scale = abs(scenario.denuclearisation_value) + max(t.arsenal_harm for t in scenario.types)
    scale += max(abs(v) for f in scenario.fallbacks for v in f.proposer.values())
    hi = 4 * (scale + cost_now + 1)
    if not beats(Fraction(0)):
        return None, ("offering it is not the proposer's best policy even if the package "
                      "were free")
    flips = find_flips(beats, Fraction(0), hi, grid=16)
    if not flips:
        return None, "offering beats every alternative at any package cost in range"
    at = flips[0].at
    return at, (f"offering it is the proposer's best policy while the package costs at most "
                f"{exact(at)} (it costs {exact(cost_now)} now)")


def _is_best_offer(scenario: Scenario, offer_id: str) -> bool:
    """Is ``offer_id`` the proposer's choice under worst-equilibrium selection?  Same
    rule as :func:`best_offers` (the status quo wins ties, then scenario order), but
    solving the other offers only as far as needed."""
    value = analyze_offer_cached(scenario, offer_id).proposer_worst.proposer_value
    if value <= status_quo(scenario)[0]:
        return False
    ids = [o.id for o in scenario.offers]
    position = ids.index(offer_id)
    for i, other in enumerate(ids):
        if other == offer_id:
            continue
        other_value = analyze_offer_cached(scenario, other).proposer_worst.proposer_value
        if other_value > value or (other_value == value and i < position):
            return False
    return True


def _security_prior_ranges(
    scenario: Scenario, offer_id: str
) -> tuple[tuple[tuple[Fraction, Fraction], ...], str]:
    security = {t.id for t in scenario.types if t.security_only}
    if not security or len(security) == len(scenario.types):
        return (), "needs both security-only and ulterior types"

    def all_in_is_best(p: Fraction) -> Hashable:
        # Going all in against not going all in (no offer, the status quo), with the
        # conservative worst-equilibrium selection.
        variant = with_prior(scenario, security, p)
        value = analyze_offer_cached(variant, offer_id).proposer_worst.proposer_value
        return value > status_quo(variant)[0]

    flips = find_flips(all_in_is_best, Fraction(0), Fraction(1))
    edges = [Fraction(0), *(f.at for f in flips), Fraction(1)]
    ranges = []
    for lo, hi in itertools.pairwise(edges):
        if all_in_is_best((lo + hi) / 2):
            ranges.append((lo, hi))
    if not ranges:
        return (), f"going all in with {offer_id!r} never beats the status quo"
    text = ", ".join(f"[{exact(lo)}, {exact(hi)}]" for lo, hi in ranges)
    return tuple(ranges), (f"going all in with {offer_id!r} beats the status quo (even in its "
                           f"worst equilibrium) when the prior on security-only types is in "
                           f"{text}")


def headline(scenario: Scenario) -> Hashable:
    """The verdict as a value: does the main offer separate in every equilibrium, and
    is it the proposer's best policy (worst-equilibrium selection)?"""
    main = main_offer_id(scenario)
    separates = analyze_offer_cached(scenario, main).separates_always
    return (
        "separates" if separates else "does not separate",
        "best policy" if _is_best_offer(scenario, main) else "not the best policy",
    )


def verdict_flips(
    scenario: Scenario, path: str, lo: Fraction | None = None, hi: Fraction | None = None,
    verdict: Callable[[Scenario], Hashable] = headline,
) -> list[Flip]:
    """Where the headline verdict flips as the number at ``path`` moves.

    Default range: [0, 1] for probabilities and priors, else [0, 2·value] (or
    [2·value, 0] for a negative number, [-1, 1] for zero)."""
    current = get_number(scenario, path)
    if lo is None or hi is None:
        lo, hi = default_range(path, current)
    return find_flips(lambda x: verdict(with_number(scenario, path, x)), lo, hi)


def default_range(path: str, current: Fraction) -> tuple[Fraction, Fraction]:
    """The range :func:`verdict_flips` searches by default (see there)."""
    leaf = path.rsplit(".", 1)[-1]
    if leaf in {"prior", "detection", "covert_fraction", "discount"}:
        return Fraction(0), Fraction(1)
    if current > 0:
        return Fraction(0), 2 * current
    if current < 0:
        return 2 * current, Fraction(0)
    return Fraction(-1), Fraction(1)


# -- words -----------------------------------------------------------------------------

def _ulterior_accepting(s: Scenario, e: EquilibriumReading) -> list[str]:
    return [t.id for t in s.types if not t.security_only and t.prior > 0
            and e.target_strategy[t.id].accept_comply + e.target_strategy[t.id].accept_cheat > 0]


def spans(parts: Sequence[tuple[Fraction, Fraction]]) -> str:
    """Intervals of [0, 1] in words: "in [0.2, 1]", "at any value", "at no value"."""
    if not parts:
        return "at no value in [0, 1]"
    if len(parts) == 1 and parts[0] == (Fraction(0), Fraction(1)):
        return "at any value"
    return "in " + ", ".join(f"[{exact(lo)}, {exact(hi)}]" for lo, hi in parts)


def rounds_in_words(rounds: Sequence[int]) -> str:
    """``(0, 1, 2, 5)`` → "rounds 0–2 and 5"."""
    words = [f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0])
             for run in consecutive_runs(rounds)]
    head = "round" if len(rounds) == 1 else "rounds"
    return f"{head} " + (" and ".join([", ".join(words[:-1]), words[-1]])
                         if len(words) > 1 else words[0])


_REFUSAL_WORDS = {"counter-demand": "asks for more", "balk": "balks at inspections",
                  "reject": "refuses"}


def hears(s: Scenario, offer_id: str, label: str) -> bool:
    """Does the offer hear this kind of counter-demand ("ask…" or "balk…")?"""
    balks = set(bargain.balk_counter_demands(s, offer_id))
    counters = set(bargain.offer_counter_demands(s, offer_id))
    return bool(balks) if label.startswith("balk") else bool(counters - balks)


def other_answers(s: Scenario, offer_id: str) -> str:
    """The answers other than accepting that the offer admits, in words: "refusing",
    "asking for more or refusing", "asking for more, balking at inspections or
    refusing"."""
    heard = [w for w, label in (("asking for more", "ask"), ("balking at inspections", "balk"))
             if hears(s, offer_id, label)]
    return ", ".join([*heard[:-1], f"{heard[-1]} or refusing"]) if heard else "refusing"


def article_sentences(a: ScenarioAnalysis) -> list[str]:
    """The article's question and its answer, first (docs/model.md, "The article's test")."""
    s, test = a.scenario, a.article
    if test is None:
        return []
    main = a.offer(test.offer_id)
    target = s.target.name
    n = len(main.equilibria)
    offer = f"the '{main.offer_id}' offer"
    lines: list[str] = []
    if test.indisputable is None:
        return lines
    if test.indisputable:
        others = other_answers(s, main.offer_id)
        lines.append(
            f"The article's test holds for {offer}: in every equilibrium ({n} found) a "
            f"security-only {target} accepts, so {others} comes only from one with ulterior "
            "motives.")
        if others == "refusing":
            lines.append(
                f"{offer[0].upper()}{offer[1:]} is take it or leave it: asking for more and "
                "balking at inspections are not answers to it, so the test here is about "
                "refusing only.")
    else:
        refusals = [f"{_REFUSAL_WORDS[k]} (up to {pct(p)})"
                    for k, p in test.security_refusals.items() if p > 0]
        lines.append(
            f"The article's test fails for {offer}: in some of the {n} equilibria a "
            f"security-only {target} {' or '.join(refusals)}, so such an answer does not "
            "prove ulterior motives.")
    worst = main.equilibria.index(main.proposer_worst)
    post = test.posteriors[worst]
    parts = []
    for label, value, attr in (
            ("accept → security-only", post.security_given_accept, "security_given_accept"),
            ("ask for more → ulterior", post.ulterior_given_counter, "ulterior_given_counter"),
            ("balk → ulterior", post.ulterior_given_balk, "ulterior_given_balk"),
            ("refuse → ulterior", post.ulterior_given_reject, "ulterior_given_reject")):
        if label.startswith(("ask", "balk")) and not hears(s, main.offer_id, label):
            continue
        seen = sorted({v for p in test.posteriors if (v := getattr(p, attr)) is not None})
        text = "never given" if value is None else pct(value)
        if len(seen) > 1:
            text += f" (from {pct(seen[0])} to {pct(seen[-1])} across equilibria)"
        parts.append(f"{label} {text}")
    prior_security = sum((t.prior for t in s.types if t.security_only), Fraction(0))
    lines.append(
        f"What the proposer should believe after each answer, in its worst equilibrium "
        f"(prior on security-only {pct(prior_security)}): " + "; ".join(parts) + ".")
    holds = []
    if test.holds_for_detection is not None:
        regime = s.offer(main.offer_id).regime
        holds.append(f"detection {spans(test.holds_for_detection)} (now "
                     f"{exact(s.regime(regime).detection)})")
    if test.holds_for_breakdown_risk is not None and test.breakdown is not None:
        holds.append(f"breakdown risk {spans(test.holds_for_breakdown_risk)} (now "
                     f"{exact(test.breakdown.breakdown_risk)})")
    if test.credibility is not None and test.holds_for_renege_risk is not None:
        holds.append(f"renege risk {spans(test.holds_for_renege_risk)} (now "
                     f"{exact(test.credibility.renege_risk)})")
    if holds:
        lines.append("Inputs moved one at a time, the test holds for " + "; ".join(holds)
                     + ".")
    if test.margins:
        closest = sorted(test.margins, key=lambda m: m.points)[:2]
        lines.append("Closest calls: " + "; ".join(
            f"{m.type_id} would rather {m.chosen} than {m.runner_up} by "
            f"{float(m.points):.2f} points" for m in closest) + ".")
    if test.breakdown is not None:
        secure = [t.id for t in s.types if t.security_only]
        stars = []
        for t_id in secure:
            for x, star in test.breakdown.pi_star[t_id].items():
                if star is not None and 0 < star < 1:
                    stars.append(f"{t_id} accepts rather than ask for {x} once the breakdown "
                                 f"risk is at least {exact(star)}")
        if hears(s, main.offer_id, "ask"):
            stars.append(f"no security-only {target} asks for more in any equilibrium when "
                         f"the breakdown risk is {spans(test.breakdown.demands_more_reveals)}")
        if stars:
            lines.append("Asking costs: " + "; ".join(stars) + ".")
    cred = test.credibility
    if cred is not None:
        if cred.threshold is None:
            text = (f"A security-only {target} does not accept and comply in every equilibrium "
                    "even if the guarantees are sure to hold")
        else:
            text = (f"A security-only {target} accepts and complies in every equilibrium while "
                    f"the risk that the guarantees are withdrawn after it disarms is at most "
                    f"{exact(cred.threshold)} (now {exact(cred.renege_risk)})")
        if cred.band is not None:
            text += (f"; between {exact(cred.band[0])} and {exact(cred.band[1])} some "
                     "equilibria have it do so and others not (it refuses, or accepts and "
                     "cheats to keep a covert deterrent, when it expects a mild response)")
        lines.append(text + ".")
    if test.finality_credible is not None:
        granted = [x for x, ok in test.finality_credible.items() if not ok]
        lines.append(
            "Declaring the offer final is credible: the proposer never grants a "
            "counter-demand in any equilibrium." if not granted else
            f"Declaring the offer final is not credible for {', '.join(granted)}: the "
            "proposer grants it in some equilibrium despite the audience cost.")
    return lines


def plain_verdict(a: ScenarioAnalysis) -> tuple[str, ...]:
    """A policy reader's verdict, every clause computed from the analysis."""
    s = a.scenario
    main = a.offer(a.main_offer)
    lines: list[str] = article_sentences(a)
    target = s.target.name
    name = f"'{main.offer_id}' offer"
    cheaters = main.cheaters(s)
    poolers = sorted({t for e in main.equilibria for t in _ulterior_accepting(s, e)})
    live_secure = [t.id for t in s.types if t.security_only and t.prior > 0]
    live_ulterior = [t.id for t in s.types if not t.security_only and t.prior > 0]
    if not live_secure or not live_ulterior:
        # Separation needs both kinds with positive prior (docs/model.md); saying "not
        # a test" here would read as a failure of the offer rather than of the question.
        kind, ids = (("security-only", live_secure) if live_secure
                     else ("with ulterior motives", live_ulterior))
        lines.append(
            f"Whether the {name} is a test is undefined here: every {target} type with "
            f"positive prior is {kind} ({', '.join(ids)}), so there is nothing to separate.")
    elif main.separates_always:
        lines.append(
            f"The {name} separates the motives in every equilibrium: no answer is given both "
            f"by a security-only {target} and by one with ulterior motives.")
    elif main.separates_sometimes:
        lines.append(
            f"The {name} separates the motives only in some equilibria "
            f"({sum(e.separates for e in main.equilibria)} of {len(main.equilibria)}); "
            "which one is played decides.")
    elif not cheaters and poolers:
        lines.append(
            f"The {name} does not separate the motives, but it still works: types with "
            f"ulterior motives that accept ({', '.join(poolers)}) also comply, so an "
            "acceptance means verified denuclearisation — it just does not reveal the motive.")
    else:
        lines.append(
            f"The {name} does not separate the motives: in every equilibrium some answer is "
            f"given both by a security-only {target} and by one with ulterior motives.")
    if cheaters:
        lines.append(
            f"Types that can accept and cheat: {', '.join(cheaters)} — inspections under "
            f"{main.regime!r} (detection {exact(s.regime(main.regime).detection)}) are "
            "too weak to deter them.")
    worst = main.proposer_worst
    if a.thresholds is not None:
        lines.append(a.thresholds.detection_reading[0].upper() + a.thresholds.detection_reading[1:]
                     + ".")
    best_worst = a.best_offer["proposer-worst"]
    values = {o.offer_id: o.proposer_worst.proposer_value for o in a.offers}
    if best_worst == a.main_offer:
        lines.append(
            f"Worth offering: even in its worst equilibrium the '{main.offer_id}' offer gives the "
            f"proposer {float(worst.proposer_value):.2f}, more than the status quo "
            f"({float(a.status_quo_value):.2f}) and every other offer.")
    elif best_worst == NO_OFFER:
        lines.append(
            f"Not worth offering: in its worst equilibrium the '{main.offer_id}' offer gives "
            f"the proposer {float(worst.proposer_value):.2f}, no more than the status quo "
            f"({float(a.status_quo_value):.2f}), and no other offer beats the status quo.")
    else:
        lines.append(
            f"Best choice for the proposer (each offer in its worst equilibrium): the "
            f"'{best_worst}' offer, worth {float(values[best_worst]):.2f}; the "
            f"'{main.offer_id}' offer is worth {float(worst.proposer_value):.2f} and the "
            f"status quo {float(a.status_quo_value):.2f}.")
    if a.best_offer["proposer-best"] != best_worst:
        lines.append(
            f"Under the proposer-best selection the choice would be "
            f"'{a.best_offer['proposer-best']}': the equilibria disagree.")
    timing = timing_sentence(a)
    if timing is not None:
        lines.append(timing)
    return tuple(lines)


def plan_words(p: PolicyResult) -> str:
    """A policy's schedule in words: "talks only for 2 rounds, then 'all-in' in round 2,
    take it or leave it"; "talks only for 6 rounds, then no deal"."""
    if p.family == TALKS_FOREVER:
        return f"talks only for {len(p.offers)} rounds, then no deal"
    *before, main = p.offers
    words = [("talks only" if offer == TALKS_ONLY else f"'{offer}'")
             + f" for {n} round{'s' if n > 1 else ''}" for offer, n in offer_runs(before)]
    return ", then ".join([*words, f"'{main}' in round {len(before)}, take it or leave it"])


def _path_words(s: Scenario, p: PolicyResult) -> str:
    """The posterior, the uncertainty and who settles when on a policy's worst path."""
    security = [pct(r.security_probability) for r in p.path]
    bits = [f"{r.unknown_bits:.2f}" for r in p.path]
    if p.final_belief:
        security.append(pct(p.final_security_probability))
        bits.append(f"{p.final_unknown_bits:.2f}")
    settled = []
    for t, first in p.settles.items():
        if first is None:
            continue
        # A type that mixes may settle over several rounds, and in all with a chance.
        rounds = [r for r in p.path if t in r.settling]
        when = ", ".join(f"{r.round} (arsenal worth {float(r.arsenal):.2f}× today's)"
                         for r in rounds)
        chance = p.settle_probability[t]
        settled.append(f"{t} in round{'s' if len(rounds) > 1 else ''} {when}"
                       + ("" if chance == 1 else f" with probability {pct(chance)} in all"))
    never = [t for t, r in p.settles.items() if r is None]
    who = "; ".join(
        ([f"settles: {', '.join(settled)}"] if settled else ["no type settles"])
        + ([f"never: {', '.join(never)}"] if never else []))
    return (f"the chance that {s.target.name} is security-only goes "
            f"{' → '.join(security)} and how much is still unknown {' → '.join(bits)} "
            f"bits (at the start of each round, then after the last refusal); {who}")


def timing_sentence(a: ScenarioAnalysis) -> str | None:
    """The Timing sentence, from the talks game (docs/model.md, "Talks that teach"):
    the best policy (each in its proposer-worst equilibrium), all in now, the value of
    acting now, and the best policy's posterior path."""
    t = a.talks
    if t is None:
        return None
    s = a.scenario
    head = (f"Timing (talks over {t.horizon} round{'s' if t.horizon > 1 else ''}, "
            f"schedules that end in the '{t.main_offer}' offer, each offer take it or "
            "leave it, each policy in its worst equilibrium)")
    left_out = sum(p.proposer_worst is None for p in t.policies)
    caveat = (f" ({left_out} polic{'ies' if left_out > 1 else 'y'} left out: no "
              "equilibrium found)" if left_out else "")
    if t.best is None or t.best.proposer_worst is None:
        return f"{head}: no policy has an equilibrium{caveat}."
    best = t.best
    assert best.proposer_worst is not None
    parts = [f"{head}: best is '{best.family}' ({plan_words(best)}), worth "
             f"{float(best.proposer_worst):.2f} to the proposer"]
    now = t.all_in_now.proposer_worst
    if best is not t.all_in_now and now is not None:
        parts.append(f"all in now is worth {float(now):.2f}")
    gap = t.value_of_acting_now
    if gap is not None:
        parts.append("acting now is worth the same as the best policy that waits" if not gap
                     else f"acting now is worth {abs(float(gap)):.2f} "
                     f"{'more' if gap > 0 else 'less'} than the best policy that waits")
    free = t.unrestricted
    if free.proposer_worst is not None:
        parts.append(
            "without the commitment to walk away (any offer in any round, each a best "
            f"reply to the proposer's belief) the worst equilibrium with pure answers "
            f"is worth {float(free.proposer_worst):.2f}"
            + (f" (in {free.no_pure_answers} state{'s' if free.no_pure_answers > 1 else ''}"
               " an offer whose answers have no pure equilibrium is left out, "
               "docs/algorithms.md)" if free.no_pure_answers else ""))
    return "; ".join(parts) + f"{caveat}. On its path {_path_words(s, best)}."
