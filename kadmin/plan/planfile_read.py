"""Reading a plan document back into a typed `Plan`, strictly: every field is checked, and a
problem names the file and the field path (`actions[3].partitions`).

This is the shape only; `kadmin.plan.planfile_rules` then checks what the actions ask
for against the planner's rules. Imports only `kadmin.core`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import NoReturn

from kadmin import __version__
from kadmin.core.actions import (
    ACTION_ORDER,
    Action,
    AddPartitions,
    AlterConfigs,
    ConfigChange,
    CreateTopic,
    DeleteTopic,
    FinishMove,
    Notice,
    OffsetMove,
    PartitionMove,
    ReassignReplicas,
    Refusal,
    RemoveThrottle,
    ResetOffsets,
)
from kadmin.core.errors import KadminError, Location
from kadmin.core.model import Assignment, OffsetMode, ResetTo, TopicPartition, frozen_map
from kadmin.core.plan import FORMAT_VERSION, DeleteCandidate, Plan, PlanInputs
from kadmin.core.targets import Target
from kadmin.plan.planfile_access import ACCESS_KINDS, read_access_action

REWRITE_HINT = "write a fresh plan file with `kadmin plan --out FILE` and apply that"


class PlanFileError(KadminError):
    """A plan file that cannot be read back into a plan, or asks for what no plan may."""


@dataclass(frozen=True, slots=True)
class _Node:
    """A value read from the document, with the file and field path it came from, for errors."""

    source: str
    path: str
    value: object

    def fail(self, message: str) -> NoReturn:
        where = f"{self.source}: {self.path}" if self.path else self.source
        raise PlanFileError(
            message, where=where, hint=f"the plan file was changed or damaged; {REWRITE_HINT}"
        )

    def _expected(self, what: str) -> NoReturn:
        self.fail(f"expected {what}, found {_json_type(self.value)}")

    def child(self, key: str | int, value: object) -> _Node:
        path = f"{self.path}[{key}]" if isinstance(key, int) else f"{self.path}.{key}" if self.path else key
        return _Node(self.source, path, value)

    def get(self, key: str) -> _Node:
        mapping = self.as_object()
        if key not in mapping:
            self.child(key, None).fail("missing field")
        return self.child(key, mapping[key])

    def as_object(self) -> Mapping[str, object]:
        if not isinstance(self.value, dict):
            self._expected("an object")
        return self.value

    def items(self) -> list[_Node]:
        if not isinstance(self.value, list):
            self._expected("a list")
        return [self.child(i, v) for i, v in enumerate(self.value)]

    def as_str(self) -> str:
        if not isinstance(self.value, str):
            self._expected("a string")
        return self.value

    def as_target(self) -> Target:
        try:
            return Target.parse(self.as_str())
        except ValueError as err:
            self.fail(str(err))

    def as_int(self) -> int:
        # bool is an int in Python but not in JSON: reject `true` where a number belongs.
        if not isinstance(self.value, int) or isinstance(self.value, bool):
            self._expected("an integer")
        return self.value

    def as_bool(self) -> bool:
        if not isinstance(self.value, bool):
            self._expected("true or false")
        return self.value

    def is_null(self) -> bool:
        return self.value is None


def _json_type(value: object) -> str:
    match value:
        case None:
            return "null"
        case bool():
            return "a boolean"
        case int() | float():
            return f"the number {value}"
        case str():
            return f"the string {json.dumps(value)}"
        case list():
            return "a list"
        case _:
            return "an object"


def plan_from_document(document: object, source: str = "<plan document>") -> Plan:
    """Rebuild the typed `Plan` from its document; `source` names the file in errors.

    Derived fields (`kadmin_version`, `applyable`, `summary`, `destructive`, `delta`)
    are not read back: the plan recomputes them.
    """
    root = _Node(source, "", document)
    version = root.get("format_version")
    if version.as_int() != FORMAT_VERSION:
        written_by = root.as_object().get("kadmin_version")
        by = f" by kadmin {written_by}" if isinstance(written_by, str) else ""
        raise PlanFileError(
            f"plan file format {version.value} is not supported (written{by}; this kadmin {__version__} "
            f"reads format {FORMAT_VERSION})",
            where=f"{source}: format_version",
            hint=f"plan and apply with the same kadmin version, or {REWRITE_HINT}",
        )
    cluster_name = root.get("cluster_name")
    plan = Plan(
        actions=tuple(_read_action(node) for node in root.get("actions").items()),
        cluster_id=root.get("cluster_id").as_str(),
        fingerprint=root.get("fingerprint").as_str(),
        refusals=tuple(_read_refusal(node) for node in root.get("refusals").items()),
        notices=tuple(
            Notice(target=n.get("target").as_target(), message=n.get("message").as_str())
            for n in root.get("notices").items()
        ),
        unmanaged=tuple(n.as_str() for n in root.get("unmanaged").items()),
        created_at=root.get("created_at").as_str(),
        cluster_name=None if cluster_name.is_null() else cluster_name.as_str(),
        format_version=FORMAT_VERSION,
        topics_in_scope=tuple(n.as_str() for n in root.get("topics_in_scope").items()),
        bootstrap=_optional_field(root, "cluster", "bootstrap"),
        spec_hash=_optional_field(root, "spec_hash"),
        inputs=_read_inputs(root),
    )
    return _with_review(plan, root)


def _with_review(plan: Plan, root: _Node) -> Plan:
    """The fields for reviewers (deletes, --topic patterns, racks, where fields were written);
    plan files written before them lack them, and they read as empty."""
    fields = root.as_object()
    deletes = root.get("deletes").items() if "deletes" in fields else []
    only = root.get("only").items() if "only" in fields else []
    racks = root.get("broker_racks") if "broker_racks" in fields else root.child("broker_racks", {})
    origins = root.get("origins") if "origins" in fields else root.child("origins", {})
    return replace(
        plan,
        deletes=tuple(_read_delete(n) for n in deletes),
        only=tuple(n.as_str() for n in only),
        broker_racks=MappingProxyType(
            {_broker_id(racks, key): racks.get(key).as_str() for key in racks.as_object()}
        ),
        origins=MappingProxyType(
            {
                topic: MappingProxyType(
                    {name: _read_location(places.get(name)) for name in places.as_object()}
                )
                for topic in origins.as_object()
                for places in (origins.get(topic),)
            }
        ),
    )


def _broker_id(racks: _Node, key: str) -> int:
    if not key.isdigit():
        racks.get(key).fail("expected a broker id as the key")
    return int(key)


def _read_delete(node: _Node) -> DeleteCandidate:
    written = node.get("log_end_offsets")
    return DeleteCandidate(
        topic=node.get("topic").as_str(),
        partitions=node.get("partitions").as_int(),
        enabled=node.get("enabled").as_bool(),
        log_end_offsets=None if written.is_null() else written.as_int(),
    )


def _read_location(node: _Node) -> Location:
    return Location(
        file=node.get("file").as_str(),
        line=node.get("line").as_int(),
        column=node.get("column").as_int(),
        field=node.get("field").as_str(),
    )


def _read_partitions(inputs: _Node) -> tuple[tuple[str, int], ...]:
    if "partitions" not in inputs.as_object():
        return ()
    counts = inputs.get("partitions")
    return tuple((topic, counts.child(topic, n).as_int()) for topic, n in counts.as_object().items())


def _read_inputs(root: _Node) -> PlanInputs | None:
    # Absent in plan files written before plans recorded their inputs: apply refuses those.
    if "inputs" not in root.as_object():
        return None
    node = root.get("inputs")
    if node.is_null():
        return None
    return PlanInputs(
        specs=tuple(n.as_str() for n in node.get("specs").items()),
        manage=tuple(n.as_str() for n in node.get("manage").items()),
        allow_delete=node.get("allow_delete").as_bool(),
        prune_configs=node.get("prune_configs").as_bool(),
        planned_at_ms=node.get("planned_at_ms").as_int(),
        partitions=_read_partitions(node),
        environment=node.get("environment").as_str() if "environment" in node.as_object() else None,
        manage_principals=tuple(n.as_str() for n in node.get("manage_principals").items())
        if "manage_principals" in node.as_object()
        else (),
        rotate_unknown=node.get("rotate_unknown").as_bool()
        if "rotate_unknown" in node.as_object()
        else False,
    )


def _optional_field(root: _Node, *path: str) -> str | None:
    """A string that plan files written before it existed lack: absent or null reads as None."""
    node = root
    for key in path:
        if node.is_null() or key not in node.as_object():
            return None
        node = node.get(key)
    return _optional_str(node)


def _read_action(node: _Node) -> Action:
    kind = node.get("kind")
    match kind.as_str():
        case "create_topic":
            configs = node.get("configs")
            return CreateTopic(
                topic=node.get("topic").as_str(),
                partitions=node.get("partitions").as_int(),
                replication_factor=node.get("replication_factor").as_int(),
                configs=frozen_map({k: configs.child(k, v).as_str() for k, v in configs.as_object().items()}),
                assignment=_read_assignment(node.get("assignment")),
            )
        case "add_partitions":
            return AddPartitions(
                topic=node.get("topic").as_str(),
                before=node.get("before").as_int(),
                after=node.get("after").as_int(),
                new_assignment=_read_assignment(node.get("new_assignment")),
            )
        case "alter_configs":
            return AlterConfigs(
                topic=node.get("topic").as_str(),
                changes=tuple(
                    ConfigChange(
                        key=c.get("key").as_str(),
                        before=_optional_str(c.get("before")),
                        after=_optional_str(c.get("after")),
                    )
                    for c in node.get("changes").items()
                ),
            )
        case "reassign_replicas":
            return ReassignReplicas(
                topic=node.get("topic").as_str(),
                moves=_read_moves(node.get("moves")),
                reason=node.get("reason").as_str(),
            )
        case "finish_move":
            return FinishMove(topic=node.get("topic").as_str(), moves=_read_moves(node.get("moves")))
        case "remove_throttle":
            topic, broker, configs = node.get("topic"), node.get("broker"), node.get("configs")
            if topic.is_null() == broker.is_null():
                node.fail("a remove_throttle action names exactly one of topic and broker")
            return RemoveThrottle(
                configs=frozen_map({k: configs.child(k, v).as_str() for k, v in configs.as_object().items()}),
                topic=None if topic.is_null() else topic.as_str(),
                broker=None if broker.is_null() else broker.as_int(),
            )
        case "delete_topic":
            return DeleteTopic(topic=node.get("topic").as_str(), partitions=node.get("partitions").as_int())
        case "reset_offsets":
            reset_id = node.get("reset_id")
            return ResetOffsets(
                group=node.get("group").as_str(),
                to=_read_reset_to(node.get("mode")),
                moves=tuple(
                    OffsetMove(
                        topic=m.get("topic").as_str(),
                        partition=m.get("partition").as_int(),
                        before=None if m.get("before").is_null() else m.get("before").as_int(),
                        after=m.get("after").as_int(),
                    )
                    for m in node.get("moves").items()
                ),
                reset_id=None if reset_id.is_null() else reset_id.as_str(),
                group_exists=node.get("group_exists").as_bool(),
            )
        case other if other in ACCESS_KINDS:
            return read_access_action(node, other)
        case other:
            kind.fail(f"unknown action kind {other!r}; known kinds: {', '.join(ACTION_ORDER)}")


def _read_moves(node: _Node) -> tuple[PartitionMove, ...]:
    return tuple(
        PartitionMove(
            partition=m.get("partition").as_int(),
            before=_read_replicas(m.get("before")),
            after=_read_replicas(m.get("after")),
        )
        for m in node.items()
    )


def _optional_str(node: _Node) -> str | None:
    return None if node.is_null() else node.as_str()


def _read_replicas(node: _Node) -> tuple[int, ...]:
    return tuple(r.as_int() for r in node.items())


def _read_assignment(node: _Node) -> Assignment | None:
    return None if node.is_null() else tuple(_read_replicas(p) for p in node.items())


def _read_reset_to(node: _Node) -> ResetTo:
    mode = node.get("mode")
    try:
        offset_mode = OffsetMode(mode.as_str())
    except ValueError:
        mode.fail(
            f"unknown offset mode {mode.value!r}; known modes: {', '.join(m.value for m in OffsetMode)}"
        )
    value = node.get("value")
    rows = node.get("file_offsets")
    file_offsets: Mapping[TopicPartition, int] | None = None
    if not rows.is_null():
        file_offsets = MappingProxyType(
            {
                (r.get("topic").as_str(), r.get("partition").as_int()): r.get("offset").as_int()
                for r in rows.items()
            }
        )
    return ResetTo(
        mode=offset_mode,
        value=None if value.is_null() else value.as_int(),
        text=node.get("text").as_str(),
        file_offsets=file_offsets,
    )


def _read_refusal(node: _Node) -> Refusal:
    location = node.get("location")
    where: Location | str | None = (
        _read_location(location) if not location.is_null() else _optional_str(node.get("where"))
    )
    return Refusal(
        target=node.get("target").as_target(),
        message=node.get("message").as_str(),
        where=where,
        hint=node.get("hint").as_str(),
        # Plan files written before held (non-blocking) refusals existed block, as all did then.
        blocking=node.get("blocking").as_bool() if "blocking" in node.as_object() else True,
    )
