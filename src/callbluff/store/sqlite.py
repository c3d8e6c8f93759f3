"""The run store: saved runs in one SQLite file (stdlib ``sqlite3``).

Design (after the SQLite documentation, https://sqlite.org/wal.html and
https://sqlite.org/lang_transaction.html):

* WAL journal, ``synchronous=NORMAL``: readers never block the writer, and a
  process killed at any moment leaves the file consistent, with each run either
  there whole or absent (a commit is one append to the WAL).  Only a power cut can
  lose the last commits, never corrupt earlier ones.
* Every record is one ``BEGIN IMMEDIATE … COMMIT`` transaction: the write lock is
  taken up front, so concurrent writers wait on the busy timeout instead of failing
  with ``SQLITE_BUSY`` on lock upgrade; any busy error left is retried with
  jittered back-off.
* Each run row carries a sha256 checksum of its contents, checked on every read,
  so damage shows as a clear error rather than a wrong answer.
* Scenario texts are stored once per content hash (``scenarios`` table), since a
  sweep records many runs of one scenario.
* Opening never writes to a file that is not already a callbluff store (or empty):
  a foreign, corrupt or newer-schema file gives :class:`~callbluff.errors.InputError`
  and is left untouched.
"""

from __future__ import annotations

import builtins
import difflib
import hashlib
import json
import math
import random
import sqlite3
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar, cast

import callbluff
from callbluff.errors import InputError
from callbluff.store.jsondiff import json_diff, pointer_token
from callbluff.store.location import default_store_path
from callbluff.store.model import RUN_KINDS, RunDiff, RunKind, RunRecord, RunSummary

T = TypeVar("T")

#: Version of the tables below; a store with a larger one is refused.
SCHEMA_VERSION = 1
#: Marks a SQLite file as a callbluff run store (``meta.application``).
APPLICATION = "callbluff-runs"
_SQLITE_HEADER = b"SQLite format 3\x00"
_INT64 = 2**63

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS scenarios (
        sha256 TEXT PRIMARY KEY,
        text   TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS runs (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        kind            TEXT NOT NULL CHECK (kind IN ('analyze', 'sweep', 'report', 'solve')),
        scenario_id     TEXT NOT NULL,
        scenario_sha256 TEXT NOT NULL REFERENCES scenarios (sha256),
        version         TEXT NOT NULL,
        seed            INTEGER,
        params          TEXT NOT NULL,
        result          TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        checksum        TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS runs_by_kind ON runs (kind, id)",
    "CREATE INDEX IF NOT EXISTS runs_by_scenario ON runs (scenario_id, id)",
)
_RUN_COLUMNS = (
    "r.id, r.kind, r.scenario_id, r.scenario_sha256, r.version, r.seed, "
    "r.params, r.result, r.created_at, r.checksum, s.text"
)
_SUMMARY_COLUMNS = "id, kind, scenario_id, scenario_sha256, version, seed, created_at"


def canonical_scenario_text(text: str) -> str:
    """The text that is stored and hashed: ``\\n`` line ends and exactly one final newline.

    Callers should pass the scenario's own canonical dump, so that equal scenarios
    get equal hashes; this only removes the differences no reader cares about.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
    return lines + "\n" if lines else ""


def scenario_sha256(text: str) -> str:
    """sha256 (hex) of the canonical scenario text, UTF-8 encoded."""
    return hashlib.sha256(canonical_scenario_text(text).encode("utf-8")).hexdigest()


def _plain(value: Any, where: str) -> Any:
    """``value`` as plain JSON data (mappings to dicts, tuples to lists), or raise."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: {value!r} is not a finite number; JSON has no NaN or inf")
        return value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where}: key {key!r} is not a str; JSON keys are strings")
            out[key] = _plain(item, f"{where}/{pointer_token(key)}")
        return out
    if isinstance(value, list | tuple):
        return [_plain(item, f"{where}/{i}") for i, item in enumerate(value)]
    raise TypeError(
        f"{where}: a {type(value).__name__} is not JSON data "
        "(convert it first, e.g. a Fraction to the string '1/3')"
    )


def _json_text(value: Any, what: str) -> str:
    return json.dumps(
        _plain(value, what), ensure_ascii=False, allow_nan=False, separators=(",", ":")
    )


def _checksum(
    kind: str,
    scenario_id: str,
    sha: str,
    version: str,
    seed: int | None,
    params: str,
    result: str,
    created_at: str,
) -> str:
    payload = json.dumps(
        [kind, scenario_id, sha, version, seed, params, result, created_at],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return (code & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class NoSuchRun(InputError):
    """:meth:`RunStore.get` of an id the store does not hold (not a damaged run)."""


class RunStore:
    """Saved runs in a SQLite file.

    ``RunStore()`` opens the default store (:func:`default_store_path`, which honours
    ``$CALLBLUFF_STORE``); ``RunStore(path)`` opens or creates the one at ``path``.
    With ``create=False`` a missing store is an :class:`InputError` instead;
    ``read_only=True`` (which implies it) opens the file for reading only (SQLite's
    ``mode=ro``: any write fails, and the file is never changed).  Use it
    as a context manager, or call :meth:`close`.  One instance per thread (it holds
    one ``sqlite3`` connection); any number of processes may share the file.
    Examples: docs/store.md.
    """

    def __init__(
        self,
        path: str | PathLike[str] | None = None,
        *,
        create: bool = True,
        busy_timeout: float = 30.0,
        read_only: bool = False,
    ) -> None:
        self.path = Path(path).expanduser() if path is not None else default_store_path()
        self._busy_timeout = busy_timeout
        self.read_only = read_only
        create = create and not read_only
        self._check_file(create)
        mode = "ro" if read_only else "rwc" if create else "rw"
        uri = self.path.resolve().as_uri() + f"?mode={mode}"
        try:
            self._conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise InputError(f"cannot open the run store: {exc}", file=str(self.path)) from exc
        try:
            self._guarded("open", self._prepare)
        except BaseException:
            self._conn.close()
            raise

    # -- opening -------------------------------------------------------------------

    def _check_file(self, create: bool) -> None:
        where = str(self.path)
        if self.path.is_dir():
            raise InputError("is a directory, not a run store file", file=where)
        if self.path.exists():
            try:
                with self.path.open("rb") as fh:
                    head = fh.read(len(_SQLITE_HEADER))
            except OSError as exc:
                raise InputError(f"cannot read the run store: {exc.strerror}", file=where) from exc
            if head and head != _SQLITE_HEADER:
                raise InputError(
                    "not a run store: the file is not a SQLite database (left unchanged)",
                    file=where,
                )
        elif not create:
            raise InputError("no run store here (nothing has been recorded yet)", file=where)
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(
                    f"cannot create the run store's folder: {exc.strerror}", file=where
                ) from exc

    def _tables(self) -> set[str]:
        rows = self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(name) for (name,) in rows}

    def _check_schema(self, tables: set[str]) -> None:
        where = str(self.path)
        foreign = InputError(
            "not a callbluff run store: a SQLite database with other tables "
            f"({', '.join(sorted(tables)) or 'none'}); left unchanged",
            file=where,
        )
        if "meta" not in tables:
            raise foreign
        meta = {str(k): str(v) for k, v in self._conn.execute("SELECT key, value FROM meta")}
        if meta.get("application") != APPLICATION:
            raise foreign
        try:
            version = int(meta.get("schema_version", ""))
        except ValueError:
            raise InputError(
                f"damaged run store: schema_version is {meta.get('schema_version')!r}",
                file=where,
            ) from None
        if version > SCHEMA_VERSION:
            raise InputError(
                f"the run store has schema version {version}, newer than this callbluff "
                f"{callbluff.__version__} can read (version {SCHEMA_VERSION}); "
                "upgrade callbluff to use it",
                file=where,
            )
        if version < 1 or not {"runs", "scenarios"} <= tables:
            raise InputError(f"damaged run store: schema version {version}", file=where)

    def _prepare(self) -> None:
        tables = self._tables()
        if tables:
            # Check before anything writes: a foreign or newer file stays untouched.
            self._check_schema(tables)
        if self.read_only:
            if not tables:
                raise InputError("not a run store: an empty file", file=str(self.path))
            return
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        if not tables:
            self._write(self._create_schema)
            self._check_schema(self._tables())

    @staticmethod
    def _create_schema(conn: sqlite3.Connection) -> None:
        for statement in _SCHEMA:
            conn.execute(statement)
        conn.executemany(
            "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
            [("application", APPLICATION), ("schema_version", str(SCHEMA_VERSION))],
        )

    # -- plumbing ------------------------------------------------------------------

    def _guarded(self, doing: str, attempt: Callable[[], T]) -> T:
        """``attempt()``, with busy errors retried and SQLite errors made :class:`InputError`.

        (A plain function, not a ``contextmanager``: ``InputError`` is a frozen
        dataclass, and ``contextlib`` would try to set its ``__traceback__``.)
        """
        try:
            return self._retrying(attempt)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
                message = f"the run store stayed locked by another process ({exc})"
            else:
                message = f"cannot {doing} the run store: {exc} (the file may be damaged)"
            raise InputError(message, file=str(self.path)) from exc

    def _retrying(self, attempt: Callable[[], T]) -> T:
        deadline = time.monotonic() + 2 * self._busy_timeout
        delay = 0.005
        while True:
            try:
                return attempt()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(2 * delay, 0.25)

    def _write(self, body: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``body`` in one ``BEGIN IMMEDIATE`` transaction (callers retry it)."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            out = body(self._conn)
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                with suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            raise
        return out

    def _read(self, sql: str, args: tuple[Any, ...]) -> builtins.list[tuple[Any, ...]]:
        return self._guarded("read", lambda: self._conn.execute(sql, args).fetchall())

    # -- the API -------------------------------------------------------------------

    def record(
        self,
        kind: RunKind,
        scenario_id: str,
        scenario_text: str,
        params: Mapping[str, Any],
        result: Any,
        seed: int | None = None,
    ) -> RunRecord:
        """Save one run, atomically, and return it as :meth:`get` will return it.

        ``params`` (a mapping) and ``result`` must be JSON data: ``dict`` with ``str``
        keys, ``list``/``tuple`` (stored as lists), ``str``, ``int``, finite ``float``,
        ``bool``, ``None``.  Raises ``ValueError``/``TypeError`` for anything else,
        naming the JSON path of the bad value.
        """
        if kind not in RUN_KINDS:
            raise ValueError(f"kind must be one of {', '.join(RUN_KINDS)}; got {kind!r}")
        if not isinstance(scenario_id, str) or not scenario_id:
            raise ValueError(f"scenario_id must be a non-empty str; got {scenario_id!r}")
        if not isinstance(scenario_text, str):
            raise TypeError(f"scenario_text must be a str; got {type(scenario_text).__name__}")
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, int) or not -_INT64 <= seed < _INT64
        ):
            raise ValueError(f"seed must be None or a 64-bit signed int; got {seed!r}")
        if not isinstance(params, Mapping):
            raise TypeError(f"params must be a mapping; got {type(params).__name__}")
        text = canonical_scenario_text(scenario_text)
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        params_text = _json_text(params, "params")
        result_text = _json_text(result, "result")
        version = callbluff.__version__
        created_text = datetime.now(UTC).isoformat(timespec="microseconds")
        checksum = _checksum(
            kind, scenario_id, sha, version, seed, params_text, result_text, created_text
        )

        def insert(conn: sqlite3.Connection) -> int:
            conn.execute(
                "INSERT OR IGNORE INTO scenarios (sha256, text) VALUES (?, ?)", (sha, text)
            )
            cursor = conn.execute(
                "INSERT INTO runs (kind, scenario_id, scenario_sha256, version, seed, params,"
                " result, created_at, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    kind,
                    scenario_id,
                    sha,
                    version,
                    seed,
                    params_text,
                    result_text,
                    created_text,
                    checksum,
                ),
            )
            return cast(int, cursor.lastrowid)

        run_id = self._guarded("write to", lambda: self._write(insert))
        return RunRecord(
            id=run_id,
            kind=kind,
            scenario_id=scenario_id,
            scenario_sha256=sha,
            scenario_text=text,
            version=version,
            seed=seed,
            params=json.loads(params_text),
            result=json.loads(result_text),
            created_at=datetime.fromisoformat(created_text),
            checksum=checksum,
        )

    def get(self, run_id: int) -> RunRecord:
        """The run with this id; :class:`InputError` if there is none or it is damaged."""
        rows = self._read(
            f"SELECT {_RUN_COLUMNS} FROM runs r LEFT JOIN scenarios s"
            " ON s.sha256 = r.scenario_sha256 WHERE r.id = ?",
            (run_id,),
        )
        if not rows:
            raise NoSuchRun(f"no run with id {run_id}", file=str(self.path))
        return self._to_record(rows[0])

    def _to_record(self, row: tuple[Any, ...]) -> RunRecord:
        (run_id, kind, scenario_id, sha, version, seed, params, result, created, checksum, text) = (
            row
        )
        damaged = InputError(
            f"run {run_id} is damaged (its contents do not match its checksum)",
            file=str(self.path),
        )
        expected = _checksum(kind, scenario_id, sha, version, seed, params, result, created)
        if (
            checksum != expected
            or not isinstance(text, str)
            or hashlib.sha256(text.encode("utf-8")).hexdigest() != sha
        ):
            raise damaged
        try:
            params_data = json.loads(params)
            result_data = json.loads(result)
        except ValueError:
            raise damaged from None
        return RunRecord(
            id=run_id,
            kind=kind,
            scenario_id=scenario_id,
            scenario_sha256=sha,
            scenario_text=text,
            version=version,
            seed=seed,
            params=params_data,
            result=result_data,
            created_at=datetime.fromisoformat(created),
            checksum=checksum,
        )

    def list(
        self,
        limit: int | None = 50,
        kind: RunKind | None = None,
        scenario_id: str | None = None,
    ) -> builtins.list[RunSummary]:
        """The newest ``limit`` runs (all if ``None``), newest first, optionally filtered."""
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 0
        ):
            raise ValueError(f"limit must be None or an int >= 0; got {limit!r}")
        if kind is not None and kind not in RUN_KINDS:
            raise ValueError(f"kind must be one of {', '.join(RUN_KINDS)}; got {kind!r}")
        where: builtins.list[str] = []
        args: builtins.list[Any] = []
        if kind is not None:
            where.append("kind = ?")
            args.append(kind)
        if scenario_id is not None:
            where.append("scenario_id = ?")
            args.append(scenario_id)
        sql = f"SELECT {_SUMMARY_COLUMNS} FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(-1 if limit is None else limit)
        return [
            RunSummary(
                id=row[0],
                kind=row[1],
                scenario_id=row[2],
                scenario_sha256=row[3],
                version=row[4],
                seed=row[5],
                created_at=datetime.fromisoformat(row[6]),
            )
            for row in self._read(sql, tuple(args))
        ]

    def diff(self, id_a: int, id_b: int) -> RunDiff:
        """What changed from run ``id_a`` to run ``id_b``."""
        a, b = self.get(id_a), self.get(id_b)

        def header(run: RunRecord) -> dict[str, Any]:
            return {
                "kind": run.kind,
                "scenario_id": run.scenario_id,
                "scenario_sha256": run.scenario_sha256,
                "version": run.version,
                "seed": run.seed,
            }

        scenario_diff = ""
        if a.scenario_sha256 != b.scenario_sha256:
            scenario_diff = "".join(
                difflib.unified_diff(
                    a.scenario_text.splitlines(keepends=True),
                    b.scenario_text.splitlines(keepends=True),
                    fromfile=f"run {a.id}: {a.scenario_id}",
                    tofile=f"run {b.id}: {b.scenario_id}",
                )
            )
        return RunDiff(
            a=a.summary,
            b=b.summary,
            fields=json_diff(header(a), header(b)),
            scenario_diff=scenario_diff,
            params=json_diff(a.params, b.params),
            result=json_diff(a.result, b.result),
        )

    # -- lifetime ------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self._conn.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RunStore({str(self.path)!r})"
