"""The JSON API against a real server (uvicorn in a subprocess on 127.0.0.1).

Truth: the hand derivation of the tiny scenario in ``conftest_web`` (detection
threshold 1/6, proposer value 22.5), the built-in files themselves, and the
limits the API promises (413, 422 with the line, 404, 503, never 5xx).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

import callbluff.cli.serve_cmd  # noqa: F401  (registers `serve`)
from callbluff.cli.app import app
from callbluff.game.bargain import compile_offer
from callbluff.scenario.builtin import builtin_path, list_builtin
from callbluff.scenario.loader import load_scenario_text
from callbluff.solve import solve
from callbluff.web.models import AnalysisResponse
from conftest_web import TINY_YAML, Server, running_server, serve_command
from regret_oracle import independent_regret

NK = "north-korea-2009"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_server(command=serve_command("--timeout", "300")) as srv:
        yield srv
        log = srv.log()
        assert "Traceback" not in log, log


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=300) as c:
        yield c


def _post(client: httpx.Client, path: str, body: Any) -> httpx.Response:
    return client.post(path, json=body)


# -- scenarios --------------------------------------------------------------------------

def test_lists_every_builtin_scenario(client: httpx.Client) -> None:
    r = client.get("/api/scenarios")
    assert r.status_code == 200
    data = r.json()
    assert [s["name"] for s in data["scenarios"]] == list_builtin()
    assert data["default"] == NK


def test_builtin_scenario_text_and_controls(client: httpx.Client) -> None:
    r = client.get(f"/api/scenarios/{NK}")
    assert r.status_code == 200
    data = r.json()
    assert data["yaml"] == builtin_path(NK).read_text(encoding="utf-8")
    summary = data["summary"]
    scenario = load_scenario_text(data["yaml"])
    main = scenario.offer(summary["main_offer"])
    paths = {c["path"]: c for c in summary["controls"]}
    detection = paths[f"regimes[{main.regime}].detection"]
    assert detection["value"] == float(scenario.regime(main.regime).detection)
    assert (detection["min"], detection["max"]) == (0, 1)
    assert "security_prior" in paths and "time.arsenal_growth" in paths
    assert {f"concessions[{c}].cost" for c in main.concessions} <= set(paths)


@pytest.mark.parametrize("name", ["no-such-scenario", "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fhosts"])
def test_unknown_scenario_is_404(client: httpx.Client, name: str) -> None:
    assert client.get(f"/api/scenarios/{name}").status_code == 404
    r = _post(client, "/api/analyze", {"scenario": name.replace("%2F", "/")})
    assert r.status_code == 404


def test_validate_reports_line_column_field(client: httpx.Client) -> None:
    bad = TINY_YAML.replace("prior: 0.5\n    weights: {security: 0.5",
                            "prior: lots\n    weights: {security: 0.5")
    line = bad.splitlines().index("    prior: lots") + 1
    r = _post(client, "/api/validate", {"yaml": bad})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail["line"] == line
    assert detail["column"] == len("    prior: ") + 1
    assert detail["field"] == "types[1].prior"
    broken = _post(client, "/api/validate", {"yaml": "id: [unclosed\n"})
    assert broken.status_code == 422 and broken.json()["detail"]["line"] is not None


def test_validate_accepts_good_yaml(client: httpx.Client) -> None:
    r = _post(client, "/api/validate", {"yaml": TINY_YAML})
    assert r.status_code == 200
    assert r.json()["ok"] is True
    assert r.json()["summary"]["main_offer"] == "all-in"


# -- analysis ------------------------------------------------------------------------------

def test_analyze_tiny_matches_hand_derivation(client: httpx.Client) -> None:
    r = _post(client, "/api/analyze", {"yaml": TINY_YAML, "thresholds": True})
    assert r.status_code == 200
    data = r.json()
    AnalysisResponse.model_validate(data)  # the documented shape
    offer = data["offers"][0]
    assert offer["separates"] is True
    assert offer["thresholds"]["detection_exact"] == "1/6"
    worst = offer["equilibria"][offer["proposer_worst"]]
    assert worst["payoffs_exact"]["proposer"] == "45/2"


@pytest.mark.parametrize(("detection", "separates"), [(0.1, False), (0.2, True), (0.9, True)])
def test_override_detection_moves_verdict(client: httpx.Client, detection: float,
                                          separates: bool) -> None:
    body = {"yaml": TINY_YAML, "overrides": {"regimes[strict].detection": detection}}
    r = _post(client, "/api/analyze", body)
    assert r.status_code == 200
    assert r.json()["offers"][0]["separates"] is separates


def test_bad_override_is_422_with_field(client: httpx.Client) -> None:
    r = _post(client, "/api/analyze",
              {"yaml": TINY_YAML, "overrides": {"regimes[strict].detection": 1.5}})
    assert r.status_code == 422
    assert "probability" in r.json()["detail"]["message"]
    r = _post(client, "/api/analyze", {"yaml": TINY_YAML, "overrides": {"nothing.here": 1}})
    assert r.status_code == 422
    assert r.json()["detail"]["field"] == "nothing.here"
    r = _post(client, "/api/analyze", {"yaml": TINY_YAML, "overrides": {"security_prior": "x"}})
    assert r.status_code == 422


def test_security_prior_override(client: httpx.Client) -> None:
    r = _post(client, "/api/export", {"yaml": TINY_YAML, "overrides": {"security_prior": 0.8}})
    assert r.status_code == 200
    scenario = load_scenario_text(r.json()["yaml"])
    assert [float(t.prior) for t in scenario.types] == [0.8, pytest.approx(0.2)]


@pytest.mark.parametrize("key", ["greedy", "1"])
def test_type_prior_override_rescales_the_others(client: httpx.Client, key: str) -> None:
    r = _post(client, "/api/export",
              {"yaml": TINY_YAML, "overrides": {f"types[{key}].prior": "1/4"}})
    assert r.status_code == 200, r.text
    scenario = load_scenario_text(r.json()["yaml"])
    assert [str(t.prior) for t in scenario.types] == ["3/4", "1/4"]


def test_export_keeps_sources(client: httpx.Client) -> None:
    r = _post(client, "/api/export",
              {"scenario": NK, "overrides": {"regimes[rigorous].detection": "3/4"}})
    assert r.status_code == 200
    exported = load_scenario_text(r.json()["yaml"])
    original = load_scenario_text(builtin_path(NK).read_text(encoding="utf-8"))
    assert str(exported.regime("rigorous").detection) == "3/4"
    assert exported.annotations == original.annotations


def test_solve_returns_zero_regret_equilibria(client: httpx.Client) -> None:
    r = _post(client, "/api/solve", {"yaml": TINY_YAML, "offer": "all-in"})
    assert r.status_code == 200
    data = r.json()
    assert data["equilibria"]
    # the served profiles are the solver's, and those pass the independent check
    ours = solve(compile_offer(load_scenario_text(TINY_YAML), "all-in"))
    for eq, mine in zip(data["equilibria"], ours.equilibria, strict=True):
        assert independent_regret(ours.game, mine) == 0
        assert eq["strategies"] == {h: {a: float(p) for a, p in acts.items()}
                                    for h, acts in mine.behaviour.items()}
    assert any(eq["payoffs_exact"]["Proposer"] == "45/2" for eq in data["equilibria"])
    missing = _post(client, "/api/solve", {"yaml": TINY_YAML, "offer": "nope"})
    assert missing.status_code == 422


def test_sweep_headlines(client: httpx.Client) -> None:
    variants = [{"regimes[strict].detection": d} for d in (0.1, 0.5, 0.9)]
    r = _post(client, "/api/sweep", {"yaml": TINY_YAML, "variants": variants})
    assert r.status_code == 200
    assert [x["separates"] for x in r.json()["results"]] == [False, True, True]


def test_report_post_returns_html(client: httpx.Client) -> None:
    r = _post(client, "/api/report", {"yaml": TINY_YAML})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "attachment" in r.headers["content-disposition"]
    assert 'data-separates="true"' in r.text


# -- limits ----------------------------------------------------------------------------------

def test_oversize_body_is_413(client: httpx.Client) -> None:
    big = TINY_YAML + "#" + "x" * (300 * 1024) + "\n"
    r = _post(client, "/api/validate", {"yaml": big})
    assert r.status_code == 413


def test_oversize_streamed_body_is_413(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"yaml": "'
        for _ in range(40):
            yield b"x" * 10_000
        yield b'"}'

    r = client.post("/api/validate", content=chunks(),
                    headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_too_large_sweep_is_422(client: httpx.Client) -> None:
    variants = [{"regimes[strict].detection": 0.5}] * 51
    r = _post(client, "/api/sweep", {"yaml": TINY_YAML, "variants": variants})
    assert r.status_code == 422


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/api/analyze", b"not json"),
    ("POST", "/api/analyze", b'{"yaml": 5}'),
    ("POST", "/api/analyze", b'{"yaml": "- a\\n- list\\n"}'),
    ("POST", "/api/analyze", b'{"yaml": ""}'),
    ("POST", "/api/analyze", b'{"yaml": "a: &x [*x]"}'),
    ("POST", "/api/analyze", b'{"yaml": "x", "scenario": "north-korea-2009"}'),
    ("POST", "/api/analyze",
     b'{"scenario": "north-korea-2009", "overrides": {"time.rounds": 1e300}}'),
    ("POST", "/api/analyze", b'{"scenario": "north-korea-2009", "overrides": {"x": null}}'),
    ("POST", "/api/validate", b'{"yaml": "!!python/object:os.system [ls]"}'),
    ("POST", "/api/solve", b'{"yaml": "id: 1"}'),
    ("POST", "/api/sweep", b'{"variants": []}'),
    ("POST", "/api/sweep", b'{"variants": [{"regimes[rigorous].detection": -1}]}'),
    ("GET", "/api/report?scenario=nope", b""),
    ("POST", "/api/export", b'{"overrides": {"types[0].prior": 2}}'),
])
def test_bad_requests_are_4xx(client: httpx.Client, method: str, path: str,
                              body: bytes) -> None:
    r = client.request(method, path, content=body or None,
                       headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500, (r.status_code, r.text)


def test_openapi_documents_the_api(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/scenarios", "/api/scenarios/{name}", "/api/validate", "/api/analyze",
                 "/api/solve", "/api/sweep", "/api/report", "/api/export"):
        assert path in spec["paths"]
    analyze = spec["paths"]["/api/analyze"]["post"]
    assert {"200", "413", "422", "429", "503"} <= set(analyze["responses"])


def test_page_and_plotly_are_served_locally(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "http://" not in page.text and "https://" not in page.text
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000
    assert client.get("/static/app.js").status_code == 200


def test_slow_computation_is_503_not_a_hang() -> None:
    with running_server(command=serve_command("--timeout", "0.1", "--workers", "1")) as srv:
        r = httpx.post(srv.url + "/api/analyze", json={"yaml": TINY_YAML, "thresholds": True},
                       timeout=60)
        assert r.status_code in (503, 429)
        assert "longer than" in r.json()["detail"] or "busy" in r.json()["detail"]
        assert "Traceback" not in srv.log()


def test_serve_command_help() -> None:
    help_text = CliRunner().invoke(app, ["serve", "--help"])
    assert help_text.exit_code == 0 and "Example" in help_text.output
