"""The web face: a JSON API (FastAPI, documented at ``/openapi.json``) and one page.

Limits, so that no request can hang the server or crash it:

* request bodies above ``max_body_bytes`` (default 256 KiB) get **413**;
* every computation runs in a worker thread with a time limit (default 60 s):
  past it the answer is **503**; when every worker is busy, **429** at once
  (both with ``Retry-After``); a computation past its limit ends itself at its
  next solve, freeing its worker;
* a sweep asks for at most 50 variants (**422** beyond);
* bad YAML, a bad override or a request that does not match its schema is **422**
  with one body shape (:class:`~callbluff.web.models.InputErrorResponse`: message,
  file, line, column, field);
* a body that cannot be read as UTF-8 JSON is **400**; an unknown built-in scenario
  is **404**; a method a path does not have is **405** with the right ``Allow``;
* any other failure is logged and answered **422** with a clean message — never 500.

Every one of these answers is documented in the OpenAPI document, and
``tests/test_web_schemathesis.py`` checks the server against it (schemathesis).

Nothing from a request is evaluated as code: scenarios go through the safe loader
(:mod:`callbluff.scenario.loader`), built-in scenarios are looked up by name only
(never as a path).  The page is static HTML+JS served from the package, with
Plotly's JavaScript from the installed ``plotly`` package; no external network.

Run it with ``callbluff serve`` or ``uvicorn callbluff.web.app:create_app --factory``
(settings then come from ``CALLBLUFF_WEB_MAX_BODY``, ``CALLBLUFF_WEB_TIMEOUT`` and
``CALLBLUFF_WEB_WORKERS``).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline  # /docs and /redoc from packaged assets, no CDN
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from callbluff.analysis.jsonify import analysis_json
from callbluff.analysis.verdict import analyze, headline, main_offer_id
from callbluff.errors import InputError
from callbluff.game import bargain
from callbluff.report.html import build_report, plotly_js
from callbluff.scenario.builtin import DEFAULT, list_builtin
from callbluff.scenario.loader import dump_scenario, load_scenario_text
from callbluff.scenario.schema import Scenario
from callbluff.solve import solve
from callbluff.web import models as m
from callbluff.web.service import (
    Busy,
    TooSlow,
    UnknownScenario,
    Workers,
    apply_overrides,
    builtin_text,
    check_threshold_paths,
    input_error_body,
    message_error_body,
    request_error_body,
    resolve,
    summary,
)

log = logging.getLogger("callbluff.web")
STATIC = Path(__file__).resolve().parent / "static"
#: Threads for reading, checking and writing scenarios (not for analyses).
LIGHT_WORKERS = 4
T = TypeVar("T")

PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; "
            "base-uri 'none'; frame-ancestors 'none'; form-action 'none'")


@dataclass(frozen=True)
class WebSettings:
    """Limits of the server."""

    max_body_bytes: int = 256 * 1024
    timeout_s: float = 60.0
    workers: int = 2

    @classmethod
    def from_env(cls) -> WebSettings:
        default = cls()
        return cls(
            max_body_bytes=int(os.environ.get("CALLBLUFF_WEB_MAX_BODY", default.max_body_bytes)),
            timeout_s=float(os.environ.get("CALLBLUFF_WEB_TIMEOUT", default.timeout_s)),
            workers=int(os.environ.get("CALLBLUFF_WEB_WORKERS", default.workers)),
        )


# -- ASGI guards -----------------------------------------------------------------------

async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode("ascii"))]})
    await send({"type": "http.response.body", "body": data})


class GuardMiddleware:
    """Body size limit (413) and last-resort error handling (logged, then 422)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        too_large = {"detail": f"request body larger than {limit} bytes"}
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _send_json(send, 400, {"detail": "bad Content-Length"})
                    return
                if declared > limit:
                    await _send_json(send, 413, too_large)
                    return
        # Read the whole body first (it is small by then): a body past the limit is
        # refused before the application sees any of it.
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # client went away
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                await _send_json(send, 413, too_large)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False
        started = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, replay, tracking_send)
        except Exception:
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await _send_json(send, 422, {"detail": message_error_body(
                    "the request could not be processed (the error was logged)")})


# -- the app ------------------------------------------------------------------------------

@cache
def _plotly_bytes() -> bytes:
    return plotly_js().encode("utf-8")


@cache
def _scenario_list() -> m.ScenarioList:
    items = []
    for name in list_builtin():
        s = load_scenario_text(builtin_text(name), f"{name}.yaml")
        items.append(m.ScenarioListItem(name=name, title=s.title, year=s.year))
    return m.ScenarioList(default=DEFAULT, scenarios=items)


_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before retrying",
                                 "schema": {"type": "string"}}}
#: Every error answer of the API: (body model, description).
_ERRORS: dict[int, tuple[type[m.MessageResponse] | type[m.InputErrorResponse], str]] = {
    400: (m.MessageResponse, "the body could not be read as UTF-8 JSON, or a bad "
          "Content-Length"),
    404: (m.MessageResponse, "unknown built-in scenario"),
    413: (m.MessageResponse, "request body too large"),
    422: (m.InputErrorResponse, "bad scenario, override or request field (with its "
          "line, column, field), sweep too large, or a failure the server could not "
          "process (logged)"),
    429: (m.MessageResponse, "every worker busy: retry after Retry-After seconds"),
    503: (m.MessageResponse, "computation past its time limit: ask for less"),
}


def error_responses(*codes: int, inline: bool = False) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of the given error codes.

    ``inline``: name the JSON schema directly instead of through ``model`` — needed on
    routes whose own answer is HTML, where FastAPI would give a ``model`` the route's
    media type and so document a JSON error as ``text/html``."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        model, description = _ERRORS[code]
        entry: dict[str, Any] = {"description": description}
        if inline:
            ref = {"$ref": f"#/components/schemas/{model.__name__}"}
            entry["content"] = {"application/json": {"schema": ref}}
        else:
            entry["model"] = model
        if code in (429, 503):
            entry["headers"] = _RETRY_AFTER
        out[code] = entry
    return out


#: Errors any request can meet (the body guard and the worker limits).
_ANY = (400, 413, 422, 429, 503)


def _variant(ref: m.ScenarioRef) -> tuple[Scenario, str]:
    scenario, text = resolve(ref.yaml, ref.scenario)
    return apply_overrides(scenario, ref.overrides), text


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The FastAPI application (``uvicorn callbluff.web.app:create_app --factory``)."""
    config = settings or WebSettings.from_env()
    workers = Workers(config.workers, config.timeout_s)
    # Reading and checking a scenario is quick (the loader bounds its size): it gets
    # its own threads, so that long analyses never block the page from loading one.
    readers = Workers(LIGHT_WORKERS, config.timeout_s)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        workers.shutdown()
        readers.shutdown()

    app = FastAPIOffline(
        title="callbluff",
        version=_version(),
        description="Is the bargain a test? Solve a scenario's offers exactly and read the "
        "verdict. Every computation has a time limit; bad input answers 422 with its "
        "location.",
        lifespan=lifespan,
    )
    app.add_middleware(GuardMiddleware, max_body_bytes=config.max_body_bytes)

    async def compute(job: Callable[[], T]) -> T:
        return await workers.run(job)

    async def read(job: Callable[[], T]) -> T:
        return await readers.run(job)

    @app.exception_handler(InputError)
    async def _input_error(_: Request, err: InputError) -> JSONResponse:
        return JSONResponse({"detail": input_error_body(err)}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_: Request, err: RequestValidationError) -> JSONResponse:
        # The same 422 shape as a bad scenario, so a client reads one kind of error.
        return JSONResponse({"detail": request_error_body(err.errors())}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, err: StarletteHTTPException) -> JSONResponse:
        headers = dict(err.headers or {})
        if err.status_code == 405:
            # Starlette names only the first route of the path; /api/report has two.
            headers["Allow"] = ", ".join(_allowed_methods(app, request.scope))
        return JSONResponse({"detail": str(err.detail)}, status_code=err.status_code,
                            headers=headers)

    @app.exception_handler(UnknownScenario)
    async def _unknown(_: Request, err: UnknownScenario) -> JSONResponse:
        return JSONResponse({"detail": f"no built-in scenario {err.args[0]!r} (built-in: "
                             f"{', '.join(list_builtin())})"}, status_code=404)

    @app.exception_handler(Busy)
    async def _busy(_: Request, err: Busy) -> JSONResponse:
        return JSONResponse({"detail": str(err)}, status_code=429,
                            headers={"Retry-After": "1"})

    @app.exception_handler(TooSlow)
    async def _slow(_: Request, err: TooSlow) -> JSONResponse:
        return JSONResponse({"detail": str(err)}, status_code=503,
                            headers={"Retry-After": "5"})

    for kind in (ValueError, KeyError, ArithmeticError, RecursionError, RuntimeError):
        app.add_exception_handler(kind, _unprocessable)

    errors = error_responses(404, *_ANY)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html",
                            headers={"Content-Security-Policy": PAGE_CSP,
                                     "X-Content-Type-Options": "nosniff",
                                     "Cache-Control": "no-cache"})

    @app.get("/static/plotly.min.js", include_in_schema=False)
    async def plotly() -> Response:
        return Response(_plotly_bytes(), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/scenarios", response_model=m.ScenarioList, tags=["scenarios"],
             responses=error_responses(*_ANY))
    async def scenarios() -> m.ScenarioList:
        """The built-in scenarios."""
        return await read(_scenario_list)

    @app.get("/api/scenarios/{name}", response_model=m.ScenarioDetail, tags=["scenarios"],
             responses=errors)
    async def scenario(name: str) -> m.ScenarioDetail:
        """One built-in scenario: its YAML text and a summary (with the page's sliders)."""
        text = builtin_text(name)

        def job() -> m.ScenarioDetail:
            s = load_scenario_text(text, f"{name}.yaml")
            return m.ScenarioDetail(name=name, yaml=text,
                                    summary=m.ScenarioSummary.model_validate(summary(s)))

        return await read(job)

    @app.post("/api/validate", response_model=m.ValidateResponse, tags=["scenarios"],
              responses=error_responses(*_ANY))
    async def validate(body: m.ValidateRequest) -> m.ValidateResponse:
        """Check a scenario's YAML text: ok with its summary, or 422 with the location."""
        def job() -> m.ValidateResponse:
            s = load_scenario_text(body.yaml, "<request>")
            return m.ValidateResponse(ok=True,
                                      summary=m.ScenarioSummary.model_validate(summary(s)))

        return await read(job)

    @app.post("/api/analyze", tags=["analysis"], response_model=None,
              responses={200: {"model": m.AnalysisResponse}, **errors})
    async def analyze_endpoint(body: m.AnalyzeRequest) -> JSONResponse:
        """Solve every offer and read the verdict (the JSON of ``callbluff analyze
        --json``).  Thresholds are off by default: they take many solves."""
        def job() -> dict[str, Any]:
            s, _ = _variant(body)
            check_threshold_paths(s, body.threshold_paths)
            result = analyze(s, thresholds=body.thresholds, custom_paths=body.threshold_paths,
                             policies=body.policies, package=body.package)
            return analysis_json(result)

        return JSONResponse(await compute(job))

    @app.post("/api/solve", response_model=m.SolveResponse, tags=["analysis"],
              responses=errors)
    async def solve_endpoint(body: m.SolveRequest) -> m.SolveResponse:
        """All equilibria of one offer's game, as the solver reports them."""
        def job() -> m.SolveResponse:
            s, _ = _variant(body)
            offer_id = body.offer or main_offer_id(s)
            if offer_id not in [o.id for o in s.offers]:
                raise InputError(f"no offer {offer_id!r} (offers: "
                                 f"{', '.join(o.id for o in s.offers)})", field="offer")
            game = bargain.compile_offer(s, offer_id)
            result = solve(game)
            return m.SolveResponse(scenario_id=s.id, offer=offer_id, method=result.method,
                                   complete=result.complete,
                                   incomplete_reasons=list(result.incomplete_reasons),
                                   game_sizes=game.sizes(),
                                   equilibria=[e.to_json() for e in result.equilibria])

        return await compute(job)

    @app.post("/api/sweep", response_model=m.SweepResponse, tags=["analysis"],
              responses=errors)
    async def sweep(body: m.SweepRequest) -> m.SweepResponse:
        """The headline verdict for each of at most 50 override sets."""
        def job() -> m.SweepResponse:
            base, _ = _variant(body)
            variants = []
            for i, overrides in enumerate(body.variants):
                try:
                    variants.append(apply_overrides(base, overrides))
                except InputError as err:  # every set is checked before any solve
                    raise InputError(err.message, file=f"<variants[{i}]>",
                                     field=err.field) from None
            results = []
            for overrides, variant in zip(body.variants, variants, strict=True):
                verdict = headline(variant)
                assert isinstance(verdict, tuple)
                words = [str(v) for v in verdict]
                results.append(m.SweepItem(overrides=overrides,
                                           separates=words[0] == "separates",
                                           best_policy=words[1] == "best policy",
                                           verdict=words))
            return m.SweepResponse(main_offer=main_offer_id(base), results=results)

        return await compute(job)

    def report_job(ref: m.ScenarioRef, thresholds: bool, offer: str | None) -> Callable[[], str]:
        def job() -> str:
            s, _ = _variant(ref)
            if offer is not None and offer not in [o.id for o in s.offers]:
                raise InputError(f"no offer {offer!r}", field="offer")
            return build_report(analyze(s, thresholds=thresholds), offer_id=offer)
        return job

    report_errors = error_responses(404, *_ANY, inline=True)

    @app.get("/api/report", response_class=HTMLResponse, tags=["report"],
             responses=report_errors)
    async def report_get(
        scenario: str = Query(DEFAULT, max_length=100, description="built-in scenario"),
        thresholds: bool = Query(False, description="compute the thresholds (slower)"),
        offer: str | None = Query(None, max_length=100, description="offer of the tree"),
    ) -> HTMLResponse:
        """The self-contained HTML report of a built-in scenario."""
        builtin_text(scenario)
        html_text = await compute(report_job(m.ScenarioRef(scenario=scenario), thresholds,
                                             offer))
        return HTMLResponse(html_text)

    @app.post("/api/report", response_class=HTMLResponse, tags=["report"],
              responses=report_errors)
    async def report_post(body: m.ReportRequest) -> HTMLResponse:
        """The report of any scenario (YAML or built-in, with overrides), as a download."""
        html_text = await compute(report_job(body, body.thresholds, body.offer))
        return HTMLResponse(html_text, headers={
            "Content-Disposition": 'attachment; filename="callbluff-report.html"'})

    @app.post("/api/export", response_model=m.ExportResponse, tags=["scenarios"],
              responses=errors)
    async def export(body: m.ScenarioRef) -> m.ExportResponse:
        """The scenario with its overrides applied, as YAML text (sources kept)."""
        def job() -> m.ExportResponse:
            s, _ = _variant(body)
            return m.ExportResponse(filename=f"{s.id}.yaml", yaml=dump_scenario(s))

        return await read(job)

    return app


def _allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """Every method some route of the request's path answers."""
    methods: set[str] = set()
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


async def _unprocessable(_: Request, err: Exception) -> JSONResponse:
    log.warning("unprocessable request: %s: %s", type(err).__name__, err)
    text = str(err) if not isinstance(err, KeyError) else f"unknown key {err}"
    return JSONResponse({"detail": message_error_body(f"could not process the request: "
                                                      f"{text}")}, status_code=422)


def _version() -> str:
    import callbluff

    return callbluff.__version__


__all__ = ["PAGE_CSP", "GuardMiddleware", "WebSettings", "create_app", "error_responses"]
