"""The vectorised solver: the bargain game's equilibrium outcomes over many variants at once.

The game of an offer has the fixed shape of ``docs/model.md``, so the payoffs of
every outcome are affine expressions in the scenario's numbers, computed here
with NumPy over the variant axis (:class:`Params`).  The exact solver
(:func:`callbluff.solve.solve`) returns all weak perfect Bayesian equilibrium
outcomes, mixed ones included; the fast path answers only where it can *prove*
its answer is the same, and says so per variant and offer (``certified``: the
proposer's worst and best values; ``full``: every figure the sweep keeps).  Every
other variant goes to the exact solver.  Three certificates; any that holds answers:

A. Final offers (no counter-demands) with at most two fallbacks some belief can
   make optimal: every outcome, by support enumeration
   (:mod:`callbluff.solve.vectorised.enumeration`).
B. Offers with free counter-demands (``bargaining.costly_counters`` off, the offer's
   own regime, nothing dropped, no audience cost; every other offer with
   counter-demands goes to the exact solver), each always granted or always refused, where
   cheating never pays: the same enumeration on the final offer of equal values
   (:func:`~callbluff.solve.vectorised.enumeration.counters_as_final`) — values
   only, since a refused counter-demand and a rejection end alike and the exact
   solver reports a continuum of outcomes between them.
C. Otherwise: a unique pure outcome, proven by iterated strict dominance with sets
   of behaviours (Fudenberg & Tirole 1991, *Game Theory*, §2.1 and §8.2), or, for
   the values only, every type's possible answers ending in one outcome for the
   proposer (:func:`~callbluff.solve.vectorised.dominance.settled_value`).

All comparisons are strict with a margin ``TOL`` far above float rounding, so that
every decision made in floats is the decision the exact arithmetic makes.

The dominance certificate (C, :mod:`callbluff.solve.vectorised.dominance`):

1. A fallback ``f`` is never chosen, at any belief, if another fallback ``g`` is
   better for the proposer against every type (``f_P(θ) < g_P(θ)`` for all θ).
   The others are *alive*: any of them (or a mixture) may be played off the path.
2. After a deal ``S'`` (accepting ``S``, or a granted counter-demand), a type
   complies for sure if complying beats cheating under every alive fallback
   after detection, cheats for sure in the reverse case; its value of the deal
   lies in ``[max(comply, min_f cheat), max(comply, max_f cheat)]``.
3. After ``counter:x`` granting is *dominant* if, at every type's node, its least
   value (over that type's possible behaviour after the grant) beats walking away
   with every alive fallback; it is *dominated* if walking away with one alive
   fallback beats granting's greatest value at every node.
4. Each answer (accept, counter:x, reject) then has an interval of values for
   each type; a type is *pinned* when one answer's least value beats every other
   answer's greatest value, and its behaviour after the deal is settled.
5. If every type is pinned (and every prior is positive), the types' behaviour is
   the same in every equilibrium; the proposer's choice at each reached
   information set must then be the unique best reply to the Bayes posterior
   (checked with the margin).  The variant then has exactly one equilibrium
   outcome, pure, and it is the one computed here.

Modules, by idea: :mod:`.parameters` (the scenario's numbers as arrays, the margin
``TOL``), :mod:`.payoffs` (every outcome's payoffs), :mod:`.enumeration`
(certificates A and B), :mod:`.dominance` (certificate C), :mod:`.outcomes` (what
an offer's answer holds) and :mod:`.arrays` (reductions over a short last axis).
The sweep (:mod:`callbluff.sweep.fast`) draws the variants and turns these answers
into its rows.
"""

from __future__ import annotations

import numpy as np

from callbluff.game import bargain
from callbluff.scenario.schema import Scenario
from callbluff.solve.vectorised.dominance import dominance
from callbluff.solve.vectorised.enumeration import enumerated
from callbluff.solve.vectorised.outcomes import FastOffer, fill, routed
from callbluff.solve.vectorised.parameters import Params
from callbluff.solve.vectorised.payoffs import offer_payoffs


def models_counter_demands(scenario: Scenario, offer_id: str) -> bool:
    """Does this solver model the offer's counter-demands?  Only free ones
    (``bargaining.costly_counters`` off) that ask for an extra concession under the
    offer's own regime, drop nothing, and are not answered under an audience cost
    (an offer declared ``final``); a final offer has none and always qualifies."""
    counters = bargain.offer_counter_demands(scenario, offer_id)
    if not counters:
        return True
    return (not scenario.bargaining.costly_counters and not scenario.offer(offer_id).final
            and not any(scenario.concession(x).regime or scenario.concession(x).drops
                        for x in counters))


def evaluate_offer(scenario: Scenario, params: Params, offer_id: str,
                   full: bool = True) -> FastOffer:
    """The certified figures of ``offer_id`` in every variant: the enumeration
    first; the dominance certificate for the variants it leaves (or, with ``full``,
    for those where it certifies the values only)."""
    if not models_counter_demands(scenario, offer_id):
        return routed(offer_id, params.n)
    pay = offer_payoffs(scenario, params, offer_id)
    out = enumerated(pay)
    rest = np.flatnonzero(~(out.full if full else out.certified))
    if rest.size:
        out = fill(out, rest, dominance(pay.take(rest)))
    return out


__all__ = ["evaluate_offer"]
