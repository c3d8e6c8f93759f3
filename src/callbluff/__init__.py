"""callbluff: test whether an adversary is bluffing.

Layers (imports point one way): scenario → game → solve → analysis → present.

The Python API is flat (`callbluff.api`, results shown by
`callbluff.display`); names are imported on first use, so that
``import callbluff`` stays light for the command line:

>>> import callbluff as cb
>>> nk = cb.load("north-korea-2009")
>>> analysis = cb.analyze(nk)
>>> analysis.main_offer
'all-in'
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from callbluff.analysis.packages import PackageDesign
    from callbluff.analysis.reading import EquilibriumReading, ProposerStrategy, TypeStrategy
    from callbluff.analysis.talks import PolicyResult, TalksAnalysis
    from callbluff.analysis.verdict import OfferAnalysis, ScenarioAnalysis, Thresholds
    from callbluff.api import (
        SweepResult,
        analyze,
        compile_offer,
        load,
        report,
        solve,
        sweep,
        with_value,
    )
    from callbluff.errors import InputError
    from callbluff.game.tree import Game
    from callbluff.scenario.builtin import list_builtin
    from callbluff.scenario.schema import Scenario
    from callbluff.solve.result import Beliefs, Equilibrium, SolveResult
    from callbluff.sweep.summary import SweepSummary

#: Public name -> the module that defines it.
_WHERE = {
    "load": "callbluff.api",
    "analyze": "callbluff.api",
    "solve": "callbluff.api",
    "sweep": "callbluff.api",
    "report": "callbluff.api",
    "compile_offer": "callbluff.api",
    "with_value": "callbluff.api",
    "SweepResult": "callbluff.api",
    "list_builtin": "callbluff.scenario.builtin",
    "Scenario": "callbluff.scenario.schema",
    "InputError": "callbluff.errors",
    "Game": "callbluff.game.tree",
    "SolveResult": "callbluff.solve.result",
    "Equilibrium": "callbluff.solve.result",
    "Beliefs": "callbluff.solve.result",
    "ScenarioAnalysis": "callbluff.analysis.verdict",
    "OfferAnalysis": "callbluff.analysis.verdict",
    "Thresholds": "callbluff.analysis.verdict",
    "EquilibriumReading": "callbluff.analysis.reading",
    "TypeStrategy": "callbluff.analysis.reading",
    "ProposerStrategy": "callbluff.analysis.reading",
    "PackageDesign": "callbluff.analysis.packages",
    "TalksAnalysis": "callbluff.analysis.talks",
    "PolicyResult": "callbluff.analysis.talks",
    "SweepSummary": "callbluff.sweep.summary",
}

__all__ = [
    "Beliefs",
    "Equilibrium",
    "EquilibriumReading",
    "Game",
    "InputError",
    "OfferAnalysis",
    "PackageDesign",
    "PolicyResult",
    "ProposerStrategy",
    "Scenario",
    "ScenarioAnalysis",
    "SolveResult",
    "SweepResult",
    "SweepSummary",
    "TalksAnalysis",
    "Thresholds",
    "TypeStrategy",
    "__version__",
    "analyze",
    "compile_offer",
    "list_builtin",
    "load",
    "report",
    "solve",
    "sweep",
    "with_value",
]


#: API functions named like a subpackage (``callbluff.solve``, ``.sweep``, ``.report``).
_SHADOWING = frozenset({"solve", "sweep", "report"})


class _Package(types.ModuleType):
    """This package's module: ``cb.solve`` stays the function when the import system
    binds the subpackage ``callbluff.solve`` as an attribute (the subpackage is still
    imported by its full name, through ``sys.modules``)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWING and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'callbluff' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
