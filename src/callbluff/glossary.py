"""Plain glosses of every technical term the faces print (issue 16, "A glossary").

One truth: ``docs/glossary.md`` is written from this table (a test checks that
every term and gloss appears there), ``callbluff analyze --explain`` prints it, the
report shows it as a footnote list and hover titles, and the page as tooltips
(``/api/glossary``).
"""

from __future__ import annotations

#: term -> gloss, in the order a reader meets them.
GLOSSARY: dict[str, str] = {
    "security-only": "a type of target that wants nuclear weapons only to be safe from "
                     "attack; the article says such a regime should accept a bargain that "
                     "guarantees its security.",
    "ulterior motives": "any other reason to want the weapons: prestige, coercion of "
                        "neighbours, selling the technology, or a mix.",
    "type": "one possible hidden motive of the target, with a prior probability; the "
            "proposer does not know which type it faces.",
    "prior": "the probability of a type before the target answers.",
    "equilibrium": "a perfect Bayesian equilibrium: a way for both sides to play in which "
                   "no one gains by changing its choice and the proposer's beliefs follow "
                   "Bayes' rule from what it sees. A game can have several.",
    "the article's test": "Carpenter (2009): if a regime asks for more or balks at "
                          "inspections, it has ulterior motives, \"indisputably\". It holds "
                          "when no security-only type gives any answer but yes in any "
                          "equilibrium.",
    "separates": "an offer separates when no answer is given both by a security-only type "
                 "and by one with ulterior motives, so every answer reveals the motive.",
    "separating": "an equilibrium in which no two types give the same first answer, so "
                  "the answer reveals the exact type (stricter than \"separates\", which "
                  "only asks that it reveal the kind of motive).",
    "pooling": "an equilibrium in which every type gives the same single answer, so the "
               "answer reveals nothing.",
    "semi-separating": "an equilibrium in which every type gives one answer for sure, but "
                       "some types share an answer (partial pooling): an offer can still "
                       "separate the motives if only types of one kind share.",
    "hybrid": "an equilibrium in which some type mixes between answers at random, so some "
              "answers are given by several types.",
    "posterior": "what the proposer should believe about the target's type after an "
                 "answer (Bayes' rule on the prior and the types' answers).",
    "off the path": "an answer that no type gives in the equilibrium, so Bayes' rule says "
                    "nothing about what to believe after it.",
    "proposer-worst": "the equilibrium that gives the proposer the least; the cautious "
                      "reading of an offer.",
    "proposer-best": "the equilibrium that gives the proposer the most; when it differs "
                     "from the proposer-worst one, the equilibria disagree.",
    "accept & cheat": "accept the offer and keep a covert programme, betting that "
                      "inspections miss it.",
    "ask for more": "a counter-demand: answer with a request for a further concession.",
    "balks at inspections": "a counter-demand for the same package under a lighter "
                            "inspection regime.",
    "detection": "the probability that the inspections catch a cheater.",
    "renege risk": "the probability that the proposer withdraws its guarantees once the "
                   "target has disarmed (Iraq 2003, Libya 2011 in Pyongyang's telling).",
    "breakdown risk": "the probability that talks collapse after a counter-demand.",
    "final offer": "an offer declared final: granting a counter-demand afterwards costs "
                   "the proposer an audience cost; finality is credible when walking away "
                   "beats granting.",
    "margin": "how far a number can move before the answer flips (in percentage points), "
              "or by how many utility points a choice beats the next best one.",
    "utility points": "the scenario's own payoff scale; only differences matter.",
    "status quo": "no offer: the proposer keeps its best fallback policy (sanctions, "
                  "containment).",
    "fallback": "what the proposer does when there is no deal or cheating is detected.",
    "threshold": "the exact value of an input at which the verdict flips.",
    "diagnosticity (bits)": "how much the target's answer tells about its type, in bits "
                            "(mutual information): 0 when the answer says nothing, the "
                            "prior's entropy when it reveals the type.",
    "misread probability": "the chance that the proposer's best guess of the motive after "
                           "the answer is wrong.",
    "intuitive criterion": "Cho and Kreps' test of an equilibrium's beliefs off the path: "
                           "yes when no type could gain by an unused answer that only it "
                           "would want; \"nothing to test\" when there is no unused answer.",
    "D1": "a stricter test of off-path beliefs (Banks and Sobel): blame an unused answer "
          "on the type most eager to give it.",
    "pbe-enumeration": "the exact method: every perfect Bayesian equilibrium is found by "
                       "enumerating supports with exact arithmetic.",
    "cheapest separating package": "the least costly set of concessions and inspection "
                                   "regime under which the offer separates.",
    "max regret": "the most any player could gain by deviating; 0 for an exact "
                  "equilibrium.",
}


def gloss(term: str) -> str | None:
    """The gloss of ``term``, if it is in the glossary."""
    return GLOSSARY.get(term)


__all__ = ["GLOSSARY", "gloss"]
