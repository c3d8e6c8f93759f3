"""Posteriors, entropy, mutual information and misreading.

Truth: Bayes' rule recomputed by hand (Hypothesis), the identities I = 0 under
pooling and I = H(prior) under full separation (Cover and Thomas, *Elements of
Information Theory*, 2nd ed., 2006, §2.4: I(X;Y) = H(X) − H(X|Y)), a hand-computed
binary example, and the chain I = H(a) − H(a|θ) computed independently.
"""

from __future__ import annotations

import math
from fractions import Fraction as Fr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callbluff.analysis.information import (
    ULTERIOR,
    answer_readings,
    entropy_bits,
    misread_probability,
    mutual_information_bits,
    posteriors,
)

ANSWERS = ("accept", "counter", "reject")


def normalise(weights: list[int]) -> list[Fr]:
    total = sum(weights)
    return [Fr(w, total) for w in weights]


@st.composite
def problems(draw: st.DrawFn) -> tuple[dict[str, Fr], dict[str, dict[str, Fr]]]:
    n = draw(st.integers(1, 5))
    prior_w = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n).filter(any))
    prior = dict(zip([f"t{i}" for i in range(n)], normalise(prior_w), strict=True))
    responses = {}
    for t in prior:
        w = draw(st.lists(st.integers(0, 5), min_size=3, max_size=3).filter(any))
        responses[t] = dict(zip(ANSWERS, normalise(w), strict=True))
    return prior, responses


@settings(max_examples=150, deadline=None, derandomize=True)
@given(problems())
def test_posteriors_satisfy_bayes(problem: tuple[dict[str, Fr], dict[str, dict[str, Fr]]]) -> None:
    prior, responses = problem
    post = posteriors(prior, responses)
    assert set(post) == set(ANSWERS)
    for a in ANSWERS:
        p_a = sum(prior[t] * responses[t][a] for t in prior)
        if p_a == 0:
            assert post[a] is None
            continue
        got = post[a]
        assert got is not None
        assert sum(got.values()) == 1
        for t in prior:
            # p(t | a) · P(a) = p(t) · P(a | t)
            assert got[t] * p_a == prior[t] * responses[t][a]
    # law of total probability: Σ_a P(a) p(t|a) = p(t)
    for t in prior:
        total = Fr(0)
        for a in ANSWERS:
            row = post[a]
            if row is not None:
                total += sum(prior[u] * responses[u][a] for u in prior) * row[t]
        assert total == prior[t]


@settings(max_examples=150, deadline=None, derandomize=True)
@given(problems())
def test_mutual_information_identities(
        problem: tuple[dict[str, Fr], dict[str, dict[str, Fr]]]) -> None:
    prior, responses = problem
    mi = mutual_information_bits(prior, responses)
    # I = H(a) − H(a | θ), computed another way
    p_a = {a: sum(prior[t] * responses[t][a] for t in prior) for a in ANSWERS}
    h_a = -sum(float(p) * math.log2(float(p)) for p in p_a.values() if p > 0)
    h_a_given_t = sum(float(prior[t]) * entropy_bits(responses[t]) for t in prior)
    assert mi == pytest.approx(h_a - h_a_given_t, abs=1e-9)
    assert -1e-12 <= mi <= entropy_bits(prior) + 1e-9


@settings(max_examples=100, deadline=None, derandomize=True)
@given(problems())
def test_pooling_carries_no_information(
        problem: tuple[dict[str, Fr], dict[str, dict[str, Fr]]]) -> None:
    prior, responses = problem
    first = next(iter(responses.values()))
    pooled = {t: dict(first) for t in prior}
    assert mutual_information_bits(prior, pooled) == 0  # exact: every log ratio is log 1
    post = posteriors(prior, pooled)
    for a, row in post.items():
        if first[a] > 0:
            assert row == prior  # nothing learnt
        else:
            assert row is None


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.integers(1, 9), min_size=1, max_size=6))
def test_full_separation_reveals_the_whole_prior_entropy(weights: list[int]) -> None:
    prior = {f"t{i}": p for i, p in enumerate(normalise(weights))}
    revealing = {t: {f"says-{t}": Fr(1)} for t in prior}
    expected = -sum(float(p) * math.log2(float(p)) for p in prior.values())
    assert mutual_information_bits(prior, revealing) == pytest.approx(expected, abs=1e-12)
    assert entropy_bits(prior) == pytest.approx(expected, abs=1e-12)
    # every class is read right whatever the split into classes
    for k in range(len(prior) + 1):
        security = set(list(prior)[:k])
        assert misread_probability(prior, revealing, security) == 0


def test_binary_example_by_hand() -> None:
    # prior 1/2-1/2; sec accepts w.p. 1, ult accepts 1/2, rejects 1/2.
    prior = {"sec": Fr(1, 2), "ult": Fr(1, 2)}
    responses = {"sec": {"accept": Fr(1), "reject": Fr(0)},
                 "ult": {"accept": Fr(1, 2), "reject": Fr(1, 2)}}
    post = posteriors(prior, responses)
    assert post == {"accept": {"sec": Fr(2, 3), "ult": Fr(1, 3)},
                    "reject": {"sec": Fr(0), "ult": Fr(1)}}
    # H(θ) = 1; H(θ | a) = 3/4 · h(1/3) + 1/4 · 0 with h(1/3) = log2 3 − 2/3
    expected = 1 - 0.75 * (math.log2(3) - 2 / 3)
    assert mutual_information_bits(prior, responses) == pytest.approx(expected, abs=1e-12)
    # accept → read "security-only" (2/3 > 1/3): wrong for the ulterior acceptors, 1/4
    assert misread_probability(prior, responses, {"sec"}) == Fr(1, 4)


def test_tie_is_read_as_ulterior() -> None:
    prior = {"sec": Fr(1, 2), "ult": Fr(1, 2)}
    pooled = {"sec": {"accept": Fr(1)}, "ult": {"accept": Fr(1)}}
    (reading,) = answer_readings(prior, pooled, {"sec"})
    assert reading.reading == ULTERIOR
    assert misread_probability(prior, pooled, {"sec"}) == Fr(1, 2)


def test_separating_the_classes_not_the_types_gives_no_misread() -> None:
    # two ulterior types pool on reject, the security type accepts
    prior = {"sec": Fr(1, 3), "pre": Fr(1, 3), "rev": Fr(1, 3)}
    responses = {"sec": {"accept": Fr(1), "reject": Fr(0)},
                 "pre": {"accept": Fr(0), "reject": Fr(1)},
                 "rev": {"accept": Fr(0), "reject": Fr(1)}}
    assert misread_probability(prior, responses, {"sec"}) == 0
    # I = H(1/3, 2/3) < H(prior) = log2 3
    h = -(1 / 3) * math.log2(1 / 3) - (2 / 3) * math.log2(2 / 3)
    assert mutual_information_bits(prior, responses) == pytest.approx(h, abs=1e-12)


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        posteriors({"a": Fr(1, 2)}, {"a": {"x": Fr(1)}})
    with pytest.raises(ValueError, match="one distribution per type"):
        posteriors({"a": Fr(1)}, {"b": {"x": Fr(1)}})
    with pytest.raises(ValueError, match=">= 0"):
        entropy_bits({"a": Fr(2), "b": Fr(-1)})
    with pytest.raises(TypeError, match="exact"):
        entropy_bits({"a": 0.5, "b": 0.5})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="not in the prior"):
        misread_probability({"a": Fr(1)}, {"a": {"x": Fr(1)}}, {"zzz"})
