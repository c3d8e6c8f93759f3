"""Fuzzing the scenario loader and validator on mutated copies of every built-in file.

Byte-level mutations (flips, truncation, spliced YAML syntax, non-UTF-8 bytes),
tree-level mutations (keys deleted, wrong types, NaN/inf/huge/negative numbers,
duplicated list items and so ids) and hostile documents (alias bombs, tags that
name Python objects, 10,000-deep nesting).  The property, for every input: a
valid :class:`Scenario`, or an :class:`InputError` whose text starts with the file
name and whose line, when given, lies in the file.  Bounded and derandomized;
``CALLBLUFF_FUZZ_EXAMPLES`` raises the number of examples (``fuzz/nightly.py``).
"""

from __future__ import annotations

import copy
import json
import math
import os
import tracemalloc
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from callbluff.errors import InputError
from callbluff.scenario.builtin import builtin_path, list_builtin
from callbluff.scenario.loader import load_scenario, load_scenario_bytes
from callbluff.scenario.schema import Scenario
from test_scenario_fuzz import _paths

NAME = "fuzz.yaml"
SEEDS = [builtin_path(n).read_bytes() for n in list_builtin()]
TREES = [YAML(typ="safe", pure=True).load(raw) for raw in SEEDS]
_N = int(os.environ.get("CALLBLUFF_FUZZ_EXAMPLES", "0"))


def fuzz_settings(default: int) -> Any:
    return settings(max_examples=_N or default, deadline=None, derandomize=True,
                    database=None, suppress_health_check=list(HealthCheck))


def check(raw: bytes) -> Scenario | None:
    """The property: a Scenario, or one located InputError naming the file."""
    try:
        return load_scenario_bytes(raw, NAME)
    except InputError as err:
        text = str(err)
        assert text.startswith(NAME + ":"), text
        assert err.message and "Traceback" not in text
        if err.line is not None:
            assert 1 <= err.line <= raw.count(b"\n") + 2, (err.line, text)
        if err.column is not None:
            assert err.column >= 1
        return None


# -- bytes -------------------------------------------------------------------

SPLICES = [b"\xff", b"\xc3", b"\x00", b"\xed\xa0\x80", b"\t", b"\r", b"\n", b"  ", b": ",
           b"- ", b"[", b"]", b"{", b"}", b",", b"&a ", b"*a", b"!!python/object:os.system ",
           b"!!binary ", b"? ", b"|", b">", b"'", b'"', b"#", b"---\n", b"...\n", b"%YAML 1.1\n",
           b".nan", b"-.inf", b"1e400", b"1/0", b"-1", b"99999999999999999999", b"0x1F",
           b"\xef\xbb\xbf", b"\xe2\x80\xa8", b"<<: ", b"~"]


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["flip", "splice", "delete", "truncate", "repeat"]))
        if op == "flip" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif op == "splice":
            data[at:at] = draw(st.sampled_from(SPLICES))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        elif op == "truncate":
            del data[at:]
        else:
            start = draw(st.integers(0, len(data)))
            data[at:at] = data[start:start + draw(st.integers(1, 200))]
    return bytes(data)


@fuzz_settings(150)
@given(mutated_bytes())
def test_mutated_bytes_give_scenario_or_located_error(raw: bytes) -> None:
    check(raw)


# -- trees -------------------------------------------------------------------

ODD = [None, True, False, "", "x", -1, 0, 1, -0.5, 0.5, 2, 1e12, 1e13, -1e13, 1e-300,
       math.nan, math.inf, -math.inf, 10**40, "1/0", "1/3", "-7/2", "1e999999999", "0x10",
       [], {}, [1, 2], {"value": "x"}, {"value": math.nan}, {"value": 1, "sauce": "s"},
       "x" * 5000, "é✓\u2028"]


PATHS = [[p for p in _paths(tree) if p] for tree in TREES]


def _dump(data: Any) -> bytes:
    # JSON is YAML; NaN and the infinities written as YAML spells them.
    text = json.dumps(data, indent=1, ensure_ascii=False)
    return text.replace("-Infinity", "-.inf").replace("Infinity", ".inf").replace(
        "NaN", ".nan").encode("utf-8", "surrogatepass")


@st.composite
def mutated_trees(draw: st.DrawFn) -> bytes:
    index = draw(st.integers(0, len(TREES) - 1))
    data = copy.deepcopy(TREES[index])
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS[index]))
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed it
        op = draw(st.sampled_from(["delete", "replace", "duplicate", "scale"]))
        last = path[-1]
        if op == "delete":
            del parent[last]
        elif op == "replace":
            parent[last] = draw(st.sampled_from(ODD))
        elif op == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))  # the same id twice
        elif op == "duplicate":
            parent[last] = [parent[last], parent[last]]
        elif isinstance(parent[last], int | float) and not isinstance(parent[last], bool):
            parent[last] = parent[last] * draw(st.sampled_from([-1, 0, 1e6, 1e15, 1e-9]))
    return _dump(data)


@fuzz_settings(120)
@given(mutated_trees())
def test_mutated_trees_give_scenario_or_located_error(raw: bytes) -> None:
    check(raw)


# -- hostile documents -------------------------------------------------------

HOSTILE = {
    "alias bomb": "\n".join(['a0: &a0 ["lol"]'] + [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]),
    "merge key alias": "base: &b {x: 1}\nother:\n  <<: *b\n",
    "python object": "id: !!python/object/apply:os.system ['echo pwned']\n",
    "python name": "id: !!python/name:os.system\n",
    "python module": "id: !!python/module:os\n",
    "local tag": "id: !Scenario {}\n",
    "verbatim tag": "id: !<tag:yaml.org,2002:python/object:os.system> x\n",
    "tag directive": "%TAG !p! tag:yaml.org,2002:python/\n---\nid: !p!object:os.system x\n",
    "flow nesting 10k": "[" * 10_000 + "]" * 10_000,
    "mapping nesting 10k": "{a: " * 10_000 + "1" + "}" * 10_000,
    "block nesting": "".join("  " * i + f"k{i}:\n" for i in range(2000)) + "  " * 2000 + "v\n",
    "many documents": "---\nid: a\n" * 3,
    "lone surrogate escape": 'id: "\\ud800"\n',
    "huge int": "id: x\nfoo: " + "9" * 5000 + "\n",
    "huge exponent": "denuclearisation_value: 1e999999999\n",
    "null bytes": "id: a\x00b\n",
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_document_is_refused_quickly_and_small(name: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as caught:
            load_scenario_bytes(HOSTILE[name].encode(), NAME)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(caught.value).startswith(NAME + ":")
    assert peak < 64 * 1024 * 1024, f"{peak} bytes to refuse {name}"


@fuzz_settings(40)
@given(seed=st.integers(0, len(SEEDS) - 1), line=st.integers(0, 400),
       fragment=st.sampled_from(sorted(HOSTILE)))
def test_hostile_fragment_inside_builtin_is_refused(seed: int, line: int, fragment: str) -> None:
    lines = SEEDS[seed].split(b"\n")
    at = line % (len(lines) + 1)
    raw = b"\n".join([*lines[:at], HOSTILE[fragment].encode()[:3000], *lines[at:]])
    check(raw)


def test_regression_examples_from_files() -> None:
    """Inputs that the fuzzers kept: each one a scenario or a located error."""
    from pathlib import Path
    folder = Path(__file__).parent / "data" / "fuzz"
    files = sorted(folder.glob("*.yaml"))
    assert files
    for path in files:
        try:
            load_scenario(path)
        except InputError as err:
            assert str(err).startswith(str(path))
