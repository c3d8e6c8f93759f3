"""Names sent to the web API never become paths (issue #8, part 2).

A real ``callbluff serve`` runs from a fresh working directory, with ``HOME``,
``TMPDIR`` and the run store (``CALLBLUFF_STORE``) pointed at fresh directories.
Requests name scenarios, offers and override paths with ``../`` chains, absolute
paths, NUL bytes, backslashes and URLs — several of them aimed at a *readable*
scenario file planted outside the package (``secret.yaml``, the tiny scenario).
If any name were used as a path, that file would be served and the request would
answer 200.

Truth: the built-in names (``list_builtin``) are the only scenario names; every
other name is refused (404 unknown, 422 malformed) with a message, never 5xx;
the export's filename is a plain name; and after every request (including report,
sweep and solve) nothing changed in the working directory, ``HOME`` or the
planted directory — only the store and the temporary directory may be written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from callbluff.scenario.builtin import list_builtin
from callbluff.store import STORE_ENV
from conftest_web import TINY_YAML, Server, running_server

Snapshot = dict[str, tuple[int, int]]


def snapshot(root: Path) -> Snapshot:
    """Every file and folder under ``root``: size and modification time."""
    out: Snapshot = {}
    for path in sorted(root.rglob("*")):
        stat = path.lstat()
        out[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return out


class Sandbox:
    def __init__(self, base: Path) -> None:
        self.cwd = base / "cwd"
        self.home = base / "home"
        self.planted = base / "planted"
        self.store = base / "store"
        self.tmp = base / "tmp"
        for d in (self.cwd, self.home, self.planted, self.store, self.tmp):
            d.mkdir()
        # A valid scenario outside the package: served only if a name became a path.
        (self.planted / "secret.yaml").write_text(TINY_YAML, encoding="utf-8")
        (self.planted / "north-korea-2009.yaml").write_text(TINY_YAML, encoding="utf-8")

    def watched(self) -> dict[str, Snapshot]:
        return {name: snapshot(d) for name, d in
                (("cwd", self.cwd), ("home", self.home), ("planted", self.planted))}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    return Sandbox(tmp_path_factory.mktemp("web-paths"))


@pytest.fixture(scope="module")
def served(sandbox: Sandbox) -> Iterator[tuple[Server, dict[str, Snapshot]]]:
    env = {"HOME": str(sandbox.home), "TMPDIR": str(sandbox.tmp), "TMP": str(sandbox.tmp),
           "TEMP": str(sandbox.tmp), STORE_ENV: str(sandbox.store / "runs.sqlite3"),
           "XDG_DATA_HOME": str(sandbox.home / "data"),
           "XDG_CACHE_HOME": str(sandbox.home / "cache"), "CALLBLUFF_PATHS_CWD": str(sandbox.cwd)}
    command = [sys.executable, "-c", "import os; os.chdir(os.environ['CALLBLUFF_PATHS_CWD']); "
               "import callbluff.cli.serve_cmd; from callbluff.cli import main; main()",
               "serve", "--host", "127.0.0.1", "--timeout", "20", "--workers", "2"]
    before = sandbox.watched()
    with running_server(env=env, command=command) as server:
        yield server, before
        assert "Traceback" not in server.log(), server.log()


def bad_names(sandbox: Sandbox) -> list[str]:
    """Scenario names that are paths, or try to be."""
    secret = sandbox.planted / "secret"
    climb = "../" * 30
    return [
        str(secret), str(secret) + ".yaml", f"{climb}{str(secret).lstrip('/')}",
        f"{climb}{str(sandbox.planted).lstrip('/')}/north-korea-2009",
        str(sandbox.planted / "north-korea-2009"),
        "../north-korea-2009", "./north-korea-2009", "north-korea-2009/../libya-2003",
        "north-korea-2009.yaml", "north-korea-2009\x00", "north-korea-2009\x00.txt", "\x00",
        "..", ".", "/", "~", "~/secret", "../../../../../../etc/passwd", "/etc/passwd",
        "..\\..\\windows\\win.ini", "C:\\secret", "\\\\host\\share\\secret",
        f"file://{secret}.yaml", "NORTH-KOREA-2009", " north-korea-2009", "north-korea-2009 ",
        "north-korea-2009\n", "%2e%2e%2fsecret", "..%2f..%2fsecret", "*", "north-korea-*",
    ]


def _detail_message(response: httpx.Response) -> str:
    detail = response.json()["detail"]
    return str(detail["message"] if isinstance(detail, dict) else detail)


def _refused(response: httpx.Response) -> None:
    assert response.status_code in (404, 422), (response.status_code, response.text[:300])
    assert _detail_message(response).strip()


def test_names_never_become_paths(served: tuple[Server, dict[str, Snapshot]],
                                  sandbox: Sandbox) -> None:
    server, before = served
    names = bad_names(sandbox)
    assert not set(names) & set(list_builtin())
    sent = 0
    with httpx.Client(base_url=server.url, timeout=120) as client:
        for name in names:
            for path, extra in (("/api/analyze", {"policies": False, "package": False}),
                                ("/api/solve", {}), ("/api/export", {}),
                                ("/api/sweep", {"variants": [{}]}),
                                ("/api/report", {})):
                _refused(client.post(path, json={"scenario": name, **extra}))
                sent += 1
            _refused(client.get("/api/report", params={"scenario": name}))
            # In the URL path: "/" and "." encoded so that the client does not resolve
            # dot segments and the whole name reaches the route.
            r = client.get("/api/scenarios/" + quote(name, safe="").replace(".", "%2E"))
            if r.status_code == 307:  # "/api/scenarios//": Starlette's slash redirect
                assert httpx.URL(r.headers["location"]).path == "/api/scenarios", name
            else:
                assert r.status_code in (404, 422), (name, r.status_code)
            assert "tiny-test" not in r.text
            sent += 2
    assert sent == 7 * len(names)
    assert before == sandbox.watched()


def test_offer_and_override_names_are_plain(served: tuple[Server, dict[str, Snapshot]],
                                            sandbox: Sandbox) -> None:
    server, before = served
    secret = str(sandbox.planted / "secret")
    bodies: list[tuple[str, dict[str, Any]]] = [
        ("/api/solve", {"yaml": TINY_YAML, "offer": "../all-in"}),
        ("/api/solve", {"yaml": TINY_YAML, "offer": secret}),
        ("/api/solve", {"yaml": TINY_YAML, "offer": "all-in\x00"}),
        ("/api/report", {"yaml": TINY_YAML, "offer": "../../all-in"}),
        ("/api/analyze", {"yaml": TINY_YAML, "thresholds": True,
                          "threshold_paths": [secret, "../x"]}),
        ("/api/export", {"yaml": TINY_YAML, "overrides": {"regimes[../strict].detection": 1}}),
        ("/api/sweep", {"yaml": TINY_YAML,
                        "variants": [{"regimes[strict].detection": 0.5}, {secret: 1}]}),
        # A file name inside the scenario itself: ids may not hold a path.
        ("/api/export", {"yaml": TINY_YAML.replace("id: tiny-test", "id: ../../evil")}),
        ("/api/export", {"yaml": TINY_YAML.replace("id: tiny-test", f"id: {secret}")}),
    ]
    with httpx.Client(base_url=server.url, timeout=120) as client:
        for path, body in bodies:
            r = client.post(path, json=body)
            assert r.status_code == 422, (path, body, r.status_code, r.text[:300])
            assert _detail_message(r).strip()
        # A plain scenario still works, and its export name is a plain file name.
        ok = client.post("/api/export", json={"yaml": TINY_YAML})
        assert ok.status_code == 200
        assert ok.json()["filename"] == "tiny-test.yaml"
        report = client.post("/api/report", json={"yaml": TINY_YAML})
        assert report.status_code == 200
        assert 'filename="callbluff-report.html"' in report.headers["content-disposition"]
        sweep = client.post("/api/sweep", json={"yaml": TINY_YAML, "variants": [{}]})
        assert sweep.status_code == 200
    assert before == sandbox.watched()


def test_builtin_names_still_work(served: tuple[Server, dict[str, Snapshot]],
                                  sandbox: Sandbox) -> None:
    """The refusals above are not a server that refuses everything."""
    server, before = served
    with httpx.Client(base_url=server.url, timeout=120) as client:
        for name in list_builtin():
            r = client.get(f"/api/scenarios/{name}")
            assert r.status_code == 200 and r.json()["name"] == name
        r = client.get("/api/report", params={"scenario": "libya-2003"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert before == sandbox.watched()
