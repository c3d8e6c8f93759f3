"""The scenarios that ship with callbluff: one YAML file each, named by its id.

``north-korea-2009`` (Carpenter's "all in" offer of July 2009) is the default.
"""

from __future__ import annotations

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
    skipping it spares the scenario schema's import and the checks: ``callbluff
    scenarios`` answers in well under half the time.  The data is read as the loader
    reads it (:func:`~callbluff.scenario.safe_yaml.read_yaml`);
    ``tests/test_scenario_cli.py`` checks these fields against the validated scenarios.
    """
    from callbluff.scenario.safe_yaml import read_yaml

    out = []
    for name in list_builtin():
        path = _HERE / f"{name}.yaml"
        data = read_yaml(path.read_text(encoding="utf-8"), str(path)).data
        out.append(Listing(data["id"], data["title"], tuple(t["id"] for t in data["types"]),
                           tuple(o["id"] for o in data["offers"])))
    return out


__all__ = ["DEFAULT", "Listing", "builtin_path", "list_builtin", "listings"]
