"""Remove conditionally strictly dominated actions before enumerating equilibria.

An action that is worse than another at every node of its information set, for
every behaviour of everyone else, is never played at that information set in any
perfect Bayesian equilibrium — on or off the path — whatever the belief
(conditional dominance; Fudenberg & Tirole 1991, *Game Theory*, §8.2 and §11.3;
Osborne & Rubinstein 1994, §4.2).  Removing it and iterating shrinks the support
enumeration without losing any equilibrium.

The test is exact and conservative.  At each node we bound a player's payoff from
above (everyone may do anything) and from below (the player itself moves optimally
later, everyone else adversarially; chance in expectation).  Action ``a`` is
removed when some action ``b`` of the same information set has, at every node of
the set, a lower bound above ``a``'s upper bound.

Information sets that lose every node (they can only be reached through removed
actions) disappear from the reduced game; :func:`lift` gives them sequentially
rational behaviour again (for a point belief on their first node), so a profile
of the reduced game becomes a full profile of the original one, to be verified
there exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from callbluff.game.tree import Game, GameBuilder, NodeKind
from callbluff.solve.verify import Behaviour

__all__ = ["Reduction", "lift", "reduce_dominated"]


@dataclass(frozen=True)
class Reduction:
    """The reduced game and how it maps back onto the original."""

    original: Game
    reduced: Game
    kept: dict[int, tuple[int, ...]]  # original infoset id -> kept action indices
    infoset_map: dict[int, int]  # original infoset id -> reduced infoset id

    @property
    def changed(self) -> bool:
        return self.reduced is not self.original


def _bounds(
    game: Game, kept: dict[int, tuple[int, ...]], player: int
) -> tuple[list[Fraction], list[Fraction]]:
    """Upper bound, and lower bound when ``player`` moves optimally later, per node."""
    n = len(game.nodes)
    hi: list[Fraction] = [Fraction(0)] * n
    lo: list[Fraction] = [Fraction(0)] * n
    for node in reversed(game.nodes):
        if node.kind is NodeKind.TERMINAL:
            hi[node.id] = lo[node.id] = node.payoffs[player]
        elif node.kind is NodeKind.CHANCE:
            hi[node.id] = sum(
                (p * hi[c] for p, c in zip(node.chance_probs, node.children, strict=True)),
                Fraction(0),
            )
            lo[node.id] = sum(
                (p * lo[c] for p, c in zip(node.chance_probs, node.children, strict=True)),
                Fraction(0),
            )
        else:
            assert node.infoset is not None
            children = [node.children[a] for a in kept[node.infoset]]
            hi[node.id] = max(hi[c] for c in children)
            own = game.infosets[node.infoset].player == player
            lo[node.id] = (max if own else min)(lo[c] for c in children)
    return hi, lo


def reduce_dominated(game: Game, *, enabled: bool = True) -> Reduction:
    """The game without its conditionally strictly dominated actions (the game
    itself, unchanged, when nothing is dominated or ``enabled`` is false)."""
    if not enabled:
        return Reduction(
            game,
            game,
            {h.id: tuple(range(len(h.actions))) for h in game.infosets},
            {h.id: h.id for h in game.infosets},
        )
    protected: set[tuple[int, int]] = set()
    ends = _subtree_ends(game)
    while True:
        kept = _iterate_dominance(game, protected)
        reachable = _reachable(game, kept)
        partial = [
            h for h in game.infosets if 0 < sum(reachable[x] for x in h.nodes) < len(h.nodes)
        ]
        if not partial:
            break
        # Weak PBE lets an off-path belief rest on any node of an information set, so
        # a removal that cuts only some of a set's nodes would narrow those beliefs:
        # keep every removed action above such a set, and reduce again.
        cut = {x for h in partial for x in h.nodes if not reachable[x]}
        newly = {
            (h.id, a)
            for h in game.infosets
            for x in h.nodes
            for a in range(len(h.actions))
            if a not in kept[h.id]
            and (h.id, a) not in protected
            and any(game.nodes[x].children[a] <= c < ends[game.nodes[x].children[a]] for c in cut)
        }
        if not newly:
            break
        protected |= newly
    if all(len(kept[h.id]) == len(h.actions) for h in game.infosets):
        return Reduction(game, game, kept, {h.id: h.id for h in game.infosets})
    return _rebuild(game, kept)


def _iterate_dominance(game: Game, protected: set[tuple[int, int]]) -> dict[int, tuple[int, ...]]:
    kept = {h.id: tuple(range(len(h.actions))) for h in game.infosets}
    while True:
        removed = False
        bounds = [_bounds(game, kept, p) for p in range(len(game.players))]
        for h in game.infosets:
            # Every node counts, reachable or not: a weak PBE may rest an off-path
            # belief on a node that only a dominated action leads to.
            nodes = h.nodes
            if len(kept[h.id]) < 2:
                continue
            hi, lo = bounds[h.player]
            children = {x: game.nodes[x].children for x in nodes}
            survivors = [
                a
                for a in kept[h.id]
                if (h.id, a) in protected
                or not any(
                    b != a and all(lo[children[x][b]] > hi[children[x][a]] for x in nodes)
                    for b in kept[h.id]
                )
            ]
            if len(survivors) < len(kept[h.id]):
                kept[h.id] = tuple(survivors)
                removed = True
        if not removed:
            return kept


def _subtree_ends(game: Game) -> list[int]:
    """One past the last node id of each node's subtree (nodes are in preorder)."""
    ends = [node.id + 1 for node in game.nodes]
    for node in reversed(game.nodes):
        if node.children:
            ends[node.id] = max(ends[c] for c in node.children)
    return ends


def _reachable(game: Game, kept: dict[int, tuple[int, ...]]) -> list[bool]:
    """Nodes reachable using kept actions only (chance branches of probability 0
    count: reaching them needs no removed action)."""
    reach = [False] * len(game.nodes)
    reach[0] = True
    for node in game.nodes:
        if not reach[node.id] or node.kind is NodeKind.TERMINAL:
            continue
        if node.kind is NodeKind.CHANCE:
            for c in node.children:
                reach[c] = True
        else:
            assert node.infoset is not None
            for a in kept[node.infoset]:
                reach[node.children[a]] = True
    return reach


def _rebuild(game: Game, kept: dict[int, tuple[int, ...]]) -> Reduction:
    builder = GameBuilder(title=game.title, players=game.players, comment=game.comment)
    stack: list[tuple[int, int | None]] = [(0, None)]
    while stack:
        node_id, parent = stack.pop()
        node = game.nodes[node_id]
        if node.kind is NodeKind.TERMINAL:
            builder.terminal(parent, node.payoffs, outcome=node.outcome, label=node.label)
            continue
        if node.kind is NodeKind.CHANCE:
            new = builder.chance(
                parent,
                list(zip(node.chance_actions, node.chance_probs, strict=True)),
                label=node.label,
            )
            children = list(node.children)
        else:
            assert node.infoset is not None
            h = game.infosets[node.infoset]
            actions = [h.actions[a] for a in kept[h.id]]
            new = builder.decision(parent, h.player, h.label, actions, label=node.label)
            children = [node.children[a] for a in kept[h.id]]
        # push in reverse so that children are built in order (preorder)
        stack.extend((c, new) for c in reversed(children))
    reduced = builder.build()
    by_label = {(h.player, h.label): h.id for h in reduced.infosets}
    infoset_map = {
        h.id: by_label[(h.player, h.label)]
        for h in game.infosets
        if (h.player, h.label) in by_label
    }
    return Reduction(game, reduced, kept, infoset_map)


def lift(reduction: Reduction, beh: Behaviour) -> list[list[Fraction]]:
    """A profile of the original game from one of the reduced game: removed actions
    get probability 0; vanished information sets get a best reply for a point
    belief on their first node, given the replies of the vanished sets below it
    (so it is sequentially rational)."""
    game = reduction.original
    out: list[list[Fraction]] = [[Fraction(0)] * len(h.actions) for h in game.infosets]
    vanished: set[int] = set()
    for h in game.infosets:
        if h.id in reduction.infoset_map:
            reduced_row = beh[reduction.infoset_map[h.id]]
            for position, a in enumerate(reduction.kept[h.id]):
                out[h.id][a] = reduced_row[position]
        else:
            vanished.add(h.id)
    # A vanished set's reply depends only on the replies of vanished sets below its
    # first node, so each is decided once, on demand, depth first; with perfect recall
    # no set lies below another that lies below it, so the recursion ends.
    decided: set[int] = set()
    deciding: set[int] = set()
    # a node's value depends only on the replies below it, each fixed once decided
    values: dict[tuple[int, int], Fraction] = {}

    def value(n: int, player: int) -> Fraction:
        if (n, player) in values:
            return values[(n, player)]
        node = game.nodes[n]
        if node.kind is NodeKind.TERMINAL:
            return node.payoffs[player]
        if node.kind is NodeKind.CHANCE:
            probs: Sequence[Fraction] = node.chance_probs
        else:
            assert node.infoset is not None
            if node.infoset in vanished:
                decide(node.infoset)
            probs = out[node.infoset]
        found = sum((q * value(c, player) for q, c in zip(probs, node.children, strict=True)
                     if q), Fraction(0))
        values[(n, player)] = found
        return found

    def decide(h_id: int) -> None:
        if h_id in decided:
            return
        if h_id in deciding:
            raise RuntimeError(f"information sets below each other at "
                               f"{game.infosets[h_id].label!r}: the game lacks perfect recall")
        deciding.add(h_id)
        h = game.infosets[h_id]
        first = game.nodes[h.nodes[0]]
        best = max(reduction.kept[h_id], key=lambda a: value(first.children[a], h.player))
        out[h_id] = [Fraction(int(a == best)) for a in range(len(h.actions))]
        decided.add(h_id)

    for h_id in sorted(vanished):
        decide(h_id)
    return out
