"""Carrying out a plan: the freshness check of a saved plan, the preflight, the phases.

`apply_plan` runs the actions of a `Plan` through the `ClusterAdmin` port, one
batched call per kind, and answers with an `ApplyReport` of per-target outcomes;
`check_fresh` refuses a saved plan the cluster has moved away from. Never prints,
never imports confluent_kafka: the port is the only way to the cluster.
"""

from __future__ import annotations

from kadmin.apply.execute import ApplyReport, Progress, apply_plan, preflight
from kadmin.apply.fresh import check_fresh, explain_staleness, plan_groups
from kadmin.apply.settle import await_settled, unsettled

__all__ = [
    "ApplyReport",
    "Progress",
    "apply_plan",
    "await_settled",
    "check_fresh",
    "explain_staleness",
    "plan_groups",
    "preflight",
    "unsettled",
]
