"""The exact verifier (:mod:`callbluff.solve.verify`) against the brute-force regret of
``tests/regret_oracle.py`` (every pure continuation enumerated, no shared code), on
random behaviour profiles — not equilibria, so that regrets are mostly positive and
every information set's gain is compared, the informed player's single-node sets
(backward induction in one pass) and the uninformed player's sets alike."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from callbluff.game.tree import Game
from callbluff.solve.verify import regrets
from regret_oracle import _reach, regret_by_infoset
from solve_helpers import random_signalling
from test_solve_branches import _costly, _random_costly_bargain


def _random_profile(game: Game, rng: random.Random, pure_share: float
                    ) -> tuple[list[list[Fraction]], dict[int, dict[int, Fraction]]]:
    """A behaviour profile (some sets pure, some mixed with unequal weights) and a
    random belief at every set with several nodes (used only where it is unreached)."""
    beh: list[list[Fraction]] = []
    for h in game.infosets:
        k = len(h.actions)
        if rng.random() < pure_share:
            pick = rng.randrange(k)
            beh.append([Fraction(int(a == pick)) for a in range(k)])
        else:
            weights = [rng.randint(0, 5) for _ in range(k)]
            weights[rng.randrange(k)] += 1
            beh.append([Fraction(w, sum(weights)) for w in weights])
    beliefs = {}
    for h in game.infosets:
        if len(h.nodes) > 1:
            weights = [rng.randint(1, 9) for _ in h.nodes]
            beliefs[h.id] = {n: Fraction(w, sum(weights)) for n, w in zip(h.nodes, weights,
                                                                         strict=True)}
    return beh, beliefs


def _games() -> list[tuple[str, Game]]:
    out = [(f"signalling {s}", random_signalling(s, 2 + s % 3, 2 + s % 2)) for s in range(6)]
    out += [(f"costly bargain {s}", _random_costly_bargain(s)) for s in range(6)]
    out.append(("2009 all-in hearing costly reactors", _costly(["light-water-reactors"])))
    return out


@pytest.mark.parametrize(("name", "game"), _games(), ids=lambda x: x if isinstance(x, str) else "")
def test_regrets_equal_the_brute_force_regrets(name: str, game: Game) -> None:
    rng = random.Random(name)
    positive = 0
    for draw in range(4):
        beh, beliefs = _random_profile(game, rng, pure_share=0.5 if draw % 2 else 0.0)
        profile = {h.label: dict(zip(h.actions, beh[h.id], strict=True)) for h in game.infosets}
        off_path = {h.label: beliefs[h.id] for h in game.infosets if h.id in beliefs}
        gains = regret_by_infoset(game, profile, off_path)
        reach = _reach(game, profile)
        agent = max(sum((reach.get(n, Fraction(0)) for n in h.nodes), Fraction(0))
                    * gains[h.label] for h in game.infosets)
        assert regrets(game, beh, beliefs) == (max(gains.values()), agent)
        positive += max(gains.values()) > 0
    assert positive  # the comparison is not only of zeros
