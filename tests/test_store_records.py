"""Run store: round trips, listing, validation, and files that are not (or no longer) stores.

Every test uses a real SQLite file under ``tmp_path``.  Expected values come from the
inputs (what was recorded) or from hashlib/sqlite3 directly, never from the store.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest

import callbluff
from callbluff.errors import InputError
from callbluff.store import SCHEMA_VERSION, RunStore, default_store_path

SCENARIO = "id: nk2009\ntypes:\n  - id: security\n    prior: 0.4\n"


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def test_record_then_get_is_equal(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    before = datetime.now(UTC)
    with RunStore(path) as store:
        params = {"offer": "all-in", "regime": "rigorous", "grid": [0.1, 0.25]}
        result = {"verdict": "separating", "posterior": {"security": 1.0}, "n": 3, "x": None}
        run = store.record("analyze", "nk2009", SCENARIO, params, result, seed=42)
        assert store.get(run.id) == run
    after = datetime.now(UTC)
    # Reopened from disk, the record is still the same.
    with RunStore(path) as store:
        again = store.get(run.id)
    assert again == run
    assert again.kind == "analyze"
    assert again.scenario_id == "nk2009"
    assert again.scenario_text == SCENARIO
    assert again.scenario_sha256 == hashlib.sha256(SCENARIO.encode("utf-8")).hexdigest()
    assert again.version == callbluff.__version__
    assert again.seed == 42
    assert again.params == params
    assert again.result == result
    assert again.created_at.utcoffset() == timedelta(0)
    assert before <= again.created_at <= after


def test_record_normalises_line_ends_and_tuples(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite3") as store:
        run = store.record("solve", "s", "a: 1\r\nb: 2", {"t": (1, 2)}, [("x", 1)])
        assert run.scenario_text == "a: 1\nb: 2\n"
        assert run.scenario_sha256 == hashlib.sha256(b"a: 1\nb: 2\n").hexdigest()
        assert run.params == {"t": [1, 2]}
        assert run.result == [["x", 1]]
        assert store.get(run.id) == run


def test_same_scenario_text_is_stored_once(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    with RunStore(path) as store:
        for i in range(5):
            store.record("sweep", "nk2009", SCENARIO, {"i": i}, {"v": i})
        store.record("sweep", "nk2009", SCENARIO + "extra: 1\n", {"i": 5}, {"v": 5})
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM scenarios").fetchone()[0] == 2
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 6
    finally:
        conn.close()


def test_list_newest_first_with_filters_and_limit(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite3") as store:
        kinds = ["analyze", "sweep", "report", "solve", "sweep", "analyze", "sweep"]
        made = [
            store.record(kind, f"scn{i % 2}", SCENARIO, {"i": i}, {"i": i})  # type: ignore[arg-type]
            for i, kind in enumerate(kinds)
        ]
        listed = store.list()
        assert [s.id for s in listed] == [r.id for r in reversed(made)]
        assert [s.created_at for s in listed] == sorted((r.created_at for r in made), reverse=True)
        assert listed[0] == made[-1].summary
        assert [s.id for s in store.list(limit=2)] == [made[6].id, made[5].id]
        assert [s.id for s in store.list(kind="sweep")] == [made[6].id, made[4].id, made[1].id]
        assert [s.id for s in store.list(scenario_id="scn1")] == [
            made[5].id,
            made[3].id,
            made[1].id,
        ]
        assert [s.id for s in store.list(kind="sweep", scenario_id="scn0")] == [
            made[6].id,
            made[4].id,
        ]
        assert len(store.list(limit=None)) == 7
        assert store.list(limit=0) == []
        assert store.list(kind="report", scenario_id="nothing") == []


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"kind": "explore"}, ValueError, "kind must be one of"),
        ({"scenario_id": ""}, ValueError, "scenario_id"),
        ({"seed": 2**63}, ValueError, "64-bit"),
        ({"seed": True}, ValueError, "seed"),
        ({"params": ["not", "a", "mapping"]}, TypeError, "mapping"),
        ({"params": {"p": Fraction(1, 3)}}, TypeError, "params/p: a Fraction"),
        ({"result": {"a": [1, float("nan")]}}, ValueError, "result/a/1"),
        ({"result": {"a": {1: "int key"}}}, TypeError, "result/a: key 1"),
        ({"result": {"a/b": {"c": object()}}}, TypeError, "result/a~1b/c"),
    ],
)
def test_record_rejects_what_json_cannot_hold(
    tmp_path: Path, kwargs: dict[str, object], error: type[Exception], fragment: str
) -> None:
    args: dict[str, object] = {
        "kind": "analyze",
        "scenario_id": "nk2009",
        "scenario_text": SCENARIO,
        "params": {},
        "result": {},
    }
    args.update(kwargs)
    with RunStore(tmp_path / "runs.sqlite3") as store:
        with pytest.raises(error, match=re.escape(fragment)):
            store.record(**args)  # type: ignore[arg-type]
        assert store.list() == []  # nothing half-written


def test_unknown_id_is_input_error(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    with RunStore(path) as store:
        store.record("analyze", "nk2009", SCENARIO, {}, {})
        with pytest.raises(InputError) as caught:
            store.get(99)
        assert "no run with id 99" in str(caught.value)
        assert str(path) in str(caught.value)
        with pytest.raises(InputError):
            store.diff(1, 99)


def test_missing_store_without_create(tmp_path: Path) -> None:
    path = tmp_path / "absent" / "runs.sqlite3"
    with pytest.raises(InputError) as caught:
        RunStore(path, create=False)
    assert str(path) in str(caught.value)
    assert not path.exists() and not path.parent.exists()


def test_creates_parent_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "runs.sqlite3"
    with RunStore(path) as store:
        store.record("report", "nk2009", SCENARIO, {}, {"ok": True})
    assert _integrity(path) == "ok"


def test_empty_file_becomes_a_store(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    path.touch()
    with RunStore(path) as store:
        run = store.record("analyze", "nk2009", SCENARIO, {}, {"a": 1})
        assert store.get(run.id).result == {"a": 1}


def test_store_is_wal_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    RunStore(path).close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    finally:
        conn.close()
    assert meta["schema_version"] == str(SCHEMA_VERSION)


def test_default_path_honours_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLBLUFF_STORE", str(tmp_path / "env.sqlite3"))
    assert default_store_path() == tmp_path / "env.sqlite3"
    with RunStore() as store:
        assert store.path == tmp_path / "env.sqlite3"
    assert (tmp_path / "env.sqlite3").exists()
    monkeypatch.delenv("CALLBLUFF_STORE")
    default = default_store_path()
    assert default.name == "runs.sqlite3"
    assert default.parent.name == "callbluff"


# -- files that are not stores: InputError naming the path, file left unchanged ------


def _assert_refused(path: Path, fragment: str) -> None:
    before = path.read_bytes()
    with pytest.raises(InputError) as caught, RunStore(path) as store:
        store.list()
    message = str(caught.value)
    assert str(path) in message
    assert fragment in message
    assert path.read_bytes() == before


def test_text_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("id: nk2009\nthis is a scenario, not a store\n")
    _assert_refused(path, "not a SQLite database")
    assert not Path(f"{path}-wal").exists()


def test_garbage_after_sqlite_header_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 32)
    _assert_refused(path, "run store")


def test_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE people (name TEXT)")
    conn.execute("INSERT INTO people VALUES ('x')")
    conn.commit()
    conn.close()
    _assert_refused(path, "not a callbluff run store")
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    with RunStore(path) as store:
        store.record("analyze", "nk2009", SCENARIO, {}, {})
    conn = sqlite3.connect(path)
    conn.execute(
        "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),)
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    _assert_refused(path, f"schema version {SCHEMA_VERSION + 1}")


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory"):
        RunStore(tmp_path)


def test_truncated_store_gives_input_error_not_traceback(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    with RunStore(path) as store:
        for i in range(30):
            store.record("sweep", "nk2009", SCENARIO, {"i": i}, {"blob": "x" * 3000})
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError) as caught, RunStore(path) as store:
        for summary in store.list(limit=None):
            store.get(summary.id)
    assert str(path) in str(caught.value)


def test_tampered_row_fails_its_checksum(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    with RunStore(path) as store:
        run = store.record("analyze", "nk2009", SCENARIO, {}, {"verdict": "separating"})
        other = store.record("analyze", "nk2009", SCENARIO, {}, {"verdict": "pooling"})
    conn = sqlite3.connect(path)
    conn.execute(
        "UPDATE runs SET result = ? WHERE id = ?",
        (json.dumps({"verdict": "pooling"}, separators=(",", ":")), run.id),
    )
    conn.commit()
    conn.close()
    with RunStore(path) as store:
        with pytest.raises(InputError, match=f"run {run.id} is damaged"):
            store.get(run.id)
        assert store.get(other.id) == other


def test_read_only_store_reads_and_never_writes(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    with RunStore(path) as store:
        run = store.record("analyze", "nk2009", SCENARIO, {"a": 1}, {"verdict": "x"})
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with RunStore(path, read_only=True) as store:
        assert store.get(run.id).result == {"verdict": "x"}
        assert [s.id for s in store.list()] == [run.id]
        with pytest.raises(InputError, match="readonly"):
            store.record("analyze", "nk2009", SCENARIO, {}, {})
        with pytest.raises(InputError, match=f"no run with id {run.id + 1}"):
            store.get(run.id + 1)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert _integrity(path) == "ok"
    missing = tmp_path / "none.sqlite3"
    with pytest.raises(InputError, match="no run store here"):
        RunStore(missing, read_only=True)
    assert not missing.exists()
