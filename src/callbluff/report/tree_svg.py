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

ROW_H = 24
NODE_LEN = 16
FORK = 18
MARGIN = 16
#: Text size in px, and the width of one character of it (sans-serif, generous), from
#: which each column is made just wide enough for the labels it holds: the tree is as
#: narrow as its labels allow, so that fitted to a page its text stays readable.
FONT = 12
CHAR_W = 0.6 * FONT
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
    depth: int
    y: float
    collapsed_as: str | None = None  # label of the subtree this one repeats


@dataclass(frozen=True)
class _At:
    """A placed node with its x coordinate."""

    placed: _Placed
    x: float

    @property
    def node(self) -> Node:
        return self.placed.node

    @property
    def y(self) -> float:
        return self.placed.y

    @property
    def collapsed_as(self) -> str | None:
        return self.placed.collapsed_as


#: Action labels longer than this are drawn by their initials (full name in the
#: tooltip and in the legend), so that columns stay narrow.
SHORT_CHARS = 14


def short_names(game: Game) -> dict[str, str]:
    """Action label -> the shorter name drawn for it (labels that fit are absent):
    the initials of its words, ``coercive-sanctions-with-china`` → ``CSWC``; the part
    before a colon is kept (``counter:light-water-reactors`` → ``counter:LWR``)."""
    labels = sorted({a for node in game.nodes if node.children for a in game.actions_at(node)})
    out: dict[str, str] = {}
    taken = set(labels)
    for label in labels:
        if len(label) <= SHORT_CHARS:
            continue
        head, _, tail = label.rpartition(":")
        words = [w for w in tail.replace("_", "-").replace(" ", "-").split("-") if w]
        short = (f"{head}:" if head else "") + "".join(w[0].upper() for w in words)
        candidate, n = short, 2
        while candidate in taken:
            candidate, n = f"{short}{n}", n + 1
        taken.add(candidate)
        out[label] = candidate
    return out


def _branch_chars(game: Game, node: Node, short: dict[str, str]) -> int:
    """Characters of the longest label drawn on the branches out of ``node``."""
    probs = node.chance_probs if node.kind is NodeKind.CHANCE else ()
    texts = [*(short.get(a, a) for a in game.actions_at(node)), *(_prob(p) for p in probs)]
    return max((len(t) for t in texts), default=0)


def _columns(game: Game, placed: list[_Placed], collapse: set[int],
             short: dict[str, str]) -> list[float]:
    """x of each depth: each column as wide as the labels of the branches leaving it and
    the node captions under the next column need."""
    depth_max = max(p.depth for p in placed)
    need = [0.0] * (depth_max + 1)
    for p in placed:
        if p.node.children and p.node.id not in collapse:
            branch = NODE_LEN + FORK + 8 + _branch_chars(game, p.node, short) * CHAR_W
            need[p.depth] = max(need[p.depth], branch)
    xs = [float(MARGIN)]
    for depth in range(depth_max):
        xs.append(xs[-1] + max(need[depth], NODE_LEN + FORK + 40))
    return xs


def _leaf_chars(p: _Placed) -> int:
    """Characters of a leaf's text: its payoffs (the outcome is its tooltip), or the
    collapsed line."""
    if p.collapsed_as is not None:
        return 40 + len(p.collapsed_as)
    return len(", ".join(_num(v) for v in p.node.payoffs)) + 2


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
        if node_id in collapse or not node.children:
            leaf_y = float(MARGIN + 14 + row * ROW_H)
            row += 1
            placed[node_id] = _Placed(node, depth, leaf_y,
                                      first_label if node_id in collapse else None)
            return leaf_y
        ys = [visit(c, depth + 1) for c in node.children]
        mid_y = (ys[0] + ys[-1]) / 2
        placed[node_id] = _Placed(node, depth, mid_y)
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
    leaves = [p for p in placed if not p.node.children or p.node.id in collapse]
    abbreviated = short_names(game)
    column_x = _columns(game, placed, collapse, abbreviated)
    by_id = {p.node.id: _At(p, column_x[p.depth]) for p in placed}
    leaf_chars = max((_leaf_chars(p) for p in leaves), default=0)
    legend_lines = _legend_lines(game, behaviour is not None, abbreviated)
    width = max(column_x[-1] + NODE_LEN + 16 + leaf_chars * CHAR_W + MARGIN,
                MARGIN * 2 + max(len(text) for text, _ in legend_lines) * CHAR_W)
    height = MARGIN * 2 + 14 + len(leaves) * ROW_H + 10 + len(legend_lines) * ROW_H
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="game-tree" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{_esc(title or game.title)}" font-family="sans-serif" '
        f'font-size="{FONT}">',
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

    for p in (by_id[q.node.id] for q in placed):
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
            drawn = (_esc(abbreviated[action]) + f"<title>{_esc(action)}</title>"
                     if action in abbreviated else _esc(action))
            out.append(f'<text class="action" x="{mid:.1f}" y="{child.y - 4:.1f}" '
                       f'fill="{stroke}">{drawn}</text>')
            if prob is not None and (is_chance or (prob not in (0, 1))):
                out.append(f'<text class="prob" x="{mid:.1f}" y="{child.y + 11:.1f}" '
                           f'fill="{stroke}">{_esc(_prob(prob))}</text>')
        out.append(
            f'<line class="node" x1="{p.x:.1f}" y1="{p.y:.1f}" x2="{p.x + NODE_LEN:.1f}" '
            f'y2="{p.y:.1f}" stroke="{colour(node)}" stroke-width="3"/>')
        caption = node.label if node.kind is NodeKind.CHANCE else label
        if caption and node.id != 0:
            depth = p.placed.depth
            room = int((column_x[depth] - column_x[depth - 1]) / CHAR_W) if depth else 0
            limit = max(8, min(LABEL_CHARS, room))
            short = caption if len(caption) <= limit else caption[:limit - 1] + "…"
            out.append(f'<text class="node-label" x="{p.x + NODE_LEN:.1f}" y="{p.y + 12:.1f}" '
                       f'fill="{colour(node)}" font-size="{FONT - 1}" text-anchor="end">'
                       f'<title>{_esc(caption)}</title>{_esc(short)}</text>')
        elif node.id == 0:
            out.append(f'<text class="node-label" x="{p.x:.1f}" y="{p.y - 6:.1f}" '
                       f'fill="{colour(node)}" font-size="{FONT - 1}">'
                       f'{_esc(caption or "chance")}</text>')

    for p in (by_id[q.node.id] for q in leaves):
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
                   f'<title class="outcome">{_esc(node.outcome)}</title></text>')

    first_y = height - MARGIN - (len(legend_lines) - 1) * ROW_H
    tspans = "".join(
        f'<tspan x="{MARGIN}" y="{first_y + i * ROW_H:.0f}">{markup}</tspan>'
        for i, (_, markup) in enumerate(legend_lines))
    out.append(f'<text class="legend">{tspans}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _legend_lines(game: Game, played: bool,
                  short: dict[str, str]) -> list[tuple[str, str]]:
    """(plain text, SVG markup) of each legend line: colours, payoff order, line styles,
    then the short names of long actions."""
    players = game.players
    colours = [("■ chance", CHANCE_COLOUR)] + [
        (f"■ {name}", PLAYER_COLOURS[i % len(PLAYER_COLOURS)]) for i, name in enumerate(players)]
    lines = [("   ".join(text for text, _ in colours),
              "".join(f'<tspan fill="{col}" dx="{12 if i else 0}">{_esc(text)}</tspan>'
                      for i, (text, col) in enumerate(colours)))]
    order = "payoffs at the leaves: (" + ", ".join(players) + "); outcome on hover"
    lines.append((order, f'<tspan fill="#444">{_esc(order)}</tspan>'))
    styles = "- - - information set" + ("; thick: played in the equilibrium" if played else "")
    lines.append((styles, f'<tspan fill="#444">{_esc(styles)}</tspan>'))
    names = [f"{abbr} = {label}" for label, abbr in sorted(short.items(), key=lambda x: x[1])]
    row = ""
    for name in names:
        if row and len(row) + 3 + len(name) > 90:
            lines.append((row, f'<tspan fill="#444">{_esc(row)}</tspan>'))
            row = ""
        row = f"{row}; {name}" if row else name
    if row:
        lines.append((row, f'<tspan fill="#444">{_esc(row)}</tspan>'))
    return lines


__all__ = ["MAX_TERMINALS", "short_names", "tree_svg"]
