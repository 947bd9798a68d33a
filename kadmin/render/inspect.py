"""The views of `kadmin topics`, `kadmin describe topic` and `kadmin groups`: text tables as
lines, and JSON documents.

Pure functions of the read models in `kadmin.ops.inspect`. Text comes back as plain
lines for the caller to write as they are: topic, group and config names come from
the cluster and are never read as markup. No Kafka here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kadmin.core.inspect import TopicConfigValue
from kadmin.core.model import ConfigSource
from kadmin.ops.inspect import GroupSummary, PartitionHealth, TopicDetail, TopicHealth, TopicsView
from kadmin.render.offsets import group_offsets_document

_SOURCE_LABELS = {
    ConfigSource.TOPIC: "override",
    ConfigSource.BROKER: "broker",
    ConfigSource.DEFAULT: "default",
    ConfigSource.OTHER: "other",
}


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned columns two spaces apart, trailing spaces trimmed."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]


def human_bytes(size: int | None) -> str:
    """Binary units, as the spec writes sizes: 512B, 1.5KiB, 20.0MiB."""
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{size}B" if unit == "B" else f"{value:.1f}{unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _ids(values: Sequence[int]) -> str:
    return ",".join(str(v) for v in values) or "-"


def _count(values: Sequence[int]) -> str:
    return str(len(values)) if values else "-"


def _status(p: PartitionHealth) -> str:
    if p.offline:
        return "offline"
    problems = []
    if p.under_replicated:
        problems.append("under-replicated")
    if p.under_min_isr:
        problems.append(f"under min ISR ({len(p.isr)} < {p.min_isr})")
    return ", ".join(problems) or "ok"


def _zones(p: PartitionHealth) -> str:
    return ",".join(z or "-" for z in p.zones) or "-"


# --- kadmin topics -------------------------------------------------------------------


def topics_lines(view: TopicsView) -> list[str]:
    """The table of topics, then every partition that is not healthy, then a summary line."""
    if not view.topics:
        return ["no topics"]
    rows = [
        (
            t.name,
            str(len(t.partitions)),
            str(t.replication_factor),
            f"{t.zones_spanned}/{view.zones}",
            _count(t.under_replicated),
            _count(t.under_min_isr),
            _count(t.offline),
            human_bytes(t.size_bytes),
        )
        for t in view.topics
    ]
    header = ("TOPIC", "PARTITIONS", "RF", "ZONES", "UNDER-REPLICATED", "UNDER-MIN-ISR", "OFFLINE", "SIZE")
    lines = table(header, rows)
    unhealthy = [p for t in view.topics for p in t.partitions if _status(p) != "ok"]
    if unhealthy:
        lines += ["", "partitions that are not healthy:"]
        lines += [
            "  " + line
            for line in table(
                ("PARTITION", "LEADER", "REPLICAS", "ISR", "STATUS"),
                [
                    (
                        f"{p.topic}[{p.partition}]",
                        "-" if p.leader is None else str(p.leader),
                        _ids(p.replicas),
                        _ids(p.isr),
                        _status(p),
                    )
                    for p in unhealthy
                ],
            )
        ]
    partitions = sum(len(t.partitions) for t in view.topics)
    lines += [
        "",
        f"{len(view.topics)} topic(s), {partitions} partition(s): "
        f"{sum(len(t.under_replicated) for t in view.topics)} under-replicated, "
        f"{sum(len(t.under_min_isr) for t in view.topics)} under min ISR, "
        f"{sum(len(t.offline) for t in view.topics)} offline",
    ]
    return lines


def _partition_document(p: PartitionHealth) -> dict[str, Any]:
    return {
        "partition": p.partition,
        "leader": p.leader,
        "replicas": list(p.replicas),
        "isr": list(p.isr),
        "zones": list(p.zones),
        "min_isr": p.min_isr,
        "under_replicated": p.under_replicated,
        "under_min_isr": p.under_min_isr,
        "offline": p.offline,
    }


def topic_document(t: TopicHealth, *, partitions: bool = False) -> dict[str, Any]:
    """One topic's health; `partitions` adds every partition, else only the unhealthy ones."""
    shown = t.partitions if partitions else [p for p in t.partitions if _status(p) != "ok"]
    return {
        "name": t.name,
        "internal": t.internal,
        "partitions": len(t.partitions),
        "replication_factor": t.replication_factor,
        "zones_spanned": t.zones_spanned,
        "size_bytes": t.size_bytes,
        "under_replicated": list(t.under_replicated),
        "under_min_isr": list(t.under_min_isr),
        "offline": list(t.offline),
        ("partition_details" if partitions else "unhealthy_partitions"): [
            _partition_document(p) for p in shown
        ],
    }


def topics_document(view: TopicsView) -> dict[str, Any]:
    return {
        "cluster_id": view.cluster_id,
        "zones": view.zones,
        "topics": [topic_document(t) for t in view.topics],
    }


# --- kadmin describe topic -----------------------------------------------------------


def source_label(c: TopicConfigValue) -> str:
    """`override` (the topic's own), `default` (Kafka's), else `broker (KAFKA_SOURCE)`."""
    label = _SOURCE_LABELS[c.source]
    return label if c.source in (ConfigSource.TOPIC, ConfigSource.DEFAULT) else f"{label} ({c.kafka_source})"


def _config_value(c: TopicConfigValue) -> str:
    if c.sensitive:
        return "(sensitive)"
    return "-" if c.value is None else c.value


def topic_detail_lines(detail: TopicDetail) -> list[str]:
    t = detail.health
    lines = [
        f"topic {t.name}" + (" (internal)" if t.internal else ""),
        f"  {len(t.partitions)} partition(s), replication factor {t.replication_factor}, "
        f"zones spanned {t.zones_spanned}, size on disk {human_bytes(t.size_bytes)}",
        "",
    ]
    rows = []
    for p in t.partitions:
        marks = detail.marks.get((t.name, p.partition))
        sizes = detail.sizes.get((t.name, p.partition), {})
        rows.append(
            (
                str(p.partition),
                "-" if p.leader is None else str(p.leader),
                _ids(p.replicas),
                _ids(p.isr),
                _zones(p),
                "-" if marks is None else str(marks.start),
                "-" if marks is None else str(marks.end),
                human_bytes(max(sizes.values())) if sizes else "-",
                _status(p),
            )
        )
    header = ("PARTITION", "LEADER", "REPLICAS", "ISR", "ZONES", "LOG-START", "LOG-END", "SIZE", "STATUS")
    lines += table(header, rows)
    lines += ["", "configs (source: override = this topic's own; broker = a broker or cluster default):"]
    lines += [
        "  " + line
        for line in table(
            ("CONFIG", "VALUE", "SOURCE"),
            [(c.name, _config_value(c), source_label(c)) for c in detail.configs],
        )
    ]
    lines.append("")
    if not detail.consumers:
        lines.append("consumer groups: none has committed offsets on this topic")
        return lines
    lines.append("consumer groups:")
    lines += [
        "  " + line
        for line in table(
            ("GROUP", "STATE", "MEMBERS", "LAG"),
            [(g.group, g.state, str(g.members), _lag(g.lag_on(t.name))) for g in detail.consumers],
        )
    ]
    return lines


def topic_detail_document(detail: TopicDetail) -> dict[str, Any]:
    t = detail.health
    document = topic_document(t, partitions=True)
    for row in document["partition_details"]:
        tp = (t.name, row["partition"])
        marks = detail.marks.get(tp)
        row["log_start"] = None if marks is None else marks.start
        row["log_end"] = None if marks is None else marks.end
        row["size_bytes"] = {str(b): n for b, n in sorted(detail.sizes.get(tp, {}).items())}
    document["configs"] = [
        {
            "name": c.name,
            "value": None if c.sensitive else c.value,
            "source": _SOURCE_LABELS[c.source],
            "kafka_source": c.kafka_source,
            "sensitive": c.sensitive,
            "read_only": c.read_only,
        }
        for c in detail.configs
    ]
    document["consumer_groups"] = [
        {"group": g.group, "state": g.state, "members": g.members, "lag": g.lag_on(t.name)}
        for g in detail.consumers
    ]
    return document


# --- kadmin groups -------------------------------------------------------------------


def _lag(value: int | None) -> str:
    return "-" if value is None else str(value)


def groups_lines(groups: Sequence[GroupSummary]) -> list[str]:
    if not groups:
        return ["no consumer groups"]
    rows = [(g.group, g.state, g.type, str(g.members), str(len(g.topics)), _lag(g.lag)) for g in groups]
    lines = table(("GROUP", "STATE", "TYPE", "MEMBERS", "TOPICS", "LAG"), rows)
    total = sum(g.lag or 0 for g in groups)
    return [*lines, "", f"{len(groups)} group(s), total lag {total}"]


def groups_document(groups: Sequence[GroupSummary]) -> dict[str, Any]:
    return {
        "groups": [
            {
                "group": g.group,
                "state": g.state,
                "type": g.type,
                "members": g.members,
                "topics": list(g.topics),
                "lag": g.lag,
            }
            for g in groups
        ]
    }


def group_detail_lines(g: GroupSummary) -> list[str]:
    state = g.offsets.group
    lines = [f"group {g.group}: {g.state}, type {g.type}, {g.members} member(s)"]
    lines += [f"  member {m.client_id or '-'} on {m.host or '-'} ({m.member_id})" for m in state.members]
    if not g.offsets.partitions:
        return [*lines, "no committed offsets and no assigned partitions"]
    rows = [
        (
            p.topic,
            str(p.partition),
            _lag(p.committed),
            _lag(p.log_start),
            _lag(p.log_end),
            _lag(p.lag),
            f"{p.member.client_id or '-'} {p.member.host or '-'} ({p.member.member_id})" if p.member else "-",
        )
        for p in g.offsets.partitions
    ]
    header = ("TOPIC", "PARTITION", "COMMITTED", "LOG-START", "LOG-END", "LAG", "MEMBER")
    return [*lines, "", *table(header, rows), "", f"total lag: {_lag(g.lag)}"]


def group_detail_document(g: GroupSummary) -> dict[str, Any]:
    return {**group_offsets_document(g.offsets), "type": g.type, "lag": g.lag}
