"""A second regret computation for the tests, written apart from the solver's own
verifier (:mod:`callbluff.solve.verify`) and sharing none of its code.

``solve/verify.py`` checks one-shot deviations: at each information set it compares
the actions with the continuation held at the profile.  This oracle instead
re-optimises the whole continuation by brute force: at each information set ``h``
of player ``i``, with belief ``μ`` over ``h``'s nodes (Bayes' rule where the profile
reaches ``h``; where it does not, the belief the equilibrium reports), it enumerates
every *pure* behaviour strategy of ``i`` on the information sets at or below ``h``
and takes the best ``μ``-expected payoff, the others following the profile.  The
regret at ``h`` is that best value minus the profile's value.  A profile with
beliefs is a weak perfect Bayesian equilibrium (Fudenberg & Tirole 1991, *Game
Theory*, §8.2) iff it is sequentially rational under those beliefs, i.e. iff every
such regret is 0 — no appeal to the one-shot deviation principle is needed, so the
two computations agree only if both are right.

Reach probabilities, Bayes' rule and node values are computed here by their own
recursions over the tree; the only things taken from the package are the game
(:class:`~callbluff.game.tree.Game`) and the reported profile and beliefs.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from fractions import Fraction

from callbluff.game.tree import Game, NodeKind
from callbluff.solve import Equilibrium

#: Pure continuation strategies enumerated at one information set before giving up
#: (the test games have at most a few hundred).
MAX_PURE_STRATEGIES = 200_000

Profile = Mapping[str, Mapping[str, Fraction]]  # information set label -> action -> prob


def _reach(game: Game, profile: Profile) -> dict[int, Fraction]:
    """Probability of every node, walking down from the root."""
    reach = {0: Fraction(1)}
    stack = [0]
    while stack:
        node = game.nodes[stack.pop()]
        if node.kind is NodeKind.TERMINAL:
            continue
        if node.kind is NodeKind.CHANCE:
            probs = list(node.chance_probs)
        else:
            assert node.infoset is not None
            h = game.infosets[node.infoset]
            probs = [profile[h.label][a] for a in h.actions]
        for p, child in zip(probs, node.children, strict=True):
            reach[child] = reach[node.id] * p
            stack.append(child)
    return reach


def _descendants(game: Game, node_id: int) -> list[int]:
    out, stack = [], [node_id]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(game.nodes[n].children)
    return out


def _value(game: Game, node_id: int, player: int, profile: Profile,
           pure: Mapping[int, int]) -> Fraction:
    """``player``'s expected payoff from ``node_id``: at the information sets in
    ``pure`` the given action, elsewhere the profile."""
    node = game.nodes[node_id]
    if node.kind is NodeKind.TERMINAL:
        return node.payoffs[player]
    if node.kind is NodeKind.CHANCE:
        return sum((p * _value(game, c, player, profile, pure)
                    for p, c in zip(node.chance_probs, node.children, strict=True) if p),
                   Fraction(0))
    assert node.infoset is not None
    if node.infoset in pure:
        return _value(game, node.children[pure[node.infoset]], player, profile, pure)
    h = game.infosets[node.infoset]
    return sum((profile[h.label][a] * _value(game, c, player, profile, pure)
                for a, c in zip(h.actions, node.children, strict=True)
                if profile[h.label][a]), Fraction(0))


def regret_by_infoset(game: Game, profile: Profile,
                      off_path: Mapping[str, Mapping[int, Fraction]]) -> dict[str, Fraction]:
    """The regret at every information set (label -> best continuation value minus
    the profile's, under the belief there).  ``off_path``: a belief (node id ->
    probability) for each unreached information set with several nodes."""
    reach = _reach(game, profile)
    out: dict[str, Fraction] = {}
    for h in game.infosets:
        mass = sum((reach.get(n, Fraction(0)) for n in h.nodes), Fraction(0))
        if mass > 0:
            belief = {n: reach.get(n, Fraction(0)) / mass for n in h.nodes}
        elif len(h.nodes) == 1:
            belief = {h.nodes[0]: Fraction(1)}
        else:
            belief = dict(off_path[h.label])
            if any(p < 0 for p in belief.values()) or sum(belief.values()) != 1:
                raise ValueError(f"the belief at {h.label!r} is not a distribution")
        below = sorted({
            game.nodes[d].infoset  # type: ignore[misc]
            for n in h.nodes for d in _descendants(game, n)
            if game.nodes[d].kind is NodeKind.DECISION
            and game.infosets[game.nodes[d].infoset].player == h.player  # type: ignore[index]
        })
        sizes = [len(game.infosets[k].actions) for k in below]
        count = 1
        for s in sizes:
            count *= s
        if count > MAX_PURE_STRATEGIES:
            raise ValueError(f"{count} pure continuations at {h.label!r}: too many to enumerate")
        current = sum((p * _value(game, n, h.player, profile, {}) for n, p in belief.items()),
                      Fraction(0))
        best = max(
            sum((p * _value(game, n, h.player, profile, dict(zip(below, choice, strict=True)))
                 for n, p in belief.items()), Fraction(0))
            for choice in itertools.product(*(range(s) for s in sizes)))
        out[h.label] = best - current
    return out


def independent_regret(game: Game, eq: Equilibrium) -> Fraction:
    """The largest regret of ``eq`` at any information set, by brute force."""
    off_path = {label: b.distribution for label, b in eq.beliefs.items() if not b.on_path}
    return max(regret_by_infoset(game, eq.behaviour, off_path).values())


def bayes_agrees(game: Game, eq: Equilibrium) -> bool:
    """Whether every on-path belief ``eq`` reports is Bayes' rule of its profile."""
    reach = _reach(game, eq.behaviour)
    for h in game.infosets:
        b = eq.beliefs.get(h.label)
        mass = sum((reach.get(n, Fraction(0)) for n in h.nodes), Fraction(0))
        if b is None or mass == 0:
            continue
        if not b.on_path or any(b.distribution.get(n, Fraction(0)) != reach.get(n, Fraction(0))
                                / mass for n in h.nodes):
            return False
    return True


def shifted(eq: Equilibrium, infoset: str, source: str, target: str,
            amount: Fraction) -> dict[str, dict[str, Fraction]]:
    """``eq``'s profile with ``amount`` of probability moved from ``source`` to
    ``target`` at ``infoset`` (the mutation of the mutation tests)."""
    profile = {h: dict(acts) for h, acts in eq.behaviour.items()}
    if not 0 < amount <= profile[infoset][source]:
        raise ValueError(f"cannot move {amount} from {source!r} at {infoset!r}")
    profile[infoset][source] -= amount
    profile[infoset][target] += amount
    return profile
