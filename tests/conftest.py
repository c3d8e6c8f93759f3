"""Shared test set-up: runs recorded by commands under test go to a throw-away store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from callbluff.store import STORE_ENV


@pytest.fixture(autouse=True)
def _private_run_store(tmp_path_factory: pytest.TempPathFactory,
                       monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("store") / "runs.sqlite3"
    monkeypatch.setenv(STORE_ENV, str(path))
    yield path
