"""Tables that fit the terminal without breaking an id in the middle.

Rich squeezes columns to fit the console and then folds cells inside words
("proliferation-r / evenue") or leaves a column blank.  Here each column says how
narrow it may get (``min_width``: the longest word it holds, so that ids stay
whole) and whether it may be left out; the optional columns are dropped, last
first, until the rest fits, and the table says which ones ``--wide`` would add.
With ``--wide`` every column is kept and the table is drawn as wide as it needs
(the terminal wraps the lines).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.console import Console, JustifyMethod
from rich.table import Table
from rich.text import Text

#: Border and padding per column (" │ ") and at the edges.
_PER_COLUMN = 3
_EDGES = 1


@dataclass(frozen=True)
class Column:
    """A column: ``min_width`` the narrowest it may be drawn (0: its longest word),
    ``optional`` whether it may be left out to fit, ``justify`` as in rich."""

    header: str
    cells: Sequence[str]
    optional: bool = False
    min_width: int = 0
    justify: JustifyMethod = "left"
    wraps: bool = field(default=True)

    def narrowest(self) -> int:
        """Narrowest width that keeps every word (and the header's words) whole."""
        words = [w for text in (self.header, *self.cells) for w in str(text).split()]
        longest = max((len(w) for w in words), default=1)
        if not self.wraps:
            longest = max((len(str(t)) for t in (self.header, *self.cells)), default=1)
        return max(self.min_width, longest)


def fitted_table(title: str, columns: Sequence[Column], width: int,
                 wide: bool) -> tuple[Table, list[str], int | None]:
    """The table, the optional columns left out, and the width to draw it at
    (``None``: the console's)."""
    kept = list(columns)
    left_out: list[str] = []

    def needed(cols: Sequence[Column]) -> int:
        return sum(c.narrowest() for c in cols) + _PER_COLUMN * len(cols) + _EDGES

    if not wide:
        for c in reversed(columns):
            if needed(kept) <= width:
                break
            if c.optional:
                kept.remove(c)
                left_out.insert(0, c.header)
    table = Table(title=title, title_justify="left")
    for c in kept:
        table.add_column(c.header, min_width=c.narrowest(), no_wrap=not c.wraps,
                         overflow="fold", justify=c.justify)
    rows = len(columns[0].cells) if columns else 0
    for i in range(rows):
        table.add_row(*(Text(str(c.cells[i])) for c in kept))
    draw_at = max(width, needed(kept)) if wide else None
    return table, left_out, draw_at


def print_fitted(console: Console, title: str, columns: Sequence[Column], wide: bool) -> None:
    """Print :func:`fitted_table` and, if columns were left out, which ones."""
    table, left_out, draw_at = fitted_table(title, columns, console.width, wide)
    if draw_at is not None and draw_at > console.width:
        # rich never draws wider than its console: a wider one, on the same output
        Console(file=console.file, width=draw_at, markup=False, highlight=False,
                no_color=console.no_color).print(table, crop=False)
    else:
        console.print(table)
    if left_out:
        console.print(f"({', '.join(left_out)}: not shown at this width; --wide shows them)")


__all__ = ["Column", "fitted_table", "print_fitted"]
