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

import functools
import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

from callbluff.game.tree import Game, NodeKind
from callbluff.solve.exact import LinearSystem, float_point
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
    Pruning: every type's value is narrowed to an interval (a sender's value is the
    candidate's, a non-sender's is at least what the candidate leaves it); U's rows
    in the branch for these senders; and, once U mixes somewhere on the path, I's
    rows of the branches chosen so far (an LP).  Which types mix over messages is
    fixed first, so that U's rows weigh the other senders exactly.  Twins are tied
    (:func:`_twins`); ``tie_twins=False`` enumerates them apart (the benchmark's
    reference).
    """
    g = shape.tree.game
    local_lists = {m: _locals(shape, m, tie_twins) for m in shape.messages}
    messages = sorted(shape.messages, key=lambda m: len(local_lists[m]))
    coefficients = {m: [_coefficients(shape, m, loc) for loc in local_lists[m]]
                    for m in messages}
    bounds = {m: [{t: (float(lo), float(hi)) for t, (lo, hi) in loc.values.items()}
                  for loc in local_lists[m]] for m in messages}
    available = [g.actions_at(g.nodes[r]) for r in shape.roots]
    ntypes = len(shape.roots)
    offering = {m: [t for t in range(ntypes) if m in available[t]] for m in messages}
    possible: dict[tuple[str, int, frozenset[tuple[int, bool]]], bool] = {}
    feasible: dict[tuple[object, ...], bool] = {}

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
            possible[key] = (_rows_possible(coefficients[m][i], flags) and _x_feasible(
                shape, {t: (m, "?") if free else (m,) for t, free in flags.items()},
                {m: local_lists[m][i]}))
        return possible[key]

    chosen: dict[str, _Local] = {}
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
        if value is None or not on_path_ok(sent, chosen) or not _x_feasible(
                shape, {t: p for t, p in enumerate(sent)}, chosen):
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
        return _x_feasible(shape, weights, chosen)

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
                for i, loc in enumerate(local_lists[m]):
                    saved = (list(low), list(high))
                    if _narrow(bounds[m][i], senders, offering[m], low, high) and rows_ok(
                            m, i, flags):
                        chosen[m] = loc
                        if k + 1 == len(messages) or all(c.u_pure for c in chosen.values()) \
                                or partial_ok(k):
                            dfs(k + 1)
                        del chosen[m]
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
