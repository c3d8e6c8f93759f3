"""Finite extensive-form games with exact payoffs.

The one game type every layer above shares: players, chance, information sets,
actions and exact ``Fraction`` payoffs at the terminal nodes.  The layout follows
Gambit's extensive-form model (nodes in preorder, information sets owned by a
player, chance moves with rational probabilities) so that reading and writing
``.efg`` files is a direct mapping.

Reference: Gambit extensive-form file format,
https://gambitproject.readthedocs.io/en/latest/formats.html#the-extensive-form-efg-file-format
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from callbluff.display import GameView


class NodeKind(StrEnum):
    CHANCE = "chance"
    DECISION = "decision"
    TERMINAL = "terminal"


@dataclass(frozen=True)
class InfoSet:
    """An information set: the player to move cannot tell its nodes apart."""

    id: int
    player: int  # index into Game.players
    label: str
    actions: tuple[str, ...]
    nodes: tuple[int, ...]


@dataclass(frozen=True)
class Node:
    """One node of the tree; ``children[i]`` follows action ``i``."""

    id: int
    kind: NodeKind
    label: str = ""
    parent: int | None = None
    children: tuple[int, ...] = ()
    infoset: int | None = None  # decision nodes only
    chance_actions: tuple[str, ...] = ()  # chance nodes only
    chance_probs: tuple[Fraction, ...] = ()  # chance nodes only
    payoffs: tuple[Fraction, ...] = ()  # terminal nodes only, one per player
    outcome: str = ""  # terminal nodes: the outcome's name


@dataclass(frozen=True, repr=False)  # the short repr of GameView
class Game(GameView):
    """A finite extensive-form game; node 0 is the root, nodes are in preorder.

    Examples
    --------
    >>> from callbluff.game.catalog import beer_quiche
    >>> game = beer_quiche()
    >>> game.players
    ('Sender', 'Receiver')
    >>> game.sizes()["terminals"]
    8
    """

    title: str
    players: tuple[str, ...]
    nodes: tuple[Node, ...]
    infosets: tuple[InfoSet, ...]
    comment: str = ""

    # -- navigation -------------------------------------------------------
    @property
    def root(self) -> Node:
        return self.nodes[0]

    def actions_at(self, node: Node) -> tuple[str, ...]:
        if node.kind is NodeKind.CHANCE:
            return node.chance_actions
        if node.kind is NodeKind.DECISION:
            assert node.infoset is not None
            return self.infosets[node.infoset].actions
        return ()

    def player_of(self, node: Node) -> int | None:
        if node.kind is NodeKind.DECISION:
            assert node.infoset is not None
            return self.infosets[node.infoset].player
        return None

    def infosets_of(self, player: int) -> tuple[InfoSet, ...]:
        return tuple(h for h in self.infosets if h.player == player)

    def terminals(self) -> Iterator[Node]:
        return (n for n in self.nodes if n.kind is NodeKind.TERMINAL)

    def path(self, node_id: int) -> list[tuple[int, int]]:
        """(node, action index) pairs from the root down to ``node_id``."""
        steps: list[tuple[int, int]] = []
        child = self.nodes[node_id]
        while child.parent is not None:
            parent = self.nodes[child.parent]
            steps.append((parent.id, parent.children.index(child.id)))
            child = parent
        steps.reverse()
        return steps

    def chance_probability(self, node_id: int) -> Fraction:
        """Product of the chance probabilities on the path to ``node_id``."""
        prob = Fraction(1)
        for parent_id, action in self.path(node_id):
            parent = self.nodes[parent_id]
            if parent.kind is NodeKind.CHANCE:
                prob *= parent.chance_probs[action]
        return prob

    def sizes(self) -> dict[str, int]:
        return {
            "nodes": len(self.nodes),
            "terminals": sum(1 for _ in self.terminals()),
            "infosets": len(self.infosets),
            **{
                f"infosets[{name}]": len(self.infosets_of(i))
                for i, name in enumerate(self.players)
            },
        }


@dataclass
class _Row:
    """A node while the game is being built."""

    kind: NodeKind
    label: str
    parent: int | None
    children: list[int] = field(default_factory=list)
    infoset: int | None = None
    chance_actions: tuple[str, ...] = ()
    chance_probs: tuple[Fraction, ...] = ()
    payoffs: tuple[Fraction, ...] = ()
    outcome: str = ""


@dataclass
class _InfoSetRow:
    player: int
    label: str
    actions: tuple[str, ...]
    nodes: list[int] = field(default_factory=list)


@dataclass
class GameBuilder:
    """Builds a :class:`Game` top-down in preorder.

    Information sets are named by ``(player, label)``: two decision nodes given
    the same player and label belong to one information set, and must offer the
    same actions.
    """

    title: str
    players: Sequence[str]
    comment: str = ""
    _nodes: list[_Row] = field(default_factory=list)
    _infosets: dict[tuple[int, str], int] = field(default_factory=dict)
    _infoset_rows: list[_InfoSetRow] = field(default_factory=list)

    def _new(self, kind: NodeKind, parent: int | None, label: str) -> int:
        node_id = len(self._nodes)
        self._nodes.append(_Row(kind=kind, label=label, parent=parent))
        if parent is not None:
            self._nodes[parent].children.append(node_id)
        return node_id

    def chance(
        self,
        parent: int | None,
        branches: Sequence[tuple[str, Fraction]],
        label: str = "",
    ) -> int:
        if not branches:
            raise ValueError("a chance node needs at least one branch")
        probs = tuple(Fraction(p) for _, p in branches)
        if any(p < 0 for p in probs) or sum(probs) != 1:
            raise ValueError(
                f"chance node {label!r}: probabilities must be >= 0 and sum to 1, "
                f"got {[str(p) for p in probs]}"
            )
        node_id = self._new(NodeKind.CHANCE, parent, label)
        self._nodes[node_id].chance_actions = tuple(a for a, _ in branches)
        self._nodes[node_id].chance_probs = probs
        return node_id

    def decision(
        self,
        parent: int | None,
        player: int,
        infoset_label: str,
        actions: Sequence[str],
        label: str = "",
    ) -> int:
        if not 0 <= player < len(self.players):
            raise ValueError(f"player index {player} out of range")
        if not actions:
            raise ValueError(f"information set {infoset_label!r} needs an action")
        if len(set(actions)) != len(actions):
            raise ValueError(f"information set {infoset_label!r}: duplicate actions")
        key = (player, infoset_label)
        node_id = self._new(NodeKind.DECISION, parent, label)
        if key not in self._infosets:
            self._infosets[key] = len(self._infoset_rows)
            self._infoset_rows.append(_InfoSetRow(player, infoset_label, tuple(actions)))
        row = self._infoset_rows[self._infosets[key]]
        if row.actions != tuple(actions):
            raise ValueError(
                f"information set {infoset_label!r}: nodes offer different actions "
                f"{row.actions} and {tuple(actions)}"
            )
        row.nodes.append(node_id)
        self._nodes[node_id].infoset = self._infosets[key]
        return node_id

    def terminal(
        self, parent: int | None, payoffs: Sequence[Fraction | int], outcome: str = "",
        label: str = "",
    ) -> int:
        if len(payoffs) != len(self.players):
            raise ValueError(
                f"terminal {outcome!r}: {len(payoffs)} payoffs for "
                f"{len(self.players)} players"
            )
        node_id = self._new(NodeKind.TERMINAL, parent, label)
        self._nodes[node_id].payoffs = tuple(Fraction(p) for p in payoffs)
        self._nodes[node_id].outcome = outcome
        return node_id

    def build(self) -> Game:
        nodes: list[Node] = []
        for node_id, row in enumerate(self._nodes):
            expected = self._expected_children(row)
            if row.kind is not NodeKind.TERMINAL and len(row.children) != expected:
                raise ValueError(
                    f"node {node_id} ({row.label!r}) has {len(row.children)} children "
                    f"for {expected} actions"
                )
            nodes.append(
                Node(
                    id=node_id,
                    kind=row.kind,
                    label=row.label,
                    parent=row.parent,
                    children=tuple(row.children),
                    infoset=row.infoset,
                    chance_actions=row.chance_actions,
                    chance_probs=row.chance_probs,
                    payoffs=row.payoffs,
                    outcome=row.outcome,
                )
            )
        infosets = tuple(
            InfoSet(id=i, player=row.player, label=row.label, actions=row.actions,
                    nodes=tuple(row.nodes))
            for i, row in enumerate(self._infoset_rows)
        )
        if not nodes:
            raise ValueError("empty game")
        return Game(
            title=self.title,
            players=tuple(self.players),
            nodes=tuple(nodes),
            infosets=infosets,
            comment=self.comment,
        )

    def _expected_children(self, row: _Row) -> int:
        if row.kind is NodeKind.CHANCE:
            return len(row.chance_actions)
        if row.kind is NodeKind.DECISION:
            assert row.infoset is not None
            return len(self._infoset_rows[row.infoset].actions)
        return 0
