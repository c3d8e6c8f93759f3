"""What the web API does, without HTTP: find a scenario, apply overrides, describe it,
and run analyses in worker threads with a time limit.

No model logic lives here: scenarios come from :mod:`callbluff.scenario.loader`,
numbers are moved with :func:`callbluff.analysis.thresholds.with_number` /
:func:`~callbluff.analysis.thresholds.with_prior`, and every answer is computed by
:mod:`callbluff.analysis`.  A changed scenario is validated again as a whole
(its exact data through :class:`Scenario`), so a value out of range is reported
as it would be in a file.
"""

from __future__ import annotations

import asyncio
import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from callbluff.analysis.numbers import exact
from callbluff.analysis.thresholds import get_number, with_number, with_prior
from callbluff.analysis.verdict import main_offer_id
from callbluff.errors import InputError, TimeLimitError, time_limit
from callbluff.scenario.builtin import builtin_path, list_builtin
from callbluff.scenario.loader import load_scenario_text
from callbluff.scenario.schema import Annotation, Scenario, to_fraction
from callbluff.web.models import Control
from callbluff.web.pool import Busy, TooSlow

#: Override key that sets the prior mass of all security-only types together.
SECURITY_PRIOR = "security_prior"

T = TypeVar("T")
#: ``types[<id or index>].prior``: the other types' priors keep their proportions.
_TYPE_PRIOR = re.compile(r"types\[([^\]]+)\]\.prior")


class UnknownScenario(LookupError):
    """No built-in scenario of that name."""


def builtin_text(name: str) -> str:
    """The YAML text of a built-in scenario (never a path: names only)."""
    if name not in list_builtin():
        raise UnknownScenario(name)
    return builtin_path(name).read_text(encoding="utf-8")


def resolve(yaml_text: str | None, name: str | None) -> tuple[Scenario, str]:
    """The scenario of a request (YAML text, else a built-in name) and its text."""
    if yaml_text is not None:
        return load_scenario_text(yaml_text, "<request>"), yaml_text
    chosen = name or "north-korea-2009"
    text = builtin_text(chosen)
    return load_scenario_text(text, f"{chosen}.yaml"), text


def apply_overrides(scenario: Scenario, overrides: Mapping[str, float | str]) -> Scenario:
    """``scenario`` with each ``path: value`` set (``security_prior`` moves the prior
    mass of the security-only types), validated again as a whole."""
    if not overrides:
        return scenario
    variant = scenario
    for path, raw in overrides.items():
        try:
            value = to_fraction(raw)
        except ValueError as err:
            raise InputError(f"override {path!r}: {err}", file="<overrides>",
                             field=path) from None
        try:
            prior_of = _TYPE_PRIOR.fullmatch(path)
            if path == SECURITY_PRIOR:
                security = {t.id for t in variant.types if t.security_only}
                variant = with_prior(variant, security, value)
            elif prior_of is not None:
                variant = with_prior(variant, {_type_id(variant, prior_of.group(1))}, value)
            else:
                variant = with_number(variant, path, value)
        except ValueError as err:
            raise InputError(f"override {path!r}: {err}", file="<overrides>",
                             field=path) from None
    try:
        return Scenario.model_validate(_fields(variant))
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        field = slider_path(variant, first.get("loc", ()))
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        raise InputError(f"after overrides: {message}", file="<overrides>",
                         field=field or None) from None


def slider_path(scenario: Scenario, loc: Sequence[object]) -> str:
    """A validation location as the sliders write paths: ``("regimes", 0,
    "detection")`` → ``regimes[rigorous].detection`` (list items by their id)."""
    out = ""
    value: Any = scenario
    for part in loc:
        if isinstance(part, int) and isinstance(value, list | tuple) and part < len(value):
            item = value[part]
            out += f"[{getattr(item, 'id', part)}]"
            value = item
            continue
        out += f".{part}" if out else str(part)
        value = (getattr(value, str(part), None) if isinstance(value, BaseModel)
                 else value.get(part) if isinstance(value, dict) else None)
    return out


def current_value(scenario: Scenario, path: str) -> Fraction:
    """The number an override path sets (``security_prior``: the security-only types'
    prior mass together)."""
    prior_of = _TYPE_PRIOR.fullmatch(path)
    if path == SECURITY_PRIOR:
        return sum((t.prior for t in scenario.types if t.security_only), Fraction(0))
    if prior_of is not None:
        return scenario.target_type(_type_id(scenario, prior_of.group(1))).prior
    return get_number(scenario, path)


def edits(original: Scenario, edited: Scenario,
          overrides: Mapping[str, float | str]) -> list[tuple[str, str, str]]:
    """(path, before, after) of each override that changes a number, as people read
    numbers (:func:`callbluff.analysis.numbers.exact`)."""
    out = []
    for path in overrides:
        before, after = current_value(original, path), current_value(edited, path)
        if before != after:
            out.append((path, exact(before), exact(after)))
    return out


def exported_yaml(original_text: str, dumped: str, edit_lines: Sequence[str]) -> str:
    """The exported scenario: the original file's header comments (they define the
    units), then the edits as comments, then the scenario as dumped."""
    header = []
    for line in original_text.splitlines():
        if line.startswith("#") or not line.strip():
            header.append(line)
        else:
            break
    while header and not header[-1].strip():
        header.pop()
    lines = [*header]
    if edit_lines:
        lines += ["#", "# Exported from the page with these inputs changed (each number's",
                  "# source and note still describe its original value):",
                  *(f"#   {line}" for line in edit_lines)]
    return ("\n".join(lines) + "\n" if lines else "") + dumped


def check_threshold_paths(scenario: Scenario, paths: Sequence[str]) -> None:
    """Each path names a number of ``scenario`` (else a 422 naming it, before any solve)."""
    for i, path in enumerate(paths):
        try:
            get_number(scenario, path)
        except ValueError as err:
            raise InputError(f"threshold path {path!r}: {err}", file="<request>",
                             field=f"threshold_paths[{i}]") from None


def _type_id(scenario: Scenario, key: str) -> str:
    for i, t in enumerate(scenario.types):
        if key in (t.id, str(i)):
            return t.id
    raise ValueError(f"no type {key!r} (types: {', '.join(scenario.type_ids())})")


def _fields(value: Any) -> Any:
    """A model as plain data with its exact numbers (no serialisation to floats)."""
    if isinstance(value, Annotation):
        return value
    if isinstance(value, BaseModel):
        return {name: _fields(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, dict):
        return {k: _fields(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_fields(v) for v in value]
    return value


# -- description and sliders --------------------------------------------------------


def _step_for(span: float) -> float:
    if span <= 0:
        return 0.01
    return float(10 ** math.floor(math.log10(span / 100)))


def _control(path: str, label: str, group: str, value: Fraction,
             low: Fraction | None = None, high: Fraction | None = None) -> Control:
    v = float(value)
    lo = float(low) if low is not None else min(0.0, 2 * v)
    hi = float(high) if high is not None else max(2 * v, 1.0)
    step = 0.01 if (low == 0 and high == 1) else _step_for(hi - lo)
    return Control(path=path, label=label, group=group, value=v, min=lo, max=hi, step=step)


def controls(scenario: Scenario) -> list[Control]:
    """The key numbers of docs/design.md's questions, for the main offer."""
    main = scenario.offer(main_offer_id(scenario))
    out: list[Control] = []
    security = [t for t in scenario.types if t.security_only]
    if security and len(security) < len(scenario.types):
        mass = sum((t.prior for t in security), Fraction(0))
        out.append(_control(SECURITY_PRIOR, "Prior on security-only types", "beliefs",
                            mass, Fraction(0), Fraction(1)))
    regime_path = f"regimes[{main.regime}].detection"
    out.append(_control(regime_path, f"Detection probability ({main.regime})",
                        "verification", get_number(scenario, regime_path),
                        Fraction(0), Fraction(1)))
    for cid in main.concessions:
        c = scenario.concession(cid)
        out.append(_control(f"concessions[{cid}].cost", f"Cost of {cid}", "concessions",
                            c.cost))
        for motive, value in c.values.items():
            out.append(_control(f"concessions[{cid}].values.{motive}",
                                f"Value of {cid} for {motive}", "concessions", value,
                                Fraction(0)))
    out.append(_control("time.arsenal_growth", "Arsenal growth per round", "time",
                        scenario.time.arsenal_growth, Fraction(0),
                        max(Fraction(1), 2 * scenario.time.arsenal_growth)))
    return out


def summary(scenario: Scenario) -> dict[str, Any]:
    """What the page needs to show a scenario and build its sliders."""
    return {
        "id": scenario.id,
        "title": scenario.title,
        "year": scenario.year,
        "description": scenario.description,
        "proposer": scenario.proposer.name,
        "target": scenario.target.name,
        "types": [{"id": t.id, "label": t.label, "prior": float(t.prior),
                   "security_only": t.security_only} for t in scenario.types],
        "offers": [{"id": o.id, "label": o.label or o.id, "regime": o.regime,
                    "concessions": list(o.concessions)} for o in scenario.offers],
        "main_offer": main_offer_id(scenario),
        "controls": [c.model_dump() for c in controls(scenario)],
    }


def input_error_body(err: InputError) -> dict[str, Any]:
    return {"message": err.message, "file": err.file, "line": err.line,
            "column": err.column, "field": err.field, "text": str(err)}


def message_error_body(message: str) -> dict[str, Any]:
    """A 422 body for a failure with no location (same shape as :func:`input_error_body`)."""
    return {"message": message, "file": None, "line": None, "column": None, "field": None,
            "text": message}


def request_error_body(errors: Sequence[Any]) -> dict[str, Any]:
    """A 422 body for a request that does not match its schema (FastAPI's validation
    errors), located by the dotted path of the first bad field."""
    if not errors:
        return message_error_body("the request does not match its schema")
    first = errors[0] if isinstance(errors[0], Mapping) else {}
    loc = [part for part in first.get("loc", ()) if isinstance(part, str | int)]
    where = str(loc[0]) if loc else "body"
    field = ""
    for part in loc[1:]:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else part)
    if first.get("type") == "json_invalid":
        context = first.get("ctx") or {}
        message = f"the body is not valid JSON: {context.get('error', 'decode error')}"
        field = ""
    elif first.get("type") == "missing" and not field:
        message = f"the request needs a JSON {where}"
    else:
        message = str(first.get("msg", "invalid value"))
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more)"
    error = InputError(message, file=f"<request {where}>", field=field or None)
    return input_error_body(error)


# -- compute with limits ---------------------------------------------------------------

class Workers:
    """A few worker threads for the quick jobs (reading, checking and exporting a
    scenario, bounded by the loader's limits); each job has a time limit and a free
    worker, or is refused.  Analyses run in worker processes instead
    (:class:`callbluff.web.pool.WorkerPool`), where a time limit can kill.

    A thread cannot be stopped from outside, so a job past its limit is abandoned
    (the client gets :class:`TooSlow` at once) and ends itself at its next solve
    (:func:`callbluff.errors.check_deadline`); until then it keeps its worker, and
    new jobs wait (at most ``waiting`` of them) or get :class:`Busy` if every worker
    is taken."""

    def __init__(self, count: int, timeout_s: float, waiting: int = 0) -> None:
        if count < 1:
            raise ValueError(f"need at least one worker, got {count}")
        self.count = count
        self.timeout_s = timeout_s
        self._slots = threading.BoundedSemaphore(count + waiting)
        self._pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="callbluff")

    async def run(self, job: Callable[[], T], timeout_s: float | None = None) -> T:
        if not self._slots.acquire(blocking=False):
            raise Busy(f"all {self.count} workers are busy and jobs are waiting; retry in "
                       "a moment")

        limit = self.timeout_s if timeout_s is None else timeout_s

        def guarded() -> T:
            try:
                with time_limit(limit, "computing"):
                    return job()
            except TimeLimitError:
                raise self._too_slow(limit) from None
            finally:
                self._slots.release()

        try:
            future = self._pool.submit(guarded)
        except BaseException:
            self._slots.release()
            raise
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), limit)
        except TimeoutError:
            raise self._too_slow(limit) from None

    @staticmethod
    def _too_slow(limit: float) -> TooSlow:
        return TooSlow(f"the computation took longer than {limit:g} s and was "
                       "abandoned; turn thresholds off or ask for less")

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


__all__ = [
    "SECURITY_PRIOR",
    "Busy",
    "Control",
    "TooSlow",
    "UnknownScenario",
    "Workers",
    "apply_overrides",
    "builtin_text",
    "check_threshold_paths",
    "controls",
    "current_value",
    "edits",
    "exported_yaml",
    "input_error_body",
    "message_error_body",
    "request_error_body",
    "resolve",
    "slider_path",
    "summary",
]
