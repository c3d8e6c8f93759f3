"""The built wheel, not the editable install, is what users get: build it
(``python -m build``), install it into a fresh virtual environment and run
``callbluff analyze``, ``callbluff report`` and ``callbluff serve`` (one request) from
there.  A file missing from the wheel (a built-in scenario, the report's template,
the page's static files, the offline Swagger UI) fails here even when the checkout
has it.

To stay quick the new environment does not download the dependencies again: the
wheel is installed with ``--no-deps`` and a ``.pth`` file makes this environment's
site-packages visible behind it.  Site-packages named in a ``.pth`` are only appended
to ``sys.path`` (their own ``.pth`` files, such as the editable install's finder, are
not run), and the test checks that ``callbluff`` is imported from the new
environment before it runs anything.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import httpx
import pytest

from callbluff.scenario.builtin import list_builtin
from conftest_web import running_server

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("build")


def _run(argv: list[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True,
                          timeout=600, **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{argv}:\n{done.stdout}\n{done.stderr}"
    return done  # type: ignore[no-any-return]


def _build_wheel(tmp: Path) -> Path:
    """The wheel of a copy of the sources (a build writes build/ and *.egg-info)."""
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    # No isolation: the build requirements (setuptools, wheel) come with the test extra.
    _run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
          tmp / "dist", source])
    wheels = list((tmp / "dist").glob("callbluff-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.mark.slow
def test_wheel_installs_and_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A source tree on PYTHONPATH (a worktree's src, with the egg-info an editable
    # install leaves there) must not leak in: pip would see callbluff as installed.
    monkeypatch.delenv("PYTHONPATH", raising=False)
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    for scenario in list_builtin():
        assert f"callbluff/scenario/builtin/{scenario}.yaml" in names
    for packaged in ("callbluff/py.typed", "callbluff/report/templates/report.html.j2",
                     "callbluff/web/static/index.html"):
        assert packaged in names
    assert any(n.startswith("callbluff-0.1.0.dist-info/licenses/LICENSE") or
               n == "callbluff-0.1.0.dist-info/LICENSE" for n in names), sorted(names)[-8:]

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
          "--no-index", "--ignore-installed", wheel])
    purelib = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                         "['purelib'])"]).stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "_callbluff_test_dependencies.pth").write_text(
        "".join(f"{p}\n" for p in sorted(ours)), encoding="utf-8")
    where = _run([python, "-c", "import callbluff; print(callbluff.__file__)"]).stdout.strip()
    assert Path(where).is_relative_to(venv), where

    callbluff = venv / "bin" / "callbluff"
    analysis = _run([callbluff, "analyze", "north-korea-2009"], cwd=tmp_path).stdout
    assert "all-in" in analysis and "deciding numbers" in analysis.lower()

    report = tmp_path / "report.html"
    _run([callbluff, "report", "north-korea-2009", "--no-thresholds", "-o", report],
         cwd=tmp_path)
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "North Korea 2009" in page

    command = [str(callbluff), "serve", "--host", "127.0.0.1"]
    with running_server(command=command) as server:
        listed = httpx.get(server.url + "/api/scenarios", timeout=30).json()
        assert [s["name"] for s in listed["scenarios"]] == list_builtin()
        assert "Traceback" not in server.log()
