"""The inputs of a scenario as rows a reader can check: every number, where it sits
in the file, its exact value, and the source and note the file gives for it.

Paths are those of :attr:`callbluff.scenario.schema.Scenario.annotations`
(``types[0].prior``, ``fallbacks[1].proposer.mixed``), so each number meets its
citation; the row also names the item by its id so that the table reads well.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pydantic import BaseModel

from callbluff.analysis.numbers import exact
from callbluff.scenario.schema import Scenario

#: Top-level sections in the order the report shows them, with a heading each.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("year", "Year"),
    ("types", "Types of target (hidden motives)"),
    ("arsenal", "Arsenal"),
    ("concessions", "Concessions"),
    ("counter_demands", "Counter-demands"),
    ("regimes", "Verification regimes"),
    ("cheating", "Cheating"),
    ("denuclearisation_value", "Value of denuclearisation"),
    ("fallbacks", "Fallback policies"),
    ("time", "Time"),
    ("bargaining", "Counter-demands' cost and credibility of the guarantees"),
    ("stakeholders", "Stakeholders"),
)


@dataclass(frozen=True)
class InputRow:
    """One number of the scenario."""

    section: str
    path: str  # annotation path, e.g. "types[0].prior"
    item: str  # id of the list item it belongs to ("" at top level)
    field: str  # path inside the item, e.g. "weights.security"
    value: str
    source: str
    note: str

    @property
    def slider_path(self) -> str:
        """The path as the page's sliders and overrides write it:
        ``regimes[rigorous].detection`` (items by id, not by position)."""
        if not self.item:
            return self.path
        return f"{self.section}[{self.item}]" + (f".{self.field}" if self.field else "")


def _walk(value: Any, path: str, out: list[tuple[str, Fraction]]) -> None:
    if isinstance(value, Fraction):
        out.append((path, value))
    elif isinstance(value, int) and not isinstance(value, bool):
        out.append((path, Fraction(value)))
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _walk(getattr(value, name), f"{path}.{name}" if path else name, out)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(item, f"{path}.{key}", out)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _walk(item, f"{path}[{i}]", out)


def input_rows(scenario: Scenario) -> list[InputRow]:
    """Every number of ``scenario`` by section, with its source and note."""
    rows: list[InputRow] = []
    for section, _ in SECTIONS:
        found: list[tuple[str, Fraction]] = []
        _walk(getattr(scenario, section), section, found)
        items = getattr(scenario, section)
        for path, value in found:
            item, field = "", path[len(section):].lstrip(".")
            if isinstance(items, list) and field.startswith("["):
                index_text, _, rest = field[1:].partition("]")
                entry = items[int(index_text)]
                item = str(getattr(entry, "id", index_text))
                field = rest.lstrip(".")
            ann = scenario.annotations.get(path)
            rows.append(InputRow(
                section=section, path=path, item=item, field=field or section,
                value=exact(value),
                source=(ann.source or "") if ann is not None else "",
                note=(ann.note or "") if ann is not None else "",
            ))
    return rows


def item_notes(scenario: Scenario) -> list[tuple[str, str, str, str]]:
    """(section, id, label, note) of every list item that has a label or note."""
    out: list[tuple[str, str, str, str]] = []
    for section, _ in SECTIONS:
        items = getattr(scenario, section)
        if not isinstance(items, list):
            note = getattr(items, "note", None)
            if note:
                out.append((section, "", "", str(note)))
            continue
        for entry in items:
            label = str(getattr(entry, "label", "") or "")
            note = str(getattr(entry, "note", "") or "")
            if label or note:
                out.append((section, str(getattr(entry, "id", "")), label, note))
    return out


__all__ = ["SECTIONS", "InputRow", "input_rows", "item_notes"]
