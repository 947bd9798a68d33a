"""The text view, on hand-built plans: exact lines per action kind, ordering, colour, speed."""

from __future__ import annotations

import io

from rich.console import Console

from kadmin.core.actions import (
    Action,
    AddPartitions,
    AlterConfigs,
    ConfigChange,
    CreateTopic,
    DeleteTopic,
    Notice,
    OffsetMove,
    PartitionMove,
    ReassignReplicas,
    Refusal,
    ResetOffsets,
)
from kadmin.core.errors import Location
from kadmin.core.model import OffsetMode, ResetTo, frozen_map
from kadmin.core.plan import Plan
from kadmin.core.targets import Target
from kadmin.kafka.port import Outcome
from kadmin.render.text import render_apply_report, render_plan


def plan_of(*actions: Action, **fields: object) -> Plan:
    return Plan(actions=actions, cluster_id="c1", fingerprint="fp", **fields)  # type: ignore[arg-type]


def text_of(plan: Plan) -> str:
    """The plan below its first line, which names the cluster (checked here)."""
    console = Console(file=io.StringIO(), width=100, color_system=None)
    render_plan(plan, console)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    header = f"Cluster {plan.cluster_id}.\n\n"
    assert output.startswith(header), output
    return output.removeprefix(header)


def test_the_first_line_names_the_cluster_by_spec_name_id_and_bootstrap() -> None:
    plan = plan_of(cluster_name="prod-eu", bootstrap="kafka-1:9092", created_at="2026-01-02T03:04:05Z")
    console = Console(file=io.StringIO(), width=100, color_system=None)
    render_plan(plan, console)
    assert console.file.getvalue().startswith(  # type: ignore[attr-defined]
        "Cluster prod-eu (c1) via kafka-1:9092, planned at 2026-01-02T03:04:05Z.\n\n"
        "No changes. The cluster matches the spec.\n"
    )


def test_empty_plan() -> None:
    assert text_of(plan_of()) == "No changes. The cluster matches the spec.\n"


def test_empty_plan_with_notices_and_unmanaged_topics() -> None:
    plan = plan_of(
        notices=(Notice(Target.topic("a"), "retention.bytes set on the topic, kept"),), unmanaged=("x", "y")
    )
    assert text_of(plan) == (
        "Notices:\n"
        "  topic a: retention.bytes set on the topic, kept\n"
        "\n"
        "No changes. The cluster matches the spec.\n"
        "2 unmanaged topics left alone.\n"
    )


def test_create_topic() -> None:
    create = CreateTopic(
        "orders.created",
        2,
        3,
        frozen_map({"retention.ms": "604800000", "cleanup.policy": "compact"}),
        ((1, 2, 3), (2, 3, 1)),
    )
    assert text_of(plan_of(create)) == (
        "+ topic orders.created: 2 partitions, RF 3, leaders broker 1 ×1, broker 2 ×1\n"
        "    + cleanup.policy: compact\n"
        "    + retention.ms: 7d (604800000)\n"
        "\n"
        "Plan: 1 to create, 0 to update, 0 to delete.\n"
    )


def test_create_topic_without_explicit_assignment() -> None:
    assert text_of(plan_of(CreateTopic("t", 1, 1))) == (
        "+ topic t: 1 partition, RF 1, replicas placed by the brokers\n"
        "\n"
        "Plan: 1 to create, 0 to update, 0 to delete.\n"
    )


def test_add_partitions() -> None:
    assert text_of(plan_of(AddPartitions("orders", 6, 8, ((1, 2), (2, 3))))) == (
        "~ topic orders\n"
        "    ~ partitions: 6 → 8 (new: leaders broker 1 ×1, broker 2 ×1)\n"
        "\n"
        "Plan: 0 to create, 1 to update, 0 to delete.\n"
    )


def test_alter_configs_shows_added_changed_and_removed_keys_sorted() -> None:
    alter = AlterConfigs(
        "orders",
        (
            ConfigChange("segment.ms", "3600000", None),
            ConfigChange("retention.ms", "86400000", "604800000"),
            ConfigChange("cleanup.policy", None, "compact"),
        ),
    )
    assert text_of(plan_of(alter)) == (
        "~ topic orders\n"
        "    + cleanup.policy: compact\n"
        "    ~ retention.ms: 1d → 7d (86400000 → 604800000)\n"
        "    - segment.ms: 1h (3600000) (not in the spec)\n"
        "\n"
        "Plan: 0 to create, 1 to update, 0 to delete.\n"
    )


def test_config_values_are_quoted_safely() -> None:
    alter = AlterConfigs("t", (ConfigChange("message.format", None, 'say "hi"\n'),))
    assert '    + message.format: "say \\"hi\\"\\n"\n' in text_of(plan_of(alter))


def test_reassign_replicas_per_partition() -> None:
    move = ReassignReplicas(
        "orders",
        (PartitionMove(1, (2,), (2, 3, 1)), PartitionMove(0, (1,), (1, 2, 3))),
        "replication factor 1 → 3",
    )
    assert text_of(plan_of(move)) == (
        "~ topic orders\n"
        "    ~ replicas: replication factor 1 → 3, 2 partitions move\n"
        "        p0: [1] → [1, 2, 3]\n"
        "        p1: [2] → [2, 3, 1]\n"
        "\n"
        "Plan: 0 to create, 1 to update, 0 to delete.\n"
    )


def test_delete_topic_is_summarised_as_destructive() -> None:
    plan = plan_of(DeleteTopic("legacy.audit", 8), DeleteTopic("legacy.billing", 3))
    assert text_of(plan) == (
        "This plan deletes 2 topics.\n"
        "\n"
        "Will delete (--allow-delete):\n"
        "- topic legacy.audit: 8 partitions, data unknown\n"
        "- topic legacy.billing: 3 partitions, data unknown\n"
        "\n"
        "Plan: 0 to create, 0 to update, 2 to delete.\n"
    )


def test_reset_offsets_per_partition() -> None:
    reset = ResetOffsets(
        "billing",
        ResetTo(OffsetMode.EARLIEST),
        (
            OffsetMove("orders.created", 1, None, 0),
            OffsetMove("orders.created", 0, 120, 0),
            OffsetMove("orders.archived", 0, 10, 40),
            OffsetMove("orders.archived", 1, 7, 7),
        ),
        reset_id="replay-1",
    )
    assert text_of(plan_of(reset)) == (
        "This plan resets offsets of 1 group.\n"
        "\n"
        "~ group billing\n"
        "    ~ offsets: reset to earliest (reset id replay-1)\n"
        "        orders.archived/0: 10 → 40 (skips 30)\n"
        "        orders.archived/1: 7 → 7 (unchanged)\n"
        "        orders.created/0: 120 → 0 (replays 120)\n"
        "        orders.created/1: (none) → 0\n"
        "\n"
        "Plan: 0 to create, 1 to update, 0 to delete.\n"
    )


def test_reset_of_a_group_that_does_not_exist_yet() -> None:
    reset = ResetOffsets(
        "fresh",
        ResetTo(OffsetMode.SHIFT_BY, -5, "-5"),
        (OffsetMove("t", 0, None, 3),),
        group_exists=False,
    )
    assert text_of(plan_of(reset)).startswith(
        "This plan resets offsets of 1 group.\n"
        "\n"
        "~ group fresh (new group)\n"
        "    ~ offsets: reset to shift_by -5\n"
    )


def test_full_plan_groups_per_topic_then_group_with_refusals_and_notices() -> None:
    plan = plan_of(
        ResetOffsets("billing", ResetTo(OffsetMode.LATEST), (OffsetMove("orders", 0, 5, 9),)),
        AlterConfigs("orders", (ConfigChange("retention.ms", "1", "2"),)),
        DeleteTopic("audit", 1),
        AddPartitions("orders", 1, 2),
        CreateTopic("new", 1, 1),
        ResetOffsets("analytics", ResetTo(OffsetMode.LATEST), (OffsetMove("orders", 0, 5, 9),)),
        refusals=(
            Refusal(
                Target.topic("payments"),
                "cannot shrink partitions 12 → 6",
                Location("specs/topics.yaml", 14, 5, "topics.payments.partitions"),
                "Kafka cannot remove partitions; keep 12 or recreate the topic.",
            ),
            Refusal(
                Target.broker(3), "rack eu-1b differs from the spec's eu-1a", "broker 3", "fix broker.rack"
            ),
        ),
        notices=(Notice(Target.topic("orders"), "segment.bytes set on the topic, kept"),),
        unmanaged=("scratch",),
    )
    assert text_of(plan) == (
        "This plan deletes 1 topic and resets offsets of 2 groups.\n"
        "\n"
        "+ topic new: 1 partition, RF 1, replicas placed by the brokers\n"
        "~ topic orders\n"
        "    ~ partitions: 1 → 2\n"
        "    ~ retention.ms: 1 → 2\n"
        "~ group analytics\n"
        "    ~ offsets: reset to latest\n"
        "        orders/0: 5 → 9 (skips 4)\n"
        "~ group billing\n"
        "    ~ offsets: reset to latest\n"
        "        orders/0: 5 → 9 (skips 4)\n"
        "\n"
        "Will delete (--allow-delete):\n"
        "- topic audit: 1 partition, data unknown\n"
        "\n"
        "Refused: the plan cannot be applied until these are resolved.\n"
        "! broker 3: rack eu-1b differs from the spec's eu-1a\n"
        "    hint: fix broker.rack\n"
        "! topic payments: cannot shrink partitions 12 → 6\n"
        "    at specs/topics.yaml:14:5: topics.payments.partitions\n"
        "    hint: Kafka cannot remove partitions; keep 12 or recreate the topic.\n"
        "\n"
        "Notices:\n"
        "  topic orders: segment.bytes set on the topic, kept\n"
        "\n"
        "Plan: 1 to create, 4 to update, 1 to delete.\n"
        "2 refused.\n"
        "1 unmanaged topic left alone.\n"
    )


def test_refusal_only_plan_is_not_reported_as_no_changes() -> None:
    plan = plan_of(refusals=(Refusal(Target.topic("t"), "cannot shrink", None, ""),))
    assert text_of(plan) == (
        "Refused: the plan cannot be applied until these are resolved.\n"
        "! topic t: cannot shrink\n"
        "\n"
        "Plan: 0 to create, 0 to update, 0 to delete.\n"
        "1 refused.\n"
    )


def test_lines_are_not_wrapped_at_console_width() -> None:
    long_value = "x" * 150
    output = text_of(plan_of(AlterConfigs("t", (ConfigChange("k", None, long_value),))))
    assert f"    + k: {long_value}\n" in output


def test_terminal_escape_sequences_in_messages_are_dropped() -> None:
    plan = plan_of(notices=(Notice(Target.group("g\x1b]0;x\x07"), "member \x1b[31mred\x1b[0m\njoined"),))
    assert text_of(plan).startswith("Notices:\n  group g]0;x: member [31mred[0m joined\n")


def test_no_colour_without_a_terminal_and_colour_with_one() -> None:
    plan = plan_of(
        CreateTopic("a", 1, 1), AlterConfigs("b", (ConfigChange("k", "1", "2"),)), DeleteTopic("c", 1)
    )
    plain = text_of(plan)
    assert "\x1b[" not in plain

    console = Console(file=io.StringIO(), width=100, force_terminal=True, color_system="standard")
    render_plan(plan, console)
    coloured = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b[32m+\x1b[0m" in coloured  # green create
    assert "\x1b[33m~\x1b[0m" in coloured  # yellow update
    assert "\x1b[31m-\x1b[0m" in coloured  # red delete
    assert "\x1b[1mtopic a: 1 partition" in coloured  # bold heading


def test_refusal_mark_is_bold_red_on_a_terminal() -> None:
    plan = plan_of(refusals=(Refusal(Target.topic("t"), "no"),))
    console = Console(file=io.StringIO(), width=100, force_terminal=True, color_system="standard")
    render_plan(plan, console)
    assert "\x1b[1;31m!\x1b[0m topic t: no" in console.file.getvalue()  # type: ignore[attr-defined]


def test_ten_thousand_topics_render_one_summary_line_per_created_topic() -> None:
    actions: list[Action] = []
    for i in range(5_000):
        actions.append(CreateTopic(f"new.{i:05d}", 6, 3, frozen_map({"retention.ms": "1"}), ((1, 2, 3),) * 6))
        actions.append(AlterConfigs(f"old.{i:05d}", (ConfigChange("retention.ms", "1", "2"),)))
    plan = plan_of(*actions)
    console = Console(file=io.StringIO(), width=100, force_terminal=True, color_system="truecolor")
    render_plan(plan, console)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    # The cluster line; a created topic: its summary and its one config; an update: heading and change.
    assert output.count("\n") == 2 + 5_000 * 2 + 5_000 * 2 + 2


def test_apply_report() -> None:
    create = CreateTopic("orders", 6, 3)
    delete = DeleteTopic("audit", 1)
    reset = ResetOffsets("billing", ResetTo(OffsetMode.EARLIEST), (OffsetMove("orders", 0, 5, 0),))
    console = Console(file=io.StringIO(), width=100, color_system=None)
    render_apply_report(
        [
            (create, Outcome(Target.topic("orders"), True)),
            (reset, Outcome(Target.group("billing"), True)),
            (delete, Outcome(Target.topic("audit"), False, "UNKNOWN_TOPIC_OR_PARTITION")),
        ],
        console,
    )
    assert console.file.getvalue() == (  # type: ignore[attr-defined]
        "✓ topic orders: created (6 partitions, replication factor 3)\n"
        "✓ group billing: offsets reset on 1 partition\n"
        "✗ topic audit: delete failed: UNKNOWN_TOPIC_OR_PARTITION\n"
        "\n"
        "Apply complete: 2 succeeded, 1 failed.\n"
    )


def test_apply_report_of_every_remaining_kind() -> None:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    render_apply_report(
        [
            (AddPartitions("a", 1, 3), Outcome(Target.topic("a"), True)),
            (
                AlterConfigs("b", (ConfigChange("k", None, "v"), ConfigChange("j", "1", None))),
                Outcome(Target.topic("b"), True),
            ),
            (ReassignReplicas("c", (PartitionMove(0, (1,), (1, 2)),)), Outcome(Target.topic("c"), False, "")),
        ],
        console,
    )
    assert console.file.getvalue() == (  # type: ignore[attr-defined]
        "✓ topic a: partitions 1 → 3\n"
        "✓ topic b: 2 configs changed\n"
        "✗ topic c: reassign replicas failed: unknown error\n"
        "\n"
        "Apply complete: 2 succeeded, 1 failed.\n"
    )


def test_apply_report_with_nothing_applied() -> None:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    render_apply_report([], console)
    assert console.file.getvalue() == "Apply complete: 0 succeeded, 0 failed.\n"  # type: ignore[attr-defined]


def test_held_changes_are_apart_from_refusals_that_block_the_plan() -> None:
    plan = plan_of(
        refusals=(
            Refusal(Target.group("billing"), "group has 2 members", None, "stop them", blocking=False),
            Refusal(Target.topic("t"), "cannot shrink"),
        )
    )
    assert text_of(plan) == (
        "Refused: the plan cannot be applied until these are resolved.\n"
        "! topic t: cannot shrink\n"
        "\n"
        "Held back (the rest of the plan is applied; the command then exits 1):\n"
        "! group billing: group has 2 members\n"
        "    hint: stop them\n"
        "\n"
        "Plan: 0 to create, 0 to update, 0 to delete.\n"
        "2 refused.\n"
    )
