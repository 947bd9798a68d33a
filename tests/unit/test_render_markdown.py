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
    plan = plan_of(cluster_name="prod", bootstrap="k1:9092", created_at="2026-01-01T00:00:00Z")
    assert render_plan_markdown(plan) == (
        "### prod: No changes. The cluster matches the spec.\n"
        "\n"
        "Cluster `prod` (`c1`) via `k1:9092`, planned at 2026-01-01T00:00:00Z.\n"
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
        "### c1: Plan: 1 to create, 3 to update, 1 to delete.\n"
        "\n"
        "Cluster `c1`.\n"
        "\n"
        "> [!WARNING]\n"
        "> This plan deletes 1 topic and resets offsets of 1 group.\n"
        "\n"
        "| | Change | Count |\n"
        "|---|---|---:|\n"
        "| `+` | create | 1 |\n"
        "| `~` | update | 3 |\n"
        "| `-` | delete | 1 |\n"
        "| `!` | refused | 1 |\n"
        "\n"
        "`+` create · `~` update · `-` delete · `!` refused\n"
        "\n"
        "#### Changes\n"
        "\n"
        "```diff\n"
        "~ topic events\n"
        "~     replicas: rf 1 → 3, 1 partition move\n"
        "          p0: [1] → [1, 2, 3]\n"
        "~     retention.ms: 1 → 2\n"
        "-     segment.ms: 5 (not in the spec)\n"
        "+ topic orders: 1 partition, RF 3, replicas placed by the brokers\n"
        "+     cleanup.policy: compact\n"
        "~ group billing\n"
        "~     offsets: reset to earliest (reset id r1)\n"
        "          orders/0: 120 → 0 (replays 120)\n"
        "```\n"
        "\n"
        "#### `-` Will delete (`--allow-delete`)\n"
        "\n"
        "- topic `audit`: 4 partitions, data unknown\n"
        "\n"
        "#### Refused\n"
        "\n"
        "The plan cannot be applied until these are resolved.\n"
        "\n"
        "- `!` **topic pay\\_ments**: cannot shrink partitions 12 → 6"
        " (`specs/t.yaml:4:5: topics.pay_ments.partitions`)<br>Hint: keep 12\n"
        "\n"
        "#### Notices\n"
        "\n"
        "- **topic events**: min.insync.replicas set on the topic, kept\n"
        "\n"
        "2 unmanaged topics left alone.\n"
    )


def test_updates_are_never_marked_as_refused() -> None:
    plan = plan_of(AlterConfigs("t", (ConfigChange("retention.ms", "86400000", "604800000"),)))
    body = render_plan_markdown(plan).split("```diff\n")[1]
    assert body.startswith("~ topic t\n~     retention.ms: 1d → 7d (86400000 → 604800000)\n```")
    assert "!" not in body


def test_long_plan_folds_into_details() -> None:
    count = COLLAPSE_AFTER + 1
    actions = [CreateTopic(f"t{i:02d}", 1, 1) for i in range(count)]
    output = render_plan_markdown(plan_of(*actions))
    assert (
        "#### Changes\n"
        "\n"
        f"<details><summary>Show {count} changes ({count} lines)</summary>\n"
        "\n"
        "```diff\n"
        "+ topic t00: 1 partition, RF 1, replicas placed by the brokers\n"
    ) in output
    assert output.endswith(
        "+ topic t30: 1 partition, RF 1, replicas placed by the brokers\n```\n\n</details>\n"
    )


def test_short_plan_is_not_folded() -> None:
    # One line per created topic: exactly the limit, still shown open.
    output = render_plan_markdown(plan_of(*(CreateTopic(f"t{i}", 1, 1) for i in range(COLLAPSE_AFTER))))
    assert "<details>" not in output
    assert "```diff\n+ topic t0: 1 partition" in output


def test_fence_outlasts_backticks_in_values() -> None:
    output = render_plan_markdown(plan_of(AlterConfigs("t", (ConfigChange("k", None, "a```b"),))))
    assert '````diff\n~ topic t\n+     k: "a```b"\n````\n' in output


def test_refusal_text_cannot_inject_markup() -> None:
    plan = plan_of(
        refusals=(Refusal(Target.topic("t"), "<script>x</script> *bold*", "topic t", "see [docs](http://x)"),)
    )
    output = render_plan_markdown(plan)
    assert (
        "- `!` **topic t**: \\<script\\>x\\</script\\> \\*bold\\*<br>Hint: see \\[docs\\](http://x)\n"
        in output
    )
    assert output.startswith("### c1: Plan: 0 to create, 0 to update, 0 to delete.\n")
    assert "```" not in output
