"""Every example in every command's ``--help`` runs as written and succeeds (issue 17:
the map's own example failed).  The examples are read from the commands' help, so a
new or changed example is tested without touching this file.

Files an example names as input are made first: ``beer_quiche.efg`` is the textbook
game written by the exporter, ``my-case.yaml`` and ``other-case.yaml`` are built-in
scenarios as ``callbluff scenario show`` prints them, and the run store holds twelve
runs (the ``runs`` examples name runs 3, 7 and 12).  ``> FILE`` is done as a shell
would.  ``serve`` runs in its own process until the page answers on loopback.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from callbluff.cli import app
from callbluff.game.catalog import beer_quiche
from callbluff.game.efg import write_efg
from callbluff.scenario.loader import dump_scenario, load_scenario
from callbluff.store import RunStore

SRC = Path(__file__).resolve().parents[1] / "src"
#: Examples that run for more than a few seconds (they solve the default scenario
#: many times over).
SLOW = ("sweep", "sensitivity", "analyze", "report")


def _examples() -> list[list[str]]:
    """The argument lists of every ``callbluff ...`` example line in any help."""
    found: list[list[str]] = []

    def walk(command: Any) -> None:  # Typer's own (vendored) click command
        text = command.help or ""
        inside = False
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith("Example"):
                inside = True
                stripped = stripped.split(":", 1)[1].strip()
            if inside and stripped.startswith("callbluff "):
                # "(then open ...)" after the command is a remark, not arguments
                words = shlex.split(re.sub(r"\s+\(.*\)$", "", stripped))
                found.append(words[1:])
        if hasattr(command, "commands"):  # a group
            for sub in command.commands.values():
                walk(sub)

    walk(typer.main.get_command(app))
    return found


EXAMPLES = _examples()


def test_examples_were_found() -> None:
    # Every command but the `runs` and `scenario` groups has at least one example.
    commands = {words[0] for words in EXAMPLES}
    assert {"analyze", "cases", "export", "report", "scenarios", "validate", "serve", "solve",
            "sweep", "sensitivity", "map", "scenario"} <= commands


def _prepare(cwd: Path) -> None:
    (cwd / "beer_quiche.efg").write_text(write_efg(beer_quiche()), encoding="utf-8")
    for name, builtin in (("my-case.yaml", "north-korea-2009"),
                          ("other-case.yaml", "libya-2003")):
        (cwd / name).write_text(dump_scenario(load_scenario(builtin)), encoding="utf-8")
    text = dump_scenario(load_scenario("libya-2003"))
    with RunStore(cwd / "runs.sqlite3") as runs:
        for i in range(12):
            runs.record("sweep" if i % 2 else "analyze", "libya-2003", text,
                        {"round": i}, {"verdict": f"answer {i}"}, seed=i)


@pytest.mark.parametrize("words", [
    pytest.param(w, id=" ".join(w), marks=[pytest.mark.slow] if w[0] in SLOW else [])
    for w in EXAMPLES if w[0] != "serve"])
def test_example_runs(words: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CALLBLUFF_STORE", str(tmp_path / "runs.sqlite3"))
    _prepare(tmp_path)
    redirect = None
    if ">" in words:
        words, redirect = words[:words.index(">")], words[words.index(">") + 1]
    result = CliRunner().invoke(app, words)
    assert result.exit_code == 0, result.output
    if redirect is not None:
        (tmp_path / redirect).write_text(result.stdout, encoding="utf-8")
    for i, word in enumerate(words[:-1]):  # every file the example names as output exists
        if word in ("-o", "--output"):
            assert (tmp_path / words[i + 1]).stat().st_size > 0


@pytest.mark.parametrize("words", [w for w in EXAMPLES if w[0] == "serve"],
                         ids=lambda w: " ".join(w))
def test_serve_example_answers(words: list[str], tmp_path: Path) -> None:
    port = words[words.index("--port") + 1]
    env = {**os.environ, "PYTHONPATH": str(SRC), "CALLBLUFF_STORE": str(tmp_path / "r.db")}
    server = subprocess.Popen(
        [sys.executable, "-c", "from callbluff.cli import main; main()", *words],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                    assert page.status == 200
                    assert b"<html" in page.read().lower()
                break
            except OSError:
                assert server.poll() is None, server.communicate()[0].decode()
                assert time.monotonic() < deadline, "the server did not answer in 60 s"
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
