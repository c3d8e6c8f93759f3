"""The web face: a JSON API (FastAPI, documented at ``/openapi.json``) and one page.

Limits, so that no request can hang the server or crash it:

* request bodies above ``max_body_bytes`` (default 256 KiB) get **413**;
* every computation (analyze, solve, sweep, report) runs in one of ``workers``
  worker processes (default 2) with a time limit (default 60 s): past it the
  process is killed, a fresh one takes its place, and the answer is **503**; up to
  ``queue_length`` requests (default 8) wait for a free worker, and beyond that the
  answer is **429** at once (both with ``Retry-After``); a worker that dies under a
  request (killed by the OS) gives **503** too, and is replaced
  (:mod:`callbluff.web.pool`);
* a sweep asks for at most 50 variants (**422** beyond);
* bad YAML, a bad override or a request that does not match its schema is **422**
  with one body shape (:class:`~callbluff.web.models.InputErrorResponse`: message,
  file, line, column, field) — 422 is for bad input only;
* a body that cannot be read as UTF-8 JSON is **400**; an unknown built-in scenario
  or saved run is **404**; a method a path does not have is **405** with the right
  ``Allow``;
* with a token (``--token``), an API call without it is **401**;
* any other failure is ours: it is logged with an error id and a traceback
  (``internal error <id> on POST /api/analyze``), and answered **500** with the same
  id (:class:`~callbluff.web.models.InternalErrorResponse`), so that a user's report
  finds the log line.

With a run store (``store_path``), every computation answered 200 is saved first
(its id in the ``X-Run-Id`` header) and ``/api/runs`` reads the saved runs; see
:mod:`callbluff.web.runs` for ``read_only_store``.

Every one of these answers is documented in the OpenAPI document, and
``tests/test_web_schemathesis.py`` checks the server against it (schemathesis).

Nothing from a request is evaluated as code: scenarios go through the safe loader
(:mod:`callbluff.scenario.loader`), built-in scenarios are looked up by name only
(never as a path).  The page is static HTML+JS served from the package, with
Plotly's JavaScript from the installed ``plotly`` package; no external network.

Run it with ``callbluff serve`` or ``uvicorn callbluff.web.app:create_app --factory``
(settings then come from the environment: :meth:`WebSettings.from_env`).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import tempfile
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline  # /docs and /redoc from packaged assets, no CDN
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from callbluff.errors import InputError
from callbluff.glossary import GLOSSARY
from callbluff.report.html import plotly_js
from callbluff.scenario.builtin import DEFAULT, list_builtin
from callbluff.scenario.loader import dump_scenario, load_scenario_text
from callbluff.store.sqlite import NoSuchRun
from callbluff.web import jobs
from callbluff.web import models as m
from callbluff.web.pool import Busy, JobFailed, TooSlow, WorkerLost, WorkerPool
from callbluff.web.runs import RunLog
from callbluff.web.service import (
    UnknownScenario,
    Workers,
    builtin_text,
    exported_yaml,
    input_error_body,
    request_error_body,
    resolve,
    summary,
)
from callbluff.web.settings import WebSettings

log = logging.getLogger("callbluff.web")
STATIC = Path(__file__).resolve().parent / "static"
#: Threads for reading, checking and writing scenarios (not for analyses), and how
#: many such jobs may wait for one (a class loading the page at once).
LIGHT_WORKERS = 4
LIGHT_WAITING = 64
T = TypeVar("T")

PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; "
            "base-uri 'none'; frame-ancestors 'none'; form-action 'none'")


# -- ASGI guards -----------------------------------------------------------------------

UNAUTHORISED = ("this server needs its access token: send the header "
                "'Authorization: Bearer <token>' (the page asks for it)")


async def _send_json(send: Send, status: int, body: dict[str, Any],
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    data = json.dumps(body).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode("ascii")),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


def internal_error(method: object, path: object, err: BaseException) -> dict[str, str]:
    """Log ``err`` (a bug of ours, or a failure of the server's own machinery) under a
    fresh error id, with its traceback; the 500 body that names the id."""
    error_id = uuid.uuid4().hex[:12]
    worker_trace = f"\nin the worker:\n{err.worker_traceback}" if isinstance(
        err, JobFailed) else ""
    log.error("internal error %s on %s %s: %s: %s%s", error_id, method, path,
              type(err).__name__, err, worker_trace, exc_info=err)
    return {"detail": f"internal error {error_id}: the server failed on this request "
                      "(not an error in it); it was logged under this id",
            "error_id": error_id}


class GuardMiddleware:
    """The access token of ``/api/`` calls (401), the body size limit (413), and the
    last resort for failures: logged with an error id, then 500."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, token: str | None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.token = token.encode("utf-8") if token else None

    def _authorised(self, scope: Scope) -> bool:
        if self.token is None or not str(scope.get("path", "")).startswith("/api/"):
            return True
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                scheme, _, given = value.partition(b" ")
                return scheme.lower() == b"bearer" and hmac.compare_digest(
                    given.strip(), self.token)
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self._authorised(scope):
            await _send_json(send, 401, {"detail": UNAUTHORISED},
                             [(b"www-authenticate", b'Bearer realm="callbluff"')])
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
        except Exception as err:
            failure = internal_error(scope.get("method"), scope.get("path"), err)
            if not started:
                await _send_json(send, 500, failure)


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
_ErrorModel = type[m.MessageResponse] | type[m.InputErrorResponse] | type[
    m.InternalErrorResponse]
#: Every error answer of the API: (body model, description).
_ERRORS: dict[int, tuple[_ErrorModel, str]] = {
    400: (m.MessageResponse, "the body could not be read as UTF-8 JSON, or a bad "
          "Content-Length"),
    401: (m.MessageResponse, "the server has an access token and the request did not "
          "send it (Authorization: Bearer <token>)"),
    404: (m.MessageResponse, "unknown built-in scenario or saved run, or no run store"),
    413: (m.MessageResponse, "request body too large"),
    422: (m.InputErrorResponse, "bad scenario, override or request field (with its "
          "line, column, field), or a sweep too large"),
    429: (m.MessageResponse, "every worker busy and the queue full: retry after "
          "Retry-After seconds"),
    500: (m.InternalErrorResponse, "a failure of the server (a bug, or a damaged run "
          "store), logged under the error id"),
    503: (m.MessageResponse, "computation past its time limit (ask for less), or its "
          "worker process died (retry)"),
}
#: Seconds to wait before a retry, by status.
RETRY_AFTER_S = {429: 1, 503: 5}
#: Seconds to wait after a worker died under the request (it is replaced at once).
RETRY_AFTER_LOST_S = 1


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


#: Errors any request can meet (the token, the body guard, the worker limits, a bug).
_ANY = (400, 401, 413, 422, 429, 500, 503)


def _check_builtin(ref: m.ScenarioRef) -> None:
    """An unknown built-in is a 404, found before any worker is asked."""
    if ref.yaml is None:
        builtin_text(ref.scenario or DEFAULT)


#: Analyses of built-in scenarios kept by :class:`AnswerCache` (a few MB at most).
ANSWERS_KEPT = 256


class AnswerCache:
    """The last ``size`` analyses of built-in scenarios, by request.  An analysis is a
    pure function of its request (a built-in's name, overrides and options), so a
    class of students opening the same scenario, or a slider moved back to a value
    already seen, is answered without a worker.  Uploaded scenarios are not kept."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[str, jobs.Computed[Any]] = OrderedDict()

    @staticmethod
    def key(job: Callable[..., Any], args: tuple[Any, ...]) -> str | None:
        """The request's key, or ``None`` for what is not kept."""
        if job is not jobs.analyze_job or len(args) != 1:
            return None
        body = args[0]
        if not isinstance(body, m.AnalyzeRequest) or body.yaml is not None:
            return None
        return body.model_dump_json()

    def get(self, key: str) -> jobs.Computed[Any] | None:
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
        return found

    def put(self, key: str, done: jobs.Computed[Any]) -> None:
        self._kept[key] = done
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The FastAPI application (``uvicorn callbluff.web.app:create_app --factory``)."""
    config = settings or WebSettings.from_env()
    pool = WorkerPool(config.workers, config.queue_length, config.timeout_s,
                      config.jobs_per_worker)
    # Reading and checking a scenario is quick (the loader bounds its size): it gets
    # its own threads, so that long analyses never block the page from loading one.
    readers = Workers(LIGHT_WORKERS, config.timeout_s, LIGHT_WAITING)
    runs = (RunLog(config.store_path, config.read_only_store)
            if config.store_path is not None else None)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(pool.start)
        await asyncio.to_thread(_scenario_list)  # read once, before the first visitor
        try:
            yield
        finally:
            # uvicorn calls this once every request in flight has been answered.
            pool.close()
            readers.shutdown()
            if runs is not None:
                runs.close()

    app = FastAPIOffline(
        title="callbluff",
        version=_version(),
        description="Is the bargain a test? Solve a scenario's offers exactly and read the "
        "verdict. Every computation has a time limit; bad input answers 422 with its "
        "location.",
        lifespan=lifespan,
    )
    app.add_middleware(GuardMiddleware, max_body_bytes=config.max_body_bytes,
                       token=config.token)

    answers = AnswerCache(ANSWERS_KEPT)

    async def compute(job: Callable[..., jobs.Computed[T]], *args: Any
                      ) -> tuple[T, dict[str, str]]:
        """The job's answer, once its run is saved; the headers that name the run.
        Analyses of built-in scenarios are remembered (:class:`AnswerCache`); every
        answer sent is still saved as a run."""
        key = AnswerCache.key(job, args)
        kept = answers.get(key) if key is not None else None
        done: jobs.Computed[T] = kept if kept is not None else await pool.run(job, *args)
        if kept is None and key is not None:
            answers.put(key, done)
        run_id = await runs.record(done.run) if runs is not None else None
        return done.answer, ({} if run_id is None else {"X-Run-Id": str(run_id)})

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

    @app.exception_handler(NoSuchRun)
    async def _no_run(_: Request, err: NoSuchRun) -> JSONResponse:
        return JSONResponse({"detail": err.message}, status_code=404)

    @app.exception_handler(Busy)
    async def _busy(_: Request, err: Busy) -> JSONResponse:
        return JSONResponse({"detail": str(err)}, status_code=429,
                            headers={"Retry-After": str(RETRY_AFTER_S[429])})

    @app.exception_handler(TooSlow)
    async def _slow(_: Request, err: TooSlow) -> JSONResponse:
        return JSONResponse({"detail": str(err)}, status_code=503,
                            headers={"Retry-After": str(RETRY_AFTER_S[503])})

    @app.exception_handler(WorkerLost)
    async def _lost(request: Request, err: WorkerLost) -> JSONResponse:
        log.warning("%s on %s %s", err, request.method, request.url.path)
        return JSONResponse({"detail": str(err)}, status_code=503,
                            headers={"Retry-After": str(RETRY_AFTER_LOST_S)})

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

    @app.get("/api/glossary", response_model=dict[str, str], tags=["scenarios"],
             responses=error_responses(*_ANY))
    async def glossary() -> dict[str, str]:
        """Every technical term the page, the report and the CLI print, with a plain
        gloss (docs/glossary.md)."""
        return GLOSSARY

    @app.get("/api/scenarios", response_model=m.ScenarioList, tags=["scenarios"],
             responses=error_responses(*_ANY))
    async def scenarios() -> m.ScenarioList:
        """The built-in scenarios."""
        return _scenario_list()  # read at start-up

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
        _check_builtin(body)
        document, headers = await compute(jobs.analyze_job, body)
        return JSONResponse(document, headers=headers)

    @app.post("/api/solve", response_model=m.SolveResponse, tags=["analysis"],
              responses=errors)
    async def solve_endpoint(body: m.SolveRequest) -> JSONResponse:
        """All equilibria of one offer's game, as the solver reports them."""
        _check_builtin(body)
        answer, headers = await compute(jobs.solve_job, body)
        return JSONResponse(answer.model_dump(mode="json"), headers=headers)

    @app.post("/api/sweep", response_model=m.SweepResponse, tags=["analysis"],
              responses=errors)
    async def sweep(body: m.SweepRequest) -> JSONResponse:
        """The headline verdict for each of at most 50 override sets."""
        _check_builtin(body)
        answer, headers = await compute(jobs.sweep_job, body)
        return JSONResponse(answer.model_dump(mode="json"), headers=headers)

    report_errors = error_responses(404, *_ANY, inline=True)

    async def report(ref: m.ScenarioRef, thresholds: bool, offer: str | None,
                     headers: dict[str, str]) -> FileResponse:
        """The report, written by the worker to a temporary file that is sent in chunks
        and removed once sent (or at once if the job fails)."""
        handle, path = tempfile.mkstemp(prefix="callbluff-report-", suffix=".html")
        os.close(handle)
        try:
            _, run_headers = await compute(jobs.report_job, ref, thresholds, offer, path)
        except BaseException:
            os.unlink(path)
            raise
        return FileResponse(path, media_type="text/html; charset=utf-8",
                            headers={**run_headers, **headers},
                            background=BackgroundTask(os.unlink, path))

    @app.get("/api/report", response_class=HTMLResponse, tags=["report"],
             responses=report_errors)
    async def report_get(
        scenario: str = Query(DEFAULT, max_length=100, description="built-in scenario"),
        thresholds: bool = Query(False, description="compute the thresholds (slower)"),
        offer: str | None = Query(None, max_length=100, description="offer of the tree"),
    ) -> FileResponse:
        """The self-contained HTML report of a built-in scenario."""
        builtin_text(scenario)
        return await report(m.ScenarioRef(scenario=scenario), thresholds, offer, {})

    @app.post("/api/report", response_class=HTMLResponse, tags=["report"],
              responses=report_errors)
    async def report_post(body: m.ReportRequest) -> FileResponse:
        """The report of any scenario (YAML or built-in, with overrides), as a download."""
        _check_builtin(body)
        return await report(body, body.thresholds, body.offer, {
            "Content-Disposition": 'attachment; filename="callbluff-report.html"'})

    def run_store() -> RunLog:
        if runs is None:
            raise StarletteHTTPException(404, "this server saves no runs (start it with "
                                              "callbluff serve --store PATH)")
        return runs

    @app.get("/api/runs", response_model=m.RunList, tags=["runs"],
             responses=error_responses(404, *_ANY))
    async def list_runs(
        limit: int = Query(50, ge=0, le=1000, description="newest runs to list"),
        kind: Literal["analyze", "sweep", "report", "solve"] | None = Query(
            None, description="only runs of this kind"),
        scenario_id: str | None = Query(None, max_length=100,
                                        description="only runs of this scenario id"),
    ) -> m.RunList:
        """The saved runs, newest first (with ``--store``)."""
        found = await run_store().list(limit, kind, scenario_id)
        return m.RunList(read_only=run_store().read_only,
                         runs=[m.RunSummaryModel.model_validate(r.to_json()) for r in found])

    @app.get("/api/runs/{run_id}", response_model=m.RunDetail, tags=["runs"],
             responses=error_responses(404, *_ANY))
    async def get_run(run_id: int = PathParam(ge=1, le=2**63 - 1)) -> m.RunDetail:
        """One saved run, whole (its checksum checked: a damaged run is a 500)."""
        record = await run_store().get(run_id)
        return m.RunDetail.model_validate(record.to_json())

    @app.get("/api/status", response_model=m.ServerStatus, tags=["server"],
             responses=error_responses(*_ANY))
    async def status() -> m.ServerStatus:
        """The worker pool (size, busy, waiting, time limit, worker process ids) and
        the modes of the server."""
        now = pool.status()
        store = "none" if runs is None else "read-only" if runs.read_only else "read-write"
        return m.ServerStatus(workers=now.size, busy=now.busy, waiting=now.waiting,
                              queue_length=now.queue_length, time_limit_s=now.time_limit_s,
                              worker_pids=list(now.worker_pids),
                              workers_replaced=now.replaced,
                              workers_recycled=now.recycled, store=store,
                              token_required=config.token is not None)

    @app.post("/api/export", response_model=m.ExportResponse, tags=["scenarios"],
              responses=errors)
    async def export(body: m.ScenarioRef) -> m.ExportResponse:
        """The scenario with its overrides applied, as YAML text (sources kept)."""
        def job() -> m.ExportResponse:
            s = jobs.variant(body)
            _, text = resolve(body.yaml, body.scenario)
            return m.ExportResponse(filename=f"{s.id}.yaml", yaml=exported_yaml(
                text, dump_scenario(s), jobs.edit_lines(body)))

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


def _version() -> str:
    import callbluff

    return callbluff.__version__


__all__ = ["PAGE_CSP", "GuardMiddleware", "WebSettings", "create_app", "error_responses",
           "internal_error"]
