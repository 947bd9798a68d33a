"""What each page shows, built from the read models the commands use: plain values for the
templates. Pure; the reads happen in `kadmin.web.app` through `kadmin.web.reads.Source`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kadmin.core.errors import KadminError
from kadmin.core.model import ClusterState, ConfigSource
from kadmin.ops.inspect import GroupSummary, PartitionHealth, TopicDetail, TopicHealth, TopicsView
from kadmin.plan.drift import DriftKind
from kadmin.plan.zones import ZoneReport
from kadmin.render.drift import drift_lines
from kadmin.render.inspect import human_bytes, source_label
from kadmin.render.plan_lines import (
    cluster_line,
    delete_lines,
    destructive_warning,
    partial_line,
    plan_lines,
    summary_lines,
)
from kadmin.render.review import human, refusal_groups, targets_text
from kadmin.web.charts import BarChart, bar_chart
from kadmin.web.reads import SpecView

BASE_EVERY_S = 5
"""How often the group pages refresh their lag when the cluster answers quickly."""
SLOW_PAGE_EVERY_S = 15
"""How often the other pages refresh: their reads (whole snapshot, sizes, a plan) weigh more."""
MAX_EVERY_S = 120
"""The longest wait between two refreshes, however slow or unreachable the cluster."""
SLOW_READ_S = 2.0
"""A read slower than this makes the next refresh wait twice as long."""


def next_every(current: int | None, *, failed: bool, slow: bool, base: int = BASE_EVERY_S) -> int:
    """Seconds until the next refresh: back to `base` when the read was quick and good, else
    twice the last wait (bounded), so a slow or unreachable cluster is polled less and less."""
    if not (failed or slow):
        return base
    return min(MAX_EVERY_S, max(base, current or base) * 2)


def pattern(text: str) -> re.Pattern[str] | None:
    if not text:
        return None
    try:
        return re.compile(text)
    except re.error as err:
        raise KadminError(f"the filter {text!r} is not a regular expression: {err}") from None


# --- cluster -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ZoneSection:
    name: str
    brokers: int
    replicas: int
    leaders: int
    chart: BarChart


def cluster_context(observed: ClusterState, report: ZoneReport) -> dict[str, Any]:
    """Brokers grouped by zone with their replica and leader counts, one chart per zone on one scale."""
    largest = max((b.replicas for r in report.racks for b in r.brokers), default=0)
    unsafe_brokers = {b for p in report.unsafe for b in p.replicas}
    zones = [
        ZoneSection(
            rack.rack if rack.rack is not None else "(no rack)",
            len(rack.brokers),
            rack.replicas,
            rack.leaders,
            bar_chart(
                [(f"broker {b.broker}", (b.replicas, b.leaders)) for b in rack.brokers],
                ("replicas", "leaders"),
                highlighted=[f"broker {b.broker}" for b in rack.brokers if b.broker in unsafe_brokers],
                largest=largest,
            ),
        )
        for rack in report.racks
    ]
    return {
        "cluster_id": observed.cluster_id,
        "broker_count": len(observed.brokers),
        "zone_count": report.zone_count,
        "zones": zones,
        "unsafe": report.unsafe,
        "topic_count": len(observed.topics) + len(observed.others),
    }


# --- topics --------------------------------------------------------------------------


def topics_context(view: TopicsView, spec: SpecView | None) -> dict[str, Any]:
    missing = (
        sorted(d.target.name for d in spec.drift.differences if d.kind is DriftKind.MISSING_TOPIC)
        if spec
        else []
    )
    return {
        "zone_count": view.zones,
        "rows": [_topic_row(t, spec) for t in view.topics],
        "missing": missing,
        "with_spec": spec is not None,
    }


def _topic_row(t: TopicHealth, spec: SpecView | None) -> dict[str, Any]:
    return {
        "name": t.name,
        "partitions": len(t.partitions),
        "rf": t.replication_factor,
        "zones": t.zones_spanned,
        "under_replicated": len(t.under_replicated),
        "offline": len(t.offline),
        "size": human_bytes(t.size_bytes),
        "status": spec.status(t.name) if spec else "",
        "unhealthy": bool(t.under_replicated or t.offline or t.under_min_isr),
    }


# --- topic ---------------------------------------------------------------------------


def topic_context(detail: TopicDetail, spec: SpecView | None) -> dict[str, Any]:
    t = detail.health
    wanted = spec.desired.topics.get(t.name) if spec else None
    drifted = spec.drifted_keys(t.name) if spec else set()
    zone_names = sorted({z or "-" for p in t.partitions for z in p.zones})
    configs = [
        {
            "name": c.name,
            "value": "(sensitive)" if c.sensitive else ("-" if c.value is None else c.value),
            "human": None if c.sensitive or c.value is None else human(c.name, c.value),
            "source": source_label(c),
            "override": c.source is ConfigSource.TOPIC,
            "spec": "" if wanted is None else wanted.configs.get(c.name, ""),
            "spec_human": None if wanted is None else human(c.name, wanted.configs.get(c.name, "")),
            "drifted": c.name in drifted,
        }
        for c in detail.configs
    ]
    # What needs a look first: differences from the spec, then what the topic or the spec sets.
    configs.sort(key=lambda c: (not c["drifted"], not (c["override"] or c["spec"]), c["name"]))
    differences = [d.detail for d in spec.differences(t.name)] if spec else []
    return {
        "topic": t,
        "size": human_bytes(t.size_bytes),
        "partitions": [_partition_row(p, detail, zone_names) for p in t.partitions],
        "configs": configs,
        "in_spec": wanted is not None,
        "with_spec": spec is not None,
        "status": spec.status(t.name) if spec else "",
        "differences": differences,
        "drifted_count": sum(1 for c in configs if c["drifted"]),
        "consumers": [(g.group, g.state, g.lag_on(t.name)) for g in detail.consumers],
    }


def _partition_row(p: PartitionHealth, detail: TopicDetail, zone_names: Sequence[str]) -> dict[str, Any]:
    marks = detail.marks.get((p.topic, p.partition))
    return {
        "partition": p.partition,
        "leader": "-" if p.leader is None else p.leader,
        "replicas": ",".join(map(str, p.replicas)),
        "isr": ",".join(map(str, p.isr)) or "-",
        # The zone of each replica, with a colour per zone (by its place among this topic's zones).
        "zones": [(z or "-", zone_names.index(z or "-") % 6) for z in p.zones],
        "log_end": "-" if marks is None else marks.end,
        "status": _status(p),
    }


def _status(p: PartitionHealth) -> str:
    if p.offline:
        return "offline"
    if p.under_replicated:
        return "under-replicated"
    return "ok"


# --- groups --------------------------------------------------------------------------


LARGEST_LAGS = 30
"""How many partitions the groups page charts: the ones furthest behind, of every group."""


def groups_context(groups: Sequence[GroupSummary]) -> dict[str, Any]:
    lagging = sorted(
        ((p.lag, g.group, p.topic, p.partition) for g in groups for p in g.offsets.partitions if p.lag),
        key=lambda row: (-row[0], row[1], row[2], row[3]),
    )[:LARGEST_LAGS]
    rows = [(f"{group} · {topic}[{partition}]", (lag,)) for lag, group, topic, partition in lagging]
    return {
        "groups": groups,
        "total_lag": sum(g.lag or 0 for g in groups),
        "chart": bar_chart([(g.group, (g.lag or 0,)) for g in groups], ("lag",)) if groups else None,
        "partitions_chart": bar_chart(rows, ("lag",)) if rows else None,
        "largest": LARGEST_LAGS,
    }


def group_context(group: GroupSummary) -> dict[str, Any]:
    rows = [(f"{p.topic}[{p.partition}]", (p.lag or 0,)) for p in group.offsets.partitions]
    return {
        "group": group,
        "chart": bar_chart(rows, ("lag",)) if rows else None,
        "partitions": group.offsets.partitions,
    }


# --- plan ----------------------------------------------------------------------------


def plan_context(spec: SpecView) -> dict[str, Any]:
    """The plan grouped as the markdown plan is: summary, changes, deletes, refused, held back,
    notices; then the drift."""
    plan = spec.planned.plan
    will, would = delete_lines(plan)
    blocking = [r for r in plan.refusals if r.blocking]
    return {
        "cluster": cluster_line(plan),
        "partial": partial_line(plan),
        "warning": destructive_warning(plan),
        "summary": summary_lines(plan),
        "changes": plan_lines(plan),
        "will_delete": will,
        "would_delete": would,
        "refused": [(targets_text(g.targets), g) for g in refusal_groups(blocking)],
        "held": [(targets_text(g.targets), g) for g in refusal_groups(plan.held)],
        "notices": [(n.target.describe(), n.message) for n in plan.notices],
        "drift": drift_lines(spec.drift),
        "drifted": spec.drift.drifted,
    }
