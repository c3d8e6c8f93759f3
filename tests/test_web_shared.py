"""The shared-server mode of ``callbluff serve``: a token on every API call, a
read-only run store, and the warning when the server may be reached from other
machines without a token.  Real servers on 127.0.0.1 (one binds 0.0.0.0, and is
sent loopback traffic only).

Truth: the HTTP statuses the API documents (401 with ``WWW-Authenticate``), the
store file's bytes before and after (a read-only store is never written), the runs
put into it here with :class:`~callbluff.store.RunStore` directly, and Python's
:mod:`ipaddress` classification of loopback addresses for the warning.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from callbluff.cli.serve_cmd import exposure_warning, is_loopback
from callbluff.store import RunStore
from conftest_web import (
    CHROMIUM,
    TINY_YAML,
    Server,
    chromium_browser,
    free_port,
    running_server,
    serve_command,
)

TOKEN = "class-of-2026-0f3a"
API_CALLS = [("GET", "/api/scenarios", None), ("GET", "/api/status", None),
             ("POST", "/api/validate", {"yaml": TINY_YAML}),
             ("POST", "/api/solve", {"yaml": TINY_YAML}), ("GET", "/api/runs", None)]


WRONG = [{}, {"Authorization": "Bearer nope"}, {"Authorization": f"Bearer {TOKEN}x"},
         {"Authorization": f"Bearer {TOKEN.upper()}"}, {"Authorization": f"Basic {TOKEN}"},
         {"Authorization": TOKEN}, {"X-Token": TOKEN}]


def call(server: Server, method: str, path: str, body: object,
         token: str | None, headers: dict[str, str] | None = None) -> httpx.Response:
    sent = {"Authorization": f"Bearer {token}"} if token is not None else (headers or {})
    return httpx.request(method, server.url + path, json=body, headers=sent, timeout=120)


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> object:
    store = tmp_path_factory.mktemp("store") / "runs.sqlite3"
    with running_server(command=serve_command("--token", TOKEN, "--store", str(store))) as srv:
        yield srv


@pytest.mark.parametrize(("method", "path", "body"), API_CALLS)
def test_token_required_on_every_api_call(guarded: Server, method: str, path: str,
                                          body: object) -> None:
    for wrong in WRONG:
        r = call(guarded, method, path, body, None, wrong)
        assert r.status_code == 401, (wrong, r.text)
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
        assert "token" in r.json()["detail"]
    assert call(guarded, method, path, body, TOKEN).status_code == 200


def test_page_and_schema_need_no_token(guarded: Server) -> None:
    """They carry no data; the page asks for the token itself."""
    for path in ("/", "/static/app.js", "/openapi.json"):
        assert httpx.get(guarded.url + path, timeout=30).status_code == 200


def test_token_from_the_environment() -> None:
    with running_server(env={"CALLBLUFF_TOKEN": TOKEN}, command=serve_command()) as srv:
        assert call(srv, "GET", "/api/scenarios", None, None).status_code == 401
        assert call(srv, "GET", "/api/scenarios", None, TOKEN).status_code == 200
        assert call(srv, "GET", "/api/status", None, TOKEN).json()["token_required"]


@pytest.mark.skipif(not Path(CHROMIUM).exists(),
                    reason="needs Debian's chromium (apt-get install chromium)")
def test_page_asks_for_the_token_once(guarded: Server) -> None:
    """The page asks once, then every call (scenario, analysis, slider moves) carries
    the token: the verdict appears and no further 401 is met."""
    statuses: list[tuple[str, int]] = []
    with chromium_browser() as browser:
        page = browser.new_page()
        page.on("response", lambda r: statuses.append((r.url, r.status)))
        page.goto(guarded.url + "/?scenario=")
        page.wait_for_selector("#token-form:not([hidden])", timeout=60_000)
        page.fill("#token-input", TOKEN)
        page.click("#token-form button")
        page.wait_for_selector("#token-form", state="hidden")
        page.wait_for_selector('body[data-state="ready"]', timeout=60_000)
        page.set_input_files("#scenario-file", files=[{
            "name": "tiny.yaml", "mimeType": "text/yaml", "buffer": TINY_YAML.encode()}])
        page.wait_for_selector('#verdict[data-separates="true"]', timeout=120_000)
        box = page.locator('input[type=number][data-path="regimes[strict].detection"]')
        box.fill("0.1")  # below the hand-derived threshold 1/6
        box.dispatch_event("change")
        page.wait_for_selector('#verdict[data-separates="false"]', timeout=120_000)
        assert page.is_hidden("#token-form")
    api = [(url, status) for url, status in statuses if "/api/" in url]
    unauthorised = [u for u, s in api if s == 401]
    assert len(unauthorised) == 1, api  # the one call that made the page ask
    assert sum(1 for _, s in api if s == 200) >= 3


def test_read_only_store_serves_old_runs_and_saves_none(tmp_path: Path) -> None:
    store = tmp_path / "runs.sqlite3"
    with RunStore(store) as runs:
        teacher = runs.record("analyze", "tiny-test", TINY_YAML, {"by": "teacher"},
                              {"verdict": ["prepared"]})
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    with running_server(command=serve_command("--store", str(store),
                                              "--read-only-store")) as srv:
        r = httpx.post(srv.url + "/api/analyze", json={"yaml": TINY_YAML}, timeout=120)
        assert r.status_code == 200 and "X-Run-Id" not in r.headers
        listed = httpx.get(srv.url + "/api/runs", timeout=30).json()
        assert listed["read_only"] is True
        assert [x["id"] for x in listed["runs"]] == [teacher.id]
        shown = httpx.get(f"{srv.url}/api/runs/{teacher.id}", timeout=30).json()
        assert shown["result"] == {"verdict": ["prepared"]}
        assert httpx.get(srv.url + "/api/status", timeout=30).json()["store"] == "read-only"
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before
    with RunStore(store, read_only=True) as runs:
        assert [s.id for s in runs.list(limit=None)] == [teacher.id]


def test_read_only_store_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite3"
    result = subprocess.run([*serve_command("--store", str(missing), "--read-only-store"),
                             "--port", str(free_port())],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert str(missing) in result.stderr and "no run store here" in result.stderr
    assert not missing.exists()


def test_without_a_store_runs_are_404() -> None:
    with running_server(command=serve_command()) as srv:
        r = httpx.get(srv.url + "/api/runs", timeout=30)
        assert r.status_code == 404 and "--store" in r.json()["detail"]
        r = httpx.post(srv.url + "/api/solve", json={"yaml": TINY_YAML}, timeout=120)
        assert r.status_code == 200 and "X-Run-Id" not in r.headers


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("10.0.0.1", False),
    ("example.org", False)])
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    assert (exposure_warning(host, 8000, None) is None) is loopback
    assert exposure_warning(host, 8000, TOKEN) is None


def _serve_on_all_addresses(*options: str) -> tuple[str, int]:
    """The real CLI bound to 0.0.0.0; one request, to 127.0.0.1 only. Its stderr and the
    request's status."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", "from callbluff.cli import main; main()",
                                "serve", "--host", "0.0.0.0", "--port", str(port), *options],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        code = 0
        while time.monotonic() < deadline and process.poll() is None:
            try:
                code = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2).status_code
                break
            except httpx.TransportError:
                time.sleep(0.2)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    return err, code


def test_warning_when_reachable_without_a_token() -> None:
    err, code = _serve_on_all_addresses()
    assert code == 200
    assert "warning: serving on 0.0.0.0" in err and "without a token" in err


def test_no_warning_with_a_token() -> None:
    err, code = _serve_on_all_addresses("--token", TOKEN)
    assert code == 200
    assert "warning" not in err.lower()
