"""Every copy of the payoff formulas of docs/model.md pinned to ``game/payoffs.py``.

``game/payoffs.py`` is the exact implementation; three other places evaluate parts of
the same table in their own form (full sharing would need the model rewrite that is
under way, so they are pinned instead): the vectorised solver's float arrays
(``solve/vectorised/payoffs.py``), the cheapest-package program's affine forms
(``analysis/packages.py``) and the status quo value (``analysis/verdict.py``).  On
seeded random variants of the built-in scenario — every number the model uses
redrawn — each copy must equal the exact formulas (floats to 1e-9 relative, exact
copies exactly).  A model change made in one place and not the others fails here.
"""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import combinations
from typing import Any

import numpy as np
import pytest

from callbluff.analysis.packages import _concession_values, _type_forms
from callbluff.analysis.thresholds import with_number
from callbluff.analysis.verdict import status_quo as status_quo_value
from callbluff.game.bargain import offer_counter_demands
from callbluff.game.payoffs import best_fallback, outcome_payoffs, prior, renege_risk
from callbluff.scenario.builtin import builtin_path
from callbluff.scenario.loader import load_scenario
from callbluff.scenario.schema import Scenario
from callbluff.solve.vectorised.parameters import Params
from callbluff.solve.vectorised.payoffs import offer_payoffs, status_quo_values

PROBABILITIES = {"detection", "covert_fraction", "intrusiveness", "renege_risk"}


def _paths(s: Scenario) -> list[str]:
    """Every number of the scenario that enters a payoff."""
    out = []
    for t in s.types:
        out += [f"types[{t.id}].{k}" for k in ("status_quo", "arsenal_harm",
                                               "inspection_sensitivity", "renege_loss")]
        out += [f"types[{t.id}].weights.{m.id}" for m in s.motives if m.id in t.weights]
    out += [f"arsenal.values.{m}" for m in s.arsenal.values]
    for c in [*s.concessions, *s.counter_demands]:
        kind = "concessions" if c in s.concessions else "counter_demands"
        out.append(f"{kind}[{c.id}].cost")
        out += [f"{kind}[{c.id}].values.{m}" for m in c.values]
    for r in s.regimes:
        out += [f"regimes[{r.id}].{k}" for k in ("detection", "intrusiveness", "cost")]
    out += ["cheating.covert_fraction", "cheating.penalty", "denuclearisation_value",
            "bargaining.renege_risk"]
    for f in s.fallbacks:
        out += [f"fallbacks[{f.id}].{side}.{t.id}" for side in ("proposer", "target")
                for t in s.types]
    out += [f"stakeholders[{st.id}].pressure" for st in s.stakeholders]
    return out


def _variant(base: Scenario, seed: int) -> Scenario:
    rng = random.Random(seed)
    s = base
    for path in _paths(base):
        leaf = path.rsplit(".", 1)[-1]
        if leaf in PROBABILITIES:
            value = Fraction(rng.randint(0, 40), 40)
        elif path.startswith(("fallbacks", "types")) and leaf not in {
                "arsenal_harm", "inspection_sensitivity", "renege_loss"} and (
                ".weights." not in path):
            value = Fraction(rng.randint(-60, 60), rng.randint(1, 7))
        else:
            value = Fraction(rng.randint(0, 60), rng.randint(1, 7))
        s = with_number(s, path, value)
    mass = Fraction(rng.randint(1, 9), 10)
    return with_number(s, f"types[{s.types[0].id}].prior", mass)


SEEDS = range(12)


@pytest.fixture(scope="module")
def base() -> Scenario:
    return load_scenario(builtin_path("north-korea-2009"))


def _close(x: Any, exact: Fraction) -> None:
    assert float(np.asarray(x).reshape(-1)[0]) == pytest.approx(float(exact), rel=1e-9,
                                                                  abs=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_vectorised_payoffs_equal_the_exact_table(base: Scenario, seed: int) -> None:
    s = _variant(base, seed)
    params = Params(s, 1, None, [])
    fallbacks = [f.id for f in s.fallbacks]
    for offer in s.offers:
        pay = offer_payoffs(s, params, offer.id)
        regime = offer.regime
        d = s.regime(regime).detection
        deals = [list(offer.concessions)] + [
            [*offer.concessions, x] for x in offer_counter_demands(s, offer.id)]
        for j, package in enumerate(deals):
            for i, t in enumerate(s.types):
                for k, f in enumerate(fallbacks):
                    exact = outcome_payoffs(s, t.id, package, regime, f)
                    comply_t, comply_p = exact.comply_expected(renege_risk(s, package))
                    _close(pay.comply_t[j][:, i], comply_t)
                    _close(pay.comply_p[j][:, i], comply_p)
                    cheat_t, cheat_p = exact.cheat_expected(d)
                    _close(pay.cheat_t[j][:, i, k], cheat_t)
                    _close(pay.cheat_v_p[j][:, i, k], cheat_p)
                    _close(pay.no_deal_t[:, i, k], exact.no_deal[0])
                    _close(pay.no_deal_p[:, i, k], exact.no_deal[1])
        for i, t in enumerate(s.types):
            _close(pay.prior[:, i], t.prior)


@pytest.mark.parametrize("seed", SEEDS)
def test_status_quo_copies_equal_the_exact_table(base: Scenario, seed: int) -> None:
    s = _variant(base, seed)
    f = best_fallback(s, prior(s))
    exact = sum((t.prior * outcome_payoffs(s, t.id, [], s.regimes[0].id, f).no_deal[1]
                 for t in s.types), Fraction(0))
    assert status_quo_value(s) == (exact, f)
    _close(status_quo_values(s, Params(s, 1, None, [])), exact)


@pytest.mark.parametrize("seed", SEEDS)
def test_package_program_forms_equal_the_exact_table(base: Scenario, seed: int) -> None:
    s = _variant(base, seed)
    values = _concession_values(s)
    ids = [c.id for c in s.concessions]
    rng = random.Random(seed)
    subsets = [list(c) for n in range(len(ids) + 1) for c in combinations(ids, n)]
    for regime in s.regimes:
        d = regime.detection
        for f_rej in (s.fallbacks[0].id, s.fallbacks[-1].id):
            f_det = s.fallbacks[rng.randrange(len(s.fallbacks))].id
            for t in s.types:
                to_cheat, to_reject = _type_forms(s, t.id, regime.id, f_rej, f_det, values[t.id])
                for package in rng.sample(subsets, min(8, len(subsets))):
                    x = [Fraction(int(c in package)) for c in ids]
                    after_detection = outcome_payoffs(s, t.id, package, regime.id, f_det)
                    after_reject = outcome_payoffs(s, t.id, package, regime.id, f_rej)
                    comply = after_detection.comply_expected(renege_risk(s, package))[0]
                    assert to_cheat.const + sum(
                        (a * b for a, b in zip(to_cheat.coefs, x, strict=True)), Fraction(0)
                    ) == comply - after_detection.cheat_expected(d)[0]
                    assert to_reject.const + sum(
                        (a * b for a, b in zip(to_reject.coefs, x, strict=True)), Fraction(0)
                    ) == comply - after_reject.no_deal[0]
