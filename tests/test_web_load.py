"""The load test, short: 5 students for 15 s against a real ``callbluff serve``
(``benchmarks/load_web.py``; the full run is 20 students for 120 s, see
docs/report-and-web.md).

Truth: the statuses the API documents (only 2xx, 413, 422, 429, 503; 429/503 with
``Retry-After``), and the run store read here, apart from the script: as many runs
as the script counted answers that save one, each whole (SQLite's integrity check,
each run's checksum).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from callbluff.store import RunStore

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "load_web.py"


def test_short_load(tmp_path: Path) -> None:
    store = tmp_path / "runs.sqlite3"
    figures_path = tmp_path / "figures.json"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--users", "5", "--seconds", "15", "--store", str(store),
         "--json", str(figures_path)],
        capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    figures = json.loads(figures_path.read_text())
    statuses = {int(code) for code in figures["statuses"]}
    assert statuses <= {200, 413, 422, 429, 503}, figures["statuses"]
    analyses = figures["endpoints"]["POST /api/analyze"]
    assert analyses["statuses"].get("200", 0) >= 1, figures
    saving = sum(e["statuses"].get("200", 0) for name, e in figures["endpoints"].items()
                 if name in ("POST /api/analyze", "POST /api/report"))
    # The store, read here: the warm-up's 3 runs and one per answer that saves one.
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with RunStore(store, read_only=True) as runs:
        ids = [s.id for s in runs.list(limit=None)]
        for run_id in ids:
            runs.get(run_id)
    assert len(ids) == 3 + saving
    assert figures["rss_kib"]["growth"] <= 1.5
    print(run.stdout)
