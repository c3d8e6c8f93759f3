"""Textbook games with known equilibria, built with :class:`GameBuilder`.

Each function names its source.  Information sets of the informed player are
labelled by type, those of the receiver by the message it observes, so that the
labels read naturally in results (``μ(weak | quiche)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from callbluff.game.tree import Game, GameBuilder

__all__ = [
    "bargain_example",
    "beer_quiche",
    "inspection_game",
    "kydd_reassurance",
    "signalling_game",
    "spence_education",
]


def signalling_game(
    title: str,
    players: tuple[str, str],
    priors: Mapping[str, Fraction],
    messages: Sequence[str],
    responses: Mapping[str, Sequence[str]],
    payoffs: Mapping[tuple[str, str, str], tuple[Fraction, Fraction]],
) -> Game:
    """A one-shot signalling game: Nature draws a type, the sender (player 0) sends a
    message, the receiver (player 1) answers it seeing only the message.

    ``payoffs[(type, message, response)] = (sender, receiver)``.  Sender
    information sets are labelled by type, receiver information sets by message.
    """
    b = GameBuilder(title, players)
    root = b.chance(None, [(t, Fraction(p)) for t, p in priors.items()], label="type")
    for t in priors:
        s = b.decision(root, 0, t, list(messages), label=t)
        for m in messages:
            r = b.decision(s, 1, m, list(responses[m]), label=f"{t}, {m}")
            for a in responses[m]:
                b.terminal(r, payoffs[(t, m, a)], outcome=f"{t}, {m}, {a}")
    return b.build()


def beer_quiche() -> Game:
    """Beer–Quiche (Cho & Kreps 1987, *QJE* 102(2), §II).

    Payoffs as in Fudenberg & Tirole (1991), *Game Theory*, §11.2 (Fig. 11.6) and
    Gibbons (1992), §4.4: the sender is weak with probability 0.1; it gets 1 for
    its preferred breakfast (weak: quiche, strong: beer) plus 2 if the receiver
    does not duel; the receiver gets 1 for dueling a weak sender or for not
    dueling a strong one, 0 otherwise.  Two pooling outcomes: both beer (quiche
    deterred by μ(weak | quiche) ≥ 1/2) and both quiche (μ(weak | beer) ≥ 1/2);
    only beer pooling survives the intuitive criterion.
    """
    priors = {"weak": Fraction(1, 10), "strong": Fraction(9, 10)}
    pay: dict[tuple[str, str, str], tuple[Fraction, Fraction]] = {}
    for t in priors:
        for m in ("beer", "quiche"):
            for a in ("duel", "not"):
                taste = 1 if (t, m) in {("weak", "quiche"), ("strong", "beer")} else 0
                sender = taste + (2 if a == "not" else 0)
                receiver = 1 if (t, a) in {("weak", "duel"), ("strong", "not")} else 0
                pay[(t, m, a)] = (Fraction(sender), Fraction(receiver))
    return signalling_game(
        "Beer-Quiche (Cho & Kreps 1987)",
        ("Sender", "Receiver"),
        priors,
        ("beer", "quiche"),
        {"beer": ("duel", "not"), "quiche": ("duel", "not")},
        pay,
    )


def spence_education(prior_high: Fraction = Fraction(1, 3)) -> Game:
    """Discrete Spence (1973, *QJE* 87(3)) job-market signalling, as in Gibbons
    (1992), §4.2.B, with two education levels and two wages.

    Productivity is 2 (high) or 1 (low); education ``college`` costs 1/2 (high)
    or 3/2 (low), ``none`` costs 0; the worker gets wage minus cost; the firm
    offers wage 1 or 2 and gets ``-(wage - productivity)^2`` (it pays the
    productivity it expects, the discrete stand-in for Gibbons' competitive
    wage), so it pays 2 iff μ(high) ≥ 1/2.  With ``prior_high = 1/3``: a separating
    outcome (high → college → 2, low → none → 1) and a pooling outcome on ``none``
    (wage 1) supported by μ(high | college) ≤ 1/2, which fails the intuitive
    criterion.
    """
    priors = {"high": Fraction(prior_high), "low": 1 - Fraction(prior_high)}
    prod = {"high": 2, "low": 1}
    cost = {("high", "college"): Fraction(1, 2), ("low", "college"): Fraction(3, 2)}
    pay: dict[tuple[str, str, str], tuple[Fraction, Fraction]] = {}
    for t in priors:
        for m in ("none", "college"):
            for a, w in (("wage 1", 1), ("wage 2", 2)):
                c = cost.get((t, m), Fraction(0))
                pay[(t, m, a)] = (w - c, Fraction(-((w - prod[t]) ** 2)))
    return signalling_game(
        "Spence education (Gibbons 1992, 4.2.B, discrete)",
        ("Worker", "Firm"),
        priors,
        ("none", "college"),
        {"none": ("wage 1", "wage 2"), "college": ("wage 1", "wage 2")},
        pay,
    )


def kydd_reassurance(prior_trustworthy: Fraction = Fraction(1, 2)) -> Game:
    """A costly-reassurance game in the style of Kydd (2005), *Trust and Mistrust
    in International Relations*, ch. 2 (the security dilemma with types) and
    ch. 7 (reassurance by costly signals).

    State B is ``trustworthy`` (security seeker) or ``untrustworthy``
    (expansionist); it may ``reassure`` at cost 3/2 (e.g. unilateral arms
    reduction) or do ``nothing``; state A then ``cooperate``s or ``defect``s.
    A gets 1 cooperating with a trustworthy B, −2 with an untrustworthy one, 0 if
    it defects (so it cooperates iff μ(trustworthy) ≥ 2/3).  B gets, if A
    cooperates, 2 (trustworthy) or 1 (untrustworthy: cooperation constrains its
    expansion), 0 otherwise, minus the cost of reassurance.  As in Kydd, only the
    trustworthy type can afford the costly signal, so reassurance separates.
    """
    priors = {
        "trustworthy": Fraction(prior_trustworthy),
        "untrustworthy": 1 - Fraction(prior_trustworthy),
    }
    gain = {"trustworthy": Fraction(2), "untrustworthy": Fraction(1)}
    a_coop = {"trustworthy": Fraction(1), "untrustworthy": Fraction(-2)}
    pay: dict[tuple[str, str, str], tuple[Fraction, Fraction]] = {}
    for t in priors:
        for m in ("nothing", "reassure"):
            c = Fraction(3, 2) if m == "reassure" else Fraction(0)
            pay[(t, m, "cooperate")] = (gain[t] - c, a_coop[t])
            pay[(t, m, "defect")] = (-c, Fraction(0))
    return signalling_game(
        "Costly reassurance (after Kydd 2005)",
        ("B", "A"),
        priors,
        ("nothing", "reassure"),
        {"nothing": ("cooperate", "defect"), "reassure": ("cooperate", "defect")},
        pay,
    )


def inspection_game(
    a: Fraction = Fraction(1),
    b: Fraction = Fraction(4),
    c: Fraction = Fraction(5),
    d: Fraction = Fraction(2),
    k: Fraction = Fraction(1),
) -> Game:
    """The basic simultaneous inspection game (Avenhaus, von Stengel & Zamir 2002,
    "Inspection games", *Handbook of Game Theory* vol. 3, ch. 51, §2).

    The inspectee acts ``legal``ly or ``violate``s (gain ``d`` if undetected,
    loss ``b`` if caught); the inspector, not seeing it, does ``inspect`` (cost
    ``k``; a caught violation still costs it ``a``) or ``trust``s (an undetected
    violation costs it ``c``).  Payoffs (inspectee, inspector): legal/inspect
    (0, −k); legal/trust (0, 0); violate/inspect (−b, −k−a); violate/trust
    (d, −c).  For ``0 < k < c − a`` the unique equilibrium inspects with
    p* = d/(b+d) and violates with q* = k/(c−a).
    """
    gb = GameBuilder(
        "Inspection game (Avenhaus, von Stengel & Zamir 2002)", ("Inspectee", "Inspector")
    )
    root = gb.decision(None, 0, "inspectee", ["legal", "violate"])
    legal = gb.decision(root, 1, "inspector", ["inspect", "trust"])
    gb.terminal(legal, [0, -k], "legal, inspected")
    gb.terminal(legal, [0, 0], "legal")
    violate = gb.decision(root, 1, "inspector", ["inspect", "trust"])
    gb.terminal(violate, [-b, -k - a], "violation caught")
    gb.terminal(violate, [d, -c], "violation undetected")
    return gb.build()


def bargain_example() -> Game:
    """A small hand-built instance of the bargain game of docs/model.md.

    Two target types (``hardliner``, ``reformer``; prior 1/2 each), one
    counter-demand ``x`` and two fallbacks (``sanctions``, ``strike``); players
    (proposer, target).  The numbers are illustrative, chosen so that the
    formulas of docs/model.md give distinct payoffs:

    ========================  =========  ========
    quantity                  hardliner  reformer
    ========================  =========  ========
    ``A_θ``                   6          2
    ``H_θ``                   4          2
    ``s_θ ι``                 1          1
    ``q_θ``                   0          0
    ========================  =========  ========

    ``B(S) = 3``, ``B(S∪x) = 5``, ``B^irr(S) = 1``, ``B^irr(S∪x) = 2``,
    ``C(S) = 2``, ``C(S∪x) = 4``, ``C^irr(S) = 1``, ``C^irr(S∪x) = 2``,
    ``D = 8``, ``k = 1``, ``d = 1/2``, ``κ = 1/2``, ``F = 2``;
    fallbacks (proposer, target): sanctions (−1, −1) for both types;
    strike (1, −4) against a hardliner, (−3, −4) against a reformer.
    """
    half = Fraction(1, 2)
    types = {"hardliner": half, "reformer": half}
    arsenal = {"hardliner": Fraction(6), "reformer": Fraction(2)}
    harm = {"hardliner": Fraction(4), "reformer": Fraction(2)}
    s_iota = Fraction(1)
    q = Fraction(0)
    value = {"S": Fraction(3), "Sx": Fraction(5)}
    value_irr = {"S": Fraction(1), "Sx": Fraction(2)}
    cost = {"S": Fraction(2), "Sx": Fraction(4)}
    cost_irr = {"S": Fraction(1), "Sx": Fraction(2)}
    big_d, k, det, kappa, penalty = Fraction(8), Fraction(1), half, half, Fraction(2)
    fallbacks = ("sanctions", "strike")
    f_p = {
        ("sanctions", "hardliner"): Fraction(-1),
        ("sanctions", "reformer"): Fraction(-1),
        ("strike", "hardliner"): Fraction(1),
        ("strike", "reformer"): Fraction(-3),
    }
    f_t = {(f, t): Fraction(-1 if f == "sanctions" else -4) for f in fallbacks for t in types}

    gb = GameBuilder("Bargain example (docs/model.md shape)", ("Proposer", "Target"))

    def deal(parent: int, t: str, pkg: str, detected_infoset: str) -> None:
        node = gb.decision(
            parent, 1, f"{t} accepted" if pkg == "S" else f"{t} granted x", ["comply", "cheat"]
        )
        gb.terminal(node, [big_d - cost[pkg] - k, value[pkg] - s_iota], "comply")
        insp = gb.chance(node, [("undetected", 1 - det), ("detected", det)], label="inspection")
        gb.terminal(
            insp,
            [
                (1 - kappa) * big_d - cost[pkg] - k - kappa * harm[t],
                value[pkg] - s_iota + kappa * arsenal[t],
            ],
            "cheat, undetected",
        )
        found = gb.decision(insp, 0, detected_infoset, list(fallbacks))
        for f in fallbacks:
            gb.terminal(
                found,
                [
                    -cost_irr[pkg] - k - kappa * harm[t] + f_p[(f, t)],
                    value_irr[pkg] - s_iota - penalty + kappa * arsenal[t] + q + f_t[(f, t)],
                ],
                f"cheat detected: {f}",
            )

    def no_deal(parent: int, t: str, infoset: str, actions: Sequence[str]) -> None:
        node = gb.decision(parent, 0, infoset, list(actions))
        for f in fallbacks:
            gb.terminal(
                node, [-harm[t] + f_p[(f, t)], arsenal[t] + q + f_t[(f, t)]], f"no deal: {f}"
            )

    root = gb.chance(None, list(types.items()), label="type")
    for t in types:
        top = gb.decision(root, 1, t, ["accept", "counter:x", "reject"])
        deal(top, t, "S", "cheating detected")
        counter = gb.decision(top, 0, "counter:x", ["grant", *(f"walk:{f}" for f in fallbacks)])
        deal(counter, t, "Sx", "cheating detected after granting x")
        for f in fallbacks:
            gb.terminal(
                counter, [-harm[t] + f_p[(f, t)], arsenal[t] + q + f_t[(f, t)]], f"no deal: {f}"
            )
        no_deal(top, t, "rejected", fallbacks)
    return gb.build()
