"""atheris harness: the scenario loader on coverage-guided inputs.

Run: ``python fuzz/fuzz_scenario.py -atheris_runs=100000 fuzz/corpus/scenario``
(seed corpus: the built-in scenarios, copied by ``fuzz/nightly.py``).  Anything but
a Scenario or an InputError naming the file is a crash.
Reference: https://github.com/google/atheris
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from callbluff.errors import InputError
    from callbluff.scenario.loader import load_scenario_bytes


def test_one_input(data: bytes) -> None:
    try:
        load_scenario_bytes(data, "fuzz.yaml")
    except InputError as err:
        if not str(err).startswith("fuzz.yaml"):
            raise AssertionError(f"error does not name the file: {err}") from None


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
