"""Read and write scenario files: safe YAML in, a validated :class:`Scenario` out.

Reading goes in stages, cheapest first, so that a hostile file is refused before
any costly work (see :class:`callbluff.scenario.safe_yaml.Limits`; stages 1–3 are
:func:`callbluff.scenario.safe_yaml.read_yaml`, which the listing of the built-ins
uses too):

1. size of the file (bytes) and UTF-8 decoding;
2. a scan of the YAML *events* (no objects built): nesting depth, number of
   nodes, anchors and aliases (refused: no "billion laughs"), explicit tags
   (refused: nothing in a file may name a Python object);
3. composition into YAML nodes, turned into plain dicts, lists, strings and
   numbers by :mod:`.safe_yaml` (never by a YAML constructor), remembering the line and
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
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from callbluff.errors import InputError, parse_time_limit
from callbluff.scenario.builtin import builtin_path, list_builtin
from callbluff.scenario.safe_yaml import (
    LIMITS,
    Located,
    PathT,
    Pos,
    format_path,
    read_yaml,
    too_big,
)
from callbluff.scenario.schema import LIST_LIMITS, Scenario

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
            raise too_big(name, size)
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
        raise too_big(filename, len(raw))
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


# -- validation --------------------------------------------------------------


def validate_located(located: Located, filename: str = "<input>") -> Scenario:
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


def _input_error(err: ValidationError, located: Located, filename: str) -> InputError:
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


def _describe(error: Mapping[str, Any], located: Located) -> tuple[str, Pos | None, str]:
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


def _is_key_path(path: PathT, located: Located) -> bool:
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


def _locate(path: PathT, located: Located, key: bool = False) -> Pos | None:
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
