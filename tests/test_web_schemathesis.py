"""The web API against its own OpenAPI document (issue #8, part 2), with schemathesis.

A real ``callbluff serve`` (uvicorn, 127.0.0.1) runs with small limits — 3 s per
computation, 2 workers, 64 KiB bodies — so that a slow request answers 503 or 429
at once instead of stalling the run.  The schema is loaded from the live server
(``schemathesis.openapi.from_url``) and every operation is sent:

* schemathesis' own requests, valid (``positive``) and invalid (``negative``) for
  the schema;
* requests that are valid as JSON *and* mostly valid as scenarios (the tiny
  scenario of ``conftest_web`` or a quick built-in, with overrides drawn from the
  real paths and from junk), so that the 200 answers are checked too.

Truth (nothing copied from the server's output): the OpenAPI document the server
publishes (status code documented, body matches the response schema, content
type and documented headers present); the API's promises of ``docs/report-and-web.md``
(no 5xx except a 503 that says it hit the time limit, every error with a message,
invalid requests refused with 4xx); the server log (no traceback, no internal
failure logged with an error id, which is what a 500 would be); and the hand derivation of the tiny
scenario (the offer separates exactly when detection > 1/6).

Bounded: Hypothesis derandomized, no example database, a fixed number of examples
per operation (``EXAMPLES`` below; fewer for the expensive ones).  A nightly run
sets ``CALLBLUFF_FUZZ_EXAMPLES=N`` to send N examples per operation and mode::

    CALLBLUFF_FUZZ_EXAMPLES=500 .venv/bin/python -m pytest tests/test_web_schemathesis.py -q -s
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest_web import TINY_YAML, Server, running_server, serve_command

#: Examples per operation and generation mode in the ordinary suite.
EXAMPLES: dict[tuple[str, str], int] = {
    ("GET", "/api/scenarios"): 5,
    ("GET", "/api/glossary"): 3,
    ("GET", "/api/scenarios/{name}"): 25,
    ("POST", "/api/validate"): 25,
    ("POST", "/api/export"): 25,
    ("POST", "/api/solve"): 15,
    ("POST", "/api/analyze"): 10,
    ("POST", "/api/sweep"): 10,
    ("GET", "/api/report"): 6,
    ("POST", "/api/report"): 6,
    ("GET", "/api/runs"): 15,
    ("GET", "/api/runs/{run_id}"): 15,
    ("GET", "/api/status"): 3,
}
FUZZ_ENV = "CALLBLUFF_FUZZ_EXAMPLES"
TIME_LIMIT_S = 3
MAX_BODY = 64 * 1024
#: Built-ins whose analysis takes well under the time limit.
QUICK_BUILTINS = ["libya-2003", "south-africa-1991", "iran-jcpoa-2015"]
#: Number paths of TINY_YAML that overrides may set (and some that do not exist).
TINY_PATHS = ["regimes[strict].detection", "regimes[strict].cost", "concessions[treaty].cost",
              "concessions[treaty].values.security", "types[greedy].prior", "types[0].prior",
              "types[nobody].prior", "security_prior", "time.arsenal_growth",
              "time.discount", "cheating.penalty", "denuclearisation_value",
              "regimes[../../etc].detection", "offers[0]", ""]

CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]


def examples(method: str, path: str) -> int:
    """Examples for one operation: the suite's number, or the nightly one."""
    nightly = os.environ.get(FUZZ_ENV, "").strip()
    return int(nightly) if nightly else EXAMPLES[(method, path)]


class Watch:
    """The server, its log read as it grows, and what was sent."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.offset = 0
        self.sent: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.session = requests.Session()

    def new_log(self) -> str:
        text = self.server.log()
        fresh, self.offset = text[self.offset:], len(text)
        return fresh


@pytest.fixture(scope="module")
def watch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Watch]:
    store = tmp_path_factory.mktemp("store") / "runs.sqlite3"
    with running_server(command=serve_command(
            "--timeout", str(TIME_LIMIT_S), "--workers", "2",
            "--max-body", str(MAX_BODY), "--store", str(store))) as server:
        w = Watch(server)
        yield w
        w.session.close()
        total = sum(w.sent.values())
        print(f"\nschemathesis: {total} requests; by operation {dict(w.sent)}; "
              f"by status {dict(sorted(w.statuses.items()))}")


@pytest.fixture(scope="module")
def api(watch: Watch) -> schemathesis.schemas.BaseSchema:
    config = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {
        # An invalid request may also be too large (413); nothing else.
        "expected-statuses": ["400", "404", "405", "413", "422"]}}})
    return schemathesis.openapi.from_url(watch.server.url + "/openapi.json", config=config)


Case = schemathesis.Case[Any]


def _header(response: schemathesis.Response, name: str) -> str:
    return ", ".join(response.headers.get(name.lower(), []))


def check_answer(watch: Watch, case: Case, response: schemathesis.Response | requests.Response,
                 extra: list[Callable[..., Any]] | None = None) -> None:
    """Every promise of the API about one answer (see the module docstring)."""
    response = schemathesis.Response.from_any(response)
    watch.sent[f"{case.method} {case.path}"] += 1
    watch.statuses[response.status_code] += 1
    case.validate_response(response, checks=[*CHECKS, *(extra or [])])
    status = response.status_code
    if status >= 500:
        # The only 5xx: the documented time limit, with its message and Retry-After
        # (never a 500: that is an internal failure).
        assert status == 503, (status, response.text[:500])
        assert "longer than" in response.json()["detail"] or "time limit" in \
            response.json()["detail"], response.text
        assert _header(response, "Retry-After")
    if status >= 400:
        detail = response.json()["detail"]
        message = detail["message"] if isinstance(detail, dict) else detail
        assert isinstance(message, str) and message.strip(), response.text
    if status in (429, 503):
        assert _header(response, "Retry-After"), response.headers
    log = watch.new_log()
    # An internal failure (500, logged with its error id) is a bug of ours.
    for sign in ("Traceback", "internal error"):
        assert sign not in log, (case.method, case.path, case.body, case.query, log[-3000:])


def test_schema_lists_every_operation(api: schemathesis.schemas.BaseSchema) -> None:
    results = list(api.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results)  # every operation could be read
    found = {(op.method.upper(), op.path) for op in operations}
    assert found == set(EXAMPLES)


def _fuzz_settings(method: str, path: str) -> settings:
    return settings(max_examples=examples(method, path), derandomize=True, database=None,
                    deadline=None, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck))


POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
#: Operations no request can violate: no parameters, or one free string in the path.
NOTHING_INVALID = {("GET", "/api/scenarios"), ("GET", "/api/scenarios/{name}"),
                   ("GET", "/api/status"), ("GET", "/api/glossary")}
FUZZED = [(m, p, mode) for (m, p) in EXAMPLES for mode in (POSITIVE, NEGATIVE)
          if not (mode is NEGATIVE and (m, p) in NOTHING_INVALID)]


@pytest.mark.parametrize(("method", "path", "mode"), FUZZED,
                         ids=[f"{m} {p} {mode.value}" for m, p, mode in FUZZED])
def test_operation_conforms_to_its_schema(api: schemathesis.schemas.BaseSchema, watch: Watch,
                                          method: str, path: str,
                                          mode: schemathesis.GenerationMode) -> None:
    operation = api[path][method]
    extra = [negative_data_rejection] if mode is NEGATIVE else []

    @_fuzz_settings(method, path)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Case) -> None:
        response = case.call(base_url=watch.server.url, session=watch.session, timeout=120)
        check_answer(watch, case, response, extra)

    run()


# -- requests that are mostly valid scenarios ----------------------------------------------

_values = st.one_of(
    st.floats(min_value=-2, max_value=200, allow_nan=False),
    st.fractions(min_value=-1, max_value=3, max_denominator=12).map(str),
    st.sampled_from([0.0, 1.0, 1e300, float("inf"), float("nan"), "1/0", "x", "-0", "1e999",
                     "0.5", ""]),
)
_overrides = st.dictionaries(st.sampled_from(TINY_PATHS), _values, max_size=3)
_detection = st.fractions(min_value=0, max_value=1, max_denominator=24)
_source = st.one_of(st.just({"yaml": TINY_YAML}),
                    st.sampled_from(QUICK_BUILTINS).map(lambda name: {"scenario": name}))


def _ref(extra: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A scenario reference with overrides, merged with the fields of one operation."""
    return st.builds(lambda src, ov, more: {**src, "overrides": ov, **more},
                     _source, _overrides, extra)


BODIES: dict[tuple[str, str], st.SearchStrategy[dict[str, Any]]] = {
    ("POST", "/api/validate"): st.just({"yaml": TINY_YAML}),
    ("POST", "/api/export"): _ref(st.just({})),
    ("POST", "/api/solve"): _ref(st.fixed_dictionaries(
        {}, optional={"offer": st.sampled_from(["all-in", "nope", "../all-in", "a\x00b"])})),
    ("POST", "/api/analyze"): st.one_of(
        # The tiny scenario with only its detection moved: the verdict is known.
        _detection.map(lambda d: {"yaml": TINY_YAML, "thresholds": True,
                                  "overrides": {"regimes[strict].detection": str(d)}}),
        _ref(st.fixed_dictionaries({"policies": st.booleans(), "package": st.booleans()}))),
    ("POST", "/api/sweep"): _ref(st.fixed_dictionaries(
        {"variants": st.lists(_overrides, min_size=1, max_size=4)})),
    ("POST", "/api/report"): st.builds(lambda ov: {"yaml": TINY_YAML, "overrides": ov},
                                       _overrides),
}


def _tiny_verdict(body: dict[str, Any], response: requests.Response) -> None:
    """The hand derivation: the tiny offer separates exactly when detection > 1/6."""
    overrides = body.get("overrides", {})
    if body.get("yaml") != TINY_YAML or list(overrides) != ["regimes[strict].detection"]:
        return
    try:
        detection = Fraction(overrides["regimes[strict].detection"])
    except (ValueError, ZeroDivisionError, OverflowError):
        assert response.status_code in (422, 429, 503), response.text[:300]
        return
    if response.status_code == 200 and detection != Fraction(1, 6):
        assert response.json()["offers"][0]["separates"] is (detection > Fraction(1, 6))
    if 0 <= detection <= 1:
        assert response.status_code in (200, 429, 503), response.text


@pytest.mark.parametrize(("method", "path"), list(BODIES), ids=[f"{m} {p}" for m, p in BODIES])
def test_scenario_requests_conform(api: schemathesis.schemas.BaseSchema, watch: Watch,
                                   method: str, path: str) -> None:
    operation = api[path][method]

    @_fuzz_settings(method, path)
    @given(body=BODIES[(method, path)])
    def run(body: dict[str, Any]) -> None:
        case = operation.Case(body=body, media_type="application/json")
        # NaN and infinity go out as JSON's common extension (the server must refuse them).
        response = watch.session.request(
            method, watch.server.url + path, data=json.dumps(body).encode("utf-8"),
            headers={"content-type": "application/json"}, timeout=120)
        check_answer(watch, case, response)
        if path == "/api/analyze":
            _tiny_verdict(body, response)

    run()


@pytest.mark.parametrize("query", [{"scenario": name} for name in QUICK_BUILTINS] + [
    {"scenario": "libya-2003", "offer": "nope"}, {"scenario": "../libya-2003"}])
def test_report_of_a_builtin_conforms(api: schemathesis.schemas.BaseSchema, watch: Watch,
                                      query: dict[str, str]) -> None:
    operation = api["/api/report"]["GET"]
    case = operation.Case(query=query)
    response = case.call(base_url=watch.server.url, session=watch.session, timeout=120)
    check_answer(watch, case, response)
    expected = 200 if set(query) == {"scenario"} and query["scenario"] in QUICK_BUILTINS \
        else (404 if "offer" not in query else 422)
    assert response.status_code in (expected, 429, 503), response.text[:300]
