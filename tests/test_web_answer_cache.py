"""The server's answer cache (issue 17): analyses of built-in scenarios are answered
again without a worker, and every answer is still saved as a run.

Evidence that no worker ran: with one job per worker (``CALLBLUFF_WEB_JOBS_PER_WORKER
=1``) every job a worker does replaces it, which ``/api/status`` counts
(``workers_recycled``).  The answer itself is checked against the analysis computed
in this process.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from callbluff.analysis.jsonify import analysis_json
from callbluff.analysis.verdict import analyze
from callbluff.scenario.loader import load_scenario
from conftest_web import TINY_YAML, running_server

BODY = {"scenario": "libya-2003", "policies": False, "package": False}


def _recycled(client: httpx.Client, at_least: int) -> int:
    deadline = time.monotonic() + 60
    while True:
        seen = int(client.get("/api/status").json()["workers_recycled"])
        if seen >= at_least or time.monotonic() > deadline:
            return seen
        time.sleep(0.2)


def test_builtin_answers_are_kept_and_runs_still_saved(tmp_path: Path) -> None:
    env = {"CALLBLUFF_WEB_JOBS_PER_WORKER": "1", "CALLBLUFF_WEB_WORKERS": "1",
           "CALLBLUFF_WEB_STORE": str(tmp_path / "runs.sqlite3")}
    with running_server(env=env) as server, httpx.Client(base_url=server.url,
                                                         timeout=300) as client:
        first = client.post("/api/analyze", json=BODY)
        assert first.status_code == 200, first.text
        assert _recycled(client, 1) == 1
        again = client.post("/api/analyze", json=BODY)
        assert again.status_code == 200
        assert again.json() == first.json()
        assert again.headers["X-Run-Id"] != first.headers["X-Run-Id"]  # saved again
        # An uploaded scenario is never kept: it takes a worker each time.
        upload = {"yaml": TINY_YAML, "policies": False, "package": False}
        for _ in range(2):
            assert client.post("/api/analyze", json=upload).status_code == 200
        time.sleep(1)
        assert _recycled(client, 3) == 3  # the upload twice; the repeat took none
        runs = client.get("/api/runs").json()
        assert len(runs["runs"]) == 4
    expected = analysis_json(analyze(load_scenario("libya-2003"), thresholds=False,
                                     policies=False, package=False))
    assert first.json() == expected
