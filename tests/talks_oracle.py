"""The talks game's best policy, recomputed from its table by the rule the verdict
states (tests of the Timing sentences): the largest worst-equilibrium value among the
policies that have one; ties go to the first family in the order below."""

from __future__ import annotations

from callbluff.analysis.talks import PolicyResult, TalksAnalysis

ORDER = ("all in now", "step by step", "talks, then all in", "talks forever")


def best_policy(t: TalksAnalysis) -> PolicyResult | None:
    compared = [p for p in t.policies if p.proposer_worst is not None]
    if not compared:
        return None
    top = max(p.proposer_worst for p in compared if p.proposer_worst is not None)
    return min((p for p in compared if p.proposer_worst == top),
               key=lambda p: ORDER.index(p.family))
