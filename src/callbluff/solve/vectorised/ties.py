"""Exact confirmation of a tie the vectorised enumeration found in floats.

The enumeration (:class:`~callbluff.solve.vectorised.enumeration.Tie`) leaves a
variant's values *pending* when one type is tied, within the float margin, between
two answers and every split between them would be an equilibrium if the tie were
exact.  Floats cannot tell an exact tie from a near one (the scenario's round
numbers make exact ties common: in the default, the mixed type's value of the
negotiable bargain equals its value of no deal under coercive sanctions, 32 = 32),
so the two answers' values are computed here again, exactly, from the one
implementation of the payoffs (:func:`callbluff.game.payoffs.outcome_payoffs`,
docs/model.md), on the variant's exact numbers.
"""

from __future__ import annotations

from fractions import Fraction

from callbluff.game import bargain
from callbluff.game.payoffs import outcome_payoffs, renege_risk
from callbluff.scenario.schema import Scenario
from callbluff.solve.vectorised.enumeration import CHEAT, COMPLY
from callbluff.solve.vectorised.outcomes import PendingTie


def answer_value(variant: Scenario, offer_id: str, type_id: str, answer: int, deal: int,
                 fallback: int) -> Fraction:
    """A type's exact value of one answer to ``offer_id``: complying with, or cheating
    on, deal ``deal`` (0: the offer; 1 + i: its i-th counter-demand granted), or
    rejecting, under the fallback of index ``fallback`` (-1: none, for complying)."""
    offer = variant.offer(offer_id)
    counters = bargain.offer_counter_demands(variant, offer_id)
    deals = [list(offer.concessions)] + [[*offer.concessions, x] for x in counters]
    package = deals[deal] if deal >= 0 else list(offer.concessions)
    f = variant.fallbacks[max(fallback, 0)].id
    pay = outcome_payoffs(variant, type_id, package, offer.regime, f)
    if answer == COMPLY:
        return pay.comply_expected(renege_risk(variant, package))[0]
    if answer == CHEAT:
        return pay.cheat_expected(variant.regime(offer.regime).detection)[0]
    return pay.no_deal[0]


def tie_is_exact(variant: Scenario, offer_id: str, tie: PendingTie, row: int) -> bool:
    """Whether the tie pending in ``row`` holds exactly on ``variant`` (that row's
    scenario, with its exact numbers)."""
    type_id = variant.types[int(tie.type_index[row])].id
    first, second = (answer_value(variant, offer_id, type_id, int(tie.answers[row, k]),
                                  int(tie.deals[row, k]), int(tie.fallbacks[row, k]))
                     for k in (0, 1))
    return first == second


__all__ = ["answer_value", "tie_is_exact"]
