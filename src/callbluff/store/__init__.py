"""Saved runs: what was run, on which scenario, with which version and seed, and what came out.

``RunStore()`` opens the default store (``$CALLBLUFF_STORE``, else the user data
directory); ``RunStore(path)`` the one at ``path``.

See docs/store.md.
"""

from callbluff.store.jsondiff import json_diff
from callbluff.store.location import STORE_ENV, default_store_path
from callbluff.store.model import RUN_KINDS, JsonChange, RunDiff, RunKind, RunRecord, RunSummary
from callbluff.store.sqlite import (
    SCHEMA_VERSION,
    RunStore,
    canonical_scenario_text,
    scenario_sha256,
)

__all__ = [
    "RUN_KINDS",
    "SCHEMA_VERSION",
    "STORE_ENV",
    "JsonChange",
    "RunDiff",
    "RunKind",
    "RunRecord",
    "RunStore",
    "RunSummary",
    "canonical_scenario_text",
    "default_store_path",
    "json_diff",
    "scenario_sha256",
]
