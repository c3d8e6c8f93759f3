"""The vectorised solver: the bargain game's equilibrium outcomes over many variants at once.

The game of an offer has the fixed shape of ``docs/model.md``, so the payoffs of
every outcome are affine expressions in the scenario's numbers, computed here
with NumPy over the variant axis (:class:`Params`).  The exact solver
(:func:`callbluff.solve.solve`) returns all weak perfect Bayesian equilibrium
outcomes, mixed ones included; the fast path answers only where it can *prove*
its answer is the same, and says so per variant and offer (``certified``: the
proposer's worst and best values; ``full``: every figure the sweep keeps).  Every
other variant goes to the exact solver.  Three certificates; any that holds answers:

Offers with counter-demands are not modelled: a counter-demand costs a round and
risks a breakdown, and the proposer may stand firm (docs/model.md), so every variant
of such an offer goes to the exact solver.  For final offers two certificates; either
that holds answers:

A. At most two fallbacks some belief can make optimal: every outcome, by support
   enumeration (:mod:`callbluff.solve.vectorised.enumeration`).
C. Otherwise: a unique pure outcome, proven by iterated strict dominance with sets
   of behaviours (Fudenberg & Tirole 1991, *Game Theory*, §2.1 and §8.2), or, for
   the values only, every type's possible answers ending in one outcome for the
   proposer (:func:`~callbluff.solve.vectorised.dominance.settled_value`).

All comparisons are strict with a margin ``TOL`` far above float rounding, so that
every decision made in floats is the decision the exact arithmetic makes.

The dominance certificate (C, :mod:`callbluff.solve.vectorised.dominance`; written for
any number of deals, it now sees only the final offer's one deal, so steps 3 and the
counter-demand answers of step 4 are empty):

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
(certificate A), :mod:`.dominance` (certificate C), :mod:`.outcomes` (what
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


def evaluate_offer(scenario: Scenario, params: Params, offer_id: str,
                   full: bool = True) -> FastOffer:
    """The certified figures of ``offer_id`` in every variant: the enumeration
    first; the dominance certificate for the variants it leaves (or, with ``full``,
    for those where it certifies the values only)."""
    if bargain.offer_counter_demands(scenario, offer_id):
        # A counter-demand costs a round and risks a breakdown, and the proposer may
        # stand firm (docs/model.md): a shape this solver does not model, so every
        # variant goes to the exact solver.
        return routed(offer_id, params.n)
    pay = offer_payoffs(scenario, params, offer_id)
    out = enumerated(pay)
    rest = np.flatnonzero(~(out.full if full else out.certified))
    if rest.size:
        out = fill(out, rest, dominance(pay.take(rest)))
    return out


__all__ = ["evaluate_offer"]
