"""Kafka's rules for topic names, as kadmin checks them before the broker would.

Owns the rules only (`Topic.validate` in Kafka's clients): legal characters
``[a-zA-Z0-9._-]``, at most 249 characters, not ``.`` or ``..``; plus kadmin's own
refusal of ``__`` names, which belong to Kafka (``__consumer_offsets``) and to kadmin.
"""

from __future__ import annotations

import re

MAX_LENGTH = 249
_LEGAL = re.compile(r"[a-zA-Z0-9._-]+")


def name_problem(name: str) -> tuple[str, str] | None:
    """What is wrong with a topic name and what to do, or None for a good name."""
    if not name:
        return "is an empty topic name", "give the topic a name"
    if len(name) > MAX_LENGTH:
        return (
            f"is a topic name of {len(name)} characters (found {name[:20]}...)",
            f"shorten it: Kafka allows {MAX_LENGTH} characters",
        )
    if name in (".", ".."):
        return f"is not a usable topic name (found {name})", "Kafka forbids the names '.' and '..'"
    if not _LEGAL.fullmatch(name):
        bad = "".join(sorted({c for c in name if not _LEGAL.fullmatch(c)}))
        return (
            f"has characters Kafka does not allow in topic names (found {bad!r} in {name})",
            "use only letters, digits, '.', '_' and '-'",
        )
    if name.startswith("__"):
        return (
            f"is a reserved topic name (found {name})",
            "names starting with __ belong to Kafka's internal topics and to kadmin",
        )
    return None


def collision_key(name: str) -> str:
    """Kafka's metric names replace '.' with '_', so names equal under that collide."""
    return name.replace(".", "_")
