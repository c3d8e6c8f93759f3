"""The scenarios that ship with callbluff: one YAML file each, named by its id.

``north-korea-2009`` (Carpenter's "all in" offer of July 2009) is the default.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from callbluff.errors import InputError

_HERE = Path(__file__).resolve().parent
#: The scenario used when none is named.
DEFAULT = "north-korea-2009"


def list_builtin() -> list[str]:
    """Ids of the built-in scenarios, sorted.

    Returns
    -------
    list of str
        Names that ``callbluff.load`` (and every command) accepts.

    Examples
    --------
    >>> import callbluff as cb
    >>> "north-korea-2009" in cb.list_builtin()
    True
    """
    return sorted(p.stem for p in _HERE.glob("*.yaml"))


def builtin_path(name: str) -> Path:
    """Path of the built-in scenario ``name`` (raises :class:`InputError` if unknown)."""
    names = list_builtin()
    if name not in names:
        raise InputError(
            f"no built-in scenario {name!r} (built-in: {', '.join(names)})")
    return _HERE / f"{name}.yaml"


@dataclass(frozen=True)
class Listing:
    """What ``callbluff scenarios`` shows of one built-in scenario."""

    id: str
    title: str
    types: tuple[str, ...]
    offers: tuple[str, ...]


def listings() -> list[Listing]:
    """Id, title, type ids and offer ids of every built-in, read from the YAML alone.

    Listing needs no validation (the test suite validates every built-in), and
    skipping it, and the building of the whole document, spares the scenario schema's
    import and the checks: ``callbluff scenarios`` answers in well under half the time.
    ``tests/test_scenario_cli.py`` checks these fields against the validated scenarios.
    """
    out = []
    for name in list_builtin():
        found: dict[tuple[object, ...], str] = dict(
            _scalars((_HERE / f"{name}.yaml").read_text(encoding="utf-8")))
        types = [v for k, v in found.items() if len(k) == 3 and k[0] == "types" and k[2] == "id"]
        offers = [v for k, v in found.items()
                  if len(k) == 3 and k[0] == "offers" and k[2] == "id"]
        out.append(Listing(found[("id",)], found[("title",)], tuple(types), tuple(offers)))
    return out


def _scalars(text: str) -> Iterator[tuple[tuple[object, ...], str]]:
    """Every scalar of a YAML text with its path (mapping keys, list indices), from
    libyaml's events (ruamel.yaml.clib): nothing is constructed."""
    from ruamel.yaml import YAML
    from ruamel.yaml.events import (
        CollectionEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceStartEvent,
    )

    # per open collection: its path, and for a mapping the key awaiting its value
    # (None: a key comes next); for a list the next index
    stack: list[list[object]] = []

    def here() -> tuple[object, ...]:
        if not stack:
            return ()
        path, slot = stack[-1]
        assert isinstance(path, tuple)
        return (*path, slot)

    def advance() -> None:
        if stack:
            frame = stack[-1]
            frame[1] = frame[1] + 1 if isinstance(frame[1], int) else None

    for event in YAML(typ="safe").parse(text):
        if isinstance(event, MappingStartEvent | SequenceStartEvent):
            path = here()
            stack.append([path, 0 if isinstance(event, SequenceStartEvent) else None])
        elif isinstance(event, CollectionEndEvent):
            stack.pop()
            advance()
        elif isinstance(event, ScalarEvent):
            if stack and stack[-1][1] is None:  # a mapping's key
                stack[-1][1] = str(event.value)
                continue
            yield here(), str(event.value)
            advance()


__all__ = ["DEFAULT", "Listing", "builtin_path", "list_builtin", "listings"]
