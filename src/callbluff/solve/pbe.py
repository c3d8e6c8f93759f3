"""All weak perfect Bayesian equilibrium outcomes of games with one informed player.

Method ("pbe-enumeration"): support enumeration in sequence form.

* Solution concept: weak PBE (Fudenberg & Tirole 1991, *Game Theory*, §8.2;
  Mas-Colell, Whinston & Green 1995, §9.C): sequential rationality at every
  information set, Bayes' rule where it applies.
* For fixed supports — ``R_h`` at every information set of the uninformed player U
  and ``S_n`` at every (singleton) node of the informed player I — the
  equilibrium conditions split into two linear systems, as in support
  enumeration for bimatrix games (von Stengel, "Computing equilibria for
  two-person games", *Handbook of Game Theory* vol. 3, ch. 45, 2002; Nisan et
  al., *Algorithmic Game Theory*, ch. 3): I's optimality at every node is linear
  in U's realization plan (Koller, Megiddo & von Stengel 1996, "Efficient
  computation of equilibria for extensive two-person games", *GEB* 14; von
  Stengel 1996, "Efficient computation of behavior strategies", *GEB* 14),
  measured from the nearest U action outside the support; U's optimality at
  reached information sets is linear (homogeneous) in I's realization plan.
  Where a player mixes, every support action has the same continuation value, so
  the first support action represents the node's value.
* Each system is solved for a point with every support probability strictly
  positive (maximise a common lower bound ``t``); HiGHS proposes a basis, the
  point is re-solved and checked exactly (:mod:`.exact`).
* Beliefs at unreached information sets and the final check are independent of
  the enumeration (:mod:`.assemble`, :mod:`.verify`): a candidate is kept only
  if its exact maximum regret is 0.

Where the method is approximate: an unreached information set of U is checked
against I's continuation as the enumeration fixed it (one point of each support
system); off-path mixtures of I below it that only a particular off-path belief
would need are not searched for.  Every reported equilibrium is nevertheless
verified exactly; only completeness could suffer, and only off the path of
play.  The reported outcome set is also one point per support profile: games
with a continuum of equilibrium outcomes (non-generic payoffs) are represented
by those points.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from callbluff.game.tree import Game, NodeKind
from callbluff.solve.exact import LinearSystem, exact_point, float_point
from callbluff.solve.structure import OneInformed
from callbluff.solve.verify import Behaviour

__all__ = ["enumerate_profiles"]

_CONST = -1
_ONE: dict[int, Fraction] = {_CONST: Fraction(1)}
Rows = list[tuple[dict[int, Fraction], Fraction]]
#: A float point counts as strictly positive on the support when its common lower
#: bound ``t`` exceeds this (pruning only: the exact system decides afterwards).
_POSITIVE_T = 1e-9
#: Slack with which a previous float point must satisfy a child's rows to be reused
#: (equalities within it, inequalities strictly inside by it); pruning only.
_ROW_SLACK = 1e-12
Expr = dict[int, Fraction]  # variable index -> coefficient; _CONST -> constant
Leaf = tuple[int, Fraction, tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]


def _add(acc: Expr, expr: Expr, scale: Fraction) -> None:
    for k, v in expr.items():
        acc[k] = acc.get(k, Fraction(0)) + scale * v


def _value(expr: Expr, x: list[Fraction]) -> Fraction:
    return sum((c if k == _CONST else c * x[k] for k, c in expr.items()), Fraction(0))


@dataclass
class _Tree:
    """Precomputed paths of the game tree for the enumeration."""

    game: Game
    roles: OneInformed

    def __post_init__(self) -> None:
        g = self.game
        informed, uninformed = self.roles.informed, self.roles.uninformed
        n = len(g.nodes)
        self.useq: list[tuple[int, int] | None] = [None] * n
        self.iseq: list[tuple[int, int] | None] = [None] * n
        self.cprob: list[Fraction] = [Fraction(1)] * n
        for node in g.nodes:
            for i, child in enumerate(node.children):
                self.useq[child] = self.useq[node.id]
                self.iseq[child] = self.iseq[node.id]
                self.cprob[child] = self.cprob[node.id]
                if node.kind is NodeKind.CHANCE:
                    self.cprob[child] *= node.chance_probs[i]
                elif node.kind is NodeKind.DECISION:
                    assert node.infoset is not None
                    if g.infosets[node.infoset].player == informed:
                        self.iseq[child] = (node.id, i)
                    else:
                        self.useq[child] = (node.infoset, i)
        self.inodes = [
            node.id
            for node in g.nodes
            if node.kind is NodeKind.DECISION and g.player_of(node) == informed
        ]
        self.uinfo = sorted(
            (h.id for h in g.infosets_of(uninformed)), key=lambda h: g.infosets[h].nodes[0]
        )
        self.u_parent = {h: self.useq[g.infosets[h].nodes[0]] for h in self.uinfo}
        self._leaves: dict[int, list[Leaf]] = {}
        for node in reversed(g.nodes):
            self._leaves[node.id] = self._compute_leaves(node.id)
        # U moves again below one of its own information sets (the first entry of
        # ``ust`` is the U node's own move)
        self.nested_u = any(
            len(ust) > 1
            for h in self.uinfo
            for n in g.infosets[h].nodes
            for _, _, _, ust in self._leaves[n]
        )

    def _compute_leaves(self, node_id: int) -> list[Leaf]:
        g = self.game
        node = g.nodes[node_id]
        if node.kind is NodeKind.TERMINAL:
            return [(node_id, Fraction(1), (), ())]
        out: list[Leaf] = []
        for i, child in enumerate(node.children):
            if node.kind is NodeKind.CHANCE:
                p = node.chance_probs[i]
                if p == 0:
                    continue
                out.extend((z, p * cf, ist, ust) for z, cf, ist, ust in self._leaves[child])
            else:
                assert node.infoset is not None
                if g.infosets[node.infoset].player == self.roles.informed:
                    out.extend(
                        (z, cf, ((node_id, i), *ist), ust)
                        for z, cf, ist, ust in self._leaves[child]
                    )
                else:
                    out.extend(
                        (z, cf, ist, ((node.infoset, i), *ust))
                        for z, cf, ist, ust in self._leaves[child]
                    )
        return out

    def leaves(self, node_id: int, action: int) -> list[Leaf]:
        return self._leaves[self.game.nodes[node_id].children[action]]

    def subtree_has_decision(self, h: int) -> bool:
        g = self.game
        return any(
            self._leaves_have_decision(g.nodes[n].children[a])
            for n in g.infosets[h].nodes
            for a in range(len(g.infosets[h].actions))
        )

    def _leaves_have_decision(self, node_id: int) -> bool:
        node = self.game.nodes[node_id]
        if node.kind is NodeKind.DECISION:
            return True
        return any(self._leaves_have_decision(c) for c in node.children)


def _subsets(k: int) -> list[tuple[int, ...]]:
    out: list[tuple[int, ...]] = []
    for size in range(1, k + 1):
        out.extend(itertools.combinations(range(k), size))
    return out


class _Builder:
    """Linear expressions over free variables for one player's realization plan."""

    def __init__(self) -> None:
        self.nvars = 0
        self.eq: list[tuple[dict[int, Fraction], Fraction]] = []
        self.free: list[int] = []

    def new(self) -> int:
        self.nvars += 1
        self.free.append(self.nvars - 1)
        return self.nvars - 1

    def simplex(self, parent: Expr, count: int) -> list[Expr]:
        if count == 1:
            return [parent]
        vs = [self.new() for _ in range(count)]
        row: dict[int, Fraction] = {v: Fraction(1) for v in vs}
        for k, c in parent.items():
            if k != _CONST:
                row[k] = row.get(k, Fraction(0)) - c
        self.eq.append((row, parent.get(_CONST, Fraction(0))))
        return [{v: Fraction(1)} for v in vs]

    def system(self, ub: list[tuple[dict[int, Fraction], Fraction]]) -> tuple[LinearSystem, int]:
        """The system with positivity ``v ≥ t`` for every free variable; returns t's index."""
        t = self.nvars
        rows = list(ub)
        for v in self.free:
            rows.append(({t: Fraction(1), v: Fraction(-1)}, Fraction(0)))
        rows.append(({t: Fraction(1)}, Fraction(1)))
        return LinearSystem(self.nvars + 1, list(self.eq), rows), t


def _condition_rows(
    forms: list[Expr], support: tuple[int, ...]
) -> (
    tuple[list[tuple[dict[int, Fraction], Fraction]], list[tuple[dict[int, Fraction], Fraction]]]
    | None
):
    """Rows for "support actions tie, others are no better"; None if a constant row fails."""
    rep = support[0]
    eq: list[tuple[dict[int, Fraction], Fraction]] = []
    ub: list[tuple[dict[int, Fraction], Fraction]] = []
    for b, form in enumerate(forms):
        if b == rep:
            continue
        diff: Expr = dict(form)
        _add(diff, forms[rep], Fraction(-1))
        const = diff.pop(_CONST, Fraction(0))
        row = {k: v for k, v in diff.items() if v != 0}
        if b in support:
            if not row:
                if const != 0:
                    return None
                continue
            eq.append((row, -const))
        else:
            if not row:
                if const > 0:
                    return None
                continue
            ub.append((row, -const))
    return eq, ub


def _solve_strict(
    builder: _Builder, ub: list[tuple[dict[int, Fraction], Fraction]]
) -> list[Fraction] | None:
    system, t = builder.system(ub)
    objective = [0.0] * system.n
    objective[t] = -1.0
    x = exact_point(system, objective)
    if x is None or x[t] <= 0:
        return None
    return x


def _float_strict(
    builder: _Builder,
    ub: list[tuple[dict[int, Fraction], Fraction]],
    eq: list[tuple[dict[int, Fraction], Fraction]],
) -> list[float] | None:
    """A float point with every free variable ≥ t > 0 (pruning only), or ``None``."""
    system, t = builder.system(ub)
    system.eq.extend(eq)
    objective = [0.0] * system.n
    objective[t] = -1.0
    x = float_point(system, objective)
    if x is None or x[t] <= _POSITIVE_T:
        return None
    return [float(v) for v in x]


def _rows_hold(
    point: list[float],
    eq: list[tuple[dict[int, Fraction], Fraction]],
    ub: list[tuple[dict[int, Fraction], Fraction]],
) -> bool:
    for row, rhs in eq:
        if abs(sum(float(c) * point[j] for j, c in row.items()) - float(rhs)) > _ROW_SLACK:
            return False
    return all(
        sum(float(c) * point[j] for j, c in row.items()) <= float(rhs) - _ROW_SLACK
        for row, rhs in ub
    )


def _rows_impossible(
    eq: list[tuple[dict[int, Fraction], Fraction]],
    ub: list[tuple[dict[int, Fraction], Fraction]],
) -> bool:
    """Interval test with every free variable in [0, 1] (realization plans)."""
    for row, rhs in ub:
        if sum((min(c, Fraction(0)) for c in row.values()), Fraction(0)) > rhs:
            return True
    for row, rhs in eq:
        lo = sum((min(c, Fraction(0)) for c in row.values()), Fraction(0))
        hi = sum((max(c, Fraction(0)) for c in row.values()), Fraction(0))
        if not lo <= rhs <= hi:
            return True
    return False


def enumerate_profiles(game: Game, roles: OneInformed) -> Iterator[Behaviour]:
    """Candidate behaviour profiles, one per feasible support profile (unverified)."""
    tree = _Tree(game, roles)
    for combo in itertools.product(*(_u_supports(tree, h) for h in tree.uinfo)):
        r_support = dict(zip(tree.uinfo, combo, strict=True))
        yield from _for_u_support(tree, r_support)


def _u_supports(tree: _Tree, h: int) -> list[tuple[int, ...]]:
    """U's supports to try at ``h`` (only those optimal for some belief where the
    continuation is terminal)."""
    subs = _subsets(len(tree.game.infosets[h].actions))
    if not tree.subtree_has_decision(h):
        subs = [s for s in subs if _admissible(tree, h, s)]
    return subs


def _admissible(tree: _Tree, h: int, support: tuple[int, ...]) -> bool:
    """Whether ``support`` is the optimal set for some belief (terminal-only continuation)."""
    g = tree.game
    info = g.infosets[h]
    u = tree.roles.uninformed
    k = len(info.nodes)
    vals = [
        [
            sum((cf * g.nodes[z].payoffs[u] for z, cf, _, _ in tree.leaves(n, a)), Fraction(0))
            for a in range(len(info.actions))
        ]
        for n in info.nodes
    ]
    system = LinearSystem(k, [({i: Fraction(1) for i in range(k)}, Fraction(1))], [])
    rep = support[0]
    for a in range(len(info.actions)):
        if a == rep:
            continue
        row = {i: vals[i][a] - vals[i][rep] for i in range(k)}
        (system.eq if a in support else system.ub).append((row, Fraction(0)))
    return exact_point(system) is not None


def _for_u_support(tree: _Tree, r_support: dict[int, tuple[int, ...]]) -> Iterator[Behaviour]:
    yb, yexpr = _realization(tree, tree.uinfo, r_support)
    for supports, _, eq_rows, ub_rows in _later_supports(
            tree, list(reversed(tree.inodes)), r_support, yb, yexpr):
        yield from _finish(tree, r_support, supports, yb, yexpr, eq_rows, ub_rows)


def _w_form(tree: _Tree, n: int, b: int, reps: dict[int, int],
            u_support: dict[int, tuple[int, ...]], yexpr: dict[tuple[int, int], Expr]) -> Expr:
    """I's value of action ``b`` at node ``n`` (its later nodes at their representative
    actions ``reps``), linear in U's realization plan."""
    g = tree.game
    form: Expr = {}
    for z, cf, isteps, usteps in tree.leaves(n, b):
        if any(reps[m] != c for m, c in isteps):
            continue
        if not all(a in u_support[h] for h, a in usteps):
            continue
        seq = tree.useq[z]
        e = yexpr[seq] if seq is not None and seq in yexpr else _ONE
        _add(form, e, cf * g.nodes[z].payoffs[tree.roles.informed])
    return form


def _realization(tree: _Tree, uinfo: list[int], u_support: dict[int, tuple[int, ...]]
                 ) -> tuple[_Builder, dict[tuple[int, int], Expr]]:
    yb = _Builder()
    yexpr: dict[tuple[int, int], Expr] = {}
    for h in uinfo:
        parent = tree.u_parent[h]
        pexpr = _ONE if parent is None or parent not in yexpr else yexpr[parent]
        for a, e in zip(u_support[h], yb.simplex(pexpr, len(u_support[h])), strict=True):
            yexpr[(h, a)] = e
    return yb, yexpr


def _later_supports(tree: _Tree, order: list[int], u_support: dict[int, tuple[int, ...]],
                    yb: _Builder, yexpr: dict[tuple[int, int], Expr]
                    ) -> Iterator[tuple[dict[int, tuple[int, ...]], dict[int, int], Rows, Rows]]:
    """I's supports at ``order``'s nodes (deepest first) whose rows are feasible in floats,
    depth first (the previous float point is reused where it still fits)."""
    g = tree.game
    reps: dict[int, int] = {}
    supports: dict[int, tuple[int, ...]] = {}
    eq_rows: Rows = []
    ub_rows: Rows = []
    points: list[list[float] | None] = [None]

    def dfs(i: int) -> Iterator[tuple[dict[int, tuple[int, ...]], dict[int, int], Rows, Rows]]:
        if i == len(order):
            yield dict(supports), dict(reps), list(eq_rows), list(ub_rows)
            return
        n = order[i]
        k = len(g.nodes[n].children)
        forms = [_w_form(tree, n, b, reps, u_support, yexpr) for b in range(k)]
        if all(set(f) <= {_CONST} for f in forms):
            consts = [f.get(_CONST, Fraction(0)) for f in forms]
            argmax = [b for b in range(k) if consts[b] == max(consts)]
            for s in _subsets(len(argmax)):
                supports[n] = tuple(argmax[j] for j in s)
                reps[n] = supports[n][0]
                yield from dfs(i + 1)
            return
        for s in _subsets(k):
            rows = _condition_rows(forms, s)
            if rows is None or _rows_impossible(*rows):
                continue
            eq, ub = rows
            last = points[-1]
            point = (last if last is not None and _rows_hold(last, eq, ub)
                     else _float_strict(yb, ub_rows + ub, eq_rows + eq))
            if point is None:
                continue
            ub_rows.extend(ub)
            eq_rows.extend(eq)
            points.append(point)
            supports[n], reps[n] = s, s[0]
            yield from dfs(i + 1)
            points.pop()
            del ub_rows[len(ub_rows) - len(ub):]
            del eq_rows[len(eq_rows) - len(eq):]

    yield from dfs(0)


def _u_live(tree: _Tree, h: int, u_support: dict[int, tuple[int, ...]]) -> bool:
    """No U action outside the support above ``h``."""
    seq = tree.u_parent[h]
    while seq is not None:
        if seq[1] not in u_support[seq[0]]:
            return False
        seq = tree.u_parent[seq[0]]
    return True


def _u_forms(tree: _Tree, h: int, reached: list[int], s_support: dict[int, tuple[int, ...]],
             xexpr: dict[tuple[int, int], Expr], rho: dict[int, list[Fraction]]) -> list[Expr]:
    """U's value of each action at ``h`` from its ``reached`` nodes, linear in I's
    realization plan, U's own later moves at their behaviour ``rho``."""
    g = tree.game
    uninformed = tree.roles.uninformed
    forms: list[Expr] = []
    for a in range(len(g.infosets[h].actions)):
        form: Expr = {}
        for m in reached:
            for z, cf, isteps, usteps in tree.leaves(m, a):
                if any(c not in s_support[nn] for nn, c in isteps):
                    continue
                prod = Fraction(1)
                for hh, aa in usteps:
                    prod *= rho[hh][aa]
                    if prod == 0:
                        break
                if prod == 0:
                    continue
                seq = tree.iseq[z]
                e = xexpr[seq] if seq is not None else _ONE
                _add(form, e, tree.cprob[m] * cf * prod * g.nodes[z].payoffs[uninformed])
        forms.append(form)
    return forms


def _finish(
    tree: _Tree,
    r_support: dict[int, tuple[int, ...]],
    s_support: dict[int, tuple[int, ...]],
    yb: _Builder,
    yexpr: dict[tuple[int, int], Expr],
    eq_rows: list[tuple[dict[int, Fraction], Fraction]],
    ub_rows: list[tuple[dict[int, Fraction], Fraction]],
) -> Iterator[Behaviour]:
    g = tree.game

    # --- U's behaviour from I's conditions --------------------------------
    def u_behaviour() -> dict[int, list[Fraction]] | None:
        ysys = _Builder()
        ysys.nvars, ysys.free, ysys.eq = yb.nvars, list(yb.free), list(yb.eq) + list(eq_rows)
        y = _solve_strict(ysys, ub_rows) if yb.nvars else []
        if y is None:
            return None
        out: dict[int, list[Fraction]] = {}
        for h in tree.uinfo:
            k = len(g.infosets[h].actions)
            vals = [Fraction(0)] * k
            for a in r_support[h]:
                vals[a] = _value(yexpr[(h, a)], y)
            total = sum(vals, Fraction(0))
            if total <= 0:
                return None
            out[h] = [v / total for v in vals]
        return out

    # Without U moves below U's information sets (signalling games) U's conditions
    # do not involve U's behaviour: solve I's side first, U's only if it succeeds.
    rho: dict[int, list[Fraction]] = {}
    if tree.nested_u:
        first = u_behaviour()
        if first is None:
            return
        rho = first
    # --- I's behaviour from U's conditions --------------------------------
    xb = _Builder()
    xexpr: dict[tuple[int, int], Expr] = {}
    live: dict[int, bool] = {}
    for n in tree.inodes:
        parent = tree.iseq[n]
        if parent is None:
            pexpr, live[n] = _ONE, True
        elif (parent[0], parent[1]) in xexpr and live[parent[0]]:
            pexpr, live[n] = xexpr[parent], True
        else:
            pexpr, live[n] = xexpr.get(parent, _ONE), False
        exprs = xb.simplex(pexpr, len(s_support[n]))
        for b, e in zip(s_support[n], exprs, strict=True):
            xexpr[(n, b)] = e

    def i_live(node_id: int) -> bool:
        seq = tree.iseq[node_id]
        return seq is None or (seq[1] in s_support[seq[0]] and live[seq[0]])

    x_eq: list[tuple[dict[int, Fraction], Fraction]] = []
    x_ub: list[tuple[dict[int, Fraction], Fraction]] = []
    for h in tree.uinfo:
        if not _u_live(tree, h, r_support):
            continue
        reached = [m for m in g.infosets[h].nodes if i_live(m) and tree.cprob[m] > 0]
        if not reached:
            continue
        rows = _condition_rows(_u_forms(tree, h, reached, s_support, xexpr, rho), r_support[h])
        if rows is None:
            return
        x_eq.extend(rows[0])
        x_ub.extend(rows[1])
    xb.eq.extend(x_eq)
    x = _solve_strict(xb, x_ub) if xb.nvars else []
    if x is None:
        return
    if not tree.nested_u:
        second = u_behaviour()
        if second is None:
            return
        rho = second
    beh: list[list[Fraction]] = [[] for _ in g.infosets]
    for h, probs in rho.items():
        beh[h] = probs
    for n in tree.inodes:
        node = g.nodes[n]
        assert node.infoset is not None
        k = len(node.children)
        vals = [Fraction(0)] * k
        for b in s_support[n]:
            vals[b] = _value(xexpr[(n, b)], x)
        total = sum(vals, Fraction(0))
        if total <= 0:
            return
        beh[node.infoset] = [v / total for v in vals]
    yield beh
