"""Mutations of the default scenario: the loader answers a Scenario or an InputError.

Whatever is done to the file — a key deleted, a value of the wrong type, NaN, a
huge or negative number, an id duplicated, the text cut short — nothing but a
valid :class:`Scenario` or an :class:`InputError` may come out (no other
exception, no traceback for the CLI).
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from callbluff.errors import InputError
from callbluff.scenario.builtin import builtin_path
from callbluff.scenario.loader import dump_scenario, load_scenario_text
from callbluff.scenario.schema import Annotation, Scenario

TEXT = builtin_path("north-korea-2009").read_text(encoding="utf-8")
RAW = YAML(typ="safe", pure=True).load(TEXT)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*path, i))
    return out


PATHS = [p for p in _paths(RAW) if p]
ODD_VALUES = [
    None, True, "text", "", -1, 0, 1, -0.5, 1e300, -1e300, math.nan, math.inf, -math.inf,
    10**30, 2**70, [], {}, [1, 2], {"a": 1}, "1/0", "1e999999999", "1/3", "-7/2",
    {"value": "x"}, {"value": -1, "source": 3}, {"value": 1, "sauce": "s"}, "Ünïcødé ✓",
    "x" * 5000,
]


def _dump(data: Any) -> str:
    """JSON is YAML 1.2, and much quicker to write than pure-Python YAML; NaN and
    infinities are written as YAML spells them."""
    text = json.dumps(data, indent=1, ensure_ascii=False)
    return text.replace("-Infinity", "-.inf").replace("Infinity", ".inf").replace("NaN", ".nan")


def _load(text: str, round_trip: bool = True) -> None:
    try:
        result = load_scenario_text(text, "mutant.yaml")
    except InputError as err:
        assert str(err).startswith("mutant.yaml")
        assert err.message
        return
    assert isinstance(result, Scenario)
    # A mutant that is still valid must also survive the round trip.
    if round_trip:
        assert load_scenario_text(dump_scenario(result)) == result


def _mutate(data: Any, path: tuple[Any, ...], op: str, value: Any) -> None:
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if op == "delete":
        del parent[last]
    elif op == "replace":
        parent[last] = value
    elif op == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
    elif op == "duplicate":
        parent[last] = [parent[last], parent[last]]


SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(
    path=st.sampled_from(PATHS),
    op=st.sampled_from(["delete", "replace", "duplicate"]),
    value=st.sampled_from(ODD_VALUES),
)
def test_mutated_tree_gives_scenario_or_input_error(path: tuple[Any, ...], op: str,
                                                    value: Any) -> None:
    data = copy.deepcopy(RAW)
    _mutate(data, path, op, value)
    _load(_dump(data))


@SETTINGS
@given(cut=st.integers(min_value=0, max_value=len(TEXT)))
def test_truncated_text_gives_scenario_or_input_error(cut: int) -> None:
    _load(TEXT[:cut])


@SETTINGS
@given(
    at=st.integers(min_value=0, max_value=len(TEXT)),
    junk=st.text(min_size=1, max_size=8),
)
def test_inserted_characters_give_scenario_or_input_error(at: int, junk: str) -> None:
    _load(TEXT[:at] + junk + TEXT[at:], round_trip=False)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.text(max_size=200))
def test_arbitrary_text_gives_scenario_or_input_error(text: str) -> None:
    _load(text)


YAML_PIECES = [*"[]{}:-&*!|>'\"#%@`\n\t ,?ab0.1e+/\\~", "!!", "---", "...", "%YAML 1.1\n",
               "%TAG ! tag:yaml.org,2002:python/\n", ": ", "- ", "\ufeff", "\x85", "\u2028",
               "!!python/object:os.system ", "&a ", "*a ", "<<: "]


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(YAML_PIECES), max_size=60).map("".join))
def test_yaml_shaped_noise_gives_scenario_or_input_error(text: str) -> None:
    _load(text)


SMALL = load_scenario_text("""\
id: small
title: Small
proposer: {name: P}
target: {name: T}
motives: [{id: security}]
types:
  - {id: a, prior: 0.5, weights: {security: 1}}
  - {id: b, prior: 0.5, weights: {security: 2}}
arsenal: {values: {security: 10}}
concessions: [{id: treaty, cost: 1, values: {security: 5}}]
regimes: [{id: r, detection: 0.5, intrusiveness: 1}]
offers: [{id: o, concessions: [treaty], regime: r}]
cheating: {covert_fraction: 0.1, penalty: 1}
denuclearisation_value: 10
fallbacks: [{id: f, proposer: {a: 0, b: 0}, target: {a: 0, b: 0}}]
time: {rounds: 1, discount: 1, arsenal_growth: 0, harm_growth: 0}
""")
TEXTS = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]), max_size=300,
).filter(lambda t: "\x00" not in t)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(title=TEXTS, note=TEXTS, source=TEXTS,
       words=st.lists(st.sampled_from(["a", "  ", " ", "\n", "'", '"', "#", ": ", "- ",
                                       "é", "\t", "{", "}", "x" * 90]), max_size=80))
def test_any_text_survives_dump_and_load(title: str, note: str, source: str,
                                         words: list[str]) -> None:
    base = SMALL
    annotations = {"types[0].prior": Annotation(source=source, note=note)}
    s = base.model_copy(update={"title": title, "description": "".join(words),
                                "annotations": annotations})
    assert load_scenario_text(dump_scenario(s)) == s
