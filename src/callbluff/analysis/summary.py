"""The one screen every face opens with (issue 16): the article's question and its
answer, the few numbers that decide it (each with its threshold and margin), and
what to do.

Every clause is read from the analysis (:class:`callbluff.analysis.verdict.ScenarioAnalysis`
and its :class:`callbluff.analysis.article.ArticleTest`); nothing is solved here.
The detail (every sentence of :func:`callbluff.analysis.verdict.plain_verdict`, the
equilibria) follows it in each face, folded.

"The test" is the article's inference ("indisputable" in docs/model.md): no
security-only type gives any refusing answer in any equilibrium.  Margins are
distances from the current value of an input to the nearest point where it flips,
in percentage points for probabilities; a comparison's margin is the utility points
by which the chosen answer beats the next best one
(:func:`callbluff.analysis.article.margins`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from callbluff.analysis.article import ArticleTest, Margin
from callbluff.analysis.numbers import consecutive_runs, pct, pct_exact, utility
from callbluff.analysis.offers import OfferAnalysis
from callbluff.analysis.reading import TypeStrategy
from callbluff.analysis.verdict import (
    NO_OFFER,
    ScenarioAnalysis,
    other_answers,
    plan_words,
)
from callbluff.scenario.schema import Scenario

Interval = tuple[Fraction, Fraction]
WHOLE = ((Fraction(0), Fraction(1)),)


@dataclass(frozen=True)
class Summary:
    """The summary in sentences: ``question``, ``answer``, ``numbers`` (one sentence
    per deciding number) and ``action``."""

    question: str
    answer: str
    numbers: tuple[str, ...]
    action: str

    def lines(self) -> tuple[str, ...]:
        """Every sentence, in reading order."""
        return (self.question, self.answer, *self.numbers, self.action)


def points(x: Fraction) -> str:
    """A distance between two probabilities in percentage points: "28.8 points"."""
    text = f"{100 * float(x):.1f}".removesuffix(".0")
    return f"{text} percentage points"


def range_in_words(holds: Sequence[Interval], now: Fraction) -> str:
    """Where an answer holds on [0, 1], read from ``now``: "at any value", "up to
    48.8% (margin …)", "from 37.1% (43/116) (margin …)", "at no value"."""
    if tuple(holds) == WHOLE:
        return "at any value"
    if not holds:
        return "at no value"
    inside = next(((lo, hi) for lo, hi in holds if lo <= now <= hi), None)
    if inside is None:
        nearest = min((edge for part in holds for edge in part), key=lambda e: abs(e - now))
        return (f"only {_interval_words(holds)}, so not now: "
                f"{points(abs(nearest - now))} short of {pct_exact(nearest)}")
    lo, hi = inside
    edges = [e for e in (lo, hi) if e not in (Fraction(0), Fraction(1))]
    margin = min(abs(e - now) for e in edges)
    return f"{_interval_words((inside,))} (margin {points(margin)})"


def _interval_words(holds: Sequence[Interval]) -> str:
    words = []
    for lo, hi in holds:
        if lo == 0:
            words.append(f"up to {pct_exact(hi)}")
        elif hi == 1:
            words.append(f"from {pct_exact(lo)}")
        else:
            words.append(f"between {pct_exact(lo)} and {pct_exact(hi)}")
    return " or ".join(words)


def _question(a: ScenarioAnalysis) -> str:
    target = a.scenario.target.name
    others = other_answers(a.scenario, a.main_offer)
    return (f"Question: would a {target} that wants the bomb only for security accept the "
            f"'{a.main_offer}' offer, so that {others} reveals ulterior motives?")


def _answer(a: ScenarioAnalysis, test: ArticleTest | None) -> str:
    s, main = a.scenario, a.offer(a.main_offer)
    target = s.target.name
    n = len(main.equilibria)
    if test is None or test.indisputable is None:
        live = [t for t in s.types if t.prior > 0]
        kind = "security-only" if all(t.security_only for t in live) else "ulterior"
        return (f"Answer: undefined here: every {target} type with positive prior is "
                f"{kind}, so there is no motive to reveal.")
    worst = test.posteriors[main.equilibria.index(main.proposer_worst)]
    if test.indisputable:
        accept = worst.security_given_accept
        after = ("" if accept is None else
                 f" An acceptance comes from a security-only {target} with probability "
                 f"{pct(accept)} (worst equilibrium for the proposer).")
        return (f"Answer: yes, in every equilibrium ({n} found): a security-only {target} "
                f"accepts, so any other answer comes from one with ulterior motives." + after)
    words = {"counter-demand": "asks for more", "balk": "balks at inspections",
             "reject": "refuses"}
    refusals = " or ".join(f"{words[k]} (up to {pct(p)})"
                           for k, p in test.security_refusals.items() if p > 0)
    return (f"Answer: no: in some of the {n} equilibria a security-only {target} {refusals}, "
            "so such an answer does not prove ulterior motives.")


def _margin_sentence(m: Margin, target: str, secure: bool) -> str:
    who = f"a security-only {target}" if secure else f"the {m.type_id} type"
    return (f"Closest call{'' if secure else ' among ulterior types'}: {who} would rather "
            f"{m.chosen} than {m.runner_up}, by {utility(m.points)} utility points"
            + (" (indifferent)." if m.points == 0 else "."))


def _numbers(a: ScenarioAnalysis, test: ArticleTest | None) -> tuple[str, ...]:
    s = a.scenario
    if test is None or test.indisputable is None:
        return ()
    out: list[str] = []
    regime = s.offer(a.main_offer).regime
    detection = s.regime(regime).detection
    if test.holds_for_detection is not None:
        text = (f"Detection of cheating under '{regime}': now {pct(detection)}; the test "
                f"holds {range_in_words(test.holds_for_detection, detection)}")
        cut = None if a.thresholds is None else a.thresholds.detection
        if cut == 0:
            text += "; no ulterior type accepts and cheats at any detection"
        elif cut is not None:
            text += (f"; no ulterior type accepts and cheats above {pct_exact(cut)}"
                     + (f" (margin {points(detection - cut)})" if detection > cut else
                        f", so some now can ({points(cut - detection)} short)"))
        out.append(text + ".")
    if test.credibility is not None and test.holds_for_renege_risk is not None:
        rho = test.credibility.renege_risk
        out.append(f"Risk that the guarantees are withdrawn after disarmament: now {pct(rho)}; "
                   f"the test holds {range_in_words(test.holds_for_renege_risk, rho)}.")
    if test.breakdown is not None and test.holds_for_breakdown_risk is not None:
        pi = test.breakdown.breakdown_risk
        out.append(f"Risk that talks break down after a counter-demand: now {pct(pi)}; the "
                   f"test holds {range_in_words(test.holds_for_breakdown_risk, pi)}.")
    cheaters = a.offer(a.main_offer).cheaters(s)
    if cheaters:
        out.append(f"Types that can accept and cheat now, as inspections under '{regime}' "
                   f"(detection {pct(detection)}) are too weak to deter them: "
                   f"{', '.join(cheaters)}.")
    secure = {t.id for t in s.types if t.security_only}
    mine = [m for m in test.margins if m.type_id in secure]
    theirs = [m for m in test.margins if m.type_id not in secure]
    if mine:
        out.append(_margin_sentence(min(mine, key=lambda m: m.points), s.target.name, True))
    if theirs:
        out.append(_margin_sentence(min(theirs, key=lambda m: m.points), s.target.name, False))
    return tuple(out)


def _action(a: ScenarioAnalysis) -> str:
    main = a.main_offer
    value = {o.offer_id: o.proposer_worst.proposer_value for o in a.offers}
    best = a.best_offer["proposer-worst"]
    sq = utility(a.status_quo_value)
    if best == main:
        text = (f"What to do: make the '{main}' offer: even in its worst equilibrium it "
                f"gives the proposer {utility(value[main])}, more than no offer ({sq}) and "
                "every other offer.")
    elif best == NO_OFFER:
        text = (f"What to do: make no offer: the '{main}' offer gives the proposer "
                f"{utility(value[main])} in its worst equilibrium, no more than no offer "
                f"({sq}), and no other offer does better.")
    else:
        text = (f"What to do: by the proposer's own values (each offer in its worst "
                f"equilibrium) the '{best}' offer is the better choice at "
                f"{utility(value[best])}, against {utility(value[main])} for the "
                f"'{main}' offer and {sq} for no offer.")
    if a.talks is not None and (policy := a.talks.best) is not None \
            and policy.proposer_worst is not None:
        # the talks game, as the verdict's Timing sentence (docs/model.md, "Talks that teach")
        text += (f" Timing: of the schedules that end in the '{a.talks.main_offer}' "
                 f"offer, best is '{policy.family}' ({plan_words(policy)}), "
                 f"worth {utility(policy.proposer_worst)}.")
    return text


# -- the detail, folded: equilibria grouped by what differs ------------------------------

#: Short names of the first answers in tables (:data:`ANSWER_LEGEND` spells them out).
SHORT_ANSWERS = (("accept_comply", "comply"), ("accept_cheat", "cheat"), ("counter", "ask"),
                 ("balk", "balk"), ("reject", "reject"))
ANSWER_LEGEND = ("comply: accepts and complies; cheat: accepts and cheats; ask: asks for "
                 "more; balk: balks at inspections; reject: refuses.")


def answer_cell(st: TypeStrategy) -> str:
    """A type's first answer in a table cell: "comply", or "ask 50% reject 50%"."""
    parts = [(label, p) for key, label in SHORT_ANSWERS if (p := st.as_dict()[key]) > 0]
    if len(parts) == 1:
        return parts[0][0]
    return " ".join(f"{label} {pct(p)}" for label, p in parts)


def numbers_in_words(indices: Sequence[int]) -> str:
    """``[0, 1, 2, 5]`` → "1–3, 6" (equilibria are numbered from 1 for people)."""
    return ", ".join(f"{r[0] + 1}–{r[-1] + 1}" if len(r) > 1 else str(r[0] + 1)
                     for r in consecutive_runs(indices))


@dataclass(frozen=True)
class EquilibriumGroup:
    """Equilibria (indices) in which every type answers alike; ``answers`` of the
    types that differ between groups; ``separates`` ``None`` when members disagree;
    ``notes``: the shared classification and the proposer-best/worst tags."""

    members: tuple[int, ...]
    answers: tuple[str, ...]
    separates: bool | None
    lowest_value: Fraction
    highest_value: Fraction
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Grouping:
    """An offer's equilibria: what every one shares (type, answer), the types whose
    answer differs, and the groups."""

    common: tuple[tuple[str, str], ...]
    varying: tuple[str, ...]
    groups: tuple[EquilibriumGroup, ...]


def group_equilibria(scenario: Scenario, offer: OfferAnalysis) -> Grouping:
    """Group ``offer``'s equilibria by the target's answers (see :class:`Grouping`)."""
    answers = [{t.id: answer_cell(e.target_strategy[t.id]) for t in scenario.types}
               for e in offer.equilibria]
    varying = tuple(t.id for t in scenario.types if len({x[t.id] for x in answers}) > 1)
    common = tuple((t.id, answers[0][t.id]) for t in scenario.types if t.id not in varying)
    by_key: dict[tuple[str, ...], list[int]] = {}
    for i, x in enumerate(answers):
        by_key.setdefault(tuple(x[t] for t in varying), []).append(i)
    worst = offer.equilibria.index(offer.proposer_worst)
    best = offer.equilibria.index(offer.proposer_best)
    groups = []
    for key, members in by_key.items():
        chosen = [offer.equilibria[i] for i in members]
        seps = {e.separates for e in chosen}
        kinds = {e.classification for e in chosen}
        values = [e.proposer_value for e in chosen]
        tags = [tag for tag, i in (("proposer-worst", worst), ("proposer-best", best))
                if i in members]
        groups.append(EquilibriumGroup(
            members=tuple(members), answers=key,
            separates=seps.pop() if len(seps) == 1 else None,
            lowest_value=min(values), highest_value=max(values),
            notes=(*(kinds if len(kinds) == 1 else ()), *tags)))
    return Grouping(common=common, varying=varying, groups=tuple(groups))


def summary(a: ScenarioAnalysis) -> Summary:
    """The summary of an analysis (see the module docstring)."""
    test = a.article
    return Summary(question=_question(a), answer=_answer(a, test),
                   numbers=_numbers(a, test), action=_action(a))


__all__ = ["ANSWER_LEGEND", "EquilibriumGroup", "Grouping", "Summary", "answer_cell",
           "group_equilibria", "numbers_in_words", "points", "range_in_words", "summary"]
