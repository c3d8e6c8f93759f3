"""The vectorised solver's answer for one offer over ``n`` variants."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from callbluff.solve.vectorised.parameters import BoolArray, FloatArray, IntArray


@dataclass(frozen=True)
class PendingTie:
    """Variants whose values hold if one tie found in floats is exact
    (:class:`~callbluff.solve.vectorised.enumeration._Ties`, :mod:`.ties`): per
    variant the type (index into the scenario's types) and, for each of the two tied
    answers, the answer (0 comply, 1 cheat, 2 reject), the deal it keeps (0: the
    offer; 1 + i: its i-th counter-demand granted; -1: none) and the fallback it is
    played under (index into the scenario's fallbacks; -1: none)."""

    pending: BoolArray
    type_index: IntArray
    answers: IntArray  # (n, 2)
    deals: IntArray  # (n, 2)
    fallbacks: IntArray  # (n, 2)


@dataclass(frozen=True)
class FastOffer:
    """The vectorised solver's answer for one offer over ``n`` variants: the proposer's worst
    and best equilibrium values where ``certified``, every figure where ``full``."""

    offer_id: str
    certified: BoolArray
    full: BoolArray
    equilibria: IntArray
    value_worst: FloatArray
    value_best: FloatArray
    separates_all: BoolArray
    separates_any: BoolArray
    cheaters: IntArray  # ulterior types that accept and cheat in some outcome
    security_posterior_after_reject: FloatArray  # proposer-worst outcome; NaN off the path
    all_reject: BoolArray  # one outcome, every type rejects: worth the status quo exactly
    #: where the values (uncertified) hold if a tie is exact, to be confirmed
    tie: PendingTie | None = None


def routed(offer_id: str, n: int) -> FastOffer:
    """No variant certified: every one goes to the exact solver."""
    no = np.zeros(n, dtype=bool)
    nan = np.full(n, np.nan)
    none = np.zeros(n, dtype=np.int64)
    return FastOffer(offer_id=offer_id, certified=no, full=no, equilibria=none,
                     value_worst=nan, value_best=nan, separates_all=no, separates_any=no,
                     cheaters=none, security_posterior_after_reject=nan, all_reject=no)


def fill(out: FastOffer, rows: IntArray, other: FastOffer) -> FastOffer:
    """``out`` with ``other``'s answers (for ``rows``) where ``out`` lacks them: every
    field where ``other`` is full, the values where only ``other`` is certified."""
    fields = {f.name: np.array(getattr(out, f.name), copy=True)
              for f in dataclasses.fields(FastOffer) if f.name not in ("offer_id", "tie")}
    full = other.full & ~fields["full"][rows]
    values = other.certified & ~fields["certified"][rows] & ~full
    for name, column in fields.items():
        column[rows[full]] = np.asarray(getattr(other, name))[full]
    for name in ("certified", "value_worst", "value_best", "all_reject"):
        fields[name][rows[values]] = np.asarray(getattr(other, name))[values]
    return FastOffer(offer_id=out.offer_id, tie=out.tie, **fields)


__all__ = ["FastOffer", "PendingTie", "fill"]
