"""The scenarios that ship with callbluff: one YAML file each, named by its id.

``north-korea-2009`` (Carpenter's "all in" offer of July 2009) is the default.
"""

from __future__ import annotations

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


__all__ = ["DEFAULT", "builtin_path", "list_builtin"]
