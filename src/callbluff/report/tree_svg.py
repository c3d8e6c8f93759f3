"""Draw an extensive-form game as Gambit draws it, as a standalone SVG string.

Layout follows the Gambit GUI's tree view (The Gambit Project, *Gambit: Software
Tools for Game Theory*, "The extensive game window",
https://gambitproject.readthedocs.io/en/latest/gui.html): the root on the left,
one column per depth, each node a short horizontal bar coloured by its player,
each branch a slanted fork then a horizontal segment with the action's name
above it and, for chance moves, its probability below it; the nodes of one
information set joined by a dashed line; payoffs at the leaves, one colour per
player.  Optionally a behaviour profile is overlaid: branches played with
positive probability are drawn thick, and mixed probabilities are printed below
the branch.

Every string that comes from the game (player names, labels, actions, outcomes)
is XML-escaped; the SVG contains no script and no link.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from callbluff.game.tree import Game, Node, NodeKind

#: Colours: chance, then one per player (Gambit's default palette order).
CHANCE_COLOUR = "#157f1f"
PLAYER_COLOURS = ("#c0392b", "#1f5fbf", "#8e44ad", "#b9770e", "#117a65")
TERMINAL_COLOUR = "#444444"

ROW_H = 22
COL_W = 220
NODE_LEN = 16
FORK = 18
MARGIN = 16
#: Longest node label drawn (the full label is in the tooltip).
LABEL_CHARS = 28
#: Above this many leaves, the subtrees of the root's later children that have the
#: same shape as the first are collapsed to one line each.
MAX_TERMINALS = 200


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(x: Fraction) -> str:
    if x.denominator == 1:
        return str(x.numerator)
    value = float(x)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if Fraction(text) == x else f"{value:.3g}"


def _prob(x: Fraction) -> str:
    if x.denominator == 1:
        return str(x.numerator)
    text = f"{float(x):.3f}".rstrip("0").rstrip(".")
    return text if Fraction(text) == x else f"{x.numerator}/{x.denominator}"


@dataclass(frozen=True)
class _Placed:
    node: Node
    x: float
    y: float
    collapsed_as: str | None = None  # label of the subtree this one repeats


def _shape(game: Game, node: Node) -> object:
    """The tree below ``node`` without payoffs and probabilities (for collapsing)."""
    actions = game.actions_at(node)
    player = game.player_of(node)
    return (node.kind.value, player, actions,
            tuple(_shape(game, game.nodes[c]) for c in node.children))


def _collapsible(game: Game, max_terminals: int) -> set[int]:
    """Children of the root to draw as one line (same shape as the first child)."""
    if sum(1 for _ in game.terminals()) <= max_terminals or len(game.root.children) < 2:
        return set()
    first = game.nodes[game.root.children[0]]
    reference = _shape(game, first)
    return {c for c in game.root.children[1:] if _shape(game, game.nodes[c]) == reference}


def _layout(game: Game, collapse: set[int]) -> list[_Placed]:
    placed: dict[int, _Placed] = {}
    row = 0
    first_label = ""
    if game.root.children:
        root = game.root
        first_label = (root.chance_actions[0] if root.kind is NodeKind.CHANCE
                       else game.actions_at(root)[0])

    def visit(node_id: int, depth: int) -> float:
        nonlocal row
        node = game.nodes[node_id]
        x = MARGIN + depth * COL_W
        if node_id in collapse or not node.children:
            leaf_y = float(MARGIN + 14 + row * ROW_H)
            row += 1
            placed[node_id] = _Placed(node, x, leaf_y,
                                      first_label if node_id in collapse else None)
            return leaf_y
        ys = [visit(c, depth + 1) for c in node.children]
        mid_y = (ys[0] + ys[-1]) / 2
        placed[node_id] = _Placed(node, x, mid_y)
        return mid_y

    visit(0, 0)
    return [placed[i] for i in sorted(placed)]


def tree_svg(
    game: Game,
    behaviour: Mapping[str, Mapping[str, Fraction]] | None = None,
    *,
    max_terminals: int = MAX_TERMINALS,
    title: str = "",
) -> str:
    """The game tree as an SVG document (a string starting with ``<svg``).

    ``behaviour`` (information-set label -> action -> probability), when given,
    is drawn on the tree: played branches thick, mixed probabilities printed.
    """
    collapse = _collapsible(game, max_terminals)
    placed = _layout(game, collapse)
    by_id = {p.node.id: p for p in placed}
    depth_max = max(int((p.x - MARGIN) // COL_W) for p in placed)
    leaves = [p for p in placed if not p.node.children or p.node.id in collapse]
    width = MARGIN * 2 + depth_max * COL_W + NODE_LEN + 330
    height = MARGIN * 2 + 14 + len(leaves) * ROW_H + 40
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="game-tree" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{_esc(title or game.title)}" font-family="sans-serif" font-size="10">',
        f"<title>{_esc(title or game.title)}</title>",
    ]

    def colour(node: Node) -> str:
        if node.kind is NodeKind.CHANCE:
            return CHANCE_COLOUR
        player = game.player_of(node)
        if player is None:
            return TERMINAL_COLOUR
        return PLAYER_COLOURS[player % len(PLAYER_COLOURS)]

    # information sets: dashed line through their drawn nodes (drawn first, below)
    for infoset in game.infosets:
        members = [by_id[n] for n in infoset.nodes if n in by_id]
        if len(members) < 2:
            continue
        members.sort(key=lambda p: p.y)
        points = " ".join(f"{p.x + NODE_LEN / 2:.1f},{p.y:.1f}" for p in members)
        col = PLAYER_COLOURS[infoset.player % len(PLAYER_COLOURS)]
        out.append(
            f'<polyline class="infoset" data-infoset="{_esc(infoset.label)}" points="{points}" '
            f'fill="none" stroke="{col}" stroke-width="1.2" stroke-dasharray="5,4" '
            f'opacity="0.7"><title>information set {_esc(infoset.label)}</title></polyline>')

    for p in placed:
        node = p.node
        if node.id in collapse or not node.children:
            continue
        actions = game.actions_at(node)
        label = ""
        probs: tuple[Fraction | None, ...]
        if node.kind is NodeKind.CHANCE:
            probs = node.chance_probs
        else:
            assert node.infoset is not None
            label = game.infosets[node.infoset].label
            chosen = behaviour.get(label) if behaviour is not None else None
            probs = tuple(chosen.get(a) if chosen is not None else None for a in actions)
        start_x = p.x + NODE_LEN
        for action, child_id, prob in zip(actions, node.children, probs, strict=True):
            child = by_id[child_id]
            played = behaviour is not None and prob is not None and prob > 0
            is_chance = node.kind is NodeKind.CHANCE
            stroke = colour(node)
            width_px = 2.6 if played and not is_chance else 1.0
            out.append(
                f'<polyline class="branch" points="{start_x:.1f},{p.y:.1f} '
                f'{start_x + FORK:.1f},{child.y:.1f} {child.x:.1f},{child.y:.1f}" '
                f'fill="none" stroke="{stroke}" stroke-width="{width_px}"/>')
            mid = start_x + FORK + 4
            out.append(f'<text class="action" x="{mid:.1f}" y="{child.y - 4:.1f}" '
                       f'fill="{stroke}">{_esc(action)}</text>')
            if prob is not None and (is_chance or (prob not in (0, 1))):
                out.append(f'<text class="prob" x="{mid:.1f}" y="{child.y + 11:.1f}" '
                           f'fill="{stroke}">{_esc(_prob(prob))}</text>')
        out.append(
            f'<line class="node" x1="{p.x:.1f}" y1="{p.y:.1f}" x2="{p.x + NODE_LEN:.1f}" '
            f'y2="{p.y:.1f}" stroke="{colour(node)}" stroke-width="3"/>')
        caption = node.label if node.kind is NodeKind.CHANCE else label
        if caption and node.id != 0:
            short = caption if len(caption) <= LABEL_CHARS else caption[:LABEL_CHARS - 1] + "…"
            out.append(f'<text class="node-label" x="{p.x + NODE_LEN:.1f}" y="{p.y + 12:.1f}" '
                       f'fill="{colour(node)}" font-size="9" text-anchor="end">'
                       f'<title>{_esc(caption)}</title>{_esc(short)}</text>')
        elif node.id == 0:
            out.append(f'<text class="node-label" x="{p.x:.1f}" y="{p.y - 6:.1f}" '
                       f'fill="{colour(node)}" font-size="9">{_esc(caption or "chance")}</text>')

    players = game.players
    for p in leaves:
        node = p.node
        x = p.x + 4
        if p.collapsed_as is not None:
            out.append(f'<text class="collapsed" x="{x:.1f}" y="{p.y + 3:.1f}" '
                       f'fill="{TERMINAL_COLOUR}" font-style="italic">⋯ same moves as under '
                       f'{_esc(p.collapsed_as)} (payoffs in the tables)</text>')
            continue
        out.append(f'<circle class="leaf" cx="{p.x + 1:.1f}" cy="{p.y:.1f}" r="2" '
                   f'fill="{TERMINAL_COLOUR}"/>')
        parts = []
        for i, v in enumerate(node.payoffs):
            col = PLAYER_COLOURS[i % len(PLAYER_COLOURS)]
            parts.append(f'<tspan fill="{col}">{_esc(_num(v))}</tspan>')
        payoff_text = '<tspan fill="#444">(</tspan>' + '<tspan fill="#444">, </tspan>'.join(
            parts) + '<tspan fill="#444">)</tspan>'
        out.append(f'<text class="payoff" x="{x + 4:.1f}" y="{p.y + 3:.1f}">{payoff_text}'
                   f'<tspan class="outcome" fill="#777" dx="8">{_esc(node.outcome)}</tspan>'
                   f"</text>")

    legend_y = height - 18
    legend = [f'<tspan fill="{CHANCE_COLOUR}">■ chance</tspan>']
    for i, name in enumerate(players):
        col = PLAYER_COLOURS[i % len(PLAYER_COLOURS)]
        legend.append(f'<tspan fill="{col}" dx="12">■ {_esc(name)}</tspan>')
    legend.append('<tspan fill="#444" dx="12">payoffs: (' + ", ".join(
        _esc(name) for name in players) + ")</tspan>")
    legend.append('<tspan fill="#444" dx="12">- - - information set</tspan>')
    if behaviour is not None:
        legend.append('<tspan fill="#444" dx="12">thick: played in the equilibrium</tspan>')
    out.append(f'<text class="legend" x="{MARGIN}" y="{legend_y}">{"".join(legend)}</text>')
    out.append("</svg>")
    return "\n".join(out)


__all__ = ["MAX_TERMINALS", "tree_svg"]
