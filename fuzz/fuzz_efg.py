"""atheris harness: the Gambit ``.efg`` reader on coverage-guided inputs.

Run: ``python fuzz/fuzz_efg.py -atheris_runs=100000 fuzz/corpus/efg`` (seed
corpus: ``tests/data/gambit`` and exported built-in offers, copied by
``fuzz/nightly.py``).  A game must write and read back equal; any exception but
an InputError with file and line is a crash.
Reference: https://github.com/google/atheris
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from callbluff.errors import InputError
    from callbluff.game.efg import read_efg, write_efg


def test_one_input(data: bytes) -> None:
    text = data.decode("latin-1")  # as read_efg_file does for non-UTF-8 files
    try:
        game = read_efg(text, "fuzz.efg")
    except InputError as err:
        if not str(err).startswith("fuzz.efg:") or err.line is None:
            raise AssertionError(f"error not located: {err}") from None
        return
    # The writer makes repeated node labels unique, so the first round trip may
    # rename; after it, writing and reading must be exact.
    again = read_efg(write_efg(game), "again.efg")
    if [n.payoffs for n in again.nodes] != [n.payoffs for n in game.nodes]:
        raise AssertionError("write_efg then read_efg changed the payoffs")
    if read_efg(write_efg(again), "again.efg") != again:
        raise AssertionError("write_efg then read_efg changed the game")


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
