"""Safe, limited YAML reading: plain data plus the line and column of every node.

The first stages of reading a scenario file (:mod:`callbluff.scenario.loader` does
the rest): the size of the text, then libyaml's *events* turned into plain dicts,
lists, strings and numbers by this module (never by a YAML constructor), refusing
aliases, anchors, explicit tags other than the core ones, and nesting or node
counts past :data:`LIMITS`.  Nothing here imports the scenario schema, so a caller
that needs only the data (``callbluff scenarios``) reads it without the schema's
import and validation.
"""

from __future__ import annotations

import io
import math
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    DocumentStartEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
)
from ruamel.yaml.nodes import ScalarNode

from callbluff.errors import InputError

#: Longest text a number may be written with (digits, sign, point, exponent).
MAX_NUMBER_CHARS = 64


@dataclass(frozen=True)
class Limits:
    """Sizes a scenario may have: the one place where they are set.

    The loader checks the file size, the nesting depth, the number of YAML nodes
    and the list lengths *before* any validation work; the schema repeats the list
    lengths (``max_length``) so that a scenario built in code obeys them too.
    Documented in ``docs/scenario-format.md`` ("Limits").
    """

    file_bytes: int = 1024 * 1024
    depth: int = 20
    nodes: int = 100_000
    text_chars: int = 4000
    types: int = 12
    motives: int = 16
    concessions: int = 64
    counter_demands: int = 8
    regimes: int = 16
    offers: int = 50
    fallbacks: int = 8
    stakeholders: int = 20


LIMITS = Limits()


class ExactFloat(float):
    """A float read from a file, carrying the text it was written as.

    The YAML loader produces these so that ``0.1234567890123456789`` keeps every
    digit: :func:`callbluff.scenario.schema.to_fraction` reads the text, not the binary float.
    """

    text: str

    def __new__(cls, text: str) -> ExactFloat:
        obj = super().__new__(cls, text)
        obj.text = text
        return obj


#: Tags a file may spell out explicitly (``!!str 2009``); any other tag is refused.
_ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")
)
_YAML_TAG = "tag:yaml.org,2002:"

PathT = tuple[str | int, ...]


@dataclass(frozen=True)
class Pos:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class Located:
    """Plain data read from a file, with the position of every node."""

    data: Any
    value_pos: dict[PathT, Pos]
    key_pos: dict[PathT, Pos]
    by_dotted: dict[str, PathT]


def format_path(path: typing.Sequence[str | int]) -> str:
    """``("types", 2, "prior")`` -> ``types[2].prior`` (the form used in annotations)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out = f"{out}.{part}" if out else str(part)
    return out


_SURROGATE = re.compile("[\ud800-\udfff]")


def read_yaml(text: str, filename: str = "<input>") -> Located:
    """Safe, limited YAML reading: plain data plus the position of every node."""
    if len(text) > LIMITS.file_bytes or _utf8_len(text) > LIMITS.file_bytes:
        raise too_big(filename, _utf8_len(text))
    if _SURROGATE.search(text):
        raise InputError("text contains lone surrogate characters (not valid Unicode)",
                         file=filename)
    try:
        # ruamel.yaml.clib's parser (libyaml's): the same events and marks, about 15x
        # faster than the pure one, which reads a text again only to word its error
        return _read_events(YAML(typ="safe"), text, filename)
    except YAMLError:
        return _read_events(YAML(typ="safe", pure=True), text, filename)


def _read_events(yaml: YAML, text: str, filename: str) -> Located:
    located = Located(None, {}, {}, {})
    try:
        located.data = _build(yaml.parse(io.StringIO(text)), yaml.resolver, located, filename)
    except InputError:
        raise
    except YAMLError as err:
        if not yaml.pure:
            raise
        raise _yaml_error(err, text, filename) from None
    return located


def _yaml_error(err: YAMLError, text: str, filename: str) -> InputError:
    if isinstance(err, MarkedYAMLError):
        mark = err.problem_mark or err.context_mark
        what = " ".join(str(p) for p in (err.context, err.problem) if p)
        return InputError(
            f"not valid YAML: {what or err}",
            file=filename,
            line=mark.line + 1 if mark is not None else None,
            column=mark.column + 1 if mark is not None else None,
        )
    # reader errors: control characters and the like
    position = getattr(err, "position", None)
    line = column = None
    if isinstance(position, int):
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
    return InputError(f"not valid YAML: {err}", file=filename, line=line, column=column)


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def too_big(filename: str, size: int) -> InputError:
    return InputError(
        f"file too large: {size} bytes (at most {LIMITS.file_bytes} bytes)", file=filename)


def _mark_pos(event: Any) -> Pos:
    mark = event.start_mark
    return Pos(int(mark.line) + 1, int(mark.column) + 1)


class _Frame:
    """An open mapping or list while the events are read."""

    __slots__ = ("container", "key", "path")

    def __init__(self, container: dict[str, Any] | list[Any], path: PathT) -> None:
        self.container = container
        self.path = path
        self.key: str | None = None  # a mapping's key waiting for its value


def _build(events: Iterator[Any], resolver: Any, out: Located, filename: str) -> Any:
    """YAML events -> plain data, checked as they come (no YAML constructor runs).

    Refuses aliases, anchors and explicit tags other than the core ones (so no
    object can be named), nesting deeper than ``LIMITS.depth`` and more than
    ``LIMITS.nodes`` nodes; records the position of every value and key.
    """
    stack: list[_Frame] = []
    root: Any = None
    documents = 0
    nodes = 0

    def fail(message: str, event: Any, path: PathT | None = None) -> InputError:
        pos = _mark_pos(event)
        return InputError(message, file=filename, line=pos.line, column=pos.column,
                          field=format_path(path) if path else None)

    def place(value: Any, event: Any) -> PathT:
        nonlocal root
        pos = _mark_pos(event)
        if not stack:
            root = value
            path: PathT = ()
        else:
            frame = stack[-1]
            if isinstance(frame.container, list):
                path = (*frame.path, len(frame.container))
                frame.container.append(value)
            else:
                assert frame.key is not None  # a value always follows its key
                path = (*frame.path, frame.key)
                frame.container[frame.key] = value
                frame.key = None
        out.value_pos[path] = pos
        out.by_dotted.setdefault(format_path(path), path)
        return path

    for event in events:
        if isinstance(event, DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise fail("more than one YAML document: a scenario file holds one", event)
            continue
        if isinstance(event, AliasEvent):
            raise fail(f"YAML aliases (*{event.anchor}) are not allowed in scenario files: "
                       "write the value out", event)
        if isinstance(event, CollectionEndEvent):
            stack.pop()
            continue
        if not isinstance(event, NodeEvent):
            continue
        nodes += 1
        if nodes > LIMITS.nodes:
            raise fail(f"too many YAML nodes (at most {LIMITS.nodes})", event)
        if event.anchor is not None:
            raise fail(f"YAML anchors (&{event.anchor}) are not allowed in scenario files",
                       event)
        tag = getattr(event, "tag", None)
        tag = None if tag is None else str(getattr(tag, "value", tag))
        if tag is not None and tag not in _ALLOWED_TAGS:
            raise fail(f"YAML tag {tag.replace(_YAML_TAG, '!!')!r} is not allowed: scenario "
                       "files hold plain data only (mappings, lists, strings, numbers, "
                       "booleans)", event)
        awaiting_key = bool(stack) and isinstance(stack[-1].container, dict) \
            and stack[-1].key is None
        if isinstance(event, ScalarEvent):
            if awaiting_key:
                frame = stack[-1]
                key = str(event.value)
                child = (*frame.path, key)
                if key in frame.container:
                    raise fail(f"duplicate key {key!r}", event, child)
                out.key_pos[child] = _mark_pos(event)
                frame.key = key
                continue
            if tag is None:
                tag = str(resolver.resolve(ScalarNode, event.value, event.implicit))
                tag = str(getattr(tag, "value", tag))
            parent = stack[-1].path if stack else ()
            value = _scalar(str(event.value), tag, event, parent, filename)
            place(value, event)
            continue
        if awaiting_key:
            raise fail("mapping keys must be plain names, not lists or mappings", event,
                       stack[-1].path)
        if len(stack) >= LIMITS.depth:
            raise fail(f"YAML nested too deeply (at most {LIMITS.depth} levels)", event)
        container: dict[str, Any] | list[Any] = (
            {} if isinstance(event, MappingStartEvent) else [])
        path = place(container, event)
        stack.append(_Frame(container, path))
    if documents == 0 or (root is None and not out.value_pos):
        raise InputError("empty file: expected a scenario (a YAML mapping with id, title, "
                         "motives, types, ...)", file=filename, line=1, column=1)
    return root


def _scalar(text: str, tag: str, event: Any, parent: PathT, filename: str) -> Any:
    kind = tag[len(_YAML_TAG):] if tag.startswith(_YAML_TAG) else "str"

    def fail(message: str) -> InputError:
        pos = _mark_pos(event)
        return InputError(message, file=filename, line=pos.line, column=pos.column,
                          field=format_path(parent) or None)

    if kind in ("int", "float") and len(text) > MAX_NUMBER_CHARS:
        raise fail(f"number written with more than {MAX_NUMBER_CHARS} characters")
    if kind == "int":
        clean = text.replace("_", "").lower()
        sign = -1 if clean.startswith("-") else 1
        digits = clean.lstrip("+-")
        base = {"0x": 16, "0o": 8, "0b": 2}.get(digits[:2], 10)
        try:
            return sign * int(digits[2:] if base != 10 else digits, base)
        except ValueError:
            raise fail(f"cannot read integer {text!r}") from None
    if kind == "float":
        bare = text.lstrip("+-").lower()
        if bare in (".nan", ".inf"):
            value = math.nan if bare == ".nan" else math.inf
            return -value if text.startswith("-") else value
        try:
            return ExactFloat(text)
        except ValueError:
            raise fail(f"cannot read number {text!r}") from None
    if kind == "bool":
        return text.lower() in ("true", "yes", "on", "y")
    if kind == "null":
        return None
    return text
