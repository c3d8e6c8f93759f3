"""Independent exact verification of a behaviour profile with beliefs.

Given behaviour at every information set and beliefs at the information sets
that are not reached, compute by plain backward induction on the tree (exact
``Fraction`` arithmetic) each player's regret at every information set: the best
deviation value minus the value of the prescribed behaviour, in expectation
under the belief (Bayes' rule where the set is reached).  A profile is a weak
perfect Bayesian equilibrium (Fudenberg & Tirole 1991, *Game Theory*, §8.2;
Mas-Colell, Whinston & Green 1995, §9.C) iff the maximum regret is exactly 0.

The *agent* regret is the ex-ante version (each information set's deviation
gain weighted by the probability of reaching it), the quantity Gambit's
``MixedBehaviorProfile.agent_max_regret`` reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from callbluff.game.tree import Game, NodeKind
from callbluff.solve.exact import LinearSystem, exact_point
from callbluff.solve.result import LinearInequality

__all__ = [
    "Behaviour",
    "belief_polyhedron",
    "node_values",
    "reach_probabilities",
    "regrets",
]

Behaviour = Sequence[Sequence[Fraction]]  # per information set id, per action index


def node_values(game: Game, beh: Behaviour) -> list[tuple[Fraction, ...]]:
    """Expected payoff of every player at every node under ``beh``."""
    k = len(game.players)
    vals: list[tuple[Fraction, ...]] = [()] * len(game.nodes)
    for node in reversed(game.nodes):
        if node.kind is NodeKind.TERMINAL:
            vals[node.id] = node.payoffs
            continue
        probs = (
            node.chance_probs if node.kind is NodeKind.CHANCE else beh[node.infoset]  # type: ignore[index]
        )
        acc = [Fraction(0)] * k
        for p, child in zip(probs, node.children, strict=True):
            if p:
                cv = vals[child]
                for i in range(k):
                    acc[i] += p * cv[i]
        vals[node.id] = tuple(acc)
    return vals


def reach_probabilities(game: Game, beh: Behaviour) -> list[Fraction]:
    """Probability of reaching every node under ``beh`` (chance included)."""
    reach = [Fraction(0)] * len(game.nodes)
    reach[0] = Fraction(1)
    for node in game.nodes:
        if node.kind is NodeKind.TERMINAL:
            continue
        probs = (
            node.chance_probs if node.kind is NodeKind.CHANCE else beh[node.infoset]  # type: ignore[index]
        )
        for p, child in zip(probs, node.children, strict=True):
            reach[child] = reach[node.id] * p
    return reach


def bayes_beliefs(
    game: Game, reach: Sequence[Fraction], infoset: int
) -> dict[int, Fraction] | None:
    """Bayes' rule at ``infoset``; ``None`` if it is reached with probability 0."""
    h = game.infosets[infoset]
    total = sum((reach[n] for n in h.nodes), Fraction(0))
    if total == 0:
        return None
    return {n: reach[n] / total for n in h.nodes}


def regrets(
    game: Game,
    beh: Behaviour,
    off_path_beliefs: Mapping[int, Mapping[int, Fraction]],
    values: Sequence[tuple[Fraction, ...]] | None = None,
    reach: Sequence[Fraction] | None = None,
) -> tuple[Fraction, Fraction]:
    """(max regret over information sets given beliefs, agent max regret ex ante).

    Reached information sets use Bayes' rule (``off_path_beliefs`` is ignored
    there); unreached ones with several nodes need an entry in
    ``off_path_beliefs`` (a distribution over the set's nodes).  ``values`` and
    ``reach`` (:func:`node_values`, :func:`reach_probabilities` of ``beh``) are
    computed when not given.
    """
    vals = node_values(game, beh) if values is None else values
    reach = reach_probabilities(game, beh) if reach is None else reach
    worst = Fraction(0)
    agent = Fraction(0)
    for h in game.infosets:
        p = h.player
        mu = bayes_beliefs(game, reach, h.id)
        if mu is None:
            if len(h.nodes) == 1:
                mu = {h.nodes[0]: Fraction(1)}
            else:
                given = off_path_beliefs.get(h.id)
                if given is None:
                    raise ValueError(f"no belief given at unreached information set {h.label!r}")
                if any(v < 0 for v in given.values()) or sum(given.values(), Fraction(0)) != 1:
                    raise ValueError(f"belief at {h.label!r} is not a distribution")
                mu = dict(given)
        act_vals = []
        for a in range(len(h.actions)):
            act_vals.append(
                sum(
                    (w * vals[game.nodes[n].children[a]][p] for n, w in mu.items()),
                    Fraction(0),
                )
            )
        current = sum((q * v for q, v in zip(beh[h.id], act_vals, strict=True)), Fraction(0))
        gain = max(act_vals) - current
        worst = max(worst, gain)
        mass = sum((reach[n] for n in h.nodes), Fraction(0))
        agent = max(agent, mass * gain)
    return worst, agent


def belief_polyhedron(
    game: Game,
    vals: Sequence[tuple[Fraction, ...]],
    beh: Behaviour,
    infoset: int,
) -> tuple[tuple[LinearInequality, ...], dict[int, Fraction] | None]:
    """Beliefs over ``infoset``'s nodes under which its behaviour is optimal.

    The continuation (``vals``) is held fixed.  Returns the constraints (besides
    the simplex) and one exact supporting belief, or ``None`` if there is none.
    """
    h = game.infosets[infoset]
    p = h.player
    support = [a for a, q in enumerate(beh[infoset]) if q > 0]
    rep = support[0]
    diffs: list[tuple[list[Fraction], str]] = []
    for a in range(len(h.actions)):
        if a == rep:
            continue
        coeffs = [
            vals[game.nodes[n].children[a]][p] - vals[game.nodes[n].children[rep]][p]
            for n in h.nodes
        ]
        if all(c == 0 for c in coeffs):
            continue
        diffs.append((coeffs, "==" if a in support else "<="))
    ineqs = tuple(
        LinearInequality(
            tuple((n, c) for n, c in zip(h.nodes, coeffs, strict=True) if c != 0),
            sense,
            Fraction(0),
        )
        for coeffs, sense in diffs
    )
    system = LinearSystem(
        len(h.nodes),
        [({i: Fraction(1) for i in range(len(h.nodes))}, Fraction(1))],
        [],
    )
    for coeffs, sense in diffs:
        row = {i: c for i, c in enumerate(coeffs) if c != 0}
        (system.eq if sense == "==" else system.ub).append((row, Fraction(0)))
    point = exact_point(system)
    if point is None:
        return ineqs, None
    return ineqs, {n: point[i] for i, n in enumerate(h.nodes)}
