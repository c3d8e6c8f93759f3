"""Exact verification of a behaviour profile with beliefs.

Given behaviour at every information set and beliefs at the information sets
that are not reached, compute (exact ``Fraction`` arithmetic) each player's
regret at every information set ``h``: the best value of any continuation
strategy of the player from ``h`` — its actions at ``h`` and at every one of its
information sets below — minus the value of the prescribed behaviour, in
expectation under the belief at ``h`` (Bayes' rule where the set is reached), the
other player's behaviour fixed.  A profile is a weak perfect Bayesian equilibrium
(Mas-Colell, Whinston & Green 1995, Definition 9.C.3; Fudenberg & Tirole 1991,
*Game Theory*, §8.2) iff the maximum regret is exactly 0.

The whole continuation is re-optimised, not only the action at ``h``: where a
player moves twice (the proposer grants a counter-demand, then picks a fallback
after detected cheating), a plan that is optimal one step at a time against
beliefs at the later set that contradict the belief at ``h`` is not sequentially
rational at ``h``.  The best continuation is the usual best response of a
player with perfect recall: each of its information sets below ``h`` chooses the
action with the largest value weighted by the probability (belief at ``h``,
chance, the other player) of its nodes, deepest sets first.

The *agent* regret is the ex-ante version (each information set's deviation
gain weighted by the probability of reaching it), as in Gambit's
``MixedBehaviorProfile.agent_max_regret``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from fractions import Fraction

from callbluff.game.tree import Game, NodeKind
from callbluff.solve.exact import LinearSystem, exact_point
from callbluff.solve.result import LinearInequality

__all__ = [
    "Behaviour",
    "belief_polyhedron",
    "best_continuation",
    "continuation_plans",
    "mixes_off_path",
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
    optimum = {p: _optimum(game, beh, p) for p in range(len(game.players))
               if all(len(h.nodes) == 1 for h in game.infosets if h.player == p)}
    worst = Fraction(0)
    agent = Fraction(0)
    for h in game.infosets:
        p = h.player
        if p in optimum:
            (n,) = h.nodes
            gain = optimum[p][n] - vals[n][p]
            worst = max(worst, gain)
            agent = max(agent, reach[n] * gain)
            continue
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
        current = sum((w * vals[n][p] for n, w in mu.items()), Fraction(0))
        gain = best_continuation(game, beh, h.id, mu) - current
        worst = max(worst, gain)
        mass = sum((reach[n] for n in h.nodes), Fraction(0))
        agent = max(agent, mass * gain)
    return worst, agent


def _optimum(game: Game, beh: Behaviour, player: int) -> list[Fraction]:
    """``player``'s best value at every node when it re-optimises at each of its own
    nodes below (everyone else following ``beh``), by backward induction.  For a
    player whose information sets are all single nodes this is
    :func:`best_continuation` at every one of them at once (the belief at a single
    node is 1), computed in one pass instead of one pass per set."""
    best: list[Fraction] = [Fraction(0)] * len(game.nodes)
    for node in reversed(game.nodes):
        if node.kind is NodeKind.TERMINAL:
            best[node.id] = node.payoffs[player]
        elif node.kind is NodeKind.DECISION and game.infosets[node.infoset].player == player:  # type: ignore[index]
            best[node.id] = max(best[c] for c in node.children)
        else:
            probs = (node.chance_probs if node.kind is NodeKind.CHANCE
                     else beh[node.infoset])  # type: ignore[index]
            best[node.id] = sum((q * best[c] for q, c in zip(probs, node.children, strict=True)
                                 if q), Fraction(0))
    return best


def mixes_off_path(game: Game, beh: Behaviour) -> bool:
    """Whether ``beh`` mixes at an information set it does not reach."""
    reach = reach_probabilities(game, beh)
    return any(
        sum(1 for q in beh[h.id] if q > 0) > 1 and not any(reach[n] for n in h.nodes)
        for h in game.infosets)


def _own_sets_below(game: Game, infoset: int) -> list[int]:
    """The player's information sets at or below ``infoset`` (perfect recall: each
    lies wholly below it), deepest first."""
    player = game.infosets[infoset].player
    found: set[int] = set()
    stack = list(game.infosets[infoset].nodes)
    while stack:
        node = game.nodes[stack.pop()]
        if node.kind is NodeKind.DECISION and game.infosets[node.infoset].player == player:  # type: ignore[index]
            found.add(node.infoset)  # type: ignore[arg-type]
        stack.extend(node.children)
    return sorted(found, key=lambda k: -min(game.infosets[k].nodes))


def _plan_values(game: Game, beh: Behaviour, player: int, plan: Mapping[int, int],
                 nodes: Sequence[int], memo: dict[int, Fraction] | None = None
                 ) -> dict[int, Fraction]:
    """``player``'s value at ``nodes`` (and below) when it follows the pure ``plan``
    at the information sets it names and ``beh`` elsewhere; ``memo``: values already
    known (and kept), valid while ``plan`` only gains sets above them."""
    memo = {} if memo is None else memo

    def value(n: int) -> Fraction:
        if n in memo:
            return memo[n]
        node = game.nodes[n]
        if node.kind is NodeKind.TERMINAL:
            out = node.payoffs[player]
        elif node.kind is NodeKind.CHANCE:
            out = sum((q * value(c) for q, c in zip(node.chance_probs, node.children,
                                                    strict=True) if q), Fraction(0))
        elif node.infoset is not None and node.infoset in plan:
            out = value(node.children[plan[node.infoset]])
        else:
            out = sum((q * value(c) for q, c in zip(beh[node.infoset], node.children,  # type: ignore[index]
                                                    strict=True) if q), Fraction(0))
        memo[n] = out
        return out

    for n in nodes:
        value(n)
    return memo


def best_continuation(game: Game, beh: Behaviour, infoset: int,
                      belief: Mapping[int, Fraction]) -> Fraction:
    """The best value, under ``belief`` over ``infoset``'s nodes, of any continuation
    strategy of its player from there (the other player following ``beh``)."""
    player = game.infosets[infoset].player
    weight: dict[int, Fraction] = dict(belief)  # belief x chance x the other player
    stack = [n for n in belief if belief[n]]
    while stack:
        node = game.nodes[stack.pop()]
        if node.kind is NodeKind.CHANCE:
            probs: Sequence[Fraction] = node.chance_probs
        elif node.kind is NodeKind.DECISION:
            own = game.infosets[node.infoset].player == player  # type: ignore[index]
            probs = [Fraction(1)] * len(node.children) if own else beh[node.infoset]  # type: ignore[index]
        else:
            continue
        for q, c in zip(probs, node.children, strict=True):
            if q:
                weight[c] = weight[node.id] * q
                stack.append(c)
    plan: dict[int, int] = {}
    # Sets are decided deepest first, so a node's value, once computed, already
    # follows the plan everywhere below it (perfect recall): one memo serves them all.
    memo: dict[int, Fraction] = {}
    for k in _own_sets_below(game, infoset):
        nodes = [n for n in game.infosets[k].nodes if weight.get(n)]
        if not nodes:
            plan[k] = 0  # never reached from here: any action
            continue
        children = [c for n in nodes for c in game.nodes[n].children]
        vals = _plan_values(game, beh, player, plan, children, memo)
        scores = [sum((weight[n] * vals[game.nodes[n].children[a]] for n in nodes), Fraction(0))
                  for a in range(len(game.infosets[k].actions))]
        plan[k] = scores.index(max(scores))
    vals = _plan_values(game, beh, player, plan, list(belief), memo)
    return sum((w * vals[n] for n, w in belief.items()), Fraction(0))


def continuation_plans(game: Game, infoset: int) -> list[dict[int, int]]:
    """Every pure continuation strategy of ``infoset``'s player from there."""
    below = _own_sets_below(game, infoset)
    return [dict(zip(below, choice, strict=True))
            for choice in itertools.product(*(range(len(game.infosets[k].actions))
                                              for k in below))]


def belief_polyhedron(
    game: Game,
    vals: Sequence[tuple[Fraction, ...]],
    beh: Behaviour,
    infoset: int,
) -> tuple[tuple[LinearInequality, ...], dict[int, Fraction] | None]:
    """Beliefs over ``infoset``'s nodes under which the prescribed behaviour from there
    (``vals``: its values) is a best continuation: no pure continuation plan does
    better.  Returns the constraints (besides the simplex) and one exact
    supporting belief, or ``None`` if there is none.
    """
    h = game.infosets[infoset]
    p = h.player
    diffs: list[tuple[list[Fraction], str]] = []
    seen: set[tuple[Fraction, ...]] = set()
    for plan in continuation_plans(game, infoset):
        plan_vals = _plan_values(game, beh, p, plan, h.nodes)
        coeffs = [plan_vals[n] - vals[n][p] for n in h.nodes]
        if all(c <= 0 for c in coeffs) or tuple(coeffs) in seen:
            continue  # no belief makes this plan better
        seen.add(tuple(coeffs))
        diffs.append((coeffs, "<="))
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
