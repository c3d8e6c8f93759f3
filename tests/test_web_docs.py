"""Swagger UI (``/docs``) and ReDoc (``/redoc``) work offline: in Debian's chromium,
with every request that does not go to the loopback server refused, each page
renders every operation of the server's own OpenAPI document (Swagger UI asks for
nothing outside; ReDoc only for its credit logo, which hides itself).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from conftest_web import CHROMIUM, Server, Watch, chromium_browser, running_server

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="needs Debian's chromium (apt-get install chromium)")

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
REDOC_CREDIT_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_server() as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as b:
        yield b


def _operations(server: Server) -> list[tuple[str, str, str]]:
    """(METHOD, path, summary) of every operation the server documents."""
    document = httpx.get(server.url + "/openapi.json", timeout=30).json()
    return [(method.upper(), path, op["summary"])
            for path, item in document["paths"].items()
            for method, op in item.items() if method in HTTP_METHODS]


def _offline_page(browser: Any, server: Server) -> tuple[Any, list[str], Watch]:
    """A page that may reach only the test server (and data:/blob: URLs)."""
    page = browser.new_page()
    blocked: list[str] = []
    origin = urlsplit(server.url)

    def only_loopback(route: Any) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("data", "blob") or (url.hostname, url.port) == (origin.hostname,
                                                                           origin.port):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    return page, blocked, Watch(page)


def test_swagger_ui_renders_every_operation_offline(browser: Any, server: Server) -> None:
    operations = _operations(server)
    assert len(operations) >= 8
    page, blocked, watch = _offline_page(browser, server)
    page.goto(server.url + "/docs")
    page.wait_for_selector(".opblock", timeout=60_000)
    shown = sorted(zip(page.locator(".opblock-summary-method").all_inner_texts(),
                       page.locator(".opblock-summary-path").all_inner_texts(), strict=True))
    assert shown == sorted((m, p) for m, p, _ in operations)
    assert page.locator(".info .title").inner_text().startswith("callbluff")
    assert blocked == [], blocked
    assert watch.errors == [], watch.errors
    # Every asset came from this server (the page would be blank from a CDN offline).
    assert all(url.startswith(server.url) or url.startswith(("data:", "blob:"))
               for url in watch.requests), watch.requests
    # The block is real: the CDN FastAPI would load Swagger UI from is out of reach.
    outcome = page.evaluate("fetch('https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/"
                            "swagger-ui-bundle.js').then(() => 'loaded', () => 'refused')")
    assert outcome == "refused" and len(blocked) == 1
    page.close()


def test_redoc_renders_every_operation_offline(browser: Any, server: Server) -> None:
    operations = _operations(server)
    page, blocked, watch = _offline_page(browser, server)
    page.goto(server.url + "/redoc")
    page.wait_for_selector(".api-content h2", timeout=60_000)
    text = page.locator("body").inner_text()
    for _, _, summary in operations:
        assert summary in text, summary
    # The one thing ReDoc's bundle always fetches from outside: the credit line's logo,
    # an <img> that removes itself when it cannot load (no option turns it off).
    assert set(blocked) <= {REDOC_CREDIT_LOGO}, blocked
    assert [e for e in watch.errors if "Failed to load resource" not in e] == []
    assert len(watch.errors) <= len(blocked)
    assert page.locator("img[alt='redocly logo']").count() == 0
    page.close()
