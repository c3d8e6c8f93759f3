"""All weak PBE outcomes of small *regular* two-answer signalling games, by pattern search.

Shape as in :mod:`.oneshot` (type → message → answer → payoff), with exactly two
answers per message (``x_m`` is the probability of the second) and positive
priors.  An equilibrium is fixed up to its off-path answers by its *pattern*: the
state of each message — unsent, answered with the first answer, with the second,
or with a mixture — and the support of each type.  Given the pattern the
conditions split, as in support enumeration for bimatrix games (von Stengel 2002,
*Handbook of Game Theory* 3, ch. 45, §3.2):

* the types' indifferences are linear in the mixed answers ``x``;
* the receiver's indifferences after the mixed messages are linear in the Bayes
  weights ``p_t σ_t(m)``.

The search visits every pattern — message states, then type after type a support,
depth first with pruning as in Porter, Nudelman & Shoham (2008), "Simple search
methods for finding a Nash equilibrium", *Games and Economic Behavior* 63(2):
a support is dropped as soon as the indifference equations in ``x`` collected so
far are inconsistent, ``x`` leaves (0, 1) or a type strictly prefers a message it
does not use.  A game is *regular* for this search when every equation system
met that has a solution is square and nonsingular and no comparison is a tie;
each pattern then has at most one point, so the search finds every equilibrium
outcome.  Whenever it meets anything else — a dependent equation that is
consistent, a tie, an off-path message that only one answer, at one point,
deters — the game is not regular and :func:`search_profiles` returns ``None``:
the caller then runs the complete MILP of :mod:`.oneshot`.

The search runs in floats; a comparison within ``_BAND`` of a tie makes it start
again in ``Fraction`` arithmetic, so every decision is the exact one.  The
profiles returned are exact (each found pattern is solved again in rationals)
and are verified exactly by the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations, product
from typing import Any

from callbluff.game.tree import Game
from callbluff.solve.signalling import SignallingShape
from callbluff.solve.verify import Behaviour

__all__ = ["pattern_profiles", "search_profiles"]

#: Float comparisons closer than this (relative to the data's scale) are not
#: trusted: the whole search is repeated in exact arithmetic.
_BAND = 1e-7
#: The search runs for games with ``types × 2^messages`` up to this (4 types × 4
#: messages); its cost grows about tenfold per added type, the MILP's much more slowly.
MAX_SIZE = 64
#: Search nodes visited before the search gives up (the MILP then runs).
MAX_NODES = 20_000

UNSENT, FIRST, SECOND, MIXED = range(4)

Num = Any  # float during the float search, Fraction during the exact one


class _NotRegular(Exception):
    """A tie or a dependent consistent equation: the game needs the MILP."""


class _TooClose(Exception):
    """A float comparison too close to call: search again exactly."""


class _TooLarge(Exception):
    """The pattern budget is spent."""


@dataclass(frozen=True)
class _Pattern:
    states: tuple[int, ...]  # per message
    supports: tuple[tuple[int, ...], ...]  # per type, the messages it sends


@dataclass(frozen=True)
class _Point:
    """The unique point of a pattern: answers, type strategies, off-path choices."""

    pattern: _Pattern
    x: dict[int, Num]  # P(second answer) at every sent message
    sigma: list[dict[int, Num]]  # per type: message -> probability
    off_path: dict[int, list[Num]]  # unsent message -> the x values that deter


Row = tuple[list[Num], Num]  # coefficients over the mixed messages, right-hand side


class _Search:
    """The pattern search over one number type (``exact``: Fractions, no band)."""

    def __init__(self, shape: SignallingShape, exact: bool) -> None:
        conv: Callable[[Fraction], Num] = (lambda v: v) if exact else float
        self.exact = exact
        self.n_types, self.n_msgs = len(shape.types), len(shape.messages)
        self.prior = [conv(p) for p in shape.priors]
        s, r = shape.sender_payoff, shape.receiver_payoff
        types, msgs = range(self.n_types), range(self.n_msgs)
        self.first = [[conv(s[t][m][0]) for m in msgs] for t in types]
        self.gain = [[conv(s[t][m][1] - s[t][m][0]) for m in msgs] for t in types]
        self.r_gain = [[conv(r[t][m][1] - r[t][m][0]) for m in msgs] for t in types]
        scale_s = max((abs(v) for row in s for per_m in row for v in per_m), default=Fraction(1))
        scale_r = max((abs(v) for row in r for per_m in row for v in per_m), default=Fraction(1))
        self.tol_s = 0.0 if exact else _BAND * float(max(scale_s, Fraction(1)))
        self.tol_r = 0.0 if exact else _BAND * float(max(scale_r, Fraction(1)))
        self.tol_p = 0.0 if exact else _BAND
        # +1 where the receiver prefers the second answer facing the type, else −1
        # (0 never reaches the search: _check_regular() declines such games).
        self.side = [[1 if g > 0 else -1 for g in row] for row in self.r_gain]
        self.nodes = 0

    # -- comparisons -----------------------------------------------------------------

    def sign(self, value: Num, tol: float) -> int:
        """Sign of ``value``; in floats a value within ``tol`` of 0 is too close to call."""
        if value > tol:
            return 1
        if value < -tol:
            return -1
        if not self.exact:
            raise _TooClose
        return 0

    # -- the search ------------------------------------------------------------------

    def _check_regular(self) -> None:
        """The search assumes every answer matters to every type and to the receiver
        facing it (nonzero gains): otherwise the game is not regular."""
        for t in range(self.n_types):
            for m in range(self.n_msgs):
                if self.sign(self.gain[t][m], self.tol_s) == 0:
                    raise _NotRegular  # the type does not care how m is answered
                if self.sign(self.r_gain[t][m], self.tol_r) == 0:
                    raise _NotRegular  # the receiver does not care, facing this type

    def run(self) -> list[_Point]:
        self._check_regular()
        # States each message can have: answered first only if some type makes the
        # receiver prefer the first answer, second likewise, mixed if both.
        possible = []
        for m in range(self.n_msgs):
            signs = {self.side[t][m] for t in range(self.n_types)}
            possible.append([UNSENT] + [FIRST] * (-1 in signs) + [SECOND] * (1 in signs)
                            + [MIXED] * (len(signs) == 2))
        found: list[_Point] = []
        for states in product(*possible):
            if any(st != UNSENT for st in states):
                found.extend(self._patterns(states))
        return found

    def _patterns(self, states: tuple[int, ...]) -> list[_Point]:
        sent = [m for m, st in enumerate(states) if st != UNSENT]
        mixed = [m for m in sent if states[m] == MIXED]
        column = {m: i for i, m in enumerate(mixed)}
        pure = [m for m in sent if states[m] != MIXED]
        best = [self._best_pure(t, states, pure) for t in range(self.n_types)]
        if any(m not in best for m in pure):
            return []  # a pure-answered message nobody would send
        n, side = self.n_types, self.side
        # Bit masks over messages.  The receiver mixes after k only if k's senders
        # include a type that prefers each answer; a pure-answered message needs a
        # sender whose best pure-answered message it is.
        options: list[list[tuple[tuple[int, ...], list[Row], int, int, int]]] = []
        for t in range(n):
            row_options = []
            for support in self._supports(t, states, mixed, best[t]):
                mask = sum(1 << m for m in support)
                pos = sum(1 << k for k in support if side[t][k] > 0)
                neg = sum(1 << k for k in support if side[t][k] < 0)
                rows = list(self._tie_rows(t, support, states, column))
                row_options.append((support, rows, mask, pos, neg))
            options.append(row_options)
        if not all(options):
            return []
        # Types with the fewest candidate supports first: the tree stays narrow.
        order = sorted(range(n), key=lambda t: len(options[t]))
        mixed_mask = sum(1 << k for k in mixed)
        pure_mask = sum(1 << m for m in pure)
        later_pos, later_neg, later_pure = [0] * (n + 1), [0] * (n + 1), [0] * (n + 1)
        for i in range(n - 1, -1, -1):
            t, top = order[i], best[order[i]]
            later_pos[i] = later_pos[i + 1] | sum(1 << k for k in mixed if side[t][k] > 0)
            later_neg[i] = later_neg[i + 1] | sum(1 << k for k in mixed if side[t][k] < 0)
            later_pure[i] = later_pure[i + 1] | (1 << top if top is not None else 0)
        found: list[_Point] = []
        chosen: dict[int, tuple[int, ...]] = {}

        def dfs(i: int, echelon: list[tuple[int, Row]], x: list[Num] | None,
                used: int, pos: int, neg: int) -> None:
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise _TooLarge
            if (pure_mask & ~used & ~later_pure[i] or mixed_mask & ~pos & ~later_pos[i]
                    or mixed_mask & ~neg & ~later_neg[i]):
                return
            if i == n:
                point = self._leaf(states, tuple(chosen[t] for t in range(n)), x, column)
                if point is not None:
                    found.append(point)
                return
            t = order[i]
            for support, rows, mask, s_pos, s_neg in options[t]:
                new: list[tuple[int, Row]] | None = echelon
                for row in rows:
                    new = self._add_row(new, row) if new is not None else None
                if new is None:
                    continue
                new_x = x
                if new_x is None and len(new) == len(mixed):
                    new_x = self._solve_x(new)
                    if not self._inside(new_x):
                        continue
                    if not all(self._type_ok(u, s, states, sent, new_x, column)
                               for u, s in chosen.items()):
                        continue
                if new_x is not None and not self._type_ok(t, support, states, sent, new_x,
                                                           column):
                    continue
                chosen[t] = support
                dfs(i + 1, new, new_x, used | mask, pos | s_pos, neg | s_neg)
                del chosen[t]

        dfs(0, [], [] if not mixed else None, 0, 0, 0)
        return found

    def _best_pure(self, t: int, states: Sequence[int], pure: Sequence[int]) -> int | None:
        """Type ``t``'s best pure-answered message (a tie between two is a coincidence)."""
        if not pure:
            return None
        values = {m: self._value(t, m, states[m]) for m in pure}
        best = max(values, key=values.__getitem__)
        for m in pure:
            if m != best and self.sign(values[best] - values[m], self.tol_s) == 0:
                raise _NotRegular
        return best

    def _supports(self, t: int, states: Sequence[int], mixed: Sequence[int],
                  best: int | None) -> list[tuple[int, ...]]:
        """Candidate supports of type ``t``: at most one pure-answered message (its best
        one), any set of mixed ones that could tie with it (or beat it) for x in (0, 1)."""
        usable = []  # mixed messages this type may send beside / instead of ``best``
        for k in mixed:
            first, gain = self.first[t][k], self.gain[t][k]
            if best is None:
                usable.append((k, True, True))
                continue
            top = self._value(t, best, states[best])
            at = (top - first) / gain  # x at which k ties with best (gain ≠ 0, see above)
            tie = self.sign(at, self.tol_p) > 0 and self.sign(1 - at, self.tol_p) > 0
            beat = self.sign(first + max(gain, 0) - top, self.tol_s) > 0
            usable.append((k, tie, beat))
        out: list[tuple[int, ...]] = []
        for size in range(len(mixed) + 1):
            for chosen in combinations(usable, size):
                ks = tuple(k for k, _, _ in chosen)
                if best is not None and all(tie for _, tie, _ in chosen):
                    out.append(tuple(sorted((best, *ks))))
                if ks and all(beat for _, _, beat in chosen):
                    out.append(ks)
        return out

    def _value(self, t: int, m: int, state: int, x: Num = 0) -> Num:
        answer = 0 if state == FIRST else 1 if state == SECOND else x
        return self.first[t][m] + answer * self.gain[t][m]

    def _tie_rows(self, t: int, support: Sequence[int], states: Sequence[int],
                  column: dict[int, int]) -> Iterator[Row]:
        """``U_t(m) − U_t(m0) = 0`` for the messages ``m`` of the support after the first."""
        m0 = support[0]
        for m in support[1:]:
            coef: list[Num] = [0] * len(column)
            rhs: Num = 0
            for msg, sgn in ((m, 1), (m0, -1)):
                if states[msg] == MIXED:
                    coef[column[msg]] += sgn * self.gain[t][msg]
                    rhs -= sgn * self.first[t][msg]
                else:
                    rhs -= sgn * self._value(t, msg, states[msg])
            yield coef, rhs

    def _add_row(self, echelon: list[tuple[int, Row]],
                 row: Row) -> list[tuple[int, Row]] | None:
        """Reduced echelon form with ``row`` added; ``None`` if inconsistent."""
        coef, rhs = list(row[0]), row[1]
        for pivot, (pcoef, prhs) in echelon:
            f = coef[pivot]
            if f:
                coef = [a - f * b for a, b in zip(coef, pcoef, strict=True)]
                rhs -= f * prhs
        scale = max((abs(v) for v in (*row[0], row[1])), default=0) or 1
        pivots = {pivot for pivot, _ in echelon}  # their columns are 0 by construction
        free = [i for i in range(len(coef)) if i not in pivots]
        j = max(free, key=lambda i: abs(coef[i]), default=-1)
        if j < 0 or abs(coef[j]) <= self.tol_p * scale:
            # No usable pivot: |Σ coef·x| is at most len·tol·scale for x in the box, so
            # a clearly nonzero right-hand side means no solution there.
            if self.sign(abs(rhs) / scale, (len(coef) + 1) * self.tol_p) == 0:
                raise _NotRegular  # a dependent, consistent equation
            return None
        piv = coef[j]
        coef = [a / piv for a in coef]
        rhs = rhs / piv
        out = []
        for pivot, (pcoef, prhs) in echelon:
            f = pcoef[j]
            if f:
                pcoef = [a - f * b for a, b in zip(pcoef, coef, strict=True)]
                prhs -= f * rhs
            out.append((pivot, (pcoef, prhs)))
        out.append((j, (coef, rhs)))
        return out

    @staticmethod
    def _solve_x(echelon: list[tuple[int, Row]]) -> list[Num]:
        x: list[Num] = [0] * len(echelon)
        for pivot, (_, rhs) in echelon:
            x[pivot] = rhs
        return x

    def _inside(self, x: Sequence[Num]) -> bool:
        """Every mixed answer strictly between 0 and 1."""
        return all(self.sign(v, self.tol_p) > 0 and self.sign(1 - v, self.tol_p) > 0 for v in x)

    def _type_ok(self, t: int, support: Sequence[int], states: Sequence[int],
                 sent: Sequence[int], x: Sequence[Num], column: dict[int, int]) -> bool:
        """Every sent message outside the support is strictly worse (a tie is irregular)."""
        def value(m: int) -> Num:
            return self._value(t, m, states[m], x[column[m]] if m in column else 0)

        best = value(support[0])
        for m in sent:
            if m in support:
                continue
            margin = self.sign(best - value(m), self.tol_s)
            if margin == 0:
                raise _NotRegular
            if margin < 0:
                return False
        return True

    def _leaf(self, states: tuple[int, ...], supports: tuple[tuple[int, ...], ...],
              x: list[Num] | None,
              column: dict[int, int]) -> _Point | None:
        sent = [m for m, st in enumerate(states) if st != UNSENT]
        if {m for s in supports for m in s} != set(sent):
            return None
        if x is not None and not self._inside(x):
            return None
        sigma = self._solve_sigma(states, supports, column, square=x is not None)
        if sigma is None or x is None:
            return None
        for m in sent:
            if states[m] == MIXED:
                continue
            weight = sum(self.prior[t] * sigma[t].get(m, 0) * self.r_gain[t][m]
                         for t in range(self.n_types))
            want = 1 if states[m] == SECOND else -1
            if self.sign(weight, self.tol_r) != want:
                if self.sign(weight, self.tol_r) == 0:
                    raise _NotRegular  # the receiver is indifferent at a pure answer
                return None
        if not all(self._type_ok(t, s, states, sent, x, column) for t, s in enumerate(supports)):
            return None
        star = [self._value(t, s[0], states[s[0]], x[column[s[0]]] if s[0] in column else 0)
                for t, s in enumerate(supports)]
        off_path: dict[int, list[Num]] = {}
        for m, st in enumerate(states):
            if st == UNSENT:
                deterring = self._deterring(m, star)
                if not deterring:
                    return None
                off_path[m] = deterring
        xs = {m: x[column[m]] if m in column else (1 if states[m] == SECOND else 0)
              for m in sent}
        return _Point(_Pattern(states, supports), xs, sigma, off_path)

    def _solve_sigma(self, states: Sequence[int], supports: Sequence[Sequence[int]],
                     column: dict[int, int], square: bool) -> list[dict[int, Num]] | None:
        """The receiver's indifference after each mixed message, in the free σ's
        (each type's support minus its first message).  ``None`` if no solution
        with every used message's probability in (0, 1]."""
        free = [(t, m) for t, s in enumerate(supports) for m in s[1:]]
        index = {v: i for i, v in enumerate(free)}
        rows: list[Row] = []
        for k in column:
            coef: list[Num] = [0] * len(free)
            rhs: Num = 0
            for t, s in enumerate(supports):
                if k not in s:
                    continue
                w = self.prior[t] * self.r_gain[t][k]
                if k == s[0]:  # σ_t(k) = 1 − Σ the others
                    rhs -= w
                    for m in s[1:]:
                        coef[index[(t, m)]] -= w
                else:
                    coef[index[(t, k)]] += w
            rows.append((coef, rhs))
        echelon: list[tuple[int, Row]] = []
        for row in rows:
            reduced = self._add_row(echelon, row)
            if reduced is None:
                return None
            echelon = reduced
        if not square:
            # x is not pinned, so the σ-side has more equations than unknowns, and
            # they are consistent: a coincidence of the receiver's payoffs.
            raise _NotRegular
        values = self._solve_x(echelon)
        sigma: list[dict[int, Num]] = []
        for t, s in enumerate(supports):
            probs = {m: values[index[(t, m)]] for m in s[1:]}
            probs[s[0]] = 1 - sum(probs.values())
            if not all(self.sign(p, self.tol_p) > 0 for p in probs.values()):
                return None
            sigma.append(probs)
        return sigma

    def _deterring(self, m: int, star: Sequence[Num]) -> list[Num]:
        """Answers to unsent ``m`` that some belief supports and that no type prefers to
        its equilibrium payoff: ``0``/``1`` when a pure answer does, else one mixture."""
        can_first = any(self.r_gain[t][m] < 0 for t in range(self.n_types))  # never 0
        can_second = any(self.r_gain[t][m] > 0 for t in range(self.n_types))
        slack = [star[t] - self.first[t][m] for t in range(self.n_types)]  # at x = 0
        out: list[Num] = []
        if can_first and self._all_positive(slack):
            out.append(0)
        if can_second and self._all_positive([s - self.gain[t][m] for t, s in enumerate(slack)]):
            out.append(1)
        if out or not (can_first and can_second):
            return out
        lo: Num = 0
        hi: Num = 1
        for t, s in enumerate(slack):  # first[t][m] + x·gain[t][m] ≤ star[t], gain ≠ 0
            g = self.gain[t][m]
            if g > 0:
                hi = min(hi, s / g)
            else:
                lo = max(lo, s / g)
        width = self.sign(hi - lo, self.tol_p)
        if width == 0:
            raise _NotRegular  # deterred at a single point
        return [(lo + hi) / 2] if width > 0 else []

    def _all_positive(self, values: Sequence[Num]) -> bool:
        """All values > 0 (no type gains by deviating); a 0 — a type exactly
        indifferent to the unsent message — is irregular."""
        signs = [self.sign(v, self.tol_s) for v in values]
        if any(s < 0 for s in signs):
            return False
        if any(s == 0 for s in signs):
            raise _NotRegular
        return True

    def point(self, pattern: _Pattern) -> _Point | None:
        """The point of one pattern (found by the float search), solved again."""
        self._check_regular()
        mixed = [m for m, st in enumerate(pattern.states) if st == MIXED]
        column = {m: i for i, m in enumerate(mixed)}
        echelon: list[tuple[int, Row]] | None = []
        for t, support in enumerate(pattern.supports):
            for row in self._tie_rows(t, support, pattern.states, column):
                echelon = self._add_row(echelon, row) if echelon is not None else None
        if echelon is None:
            return None
        x = self._solve_x(echelon) if len(echelon) == len(mixed) else None
        return self._leaf(pattern.states, pattern.supports, x, column)


def _in_class(shape: SignallingShape) -> bool:
    """Two answers per message and positive priors: the games this module handles."""
    return all(len(r) == 2 for r in shape.responses) and all(p > 0 for p in shape.priors)


def search_profiles(game: Game, shape: SignallingShape) -> list[Behaviour] | None:
    """Exact behaviour profiles, at least one per equilibrium outcome of a regular
    two-answer signalling game (several when the unsent messages can be deterred
    by either answer, so that the reported belief sets are whole); ``None`` when
    the game is outside this search's class (then the MILP runs)."""
    if not _in_class(shape) or len(shape.types) * 2 ** len(shape.messages) > MAX_SIZE:
        return None
    try:
        try:
            points = _Search(shape, exact=False).run()
            exact_search = _Search(shape, exact=True)
            exact = [exact_search.point(p.pattern) for p in points]
        except _TooClose:
            exact = list(_Search(shape, exact=True).run())
    except (_NotRegular, _TooLarge):
        return None
    if any(p is None for p in exact):
        return None  # floats and rationals disagree about a pattern: do not guess
    return [beh for point in exact if point is not None
            for beh in _variants(game, shape, point)]


def pattern_profiles(game: Game, shape: SignallingShape, sigma: Sequence[Sequence[float]],
                     rho: Sequence[Sequence[float]]) -> list[Behaviour] | None:
    """Exact profiles of the pattern in which a float profile lies (``sigma[t][m]``,
    ``rho[m][a]``, e.g. a MILP's solution), when that pattern is regular — two small
    square systems instead of the exact linear programs; ``None`` otherwise."""
    if not _in_class(shape):
        return None
    used = 1e-9  # what counts as a positive probability in the float profile
    states = []
    for m in range(len(shape.messages)):
        if all(row[m] <= used for row in sigma):
            states.append(UNSENT)
        else:
            first, second = (a > used for a in rho[m])
            states.append(MIXED if first and second else SECOND if second else FIRST)
    supports = tuple(tuple(m for m, p in enumerate(row) if p > used) for row in sigma)
    try:
        point = _Search(shape, exact=True).point(_Pattern(tuple(states), supports))
    except _NotRegular:
        return None
    return None if point is None else _variants(game, shape, point)


def _variants(game: Game, shape: SignallingShape, point: _Point) -> list[Behaviour]:
    """The point's profile once per way of answering the unsent messages (each
    deterring answer appears in one), so that the belief sets are whole."""
    profiles: list[Behaviour] = []
    n_variants = max((len(v) for v in point.off_path.values()), default=1)
    for j in range(n_variants):
        answers = dict(point.x)
        for m, choices in point.off_path.items():
            answers[m] = choices[min(j, len(choices) - 1)]
        profiles.append(_behaviour(game, shape, point.sigma, answers))
    return profiles


def _behaviour(game: Game, shape: SignallingShape, sigma: Sequence[dict[int, Fraction]],
               answers: dict[int, Fraction]) -> Behaviour:
    beh: list[list[Fraction]] = [[Fraction(0)] * len(h.actions) for h in game.infosets]
    for t, node_id in enumerate(shape.sender_nodes):
        infoset = game.nodes[node_id].infoset
        assert infoset is not None
        beh[infoset] = [Fraction(sigma[t].get(m, 0)) for m in range(len(shape.messages))]
    for m, infoset in enumerate(shape.receiver_infosets):
        x = Fraction(answers[m])
        beh[infoset] = [1 - x, x]
    return beh
