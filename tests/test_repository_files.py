"""What a scholar looks for in the repository agrees with the package: the licence
file is the licence pyproject.toml declares, and CITATION.cff cites this version."""

from __future__ import annotations

import tomllib
from pathlib import Path

from ruamel.yaml import YAML

import callbluff

ROOT = Path(__file__).resolve().parent.parent


def test_license_citation_and_changelog_agree_with_the_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == {"text": "MIT"}
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in licence
    citation = YAML(typ="safe").load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == project["version"] == callbluff.__version__
    assert citation["license"] == "MIT"
    assert citation["title"].startswith(project["name"])
    assert all(set(author) & {"name", "family-names"} for author in citation["authors"])
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{callbluff.__version__}]" in changelog
