"""`callbluff serve`: the web page and JSON API (FastAPI on uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from callbluff.cli.app import app, console


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port.")] = 8000,
    timeout: Annotated[float, typer.Option(
        "--timeout", min=0.1, help="Seconds one computation may take (then 503).")] = 60.0,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=64, help="Computations at once (more: 429).")] = 2,
    max_body: Annotated[int, typer.Option(
        "--max-body", min=1024, help="Largest request body in bytes (more: 413).")] = (
        256 * 1024),
) -> None:
    """Serve the interactive page (sliders, verdict, plots, downloads) and the JSON API
    (OpenAPI at /openapi.json, docs at /docs).

    Example: callbluff serve --port 8000   (then open http://127.0.0.1:8000/)
    """
    import uvicorn

    from callbluff.web.app import WebSettings, create_app

    settings = WebSettings(max_body_bytes=max_body, timeout_s=timeout, workers=workers)
    console.print(f"callbluff on http://{host}:{port}/  (API docs: /docs; Ctrl-C to stop)",
                  highlight=False)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
