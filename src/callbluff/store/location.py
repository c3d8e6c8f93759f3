"""Where the run store lives when no path is given."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

#: Environment variable that overrides the default store path.
STORE_ENV = "CALLBLUFF_STORE"
#: File name of the store inside the user's data directory.
STORE_FILE = "runs.sqlite3"


def default_store_path() -> Path:
    """``$CALLBLUFF_STORE`` if set and not empty, else ``<user data dir>/callbluff/runs.sqlite3``.

    The user data directory is the platform's (``platformdirs.user_data_dir``):
    ``~/.local/share/callbluff`` on Linux, ``~/Library/Application Support/callbluff``
    on macOS, ``%LOCALAPPDATA%\\callbluff`` on Windows.
    """
    override = os.environ.get(STORE_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("callbluff", appauthor=False)) / STORE_FILE
