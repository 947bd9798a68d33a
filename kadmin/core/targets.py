"""`Target`: what a change, a refusal, a notice or a write's outcome is about (a topic, a group, a broker,
an ACL, a SCRAM user, a client-quota entity).

A value, never a ``"topic:x"`` string to parse back: code asks `target.kind` and
`target.name`. `str(target)` is the ``kind:name`` text that plan files and JSON output
carry, and `Target.parse` reads it back at that boundary only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kadmin.core.access import AclBinding, QuotaEntity, ScramKey


class TargetKind(StrEnum):
    TOPIC = "topic"
    GROUP = "group"
    BROKER = "broker"
    ACL = "acl"
    USER = "user"
    QUOTA = "quota"


@dataclass(frozen=True, slots=True, order=True)
class Target:
    """One topic, consumer group or broker; ordered by kind, then name."""

    kind: TargetKind
    name: str

    @classmethod
    def topic(cls, name: str) -> Target:
        return cls(TargetKind.TOPIC, name)

    @classmethod
    def group(cls, name: str) -> Target:
        return cls(TargetKind.GROUP, name)

    @classmethod
    def broker(cls, broker_id: int) -> Target:
        return cls(TargetKind.BROKER, str(broker_id))

    @classmethod
    def acl(cls, binding: AclBinding) -> Target:
        """One ACL binding, named by its text (`AclBinding.__str__`)."""
        return cls(TargetKind.ACL, str(binding))

    @classmethod
    def credential(cls, key: ScramKey) -> Target:
        """One SCRAM credential: a user's, for one mechanism (``user svc-orders (SCRAM-SHA-512)``)."""
        return cls(TargetKind.USER, str(key))

    @classmethod
    def quota(cls, entity: QuotaEntity) -> Target:
        """The client quotas of one entity, named by its text (`QuotaEntity.__str__`)."""
        return cls(TargetKind.QUOTA, str(entity))

    @classmethod
    def parse(cls, text: str) -> Target:
        """The target that `str()` wrote as `text`; ValueError if `text` is not ``kind:name``."""
        kind, sep, name = text.partition(":")
        kinds = {k.value: k for k in TargetKind}
        if not sep or kind not in kinds:
            raise ValueError(f"{text!r} is not a target (KIND:NAME with KIND one of {', '.join(kinds)})")
        return cls(kinds[kind], name)

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.name}"

    def describe(self) -> str:
        """For people: ``topic orders``, ``broker 3``."""
        return f"{self.kind.value} {self.name}"
