"""Recognise the class of games the own solver handles (docs/algorithms.md).

Two players; the root is a chance node whose actions are the *types*; the
informed player I has information sets that each lie below one root branch
(it knows its type) and are singletons; the uninformed player U has perfect
recall.  Further chance nodes may appear anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from callbluff.game.tree import Game, NodeKind

__all__ = ["OneInformed", "detect_one_informed", "node_types"]


@dataclass(frozen=True)
class OneInformed:
    """The roles in a game of the one-informed-player class."""

    informed: int
    uninformed: int
    types: tuple[str, ...]
    node_type: tuple[int, ...]  # index into types; -1 for the root


def node_types(game: Game) -> tuple[str, ...] | None:
    """Type names (root chance actions), or ``None`` if the root is not chance."""
    if game.root.kind is not NodeKind.CHANCE:
        return None
    return game.root.chance_actions


def _node_type_index(game: Game) -> tuple[int, ...]:
    out = [-1] * len(game.nodes)
    for node in game.nodes[1:]:
        assert node.parent is not None
        out[node.id] = game.root.children.index(node.id) if node.parent == 0 else out[node.parent]
    return tuple(out)


def _own_sequence(game: Game, player: int, node_id: int) -> tuple[tuple[int, int], ...]:
    seq: list[tuple[int, int]] = []
    for parent_id, action in game.path(node_id):
        parent = game.nodes[parent_id]
        if parent.kind is NodeKind.DECISION and game.player_of(parent) == player:
            assert parent.infoset is not None
            seq.append((parent.infoset, action))
    return tuple(seq)


def has_perfect_recall(game: Game, player: int) -> bool:
    for h in game.infosets_of(player):
        seqs = {_own_sequence(game, player, n) for n in h.nodes}
        if len(seqs) > 1:
            return False
    return True


def detect_one_informed(game: Game) -> OneInformed | None:
    """The roles if ``game`` is in the class, else ``None``."""
    if len(game.players) != 2 or game.root.kind is not NodeKind.CHANCE:
        return None
    ntype = _node_type_index(game)
    candidates = []
    for p in (0, 1):
        infosets = game.infosets_of(p)
        if all(len(h.nodes) == 1 for h in infosets):
            candidates.append(p)
    if not candidates:
        return None
    # Prefer the player who moves first (the sender in a signalling game).
    first = next((game.player_of(n) for n in game.nodes if n.kind is NodeKind.DECISION), None)
    informed = first if first in candidates else candidates[0]
    assert informed is not None
    uninformed = 1 - informed
    if not has_perfect_recall(game, uninformed):
        return None
    return OneInformed(informed, uninformed, game.root.chance_actions, ntype)
