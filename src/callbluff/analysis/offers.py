"""One offer solved and read: every equilibrium of its game in scenario terms.

:func:`analyze_offer` compiles the offer's game (:mod:`callbluff.game.bargain`),
solves it exactly (:func:`callbluff.solve.solve`) and reads each equilibrium
(:mod:`callbluff.analysis.reading`); :func:`analyze_offer_cached` remembers the
answer for scans that revisit the same variant (thresholds, the article's test).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel

from callbluff.analysis.reading import EquilibriumReading, read_equilibrium
from callbluff.display import OfferView
from callbluff.game import bargain
from callbluff.game.tree import Game
from callbluff.scenario.schema import Scenario
from callbluff.solve import SolveResult, solve


@dataclass(frozen=True, repr=False)  # the short repr of OfferView
class OfferAnalysis(OfferView):
    """All equilibria of one offer, read in scenario terms."""

    offer_id: str
    label: str
    regime: str
    game: Game
    method: str
    equilibria: tuple[EquilibriumReading, ...]
    complete: bool = True  # False: the solver's list may miss outcomes (incomplete_reasons)
    incomplete_reasons: tuple[str, ...] = ()

    @property
    def proposer_best(self) -> EquilibriumReading:
        return max(self.equilibria, key=lambda e: e.proposer_value)

    @property
    def proposer_worst(self) -> EquilibriumReading:
        return min(self.equilibria, key=lambda e: e.proposer_value)

    @property
    def separates_always(self) -> bool:
        return all(e.separates for e in self.equilibria)

    @property
    def separates_sometimes(self) -> bool:
        return any(e.separates for e in self.equilibria)

    @property
    def equilibria_disagree(self) -> bool:
        first = self.equilibria[0]
        return any(
            e.target_strategy != first.target_strategy or e.proposer_value != first.proposer_value
            for e in self.equilibria[1:]
        )

    def cheaters(self, scenario: Scenario) -> list[str]:
        """Ulterior types that accept and cheat with positive probability in some
        equilibrium."""
        ulterior = [t.id for t in scenario.types if not t.security_only and t.prior > 0]
        return [t for t in ulterior
                if any(e.target_strategy[t].accept_cheat > 0 for e in self.equilibria)]


def analyze_offer(scenario: Scenario, offer_id: str) -> OfferAnalysis:
    offer = scenario.offer(offer_id)
    game = bargain.compile_offer(scenario, offer_id)
    result = solve_once(game)
    if not result.equilibria:
        raise RuntimeError(f"offer {offer_id!r}: the solver found no equilibrium")
    readings = tuple(read_equilibrium(scenario, offer_id, game, eq) for eq in result.equilibria)
    return OfferAnalysis(offer_id=offer.id, label=offer.label or offer.id, regime=offer.regime,
                         game=game, method=result.method, equilibria=readings,
                         complete=result.complete, incomplete_reasons=result.incomplete_reasons)


_OFFER_CACHE: dict[tuple[Hashable, str], OfferAnalysis] = {}
_CACHE_LIMIT = 4096
#: Solutions by game: variants that differ only where an offer's game does not look
#: (another offer's concession, a cost outside it) share one solve, across the
#: policy comparison, the thresholds and the package search.
_SOLVE_CACHE: dict[Game, SolveResult] = {}


_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


def _remembered(cache: dict[_K, _V], key: _K, compute: Callable[[], _V]) -> _V:
    """``cache[key]``, computed on first use; the cache is emptied when it holds
    :data:`_CACHE_LIMIT` entries (bounded memory in long-lived servers)."""
    found = cache.get(key)
    if found is None:
        found = compute()
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[key] = found
    return found


def solve_once(game: Game) -> SolveResult:
    """:func:`callbluff.solve.solve`, remembered by the game (equal games, one solve)."""
    return _remembered(_SOLVE_CACHE, game, lambda: solve(game))


def analyze_offer_cached(scenario: Scenario, offer_id: str) -> OfferAnalysis:
    """:func:`analyze_offer`, remembered: threshold searches revisit the same variant."""
    return _remembered(_OFFER_CACHE, (_fingerprint(scenario), offer_id),
                       lambda: analyze_offer(scenario, offer_id))


def _fingerprint(value: object) -> Hashable:
    """An exact, hashable image of a scenario (Fractions stay Fractions)."""
    if isinstance(value, BaseModel):
        return (type(value).__name__,
                tuple((name, _fingerprint(getattr(value, name)))
                      for name in type(value).model_fields))
    if isinstance(value, dict):
        return tuple(sorted((str(k), _fingerprint(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_fingerprint(v) for v in value)
    assert isinstance(value, Hashable)
    return value


