"""`callbluff serve`: the web page and JSON API (FastAPI on uvicorn)."""

from __future__ import annotations

import copy
import ipaddress
from pathlib import Path
from typing import Annotated, Any

import typer

from callbluff.cli.app import app, console, print_error
from callbluff.web.settings import TOKEN_ENV, WebSettings

#: The option defaults (documented in docs/report-and-web.md).
DEFAULT = WebSettings()


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any address


def exposure_warning(host: str, port: int, token: str | None) -> str | None:
    """The warning printed when the server is reachable from other machines without a
    token (``None`` when it is not)."""
    if token or is_loopback(host):
        return None
    return (f"warning: serving on {host}:{port}, which other machines may reach, without "
            "a token: anyone who reaches this port can run computations and read the "
            "saved runs. Give --token T (or CALLBLUFF_TOKEN) to require it on every API "
            "call.")


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port.")] = 8000,
    timeout: Annotated[float, typer.Option(
        "--timeout", min=0.1, help="Seconds one computation may take; past it the worker "
        "process is killed and replaced, and the answer is 503.")] = DEFAULT.timeout_s,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=64, help="Worker processes: computations at once.")] = (
        DEFAULT.workers),
    queue: Annotated[int, typer.Option(
        "--queue", min=0, max=1000, help="Requests that may wait for a free worker "
        "(more: 429 with Retry-After).")] = DEFAULT.queue_length,
    max_body: Annotated[int, typer.Option(
        "--max-body", min=1024, help="Largest request body in bytes (more: 413).")] = (
        DEFAULT.max_body_bytes),
    store: Annotated[Path | None, typer.Option(
        "--store", help="Run store (SQLite) to save every computation in, readable at "
        "/api/runs; default: save nothing.")] = None,
    read_only_store: Annotated[bool, typer.Option(
        "--read-only-store", help="Open --store for reading only: computations are not "
        "saved, so no user reads another's runs.")] = False,
    token: Annotated[str | None, typer.Option(
        "--token", envvar=TOKEN_ENV, show_envvar=True,
        help="Access token required on every API call (the page asks for it once).")] = (
        None),
) -> None:
    """Serve the interactive page (sliders, verdict, plots, downloads) and the JSON API
    (OpenAPI at /openapi.json, docs at /docs).

    Example: callbluff serve --port 8000   (then open http://127.0.0.1:8000/)
    """
    import uvicorn

    from callbluff.web.app import create_app

    if read_only_store and store is None:
        raise typer.BadParameter("--read-only-store needs --store PATH",
                                 param_hint="--read-only-store")
    settings = WebSettings(max_body_bytes=max_body, timeout_s=timeout, workers=workers,
                           queue_length=queue, store_path=store,
                           read_only_store=read_only_store, token=token or None)
    warning = exposure_warning(host, port, settings.token)
    if warning is not None:
        print_error(warning, prefix=False)
    web_app = create_app(settings)  # a bad --store: one line, exit status 2 (cli.app)
    console.print(f"callbluff on http://{host}:{port}/  (API docs: /docs; Ctrl-C to stop)",
                  highlight=False)
    uvicorn.run(web_app, host=host, port=port, log_level="info", log_config=_log_config())


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, with the server's own lines (``callbluff.web``: internal
    errors with their id, workers replaced) in the same format."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["callbluff"] = {"handlers": ["default"], "level": "INFO",
                                      "propagate": False}
    return config
