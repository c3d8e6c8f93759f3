"""Read and write scenario files: safe YAML in, a validated :class:`Scenario` out.

Reading goes in stages, cheapest first, so that a hostile file is refused before
any costly work (see :class:`callbluff.scenario.schema.Limits`):

1. size of the file (bytes) and UTF-8 decoding;
2. a scan of the YAML *events* (no objects built): nesting depth, number of
   nodes, anchors and aliases (refused: no "billion laughs"), explicit tags
   (refused: nothing in a file may name a Python object);
3. composition into YAML nodes, turned into plain dicts, lists, strings and
   numbers by this module (never by a YAML constructor), remembering the line and
   column of every node;
4. list lengths, then pydantic validation.

Every failure is an :class:`~callbluff.errors.InputError` with the file, the
1-based line and column of the offending node and the field path
(``types[2].prior``).  Writing (:func:`dump_scenario`) puts the sources and notes
back as ``{value, source, note}`` and writes numbers exactly (``0.15``, ``"1/3"``),
so that loading the text again gives an equal scenario.
"""

from __future__ import annotations

import io
import math
import re
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
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

from callbluff.errors import InputError, parse_time_limit
from callbluff.scenario.builtin import builtin_path, list_builtin
from callbluff.scenario.schema import (
    LIMITS,
    LIST_LIMITS,
    MAX_NUMBER_CHARS,
    ExactFloat,
    Scenario,
)

#: Tags a file may spell out explicitly (``!!str 2009``); any other tag is refused.
_ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")
)
_YAML_TAG = "tag:yaml.org,2002:"

PathT = tuple[str | int, ...]


@dataclass(frozen=True)
class _Pos:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class _Located:
    """Plain data read from a file, with the position of every node."""

    data: Any
    value_pos: dict[PathT, _Pos]
    key_pos: dict[PathT, _Pos]
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


# -- reading -----------------------------------------------------------------


def load_scenario(source: str | Path) -> Scenario:
    """Load a built-in scenario by name (``north-korea-2009``) or a YAML file by path."""
    if isinstance(source, str) and source in list_builtin():
        path = builtin_path(source)
    else:
        path = Path(source)
    name = str(source)
    try:
        size = path.stat().st_size
        if size > LIMITS.file_bytes:
            raise _too_big(name, size)
        with path.open("rb") as fh:
            raw = fh.read(LIMITS.file_bytes + 1)
    except FileNotFoundError:
        raise InputError(
            f"no such file, and no built-in scenario of that name "
            f"(built-in: {', '.join(list_builtin())})", file=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a YAML file", file=name) from None
    except OSError as err:
        raise InputError(f"cannot read the file: {err.strerror or err}", file=name) from None
    return load_scenario_bytes(raw, name)


def load_scenario_bytes(raw: bytes, filename: str = "<input>") -> Scenario:
    """Load a scenario from the bytes of a file (UTF-8, with or without a BOM)."""
    if len(raw) > LIMITS.file_bytes:
        raise _too_big(filename, len(raw))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise InputError(
            f"not UTF-8 text: byte 0x{raw[err.start]:02x} cannot be decoded "
            "(save the file as UTF-8)", file=filename, line=line, column=column) from None
    return load_scenario_text(text, filename)


def load_scenario_text(text: str, filename: str = "<input>") -> Scenario:
    """Load a scenario from YAML text; every problem is an :class:`InputError`.

    Under the CLI, reading is also limited in time (:func:`parse_time_limit`).
    """
    with parse_time_limit(filename):
        located = read_yaml(text, filename)
        return validate_located(located, filename)


_SURROGATE = re.compile("[\ud800-\udfff]")


def read_yaml(text: str, filename: str = "<input>") -> _Located:
    """Safe, limited YAML reading: plain data plus the position of every node."""
    if len(text) > LIMITS.file_bytes or _utf8_len(text) > LIMITS.file_bytes:
        raise _too_big(filename, _utf8_len(text))
    if _SURROGATE.search(text):
        raise InputError("text contains lone surrogate characters (not valid Unicode)",
                         file=filename)
    try:
        # ruamel.yaml.clib's parser (libyaml's): the same events and marks, about 15x
        # faster than the pure one, which reads a text again only to word its error
        return _read_events(YAML(typ="safe"), text, filename)
    except YAMLError:
        return _read_events(YAML(typ="safe", pure=True), text, filename)


def _read_events(yaml: YAML, text: str, filename: str) -> _Located:
    located = _Located(None, {}, {}, {})
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


def _too_big(filename: str, size: int) -> InputError:
    return InputError(
        f"file too large: {size} bytes (at most {LIMITS.file_bytes} bytes)", file=filename)


def _mark_pos(event: Any) -> _Pos:
    mark = event.start_mark
    return _Pos(int(mark.line) + 1, int(mark.column) + 1)


class _Frame:
    """An open mapping or list while the events are read."""

    __slots__ = ("container", "key", "path")

    def __init__(self, container: dict[str, Any] | list[Any], path: PathT) -> None:
        self.container = container
        self.path = path
        self.key: str | None = None  # a mapping's key waiting for its value


def _build(events: Iterator[Any], resolver: Any, out: _Located, filename: str) -> Any:
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


# -- validation --------------------------------------------------------------


def validate_located(located: _Located, filename: str = "<input>") -> Scenario:
    """Check list lengths, then validate with pydantic; errors located in the file."""
    data = located.data
    if not isinstance(data, dict):
        pos = located.value_pos.get(())
        raise InputError(
            f"expected a scenario: a YAML mapping with id, title, motives, types, ...; "
            f"got {_kind(data)}", file=filename, line=pos.line if pos else None,
            column=pos.column if pos else None)
    for key, limit in LIST_LIMITS.items():
        items = data.get(key)
        if isinstance(items, list) and len(items) > limit:
            where = located.value_pos.get((key, limit)) or located.value_pos.get((key,))
            raise InputError(
                f"too many {key.replace('_', '-')}: {len(items)} (at most {limit})",
                file=filename, line=where.line if where else None,
                column=where.column if where else None, field=key)
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise _input_error(err, located, filename) from None
    except (ValueError, TypeError, ArithmeticError, RecursionError) as err:
        # Defensive: a validator that fails outside pydantic's own error handling.
        raise InputError(f"invalid scenario: {err}", file=filename) from None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bool):
        return f"a boolean ({value})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    return f"a string ({str(value)[:40]!r})"


def _input_error(err: ValidationError, located: _Located, filename: str) -> InputError:
    errors = err.errors(include_url=False)
    described = [_describe(e, located) for e in errors]
    field, pos, message = described[0]
    if len(described) > 1:
        extra = [f"{f or '<top>'}: {m}" for f, _, m in described[1:4]]
        more = len(described) - 1
        message += f" (and {more} more problem{'s' if more > 1 else ''}: " + "; ".join(extra)
        message += "; ...)" if more > 3 else ")"
    return InputError(message, file=filename, line=pos.line if pos else None,
                      column=pos.column if pos else None, field=field or None)


def _describe(error: Mapping[str, Any], located: _Located) -> tuple[str, _Pos | None, str]:
    """(field path, position, message) of one pydantic error."""
    loc: PathT = tuple(error.get("loc", ()))
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "scenario_reference":
        dotted = str(ctx.get("path", ""))
        path = located.by_dotted.get(dotted, ())
        return (dotted, _locate(path, located, key=_is_key_path(path, located)),
                str(ctx.get("problem")))
    if loc and loc[0] == "annotations" and len(loc) >= 2:
        # An annotation's source or note is wrong: point at it in its {value, ...} mapping.
        base = located.by_dotted.get(str(loc[1]))
        if base is not None:
            loc = (*base, *loc[2:])
    if loc and loc[-1] == "[key]":
        path = loc[:-1]
        return (format_path(path), _locate(path, located, key=True),
                f"bad key {path[-1]!r}: {_message(error)}")
    field = format_path(loc)
    if kind == "missing":
        return field, _locate(loc[:-1], located), (
            f"missing required key {loc[-1]!r}" if loc else "missing required keys")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = f" (expected one of: {', '.join(allowed)})" if allowed else ""
        return field, _locate(loc, located, key=True), f"unknown key {loc[-1]!r}{hint}"
    return field, _locate(loc, located), _message(error)


def _is_key_path(path: PathT, located: _Located) -> bool:
    """True when ``path`` ends in a mapping key that names something (a motive id...)."""
    return bool(path) and isinstance(path[-1], str) and path in located.key_pos and \
        len(path) >= 2 and path[-2] in ("weights", "values", "proposer", "target")


def _message(error: Mapping[str, Any]) -> str:
    msg = str(error.get("msg", "invalid value"))
    msg = msg.removeprefix("Value error, ")
    value = error.get("input")
    kind = str(error.get("type", ""))
    if kind != "value_error" and isinstance(value, str | int | float | bool | type(None)):
        shown = repr(value) if not isinstance(value, str) or len(value) <= 40 \
            else repr(value[:40] + "...")
        msg += f" (got {shown})"
    elif isinstance(value, dict | list) and kind not in ("value_error",):
        msg += f" (got {_kind(value)})"
    return msg


def _locate(path: PathT, located: _Located, key: bool = False) -> _Pos | None:
    """Position of the node at ``path`` (of its key if asked), or of its nearest parent."""
    if key and path in located.key_pos:
        return located.key_pos[path]
    annotated = (*path, "value")
    if annotated in located.value_pos:
        return located.value_pos[annotated]
    probe = path
    while True:
        if probe in located.value_pos:
            return located.value_pos[probe]
        if not probe:
            return None
        probe = probe[:-1]


def _allowed_keys(loc: PathT) -> list[str]:
    """Field names of the model found at ``loc`` below :class:`Scenario`."""
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
        info = model.model_fields.get(part)
        if info is None:
            return []
        model = _model_in(info.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [name for name in model.model_fields if name != "annotations"]
    return []


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside ``X``, ``X | None``, ``list[X]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


# -- writing -----------------------------------------------------------------


class _Decimal(str):
    """A number written as a YAML float (``0.15``) that reads back exactly."""


class _Rational(str):
    """A number that has no short decimal form, written as a quoted ``"1/3"``."""


def _number(value: Fraction) -> int | _Decimal | _Rational:
    if value.denominator == 1:
        return int(value)
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    places = max(twos, fives)
    if den == 1 and places <= 20:
        scaled = abs(value.numerator * 10**places // value.denominator)
        digits = str(scaled).rjust(places + 1, "0")
        text = f"{'-' if value < 0 else ''}{digits[:-places]}.{digits[-places:]}"
        return _Decimal(text)
    return _Rational(f"{value.numerator}/{value.denominator}")


def _plain(obj: Any, path: PathT, annotated: set[str]) -> Any:
    """Model -> YAML-ready data, leaving out fields at their default unless annotated."""
    if isinstance(obj, BaseModel):
        out: dict[str, Any] = {}
        for name, info in type(obj).model_fields.items():
            if name == "annotations":
                continue
            value = getattr(obj, name)
            child = (*path, name)
            if not info.is_required() and format_path(child) not in annotated:
                default = info.get_default(call_default_factory=True)
                if value == default:
                    continue
            out[name] = _plain(value, child, annotated)
        return out
    if isinstance(obj, dict):
        return {str(k): _plain(v, (*path, str(k)), annotated) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v, (*path, i), annotated) for i, v in enumerate(obj)]
    if isinstance(obj, bool) or obj is None or isinstance(obj, str | int):
        return obj
    if isinstance(obj, Fraction):
        return _number(obj)
    if isinstance(obj, float) and math.isfinite(obj):  # a model built in code
        return _number(Fraction(repr(obj)))
    raise TypeError(f"cannot write {type(obj).__name__} at {format_path(path)}")


def _attach(data: Any, path: PathT, wrap: Any) -> bool:
    """Replace the value at ``path`` in ``data`` by ``wrap(value)``; False if absent."""
    parent = data
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return False
    last = path[-1] if path else None
    try:
        current = parent[last]
    except (KeyError, IndexError, TypeError):
        return False
    parent[last] = wrap(current)
    return True


def _parse_dotted(dotted: str) -> PathT | None:
    """``types[2].weights.security`` -> ``("types", 2, "weights", "security")``."""
    parts: list[str | int] = []
    for piece in dotted.split("."):
        name, _, rest = piece.partition("[")
        if name:
            parts.append(name)
        elif not parts and not rest:
            return None
        while rest:
            index, _, rest = rest.partition("]")
            if not index.isdigit():
                return None
            parts.append(int(index))
            rest = rest.removeprefix("[")
    return tuple(parts)


#: Text written without quotes; anything else is double-quoted, with escapes, which
#: reads back exactly (the emitter's own choice of style does not always).
_PLAIN_TEXT = re.compile(r"^[A-Za-z][A-Za-z0-9_.,;()/+-]*( [A-Za-z0-9_.,;()/+-]+)*$")
_NOT_PLAIN = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})


def _represent_str(representer: Any, value: str) -> Any:
    plain = bool(_PLAIN_TEXT.match(value)) and value.lower() not in _NOT_PLAIN
    return representer.represent_scalar("tag:yaml.org,2002:str", value,
                                        style=None if plain else '"')


def dump_scenario(s: Scenario) -> str:
    """The scenario as YAML text; :func:`load_scenario_text` reads it back equal.

    Annotated numbers are written ``{value: ..., source: ..., note: ...}``; an
    annotation whose path names nothing in the file stays under ``annotations:``.
    """
    annotations = s.annotations
    data = _plain(s, (), set(annotations))
    leftover: dict[str, Any] = {}
    for dotted, ann in annotations.items():
        path = _parse_dotted(dotted)
        if ann.source is None and ann.note is None:
            leftover[dotted] = {}
            continue

        def wrap(value: Any, ann: Any = ann) -> CommentedMap:
            cm = CommentedMap(value=value)
            if ann.source is not None:
                cm["source"] = ann.source
            if ann.note is not None:
                cm["note"] = ann.note
            cm.fa.set_flow_style()
            return cm

        if (path is None or format_path(path) != dotted
                or isinstance(_get(data, path), dict | list)
                or not _attach(data, path, wrap)):
            leftover[dotted] = ann.model_dump(exclude_none=True)
    if leftover:
        data["annotations"] = leftover
    yaml = YAML(typ="rt", pure=True)
    # No line wrapping: the emitter's folding can lose runs of spaces in quoted text.
    yaml.width = 1_000_000
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    yaml.default_flow_style = False
    yaml.representer.add_representer(str, _represent_str)
    yaml.representer.add_representer(
        _Decimal, lambda r, v: r.represent_scalar("tag:yaml.org,2002:float", str(v)))
    yaml.representer.add_representer(
        _Rational, lambda r, v: r.represent_scalar("tag:yaml.org,2002:str", str(v),
                                                   style='"'))
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def _get(data: Any, path: PathT) -> Any:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


__all__ = [
    "dump_scenario",
    "format_path",
    "load_scenario",
    "load_scenario_bytes",
    "load_scenario_text",
]
