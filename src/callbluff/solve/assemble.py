"""Turn a behaviour profile into a verified :class:`Equilibrium`, and merge outcomes.

Beliefs are derived here, independently of how the profile was found: Bayes'
rule where an information set is reached, and otherwise the exact polyhedron of
beliefs under which the prescribed behaviour is optimal (continuation fixed).
The profile is kept only if the exact maximum regret (:mod:`.verify`) is 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from callbluff.game.tree import Game, NodeKind
from callbluff.solve.result import Beliefs, Equilibrium, LinearInequality
from callbluff.solve.signalling import classify
from callbluff.solve.verify import (
    Behaviour,
    bayes_beliefs,
    belief_polyhedron,
    node_values,
    reach_probabilities,
    regrets,
)

__all__ = ["build_equilibrium", "merge_outcomes", "outcome_key", "render_belief_set"]


def _type_index(game: Game) -> list[int]:
    out = [-1] * len(game.nodes)
    if game.root.kind is not NodeKind.CHANCE:
        return out
    for node in game.nodes[1:]:
        assert node.parent is not None
        out[node.id] = game.root.children.index(node.id) if node.parent == 0 else out[node.parent]
    return out


def _node_names(game: Game, nodes: Sequence[int], ntype: Sequence[int]) -> list[str]:
    types = game.root.chance_actions if game.root.kind is NodeKind.CHANCE else ()
    base = [types[ntype[n]] if ntype[n] >= 0 and types else f"node {n}" for n in nodes]
    out = []
    for n, name in zip(nodes, base, strict=True):
        if base.count(name) > 1:
            label = game.nodes[n].label or f"node {n}"
            out.append(f"{name}@{label}")
        else:
            out.append(name)
    return out


def _fmt(x: Fraction) -> str:
    return str(x)


def render_belief_set(
    infoset_label: str,
    names: Sequence[str],
    nodes: Sequence[int],
    polyhedra: Sequence[Sequence[LinearInequality]],
) -> str:
    """Human-readable union of belief polyhedra, e.g. ``μ(weak | quiche) ≥ 1/2``."""
    if len(nodes) == 2:
        first, second = nodes
        pieces: list[tuple[Fraction, Fraction]] = []
        for poly in polyhedra:
            lo, hi = Fraction(0), Fraction(1)
            for ineq in poly:
                co = dict(ineq.coefficients)
                c1, c2 = co.get(first, Fraction(0)), co.get(second, Fraction(0))
                slope, const = c1 - c2, c2 - ineq.rhs  # slope·μ1 + const (sense) 0
                if slope == 0:
                    continue
                bound = -const / slope
                if ineq.sense == "==":
                    lo, hi = max(lo, bound), min(hi, bound)
                elif slope > 0:
                    hi = min(hi, bound)
                else:
                    lo = max(lo, bound)
            if lo <= hi:
                pieces.append((lo, hi))
        pieces.sort()
        merged: list[list[Fraction]] = []
        for lo, hi in pieces:
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        mu = f"μ({names[0]} | {infoset_label})"
        parts = []
        for lo, hi in merged:
            if lo == hi:
                parts.append(f"{mu} = {_fmt(lo)}")
            elif lo == 0 and hi == 1:
                parts.append(f"any belief at {infoset_label}")
            elif lo == 0:
                parts.append(f"{mu} ≤ {_fmt(hi)}")
            elif hi == 1:
                parts.append(f"{mu} ≥ {_fmt(lo)}")
            else:
                parts.append(f"{_fmt(lo)} ≤ {mu} ≤ {_fmt(hi)}")
        return " or ".join(parts) if parts else "no belief"
    if _complementary_halves(polyhedra):
        return f"any belief at {infoset_label}"
    name_of = dict(zip(nodes, names, strict=True))
    texts = []
    for poly in polyhedra:
        rows = []
        for ineq in poly:
            terms = " + ".join(
                f"{_fmt(c)}·μ({name_of[n]} | {infoset_label})" for n, c in ineq.coefficients
            )
            rows.append(f"{terms} {'=' if ineq.sense == '==' else '≤'} {_fmt(ineq.rhs)}")
        texts.append(", ".join(rows) if rows else f"any belief at {infoset_label}")
    return " or ".join(texts) if texts else "no belief"


def _complementary_halves(polyhedra: Sequence[Sequence[LinearInequality]]) -> bool:
    """Two of the polyhedra are ``c·μ ≤ 0`` and ``−c·μ ≤ 0``: together, every belief
    (both answers deter, each on its side of the indifference hyperplane)."""
    halves = {
        poly[0].coefficients
        for poly in polyhedra
        if len(poly) == 1 and poly[0].sense == "<=" and poly[0].rhs == 0
    }
    return any(tuple((n, -c) for n, c in coefficients) in halves for coefficients in halves)


def build_equilibrium(
    game: Game,
    beh: Behaviour,
    informed: int | None,
) -> Equilibrium | None:
    """A verified equilibrium from behaviour ``beh``, or ``None`` if it is not a weak PBE
    (or not a behaviour profile: every row must be a probability distribution)."""
    if any(p < 0 for row in beh for p in row) or any(sum(row) != 1 for row in beh):
        return None
    vals = node_values(game, beh)
    reach = reach_probabilities(game, beh)
    ntype = _type_index(game)
    types = game.root.chance_actions if game.root.kind is NodeKind.CHANCE else ()
    beliefs: dict[str, Beliefs] = {}
    off_points: dict[int, dict[int, Fraction]] = {}
    on_path: set[str] = set()
    for h in game.infosets:
        mu = bayes_beliefs(game, reach, h.id)
        if mu is not None:
            on_path.add(h.label)
        if informed is not None and h.player == informed:
            continue
        names = _node_names(game, h.nodes, ntype)
        if mu is not None:
            polys: tuple[tuple[LinearInequality, ...], ...] = ()
            text = ", ".join(
                f"μ({name} | {h.label}) = {_fmt(mu[n])}"
                for name, n in zip(names, h.nodes, strict=True)
            )
        else:
            if len(h.nodes) == 1:
                mu = {h.nodes[0]: Fraction(1)}
                poly, point = belief_polyhedron(game, vals, beh, h.id)
                if point is None:
                    return None
            else:
                poly, point = belief_polyhedron(game, vals, beh, h.id)
                if point is None:
                    return None
                mu = point
            off_points[h.id] = mu
            polys = (poly,)
            text = render_belief_set(h.label, names, h.nodes, polys)
        tdist: dict[str, Fraction] = {}
        for n in h.nodes:
            key = types[ntype[n]] if types and ntype[n] >= 0 else f"node {n}"
            tdist[key] = tdist.get(key, Fraction(0)) + mu[n]
        beliefs[h.label] = Beliefs(
            infoset=h.label,
            on_path=h.label in on_path,
            nodes=h.nodes,
            node_types=tuple(names),
            distribution=dict(mu),
            type_distribution=tdist,
            polyhedra=polys,
            text=text,
        )
    worst, agent = regrets(game, beh, off_points, vals, reach)
    if worst != 0:
        return None
    behaviour = {h.label: {a: beh[h.id][i] for i, a in enumerate(h.actions)} for h in game.infosets}
    payoffs = vals[0]
    type_payoffs: dict[str, Fraction] = {}
    detail: dict[str, dict[str, Fraction]] = {}
    classification = "n/a"
    if informed is not None and types:
        for t, child in enumerate(game.root.children):
            type_payoffs[types[t]] = vals[child][informed]
        first: dict[str, dict[str, Fraction]] = {}
        for h in game.infosets_of(informed):
            for n in h.nodes:
                if _has_ancestor_of(game, n, informed):
                    continue
                t = ntype[n]
                prior = game.root.chance_probs[t]
                if prior == 0:
                    continue
                cond = reach[n] / prior
                row = first.setdefault(types[t], {})
                for i, a in enumerate(h.actions):
                    row[a] = row.get(a, Fraction(0)) + cond * beh[h.id][i]
                    dmove = detail.setdefault(a, {})
                    dmove[types[t]] = dmove.get(types[t], Fraction(0)) + cond * beh[h.id][i]
        classification = classify(first)
    return Equilibrium(
        behaviour=behaviour,
        on_path=frozenset(on_path),
        beliefs=beliefs,
        payoffs=tuple(payoffs),
        type_payoffs=type_payoffs,
        classification=classification,
        classification_detail=detail,
        intuitive_criterion=None,  # solve() applies the refinements to each outcome
        max_regret=worst,
        agent_max_regret=agent,
        informed_player=informed,
        players=game.players,
    )


def _has_ancestor_of(game: Game, node_id: int, player: int) -> bool:
    node = game.nodes[node_id]
    while node.parent is not None:
        node = game.nodes[node.parent]
        if node.kind is NodeKind.DECISION and game.player_of(node) == player:
            return True
    return False


def outcome_key(game: Game, eq: Equilibrium) -> tuple[tuple[str, tuple[Fraction, ...]], ...]:
    """Behaviour at reached information sets, the identity of an outcome."""
    return tuple(
        (h.label, tuple(eq.behaviour[h.label][a] for a in h.actions))
        for h in game.infosets
        if h.label in eq.on_path
    )


def merge_outcomes(game: Game, eqs: Sequence[Equilibrium]) -> tuple[Equilibrium, ...]:
    """One equilibrium per outcome, off-path belief sets united; canonical order."""
    groups: dict[tuple[tuple[str, tuple[Fraction, ...]], ...], list[Equilibrium]] = {}
    for eq in eqs:
        groups.setdefault(outcome_key(game, eq), []).append(eq)
    ntype = _type_index(game)
    merged: list[Equilibrium] = []
    for key in sorted(groups, key=lambda k: tuple((lab, tuple(-p for p in ps)) for lab, ps in k)):
        members = groups[key]
        rep = members[0]
        beliefs = dict(rep.beliefs)
        for label, b in rep.beliefs.items():
            if b.on_path:
                continue
            polys: list[tuple[LinearInequality, ...]] = []
            for eq in members:
                for poly in eq.beliefs[label].polyhedra:
                    if poly not in polys:
                        polys.append(poly)
            h = next(h for h in game.infosets if h.label == label)
            names = _node_names(game, h.nodes, ntype)
            beliefs[label] = Beliefs(
                infoset=b.infoset,
                on_path=False,
                nodes=b.nodes,
                node_types=b.node_types,
                distribution=b.distribution,
                type_distribution=b.type_distribution,
                polyhedra=tuple(polys),
                text=render_belief_set(label, names, h.nodes, polys),
            )
        merged.append(
            Equilibrium(
                behaviour=rep.behaviour,
                on_path=rep.on_path,
                beliefs=beliefs,
                payoffs=rep.payoffs,
                type_payoffs=rep.type_payoffs,
                classification=rep.classification,
                classification_detail=rep.classification_detail,
                intuitive_criterion=rep.intuitive_criterion,
                d1=rep.d1,
                refinement=rep.refinement,
                max_regret=rep.max_regret,
                agent_max_regret=rep.agent_max_regret,
                informed_player=rep.informed_player,
                players=rep.players,
            )
        )
    return tuple(merged)
