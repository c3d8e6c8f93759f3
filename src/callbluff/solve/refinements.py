"""The Cho–Kreps intuitive criterion and D1, for every equilibrium of a game with one
informed player (the class of :mod:`.structure`), on any tree of that class.

The *signal* is the informed player's first action after the chance move that
draws its type (in the bargain game: the target's answer — accept, a
counter-demand, reject).  Everything below a signal is its *continuation*: the
uninformed player's (the receiver's) later moves, the informed player's later
moves (comply or cheat) and chance.  A *response* to a signal is a receiver plan
for its continuation, one action at each of the receiver's information sets in it;
a type's value of a response is its value when it plays its own optimal
continuation against it (backward induction).  A response is a *best response to
beliefs concentrated on* a set of types ``T'`` when some belief ``μ`` over ``T'``
at the signal makes it sequentially rational: at each of the receiver's
information sets in the continuation it is optimal against Bayes' rule applied to
``μ`` and the types' optimal continuation (any selection among their ties), and
at a set that ``μ`` does not reach, against some belief over its nodes (weak
perfect Bayesian equilibrium of the continuation).  Each such test is an exact
linear feasibility problem (:mod:`.exact`).

Responses are the receiver's *mixtures* where the continuation is a single
receiver move (one-shot signalling games; the bargain's ``reject``), and pure
plans otherwise (there a type's value is convex, not linear, in the receiver's
mixture, because the type re-optimises; mixed plans of multi-stage
continuations are not considered).

For each signal no type sends (with ``u*`` the types' equilibrium payoffs):

* Intuitive criterion (Cho & Kreps 1987, "Signaling games and stable
  equilibria", *QJE* 102(2), §IV; Fudenberg & Tirole 1991, *Game Theory*,
  §11.2): ``J`` = the types whose ``u*`` exceeds their best value of the signal
  under any best response to any belief.  If some type gets strictly more than
  ``u*`` under *every* best response to beliefs concentrated on the other types,
  the equilibrium fails.
* D1 (Cho & Kreps 1987 §V; Banks & Sobel 1987, "Equilibrium selection in
  signaling games", *Econometrica* 55(3)): type ``t`` is deleted if for some other
  type ``t'`` every best response (to any belief) under which ``t`` weakly gains
  makes ``t'`` gain strictly.  The equilibrium survives the signal if some belief
  concentrated on the types not deleted (all types if every type is deleted) has
  a best response that deters every type (no type gains strictly).

An equilibrium in which every signal is sent passes both tests.  ``None``
(not defined) for games where the informed player's first move is not the first
move after its type, or a receiver information set spans two signals'
continuations.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from callbluff.game.tree import Game, NodeKind
from callbluff.solve.exact import LinearSystem, exact_point
from callbluff.solve.structure import OneInformed

__all__ = ["MAX_PLANS", "Refinement", "SignalRefinements", "SignalTest", "signal_refinements"]

#: Receiver plans of one signal's continuation (the product of its information
#: sets' action counts) beyond which the refinements are not computed: each plan
#: costs a few exact linear programs per set of types.
MAX_PLANS = 4096
#: Selections among a plan's ties of the informed player's continuation beyond
#: which the refinements are not computed.
MAX_TIE_SELECTIONS = 256

Row = tuple[dict[int, Fraction], Fraction]


@dataclass(frozen=True)
class SignalTest:
    """Both tests at one signal no type sends."""

    signal: str
    dominated: tuple[str, ...]  # J: types that cannot gain from the signal
    breaking: tuple[str, ...]  # types that gain under every response to beliefs off J
    deleted: tuple[str, ...]  # D1: types deleted
    d1_survives: bool  # some belief on the types not deleted has a deterring response

    def sentence(self) -> str:
        """The two tests at this signal, in words."""
        def names(types: tuple[str, ...]) -> str:
            return ", ".join(types) or "no type"
        ic = (f"{names(self.breaking)} would gain under every best response to beliefs on "
              "the types not equilibrium-dominated (fails the intuitive criterion)"
              if self.breaking else "no type gains under every best response to beliefs on "
              "the types not equilibrium-dominated")
        d1 = ("some belief on the types left (all, if none is) has a response deterring "
              "every type" if self.d1_survives else
              "no belief on the types left has a response deterring every type (fails D1)")
        return (f"{self.signal}: equilibrium-dominated for {names(self.dominated)}; {ic}; "
                f"D1 deletes {names(self.deleted)}, {d1}")

    def to_json(self) -> dict[str, Any]:
        return {"signal": self.signal, "equilibrium_dominated": list(self.dominated),
                "intuitive_criterion_breaking_types": list(self.breaking),
                "d1_deleted": list(self.deleted), "d1_survives": self.d1_survives}


@dataclass(frozen=True)
class Refinement:
    """The intuitive criterion and D1 for one equilibrium."""

    intuitive_criterion: bool
    d1: bool
    signals: tuple[SignalTest, ...]  # one per signal no type sends

    def summary(self) -> str:
        """Both tests in words, one clause per unsent signal."""
        if not self.signals:
            return "every signal (the informed player's first move) is sent: nothing to test"
        return "unsent " + "; unsent ".join(s.sentence() for s in self.signals)

    def to_json(self) -> dict[str, Any]:
        return {"intuitive_criterion": self.intuitive_criterion, "d1": self.d1,
                "summary": self.summary(),
                "unsent_signals": [s.to_json() for s in self.signals]}


@dataclass
class _Signal:
    """One signal's continuation: every receiver plan with the types' values."""

    name: str
    types: tuple[str, ...]  # types (positive prior) that can send it
    values: dict[str, list[Fraction]]  # type -> value of each plan
    one_shot: bool
    best_response: Callable[[frozenset[str], tuple[int, ...]], bool]
    faces_cache: dict[frozenset[str], list[tuple[int, ...]]] = field(default_factory=dict)

    def faces(self, among: frozenset[str]) -> list[tuple[int, ...]]:
        """Responses (faces of mixtures, or single pure plans) that are best responses
        to some belief concentrated on ``among``."""
        if among not in self.faces_cache:
            n = len(next(iter(self.values.values())))
            if self.one_shot:
                sets = [c for k in range(1, n + 1) for c in itertools.combinations(range(n), k)]
            else:
                sets = [(k,) for k in range(n)]
            self.faces_cache[among] = [f for f in sets if self.best_response(among, f)]
        return self.faces_cache[among]


class SignalRefinements:
    """The game's signals and their continuations, computed once; :meth:`test` per
    equilibrium."""

    def __init__(self, signals: list[_Signal], first_infoset: Mapping[str, str]) -> None:
        self._signals = signals
        self._first_infoset = first_infoset

    def test(self, behaviour: Mapping[str, Mapping[str, Fraction]],
             type_payoffs: Mapping[str, Fraction]) -> Refinement | None:
        """Both refinements for the equilibrium with this behaviour and these
        type payoffs; ``None`` where some best-response set is empty (a
        multi-stage continuation whose equilibria all need mixed plans)."""
        tests: list[SignalTest] = []
        for sig in self._signals:
            if any(behaviour[self._first_infoset[t]].get(sig.name, Fraction(0)) > 0
                   for t in sig.types):
                continue
            found = _test_signal(sig, type_payoffs)
            if found is None:
                return None
            tests.append(found)
        return Refinement(
            intuitive_criterion=not any(t.breaking for t in tests),
            d1=all(t.d1_survives for t in tests), signals=tuple(tests))


def _test_signal(sig: _Signal, u: Mapping[str, Fraction]) -> SignalTest | None:
    everyone = frozenset(sig.types)
    all_faces = sig.faces(everyone)
    if not all_faces:
        return None
    v = sig.values

    def vertices(faces: list[tuple[int, ...]]) -> set[int]:
        return {k for f in faces for k in f}

    reachable = vertices(all_faces)
    dominated = tuple(t for t in sig.types if u[t] > max(v[t][k] for k in reachable))
    rest = everyone - set(dominated)
    breaking: tuple[str, ...] = ()
    if rest:
        kept = vertices(sig.faces(rest))
        if not kept:
            return None
        breaking = tuple(t for t in sig.types if min(v[t][k] for k in kept) > u[t])
    deleted = tuple(
        t for t in sig.types
        if any(_gains_include(v[t], u[t], v[o], u[o], all_faces) for o in sig.types if o != t))
    remaining = everyone - set(deleted) or everyone
    survives = any(_deters(v, u, sig.types, face) for face in sig.faces(remaining))
    return SignalTest(signal=sig.name, dominated=dominated, breaking=breaking,
                      deleted=deleted, d1_survives=survives)


def _simplex_system(n: int) -> LinearSystem:
    return LinearSystem(n, [({i: Fraction(1) for i in range(n)}, Fraction(1))], [])


def _gains_include(vt: Sequence[Fraction], ut: Fraction, vo: Sequence[Fraction], uo: Fraction,
                   faces: list[tuple[int, ...]]) -> bool:
    """Whether every response under which ``t`` weakly gains makes ``o`` gain strictly:
    no mixture α of any face with ``α·v_t ≥ u_t`` and ``α·v_o ≤ u_o``."""
    for face in faces:
        system = _simplex_system(len(face))
        system.ub.append(({i: -vt[k] for i, k in enumerate(face)}, -ut))
        system.ub.append(({i: vo[k] for i, k in enumerate(face)}, uo))
        if exact_point(system) is not None:
            return False
    return True


def _deters(v: Mapping[str, Sequence[Fraction]], u: Mapping[str, Fraction],
            types: Sequence[str], face: tuple[int, ...]) -> bool:
    """Whether some mixture of ``face`` leaves every type at most its ``u``."""
    system = _simplex_system(len(face))
    for t in types:
        system.ub.append(({i: v[t][k] for i, k in enumerate(face)}, u[t]))
    return exact_point(system) is not None


def signal_refinements(game: Game, roles: OneInformed) -> SignalRefinements | None:
    """The game's signals, or ``None`` where the refinements are not defined here
    (see the module docstring) or the continuations are too large (:data:`MAX_PLANS`)."""
    root = game.root
    informed = roles.informed
    first: dict[str, int] = {}
    for i, t in enumerate(roles.types):
        if root.chance_probs[i] == 0:
            continue
        node = game.nodes[root.children[i]]
        if node.kind is not NodeKind.DECISION or game.player_of(node) != informed:
            return None
        first[t] = node.id
    names: list[str] = []
    for n in first.values():
        for a in game.actions_at(game.nodes[n]):
            if a not in names:
                names.append(a)
    owner: dict[int, str] = {}  # receiver information set -> signal
    signals: list[_Signal] = []
    for m in names:
        starts = {t: game.nodes[n].children[game.actions_at(game.nodes[n]).index(m)]
                  for t, n in first.items() if m in game.actions_at(game.nodes[n])}
        sig = _continuation(game, roles, m, starts, owner)
        if sig is None:
            return None
        signals.append(sig)
    first_infoset = {t: label for t, n in first.items()
                     if (label := _infoset_label(game, n)) is not None}
    return SignalRefinements(signals, first_infoset)


def _infoset_label(game: Game, node_id: int) -> str | None:
    h = game.nodes[node_id].infoset
    return None if h is None else game.infosets[h].label


def _continuation(game: Game, roles: OneInformed, m: str, starts: Mapping[str, int],
                  owner: dict[int, str]) -> _Signal | None:
    informed, receiver = roles.informed, roles.uninformed
    below: dict[int, str] = {}  # node -> type, every node of the continuation
    for t, c in starts.items():
        stack = [c]
        while stack:
            n = stack.pop()
            below[n] = t
            stack.extend(game.nodes[n].children)
    receiver_sets: set[int] = set()
    for n in below:
        h = game.nodes[n].infoset
        if h is not None and game.infosets[h].player == receiver:
            receiver_sets.add(h)
    sets = sorted(receiver_sets, key=lambda h: game.infosets[h].nodes[0])
    for h in sets:
        if owner.setdefault(h, m) != m or any(n not in below for n in game.infosets[h].nodes):
            return None
    sizes = [len(game.infosets[h].actions) for h in sets]
    count = 1
    for s in sizes:
        count *= s
    if count > MAX_PLANS:
        return None
    plans = [dict(zip(sets, p, strict=True)) for p in itertools.product(*map(range, sizes))]
    one_shot = len(sets) == 1 and all(
        starts[t] in game.infosets[sets[0]].nodes for t in starts) and not any(
        game.nodes[n].kind is NodeKind.DECISION and game.player_of(game.nodes[n]) == informed
        for n in below)
    evaluated = [_Evaluated(game, roles, plan, below) for plan in plans]
    if any(e.selections is None for e in evaluated):
        return None
    values = {t: [e.informed_value[starts[t]] for e in evaluated] for t in starts}
    cache: dict[tuple[frozenset[str], tuple[int, ...]], bool] = {}

    def best_response(among: frozenset[str], face: tuple[int, ...]) -> bool:
        key = (among, face)
        if key not in cache:
            if one_shot:
                cache[key] = _face_optimal(game, sets[0], [plans[k][sets[0]] for k in face],
                                           evaluated[face[0]], starts, among)
            else:
                cache[key] = _plan_optimal(game, evaluated[face[0]], sets, plans[face[0]],
                                           starts, among, below)
        return cache[key]

    return _Signal(name=m, types=tuple(starts), values=values, one_shot=one_shot,
                   best_response=best_response)


class _Evaluated:
    """One receiver plan: the informed player's values (its own optimum) at every
    continuation node, and every selection among its tied optimal actions."""

    def __init__(self, game: Game, roles: OneInformed, plan: Mapping[int, int],
                 below: Mapping[int, str]) -> None:
        self.game, self.plan = game, plan
        self.informed, self.receiver = roles.informed, roles.uninformed
        self.informed_value: dict[int, Fraction] = {}
        self.optimal: dict[int, list[int]] = {}  # informed node -> optimal actions
        self.order = sorted(below, reverse=True)  # preorder ids: children after parents
        for n in self.order:
            node = game.nodes[n]
            if node.kind is NodeKind.TERMINAL:
                self.informed_value[n] = node.payoffs[self.informed]
            elif node.kind is NodeKind.CHANCE:
                self.informed_value[n] = sum(
                    (p * self.informed_value[c]
                     for p, c in zip(node.chance_probs, node.children, strict=True)),
                    Fraction(0))
            elif game.player_of(node) == self.receiver:
                assert node.infoset is not None
                self.informed_value[n] = self.informed_value[node.children[plan[node.infoset]]]
            else:
                vals = [self.informed_value[c] for c in node.children]
                best = max(vals)
                self.optimal[n] = [a for a, x in enumerate(vals) if x == best]
                self.informed_value[n] = best
        ties = [n for n, acts in self.optimal.items() if len(acts) > 1]
        count = 1
        for n in ties:
            count *= len(self.optimal[n])
        self.selections: list[dict[int, int]] | None = None
        if count <= MAX_TIE_SELECTIONS:
            fixed = {n: acts[0] for n, acts in self.optimal.items()}
            self.selections = [
                {**fixed, **dict(zip(ties, pick, strict=True))}
                for pick in itertools.product(*(self.optimal[n] for n in ties))]

    def receiver_values(self, selection: Mapping[int, int]) -> dict[int, Fraction]:
        """The receiver's value at every continuation node, the informed player's
        moves by ``selection``."""
        game = self.game
        out: dict[int, Fraction] = {}
        for n in self.order:
            node = game.nodes[n]
            if node.kind is NodeKind.TERMINAL:
                out[n] = node.payoffs[self.receiver]
            elif node.kind is NodeKind.CHANCE:
                out[n] = sum((p * out[c] for p, c in zip(node.chance_probs, node.children,
                                                        strict=True)), Fraction(0))
            elif game.player_of(node) == self.receiver:
                assert node.infoset is not None
                out[n] = out[node.children[self.plan[node.infoset]]]
            else:
                out[n] = out[node.children[selection[n]]]
        return out

    def reach(self, selection: Mapping[int, int], start: int) -> dict[int, Fraction]:
        """Probability of each node below ``start`` given the type, plan and selection."""
        game = self.game
        out = {start: Fraction(1)}
        stack = [start]
        while stack:
            n = stack.pop()
            node = game.nodes[n]
            if node.kind is NodeKind.CHANCE:
                for p, c in zip(node.chance_probs, node.children, strict=True):
                    out[c] = out[n] * p
                    stack.append(c)
            elif node.kind is NodeKind.DECISION:
                assert node.infoset is not None
                pick = (self.plan[node.infoset] if game.player_of(node) == self.receiver
                        else selection[n])
                out[node.children[pick]] = out[n]
                stack.append(node.children[pick])
        return out


#: Per action of an information set other than a representative one: each node's
#: gain of that action over the representative (nonzero gains only).
Gains = dict[int, list[tuple[int, Fraction]]]


def _gains(game: Game, h: int, rep: int, values: Mapping[int, Fraction]) -> Gains:
    """What each other action of ``h`` gains over action ``rep`` at each node."""
    out: Gains = {}
    for a in range(len(game.infosets[h].actions)):
        if a == rep:
            continue
        out[a] = [(n, d) for n in game.infosets[h].nodes
                  if (d := values[game.nodes[n].children[a]]
                      - values[game.nodes[n].children[rep]]) != 0]
    return out


def _action_rows(game: Game, h: int, chosen: Sequence[int],
                 weights: Mapping[int, dict[int, Fraction]],
                 values: Mapping[int, Fraction]) -> tuple[list[Row], list[Row]]:
    """Rows in the weight variables: the ``chosen`` actions tie, the others are no better.
    ``weights[node]``: the node's weight as a linear form in the variables."""
    eq: list[Row] = []
    ub: list[Row] = []
    for a, per_node in _gains(game, h, chosen[0], values).items():
        row: dict[int, Fraction] = {}
        for n, diff in per_node:
            for var, w in weights.get(n, {}).items():
                row[var] = row.get(var, Fraction(0)) + w * diff
        row = {k: c for k, c in row.items() if c != 0}
        if row:
            (eq if a in chosen else ub).append((row, Fraction(0)))
    return eq, ub


def _face_optimal(game: Game, h: int, actions: Sequence[int], evaluated: _Evaluated,
                  starts: Mapping[str, int], among: frozenset[str]) -> bool:
    """One-shot continuation: the ``actions`` of ``h`` are jointly optimal for some
    belief concentrated on ``among``."""
    types = [t for t in starts if t in among]
    index = {t: i for i, t in enumerate(types)}
    values = evaluated.receiver_values({})
    weights = {starts[t]: {index[t]: Fraction(1)} for t in types}
    eq, ub = _action_rows(game, h, actions, weights, values)
    system = _simplex_system(len(types))
    system.eq.extend(eq)
    system.ub.extend(ub)
    return exact_point(system) is not None


def _plan_optimal(game: Game, evaluated: _Evaluated, sets: Sequence[int],
                  plan: Mapping[int, int], starts: Mapping[str, int], among: frozenset[str],
                  below: Mapping[int, str]) -> bool:
    """A multi-stage continuation: ``plan`` is sequentially rational for some belief
    concentrated on ``among`` (some support, some selection among the types' ties)."""
    assert evaluated.selections is not None
    types = [t for t in starts if t in among]
    for selection in evaluated.selections:
        values = evaluated.receiver_values(selection)
        reach = {t: evaluated.reach(selection, starts[t]) for t in types}
        # Per set, what each other action gains over the plan's, weighted by each
        # type's chance of reaching the set's nodes: the same for every support, so
        # computed once per selection (a support only names the types that weigh).
        gains: dict[int, dict[int, dict[str, Fraction]]] = {}
        reaching: dict[int, set[str]] = {}
        for h in sets:
            reaching[h] = {below[n] for n in game.infosets[h].nodes
                           if below[n] in reach and reach[below[n]].get(n, Fraction(0)) > 0}
            gains[h] = {}
            for a, per_node in _gains(game, h, plan[h], values).items():
                by_type: dict[str, Fraction] = {}
                for n, diff in per_node:
                    t = below[n]
                    if t in reaching[h] and (w := reach[t].get(n, Fraction(0))) > 0:
                        by_type[t] = by_type.get(t, Fraction(0)) + w * diff
                gains[h][a] = by_type
        # whether an unreached set has a belief making its action optimal depends on
        # the set and the values, not on the support: decided once per selection
        believable: dict[int, bool] = {}
        for size in range(1, len(types) + 1):
            for support in itertools.combinations(types, size):
                if _support_works(game, sets, plan, support, values, gains, reaching,
                                  among, below, believable):
                    return True
    return False


def _support_works(game: Game, sets: Sequence[int], plan: Mapping[int, int],
                   support: Sequence[str], values: Mapping[int, Fraction],
                   gains: Mapping[int, Mapping[int, Mapping[str, Fraction]]],
                   reaching: Mapping[int, set[str]], among: frozenset[str],
                   below: Mapping[int, str], believable: dict[int, bool]) -> bool:
    """Some belief with exactly ``support`` (each type weighing at least ``tau`` > 0)
    makes ``plan`` optimal at every set it reaches, and every set it does not reach
    has a belief of its own over the types in ``among``."""
    index = {t: i for i, t in enumerate(support)}
    tau = len(support)
    system = _simplex_system(tau + 1)
    system.eq[0][0].pop(tau, None)
    for t in support:  # every type of the support has weight at least tau > 0
        system.ub.append(({tau: Fraction(1), index[t]: Fraction(-1)}, Fraction(0)))
    system.ub.append(({tau: Fraction(1)}, Fraction(1)))
    for h in sets:
        if reaching[h] & index.keys():
            for by_type in gains[h].values():
                row = {index[t]: c for t, c in by_type.items() if t in index and c != 0}
                if row:
                    system.ub.append((row, Fraction(0)))
            continue
        # unreached: some belief over its nodes of the types in ``among``
        if h not in believable:
            local = [n for n in game.infosets[h].nodes if below[n] in among]
            believable[h] = not local or _some_belief(game, h, plan[h], local, values)
        if not believable[h]:
            return False
    objective = [0.0] * (tau + 1)
    objective[tau] = -1.0
    point = exact_point(system, objective)
    return point is not None and point[tau] > 0


def _some_belief(game: Game, h: int, action: int, nodes: Sequence[int],
                 values: Mapping[int, Fraction]) -> bool:
    weights = {n: {i: Fraction(1)} for i, n in enumerate(nodes)}
    _, ub = _action_rows(game, h, [action], weights, values)
    system = _simplex_system(len(nodes))
    system.ub.extend(ub)
    return exact_point(system) is not None

