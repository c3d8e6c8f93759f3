"""Weak PBE outcomes of games whose first move is the informed player's message.

Method ("message branches"): the support enumeration of :mod:`.pbe`, organised
around the first move so that the product over the uninformed player's
information sets is never formed.

* Class: the root is chance (the types); each type's first decision is a message
  (its actions, matched across types by label); every later information set of
  either player lies below one message (a *branch*).  Bargains with counter-demands
  have this shape: accept, reject and each counter-demand open a branch of their own.
* Same conditions as :mod:`.pbe` (weak PBE, Fudenberg & Tirole 1991, §8.2; sequence
  form, Koller, Megiddo & von Stengel 1996): for a profile of supports the
  informed player's conditions are linear in U's realization plan and U's in I's;
  each profile is solved and certified by the same code (:func:`.pbe._finish`).
* Decomposition.  I's conditions at nodes after the message, and U's conditions in
  a branch, involve that branch only; branches meet only at the first move, through
  each type's value of each message.  So supports are enumerated once per branch
  (*local candidates*, pruned by the branch's own rows), and a *sender pattern*
  (which messages each type sends) is combined with one local candidate per branch
  sent on the path.  A type mixes over several messages only if their values can be
  equal, which prunes mixed patterns by the values each branch can give.
* Values of a candidate (:func:`_image`): the vertices of its polytope (U's
  realization plans in the branch that satisfy I's rows after the message) are
  enumerated exactly, which gives each type's exact least and greatest value, whether
  each end is reachable with every support probability positive, and, for every two
  types, the polygon of their two values.  The search prunes with these necessary
  conditions before any LP: each type's interval (exact where it shrinks to a point),
  and every two types' values meeting in all branches on the path at once (the
  polygons cut into a box, in floats widened far beyond their rounding, and in exact
  arithmetic where an open end or facet may decide).  Most
  patterns that the LP of I's rows used to reject fail one of them (one type: its
  values cannot be equal; two types: one mixture in a branch cannot make both
  indifferent).
* Off the path ("existence semantics"): a message nobody sends needs one
  continuation that deters every type, not all of them; its local candidates are
  tried until the whole profile is verified.  Profiles that differ only off the path
  have the same outcome, so the outcome set is unchanged, except where the on-path
  point of a continuum would move with the off-path choice (one point per on-path
  support profile, as in :mod:`.pbe`).

* Twins (:func:`_twins`): choices of U that end the game with the same payoffs under
  one belief (after a counter-demand: the fallback after a breakdown, after walking
  away, after a refusal of the offer it stood firm on) are enumerated with one
  support; the outcome set is unchanged (docs/algorithms.md, "Twins").

Complexity: Σ over branches of the local candidates, times the sender patterns that
survive the value test, instead of the product of all of U's supports (for the
2009 bargain hearing three costly counter-demands, 413,343 profiles).  The
differential test against :mod:`.pbe` is ``tests/test_solve_branches.py``.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar

from callbluff.game.tree import Game, NodeKind
from callbluff.solve.exact import LinearSystem, echelon, float_point
from callbluff.solve.pbe import (
    _CONST,
    _ONE,
    Expr,
    Rows,
    _Builder,
    _condition_rows,
    _finish,
    _float_strict,
    _later_supports,
    _realization,
    _rows_impossible,
    _Tree,
    _u_forms,
    _u_live,
    _u_supports,
    _value,
    _w_form,
)
from callbluff.solve.structure import OneInformed
from callbluff.solve.verify import Behaviour, mixes_off_path

__all__ = ["Shape", "branch_shape", "search_branches", "support_combinations"]



@dataclass(frozen=True)
class Shape:
    """A game of the message-branch class, with its branches."""

    tree: _Tree
    roots: tuple[int, ...]  # the informed player's first node, per type
    branch: tuple[str | None, ...]  # per node: the message above it (None at and above roots)
    messages: tuple[str, ...]


@dataclass(frozen=True)
class _Local:
    """Supports in one branch whose rows for I's later nodes are feasible."""

    u_support: dict[int, tuple[int, ...]]
    i_support: dict[int, tuple[int, ...]]
    #: per type index: the type's value of the message (U pure in the branch), or its
    #: range over U's pure plans in the support (U mixes)
    values: dict[int, tuple[Fraction, Fraction]]
    #: the same values as forms in the branch's realization variables, and the rows
    #: those variables obey (simplex rows and I's rows after the message)
    forms: dict[int, Expr]
    nvars: int
    eq: tuple[tuple[dict[int, Fraction], Fraction], ...]
    ub: tuple[tuple[dict[int, Fraction], Fraction], ...]

    @property
    def u_pure(self) -> bool:
        return all(len(s) == 1 for s in self.u_support.values())


def branch_shape(game: Game, roles: OneInformed) -> Shape | None:
    """The message branches, or ``None`` if the game is not of that class."""
    game_tree = _Tree(game, roles)
    g = game
    if g.root.kind is not NodeKind.CHANCE:
        return None
    roots = tuple(g.root.children)
    informed = game_tree.roles.informed
    for r in roots:
        node = g.nodes[r]
        if node.kind is not NodeKind.DECISION or g.player_of(node) != informed:
            return None
    root_set = set(roots)
    branch: list[str | None] = [None] * len(g.nodes)
    messages: list[str] = []
    for node in g.nodes:
        for i, child in enumerate(node.children):
            if node.id in root_set:
                label = g.actions_at(node)[i]
                branch[child] = label
                if label not in messages:
                    messages.append(label)
            else:
                branch[child] = branch[node.id]
    for h in g.infosets:
        if h.nodes[0] in root_set:
            continue
        labels = {branch[n] for n in h.nodes}
        if len(labels) != 1 or None in labels:
            return None
    return Shape(game_tree, roots, tuple(branch), tuple(messages))


def support_combinations(shape: Shape) -> int:
    """How many combinations of U's supports the sequential enumeration would form."""
    g = shape.tree.game
    return math.prod(2 ** len(g.infosets[h].actions) - 1 for h in shape.tree.uinfo)


def _range(form: Expr, uinfo: list[int], u_support: dict[int, tuple[int, ...]],
           tree: _Tree, yexpr: dict[tuple[int, int], Expr]) -> tuple[Fraction, Fraction]:
    """Least and greatest value of ``form`` over U's pure plans inside the supports
    (the vertices of the realization polytope: an affine form is extreme there)."""
    variables = {next(iter(e)): key for key, e in yexpr.items()
                 if len(e) == 1 and _CONST not in e}
    vals: list[Fraction] = []
    for pick in itertools.product(*(u_support[h] for h in uinfo)):
        chosen = dict(zip(uinfo, pick, strict=True))
        real: dict[tuple[int, int], Fraction] = {}
        for h in uinfo:
            parent = tree.u_parent[h]
            pv = Fraction(1) if parent is None or parent not in real else real[parent]
            for a in u_support[h]:
                real[(h, a)] = pv if a == chosen[h] else Fraction(0)
        vals.append(sum((c if k == _CONST else c * real[variables[k]]
                         for k, c in form.items()), Fraction(0)))
    return min(vals), max(vals)


def _locals(shape: Shape, message: str, tie_twins: bool = True) -> list[_Local]:
    """Every support profile of one branch whose later-node rows of I are feasible,
    twins tied (:func:`_twins`) unless ``tie_twins`` is off."""
    tree = shape.tree
    g = tree.game
    uinfo = [h for h in tree.uinfo if shape.branch[g.infosets[h].nodes[0]] == message]
    inodes = [n for n in tree.inodes if shape.branch[n] == message]
    per_h = [_u_supports(tree, h) for h in uinfo]
    senders = [(t, r, g.actions_at(g.nodes[r]).index(message))
               for t, r in enumerate(shape.roots) if message in g.actions_at(g.nodes[r])]
    twins = _twins(shape, uinfo) if tie_twins else []
    out: list[_Local] = []
    for combo in itertools.product(*per_h):
        u_support = dict(zip(uinfo, combo, strict=True))
        if not _tied(shape, twins, u_support, None):
            continue
        yb, yexpr = _realization(tree, uinfo, u_support)
        for supports, reps, eq_rows, ub_rows in _later_supports(
                tree, list(reversed(inodes)), u_support, yb, yexpr):
            if not _tied(shape, twins, u_support, supports):
                continue
            forms = {t: _w_form(tree, r, b, reps, u_support, yexpr) for t, r, b in senders}
            values = {t: _range(f, uinfo, u_support, tree, yexpr) for t, f in forms.items()}
            out.append(_Local(dict(u_support), supports, values, forms,
                              yb.nvars, (*yb.eq, *eq_rows), tuple(ub_rows)))
    return out


@dataclass(frozen=True)
class _Image:
    """A local candidate's values over its polytope (U's realization plans in the
    branch that satisfy I's rows after the message)."""

    #: per type: least and greatest value (the pure-plan range where the vertices
    #: were not enumerated)
    ranges: dict[int, tuple[Fraction, Fraction]]
    #: per type: its value at each vertex, in one order; ``None`` if not enumerated
    points: dict[int, tuple[Fraction, ...]] | None
    #: per type: whether the least and the greatest value are out of reach with every
    #: realization probability positive (as the LPs and the exact solve require)
    open_ends: dict[int, tuple[bool, bool]]
    #: per vertex: the variables positive there (empty without vertices)
    used: tuple[frozenset[int], ...] = ()
    nvars: int = 0

    def reached(self, vertices: list[int]) -> bool:
        """Whether the face spanned by these vertices has a point with every variable
        positive (their average has exactly the union of their supports)."""
        return len(frozenset().union(*(self.used[v] for v in vertices))) == self.nvars


def _image(loc: _Local) -> _Image:
    """The values of ``loc`` at the vertices of its polytope.

    An end of a type's range is reached with every variable positive exactly when the
    vertices at that end together use every variable: their average is then positive
    and on the same face; otherwise a variable vanishes on the whole face.  (The local
    exists because a point with every variable positive was found, so no variable
    vanishes on the whole polytope.)"""
    vertices = _vertices(loc.nvars, loc.eq, loc.ub) if loc.nvars else [()]
    if not vertices:
        return _Image(dict(loc.values), None, {t: (False, False) for t in loc.values})
    points = {t: tuple(_value(f, list(v)) for v in vertices) for t, f in loc.forms.items()}
    used = [frozenset(j for j, x in enumerate(v) if x > 0) for v in vertices]
    everything = frozenset(range(loc.nvars))

    def unreached(values: tuple[Fraction, ...], end: Fraction) -> bool:
        return frozenset().union(*(u for u, x in zip(used, values, strict=True)
                                   if x == end)) != everything

    return _Image({t: (min(p), max(p)) for t, p in points.items()}, points,
                  {t: (unreached(p, min(p)), unreached(p, max(p))) for t, p in points.items()},
                  tuple(used), loc.nvars)


#: One member of a twin class: a U information set and, per action that ends the game
#: at once, the action's signature (every type's payoffs there).
_Twin = tuple[int, dict[int, tuple[tuple[Fraction, ...], ...]]]


def _twins(shape: Shape, uinfo: list[int]) -> list[list[_Twin]]:
    """Classes of *twin* choices in one branch: U information sets (or the part of one)
    whose actions end the game with the same payoffs, type by type, and whose nodes
    are reached in the same proportions across types (only chance and U above them
    after the message, or I's pure choices; :func:`_tied` checks those).  Breakdown,
    walking away and a refusal after standing firm are such twins in the bargain.

    Why tying them keeps every outcome: at twins U holds one belief and faces the same
    payoffs, so every action either takes is optimal at both; replacing each twin's
    mixture by their reach-weighted average leaves each type's payoff, every belief and
    U's payoff unchanged.  So for every equilibrium there is one with the same outcome
    in which reached twins have the same support, and only those are enumerated.
    """
    tree = shape.tree
    g = tree.game
    members: list[_Twin] = []
    for h in uinfo:
        nodes = g.infosets[h].nodes
        sig: dict[int, tuple[tuple[Fraction, ...], ...]] = {}
        for a in range(len(g.infosets[h].actions)):
            ends = [tree.leaves(n, a) for n in nodes]
            if all(len(e) == 1 and not e[0][2] and not e[0][3] for e in ends):
                sig[a] = tuple(sorted(
                    (Fraction(tree.roles.node_type[n]), *g.nodes[e[0][0]].payoffs)
                    for n, e in zip(nodes, ends, strict=True)))
        reach = {tree.cprob[n] / tree.cprob[shape.roots[tree.roles.node_type[n]]]
                 for n in nodes}
        if len(sig) > 1 and len(reach) == 1:
            members.append((h, sig))
    classes: list[list[_Twin]] = []
    for h, sig in members:
        if len(sig) != len(g.infosets[h].actions):
            continue  # a class is named by an information set that only ends the game
        names = set(sig.values())
        cls = [(hh, {a: v for a, v in s.items() if v in names}) for hh, s in members
               if names <= set(s.values()) and len(set(s.values())) == len(s)]
        if len(cls) > 1 and not any(c[0][0] == cls[0][0] for c in classes):
            classes.append(cls)
    return classes


def _tied(shape: Shape, twins: list[list[_Twin]], u_support: dict[int, tuple[int, ...]],
          i_support: dict[int, tuple[int, ...]] | None) -> bool:
    """Whether reached twins choose the same support (``i_support`` ``None``: only the
    twins that I's choices cannot separate are tested)."""
    g = shape.tree.game
    for cls in twins:
        chosen: set[frozenset[tuple[tuple[Fraction, ...], ...]]] = set()
        for h, sig in cls:
            picked = frozenset(sig[a] for a in u_support[h] if a in sig)
            if picked and _proportional(shape, g.infosets[h].nodes, u_support, i_support):
                chosen.add(picked)
        if len(chosen) > 1:
            return False
    return True


def _proportional(shape: Shape, nodes: tuple[int, ...] | list[int],
                  u_support: dict[int, tuple[int, ...]],
                  i_support: dict[int, tuple[int, ...]] | None) -> bool:
    """Every type reaches its node with the chance of its message times one common
    factor: U's choices above are in its support and I's are pure."""
    tree = shape.tree
    for n in nodes:
        step = tree.useq[n]
        while step is not None:
            if step[1] not in u_support.get(step[0], (step[1],)):
                return False
            step = tree.u_parent[step[0]]
        seq = tree.iseq[n]
        while seq is not None and seq[0] not in shape.roots:
            if i_support is None or i_support.get(seq[0]) != (seq[1],):
                return False
            seq = tree.iseq[seq[0]]
    return True


def _x_feasible(shape: Shape, pattern: dict[int, tuple[str, ...]],
                on_path: dict[str, _Local]) -> bool:
    """U's rows in the branches ``on_path`` (a necessary condition, float).

    ``pattern`` gives the messages each sender sends: one message weighs 1, several
    share a weight of 1 if all are in ``on_path``, else each weighs freely in (0, 1].
    Rows whose continuation passes a U mixture are left to the whole profile (they
    depend on the mixture it fixes).
    """
    tree = shape.tree
    g = tree.game
    xb = _Builder()
    xexpr: dict[tuple[int, int], Expr] = {}
    ub: Rows = []
    for t, sent in pattern.items():
        r = shape.roots[t]
        acts = g.actions_at(g.nodes[r])
        here = [m for m in sent if m in on_path]
        if len(sent) == 1 or len(here) == len(sent):
            exprs = xb.simplex(_ONE, len(here))
        else:
            exprs = [{xb.new(): Fraction(1)} for _ in here]
            ub.extend((dict(e), Fraction(1)) for e in exprs)
        for m, e in zip(here, exprs, strict=True):
            xexpr[(r, acts.index(m))] = e
    i_support: dict[int, tuple[int, ...]] = {}
    u_support: dict[int, tuple[int, ...]] = {}
    for loc in on_path.values():
        i_support.update(loc.i_support)
        u_support.update(loc.u_support)
    for n in tree.inodes:
        parent = tree.iseq[n]
        if n not in i_support or parent is None or parent not in xexpr:
            continue
        for b, e in zip(i_support[n], xb.simplex(xexpr[parent], len(i_support[n])),
                        strict=True):
            xexpr[(n, b)] = e
    # U's pure choices below, as behaviour (rows through a U mixture are skipped)
    rho = {h: [Fraction(int(a == s[0])) for a in range(len(g.infosets[h].actions))]
           for h, s in u_support.items() if len(s) == 1}
    for h, support in u_support.items():
        if not _u_live(tree, h, u_support):
            continue
        reached = [node for node in g.infosets[h].nodes
                   if (tree.iseq[node] is None or tree.iseq[node] in xexpr)
                   and tree.cprob[node] > 0]
        if not reached or any(
                hh not in rho
                for a in range(len(g.infosets[h].actions)) for node in reached
                for _, _, isteps, usteps in tree.leaves(node, a)
                if all(c in i_support[nn] for nn, c in isteps) for hh, _ in usteps):
            continue
        rows = _condition_rows(_u_forms(tree, h, reached, i_support, xexpr, rho), support)
        if rows is None:
            return False
        xb.eq.extend(rows[0])
        ub.extend(rows[1])
    if not xb.nvars:
        return True
    return _float_strict(xb, ub, []) is not None


def _shares_weight(weights: dict[int, tuple[str, ...]]) -> bool:
    """Whether :func:`_x_feasible` would tie two branches together: a type that sends
    several messages of the path with one shared weight.  Otherwise its system splits
    into one block per branch — the rows that ``rows_ok`` of :func:`search_branches`
    already solved for that branch with the same weights (a pure sender's fixed, a
    mixing sender's free) — so solving it again decides nothing new."""
    return any(len(p) > 1 and "?" not in p for p in weights.values())


def _meet(ranges: list[tuple[Fraction, Fraction]]) -> bool:
    return max(lo for lo, _ in ranges) <= min(hi for _, hi in ranges)


def _profile_rows(shape: Shape, u_support: dict[int, tuple[int, ...]],
                  i_support: dict[int, tuple[int, ...]],
                  ) -> tuple[_Builder, dict[tuple[int, int], Expr], Rows, Rows] | None:
    """The rows of I's conditions for one whole support profile, as .pbe builds them."""
    tree = shape.tree
    g = tree.game
    yb, yexpr = _realization(tree, tree.uinfo, u_support)
    reps: dict[int, int] = {}
    eq_rows: Rows = []
    ub_rows: Rows = []
    for n in reversed(tree.inodes):
        forms = [_w_form(tree, n, b, reps, u_support, yexpr)
                 for b in range(len(g.nodes[n].children))]
        rows = _condition_rows(forms, i_support[n])
        if rows is None or _rows_impossible(*rows):
            return None
        eq_rows.extend(rows[0])
        ub_rows.extend(rows[1])
        reps[n] = i_support[n][0]
    return yb, yexpr, eq_rows, ub_rows


def _coefficients(shape: Shape, message: str, local: _Local
                  ) -> list[tuple[tuple[int, ...], dict[int, list[Fraction] | None]]]:
    """Per U information set of the branch: its support and, per type, U's payoff of
    each action from that type's nodes; ``None`` where the type mixes later or a U
    mixture lies below (then only the whole profile decides)."""
    tree = shape.tree
    g = tree.game
    uninformed = tree.roles.uninformed
    root_set = set(shape.roots)

    def live(n: int) -> bool:
        seq = tree.iseq[n]
        while seq is not None and seq[0] not in root_set:
            if seq[1] not in local.i_support[seq[0]]:
                return False
            seq = tree.iseq[seq[0]]
        return True

    out = []
    for h, support in local.u_support.items():
        if not _u_live(tree, h, local.u_support):
            continue
        info = g.infosets[h]
        per_type: dict[int, list[Fraction] | None] = {}
        for n in info.nodes:
            t = tree.roles.node_type[n]
            if tree.cprob[n] == 0 or not live(n) or (t in per_type and per_type[t] is None):
                continue
            row = per_type.setdefault(t, [Fraction(0)] * len(info.actions))
            assert row is not None
            for a in range(len(info.actions)):
                for z, cf, isteps, usteps in tree.leaves(n, a):
                    if any(len(local.i_support[nn]) > 1 for nn, _ in isteps) or any(
                            len(local.u_support[hh]) > 1 for hh, _ in usteps):
                        per_type[t] = None
                        break
                    if any(c not in local.i_support[nn] for nn, c in isteps) or any(
                            aa not in local.u_support[hh] for hh, aa in usteps):
                        continue
                    row[a] += tree.cprob[n] * cf * g.nodes[z].payoffs[uninformed]
                if per_type[t] is None:
                    break
        out.append((support, per_type))
    return out


Coefficients = list[tuple[tuple[int, ...], dict[int, list[Fraction] | None]]]


def _rows_possible(coefficients: Coefficients, senders: dict[int, bool]) -> bool:
    """A necessary test of U's rows, row by row: senders that may mix over messages
    weigh freely (> 0), the others weigh 1."""
    for support, per_type in coefficients:
        present = [t for t in senders if t in per_type]
        if not present or any(per_type[t] is None for t in present):
            continue
        rep = support[0]
        width = len(per_type[present[0]] or [])
        for a in range(width):
            if a == rep:
                continue
            fixed = Fraction(0)
            neg = pos = False
            for t in present:
                row = per_type[t]
                assert row is not None
                d = row[a] - row[rep]
                if senders[t]:
                    neg, pos = neg or d < 0, pos or d > 0
                else:
                    fixed += d
            low_ok = neg or fixed <= 0
            if not low_ok or (a in support and not (pos or fixed >= 0)):
                return False
    return True


def search_branches(shape: Shape, accept: Callable[[Behaviour], bool],
                    tie_twins: bool = True) -> int:
    """Offer ``accept`` one profile per feasible on-path support profile (it verifies).

    Returns how many on-path support profiles found no verified continuation while one
    tried mixed off the path (at one point: another mixture might have passed), the
    same limit as :mod:`.pbe`'s.

    Depth-first over the messages: each gets its senders and one local candidate.
    Pruning, all of it necessary conditions: every type's value is narrowed to an
    interval (a sender's value is in the candidate's exact range, a non-sender's is at
    least the candidate's least value; only candidates that keep every interval
    non-empty are visited, and an interval shrunk to a point is checked exactly with
    its open ends); U's rows in the branch for these senders; once U mixes somewhere
    on the path, every two types' values in the branches chosen so far (:func:`_image`,
    :func:`_box_meets`) and then I's rows of those branches (an LP).  Which types mix
    over messages is fixed first, so that U's rows weigh the other senders exactly.
    Twins are tied (:func:`_twins`); ``tie_twins=False`` enumerates them apart (the
    benchmark's reference).
    """
    g = shape.tree.game
    local_lists = {m: _locals(shape, m, tie_twins) for m in shape.messages}
    messages = sorted(shape.messages, key=lambda m: len(local_lists[m]))
    coefficients = {m: [_coefficients(shape, m, loc) for loc in local_lists[m]]
                    for m in messages}
    images = {m: [_image(loc) for loc in local_lists[m]] for m in messages}
    bounds = {m: [{t: (float(lo), float(hi)) for t, (lo, hi) in im.ranges.items()}
                  for im in images[m]] for m in messages}
    available = [g.actions_at(g.nodes[r]) for r in shape.roots]
    ntypes = len(shape.roots)
    # every type's value lies in the range of some branch it sends (floats round
    # monotonically, so the float bounds are those of the exact ones)
    exact_bottom = [min((im.ranges[t][0] for m in messages for im in images[m]
                         if t in im.ranges), default=Fraction(0)) for t in range(ntypes)]
    exact_top = [max((im.ranges[t][1] for m in messages for im in images[m]
                      if t in im.ranges), default=Fraction(0)) for t in range(ntypes)]
    bottom = [float(v) for v in exact_bottom]
    top = [float(v) for v in exact_top]
    scale = [max(abs(bottom[t]), abs(top[t])) for t in range(ntypes)]
    pair_order = list(itertools.combinations(range(ntypes), 2))
    index = {m: _Index(bounds[m]) for m in messages}
    hulls: dict[tuple[str, int, int, int], list[tuple[Fraction, Fraction]]] = {}
    facet_cache: dict[tuple[str, int, int, int, bool, bool], tuple[Plane, ...]] = {}
    exactly: dict[tuple[object, ...], bool] = {}

    def facets(m: str, i: int, a: int, b: int, ray_a: bool, ray_b: bool
               ) -> tuple[Plane, ...]:
        key = (m, i, a, b, ray_a, ray_b)
        if key not in facet_cache:
            points = images[m][i].points
            if points is None or a not in points or b not in points:
                facet_cache[key] = ()
            else:
                hk = (m, i, a, b)
                if hk not in hulls:
                    hulls[hk] = _hull(list(zip(points[a], points[b], strict=True)))
                facet_cache[key] = _slanted_facets(
                    hulls[hk], ray_a, ray_b, (scale[a], scale[b]),
                    list(zip(points[a], points[b], strict=True)), images[m][i])
        return facet_cache[key]

    def side(t: int) -> tuple[float, float]:
        slack = _PLANE_SLACK * (1 + scale[t])
        return max(low[t], bottom[t]) - slack, min(high[t], top[t]) + slack

    def exact_ends(t: int) -> tuple[_End | None, _End | None]:
        """Type ``t``'s interval on the path so far, exactly, with open ends."""
        least: _End | None = None
        most: _End | None = None
        for m, i in chosen_at.items():
            im = images[m][i]
            if t not in im.ranges:
                continue
            (lo, hi), (lo_open, hi_open) = im.ranges[t], im.open_ends[t]
            if least is None or lo > least[0]:
                least = (lo, lo_open)
            elif lo == least[0]:
                least = (lo, least[1] or lo_open)
            if m in sends[t]:
                if most is None or hi < most[0]:
                    most = (hi, hi_open)
                elif hi == most[0]:
                    most = (hi, most[1] or hi_open)
        return least, most

    def ends_ok() -> bool:
        """Where a type's interval has shrunk to one float, its exact ends, open
        where the range's end needs a realization probability of 0 (the value there
        is out of reach of the profile, whose supports are exact)."""
        for t in range(ntypes):
            if low[t] < high[t]:
                continue
            least, most = exact_ends(t)
            if least is not None and most is not None and (
                    least[0] > most[0] or (least[0] == most[0] and (least[1] or most[1]))):
                return False
        return True

    def pairs_ok() -> bool:
        """Every two types' values meet in every branch on the path at once.

        Why it is necessary: with these supports, each type's value equals its value
        in every branch it sends and is at least its value in every other branch on
        the path, at one realization plan per branch.  So two types' values lie, for
        each branch, in the polygon of the two values at the branch polytope's
        vertices, extended upwards along a type that does not send the message, and
        hence in all those regions at once.  Each region is the box of the types'
        intervals (kept by :func:`_narrow`) cut by its slanted facets
        (:func:`_slanted_facets`); closed regions are tested, a superset of what the
        profile can reach.  The pair that failed last is tried first."""
        for n, (a, b) in enumerate(pair_order):
            planes: list[Plane] = []
            for m, i in chosen_at.items():
                if m in available[a] and m in available[b]:
                    planes.extend(facets(m, i, a, b, m not in sends[a], m not in sends[b]))
            if planes and not meets(a, b, planes):
                pair_order.insert(0, pair_order.pop(n))
                return False
        return True

    def meets(a: int, b: int, planes: list[Plane]) -> bool:
        """The pair test in floats, and exactly where an open end or facet may decide
        (the float polygon comes within the slack of one)."""
        box = (*side(a), *side(b))
        poly = _clip(box, planes)
        if not poly:
            return False
        near = [2 * _PLANE_SLACK * (1 + scale[t]) for t in (a, b)]
        touch = (min(x for x, _ in poly) <= box[0] + near[0],
                 max(x for x, _ in poly) >= box[1] - near[0],
                 min(y for _, y in poly) <= box[2] + near[1],
                 max(y for _, y in poly) >= box[3] - near[1])
        if not any(touch) and not any(
                is_open and max(nx * x + ny * y for x, y in poly) >= 2 * float(ge) - g
                for nx, ny, g, is_open, _, _, ge in planes):
            return True
        # the exact answer depends only on the two types' branches on the path
        key = (a, b, tuple((m, i, m in sends[a], m in sends[b]) for m, i in chosen_at.items()))
        if key not in exactly:
            xs, ys = exact_side(a), exact_side(b)
            # nothing open near the polygon: the closed test above stands
            opens = any(near_side and end[1] for near_side, end in zip(
                touch, (*xs, *ys), strict=True)) or any(p[3] for p in planes)
            exactly[key] = not opens or _meets_exactly(xs, ys, planes)
        return exactly[key]

    def exact_side(t: int) -> tuple[_End, _End]:
        least, most = exact_ends(t)
        return (least or (exact_bottom[t], False), most or (exact_top[t], False))
    offering = {m: [t for t in range(ntypes) if m in available[t]] for m in messages}
    possible: dict[tuple[str, int, frozenset[tuple[int, bool]]], bool] = {}
    feasible: dict[tuple[object, ...], bool] = {}
    answers: dict[tuple[str, int, frozenset[int]], list[tuple[frozenset[int], bool]]] = {}

    def on_path_ok(sent: tuple[tuple[str, ...], ...], on_path: dict[str, _Local]) -> bool:
        """:func:`_on_path_feasible`, remembered: the same partial profile recurs (a
        leaf repeats its last level's test; continuations meet the same path)."""
        key = (tuple(tuple(m for m in p if m in on_path) for p in sent),
               frozenset((m, id(loc)) for m, loc in on_path.items()))
        if key not in feasible:
            feasible[key] = _on_path_feasible(shape, sent, on_path)
        return feasible[key]

    def rows_ok(m: str, i: int, flags: dict[int, bool]) -> bool:
        key = (m, i, frozenset(flags.items()))
        if key not in possible:
            possible[key] = _rows_possible(coefficients[m][i], flags) and free_rows_ok(
                m, i, flags)
        return possible[key]

    def free_rows_ok(m: str, i: int, flags: dict[int, bool]) -> bool:
        """U's rows of one branch (an LP), unless a known answer decides: a sender
        whose weight is free in (0, 1] may take the weight 1 of one that is fixed, so
        rows feasible with fewer free senders are feasible with more, and rows
        infeasible with more free senders are infeasible with fewer."""
        free = frozenset(t for t, f in flags.items() if f)
        known = answers.setdefault((m, i, frozenset(flags)), [])
        for other, answer in known:
            if (answer and other <= free) or (not answer and free <= other):
                return answer
        answer = _x_feasible(shape, {t: (m, "?") if f else (m,) for t, f in flags.items()},
                             {m: local_lists[m][i]})
        known.append((free, answer))
        return answer

    chosen: dict[str, _Local] = {}
    chosen_at: dict[str, int] = {}
    sends: list[list[str]] = [[] for _ in range(ntypes)]
    low: list[float] = [-math.inf] * ntypes
    high: list[float] = [math.inf] * ntypes
    mixing: set[int] = set()
    unresolved = [0]

    def pattern() -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(m for m in shape.messages if m in sends[t]) for t in range(ntypes))

    def leaf() -> None:
        sent = pattern()
        value = _values(sent, chosen, available)
        weights = {t: p for t, p in enumerate(sent)}
        if value is None or not on_path_ok(sent, chosen) or (
                _shares_weight(weights) and not _x_feasible(shape, weights, chosen)):
            return
        known = value
        unused = [m for m in shape.messages if m not in chosen]

        # Branches meet only through the types' values, so a continuation that cannot
        # deter together with the path alone cannot deter beside other unused branches
        # either: each candidate is tested once on its own, lazily, and only those
        # that pass enter the product.
        @functools.cache
        def may_deter(m: str, i: int) -> bool:
            loc = local_lists[m][i]
            # a continuation off the path can deter only if its least values do
            return all(t not in known or lo <= known[t]
                       for t, (lo, _) in loc.values.items()) and on_path_ok(
                sent, {**chosen, m: loc})

        def continuations(k: int) -> Iterator[dict[str, _Local]]:
            if k == len(unused):
                yield {}
                return
            m = unused[k]
            for i, loc in enumerate(local_lists[m]):
                if may_deter(m, i):
                    for rest in continuations(k + 1):
                        yield {m: loc, **rest}

        unsure: list[bool] = []
        for off in continuations(0):
            if _try(shape, sent, {**chosen, **off}, accept, unsure):
                return
        unresolved[0] += bool(unsure)

    def partial_ok(k: int) -> bool:
        """I's and U's rows of the branches chosen so far (a type that may still
        send more weighs freely)."""
        sent = pattern()
        if not on_path_ok(sent, chosen):
            return False
        weights = {t: (*p, "?") if t in mixing and remaining[t][k + 1] else p
                   for t, p in enumerate(sent) if p}
        return not _shares_weight(weights) or _x_feasible(shape, weights, chosen)

    def dfs(k: int) -> None:
        if k == len(messages):
            leaf()
            return
        m = messages[k]
        # a type that answers purely sends one message, a mixing type at least two
        open_ = [t for t in offering[m] if t in mixing or not sends[t]]
        need = [(2 if t in mixing else 1) - len(sends[t]) for t in range(ntypes)]
        if any(need[t] > remaining[t][k] for t in range(ntypes)):
            return
        must = [t for t in offering[m] if 0 < need[t] == remaining[t][k]]
        # candidates that leave every type's interval non-empty (:func:`_narrow`'s test
        # for a non-sender; a sender's also needs its greatest value above the low end)
        reach = index[m].every
        for t in offering[m]:
            reach &= index[m].below(t, high[t])
        for size in range(len(must), len(open_) + 1):
            for senders in itertools.combinations(open_, size):
                if any(t not in senders for t in must):
                    continue
                if not senders:
                    dfs(k + 1)
                    continue
                for t in senders:
                    sends[t].append(m)
                flags = {t: t in mixing for t in senders}
                fits = reach
                for t in senders:
                    fits &= index[m].above(t, low[t])
                while fits:  # the candidates whose intervals meet, in their order
                    bit = fits & -fits
                    fits ^= bit
                    i = bit.bit_length() - 1
                    loc = local_lists[m][i]
                    saved = (list(low), list(high))
                    if _narrow(bounds[m][i], senders, offering[m], low, high) and rows_ok(
                            m, i, flags):
                        chosen[m] = loc
                        chosen_at[m] = i
                        pure = all(c.u_pure for c in chosen.values())
                        if ends_ok() and (pure or (pairs_ok() and (
                                k + 1 == len(messages) or partial_ok(k)))):
                            dfs(k + 1)
                        del chosen[m]
                        del chosen_at[m]
                    low[:], high[:] = saved
                for t in senders:
                    sends[t].pop()

    # remaining[t][k]: messages from position k on that type t may send
    remaining = [[sum(1 for m in messages[k:] if m in available[t])
                  for k in range(len(messages) + 1)] for t in range(ntypes)]
    mixable = [t for t in range(ntypes) if len(available[t]) > 1]
    for size in range(len(mixable) + 1):
        for group in itertools.combinations(mixable, size):
            mixing.clear()
            mixing.update(group)
            dfs(0)
    return unresolved[0]


#: Most sets of active constraints :func:`_vertices` tries; a branch whose polytope
#: would need more keeps its pure-plan ranges and joins no pair test (less pruning only)
_VERTEX_COMBOS = 4000
#: Relative slack by which the pair test widens every float half-plane and box side
#: before it declares their intersection empty: many orders of magnitude above the
#: rounding of the few operations it does on exact numbers converted to floats, so
#: the test is decided as in exact arithmetic (pruning only)
_PLANE_SLACK = 1e-9


def _vertices(nvars: int, eq: tuple[tuple[dict[int, Fraction], Fraction], ...],
              ub: tuple[tuple[dict[int, Fraction], Fraction], ...]
              ) -> list[tuple[Fraction, ...]] | None:
    """Every vertex of ``{y ≥ 0, eq, ub}`` (a local candidate's realization polytope cut
    by I's rows after the message; bounded: each variable is a realization probability),
    exactly; ``None`` when more than ``_VERTEX_COMBOS`` active sets would be tried.

    The equalities are solved for pivot variables (Gauss–Jordan), which leaves
    ``d`` free ones; a vertex is a feasible point where ``d`` of the remaining
    inequalities are active and independent."""
    reduced = echelon([row for row, _ in eq], [rhs for _, rhs in eq], nvars)
    if reduced is None:
        return []
    mat, pivots = reduced
    free = [j for j in range(nvars) if j not in pivots]
    d = len(free)
    # every variable as an affine form in the free ones: (constant, coefficients)
    affine: list[tuple[Fraction, list[Fraction]]] = [(Fraction(0), [])] * nvars
    for k, j in enumerate(free):
        affine[j] = (Fraction(0), [Fraction(int(k == kk)) for kk in range(d)])
    for i, p in enumerate(pivots):
        affine[p] = (mat[i][nvars], [-mat[i][j] for j in free])
    # constraints a·z <= c
    cons: list[tuple[tuple[Fraction, ...], Fraction]] = []
    for const, coef in affine:
        cons.append((tuple(-c for c in coef), const))
    for row, rhs in ub:
        coef = [Fraction(0)] * d
        const = Fraction(0)
        for j, c in row.items():
            const += c * affine[j][0]
            for k in range(d):
                coef[k] += c * affine[j][1][k]
        cons.append((tuple(coef), rhs - const))
    kept: list[tuple[tuple[Fraction, ...], Fraction]] = []
    for a, c in cons:
        if not any(a):
            if c < 0:
                return []
        elif (a, c) not in kept:
            kept.append((a, c))
    points: list[tuple[Fraction, ...]] = []
    if d == 0:
        candidates: list[tuple[Fraction, ...]] = [()]
    elif math.comb(len(kept), d) > _VERTEX_COMBOS:
        return None
    else:
        candidates = []
        for active in itertools.combinations(kept, d):
            z = _solve_square([a for a, _ in active], [c for _, c in active])
            if z is not None:
                candidates.append(z)
    for z in candidates:
        if all(sum((ak * zk for ak, zk in zip(a, z, strict=True)), Fraction(0)) <= c
               for a, c in kept):
            y = tuple(const + sum((ck * zk for ck, zk in zip(coef, z, strict=True)),
                                  Fraction(0)) for const, coef in affine)
            if y not in points:
                points.append(y)
    return points


def _solve_square(rows: list[tuple[Fraction, ...]], rhs: list[Fraction]
                  ) -> tuple[Fraction, ...] | None:
    """The solution of a square system, ``None`` if it is singular."""
    n = len(rows)
    reduced = echelon([dict(enumerate(row)) for row in rows], rhs, n)
    if reduced is None or len(reduced[1]) < n:
        return None
    return tuple(reduced[0][i][n] for i in range(n))


def _hull(points: list[tuple[Fraction, Fraction]]) -> list[tuple[Fraction, Fraction]]:
    """Vertices of the convex hull, counter-clockwise (monotone chain, exact); two
    for a segment, one for a point."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o: tuple[Fraction, Fraction], a: tuple[Fraction, Fraction],
              b: tuple[Fraction, Fraction]) -> Fraction:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[Fraction, Fraction]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[Fraction, Fraction]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


#: A half-plane ``nx·va + ny·vb <= g``: in floats, ``g`` already widened by the slack;
#: whether it is open (the facet needs a zero probability); and exactly
Plane = tuple[float, float, float, bool, Fraction, Fraction, Fraction]


def _slanted_facets(hull: list[tuple[Fraction, Fraction]], ray_a: bool, ray_b: bool,
                    scale: tuple[float, float], points: list[tuple[Fraction, Fraction]],
                    image: _Image) -> tuple[Plane, ...]:
    """The facets of ``hull + cone(rays)`` that are not parallel to an axis (``ray_a``:
    the direction +va, a type that does not send the message but may not prefer it).

    Why the rest is the box: in the plane, a facet of a polytope plus rays along the
    axes is an edge of the hull whose outward normal points away from every ray, or a
    facet parallel to a ray, hence to an axis; and a facet parallel to an axis is the
    polytope's bound on that coordinate, which the value intervals already hold.
    So the region is the box of its intervals cut by these half-planes, exactly.
    A facet is open where the vertices on it (``points``, the vertices' values in
    order) span a face with a variable 0 throughout: the profile's point, all of whose
    variables are positive, cannot lie on it."""
    out: list[Plane] = []
    n = len(hull)
    if n < 2:
        return ()
    for k in range(n):
        (px, py), (qx, qy) = hull[k], hull[(k + 1) % n]
        nx, ny = qy - py, px - qx  # outward for a counter-clockwise hull
        if nx == 0 or ny == 0 or (ray_a and nx > 0) or (ray_b and ny > 0):
            continue
        top = max(abs(nx), abs(ny))
        nx, ny = nx / top, ny / top
        g = nx * px + ny * py
        slack = _PLANE_SLACK * (1 + abs(float(g)) + abs(float(nx)) * scale[0]
                                + abs(float(ny)) * scale[1])
        on = [v for v, (x, y) in enumerate(points) if nx * x + ny * y == g]
        plane = (float(nx), float(ny), float(g) + slack, not image.reached(on), nx, ny, g)
        if plane not in out:
            out.append(plane)
    return tuple(out)


def _clip(box: tuple[float, float, float, float], planes: list[Plane]
          ) -> list[tuple[float, float]]:
    """The part of the box ``(xlo, xhi, ylo, yhi)`` in every half-plane, as closed (float
    clipping of a convex polygon, Sutherland–Hodgman; the caller has widened all of
    them); empty if none."""
    xlo, xhi, ylo, yhi = box
    if xlo > xhi or ylo > yhi:
        return []
    return _clipped([(xlo, ylo), (xhi, ylo), (xhi, yhi), (xlo, yhi)],
                    [(nx, ny, g) for nx, ny, g, *_ in planes])


_Num = TypeVar("_Num", float, Fraction)


def _clipped(poly: list[tuple[_Num, _Num]], planes: list[tuple[_Num, _Num, _Num]]
             ) -> list[tuple[_Num, _Num]]:
    for nx, ny, g in planes:
        out: list[tuple[_Num, _Num]] = []
        px, py = poly[-1]
        dp = nx * px + ny * py - g
        for qx, qy in poly:
            dq = nx * qx + ny * qy - g
            if (dp > 0) != (dq > 0):
                s = dp / (dp - dq)
                out.append((px + s * (qx - px), py + s * (qy - py)))
            if dq <= 0:
                out.append((qx, qy))
            px, py, dp = qx, qy, dq
        if not out:
            return []
        poly = out
    return poly


#: One end of an interval: its value and whether it is open
_End = tuple[Fraction, bool]


def _meets_exactly(xs: tuple[_End, _End], ys: tuple[_End, _End], planes: list[Plane]) -> bool:
    """Whether the box of ``xs`` × ``ys`` meets every half-plane, open ends and open
    half-planes excluded, in exact arithmetic.

    The closed parts are clipped exactly; the average of the polygon's points is then
    in its relative interior, where an open constraint fails only if it is tight on
    the whole polygon (a linear function at most ``g`` on a convex set and equal to
    ``g`` at a relative interior point is ``g`` throughout)."""
    (xlo, xlo_open), (xhi, xhi_open) = xs
    (ylo, ylo_open), (yhi, yhi_open) = ys
    if xlo > xhi or ylo > yhi:
        return False
    poly = _clipped([(xlo, ylo), (xhi, ylo), (xhi, yhi), (xlo, yhi)],
                    [(nx, ny, g) for *_, nx, ny, g in planes])
    if not poly:
        return False
    cx = sum((x for x, _ in poly), Fraction(0)) / len(poly)
    cy = sum((y for _, y in poly), Fraction(0)) / len(poly)
    if (xlo_open and cx <= xlo) or (xhi_open and cx >= xhi) or (
            ylo_open and cy <= ylo) or (yhi_open and cy >= yhi):
        return False
    return all(nx * cx + ny * cy < g for _, _, _, is_open, nx, ny, g in planes if is_open)


class _Index:
    """One branch's candidates as bit sets by their value ranges, so that a level of
    the search visits only the candidates :func:`_narrow` would pass."""

    def __init__(self, bounds: list[dict[int, tuple[float, float]]]) -> None:
        self.every = (1 << len(bounds)) - 1
        self._lows: dict[int, tuple[list[float], list[int]]] = {}
        self._highs: dict[int, tuple[list[float], list[int]]] = {}
        for t in {t for b in bounds for t in b}:
            self._lows[t] = self._prefixes(sorted((b[t][0], i) for i, b in enumerate(bounds)))
            self._highs[t] = self._prefixes(sorted(((-b[t][1], i) for i, b in enumerate(bounds))))

    @staticmethod
    def _prefixes(ordered: list[tuple[float, int]]) -> tuple[list[float], list[int]]:
        masks = [0]
        for _, i in ordered:
            masks.append(masks[-1] | 1 << i)
        return [v for v, _ in ordered], masks

    def below(self, t: int, top: float) -> int:
        """The candidates whose least value for ``t`` is at most ``top``."""
        values, masks = self._lows[t]
        return masks[bisect.bisect_right(values, top)]

    def above(self, t: int, bottom: float) -> int:
        """The candidates whose greatest value for ``t`` is at least ``bottom``."""
        values, masks = self._highs[t]
        return masks[bisect.bisect_right(values, -bottom)]


def _narrow(bounds: dict[int, tuple[float, float]], senders: tuple[int, ...],
            offering: list[int], low: list[float], high: list[float]) -> bool:
    """Narrow each type's value interval by one branch; ``False`` when one empties
    (floats round monotonically, so the test never drops a feasible choice)."""
    for t in offering:
        lo, hi = bounds[t]
        low[t] = max(low[t], lo)
        if t in senders:
            high[t] = min(high[t], hi)
        if low[t] > high[t]:
            return False
    return True


def _values(pattern: tuple[tuple[str, ...], ...], chosen: dict[str, _Local],
            available: list[tuple[str, ...]]) -> dict[int, Fraction] | None:
    """Each type's equilibrium value where U is pure in the branches it uses;
    ``None`` if the constants already contradict the pattern."""
    value: dict[int, Fraction] = {}
    for t, sent in enumerate(pattern):
        spans = [chosen[m].values[t] for m in sent]
        if not spans:
            continue
        if not _meet(spans):
            return None
        if all(lo == hi for lo, hi in spans):
            value[t] = spans[0][0]
    for t, acts in enumerate(available):
        if t not in value:
            continue
        for m in acts:
            if m in chosen and m not in pattern[t] and chosen[m].values[t][0] > value[t]:
                return None
    return value


def _on_path_feasible(shape: Shape, pattern: tuple[tuple[str, ...], ...],
                      on_path: dict[str, _Local]) -> bool:
    """I's rows of the branches on the path, with each type's rows at its first node
    among those messages (a float test with every support variable positive; pruning
    only, the whole profile is solved exactly by :func:`_try`)."""
    eq: Rows = []
    ub: Rows = []
    forms: dict[str, dict[int, Expr]] = {}
    offset = 0

    def shifted(expr: dict[int, Fraction]) -> dict[int, Fraction]:
        return {k if k == _CONST else k + offset: v for k, v in expr.items()}

    for m, loc in on_path.items():
        eq.extend((shifted(row), rhs) for row, rhs in loc.eq)
        ub.extend((shifted(row), rhs) for row, rhs in loc.ub)
        forms[m] = {t: shifted(f) for t, f in loc.forms.items()}
        offset += loc.nvars
    for t, sent in enumerate(pattern):
        sent_here = [m for m in sent if m in on_path]
        if not sent_here:
            continue
        others = [m for m in on_path if t in forms[m] and m not in sent_here]
        rows = _condition_rows([forms[m][t] for m in sent_here + others],
                               tuple(range(len(sent_here))))
        if rows is None:
            return False
        eq.extend(rows[0])
        ub.extend(rows[1])
    if not offset:
        return True  # constant rows were decided by _condition_rows
    system = LinearSystem(offset + 1, eq, [*ub, *(({offset: Fraction(1), v: Fraction(-1)},
                                                   Fraction(0)) for v in range(offset)),
                                           ({offset: Fraction(1)}, Fraction(1))])
    objective = [0.0] * offset + [-1.0]
    point = float_point(system, objective)
    return point is not None and point[offset] > 1e-9


def _try(shape: Shape, pattern: tuple[tuple[str, ...], ...], full: dict[str, _Local],
         accept: Callable[[Behaviour], bool], unsure: list[bool]) -> bool:
    """Solve and offer one whole support profile; ``unsure`` gets an entry when it fails
    verification with a mixture off the path (fixed at one point: another might pass)."""
    tree = shape.tree
    g = tree.game
    u_support: dict[int, tuple[int, ...]] = {}
    i_support: dict[int, tuple[int, ...]] = {}
    for loc in full.values():
        u_support.update(loc.u_support)
        i_support.update(loc.i_support)
    for t, r in enumerate(shape.roots):
        acts = g.actions_at(g.nodes[r])
        i_support[r] = tuple(acts.index(m) for m in pattern[t])
    built = _profile_rows(shape, u_support, i_support)
    if built is None:
        return False
    yb, yexpr, eq_rows, ub_rows = built
    for beh in _finish(tree, u_support, i_support, yb, yexpr, eq_rows, ub_rows):
        if accept(beh):
            return True
        if mixes_off_path(g, beh):
            unsure.append(True)
    return False
