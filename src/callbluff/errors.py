"""The error every face reports the same way: where the bad input is, and why.

Layer-neutral so that the scenario loader, the `.efg` reader and the web API can
all raise it; the CLI prints it and exits with status 2, the API answers 422.
"""

from __future__ import annotations


class InputError(Exception):
    """Bad input, located as precisely as we know.

    A plain exception class (not a frozen dataclass): Python sets ``__traceback__``
    and ``__context__`` on exceptions as they propagate.
    """

    def __init__(
        self,
        message: str,
        file: str | None = None,
        line: int | None = None,  # 1-based
        column: int | None = None,  # 1-based
        field: str | None = None,  # dotted path, e.g. "types[2].prior"
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.field = field

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InputError) and (
            (self.message, self.file, self.line, self.column, self.field)
            == (other.message, other.file, other.line, other.column, other.field))

    def __hash__(self) -> int:
        return hash((self.message, self.file, self.line, self.column, self.field))
