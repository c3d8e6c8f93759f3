"""The solve layer: exact equilibria of finite two-player extensive games.

``solve(game)`` returns every weak perfect Bayesian equilibrium *outcome* of a
game with one informed player (method ``"pbe-enumeration"``: :mod:`.pbe`; for
one-shot signalling games the pattern search of :mod:`.oneshot_search` where the
game is regular for it, else the MILP of :mod:`.oneshot`), and otherwise falls
back to pygambit (``"gambit-enummixed"`` or ``"gambit-lcp"``,
:mod:`.gambit`).  Every reported equilibrium has exact maximum regret 0
(:mod:`.verify`).  Methods and references: ``docs/algorithms.md``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from fractions import Fraction

from callbluff.errors import check_deadline
from callbluff.game.tree import Game
from callbluff.solve.assemble import build_equilibrium, merge_outcomes
from callbluff.solve.branches import branch_shape, search_branches, support_combinations
from callbluff.solve.gambit import gambit_profiles
from callbluff.solve.oneshot import enumerate_oneshot
from callbluff.solve.oneshot_search import search_profiles
from callbluff.solve.pbe import enumerate_profiles
from callbluff.solve.reduce import Reduction, lift, reduce_dominated
from callbluff.solve.refinements import signal_refinements
from callbluff.solve.result import Beliefs, Equilibrium, LinearInequality, SolveResult
from callbluff.solve.signalling import SignallingShape, signalling_shape
from callbluff.solve.structure import OneInformed, detect_one_informed
from callbluff.solve.verify import Behaviour, mixes_off_path, node_values, regrets

__all__ = [
    "METHODS",
    "MILP",
    "SEARCH",
    "Beliefs",
    "Equilibrium",
    "LinearInequality",
    "SolveResult",
    "node_values",
    "regrets",
    "solve",
]

#: ``SolveResult.options["enumeration"]`` of one-shot signalling games.
SEARCH = "pattern search (regular one-shot signalling)"
BRANCHES = "message branches after dominance reduction"
#: The sequential enumeration's cost grows with the product of the uninformed
#: player's support choices, the branch search's with their sum; from this product
#: on the branch search is the faster (benchmarks/bench_branches.py: at 81
#: combinations 0.5 s against 1.3 s, at 9 (the default's free counter-demands)
#: 1.1 s against 0.7 s).
BRANCH_SEARCH_FROM = 50
MILP = "mixed-integer support patterns (one-shot signalling)"

METHODS = ("auto", "pbe-enumeration", "gambit-enummixed", "gambit-lcp", "gambit")


def solve(game: Game, *, method: str = "auto") -> SolveResult:
    """All equilibrium outcomes of a two-player game, exactly.

    Parameters
    ----------
    game
        A finite extensive game with two players.
    method
        ``"auto"`` (own solver when the game has one informed player, else
        pygambit), ``"pbe-enumeration"`` (own solver; ``ValueError`` outside its
        class) or ``"gambit"`` (pygambit's enummixed/lcp regardless of class).

    Returns
    -------
    SolveResult
        ``method`` names the algorithm that actually ran.

    Examples
    --------
    >>> from callbluff.game.catalog import beer_quiche
    >>> result = solve(beer_quiche())
    >>> result.method, len(result.equilibria)
    ('pbe-enumeration', 2)
    """
    check_deadline()  # a computation abandoned in a worker thread ends here
    if not isinstance(game, Game):
        raise TypeError(f"solve() expects a callbluff Game, got {type(game).__name__}")
    if len(game.players) != 2:
        raise ValueError(
            f"solve() handles two-player games; {game.title!r} has {len(game.players)} players"
        )
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    roles = detect_one_informed(game)
    if method == "pbe-enumeration" and roles is None:
        raise ValueError(
            f"{game.title!r} is not in the one-informed-player class (root chance move "
            "for types, one player with singleton information sets, perfect recall)"
        )
    if roles is not None and method in ("auto", "pbe-enumeration"):
        return _solve_own(game, roles)
    return _solve_gambit(game, roles)


def _solve_own(game: Game, roles: OneInformed) -> SolveResult:
    shape = signalling_shape(game, roles.informed)

    def verify(beh: Behaviour) -> Equilibrium | None:
        return build_equilibrium(game, beh, roles.informed)

    reasons: list[str] = []
    off_path_mixed = 0
    if shape is not None:
        found, enumeration = _solve_oneshot(game, shape, verify)
    elif (branches := _branch_search(reduced := _reduced(game, roles), verify)) is not None:
        (found, off_path_mixed), enumeration = branches, BRANCHES
    else:
        found = []
        for beh in _candidates(reduced):
            eq = verify(beh)
            if eq is not None:
                found.append(eq)
            elif mixes_off_path(game, beh):
                off_path_mixed += 1
        enumeration = "sequence-form supports after dominance reduction"
    if off_path_mixed:
        reasons.append(
            f"{off_path_mixed} support profile(s) failed verification with a mixture at "
            "an information set off the path of play fixed at one point; other off-path "
            "mixtures, which the sequential enumeration does not search, might make "
            "them equilibria (docs/algorithms.md, known limits)")
    return SolveResult(
        game=game,
        method="pbe-enumeration",
        options={
            "informed": game.players[roles.informed],
            "types": roles.types,
            "enumeration": enumeration,
        },
        equilibria=_refined(game, roles, merge_outcomes(game, found)),
        complete=not reasons,
        incomplete_reasons=tuple(reasons),
    )


def _refined(game: Game, roles: OneInformed | None,
             equilibria: tuple[Equilibrium, ...]) -> tuple[Equilibrium, ...]:
    """Each outcome with the intuitive criterion and D1 (:mod:`.refinements`)."""
    signals = signal_refinements(game, roles) if roles is not None else None
    if signals is None:
        return equilibria
    out = []
    for eq in equilibria:
        found = signals.test(eq.behaviour, eq.type_payoffs)
        out.append(dataclasses.replace(
            eq, refinement=found, intuitive_criterion=None if found is None
            else found.intuitive_criterion, d1=None if found is None else found.d1))
    return tuple(out)


def _solve_oneshot(
    game: Game, shape: SignallingShape, verify: Callable[[Behaviour], Equilibrium | None]
) -> tuple[list[Equilibrium], str]:
    """The pattern search where the game is regular for it, else the complete MILP."""
    profiles = search_profiles(game, shape)
    if profiles is not None:
        found = [verify(beh) for beh in profiles]
        if all(eq is not None for eq in found):
            return [eq for eq in found if eq is not None], SEARCH
    enumerated = list(enumerate_oneshot(game, shape, verify))
    if not enumerated:
        # Every finite game has an equilibrium: an empty answer means HiGHS's float
        # tolerances failed (payoffs spanning many orders of magnitude).  Say so
        # rather than report that there is none.
        raise RuntimeError(
            f"{game.title!r}: the mixed-integer search found no equilibrium, though every "
            "finite game has one; its floating-point tolerances fail on payoffs that span "
            "too many orders of magnitude (games of at most 4 types x 4 messages with two "
            "answers each are solved exactly by the pattern search)"
        )
    return enumerated, MILP


def _reduced(game: Game, roles: OneInformed) -> tuple[Reduction, OneInformed]:
    """The game without its conditionally dominated actions (never played in any PBE)."""
    reduction = reduce_dominated(game)
    reduced_roles = detect_one_informed(reduction.reduced) if reduction.changed else roles
    if reduced_roles is None:  # the reduction cut the structure the enumeration needs
        return reduce_dominated(game, enabled=False), roles
    return reduction, reduced_roles


def _candidates(reduced: tuple[Reduction, OneInformed]) -> Iterator[Behaviour]:
    """Profiles to verify from the support enumeration on the reduced game, lifted back."""
    reduction, reduced_roles = reduced
    for beh in enumerate_profiles(reduction.reduced, reduced_roles):
        yield lift(reduction, beh) if reduction.changed else beh


def _branch_search(reduced: tuple[Reduction, OneInformed],
                   verify: Callable[[Behaviour], Equilibrium | None]
                   ) -> tuple[list[Equilibrium], int] | None:
    """The message-branch search (:mod:`.branches`) where the reduced game has its shape
    and the sequential enumeration would form at least ``BRANCH_SEARCH_FROM``
    combinations of the uninformed player's supports: the equilibria and how many
    profiles failed with a mixture off the path; else ``None``."""
    reduction, reduced_roles = reduced
    shape = branch_shape(reduction.reduced, reduced_roles)
    if shape is None or support_combinations(shape) < BRANCH_SEARCH_FROM:
        return None
    found: list[Equilibrium] = []

    def accept(beh: Behaviour) -> bool:
        eq = verify(lift(reduction, beh) if reduction.changed else beh)
        if eq is not None:
            found.append(eq)
        return eq is not None

    unsure = search_branches(shape, accept)
    return found, unsure


def _solve_gambit(game: Game, roles: OneInformed | None) -> SolveResult:
    method, profiles = gambit_profiles(game)
    informed = roles.informed if roles is not None else None
    found: list[Equilibrium] = []
    dropped = 0
    for beh in profiles:
        for h in game.infosets:
            if sum(beh[h.id], Fraction(0)) != 1:
                beh[h.id] = [Fraction(1, len(h.actions))] * len(h.actions)
        eq = build_equilibrium(game, beh, informed)
        if eq is None:
            eq = _repair_off_path(game, beh, informed)
        if eq is not None:
            found.append(eq)
        else:
            dropped += 1
    reasons: list[str] = []
    if method == "gambit-lcp":
        reasons.append("pygambit's lcp_solve (used beyond the enummixed size limit) follows "
                       "one path of Lemke's algorithm: it finds some equilibria, not all")
    if dropped:
        reasons.append(
            f"{dropped} of pygambit's {len(profiles)} Nash equilibria could not be verified as "
            "weak perfect Bayesian equilibria with the off-path actions tried and were "
            "dropped; another off-path behaviour might have made them equilibria")
    return SolveResult(
        game=game,
        method=method,
        options={"rational": True},
        equilibria=_refined(game, roles, merge_outcomes(game, found)),
        complete=not reasons,
        incomplete_reasons=tuple(reasons),
    )


def _repair_off_path(
    game: Game,
    beh: list[list[Fraction]],
    informed: int | None,
) -> Equilibrium | None:
    """Try pure actions at unreached information sets (deepest first) until verified."""
    from callbluff.solve.verify import reach_probabilities

    reach = reach_probabilities(game, beh)
    unreached = [h for h in game.infosets if sum((reach[n] for n in h.nodes), Fraction(0)) == 0]
    unreached.sort(key=lambda h: -h.nodes[0])
    trial = [list(row) for row in beh]
    for h in unreached:
        best: list[Fraction] | None = None
        vals = node_values(game, trial)
        for a in range(len(h.actions)):
            pure = [Fraction(int(i == a)) for i in range(len(h.actions))]
            # keep the action if it is optimal for some belief at h
            scores = [
                max(vals[game.nodes[n].children[b]][h.player] for b in range(len(h.actions)))
                - vals[game.nodes[n].children[a]][h.player]
                for n in h.nodes
            ]
            if min(scores) == 0:
                best = pure
                break
        if best is not None:
            trial[h.id] = best
    return build_equilibrium(game, trial, informed)
