"""The markdown view for pull requests: exact output for small plans, folding for long ones."""

from __future__ import annotations

from kadmin.core.actions import (
    Action,
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
from kadmin.render.markdown import COLLAPSE_AFTER, render_plan_markdown


def plan_of(*actions: Action, **fields: object) -> Plan:
    return Plan(actions=actions, cluster_id="c1", fingerprint="fp", **fields)  # type: ignore[arg-type]


def test_empty_plan() -> None:
    assert render_plan_markdown(plan_of(cluster_name="prod", created_at="2026-01-01T00:00:00Z")) == (
        "### No changes. The cluster matches the spec.\n"
        "\n"
        "Cluster `prod` (`c1`), planned at 2026-01-01T00:00:00Z.\n"
    )


def test_small_plan_in_a_diff_block_with_warning_refusals_and_notices() -> None:
    plan = plan_of(
        CreateTopic("orders", 1, 3, frozen_map({"cleanup.policy": "compact"})),
        AlterConfigs(
            "events", (ConfigChange("retention.ms", "1", "2"), ConfigChange("segment.ms", "5", None))
        ),
        ReassignReplicas("events", (PartitionMove(0, (1,), (1, 2, 3)),), "rf 1 → 3"),
        DeleteTopic("audit", 4),
        ResetOffsets(
            "billing", ResetTo(OffsetMode.EARLIEST), (OffsetMove("orders", 0, 120, 0),), reset_id="r1"
        ),
        refusals=(
            Refusal(
                Target.topic("pay_ments"),
                "cannot shrink partitions 12 → 6",
                Location("specs/t.yaml", 4, 5, "topics.pay_ments.partitions"),
                "keep 12",
            ),
        ),
        notices=(Notice(Target.topic("events"), "min.insync.replicas set on the topic, kept"),),
        unmanaged=("a", "b"),
    )
    assert render_plan_markdown(plan) == (
        "### Plan: 1 to create, 3 to update, 1 to delete.\n"
        "\n"
        "Cluster `c1`.\n"
        "\n"
        "> [!WARNING]\n"
        "> This plan deletes 1 topic and resets offsets of 1 group.\n"
        "\n"
        "```diff\n"
        "- topic audit\n"
        "-     partitions: 4\n"
        "! topic events\n"
        "!     replicas: rf 1 → 3\n"
        "!         p0: [1] → [1, 2, 3]\n"
        '!     retention.ms: "1" → "2"\n'
        '-     segment.ms: "5"\n'
        "+ topic orders\n"
        "+     partitions: 1\n"
        "+     replication_factor: 3\n"
        '+     cleanup.policy: "compact"\n'
        "! group billing\n"
        "!     offsets: reset to earliest (reset id r1)\n"
        "!         orders/0: 120 → 0 (replays 120)\n"
        "```\n"
        "\n"
        "**Refused**: the plan cannot be applied until these are resolved.\n"
        "\n"
        "- **topic pay\\_ments**: cannot shrink partitions 12 → 6"
        " (`specs/t.yaml:4:5: topics.pay_ments.partitions`)<br>Hint: keep 12\n"
        "\n"
        "**Notices**\n"
        "\n"
        "- **topic events**: min.insync.replicas set on the topic, kept\n"
        "\n"
        "1 refused. 2 unmanaged topics left alone.\n"
    )


def test_long_plan_folds_into_details() -> None:
    actions = [CreateTopic(f"t{i:02d}", 1, 1) for i in range(COLLAPSE_AFTER)]
    output = render_plan_markdown(plan_of(*actions))
    lines = 3 * COLLAPSE_AFTER
    assert output.startswith(
        f"### Plan: {COLLAPSE_AFTER} to create, 0 to update, 0 to delete.\n"
        "\n"
        "Cluster `c1`.\n"
        "\n"
        f"<details><summary>Show {COLLAPSE_AFTER} changes ({lines} lines)</summary>\n"
        "\n"
        "```diff\n"
        "+ topic t00\n"
    )
    assert output.endswith("+     replication_factor: 1\n```\n\n</details>\n")


def test_short_plan_is_not_folded() -> None:
    # Ten topics of three lines each: exactly the limit, still shown open.
    output = render_plan_markdown(plan_of(*(CreateTopic(f"t{i}", 1, 1) for i in range(COLLAPSE_AFTER // 3))))
    assert "<details>" not in output
    assert "```diff\n+ topic t0\n" in output


def test_fence_outlasts_backticks_in_values() -> None:
    output = render_plan_markdown(plan_of(AlterConfigs("t", (ConfigChange("k", None, "a```b"),))))
    assert '````diff\n! topic t\n+     k: "a```b"\n````\n' in output


def test_refusal_text_cannot_inject_markup() -> None:
    plan = plan_of(
        refusals=(Refusal(Target.topic("t"), "<script>x</script> *bold*", "topic t", "see [docs](http://x)"),)
    )
    output = render_plan_markdown(plan)
    assert (
        "- **topic t**: \\<script\\>x\\</script\\> \\*bold\\*<br>Hint: see \\[docs\\](http://x)\n" in output
    )
    assert output.startswith("### Plan: 0 to create, 0 to update, 0 to delete.\n")
    assert "```" not in output
