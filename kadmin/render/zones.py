"""The views of `kadmin zones` and `kadmin reassignments list | wait | cancel`: text tables
and JSON documents.

Pure functions of the values `kadmin.plan.zones` and `kadmin.ops.reassignment` compute
(`ZoneReport`, `Reassignments`, `ReassignmentResult`); text goes to the rich console the
caller passes. No Kafka here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console

from kadmin.ops.reassignment import ReassignmentResult
from kadmin.ops.running_moves import Reassignments
from kadmin.ops.throttles import Throttles
from kadmin.plan.zones import ZoneReport
from kadmin.render.literal import say

# --- zones ------------------------------------------------------------------------------


def zones_document(report: ZoneReport, cluster_id: str = "") -> dict[str, Any]:
    """The JSON view of a zone report."""
    unsafe: dict[str, list[dict[str, Any]]] = {}
    for p in report.unsafe:
        unsafe.setdefault(p.topic, []).append(
            {"partition": p.partition, "replicas": list(p.replicas), "zones": p.zones, "needed": p.needed}
        )
    return {
        "cluster_id": cluster_id,
        "zone_count": report.zone_count,
        "zone_safe": report.is_zone_safe,
        "zones": [
            {
                "zone": rack.rack,
                "replicas": rack.replicas,
                "leaders": rack.leaders,
                "brokers": [
                    {"id": b.broker, "replicas": b.replicas, "leaders": b.leaders} for b in rack.brokers
                ],
            }
            for rack in report.racks
        ],
        "not_zone_safe": [{"topic": topic, "partitions": parts} for topic, parts in unsafe.items()],
    }


def render_zones(out: Console, report: ZoneReport, cluster_id: str = "") -> None:
    """The text view of a zone report: brokers per zone, then the partitions that are not zone-safe."""
    brokers = sum(len(r.brokers) for r in report.racks)
    name = f"cluster {cluster_id}" if cluster_id else "cluster"
    say(out, f"{name}: {_count(brokers, 'broker')} in {_count(report.zone_count, 'zone')}")
    say(out, "")
    rows = []
    for rack in report.racks:
        for i, b in enumerate(rack.brokers):
            # Brokers without a rack are each a zone of their own; say so on every row.
            zone = rack.rack if rack.rack is not None else "(no rack)"
            rows.append(
                (zone if i == 0 or rack.rack is None else "", str(b.broker), str(b.replicas), str(b.leaders))
            )
    for line in _table(("ZONE", "BROKER", "REPLICAS", "LEADERS"), rows):
        say(out, line)
    say(out, "")
    if report.is_zone_safe:
        say(out, "every partition is zone-safe: its replicas span min(RF, zones) zones")
        return
    topics = {p.topic for p in report.unsafe}
    say(
        out,
        f"not zone-safe: {_count(len(report.unsafe), 'partition')} in {_count(len(topics), 'topic')} "
        "have replicas in fewer zones than min(RF, zones); one zone outage can take them offline",
    )
    say(out, "")
    unsafe_rows = [
        (p.topic, str(p.partition), _list(p.replicas), f"{p.zones} of {p.needed}") for p in report.unsafe
    ]
    for line in _table(("TOPIC", "PARTITION", "REPLICAS", "ZONES"), unsafe_rows):
        say(out, line)
    say(out, "")
    say(out, "set placement: spread on these topics and run `kadmin apply` to move their replicas")


# --- reassignments ----------------------------------------------------------------------


def reassignments_document(found: Reassignments) -> dict[str, Any]:
    """The JSON view of the ongoing reassignments and throttles."""
    return {
        "reassignments": [
            {
                "topic": m.topic,
                "partition": m.partition,
                "replicas": list(m.replicas),
                "target": list(m.target_replicas),
                "removing": list(m.removing),
            }
            for m in found.moves
        ],
        "throttles": _throttles_document(found.throttles),
    }


def _throttles_document(throttles: Throttles) -> dict[str, Any]:
    return {
        "brokers": {str(b): dict(rates) for b, rates in throttles.brokers.items()},
        "topics": {t: dict(lists) for t, lists in throttles.topics.items()},
    }


def render_reassignments(out: Console, found: Reassignments) -> None:
    """The text view of the ongoing reassignments and throttles."""
    if not found.moves:
        say(out, "no reassignment in progress")
    else:
        say(out, f"{_count(len(found.moves), 'partition')} being moved:")
        say(out, "")
        rows = [
            (
                m.topic,
                str(m.partition),
                _list(m.replicas),
                _list(m.target_replicas),
                _list(m.removing) if m.removing else "-",
            )
            for m in found.moves
        ]
        for line in _table(("TOPIC", "PARTITION", "REPLICAS", "TARGET", "REMOVING"), rows):
            say(out, line)
    _print_throttles(out, found.throttles)


def _print_throttles(out: Console, throttles: Throttles) -> None:
    if not throttles:
        return
    say(out, "")
    say(out, "replication throttles in place:")
    for broker, rates in throttles.brokers.items():
        shown = ", ".join(f"{key.split('.', 1)[0]} {value} B/s" for key, value in sorted(rates.items()))
        say(out, f"  broker {broker}: {shown}")
    for topic, lists in throttles.topics.items():
        shown = "; ".join(f"{key.split('.', 1)[0]} {value}" for key, value in sorted(lists.items()))
        say(out, f"  topic {topic}: {shown}")


def reassignment_result_document(result: ReassignmentResult, *, verb: str) -> dict[str, Any]:
    """The JSON view of `reassignments wait | cancel`; `verb` names the list of partitions done."""
    return {
        "ok": result.ok,
        "outcomes": [{"target": str(o.target), "ok": o.ok, "error": o.error} for o in result.outcomes],
        verb: [{"topic": t, "partition": p} for t, p in result.completed],
        "pending": [{"topic": t, "partition": p} for t, p in result.pending],
        "throttle_removed": result.throttle_removed,
        "notes": list(result.notes),
    }


def render_reassignment_result(out: Console, result: ReassignmentResult, *, verb: str, nothing: str) -> None:
    """The text view of `reassignments wait | cancel`: one line per topic, then throttles and notes."""
    if not result.outcomes and not result.notes:
        say(out, nothing)
    for o in result.outcomes:
        topic = o.target.name
        if o.ok:
            parts = [p for t, p in result.completed if t == topic]
            say(out, f"topic {topic}: {verb} ({_count(len(parts), 'partition')})")
        else:
            say(out, f"topic {topic}: failed: {o.error}")
    if result.throttle_removed:
        say(out, "replication throttles removed")
    for note in result.notes:
        say(out, f"note: {note}")


# --- text helpers -----------------------------------------------------------------------


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]


def _list(brokers: Sequence[int]) -> str:
    return "[" + ", ".join(map(str, brokers)) + "]"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
