"""The server's run store: every analysis, solve, sweep and report it answers is saved
(with ``callbluff serve --store PATH``), and ``/api/runs`` reads the saved runs.

With ``read_only`` (``--read-only-store``) the store is opened for reading only
(SQLite ``mode=ro``): analyses still run but nothing is saved, so the runs one can
read are those that were in the store when the server started (a teacher's prepared
runs), never another user's.

One thread owns the store's one SQLite connection (:class:`~callbluff.store.RunStore`
is one connection per thread), so writes are serialised in the order answers come
back, and no event-loop time is spent in SQLite.  A failure of the store (a damaged
or locked file) is the server's failure, not the request's: it is raised as
:class:`StoreFailure` (the API's 500 with an error id), except an unknown run id
(:class:`~callbluff.store.sqlite.NoSuchRun`, the API's 404).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from callbluff.errors import InputError
from callbluff.store import RunKind, RunRecord, RunStore, RunSummary
from callbluff.store.sqlite import NoSuchRun
from callbluff.web.jobs import RunToSave

T = TypeVar("T")


class StoreFailure(RuntimeError):
    """The run store could not do what the server asked of it."""


class RunLog:
    """The run store at ``path``, used from one thread; see the module docstring."""

    def __init__(self, path: Path, read_only: bool) -> None:
        self.path = path
        self.read_only = read_only
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="callbluff-store")
        self._store: RunStore | None = None
        # Opened now, so that a bad path stops the server before it serves anything
        # (an InputError naming the file, as in the CLI).
        self._thread.submit(self._open).result()

    def _open(self) -> None:
        self._store = RunStore(self.path, read_only=self.read_only)

    def _with_store(self, action: Callable[[RunStore], T]) -> T:
        assert self._store is not None
        return action(self._store)

    async def _call(self, action: Callable[[RunStore], T]) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._thread, self._with_store, action)
        except NoSuchRun:
            raise
        except InputError as err:  # the store's own words: damaged, locked, unwritable
            raise StoreFailure(str(err)) from err

    async def record(self, run: RunToSave) -> int | None:
        """Save ``run``; its id (``None`` when the store is read-only)."""
        if self.read_only:
            return None
        saved = await self._call(lambda store: store.record(
            run.kind, run.scenario_id, run.scenario_text, run.params, run.result))
        return saved.id

    async def list(self, limit: int, kind: RunKind | None,
                   scenario_id: str | None) -> list[RunSummary]:
        return await self._call(lambda store: store.list(limit=limit, kind=kind,
                                                         scenario_id=scenario_id))

    async def get(self, run_id: int) -> RunRecord:
        return await self._call(lambda store: store.get(run_id))

    def close(self) -> None:
        def close_store() -> None:
            if self._store is not None:
                self._store.close()

        self._thread.submit(close_store).result()
        self._thread.shutdown(wait=True)


__all__ = ["RunLog", "StoreFailure"]
