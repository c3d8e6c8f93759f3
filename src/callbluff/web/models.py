"""Request and response models of the web API (they make its OpenAPI document).

Response models describe the stable part of each answer and allow extra keys, so
the analysis JSON (:func:`callbluff.analysis.jsonify.analysis_json`) passes through
whole: it is the contract, these models document it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from callbluff.scenario.safe_yaml import LIMITS

#: Most variants one sweep request may ask for.
MAX_SWEEP = 50
#: Most overrides in one set.
MAX_OVERRIDES = 64
#: Most extra threshold searches one request may ask for.
MAX_THRESHOLD_PATHS = 4

Number = float | str
Overrides = dict[str, Number]


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ScenarioRef(BaseModel):
    """A scenario: YAML text, or the name of a built-in one (default north-korea-2009),
    with optional overrides ``{path: value}``.  Paths are those of ``callbluff analyze
    --threshold`` (``regimes[rigorous].detection``, ``concessions[peace-treaty].cost``,
    ``types[mixed].prior``); the key ``security_prior`` sets the prior mass of all
    security-only types together.  Values are numbers or exact ``"p/q"`` strings."""

    model_config = ConfigDict(extra="forbid")
    yaml: str | None = Field(default=None, max_length=LIMITS.file_bytes,
                             description="scenario YAML text")
    scenario: str | None = Field(default=None, max_length=100,
                                 description="built-in scenario name")
    overrides: Overrides = Field(default_factory=dict, max_length=MAX_OVERRIDES)

    @model_validator(mode="after")
    def _one_source(self) -> ScenarioRef:
        if self.yaml is not None and self.scenario is not None:
            raise ValueError("give either 'yaml' or 'scenario', not both")
        return self


class ValidateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    yaml: str = Field(max_length=LIMITS.file_bytes, description="scenario YAML text")


class AnalyzeRequest(ScenarioRef):
    thresholds: bool = Field(default=False, description="compute the exact thresholds "
                             "(slower: many solves)")
    threshold_paths: list[str] = Field(default_factory=list, max_length=MAX_THRESHOLD_PATHS,
                                       description="extra numbers whose verdict flips to find")
    policies: bool = Field(default=True, description="compare all in now with more talks")
    package: bool = Field(default=True, description="find the cheapest separating package")


class SolveRequest(ScenarioRef):
    offer: str | None = Field(default=None, max_length=100,
                              description="offer id (default: the main offer)")


class SweepRequest(ScenarioRef):
    variants: list[Overrides] = Field(min_length=1, max_length=MAX_SWEEP,
                                      description=f"override sets, at most {MAX_SWEEP}")


class ReportRequest(ScenarioRef):
    thresholds: bool = False
    offer: str | None = Field(default=None, max_length=100,
                              description="offer whose game tree is drawn")


# -- responses ------------------------------------------------------------------------

class Control(BaseModel):
    path: str
    label: str
    group: str
    value: float
    min: float
    max: float
    step: float


class TypeSummary(BaseModel):
    id: str
    label: str
    prior: float
    security_only: bool


class OfferSummary(BaseModel):
    id: str
    label: str
    regime: str
    concessions: list[str]


class ScenarioSummary(BaseModel):
    id: str
    title: str
    year: int | None
    description: str
    proposer: str
    target: str
    types: list[TypeSummary]
    offers: list[OfferSummary]
    main_offer: str
    controls: list[Control]


class ScenarioListItem(BaseModel):
    name: str
    title: str
    year: int | None


class ScenarioList(BaseModel):
    default: str
    scenarios: list[ScenarioListItem]


class ScenarioDetail(BaseModel):
    name: str
    yaml: str
    summary: ScenarioSummary


class ValidateResponse(BaseModel):
    ok: bool
    summary: ScenarioSummary


class InputErrorBody(BaseModel):
    message: str
    file: str | None
    line: int | None = Field(description="1-based line in the YAML text, when known")
    column: int | None
    field: str | None = Field(description="dotted path of the bad field")
    text: str = Field(description="the whole error as one line")


class InputErrorResponse(BaseModel):
    detail: InputErrorBody


class MessageResponse(BaseModel):
    detail: str


class InternalErrorResponse(BaseModel):
    detail: str
    error_id: str = Field(description="the id under which the server logged the failure")


class OfferResult(Open):
    id: str
    label: str
    regime: str
    method: str
    complete: bool = Field(description="false: the equilibrium list may miss outcomes")
    incomplete_reasons: list[str]
    separates: bool
    separates_in_some_equilibrium: bool
    equilibria: list[dict[str, Any]]
    thresholds: dict[str, Any] | None


class AnalysisResponse(Open):
    """The analysis JSON of ``callbluff analyze --json``."""

    scenario: dict[str, Any]
    main_offer: str
    offers: list[OfferResult]
    status_quo: dict[str, Any]
    best_offer: dict[str, str]
    cheapest_package: dict[str, Any] | None
    talks: dict[str, Any] | None = Field(
        default=None, description="the talks game (docs/model.md, 'Talks that teach'): "
        "policies, the best, the value of acting now, the posterior path")
    summary: dict[str, Any] = Field(description="the one-screen summary: question, answer, "
                                    "numbers (deciding numbers), action")
    verdict: list[str]


class SolveResponse(BaseModel):
    scenario_id: str
    offer: str
    method: str
    complete: bool = Field(description="false: the equilibrium list may miss outcomes")
    incomplete_reasons: list[str]
    game_sizes: dict[str, int]
    equilibria: list[dict[str, Any]]


class SweepItem(BaseModel):
    overrides: Overrides
    separates: bool = Field(description="the main offer separates in every equilibrium")
    best_policy: bool = Field(description="the main offer is the proposer's best policy "
                              "(worst-equilibrium selection)")
    verdict: list[str]


class SweepResponse(BaseModel):
    main_offer: str
    results: list[SweepItem]


class ExportResponse(BaseModel):
    filename: str
    yaml: str


class RunSummaryModel(BaseModel):
    """A saved run without its scenario text, parameters and result."""

    id: int
    kind: str
    scenario_id: str
    scenario_sha256: str
    version: str
    seed: int | None
    created_at: str = Field(description="UTC, ISO 8601")


class RunList(BaseModel):
    read_only: bool = Field(description="the server saves no new runs (--read-only-store)")
    runs: list[RunSummaryModel]


class RunDetail(RunSummaryModel):
    """A saved run, whole (as ``callbluff runs show --json``)."""

    scenario_text: str
    params: dict[str, Any]
    result: Any
    checksum: str


class ServerStatus(BaseModel):
    workers: int = Field(description="worker processes (--workers)")
    busy: int = Field(description="workers computing now")
    waiting: int = Field(description="requests waiting for a worker")
    queue_length: int = Field(description="most requests that may wait (--queue)")
    time_limit_s: float = Field(description="seconds one computation may take (--timeout)")
    worker_pids: list[int]
    workers_replaced: int = Field(description="workers killed (time limit) or lost, and "
                                  "replaced, since the start")
    workers_recycled: int = Field(description="workers replaced after their share of jobs "
                                  "(memory kept flat), since the start")
    store: str = Field(description="none, read-write or read-only")
    token_required: bool


__all__ = [
    "MAX_SWEEP", "AnalysisResponse", "AnalyzeRequest", "Control", "ExportResponse",
    "InputErrorBody", "InputErrorResponse", "InternalErrorResponse", "MessageResponse",
    "ReportRequest", "RunDetail", "RunList", "RunSummaryModel", "ScenarioDetail",
    "ScenarioList", "ScenarioListItem", "ScenarioRef", "ScenarioSummary", "ServerStatus",
    "SolveRequest", "SolveResponse", "SweepItem", "SweepRequest", "ValidateRequest",
    "ValidateResponse",
]
