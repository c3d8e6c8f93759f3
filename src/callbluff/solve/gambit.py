"""Fallback for two-player games outside the one-informed-player class: pygambit.

* ``gambit-enummixed``: all extreme Nash equilibria of the (reduced) strategic
  form by vertex enumeration (Avis & Fukuda's lrs as in Gambit; Mangasarian 1964;
  Avis, Rosenberg, Savani & von Stengel 2010, *Economic Theory* 42), used when
  the strategic form has at most :data:`MAX_ENUMMIXED_CELLS` cells.
* ``gambit-lcp``: one or more equilibria of the sequence form by Lemke's
  algorithm (Koller, Megiddo & von Stengel 1996, *GEB* 14), otherwise.

Both run with ``rational=True``; the profiles are converted to exact behaviour
and then passed through the same exact verification as the own solver
(:mod:`.assemble`): Nash equilibria that are not weak perfect Bayesian
equilibria (no belief off the path supports them) are dropped.

Reference: Gambit, https://gambitproject.readthedocs.io/en/latest/pyapi.html
(pygambit 16.7).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from callbluff.game.tree import Game, NodeKind

__all__ = ["MAX_ENUMMIXED_CELLS", "gambit_profiles", "to_pygambit"]

MAX_ENUMMIXED_CELLS = 5000


def _pygambit() -> Any:
    """pygambit, imported on first use: it is needed only for games outside the own
    solver's class, and it builds from source (``pip install 'callbluff[test]'``)."""
    try:
        import pygambit
    except ImportError as err:  # pragma: no cover - depends on the installation
        raise RuntimeError(
            "this game is outside the own solver's class and needs pygambit: "
            "pip install 'callbluff[test]' (or pygambit==16.7.0)") from err
    return pygambit


def to_pygambit(game: Game) -> tuple[Any, list[Any]]:
    """The game as a pygambit tree; also our information set id → Gambit infoset."""
    gbt = _pygambit()
    g = gbt.Game.new_tree(players=list(game.players), title=game.title)
    gnodes: dict[int, Any] = {0: g.root}
    ginfo: dict[int, Any] = {}
    outcome_no = 0
    for node in game.nodes:
        gn = gnodes[node.id]
        if node.kind is NodeKind.CHANCE:
            g.append_move(gn, g.players.chance, [f"c{i}" for i in range(len(node.children))])
            g.set_chance_probs(gn.infoset, [gbt.Rational(p) for p in node.chance_probs])
        elif node.kind is NodeKind.DECISION:
            assert node.infoset is not None
            h = game.infosets[node.infoset]
            if h.id in ginfo:
                g.append_infoset(gn, ginfo[h.id])
            else:
                g.append_move(gn, game.players[h.player], list(h.actions))
                ginfo[h.id] = gn.infoset
                gn.infoset.label = h.label
        else:
            outcome_no += 1
            out = g.add_outcome(
                payoffs=[gbt.Rational(p) for p in node.payoffs],
                label=f"{outcome_no}: {node.outcome}" if node.outcome else f"z{outcome_no}",
            )
            g.set_outcome(gn, out)
            continue
        for child_id, gchild in zip(node.children, gn.children, strict=True):
            gnodes[child_id] = gchild
    return g, [ginfo[h.id] for h in game.infosets]


def _cells(g: Any) -> int:
    cells = 1
    for player in g.players:
        cells *= len(player.strategies)
    return cells


def gambit_profiles(game: Game) -> tuple[str, list[list[list[Fraction]]]]:
    """(method name, exact behaviour profiles) from pygambit."""
    gbt = _pygambit()
    g, ginfo = to_pygambit(game)
    if _cells(g) <= MAX_ENUMMIXED_CELLS:
        method = "gambit-enummixed"
        result = gbt.nash.enummixed_solve(g, rational=True)
        profiles = [p.as_behavior() for p in result.equilibria]
    else:
        method = "gambit-lcp"
        result = gbt.nash.lcp_solve(g, rational=True)
        profiles = list(result.equilibria)
    out: list[list[list[Fraction]]] = []
    for prof in profiles:
        beh = [[Fraction(str(prof[act])) for act in gh.actions] for gh in ginfo]
        out.append(beh)
    return method, out
