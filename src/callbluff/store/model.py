"""The records of the run store: what a saved run is, and what two runs differ in.

Plain frozen dataclasses, so that the layers that record runs (``analyze``,
``sweep``, ``report``, ``solve``) and the faces that show them share one shape.
Parameters and results are JSON data (``dict``/``list``/``str``/``int``/
``float``/``bool``/``None``); :meth:`to_json` gives each record as JSON data too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

RunKind = Literal["analyze", "sweep", "report", "solve"]
#: The kinds of run the store accepts, in the order the CLI lists them.
RUN_KINDS: tuple[RunKind, ...] = ("analyze", "sweep", "report", "solve")

ChangeKind = Literal["changed", "added", "removed"]


@dataclass(frozen=True)
class RunSummary:
    """One line of ``runs list``: a run without its scenario text, parameters and result."""

    id: int
    kind: RunKind
    scenario_id: str
    scenario_sha256: str
    version: str
    seed: int | None
    created_at: datetime  # timezone-aware, UTC

    def to_json(self) -> dict[str, Any]:
        """The summary as JSON data (times as ISO 8601 strings)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "scenario_id": self.scenario_id,
            "scenario_sha256": self.scenario_sha256,
            "version": self.version,
            "seed": self.seed,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class RunRecord:
    """A saved run, whole: enough to see what was run, on what, and what came out."""

    id: int
    kind: RunKind
    scenario_id: str
    scenario_sha256: str  # sha256 (hex) of ``scenario_text``, UTF-8
    scenario_text: str  # canonical text: ``\\n`` line ends, one final newline
    version: str  # callbluff version that made the run
    seed: int | None
    params: dict[str, Any]
    result: Any
    created_at: datetime  # timezone-aware, UTC
    checksum: str  # sha256 over all the fields above but ``id``; checked on read

    @property
    def summary(self) -> RunSummary:
        """The record without its bulky parts."""
        return RunSummary(
            id=self.id,
            kind=self.kind,
            scenario_id=self.scenario_id,
            scenario_sha256=self.scenario_sha256,
            version=self.version,
            seed=self.seed,
            created_at=self.created_at,
        )

    def to_json(self) -> dict[str, Any]:
        """The record as JSON data (times as ISO 8601 strings)."""
        data = self.summary.to_json()
        data.update(
            scenario_text=self.scenario_text,
            params=self.params,
            result=self.result,
            checksum=self.checksum,
        )
        return data


@dataclass(frozen=True)
class JsonChange:
    """One difference between two JSON documents.

    ``path`` is a JSON Pointer (RFC 6901): ``""`` is the whole document,
    ``"/types/2/prior"`` the key ``prior`` of item 2 of ``types``; ``~`` and ``/``
    inside keys are written ``~0`` and ``~1``.  ``old`` is ``None`` when the path was
    added and ``new`` is ``None`` when it was removed (``kind`` tells those apart
    from a value that changed to or from ``null``).
    """

    path: str
    kind: ChangeKind
    old: Any = None
    new: Any = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "kind": self.kind}
        if self.kind != "added":
            data["old"] = self.old
        if self.kind != "removed":
            data["new"] = self.new
        return data


@dataclass(frozen=True)
class RunDiff:
    """What changed from run ``a`` to run ``b``.

    ``fields`` compares the metadata (kind, scenario id and hash, version, seed) as
    JSON paths like ``/seed``; ``scenario_diff`` is a unified diff of the scenario
    texts (empty when they are equal); ``params`` and ``result`` list the JSON paths
    whose values differ.
    """

    a: RunSummary
    b: RunSummary
    fields: tuple[JsonChange, ...]
    scenario_diff: str
    params: tuple[JsonChange, ...]
    result: tuple[JsonChange, ...]

    @property
    def is_empty(self) -> bool:
        """True when the two runs differ in nothing but id and time."""
        return not (self.fields or self.scenario_diff or self.params or self.result)

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "fields": [c.to_json() for c in self.fields],
            "scenario_diff": self.scenario_diff,
            "params": [c.to_json() for c in self.params],
            "result": [c.to_json() for c in self.result],
        }
