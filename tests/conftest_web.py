"""Shared helpers of the report and web tests (imported by them; not a pytest conftest).

* ``TINY_YAML``: a two-type scenario whose answers are derived by hand below, so the
  tests have an independent truth that is fast to compute.
* ``xss_yaml()``: the same scenario with script payloads in every free-text field.
* ``running_server()``: a real uvicorn process on a free port of 127.0.0.1 (or
  ``serve_command(...)``, the real ``callbluff serve``).
* ``BROWSER_ARGS`` / ``CHROMIUM``: Debian's chromium, headless, no network services;
  ``chromium_browser()`` launches it through Playwright, ``Watch`` records what a page
  does (console errors, requests, dialogs).

Hand derivation for TINY_YAML (formulas of docs/model.md; κ = 1/2, F = 20, q = −10,
fallback payoffs 0, the treaty irreversible):

* greedy: A = ½·40 + 50 = 70, B = ½·60 = 30; comply 30; reject A + q = 60;
  cheat = (1−d)(B + κA) + d(B − F + κA + q) = (1−d)·65 + d·35 = 65 − 30d.
  So greedy rejects when 65 − 30d < 60, i.e. d > 1/6, and accepts and cheats
  below: the detection threshold is exactly **1/6**.
* secure: A = 40, B = 60; comply 60 > reject 30 and > cheat, so it accepts and complies.
* At d = 0.9 the offer separates (secure accepts, greedy rejects); the proposer gets
  ½·(100 − 5) + ½·(−50) = **22.5**; the comply leaf pays (95, 60).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@contextlib.contextmanager
def chromium_browser() -> Iterator[Any]:
    """Debian's chromium, headless, through Playwright (imported here: optional)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Watch:
    """Console errors, page errors, requests and dialogs (``alert`` and friends) of one
    page; dialogs are dismissed."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

TINY_YAML = """\
schema_version: 1
id: tiny-test
title: "Tiny test bargain"
description: "Two types, one concession, one regime."
proposer: {name: Proposer}
target: {name: Target}
motives:
  - {id: security, label: "Security"}
  - {id: prestige, label: "Prestige"}
types:
  - id: secure
    label: "Security only"
    security_only: true
    prior: {value: 0.5, source: "test source A", note: "test note A"}
    weights: {security: 1}
    inspection_sensitivity: 0
    status_quo: -10
    arsenal_harm: 30
  - id: greedy
    label: "Prestige seeker"
    prior: 0.5
    weights: {security: 0.5, prestige: 1}
    inspection_sensitivity: 0
    status_quo: -10
    arsenal_harm: 50
arsenal:
  values: {security: 40, prestige: 50}
concessions:
  - id: treaty
    label: "Treaty"
    cost: 5
    values: {security: 60}
counter_demands: []
regimes:
  - {id: strict, label: "Strict", detection: 0.9, intrusiveness: 0, cost: 0}
offers:
  - {id: all-in, label: "all-in", concessions: [treaty], regime: strict, counter_demands: []}
cheating: {covert_fraction: 0.5, penalty: 20}
denuclearisation_value: 100
fallbacks:
  - id: contain
    label: "Containment"
    proposer: {secure: 0, greedy: 0}
    target: {secure: 0, greedy: 0}
time: {rounds: 2, discount: 0.9, arsenal_growth: 0.2, harm_growth: 0.2}
"""

XSS_1 = "<script>window.__xss=1</script>"
XSS_2 = '"><img src=x onerror=window.__xss=2>'


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def xss_yaml() -> str:
    """TINY_YAML with the two payloads in every free-text field a reader sees."""
    both = _yaml_string(XSS_1 + " " + XSS_2)
    one, two = _yaml_string(XSS_1), _yaml_string(XSS_2)
    text = TINY_YAML
    replacements = [
        ('title: "Tiny test bargain"', f"title: {both}"),
        ('description: "Two types, one concession, one regime."', f"description: {both}"),
        ("proposer: {name: Proposer}", f"proposer: {{name: {one}}}"),
        ("target: {name: Target}", f"target: {{name: {two}}}"),
        ('label: "Security only"', f"label: {both}"),
        ('label: "Prestige seeker"', f"label: {two}"),
        ('{id: security, label: "Security"}', f"{{id: security, label: {one}}}"),
        ('label: "Treaty"', f"label: {both}"),
        ('label: "all-in"', f"label: {both}"),
        ('label: "Containment"', f"label: {one}"),
        ('source: "test source A", note: "test note A"', f"source: {one}, note: {two}"),
    ]
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def serve_command(*options: str) -> list[str]:
    """The real ``callbluff serve`` on 127.0.0.1 (``running_server`` adds the port)."""
    return [sys.executable, "-c", "from callbluff.cli import main; main()", "serve",
            "--host", "127.0.0.1", *options]


@contextlib.contextmanager
def running_server(env: dict[str, str] | None = None, ready_s: float = 90,
                   command: list[str] | None = None) -> Iterator[Server]:
    """Start ``uvicorn callbluff.web.app:create_app --factory`` (or ``command`` followed
    by ``--port N``) and wait until it answers."""
    port = free_port()
    argv = ([*command, "--port", str(port)] if command is not None else
            [sys.executable, "-m", "uvicorn", "callbluff.web.app:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"])
    handle, name = tempfile.mkstemp(prefix="callbluff-web-", suffix=".log")
    log_path = Path(name)
    with os.fdopen(handle, "wb") as log_file:
        process = subprocess.Popen(
            argv, env={**os.environ, **(env or {})}, stdout=log_file, stderr=subprocess.STDOUT)
    server = Server(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    try:
        deadline = time.monotonic() + ready_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}:\n{server.log()}")
            try:
                if httpx.get(server.url + "/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready after {ready_s} s:\n{server.log()}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log_path.unlink(missing_ok=True)
