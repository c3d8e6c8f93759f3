"""Structural JSON diff of runs: exactly the changed paths, each once, with old and new.

Invariants checked with Hypothesis on random JSON documents:

* a document diffed with itself (or with a deep copy) gives nothing;
* changing one scalar leaf gives exactly one change, at that leaf's JSON Pointer
  (RFC 6901, escaped here independently of the code), with the old and new values;
* every reported path resolves, in the old and new documents, to the reported
  values, and applying the changes to the old document rebuilds the new one.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from callbluff.store import JsonChange, RunStore, json_diff

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True)

leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)
keys = st.text(alphabet="ab/~.0 ", max_size=4)
values = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=15,
)
documents = st.dictionaries(keys, values, max_size=5)


def _escape(token: str | int) -> str:
    return "/" + str(token).replace("~", "~0").replace("/", "~1")


def _same(old: Any, new: Any) -> bool:
    """JSON equality of two scalars: numbers by value, but a bool is not a number."""
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    numbers = (int, float)
    if isinstance(old, numbers) and isinstance(new, numbers):
        return bool(old == new)
    return type(old) is type(new) and old == new


def _scalar_paths(doc: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(doc, dict):
        return [p for k, v in doc.items() for p in _scalar_paths(v, (*prefix, k))]
    if isinstance(doc, list):
        return [p for i, v in enumerate(doc) for p in _scalar_paths(v, (*prefix, i))]
    return [prefix]


def _tokens(pointer: str) -> list[str]:
    assert pointer == "" or pointer.startswith("/")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def _resolve(doc: Any, pointer: str) -> Any:
    for token in _tokens(pointer):
        doc = doc[int(token)] if isinstance(doc, list) else doc[token]
    return doc


def _apply(doc: Any, changes: tuple[JsonChange, ...]) -> Any:
    doc = copy.deepcopy(doc)
    removals = [c for c in changes if c.kind == "removed"]
    for change in changes:
        if change.kind == "removed":
            continue
        if change.path == "":
            doc = copy.deepcopy(change.new)
            continue
        *parents, last = _tokens(change.path)
        target = _resolve(doc, "".join(_escape(t) for t in parents))
        if isinstance(target, list):
            index = int(last)
            if change.kind == "added":
                assert index == len(target)
                target.append(copy.deepcopy(change.new))
            else:
                target[index] = copy.deepcopy(change.new)
        else:
            target[last] = copy.deepcopy(change.new)
    for change in reversed(removals):  # list removals are trailing: drop from the end
        *parents, last = _tokens(change.path)
        target = _resolve(doc, "".join(_escape(t) for t in parents))
        del target[int(last) if isinstance(target, list) else last]
    return doc


@SETTINGS
@given(documents)
def test_diff_with_itself_is_empty(doc: dict[str, Any]) -> None:
    assert json_diff(doc, doc) == ()
    assert json_diff(doc, copy.deepcopy(doc)) == ()


@SETTINGS
@given(documents, st.data())
def test_one_changed_leaf_is_reported_once(doc: dict[str, Any], data: st.DataObject) -> None:
    paths = _scalar_paths(doc)
    assume(paths and paths != [()])
    path = data.draw(st.sampled_from(paths))
    assume(path != ())
    old = _resolve(doc, "".join(_escape(t) for t in path))
    new = data.draw(leaves)
    assume(not _same(old, new))
    changed = copy.deepcopy(doc)
    target: Any = changed
    for token in path[:-1]:
        target = target[token]
    target[path[-1]] = new

    pointer = "".join(_escape(t) for t in path)
    assert json_diff(doc, changed) == (JsonChange(pointer, "changed", old=old, new=new),)
    assert json_diff(changed, doc) == (JsonChange(pointer, "changed", old=new, new=old),)


@SETTINGS
@given(documents, documents)
def test_changes_resolve_and_rebuild_the_new_document(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    changes = json_diff(old, new)
    assert len({c.path for c in changes}) == len(changes)  # each path once
    for change in changes:
        if change.kind != "added":
            assert _resolve(old, change.path) == change.old
        if change.kind != "removed":
            assert _resolve(new, change.path) == change.new
        if change.kind == "changed":
            both_containers = isinstance(change.old, dict | list) and type(change.old) is type(
                change.new
            )
            assert not both_containers  # containers of one type are descended into
            if not isinstance(change.old, dict | list) and not isinstance(change.new, dict | list):
                assert not _same(change.old, change.new)
    assert _apply(old, changes) == new


def test_diff_examples_by_hand() -> None:
    old = {"types": [{"id": "security", "p": 0.5}, {"id": "prestige", "p": 0.5}], "n": 1}
    new = {"types": [{"id": "security", "p": 0.7}], "n": 1.0, "ok": True}
    assert json_diff(old, new) == (
        JsonChange("/types/0/p", "changed", old=0.5, new=0.7),
        JsonChange("/types/1", "removed", old={"id": "prestige", "p": 0.5}),
        JsonChange("/ok", "added", new=True),
    )
    assert json_diff({"a": 1}, {"a": True}) == (JsonChange("/a", "changed", old=1, new=True),)
    assert json_diff({"a": {"b": 1}}, {"a": [1]}) == (
        JsonChange("/a", "changed", old={"b": 1}, new=[1]),
    )
    assert json_diff([1], {"a": 1}) == (JsonChange("", "changed", old=[1], new={"a": 1}),)
    assert json_diff({"a/b~c": 1}, {"a/b~c": 2})[0].path == "/a~1b~0c"
    assert json_diff({"x": None}, {}) == (JsonChange("/x", "removed", old=None),)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(documents, documents)
def test_store_diff_of_two_runs(
    tmp_path_factory: Any, a: dict[str, Any], b: dict[str, Any]
) -> None:
    path: Path = tmp_path_factory.mktemp("diff") / "runs.sqlite3"
    with RunStore(path) as store:
        ra = store.record("analyze", "nk2009", "a: 1\n", {"p": a}, a, seed=1)
        rb = store.record("analyze", "nk2009", "a: 1\n", {"p": b}, b, seed=1)
        twin = store.record("analyze", "nk2009", "a: 1\n", {"p": a}, a, seed=1)
        assert store.diff(ra.id, twin.id).is_empty
        diff = store.diff(ra.id, rb.id)
    assert diff.a == ra.summary and diff.b == rb.summary
    assert diff.fields == () and diff.scenario_diff == ""
    assert diff.result == json_diff(a, b)
    assert diff.params == tuple(
        JsonChange("/p" + c.path, c.kind, c.old, c.new) for c in json_diff(a, b)
    )
    assert diff.is_empty == (json_diff(a, b) == ())


def test_store_diff_of_metadata_and_scenario(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite3") as store:
        ra = store.record("analyze", "nk2009", "a: 1\nb: 2\nc: 3\n", {}, {}, seed=1)
        rb = store.record("sweep", "nk2009b", "a: 1\nb: 5\nc: 3\n", {}, {}, seed=None)
        diff = store.diff(ra.id, rb.id)
    assert [(c.path, c.old, c.new) for c in diff.fields] == [
        ("/kind", "analyze", "sweep"),
        ("/scenario_id", "nk2009", "nk2009b"),
        ("/scenario_sha256", ra.scenario_sha256, rb.scenario_sha256),
        ("/seed", 1, None),
    ]
    removed = [line for line in diff.scenario_diff.splitlines() if line.startswith("-b")]
    added = [line for line in diff.scenario_diff.splitlines() if line.startswith("+b")]
    assert removed == ["-b: 2"] and added == ["+b: 5"]
    assert diff.params == () and diff.result == ()
