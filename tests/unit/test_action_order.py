"""`ACTION_ORDER` is the one home of the order: plans list actions by it, apply runs its phases by it."""

from __future__ import annotations

from kadmin.core.access import (
    AclBinding,
    AclOperation,
    PatternType,
    QuotaEntity,
    QuotaEntityType,
    QuotaKey,
    ResourceType,
    ScramMechanism,
)
from kadmin.core.access_actions import (
    AlterQuota,
    CreateAcl,
    CredentialChange,
    DeleteAcl,
    DeleteScram,
    QuotaChange,
    RemoveQuota,
    UpsertScram,
)
from kadmin.core.access_spec import PasswordSource
from kadmin.core.actions import (
    ACTION_ORDER,
    AddPartitions,
    AlterConfigs,
    ConfigChange,
    CreateTopic,
    DeleteTopic,
    FinishMove,
    Notice,
    PartitionMove,
    ReassignReplicas,
    Refusal,
    RemoveThrottle,
    ResetOffsets,
    by_target,
    in_apply_order,
    in_phases,
)
from kadmin.core.model import OffsetMode, ResetTo
from kadmin.core.plan import Plan
from kadmin.core.targets import Target

BINDING = AclBinding("User:svc", ResourceType.TOPIC, "orders.", PatternType.PREFIXED, AclOperation.WRITE)
ENTITY = QuotaEntity.of({QuotaEntityType.USER: "svc"})
MIXED = (
    DeleteTopic("old", 1),
    AlterConfigs("b", (ConfigChange("retention.ms", None, "1"),)),
    ResetOffsets("billing", ResetTo(OffsetMode.EARLIEST), ()),
    CreateTopic("z", 1, 1),
    AddPartitions("a", 1, 2),
    ReassignReplicas("a", (PartitionMove(0, (1,), (2,)),)),
    AlterConfigs("a", (ConfigChange("retention.ms", None, "1"),)),
    CreateTopic("y", 1, 1),
    RemoveThrottle({"leader.replication.throttled.rate": "1000"}, broker=2),
    FinishMove("a", (PartitionMove(0, (1, 2), (2,)),)),
    DeleteScram("old-svc", ScramMechanism.SCRAM_SHA_512, 4096),
    DeleteAcl(BINDING),
    RemoveQuota(ENTITY, (QuotaChange(QuotaKey.REQUEST_PERCENTAGE, 50.0, None),)),
    AlterQuota(ENTITY, (QuotaChange(QuotaKey.PRODUCER_BYTE_RATE, None, 1024.0),)),
    CreateAcl(BINDING, ("app a at s.yaml:3:3",)),
    UpsertScram("svc", ScramMechanism.SCRAM_SHA_512, 4096, PasswordSource(env="PW"), CredentialChange.CREATE),
)


def test_actions_go_by_kind_in_action_order_then_by_target() -> None:
    assert [(a.kind, str(a.target)) for a in in_apply_order(MIXED)] == [
        ("finish_move", "topic:a"),
        ("remove_throttle", "broker:2"),
        ("create_topic", "topic:y"),
        ("create_topic", "topic:z"),
        ("add_partitions", "topic:a"),
        ("reassign_replicas", "topic:a"),
        ("alter_configs", "topic:a"),
        ("alter_configs", "topic:b"),
        ("upsert_scram", "user:svc (SCRAM-SHA-512)"),
        ("create_acl", "acl:allow User:svc write topic:orders.*"),
        ("alter_quota", "quota:user=svc"),
        ("reset_offsets", "group:billing"),
        ("delete_topic", "topic:old"),
        ("remove_quota", "quota:user=svc"),
        ("delete_acl", "acl:allow User:svc write topic:orders.*"),
        ("delete_scram", "user:old-svc (SCRAM-SHA-512)"),
    ]
    assert Plan(MIXED, "c", "fp").ordered() == in_apply_order(MIXED)


def test_phases_are_one_batch_per_kind_present_in_action_order() -> None:
    phases = in_phases(MIXED)
    assert [batch[0].kind for batch in phases] == list(ACTION_ORDER)
    assert all(len({a.kind for a in batch}) == 1 for batch in phases)
    assert [a for batch in phases for a in batch] == list(in_apply_order(MIXED))
    assert [batch[0].kind for batch in in_phases(MIXED[:2])] == ["alter_configs", "delete_topic"]
    assert in_phases(()) == []


def test_refusals_and_notices_go_by_target_then_message() -> None:
    notices = (
        Notice(Target.topic("b"), "x"),
        Notice(Target.broker(3), "y"),
        Notice(Target.topic("a"), "z"),
        Notice(Target.topic("a"), "c"),
    )
    assert [(str(n.target), n.message) for n in by_target(notices)] == [
        ("broker:3", "y"),
        ("topic:a", "c"),
        ("topic:a", "z"),
        ("topic:b", "x"),
    ]
    refusals = (Refusal(Target.group("g"), "no"), Refusal(Target.broker(1), "no"))
    assert by_target(refusals) == (refusals[1], refusals[0])
