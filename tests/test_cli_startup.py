"""Start-up stays light: the command line loads the solver, pandas, Plotly, Dask and
Arrow only inside the command that needs them (issue 17: `callbluff --help` took 2.3 s,
2.0 s of it importing those before anything was asked).

Each check runs a fresh interpreter (a subprocess), because this test process has
long since imported everything; the evidence is that interpreter's ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
#: Libraries the command line must not load before a command asks for them.
HEAVY = ("pandas", "plotly", "dask", "pyarrow", "scipy", "SALib", "matplotlib", "pygambit",
         "fastapi")


def _loaded_after(code: str) -> list[str]:
    """Top-level packages of HEAVY (and the solver) in sys.modules after ``code``."""
    probe = (code + "\nimport json, sys\n"
             f"heavy = {HEAVY!r}\n"
             "found = sorted({m.split('.')[0] for m in sys.modules} & set(heavy))\n"
             "found += sorted(m for m in sys.modules if m.startswith('callbluff.solve'))\n"
             "sys.__stdout__.write('\\n' + json.dumps(found))\n")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert _loaded_after("import callbluff.cli") == []


@pytest.mark.parametrize("args", [["--help"], ["analyze", "--help"], ["map", "--help"],
                                  ["sensitivity", "--help"], ["runs", "--help"]])
def test_help_builds_every_command_without_heavy_libraries(args: list[str]) -> None:
    # Typer resolves every command's parameters when it builds the group, so this
    # also checks that no option's type needs a heavy module.
    code = ("import sys\nimport callbluff.cli as c\n"
            f"sys.argv = ['callbluff', *{args!r}]\n"
            "try:\n    c.app(standalone_mode=False)\nexcept SystemExit:\n    pass\n")
    assert _loaded_after(code) == []


def test_importing_the_package_is_lazy() -> None:
    assert _loaded_after("import callbluff") == []
