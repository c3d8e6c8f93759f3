"""docs/errors.md cannot go stale: every CLI example in it is run for real.

The doc marks each example with ``<!-- error-example: NAME -->`` followed by a
``console`` block: the command line (``$ callbluff ...``), the expected output
(whitespace-insensitive; ``…`` stands for an elided part) and ``[exit N]``.  The bad
input a NAME stands for (``bad.yaml``, ``bad.efg``, ...) is built below from the
tiny scenario of ``conftest_web``, as the doc describes it in words.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import callbluff.cli  # noqa: F401  (registers every command)
from callbluff.cli.app import app
from conftest_web import TINY_YAML

DOC = Path(__file__).resolve().parent.parent / "docs" / "errors.md"
EXAMPLE = re.compile(
    r"<!-- error-example: (?P<name>[a-z0-9-]+) -->\s*```console\n"
    r"\$ callbluff (?P<argv>[^\n]+)\n(?P<expected>.*?)\n\[exit (?P<code>\d+)\]\n```",
    re.S)


def _swap(old: str, new: str) -> Callable[[Path], None]:
    def write(where: Path) -> None:
        assert old in TINY_YAML, old
        (where / "bad.yaml").write_text(TINY_YAML.replace(old, new, 1), encoding="utf-8")
    return write


def _text(name: str, text: str) -> Callable[[Path], None]:
    def write(where: Path) -> None:
        (where / name).write_text(text, encoding="utf-8")
    return write


def _bytes(name: str, data: bytes) -> Callable[[Path], None]:
    def write(where: Path) -> None:
        (where / name).write_bytes(data)
    return write


def _tiny(where: Path) -> None:
    (where / "tiny.yaml").write_text(TINY_YAML, encoding="utf-8")


EFG_HEAD = 'EFG 2 R "g" { "A" "B" } ""\n'
TYPE_LINE = "    prior: 0.5\n    weights: {security: 0.5, prestige: 1}"

#: NAME -> what to write into the working directory before running the example.
INPUTS: dict[str, Callable[[Path], None]] = {
    "yaml-syntax": _swap('title: "Tiny test bargain"', 'title: "Tiny test bargain'),
    "not-utf8": _bytes("bad.yaml", TINY_YAML.replace("Tiny", "T\xefny").encode("latin-1")),
    "empty": _text("bad.yaml", "# nothing here\n"),
    "not-mapping": _text("bad.yaml", "- just\n- a list\n"),
    "unknown-key": _swap("denuclearisation_value: 100", "denuclearisation_value: 100\ncolour: red"),
    "missing-key": _swap("denuclearisation_value: 100\n", ""),
    "wrong-type": _swap(TYPE_LINE, TYPE_LINE.replace("0.5\n", "lots\n")),
    "out-of-range": _swap("detection: 0.9", "detection: 1.5"),
    "negative": _swap("arsenal_harm: 30", "arsenal_harm: -30"),
    "not-finite": _swap(TYPE_LINE, TYPE_LINE.replace("0.5\n", ".nan\n")),
    "huge": _swap("denuclearisation_value: 100", "denuclearisation_value: 1e50"),
    "priors-sum": _swap(TYPE_LINE, TYPE_LINE.replace("0.5\n", "0.6\n")),
    "duplicate-id": _swap("  - id: greedy", "  - id: secure"),
    "duplicate-key": _swap("arsenal_harm: 30", "arsenal_harm: 30\n    arsenal_harm: 31"),
    "unknown-reference": _swap("regime: strict,", "regime: lax,"),
    "bad-id": _swap("  - id: greedy", "  - id: Greedy Type"),
    "anchor": _swap("cheating: {covert_fraction: 0.5, penalty: 20}",
                    "cheating: &c {covert_fraction: 0.5, penalty: 20}"),
    "alias-bomb": _text("bad.yaml", "a: &a [x, x, x, x, x, x, x, x, x]\n"
                        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"),
    "tag": _swap('title: "Tiny test bargain"',
                 "title: !!python/object/apply:os.system [\"echo pwned\"]"),
    "deep": _text("bad.yaml", "a: " + "[" * 10_000 + "]" * 10_000 + "\n"),
    "two-documents": _text("bad.yaml", TINY_YAML + "---\n" + TINY_YAML),
    "too-large": _text("bad.yaml", TINY_YAML + "#" * 2_000_000 + "\n"),
    "no-file": lambda where: None,
    "efg-syntax": _text("bad.efg", EFG_HEAD + 'p "" 1 1 "h { "a" } 0\nt "" 0\n'),
    "efg-bad-number": _text("bad.efg", EFG_HEAD + 't "" 1 "o" { 1 2..5 }\n'),
    "efg-payoffs": _text("bad.efg", EFG_HEAD + 'p "" 1 1 "" { "a" } 0\nt "" 1 "o" { 1 }\n'),
    "efg-chance": _text("bad.efg", EFG_HEAD + 'c "" 1 "" { "x" 1/2 "y" 0.3 } 0\n'
                        't "" 0\nt "" 0\n'),
    "efg-truncated": _text("bad.efg", EFG_HEAD + 'p "" 1 1 "" { "a" "b" } 0\nt "" 0\n'),
    "efg-players": _text("bad.efg", 'EFG 2 R "g" { '
                         + " ".join(f'"P{i}"' for i in range(1001)) + ' } ""\n'),
    "efg-cannot-solve": _text("bad.efg", EFG_HEAD.replace('"g"', '"forgetful"')
                              + 'p "" 1 1 "h1" { "L" "R" } 0\n'
                              'p "" 1 2 "h2" { "l" "r" } 0\n'
                              't "" 1 "o1" { 1 0 }\nt "" 2 "o2" { 0 1 }\n'
                              'p "" 1 2 "h2" { "l" "r" } 0\n'
                              't "" 3 "o3" { 2 0 }\nt "" 4 "o4" { 0 2 }\n'),
    "bad-option": lambda where: None,
    "threshold-without-search": _tiny,
    "time-limit": _text("slow.yaml", "numbers: [" + ", ".join(["1"] * 90_000) + "]\n"),
    "bad-threshold": _tiny,
    "unknown-offer": _tiny,
    "sweep-no-uncertainty": _tiny,
    "map-output": _tiny,
    "map-path": _tiny,
    "report-unwritable": _tiny,
}


def examples() -> list[tuple[str, str, str, int]]:
    text = DOC.read_text(encoding="utf-8")
    found = [(m["name"], m["argv"], m["expected"], int(m["code"])) for m in EXAMPLE.finditer(text)]
    return found


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_doc_examples_are_all_parsed() -> None:
    found = examples()
    names = [name for name, *_ in found]
    assert len(names) == len(set(names)), "an example name is used twice"
    # every marker in the doc was parsed (a malformed block would be skipped silently)
    assert DOC.read_text(encoding="utf-8").count("<!-- error-example:") == len(found)
    assert set(names) == set(INPUTS), set(names) ^ set(INPUTS)


@pytest.mark.parametrize(("name", "argv", "expected", "code"), examples(),
                         ids=[name for name, *_ in examples()])
def test_documented_error_is_what_the_cli_says(
        name: str, argv: str, expected: str, code: int, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CALLBLUFF_STORE", str(tmp_path / "runs.sqlite3"))
    INPUTS[name](tmp_path)
    result = CliRunner().invoke(app, shlex.split(argv))
    output = _flat(result.output)
    assert result.exit_code == code, result.output
    # no traceback, whatever the input
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    for line in expected.splitlines():
        for part in line.split("…"):
            assert _flat(part) in output, (part, result.output)
