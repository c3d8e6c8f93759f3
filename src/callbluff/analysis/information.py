"""How much an answer tells the proposer about the target's type.

Inputs are a prior ``p(θ)`` and a response distribution ``P(answer | θ)``, both
exact :class:`fractions.Fraction`.  Posteriors follow Bayes' rule and stay exact;
the information measures are in bits (floats, computed from the exact inputs):

* entropy ``H(θ) = −Σ p log₂ p`` and mutual information
  ``I(θ; a) = Σ_θ Σ_a p(θ) P(a|θ) log₂ (P(a|θ) / P(a))`` — Cover and Thomas,
  *Elements of Information Theory*, 2nd ed. (Wiley, 2006), §2.1 and §2.4;
* the misread probability: the proposer sorts the responder into "security-only"
  or "ulterior" by the larger posterior class mass after the answer, and is wrong
  with probability ``Σ_a P(a) · (posterior mass of the class it did not pick)`` —
  the error of the maximum a posteriori rule for a binary hypothesis (Cover and
  Thomas, §11.9).  **Tie rule:** equal class masses are read as "ulterior", the
  cautious reading for a proposer who must not reward a bluff.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from fractions import Fraction

SECURITY_ONLY = "security_only"
ULTERIOR = "ulterior"

Prior = Mapping[str, Fraction]
Responses = Mapping[str, Mapping[str, Fraction]]


def _check_distribution(dist: Mapping[str, Fraction], what: str) -> None:
    for key, p in dist.items():
        if not isinstance(p, Fraction | int):
            raise TypeError(f"{what}[{key!r}] must be an exact Fraction, got "
                            f"{type(p).__name__}")
        if p < 0:
            raise ValueError(f"{what}[{key!r}] must be >= 0, got {p}")
    total = sum(dist.values(), Fraction(0))
    if total != 1:
        raise ValueError(f"{what} must sum to 1, sums to {total}")


def _answers(prior: Prior, responses: Responses) -> list[str]:
    _check_distribution(prior, "prior")
    if set(responses) != set(prior):
        raise ValueError(
            f"responses must give one distribution per type of the prior: types "
            f"{sorted(prior)}, responses for {sorted(responses)}")
    answers: list[str] = []
    for type_id in prior:
        _check_distribution(responses[type_id], f"P(answer | {type_id})")
        answers.extend(a for a in responses[type_id] if a not in answers)
    return answers


def _log2(x: Fraction) -> float:
    """``log₂ x`` of a positive Fraction without overflow (exact 0 at 1)."""
    return math.log2(x.numerator) - math.log2(x.denominator)


def answer_probabilities(prior: Prior, responses: Responses) -> dict[str, Fraction]:
    """``P(a) = Σ_θ p(θ) P(a | θ)`` for every answer any type gives."""
    answers = _answers(prior, responses)
    return {a: sum((p * Fraction(responses[t].get(a, 0)) for t, p in prior.items()),
                   Fraction(0))
            for a in answers}


def posteriors(prior: Prior, responses: Responses) -> dict[str, dict[str, Fraction] | None]:
    """``p(θ | a) = p(θ) P(a|θ) / P(a)`` for every answer; ``None`` for an answer of
    probability 0 (off the path: Bayes' rule says nothing there)."""
    out: dict[str, dict[str, Fraction] | None] = {}
    for a, p_a in answer_probabilities(prior, responses).items():
        if p_a == 0:
            out[a] = None
        else:
            out[a] = {t: p * Fraction(responses[t].get(a, 0)) / p_a
                      for t, p in prior.items()}
    return out


def entropy_bits(dist: Mapping[str, Fraction]) -> float:
    """Shannon entropy ``−Σ p log₂ p`` of an exact distribution, in bits."""
    _check_distribution(dist, "distribution")
    return sum((-float(p) * _log2(Fraction(p)) for p in dist.values() if p > 0), 0.0)


def mutual_information_bits(prior: Prior, responses: Responses) -> float:
    """``I(θ; a)`` in bits: 0 when every type answers alike (pooling), ``H(prior)``
    when each answer reveals the type (full separation)."""
    p_answer = answer_probabilities(prior, responses)
    total = 0.0
    for t, p in prior.items():
        for a, p_a_given_t in responses[t].items():
            if p == 0 or p_a_given_t == 0:
                continue
            total += float(p * p_a_given_t) * _log2(Fraction(p_a_given_t) / p_answer[a])
    return max(total, 0.0)


@dataclass(frozen=True)
class AnswerReading:
    """How the proposer reads one answer: class masses ``P(a, class)`` and the
    class it picks (ties → ``ulterior``)."""

    answer: str
    probability: Fraction
    security_mass: Fraction
    ulterior_mass: Fraction
    reading: str


def answer_readings(prior: Prior, responses: Responses,
                    security_only: Collection[str]) -> tuple[AnswerReading, ...]:
    """The classification of every answer of positive probability."""
    unknown = set(security_only) - set(prior)
    if unknown:
        raise ValueError(f"security-only types {sorted(unknown)} are not in the prior")
    out: list[AnswerReading] = []
    for a, p_a in answer_probabilities(prior, responses).items():
        if p_a == 0:
            continue
        sec = sum((p * Fraction(responses[t].get(a, 0)) for t, p in prior.items()
                   if t in security_only), Fraction(0))
        ult = p_a - sec
        out.append(AnswerReading(a, p_a, sec, ult,
                                 SECURITY_ONLY if sec > ult else ULTERIOR))
    return tuple(out)


def misread_probability(prior: Prior, responses: Responses,
                        security_only: Collection[str]) -> Fraction:
    """Probability that the proposer, reading each answer as the class of larger
    posterior mass (tie → ulterior), gets the class (security-only vs ulterior)
    wrong.  Exact."""
    return sum((r.ulterior_mass if r.reading == SECURITY_ONLY else r.security_mass
                for r in answer_readings(prior, responses, security_only)), Fraction(0))
