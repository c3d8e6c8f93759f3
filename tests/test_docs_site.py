"""The docs site (mkdocs.yml over docs/, the API reference from the docstrings by
mkdocstrings) builds with ``mkdocs build --strict``: a broken link, a page missing
from the files or a docstring mkdocstrings cannot read fails the build."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("mkdocs")
pytest.importorskip("mkdocstrings_handlers.python")


def _text(page: Path) -> str:
    """A built page's visible text without spaces (tags dropped, entities decoded;
    highlighted code is split into tokens)."""
    raw = page.read_text(encoding="utf-8")
    raw = re.sub(r"<script.*?</script>", " ", raw, flags=re.S)
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", " ", raw)))


@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert (site / f"{page.stem}.html").exists(), page.name
    api = _text(site / "api.html")
    # The reference is read from the docstrings: signatures, sections and examples.
    for expected in ("with_value", "compile_offer", "Parameters", "Examples",
                     'nk=cb.load("north-korea-2009")', "ScenarioAnalysis", "to_frame"):
        assert expected in api, expected
    tutorial = _text(site / "tutorial.html")
    assert 'nk=cb.load("north-korea-2009")' in tutorial
