"""Kafka's topic-level configs: names, types, allowed values, and the canonical
string form kadmin compares them in.

Shared by the spec loader (to check and normalise what users write) and the
differ (to normalise what the cluster reports), so both sides meet in one form.
"""

from __future__ import annotations

_LIST_KEYS = frozenset({"cleanup.policy", "leader.replication.throttled.replicas", "follower.replication.throttled.replicas"})


def canonical(key: str, value: str) -> str:
    """The form two equal values share: list order ignored, booleans lower-case, no blanks."""
    text = value.strip()
    if key in _LIST_KEYS:
        return ",".join(sorted(part.strip() for part in text.split(",") if part.strip()))
    if text.lower() in ("true", "false"):
        return text.lower()
    return text
