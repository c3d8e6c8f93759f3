"""Signalling-game notions: classification of outcomes and the intuitive criterion.

Intuitive criterion: Cho, I.-K. & Kreps, D. M. (1987), "Signaling games and
stable equilibria", *Quarterly Journal of Economics* 102(2), 179–221, §IV; in the
form of Fudenberg & Tirole (1991), *Game Theory*, §11.2.  It is defined only for
one-shot signalling games (type → message → response → payoff); for any other
game shape the test returns ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from callbluff.game.tree import Game, NodeKind
from callbluff.solve.exact import LinearSystem, exact_point

__all__ = ["SignallingShape", "classify", "intuitive_criterion", "signalling_shape"]


@dataclass(frozen=True)
class SignallingShape:
    """Type ``t`` sends message ``m`` at node ``sender[t]``; U answers at ``receiver[m]``."""

    types: tuple[str, ...]
    priors: tuple[Fraction, ...]
    messages: tuple[str, ...]
    sender_nodes: tuple[int, ...]  # per type
    receiver_infosets: tuple[int, ...]  # per message
    responses: tuple[tuple[str, ...], ...]  # per message
    # payoff[t][m][a] = (sender, receiver)
    sender_payoff: tuple[tuple[tuple[Fraction, ...], ...], ...]
    receiver_payoff: tuple[tuple[tuple[Fraction, ...], ...], ...]


def signalling_shape(game: Game, informed: int) -> SignallingShape | None:
    """The one-shot signalling structure of ``game``, or ``None`` if it has another shape."""
    root = game.root
    if root.kind is not NodeKind.CHANCE:
        return None
    messages: tuple[str, ...] | None = None
    senders: list[int] = []
    receivers: list[int] | None = None
    spay: list[list[list[Fraction]]] = []
    rpay: list[list[list[Fraction]]] = []
    for child in root.children:
        node = game.nodes[child]
        if node.kind is not NodeKind.DECISION or game.player_of(node) != informed:
            return None
        acts = game.actions_at(node)
        if messages is None:
            messages = acts
        elif acts != messages:
            return None
        senders.append(node.id)
        hs: list[int] = []
        srow: list[list[Fraction]] = []
        rrow: list[list[Fraction]] = []
        for mchild in node.children:
            mnode = game.nodes[mchild]
            if mnode.kind is not NodeKind.DECISION or game.player_of(mnode) == informed:
                return None
            assert mnode.infoset is not None
            hs.append(mnode.infoset)
            leaves = [game.nodes[c] for c in mnode.children]
            if any(leaf.kind is not NodeKind.TERMINAL for leaf in leaves):
                return None
            srow.append([leaf.payoffs[informed] for leaf in leaves])
            rrow.append([leaf.payoffs[1 - informed] for leaf in leaves])
        if receivers is None:
            receivers = hs
        elif hs != receivers:
            return None
        spay.append(srow)
        rpay.append(rrow)
    if messages is None or receivers is None or len(set(receivers)) != len(receivers):
        return None
    for h in receivers:
        if len(game.infosets[h].nodes) != len(root.children):
            return None
    return SignallingShape(
        types=root.chance_actions,
        priors=root.chance_probs,
        messages=messages,
        sender_nodes=tuple(senders),
        receiver_infosets=tuple(receivers),
        responses=tuple(game.infosets[h].actions for h in receivers),
        sender_payoff=tuple(tuple(tuple(r) for r in row) for row in spay),
        receiver_payoff=tuple(tuple(tuple(r) for r in row) for row in rpay),
    )


def best_responses(shape: SignallingShape, m: int, types: Sequence[int]) -> list[int]:
    """Responses to ``m`` that are optimal for some belief concentrated on ``types``."""
    out = []
    k = len(types)
    acts = range(len(shape.responses[m]))
    for a in acts:
        system = LinearSystem(k, [({i: Fraction(1) for i in range(k)}, Fraction(1))], [])
        for b in acts:
            if b == a:
                continue
            row = {
                i: shape.receiver_payoff[t][m][b] - shape.receiver_payoff[t][m][a]
                for i, t in enumerate(types)
            }
            system.ub.append((row, Fraction(0)))
        if exact_point(system) is not None:
            out.append(a)
    return out


def intuitive_criterion(
    shape: SignallingShape,
    type_payoffs: Sequence[Fraction],
    off_path_messages: Sequence[int],
) -> bool:
    """Cho–Kreps intuitive criterion for an outcome with these type payoffs.

    For each unsent message ``m``: types whose equilibrium payoff exceeds the best
    they could get from ``m`` under any best response of U (to any belief) are
    "equilibrium dominated"; the outcome fails if some type would get strictly
    more than its equilibrium payoff from ``m`` under *every* best response to
    beliefs concentrated on the remaining types.
    """
    alive = [t for t, p in enumerate(shape.priors) if p > 0]
    for m in off_path_messages:
        br_all = best_responses(shape, m, alive)
        keep = [
            t for t in alive if max(shape.sender_payoff[t][m][a] for a in br_all) >= type_payoffs[t]
        ]
        if not keep:
            continue
        br_keep = best_responses(shape, m, keep)
        for t in alive:
            if min(shape.sender_payoff[t][m][a] for a in br_keep) > type_payoffs[t]:
                return False
    return True


def classify(
    first_moves: Mapping[str, Mapping[str, Fraction]],
) -> str:
    """``first_moves[type][move]``: the probability that ``type`` makes ``move`` first.

    ``pooling``: every type (with positive prior) makes the same single move;
    ``separating``: no two types share a move; ``hybrid``: otherwise, with some
    type mixing; ``semi-separating``: otherwise, all pure (partial pooling).
    """
    supports = [frozenset(m for m, p in moves.items() if p > 0) for moves in first_moves.values()]
    if not supports:
        return "n/a"
    if all(len(s) == 1 for s in supports) and len(set(supports)) == 1:
        return "pooling"
    if all(
        not (supports[i] & supports[j])
        for i in range(len(supports))
        for j in range(i + 1, len(supports))
    ):
        return "separating"
    if any(len(s) > 1 for s in supports):
        return "hybrid"
    return "semi-separating"
