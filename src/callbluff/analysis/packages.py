"""The cheapest separating package: which offer ``(S, v)`` costs the proposer least
while still telling the security-only types from the others.

Problem (docs/design.md, "Which package is cheapest for the proposer while still
separating the types?").  Over every subset ``S`` of the scenario's concessions and
every regime ``v``, minimise the proposer's cost ``C(S) + k_v`` subject to

* every security-only type accepts and complies:
  ``comply_θ ≥ cheat_θ`` and ``comply_θ ≥ reject_θ``;
* no ulterior type accepts and cheats:
  ``cheat_θ ≤ comply_θ`` **or** ``cheat_θ ≤ reject_θ``.

Target payoffs are those of ``docs/model.md`` (:mod:`callbluff.game.payoffs`; the
affine forms below restate them, pinned by ``tests/test_payoff_copies.py``):
``comply = B_θ(S) − s_θι``, ``cheat = (1−d)·undetected + d·detected`` and
``reject = A_θ + q_θ + f_T(θ)``.  With the regime fixed, all three are affine in the
concession indicators ``x_j``, so each regime gives a 0-1 integer linear program; the
disjunction of an ulterior type becomes one binary ``z_θ`` with big-M constraints
(Williams, *Model Building in Mathematical Programming*, 5th ed., 2013, §9.1.3, the
"either-or" constraint; Vielma, "Mixed integer linear programming formulation
techniques", SIAM Review 57(1), 2015, §2)::

    cheat_θ − comply_θ ≤ M1_θ · z_θ
    cheat_θ − reject_θ ≤ M2_θ · (1 − z_θ)

where ``M1_θ`` and ``M2_θ`` are the exact maxima of the left-hand sides over all
``x ∈ {0,1}^n`` (constant plus the sum of the positive coefficients), computed from
the data, never a magic constant.  Each program is solved by HiGHS through
:func:`scipy.optimize.milp` (Huangfu and Hall, "Parallelizing the dual revised
simplex method", Math. Prog. Comp. 10, 2018), with the relative MIP gap set to 0;
the cheapest verified package over the regimes wins.

Exactness.  The programs are solved in floating point, so the package HiGHS returns
is then checked in exact ``Fraction`` arithmetic against every constraint, through
the formulas of :mod:`callbluff.game.payoffs` (not the linearisation).  A
package that fails the exact check is cut off (a no-good cut on its ``x``) and the
program solved again.  Rows are scaled to coefficients of magnitude ≤ 1 so that an
exactly feasible package is never cut off by rounding; costs are scaled to integers
when their common denominator allows (then HiGHS's absolute gap cannot hide a
cheaper package).

Tie rules.
* Weak inequalities: indifference is resolved in the proposer's favour (the usual
  sender-preferred convention of mechanism design): a type indifferent between
  complying and cheating complies; an ulterior type whose cheating payoff equals
  its complying or rejecting payoff is counted as not cheating.
* Equal cost: the regime listed first in the scenario wins; within one regime the
  MILP returns one of the cheapest packages (deterministic for a given input).
  :func:`brute_force_cheapest_package` breaks ties by regime order, then fewest
  concessions, then scenario order of the concessions.

Fallbacks.  After a rejection and after detected cheating the proposer plays a
fallback.  Both are parameters; the default is the proposer's best fallback against
the prior restricted to the ulterior types, because in the outcome the package is
designed for, security-only types accept and comply, so a rejection or a detected
cheat can only come from an ulterior type, and Bayes' rule then puts the posterior
on the ulterior types (in prior proportions when they all answer alike); a
sequentially rational proposer best-responds to that belief.  When no ulterior type
has positive prior, the full prior is used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from callbluff.game.payoffs import (
    arsenal_value,
    best_fallback,
    concession_value,
    fallback,
    outcome_payoffs,
    renege_risk,
    status_quo,
)
from callbluff.scenario.schema import Scenario

ACCEPT_COMPLY = "accept_comply"
ACCEPT_CHEAT = "accept_cheat"
REJECT = "reject"

#: Exact no-good cuts tried per regime before giving up on certifying optimality.
_MAX_CUTS = 25


@dataclass(frozen=True)
class TypeChoice:
    """What one type does facing a package, and the payoffs that decide it.

    ``comply``, ``cheat`` (expected over detection) and ``reject`` are the type's own
    payoffs; ``choice`` is its best answer with ties resolved in the proposer's
    favour (``accept_comply`` before ``reject`` before ``accept_cheat``)."""

    type_id: str
    security_only: bool
    choice: str
    comply: Fraction
    cheat: Fraction
    reject: Fraction


@dataclass(frozen=True)
class PackageDesign:
    """The cheapest separating package found.

    ``cost`` is ``C(S) + k_v`` (exact); ``optimal`` is true when every program was
    solved to optimality (for ``method="brute-force"`` always true)."""

    concessions: tuple[str, ...]
    regime: str
    cost: Fraction
    type_choices: tuple[TypeChoice, ...]
    method: str
    optimal: bool
    fallback_after_reject: str
    fallback_after_detection: str


# -- exact evaluation -----------------------------------------------------------


def default_fallback(s: Scenario) -> str:
    """The proposer's best fallback against the prior restricted to the ulterior
    types (the whole prior when they have no prior mass); see the module doc."""
    ulterior = {t.id: t.prior for t in s.types if not t.security_only}
    if sum(ulterior.values(), Fraction(0)) == 0:
        ulterior = {t.id: t.prior for t in s.types}
    return best_fallback(s, ulterior)


def _fallbacks(s: Scenario, fallback_reject: str | None,
               fallback_detected: str | None) -> tuple[str, str]:
    default = default_fallback(s)
    f_rej = default if fallback_reject is None else fallback(s, fallback_reject).id
    f_det = default if fallback_detected is None else fallback(s, fallback_detected).id
    return f_rej, f_det


def type_choices(s: Scenario, concession_ids: Sequence[str], regime_id: str,
                 fallback_reject: str | None = None,
                 fallback_detected: str | None = None) -> tuple[TypeChoice, ...]:
    """Each type's payoffs of comply / cheat / reject for the offer
    ``(concession_ids, regime_id)`` and its best answer (exact)."""
    f_rej, f_det = _fallbacks(s, fallback_reject, fallback_detected)
    d = s.regime(regime_id).detection
    out: list[TypeChoice] = []
    for t in s.types:
        after_detection = outcome_payoffs(s, t.id, concession_ids, regime_id, f_det)
        comply = after_detection.comply_expected(renege_risk(s, concession_ids))[0]
        cheat = after_detection.cheat_expected(d)[0]
        after_reject = (after_detection if f_rej == f_det else
                        outcome_payoffs(s, t.id, concession_ids, regime_id, f_rej))
        reject = after_reject.no_deal[0]
        if comply >= cheat and comply >= reject:
            choice = ACCEPT_COMPLY
        elif reject >= cheat:
            choice = REJECT
        else:
            choice = ACCEPT_CHEAT
        out.append(TypeChoice(t.id, t.security_only, choice, comply, cheat, reject))
    return tuple(out)


def separation_failures(s: Scenario, concession_ids: Sequence[str], regime_id: str,
                        fallback_reject: str | None = None,
                        fallback_detected: str | None = None) -> tuple[str, ...]:
    """The constraints the offer violates, in words (empty: it separates).

    Checked exactly with the formulas of ``docs/model.md``."""
    problems: list[str] = []
    for c in type_choices(s, concession_ids, regime_id, fallback_reject, fallback_detected):
        if c.security_only:
            if c.comply < c.cheat:
                problems.append(f"security-only type {c.type_id!r} prefers cheating "
                                f"({c.cheat} > {c.comply})")
            if c.comply < c.reject:
                problems.append(f"security-only type {c.type_id!r} prefers rejecting "
                                f"({c.reject} > {c.comply})")
        elif c.cheat > c.comply and c.cheat > c.reject:
            problems.append(f"ulterior type {c.type_id!r} accepts and cheats "
                            f"({c.cheat} > max({c.comply}, {c.reject}))")
    return tuple(problems)


def _design(s: Scenario, ids: Sequence[str], regime_id: str, f_rej: str, f_det: str,
            method: str, optimal: bool) -> PackageDesign:
    order = {c.id: i for i, c in enumerate(s.concessions)}
    chosen = tuple(sorted(ids, key=order.__getitem__))
    cost = sum((s.concession(i).cost for i in chosen), Fraction(0)) + s.regime(regime_id).cost
    return PackageDesign(
        concessions=chosen, regime=regime_id, cost=cost,
        type_choices=type_choices(s, chosen, regime_id, f_rej, f_det),
        method=method, optimal=optimal,
        fallback_after_reject=f_rej, fallback_after_detection=f_det)


# -- the linearisation ------------------------------------------------------------


@dataclass(frozen=True)
class _Affine:
    """``const + Σ_j coefs[j] · x_j``."""

    coefs: tuple[Fraction, ...]
    const: Fraction

    def maximum(self) -> Fraction:
        return self.const + sum((c for c in self.coefs if c > 0), Fraction(0))

    def minimum(self) -> Fraction:
        return self.const + sum((c for c in self.coefs if c < 0), Fraction(0))


def _concession_values(s: Scenario) -> dict[str, list[Fraction]]:
    """``w_θ · b_j`` for every type θ and concession j (regime-independent)."""
    return {t.id: [concession_value(s, t.id, c.id) for c in s.concessions] for t in s.types}


def _type_forms(s: Scenario, type_id: str, regime_id: str, f_rej: str, f_det: str,
                b: Sequence[Fraction]) -> tuple[_Affine, _Affine]:
    """``(comply − cheat, comply − reject)`` of type θ as affine forms in ``x``.

    From ``docs/model.md``: comply − cheat = (d−ρ)·B_rev(S) − ρL − κA − d(q − F + f_T^det),
    comply − reject = B(S) − ρB_rev(S) − ρL − sι − A − q − f_T^rej, where ``B_rev`` is
    the value of the reversible concessions (withdrawn on detection and when the
    proposer reneges, probability ρ, the same for every concession here: see
    :func:`cheapest_separating_package`); ``b[j] = w_θ · b_j``."""
    t = next(t for t in s.types if t.id == type_id)
    r = s.regime(regime_id)
    d = r.detection
    kappa = s.cheating.covert_fraction
    big_a = arsenal_value(s, type_id)
    q = status_quo(s, type_id)
    ft_det = fallback(s, f_det).target[type_id]
    ft_rej = fallback(s, f_rej).target[type_id]
    rho = s.bargaining.renege_risk
    renege_loss = rho * t.renege_loss
    pairs = list(zip(b, s.concessions, strict=True))
    comply_minus_cheat = _Affine(
        tuple((d - rho) * bj if c.reversible else Fraction(0) for bj, c in pairs),
        -renege_loss - kappa * big_a - d * (q - s.cheating.penalty + ft_det))
    comply_minus_reject = _Affine(
        tuple((1 - rho) * bj if c.reversible else bj for bj, c in pairs),
        -renege_loss - t.inspection_sensitivity * r.intrusiveness - big_a - q - ft_rej)
    return comply_minus_cheat, comply_minus_reject


@dataclass(frozen=True)
class _Row:
    """``lb ≤ Σ coefs·x + m·z ≤ ub`` over ``x`` and one optional ``z``."""

    coefs: tuple[Fraction, ...]
    z_index: int | None
    z_coef: Fraction
    lb: Fraction | None
    ub: Fraction | None


def _rows(s: Scenario, regime_id: str, f_rej: str, f_det: str,
          values: Mapping[str, Sequence[Fraction]]) -> tuple[list[_Row], int] | None:
    """Rows of the program for one regime and the number of ``z`` binaries, or
    ``None`` when some security-only constraint can never hold."""
    rows: list[_Row] = []
    n_z = 0
    for t in s.types:
        g1, g2 = _type_forms(s, t.id, regime_id, f_rej, f_det, values[t.id])
        if t.security_only:
            for g in (g1, g2):
                if g.maximum() < 0:
                    return None
                if g.minimum() < 0:  # g ≥ 0  ⇔  Σ coefs·x ≥ −const
                    rows.append(_Row(g.coefs, None, Fraction(0), -g.const, None))
            continue
        h1 = _Affine(tuple(-c for c in g1.coefs), -g1.const)  # cheat − comply
        h2 = _Affine(tuple(a - b for a, b in zip(g2.coefs, g1.coefs, strict=True)),
                     g2.const - g1.const)  # cheat − reject
        m1, m2 = h1.maximum(), h2.maximum()
        if m1 <= 0 or m2 <= 0:
            continue  # one branch of the disjunction holds for every package
        if h1.minimum() > 0 and h2.minimum() > 0:
            return None  # cheating beats both comply and reject for every package
        z = n_z
        n_z += 1
        # h1 ≤ M1·z  and  h2 ≤ M2·(1 − z)
        rows.append(_Row(h1.coefs, z, -m1, None, -h1.const))
        rows.append(_Row(h2.coefs, z, m2, None, m2 - h2.const))
    return rows, n_z


def _cost_vector(costs: Sequence[Fraction]) -> np.ndarray:
    """Costs as floats: scaled to integers when that is exact in doubles, else to
    magnitude ≤ 1."""
    if not costs:
        return np.zeros(0)
    lcm = 1
    for c in costs:
        lcm = lcm * c.denominator // math.gcd(lcm, c.denominator)
    scaled = [int(c * lcm) for c in costs]
    if sum(abs(v) for v in scaled) < 2**52:
        return np.array(scaled, dtype=float)
    top = max(abs(c) for c in costs) or Fraction(1)
    return np.array([float(c / top) for c in costs])


def _solve_regime(s: Scenario, regime_id: str, f_rej: str, f_det: str,
                  values: Mapping[str, Sequence[Fraction]],
                  time_limit: float) -> tuple[frozenset[int] | None, bool]:
    """Cheapest exactly separating package for one regime: (indices, optimal)."""
    n = len(s.concessions)
    built = _rows(s, regime_id, f_rej, f_det, values)
    if built is None:
        return None, True
    rows, n_z = built
    if n == 0:
        ok = not separation_failures(s, [], regime_id, f_rej, f_det)
        return (frozenset() if ok else None), True
    n_var = n + n_z
    matrix: list[list[float]] = []
    lower: list[float] = []
    upper: list[float] = []
    for row in rows:
        scale = max([abs(c) for c in row.coefs] + [abs(row.z_coef)]
                    + [abs(v) for v in (row.lb, row.ub) if v is not None])
        scale = scale or Fraction(1)
        line = [float(c / scale) for c in row.coefs] + [0.0] * n_z
        if row.z_index is not None:
            line[n + row.z_index] = float(row.z_coef / scale)
        matrix.append(line)
        lower.append(-np.inf if row.lb is None else float(row.lb / scale))
        upper.append(np.inf if row.ub is None else float(row.ub / scale))
    objective = np.concatenate([_cost_vector([c.cost for c in s.concessions]),
                                np.zeros(n_z)])
    cuts: list[tuple[list[float], float]] = []
    optimal = True
    for _ in range(_MAX_CUTS + 1):
        a_rows = matrix + [line for line, _ in cuts]
        lb = lower + [rhs for _, rhs in cuts]
        ub = upper + [np.inf] * len(cuts)
        constraints = ([LinearConstraint(np.array(a_rows), np.array(lb), np.array(ub))]
                       if a_rows else [])
        result = milp(objective, integrality=np.ones(n_var), bounds=Bounds(0, 1),
                      constraints=constraints,
                      options={"mip_rel_gap": 0.0, "time_limit": time_limit,
                               "presolve": True})
        if result.x is None:
            # status 2: infeasible (certain); anything else: no answer in time.
            return None, result.status == 2
        optimal = optimal and result.status == 0
        chosen = frozenset(j for j in range(n) if result.x[j] > 0.5)
        ids = [s.concessions[j].id for j in sorted(chosen)]
        if not separation_failures(s, ids, regime_id, f_rej, f_det):
            return chosen, optimal
        # Exactly infeasible: cut this x off (it stays infeasible for every z).
        cut = [(-1.0 if j in chosen else 1.0) for j in range(n)] + [0.0] * n_z
        cuts.append((cut, 1.0 - len(chosen)))
    return None, False


# -- public solvers ---------------------------------------------------------------


def cheapest_separating_package(s: Scenario, *, fallback_reject: str | None = None,
                                fallback_detected: str | None = None,
                                time_limit: float = 60.0) -> PackageDesign | None:
    """The least-cost offer ``(S, v)`` that separates, by one MILP per regime
    (HiGHS), verified exactly; ``None`` if no package separates.

    ``fallback_reject`` / ``fallback_detected``: the proposer's fallback after a
    rejection and after detected cheating (default: :func:`default_fallback`).
    ``time_limit``: seconds per program; a program stopped early makes the result
    ``optimal=False``.

    A concession with its own ``renege_risk`` makes the package's risk the largest of
    its parts' (:func:`~callbluff.game.payoffs.renege_risk`), which is not linear in
    the indicators: such scenarios are searched exhaustively (at most 16 concessions)."""
    if any(c.renege_risk is not None for c in s.concessions):
        if len(s.concessions) > 16:
            raise ValueError(
                f"scenario {s.id!r}: concessions with their own renege_risk make the package "
                "search exhaustive, which handles at most 16 concessions")
        return brute_force_cheapest_package(s, fallback_reject=fallback_reject,
                                            fallback_detected=fallback_detected)
    f_rej, f_det = _fallbacks(s, fallback_reject, fallback_detected)
    best: tuple[Fraction, int, frozenset[int]] | None = None
    all_optimal = True
    values = _concession_values(s)
    for v_index, r in enumerate(s.regimes):
        chosen, optimal = _solve_regime(s, r.id, f_rej, f_det, values, time_limit)
        all_optimal = all_optimal and optimal
        if chosen is None:
            continue
        cost = sum((s.concessions[j].cost for j in chosen), Fraction(0)) + r.cost
        if best is None or cost < best[0]:
            best = (cost, v_index, chosen)
    if best is None:
        return None
    _, v_index, chosen = best
    ids = [s.concessions[j].id for j in sorted(chosen)]
    return _design(s, ids, s.regimes[v_index].id, f_rej, f_det, "milp-highs", all_optimal)


def brute_force_cheapest_package(s: Scenario, *, fallback_reject: str | None = None,
                                 fallback_detected: str | None = None) -> PackageDesign | None:
    """Exhaustive, exact search over every ``(S, v)``: candidates are checked in
    order of exact cost (then regime order, fewest concessions, scenario order) and
    the first that separates is returned.  ``2^n · |regimes|`` candidates: for tests
    and benchmarks on small ``n``."""
    f_rej, f_det = _fallbacks(s, fallback_reject, fallback_detected)
    n = len(s.concessions)
    candidates: list[tuple[Fraction, int, int, tuple[int, ...]]] = []
    for size in range(n + 1):
        for subset in combinations(range(n), size):
            c = sum((s.concessions[j].cost for j in subset), Fraction(0))
            for v_index, r in enumerate(s.regimes):
                candidates.append((c + r.cost, v_index, size, subset))
    candidates.sort()
    for _, v_index, _, subset in candidates:
        ids = [s.concessions[j].id for j in subset]
        regime_id = s.regimes[v_index].id
        if not separation_failures(s, ids, regime_id, f_rej, f_det):
            return _design(s, ids, regime_id, f_rej, f_det, "brute-force", True)
    return None
