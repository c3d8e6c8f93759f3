"""Result types of the solve layer: equilibria with beliefs, and the solve result.

Every number that decides an answer is a :class:`~fractions.Fraction`; floats
appear only in :meth:`Equilibrium.to_json`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from callbluff.display import SolveView
from callbluff.game.tree import Game
from callbluff.solve.refinements import Refinement

__all__ = ["Beliefs", "Equilibrium", "LinearInequality", "SolveResult"]


@dataclass(frozen=True)
class LinearInequality:
    """``Σ coefficients[node]·μ(node) (sense) rhs`` with sense ``"<="`` or ``"=="``."""

    coefficients: tuple[tuple[int, Fraction], ...]  # (node id, coefficient)
    sense: str
    rhs: Fraction

    def holds(self, mu: Mapping[int, Fraction]) -> bool:
        lhs = sum((c * mu.get(n, Fraction(0)) for n, c in self.coefficients), Fraction(0))
        return lhs == self.rhs if self.sense == "==" else lhs <= self.rhs


@dataclass(frozen=True)
class Beliefs:
    """Beliefs of the uninformed player at one information set.

    On the path: ``distribution`` (over the information set's nodes, by Bayes'
    rule) and ``type_distribution`` (the same, aggregated over types).  Off the
    path: ``polyhedra`` — the set of supporting beliefs as a union of polyhedra,
    each a tuple of exact linear constraints over the nodes (the simplex
    constraints ``μ ≥ 0, Σ μ = 1`` are implied and not listed); ``distribution``
    then holds one supporting belief.  ``text`` renders the set for people,
    e.g. ``"μ(weak | quiche) ≥ 1/2"``.
    """

    infoset: str
    on_path: bool
    nodes: tuple[int, ...]
    node_types: tuple[str, ...]
    distribution: Mapping[int, Fraction]
    type_distribution: Mapping[str, Fraction]
    polyhedra: tuple[tuple[LinearInequality, ...], ...] = ()
    text: str = ""

    def supports(self, mu: Mapping[int, Fraction]) -> bool:
        """Whether the node belief ``mu`` lies in the reported belief set."""
        if any(v < 0 for v in mu.values()) or sum(mu.values(), Fraction(0)) != 1:
            return False
        if self.on_path:
            return all(mu.get(n, Fraction(0)) == p for n, p in self.distribution.items())
        return any(all(c.holds(mu) for c in poly) for poly in self.polyhedra)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"on_path": self.on_path, "text": self.text}
        out["types"] = {t: float(p) for t, p in self.type_distribution.items()}
        out["types_exact"] = {t: _fmt(p) for t, p in self.type_distribution.items()}
        if not self.on_path:
            out["polyhedra"] = [
                [
                    {
                        "coefficients": {str(n): _fmt(c) for n, c in ineq.coefficients},
                        "sense": ineq.sense,
                        "rhs": _fmt(ineq.rhs),
                    }
                    for ineq in poly
                ]
                for poly in self.polyhedra
            ]
        return out


def _fmt(x: Fraction) -> str:
    return f"{x.numerator}/{x.denominator}" if x.denominator != 1 else str(x.numerator)


@dataclass(frozen=True)
class Equilibrium:
    """One equilibrium outcome (equilibria differing only off the path are merged).

    ``behaviour`` covers every information set (on and off the path; off the path
    one supporting choice); ``beliefs`` covers the uninformed player's
    information sets.  ``intuitive_criterion`` and ``d1`` (with the detail per
    unsent signal in ``refinement``, :mod:`.refinements`) are ``None`` where the
    tests are not defined (games without one informed player moving first).
    ``classification`` is ``"n/a"`` for games without an informed player.
    """

    behaviour: Mapping[str, Mapping[str, Fraction]]
    on_path: frozenset[str]
    beliefs: Mapping[str, Beliefs]
    payoffs: tuple[Fraction, ...]
    type_payoffs: Mapping[str, Fraction]
    classification: str
    classification_detail: Mapping[str, Mapping[str, Fraction]]
    intuitive_criterion: bool | None
    max_regret: Fraction
    agent_max_regret: Fraction
    informed_player: int | None
    players: tuple[str, ...] = field(default=())
    d1: bool | None = None
    refinement: Refinement | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "payoffs": {p: float(v) for p, v in zip(self.players, self.payoffs, strict=True)},
            "payoffs_exact": {p: _fmt(v) for p, v in zip(self.players, self.payoffs, strict=True)},
            "strategies": {
                h: {a: float(p) for a, p in acts.items()} for h, acts in self.behaviour.items()
            },
            "beliefs": {h: b.to_json() for h, b in self.beliefs.items()},
            "classification": self.classification,
            "intuitive_criterion": self.intuitive_criterion,
            "d1": self.d1,
            "refinements": None if self.refinement is None else self.refinement.to_json(),
            "max_regret": float(self.max_regret),
        }


@dataclass(frozen=True, repr=False)  # the short repr of SolveView
class SolveResult(SolveView):
    """All equilibrium outcomes of ``game`` found by ``method``, in canonical order.

    ``complete`` is ``False`` when the list may miss equilibrium outcomes;
    ``incomplete_reasons`` then says why (one sentence each).

    Examples
    --------
    The beer-quiche game (Cho & Kreps 1987) pools on beer or on quiche:

    >>> import callbluff as cb
    >>> from callbluff.game.catalog import beer_quiche
    >>> result = cb.solve(beer_quiche())
    >>> result
    SolveResult of 'Beer-Quiche (Cho & Kreps 1987)': 2 equilibria (pooling) by pbe-enumeration
    >>> result.complete
    True
    """

    game: Game
    method: str
    options: Mapping[str, object]
    equilibria: tuple[Equilibrium, ...]
    complete: bool = True
    incomplete_reasons: tuple[str, ...] = ()

    def completeness_json(self) -> dict[str, Any]:
        return {"complete": self.complete, "incomplete_reasons": list(self.incomplete_reasons)}
