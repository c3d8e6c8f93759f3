"""Every source a reader is pointed to can be checked inside the repository.

* No text file of the repository cites a document that is not in it: the working notes
  the project was written from (``CALIBRATION.md``, ``DESIGN.md``, ``STYLE.md``) or a
  path of the machine it was written on (``/work/...``, ``shared/...``).
* Every ``source`` of a built-in scenario, at any depth (numbers, ``uncertainty``,
  ``prior_distribution``), is either ``judgement`` (the reasoning is in the note) or cites
  at least one key of ``docs/sources.md`` in square brackets; so does every entry of a
  case's ``history.sources``.  Every key cited there exists.
* ``docs/sources.md`` defines each key once, and every citation-shaped key (a word with a
  year, ``[hecker2009]``) anywhere in the repository's text is defined there.

Each check is first run on a planted bad example, so that it is known to fail.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from callbluff.scenario.builtin import builtin_path, list_builtin

ROOT = Path(__file__).resolve().parents[1]
SOURCES_MD = ROOT / "docs" / "sources.md"
THIS_FILE = Path(__file__).resolve()

#: Documents outside the repository, by the ways they have been cited.
OUTSIDE = re.compile(r"\b(?:CALIBRATION|DESIGN|STYLE)\.md|/work/|\bshared/")
#: A bibliography entry: a list item that starts with its key in bold brackets.
ENTRY = re.compile(r"^- \*\*\[([a-z0-9][a-z0-9-]*)\]\*\*", re.MULTILINE)
#: Any key cited in square brackets.
CITED = re.compile(r"\[([a-z0-9][a-z0-9-]*)\]")
#: A citation-shaped key: letters, then a four-digit year (``[kcna2009-sixparty]``).
YEAR_KEY = re.compile(r"\[([a-z][a-z-]*(?:19|20)\d\d(?:-[a-z0-9-]+)?)\](?!\()")
JUDGEMENT = "judgement"
#: Folders and top-level files scanned when the tree is not a git checkout.
SCANNED = ("src", "docs", "tests", "benchmarks", "fuzz", "README.md", "pyproject.toml")


def repository_text_files() -> list[Path]:
    """Tracked files (``git ls-files``), or the project's folders outside a checkout."""
    if (ROOT / ".git").exists():
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                                capture_output=True).stdout.decode().split("\0")
        candidates = [ROOT / name for name in listed if name]
    else:
        candidates = []
        for name in SCANNED:
            path = ROOT / name
            candidates.extend(sorted(path.rglob("*")) if path.is_dir() else [path])
    return [p for p in candidates if p.is_file() and _is_text(p)]


def _is_text(path: Path) -> bool:
    data = path.read_bytes()
    if b"\0" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def outside_citations(text: str) -> list[tuple[int, str]]:
    """(line, line text) of every citation of a document outside the repository."""
    return [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1)
            if OUTSIDE.search(line)]


def bibliography_keys(text: str) -> list[str]:
    return ENTRY.findall(text)


def sources_of(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of every ``source`` field and every ``sources`` list item, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{where}.{key}" if where else str(key)
            if key == "source":
                yield path, value
            elif key == "sources" and isinstance(value, list):
                for i, item in enumerate(value):
                    yield f"{path}[{i}]", item
            else:
                yield from sources_of(value, path)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from sources_of(item, f"{where}[{i}]")


def citation_problems(path: str, source: Any, known: set[str]) -> list[str]:
    """What is wrong with one ``source``: not text, no key, or an unknown key."""
    if not isinstance(source, str):
        return [f"{path}: not text: {source!r}"]
    if source == JUDGEMENT:
        return []
    cited = CITED.findall(source)
    if not cited:
        return [f"{path}: neither 'judgement' nor a [key] of docs/sources.md: {source!r}"]
    return [f"{path}: [{key}] is not in docs/sources.md" for key in cited if key not in known]


@pytest.fixture(scope="module")
def known_keys() -> set[str]:
    return set(bibliography_keys(SOURCES_MD.read_text(encoding="utf-8")))


# -- the checks can fail ------------------------------------------------------------

def test_outside_citations_are_found() -> None:
    planted = (
        "source: \"Hecker 2009 (CALIBRATION.md)\"\n"
        "Layers (DESIGN.md)\n"
        "a line of `/work/shared/CALIBRATION.md`\n"
        "see STYLE.md\n"
        "copied from shared/notes.txt\n"
        "fine: docs/design.md, docs/sources.md, [hecker2009], /usr/share/doc\n"
    )
    assert [n for n, _ in outside_citations(planted)] == [1, 2, 3, 4, 5]


def test_bad_sources_are_found() -> None:
    known = {"hecker2009", "carpenter2009"}
    good = ["judgement", "[hecker2009] ~6 kg a year",
            "judgement; [carpenter2009] and [hecker2009]"]
    bad = ["judgement (principle of insufficient reason)", "Hecker 2009", "[hecker2008] ~6 kg",
           "[hecker2009] and [nobody2001]", "", 7]
    assert [citation_problems("s", s, known) for s in good] == [[], [], []]
    assert all(len(citation_problems("s", s, known)) == 1 for s in bad)


def test_sources_are_found_at_any_depth() -> None:
    planted = {"a": {"value": 1, "source": "x"},
               "uncertainty": [{"path": "a", "source": "y"}],
               "prior_distribution": {"kind": "dirichlet", "source": "z"},
               "history": {"sources": ["u", "v"]}}
    assert [s for _, s in sources_of(planted)] == ["x", "y", "z", "u", "v"]


# -- the repository -----------------------------------------------------------------

def test_the_bibliography_defines_each_key_once(known_keys: set[str]) -> None:
    keys = bibliography_keys(SOURCES_MD.read_text(encoding="utf-8"))
    assert len(keys) >= 40
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


def test_no_file_cites_a_document_outside_the_repository() -> None:
    files = repository_text_files()
    assert SOURCES_MD in files and builtin_path("north-korea-2009") in files
    found = [f"{p.relative_to(ROOT)}:{n}: {line}"
             for p in files if p != THIS_FILE
             for n, line in outside_citations(p.read_text(encoding="utf-8"))]
    assert found == []


@pytest.mark.parametrize("name", list_builtin())
def test_every_source_of_a_builtin_cites_the_bibliography(name: str,
                                                          known_keys: set[str]) -> None:
    raw = YAML(typ="safe", pure=True).load(builtin_path(name).read_text(encoding="utf-8"))
    found = list(sources_of(raw))
    assert len(found) >= 50
    problems = [p for path, source in found for p in citation_problems(path, source, known_keys)]
    assert problems == []


def test_every_year_shaped_key_in_the_repository_is_defined(known_keys: set[str]) -> None:
    undefined = sorted({f"{p.relative_to(ROOT)}: [{key}]"
                        for p in repository_text_files() if p != THIS_FILE
                        for key in YEAR_KEY.findall(p.read_text(encoding="utf-8"))
                        if key not in known_keys})
    assert undefined == []
