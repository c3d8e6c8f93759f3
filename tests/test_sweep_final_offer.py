"""The final-offer enumeration on games solved by hand.

Two types: S (security-only, prior 0.6 or 0.4) and U (ulterior).  The proposer
prefers the first fallback against S (its weight w_S < 0) and the second against U.
Cheating never pays (worth -10 to both, whatever the proposer does), so C stays off
the path.  The equilibria below are derived in the docstrings, independently of the
code: each type's best answer given the proposer's x (probability of the second
fallback at R), and x optimal against the Bayes posterior (Fudenberg & Tirole 1991,
§8.2.1).  The comparison with the exact solver on the scenario's offers is in
``test_sweep_fast.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from callbluff.solve.vectorised.enumeration import (
    FinalOfferFigures,
    FinalOfferGame,
    enumerate_outcomes,
    structures,
)

TOL = 1e-9


def game(prior_s: float, s_reject: tuple[float, float], u_reject: tuple[float, float],
         s_comply: float = 5.0, u_comply: float = 0.0) -> FinalOfferGame:
    """One variant; the proposer gets 10 when S complies, 10 when U complies, and at
    R: against S 0 (first) or -1 (second), against U 0 or +1."""
    prior = np.array([[prior_s, 1 - prior_s]])
    row = np.array
    return FinalOfferGame(
        prior=prior, comply=row([[s_comply, u_comply]]),
        cheat_first=row([[-10.0, -10.0]]), cheat_second=row([[-10.0, -10.0]]),
        reject_first=row([[s_reject[0], u_reject[0]]]),
        reject_second=row([[s_reject[1], u_reject[1]]]),
        proposer_comply=row([[10.0, 10.0]]), proposer_cheat_first=row([[0.0, 0.0]]),
        proposer_cheat_second=row([[0.0, 0.0]]), proposer_reject_first=row([[0.0, 0.0]]),
        proposer_reject_second=row([[-1.0, 1.0]]),
        preference=prior * row([[-1.0, 1.0]]), security=np.array([True, False]),
        usable=np.array([True]))


def solved(g: FinalOfferGame, equilibria: int, worst: float, best: float,
           posterior: float) -> FinalOfferFigures:
    """The enumeration of ``g``, checked against the hand-derived figures."""
    out = enumerate_outcomes(g, TOL)
    assert out.certified[0]
    assert out.equilibria[0] == equilibria
    assert out.value_worst[0] == pytest.approx(worst, abs=1e-12)
    assert out.value_best[0] == pytest.approx(best, abs=1e-12)
    if np.isnan(posterior):
        assert np.isnan(out.security_posterior_after_reject[0])
    else:
        assert out.security_posterior_after_reject[0] == pytest.approx(posterior, abs=1e-12)
    return out


def test_unique_semi_separating_outcome() -> None:
    """S rejects whatever x (6 > 5).  U: reject 2 - 4x against comply 0.  If U
    rejects, the posterior (0.4, 0.6) leans to the second fallback (-0.4 + 0.6 > 0),
    x = 1 and U would comply; if U complies, only S rejects, x = 0 and U would reject.
    So U mixes: indifferent at x = 1/2, and the proposer is indifferent when
    -0.4 + 0.6 r = 0, r = 2/3.  Value: 0.4·(-1/2) + 0.6·(10/3 + 2/3·1/2) = 2;
    posterior on S after reject 0.4 / (0.4 + 0.4) = 1/2."""
    out = solved(game(0.4, (6.0, 6.0), (2.0, -2.0)), 1, 2.0, 2.0, 0.5)
    assert not out.separates_any[0]
    assert out.cheaters[0] == 0


def test_three_self_fulfilling_outcomes() -> None:
    """U rejects whatever x (1 > 0).  S: reject 8 - 6x against comply 5, so it rejects
    iff x < 1/2.  Priors (0.6, 0.4): (A) both reject, the posterior leans to the first
    fallback (-0.6 + 0.4 < 0), x = 0, S's reject is worth 8 > 5: value 0, posterior
    0.6; (B) S complies, only U rejects, x = 1, S's reject 2 < 5: value 0.6·10 + 0.4
    = 6.4, separating; (C) S mixes at x = 1/2 with r = 2/3 (-0.6 r + 0.4 = 0): value
    0.6·(2/3·(-1/2) + 1/3·10) + 0.4·1/2 = 2, posterior 0.4 / 0.8 = 1/2."""
    out = solved(game(0.6, (8.0, 2.0), (1.0, 1.0)), 3, 0.0, 6.4, 0.6)
    assert out.separates_any[0] and not out.separates_all[0]


def test_no_single_off_path_behaviour_deters_both() -> None:
    """S: reject 8 - 4x against 5, rejects iff x < 3/4; U: reject -1 + 4x against 0,
    rejects iff x > 1/4; priors (0.4, 0.6).  "Both comply" needs one x deterring both
    (x >= 3/4 and x <= 1/4): none.  (A) only S rejects: x = 0, U's reject -1 < 0:
    value 0.6·10 = 6, posterior 1; (B) only U rejects: x = 1, S's 4 < 5: value
    0.4·10 + 0.6 = 4.6; (C) U mixes at x = 1/4, S rejects (7 > 5), -0.4 + 0.6 r = 0,
    r = 2/3: value 0.4·(-1/4) + 0.6·(10/3 + 2/3·1/4) = 2, posterior 1/2; both
    rejecting leans to the second (x = 1, S complies) and S mixing at 3/4 needs r > 1."""
    out = solved(game(0.4, (8.0, 4.0), (-1.0, 3.0)), 3, 2.0, 6.0, 0.5)
    assert out.separates_any[0] and not out.separates_all[0]


def test_off_path_behaviour_deters_inside_an_interval() -> None:
    """S rejects iff x < 1/4 (9 - 16x against 5), U iff x < 1/8 (1 - 8x against 0);
    priors (0.4, 0.6).  Every x in [1/4, 1] deters both: "both comply" with R off the
    path, value 10.  And U mixing at x = 1/8 while S rejects (7 > 5), r = 2/3: value
    0.4·(-1/8) + 0.6·(10/3 + 2/3·1/8) = 2, posterior 1/2.  No pure-reject outcome:
    both rejecting gives x = 1 (S then complies), S alone x = 0 (U then rejects),
    U alone x = 1 (U then complies); S mixing at 1/4 faces U complying."""
    solved(game(0.4, (9.0, -7.0), (1.0, -7.0)), 2, 2.0, 10.0, 0.5)


def test_balanced_posterior_is_not_certified() -> None:
    """Priors (0.5, 0.5) and weights (-1, +1): when both reject the proposer is
    exactly indifferent at every x — a continuum the enumeration must not claim."""
    out = enumerate_outcomes(game(0.5, (9.0, -7.0), (3.0, -1.0)), TOL)
    assert not out.certified[0]


def test_structures_are_distinct_and_counted() -> None:
    """9 patterns without mixing; one mixed set (R or C) with the other pure (2 modes ×
    2 supports) or off the path (1 support): 2·(4 + 1)·T; both mixed: one type on all
    three answers (T) or two types with the three two-answer pairings that pin x and
    y, T(T - 1) each."""
    for nt in (1, 2, 5):
        found = structures(nt)
        assert len(found) == len(set(found))
        assert len(found) == 9 + 2 * 5 * nt + nt + 3 * nt * (nt - 1)


def three(comply: tuple[float, float, float], reject: tuple[tuple[float, float], ...],
          second: tuple[float, float, float] = (-1.0, 1.0, -1.0)) -> FinalOfferGame:
    """Three types S, U1, U2 with priors (1/2, 1/4, 1/4); the proposer gets 10 when a
    type complies, 0 at R with the first fallback and ``second`` with the second
    (by default -1 against S, +1 against U1, -1 against U2: weights (-1/2, 1/4,
    -1/4), so U1 and U2 cancel).  Cheating is worth -10 to every type whatever the
    proposer does (C off the path)."""
    prior = np.array([[0.5, 0.25, 0.25]])
    row = np.array
    proposer_second = row([second])
    return FinalOfferGame(
        prior=prior, comply=row([comply]), cheat_first=row([[-10.0] * 3]),
        cheat_second=row([[-10.0] * 3]), reject_first=row([[r[0] for r in reject]]),
        reject_second=row([[r[1] for r in reject]]), proposer_comply=row([[10.0] * 3]),
        proposer_cheat_first=row([[0.0] * 3]), proposer_cheat_second=row([[0.0] * 3]),
        proposer_reject_first=row([[0.0] * 3]), proposer_reject_second=proposer_second,
        preference=prior * proposer_second, security=np.array([True, False, False]),
        usable=np.array([True]))


def test_cancelling_types_that_never_reject_alone_are_certified() -> None:
    """U1 and U2 cancel (1/4 - 1/4 = 0), but S rejects at every x (6 > 5), so U1 and
    U2 are never the only ones to reject and the proposer is never indifferent at R
    whatever it plays.  U1 rejects at every x (1 > 0); U2 rejects iff x < 1/2
    (2 - 4x against 0).  If U2 rejects, the posterior leans to the first fallback
    (-1/2 + 1/4 - 1/4 = -1/2 < 0): x = 0, and U2's reject 2 > 0 confirms it.  If U2
    complies, the lean is -1/4: x = 0 again, and U2 would reject.  U2 mixing at
    x = 1/2 would need -1/4 - r/4 = 0, r = -1.  So one outcome: everybody rejects,
    x = 0, value 0, posterior on S after a rejection 1/2."""
    out = solved(three((5.0, 0.0, 0.0), ((6.0, 6.0), (1.0, 1.0), (2.0, -2.0))), 1, 0.0,
                 0.0, 0.5)
    assert not out.separates_any[0]


def test_cancelling_types_that_reject_alone_are_not_certified() -> None:
    """S complies at every x (5 > 0), U1 and U2 reject at every x (1 > 0): the types
    that reject are exactly U1 and U2, whose weights cancel, so every x is a best
    reply at R — a continuum of outcomes the enumeration must not claim."""
    out = enumerate_outcomes(three((5.0, 0.0, 0.0), ((0.0, 0.0), (1.0, 1.0), (1.0, 1.0))),
                             TOL)
    assert not out.certified[0]


def test_a_tie_leaves_the_values_of_a_family_pending() -> None:
    """S complies at every x (5 > 0); U2 rejects at every x (3 > 0); U1 rejects iff
    x < 1 (1 - x against 0) and is tied at x = 1.  The second fallback pays the
    proposer +1 against U1 and U2 (weights -1/2, 1/4, 1/4), so whatever share r of U1
    rejects, the posterior after a rejection leans to it (1/4 + r/4 > 0): x = 1, where
    U1 is indifferent.  Every r in [0, 1] is an equilibrium (and none with x < 1,
    where U1 would reject and the lean be 1/2).  Value: S 1/2·10, U2 1/4·1, U1
    1/4·(r·1 + (1 - r)·10): 7.75 - 2.25 r, from 5.5 (r = 1) to 7.75 (r = 0).  In
    floats the tie cannot be told from a near one: the values are pending, for U1
    between complying and rejecting under the second fallback."""
    out = enumerate_outcomes(three((5.0, 0.0, 0.0), ((0.0, 0.0), (1.0, 0.0), (3.0, 3.0)),
                                   second=(-1.0, 1.0, 1.0)), TOL)
    assert not out.certified[0] and out.tie is not None and out.tie.pending[0]
    assert out.value_worst[0] == pytest.approx(5.5, abs=1e-12)
    assert out.value_best[0] == pytest.approx(7.75, abs=1e-12)
    assert out.tie.type_index[0] == 1
    assert sorted(zip(out.tie.answers[0], out.tie.fallbacks[0], strict=True)) == [
        (0, -1), (2, 1)]

