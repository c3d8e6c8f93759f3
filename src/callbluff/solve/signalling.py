"""Signalling-game notions: the shape of one-shot signalling games (type → message →
response → payoff) and the classification of outcomes (pooling, separating, ...).
The refinements (intuitive criterion, D1) are in :mod:`.refinements`, for every
game with one informed player."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from callbluff.game.tree import Game, NodeKind

__all__ = ["SignallingShape", "classify", "signalling_shape"]


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
