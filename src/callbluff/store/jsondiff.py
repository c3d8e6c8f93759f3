"""Structural diff of two JSON documents, as a list of changed JSON Pointer paths.

Objects are compared key by key and arrays index by index (no alignment of moved
items: an item inserted in the middle shows as changes at every later index, which
is what a reader of two results wants to see for positional data such as one row
per type).  Numbers compare by value (``1 == 1.0``), but ``true`` is not ``1``.
Paths are JSON Pointers, RFC 6901 (P. Bryan et al., 2013).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from callbluff.store.model import JsonChange


def pointer_token(key: str | int) -> str:
    """Escape one key or index for a JSON Pointer (RFC 6901 §4: ``~`` → ``~0``, ``/`` → ``~1``)."""
    return str(key).replace("~", "~0").replace("/", "~1")


def _same_leaf(old: Any, new: Any) -> bool:
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    if isinstance(old, int | float) and isinstance(new, int | float):
        return old == new
    return type(old) is type(new) and bool(old == new)


def _walk(old: Any, new: Any, path: str) -> Iterator[JsonChange]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old:
            where = f"{path}/{pointer_token(key)}"
            if key in new:
                yield from _walk(old[key], new[key], where)
            else:
                yield JsonChange(where, "removed", old=old[key])
        for key in new:
            if key not in old:
                yield JsonChange(f"{path}/{pointer_token(key)}", "added", new=new[key])
        return
    if isinstance(old, list) and isinstance(new, list):
        for i in range(min(len(old), len(new))):
            yield from _walk(old[i], new[i], f"{path}/{i}")
        for i in range(len(new), len(old)):
            yield JsonChange(f"{path}/{i}", "removed", old=old[i])
        for i in range(len(old), len(new)):
            yield JsonChange(f"{path}/{i}", "added", new=new[i])
        return
    if isinstance(old, dict | list) or isinstance(new, dict | list) or not _same_leaf(old, new):
        yield JsonChange(path, "changed", old=old, new=new)


def json_diff(old: Any, new: Any) -> tuple[JsonChange, ...]:
    """Every path where ``new`` differs from ``old``, in document order.

    A value that changes type (say an object becomes a number) is one ``changed``
    entry at its path, not one entry per leaf under it.  The diff of a document
    with itself is empty.

    >>> for change in json_diff({"a": 1, "b": [1, 2]}, {"a": 2, "b": [1], "c": None}):
    ...     print(change.kind, repr(change.path), change.old, change.new)
    changed '/a' 1 2
    removed '/b/1' 2 None
    added '/c' None None
    """
    return tuple(_walk(old, new, ""))
