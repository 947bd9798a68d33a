"""The views of `kadmin tail` and `kadmin produce`: one line or one JSON document per message,
and what a produce wrote.

Keys, values and headers are bytes from the cluster: text shows them decoded as UTF-8,
undecodable bytes and control characters escaped (``\\xNN``, ``\\n``); JSON gives UTF-8
text or, when the bytes are not UTF-8, base64 under a ``*_base64`` name. Nothing is
read as markup. No Kafka here.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from kadmin.core.messages import Message
from kadmin.ops.messages import ProduceReport


def _time(ms: int | None) -> str:
    if ms is None:
        return "-"
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# Control characters (a newline, a terminal escape) are shown escaped, so a message stays on
# its one line and cannot drive the terminal.
_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F]}
_CONTROLS.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})


def _text(data: bytes | None) -> str:
    if data is None:
        return "null"
    return data.decode("utf-8", errors="backslashreplace").translate(_CONTROLS)


def message_line(m: Message) -> str:
    """``PARTITION/OFFSET  TIME  key=KEY  [name=value ...]  VALUE`` on one line."""
    headers = " ".join(f"{name}={_text(value)}" for name, value in m.headers)
    cells = [f"{m.partition}/{m.offset}", _time(m.timestamp_ms), f"key={_text(m.key)}"]
    if headers:
        cells.append(f"[{headers}]")
    cells.append(_text(m.value))
    return "  ".join(cells)


def _bytes_fields(name: str, data: bytes | None) -> dict[str, Any]:
    if data is None:
        return {name: None}
    try:
        return {name: data.decode("utf-8")}
    except UnicodeDecodeError:
        return {f"{name}_base64": base64.b64encode(data).decode("ascii")}


def message_document(m: Message) -> dict[str, Any]:
    return {
        "topic": m.topic,
        "partition": m.partition,
        "offset": m.offset,
        "timestamp": _time(m.timestamp_ms) if m.timestamp_ms is not None else None,
        "timestamp_ms": m.timestamp_ms,
        "timestamp_type": m.timestamp_type,
        **_bytes_fields("key", m.key),
        "headers": [{"name": name, **_bytes_fields("value", value)} for name, value in m.headers],
        **_bytes_fields("value", m.value),
    }


def produce_lines(report: ProduceReport) -> list[str]:
    """Per partition, the offsets written; then every message that failed, by input line."""
    by_partition: dict[int, list[int]] = {}
    for d in report.written:
        if d.partition is not None and d.offset is not None:
            by_partition.setdefault(d.partition, []).append(d.offset)
    lines = [f"wrote {len(report.written)} message(s) to {report.topic}"]
    for partition, offsets in sorted(by_partition.items()):
        span = f"offset {offsets[0]}" if len(offsets) == 1 else f"offsets {min(offsets)}-{max(offsets)}"
        lines.append(f"  partition {partition}: {len(offsets)} at {span}")
    if report.failed:
        lines.append(f"{len(report.failed)} message(s) failed:")
        lines += [f"  line {d.line}: {d.error}" for d in report.failed]
    return lines


def produce_document(report: ProduceReport) -> dict[str, Any]:
    return {
        "topic": report.topic,
        "written": len(report.written),
        "failed": len(report.failed),
        "messages": [
            {"line": d.line, "partition": d.partition, "offset": d.offset, "error": d.error or None}
            for d in report.deliveries
        ],
    }
