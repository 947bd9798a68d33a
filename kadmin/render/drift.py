"""The views of a drift report (`kadmin.plan.drift`): text lines, a JSON document, and markdown for
the drift issue. Names and values from the spec or the cluster are printed literally.
"""

from __future__ import annotations

import re
from itertools import groupby
from typing import Any

from rich.console import Console

from kadmin.core.plan import ClusterIdentity
from kadmin.plan.drift import Difference, DriftKind, DriftReport

NO_DRIFT = "No drift. The cluster matches the spec."

_SYMBOL = {
    DriftKind.MISSING_TOPIC: "+",
    DriftKind.ORPHAN_TOPIC: "-",
    DriftKind.OTHER: "!",
}


def drift_lines(report: DriftReport) -> list[str]:
    """Heading, one block per topic or broker that drifted, and the count of unmanaged topics."""
    lines = [f"{_heading(report)} Cluster {cluster_name(report.cluster)}."]
    for target, group in groupby(report.differences, key=lambda d: d.target):
        differences = list(group)
        if len(differences) == 1:
            only = differences[0]
            lines.append(f"{_symbol(only)} {target.describe()}: {only.detail}")
            continue
        symbols = {_symbol(d) for d in differences}
        lines.append(f"{symbols.pop() if len(symbols) == 1 else '~'} {target.describe()}")
        lines.extend(f"    {d.detail}" for d in differences)
    if report.unmanaged:
        noun = "topic" if report.unmanaged == 1 else "topics"
        lines.append(f"{report.unmanaged} unmanaged {noun} (outside cluster.manage and the spec) ignored.")
    return lines


def render_drift(report: DriftReport, out: Console) -> None:
    for line in drift_lines(report):
        out.print(line, markup=False, highlight=False, emoji=False)


def drift_document(report: DriftReport) -> dict[str, Any]:
    return {
        "cluster": {
            "name": report.cluster.name,
            "id": report.cluster.cluster_id,
            "bootstrap": report.cluster.bootstrap,
        },
        "drifted": report.drifted,
        "count": len(report.differences),
        "differences": [_difference_document(d) for d in report.differences],
        "unmanaged": report.unmanaged,
    }


def render_drift_markdown(report: DriftReport) -> str:
    """For an issue: the heading, then the text lines in a fenced block (literal, whatever they hold)."""
    lines = drift_lines(report)
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"### {_heading(report)}\n\n" + "\n".join([fence, *lines, fence]) + "\n"


def cluster_name(cluster: ClusterIdentity) -> str:
    named = f"{cluster.name} ({cluster.cluster_id})" if cluster.name else cluster.cluster_id
    return f"{named} via {cluster.bootstrap}" if cluster.bootstrap else named


def _heading(report: DriftReport) -> str:
    count = len(report.differences)
    if not count:
        return NO_DRIFT
    return f"Drift: {count} difference{'' if count == 1 else 's'} between the spec and the cluster."


def _symbol(difference: Difference) -> str:
    return _SYMBOL.get(difference.kind, "~")


def _difference_document(difference: Difference) -> dict[str, Any]:
    return {
        "target": str(difference.target),
        "kind": difference.kind.value,
        "key": difference.key,
        "spec": difference.spec,
        "cluster": difference.cluster,
        "detail": difference.detail,
    }
