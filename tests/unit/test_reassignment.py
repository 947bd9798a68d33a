"""Safe reassignment over kadmin's port: throttle layout, the start / wait / unthrottle / elect
sequence, finishing and cancelling moves left running, and the `zones` / `reassignments` commands.

The cluster is `InMemoryCluster`, kadmin's fake of its own port (never of Kafka's protocol),
with moves that finish after a set number of polls, as a real one finishes after its new
replicas caught up. Time is a fake clock, so waits take no time.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import kadmin.cli.plan_cmds as plan_cmds
import kadmin.cli.reassign_cmds as reassign_cmds
import kadmin.cli.zones_cmds as zones_cmds
from kadmin.cli.app import app
from kadmin.core.actions import PartitionMove, ReassignReplicas
from kadmin.core.errors import KadminError
from kadmin.core.model import (
    Broker,
)
from kadmin.core.plan import Plan
from kadmin.core.targets import Target
from kadmin.kafka.port import (
    FOLLOWER_THROTTLED_REPLICAS,
    LEADER_THROTTLED_REPLICAS,
    THROTTLE_RATE_KEYS,
    Outcome,
)
from kadmin.ops.apply import apply_plan
from kadmin.ops.move_wait import METADATA_GRACE_S
from kadmin.ops.reassignment import ReassignOptions, reassign
from kadmin.ops.running_moves import cancel, describe, finish
from kadmin.ops.throttles import throttle_for
from tests.fakes import InMemoryCluster

ZONES3 = (Broker(1, "zone-a"), Broker(2, "zone-b"), Broker(3, "zone-c"))


@dataclass
class Clock:
    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def action(topic: str, moves: list[tuple[int, list[int], list[int]]]) -> ReassignReplicas:
    return ReassignReplicas(topic, tuple(PartitionMove(p, tuple(b), tuple(a)) for p, b, a in moves))


def cluster(**replicas: list[list[int]]) -> InMemoryCluster:
    """Topics with these replica lists per partition, on brokers 1-3; a move lands on the second poll."""
    mem = InMemoryCluster(polls_to_finish=2)
    for topic, rows in replicas.items():
        mem.place(topic, *rows)
    return mem


def methods(mem: InMemoryCluster) -> list[str]:
    """The calls made, without the polls of the ongoing moves."""
    return mem.methods(skip=("ongoing_reassignments",))


def run_reassign(
    mem: InMemoryCluster, actions: list[ReassignReplicas], **options: Any
) -> tuple[Any, list[tuple[int, int]], Clock]:
    clock, seen = Clock(), []
    result = reassign(
        mem,
        actions,
        ReassignOptions(**options),
        progress=lambda done, total: seen.append((done, total)),
        sleep=clock.sleep,
        clock=clock,
    )
    return result, seen, clock


# --- the throttle layout -----------------------------------------------------------


@pytest.mark.parametrize(
    ("moves", "leaders", "followers", "brokers"),
    [
        # RF 1 -> 3: the one current replica serves, the two new ones fetch.
        ([(0, [1], [1, 2, 3])], "0:1", "0:2,0:3", (1, 2, 3)),
        # A replica replaced: both old ones serve, only the newcomer fetches; the leaver is involved too.
        ([(0, [1, 2], [1, 3]), (1, [2, 1], [2, 3])], "0:1,0:2,1:1,1:2", "0:3,1:3", (1, 2, 3)),
        # A reorder (leader change only) copies nothing: no follower list.
        ([(3, [1, 2], [2, 1])], "3:1,3:2", None, (1, 2)),
        # RF 3 -> 2: nothing to fetch.
        ([(0, [1, 2, 3], [1, 2])], "0:1,0:2,0:3", None, (1, 2, 3)),
    ],
)
def test_throttle_lists_serving_and_fetching_replicas_like_kafkas_tool(
    moves: list[tuple[int, list[int], list[int]]],
    leaders: str,
    followers: str | None,
    brokers: tuple[int, ...],
) -> None:
    throttle = throttle_for([action("orders", moves)], 50_000_000)
    assert throttle.rate == 50_000_000
    assert throttle.brokers == brokers
    assert dict(throttle.leaders) == {"orders": leaders}
    assert dict(throttle.followers) == ({"orders": followers} if followers else {})
    assert throttle.topics == ("orders",)


def test_throttle_covers_every_topic_of_the_batch() -> None:
    throttle = throttle_for([action("b", [(0, [3], [3, 1])]), action("a", [(1, [2], [2, 3])])], 10)
    assert throttle.topics == ("a", "b")
    assert dict(throttle.leaders) == {"a": "1:2", "b": "0:3"}
    assert dict(throttle.followers) == {"a": "1:3", "b": "0:1"}
    assert throttle.brokers == (1, 2, 3)


@pytest.mark.parametrize("rate", [0, -5])
def test_a_throttle_must_be_a_positive_rate(rate: int) -> None:
    with pytest.raises(KadminError, match="not a rate") as err:
        ReassignOptions(throttle=rate)
    assert "bytes per second" in err.value.hint


# --- reassign: the whole sequence ----------------------------------------------------


def test_throttled_move_sets_waits_checks_unthrottles_and_elects_in_that_order() -> None:
    mem = cluster(orders=[[1], [2]], other=[[3]])
    moves = [action("orders", [(0, [1], [1, 2, 3]), (1, [2], [2, 3, 1])])]
    result, seen, clock = run_reassign(mem, moves, throttle=1_000_000, timeout=30)

    assert result.ok and result.outcomes == (Outcome(Target.topic("orders"), True),)
    assert result.completed == (("orders", 0), ("orders", 1))
    assert result.pending == ()
    assert result.throttle_removed
    assert result.notes == ()
    assert methods(mem) == [
        "set_replication_throttle",
        "reassign_partitions",
        "snapshot",
        "clear_replication_throttle",
        "elect_preferred_leaders",
    ]
    assert mem.assignment()[("orders", 0)] == (1, 2, 3)
    assert mem.assignment()[("orders", 1)] == (2, 3, 1)
    assert mem.assignment()[("other", 0)] == (3,)
    assert mem.elected == [(("orders", 0), ("orders", 1))]
    assert mem.throttles_left() == {"brokers": {}, "topics": {}}
    assert seen == [(0, 2), (2, 2)]
    assert clock.sleeps == [0.5]


def test_throttle_is_in_place_while_the_moves_run() -> None:
    mem = cluster(orders=[[1]])
    mem.polls_to_finish = 3
    during: list[dict[str, Any]] = []
    clock = Clock()

    def progress(done: int, total: int) -> None:
        during.append(mem.throttles_left())

    reassign(
        mem,
        [action("orders", [(0, [1], [1, 2])])],
        ReassignOptions(throttle=7),
        progress=progress,
        sleep=clock.sleep,
        clock=clock,
    )
    assert during[0] == {
        "brokers": {1: dict.fromkeys(THROTTLE_RATE_KEYS, "7"), 2: dict.fromkeys(THROTTLE_RATE_KEYS, "7")},
        "topics": {"orders": {LEADER_THROTTLED_REPLICAS: "0:1", FOLLOWER_THROTTLED_REPLICAS: "0:2"}},
    }
    assert mem.throttles_left() == {"brokers": {}, "topics": {}}


def test_without_a_throttle_no_throttle_config_is_touched() -> None:
    mem = cluster(orders=[[1]])
    result, _, _ = run_reassign(mem, [action("orders", [(0, [1], [1, 2])])])
    assert result.ok and not result.throttle_removed
    assert "set_replication_throttle" not in methods(mem)
    assert "clear_replication_throttle" not in methods(mem)
    assert mem.assignment()[("orders", 0)] == (1, 2)


def test_nothing_to_move_makes_no_call() -> None:
    mem = cluster(orders=[[1]])
    result, seen, _ = run_reassign(mem, [], throttle=5)
    assert result.outcomes == () and mem.calls == [] and seen == []


def test_no_wait_returns_at_once_and_leaves_the_throttle_for_finish() -> None:
    mem = cluster(orders=[[1], [2]])
    result, seen, clock = run_reassign(
        mem, [action("orders", [(0, [1], [1, 3]), (1, [2], [2, 3])])], throttle=100, wait=False
    )
    assert result.ok
    assert result.pending == (("orders", 0), ("orders", 1))
    assert not result.throttle_removed
    assert seen == [] and clock.sleeps == []
    assert "elect_preferred_leaders" not in methods(mem)
    assert len(result.notes) == 1
    assert "2 partitions moving in the background" in result.notes[0]
    assert "`kadmin reassignments wait`" in result.notes[0]
    assert mem.throttles_left()["topics"] == {
        "orders": {LEADER_THROTTLED_REPLICAS: "0:1,1:2", FOLLOWER_THROTTLED_REPLICAS: "0:3,1:3"}
    }

    clock = Clock()
    done = finish(mem, sleep=clock.sleep, clock=clock)
    assert done.ok and done.outcomes == (Outcome(Target.topic("orders"), True),)
    assert done.completed == (("orders", 0), ("orders", 1))
    assert done.throttle_removed
    assert mem.throttles_left() == {"brokers": {}, "topics": {}}
    assert mem.elected == [(("orders", 0), ("orders", 1))]


def test_a_move_still_running_at_the_timeout_fails_and_keeps_the_throttle() -> None:
    mem = cluster(orders=[[1], [2]])
    mem.polls_to_finish = 10**9
    moves = [action("orders", [(0, [1], [1, 2]), (1, [2], [2, 3])])]
    result, seen, clock = run_reassign(mem, moves, throttle=9, timeout=5)

    assert not result.ok
    outcome = result.outcomes[0]
    assert outcome.target == Target.topic("orders") and not outcome.ok
    assert outcome.error.startswith("partitions 0, 1 are still moving after 5 s")
    assert "`kadmin reassignments cancel --topic orders`" in outcome.error
    assert result.pending == (("orders", 0), ("orders", 1))
    assert not result.throttle_removed
    assert any("throttle stays" in n for n in result.notes)
    assert "clear_replication_throttle" not in methods(mem)
    assert "elect_preferred_leaders" not in methods(mem)
    assert mem.throttles_left()["topics"]["orders"]
    # Bounded: polls every 0.5 s, never sleeping past the deadline.
    assert clock.now == pytest.approx(5.0)
    assert all(s <= 0.5 for s in clock.sleeps)
    assert seen == [(0, 2)]


def test_partitions_that_finish_within_the_timeout_count_as_done() -> None:
    mem = cluster(orders=[[1], [2]])
    moves = [action("orders", [(0, [1], [1, 2]), (1, [2], [2, 3])])]
    mem.polls_to_finish = 10**9
    clock = Clock()
    seen: list[tuple[int, int]] = []

    def partition_0_lands_on_the_third_poll() -> None:
        if mem.counts()["ongoing_reassignments"] == 2 and ("orders", 0) in mem.moving:
            mem.polls_left[("orders", 0)] = 1

    mem.before["ongoing_reassignments"] = partition_0_lands_on_the_third_poll
    result = reassign(
        mem,
        moves,
        ReassignOptions(timeout=3),
        progress=lambda d, t: seen.append((d, t)),
        sleep=clock.sleep,
        clock=clock,
    )
    assert result.completed == (("orders", 0),)
    assert result.pending == (("orders", 1),)
    assert result.outcomes[0].error.startswith("partition 1 is still moving after 3 s")
    assert seen == [(0, 2), (1, 2)]


def test_a_partition_already_moving_is_refused_and_the_rest_goes_ahead() -> None:
    mem = cluster(orders=[[1], [2]], billing=[[3]])
    mem.start_move(("orders", 1), (2, 1))
    result, _, _ = run_reassign(
        mem, [action("orders", [(1, [2], [2, 3])]), action("billing", [(0, [3], [3, 1])])], throttle=5
    )
    refused, moved = result.outcomes
    assert refused.target == Target.topic("orders") and not refused.ok
    assert refused.error.startswith("partition 1 is already being reassigned")
    assert "`kadmin reassignments cancel --topic orders`" in refused.error
    assert moved == Outcome(Target.topic("billing"), True)
    assert mem.assignment()[("billing", 0)] == (3, 1)
    # The other move's target was not replaced, and only billing was throttled.
    assert mem.moving[("orders", 1)] == (2, 1)
    assert mem.elected == [(("billing", 0),)]


def test_a_throttle_the_brokers_refuse_stops_everything_and_is_rolled_back() -> None:
    mem = cluster(orders=[[1]], billing=[[2]])
    mem.refuse[("set_replication_throttle", Target.broker(3))] = "CLUSTER_AUTHORIZATION_FAILED: denied"
    result, _, _ = run_reassign(
        mem, [action("orders", [(0, [1], [1, 3])]), action("billing", [(0, [2], [2, 1])])], throttle=5
    )
    assert [o.ok for o in result.outcomes] == [False, False]
    assert result.outcomes[0].error == (
        "could not set the replication throttle (broker:3: CLUSTER_AUTHORIZATION_FAILED: denied); "
        "nothing was moved"
    )
    assert "reassign_partitions" not in methods(mem)
    # What brokers 1 and 2 and the topics accepted is taken back, once.
    assert methods(mem).count("clear_replication_throttle") == 1
    assert result.throttle_removed
    assert mem.throttles_left() == {"brokers": {}, "topics": {}}
    assert mem.assignment() == {("orders", 0): (1,), ("billing", 0): (2,)}


def test_a_topic_the_controller_refuses_fails_alone() -> None:
    mem = cluster(orders=[[1]], billing=[[2]])
    mem.refuse[("reassign_partitions", Target.topic("orders"))] = "partition 0: InvalidReplicaAssignmentError"
    result, _, _ = run_reassign(
        mem, [action("orders", [(0, [1], [1, 9])]), action("billing", [(0, [2], [2, 1])])]
    )
    assert result.outcomes == (
        Outcome(Target.topic("orders"), False, "partition 0: InvalidReplicaAssignmentError"),
        Outcome(Target.topic("billing"), True),
    )
    assert result.completed == (("billing", 0),)


def test_when_nothing_starts_the_throttle_is_removed_again() -> None:
    mem = cluster(orders=[[1]])
    mem.refuse[("reassign_partitions", Target.topic("orders"))] = "partition 0: UnknownTopicOrPartitionError"
    result, _, _ = run_reassign(mem, [action("orders", [(0, [1], [1, 2])])], throttle=5)
    assert not result.ok and result.throttle_removed
    assert mem.throttles_left() == {"brokers": {}, "topics": {}}
    assert "elect_preferred_leaders" not in methods(mem)


def test_a_move_that_ends_on_other_replicas_fails_after_the_metadata_grace() -> None:
    mem = cluster(orders=[[1]])
    mem.lands_on[("orders", 0)] = (1, 3)
    result, _, clock = run_reassign(mem, [action("orders", [(0, [1], [1, 2])])], throttle=5, timeout=600)
    assert not result.ok
    assert result.outcomes[0].error.startswith(
        "the move ended elsewhere (partition 0 has replicas [1, 3], not [1, 2]); was it cancelled"
    )
    # Waited out the grace for a lagging metadata read, not the whole timeout.
    assert METADATA_GRACE_S <= clock.now < METADATA_GRACE_S + 2
    assert result.throttle_removed
    assert mem.elected == []


def test_a_failed_leader_election_is_a_note_not_a_failed_move() -> None:
    mem = cluster(orders=[[1]])
    mem.refuse[("elect_preferred_leaders", Target.topic("orders"))] = (
        "partition 0: PREFERRED_LEADER_NOT_AVAILABLE: not in sync"
    )
    result, _, _ = run_reassign(mem, [action("orders", [(0, [1], [2, 1])])])
    assert result.ok
    assert result.notes == (
        "preferred leader election for topic orders failed: "
        "partition 0: PREFERRED_LEADER_NOT_AVAILABLE: not in sync",
    )


# --- finish, cancel, describe ---------------------------------------------------------


def test_finish_with_nothing_moving_still_removes_leftover_throttles() -> None:
    mem = InMemoryCluster()
    mem.add_topic("orders", 1, 2, {LEADER_THROTTLED_REPLICAS: "0:1", "retention.ms": "1000"})
    mem.broker_configs[2] = dict.fromkeys(THROTTLE_RATE_KEYS, "10")
    result = finish(mem)
    assert result.outcomes == () and result.throttle_removed
    assert mem.throttles_left() == {"brokers": {}, "topics": {}}
    assert mem.overrides("orders") == {"retention.ms": "1000"}
    assert "elect_preferred_leaders" not in methods(mem)


def test_cancel_one_topic_keeps_the_throttles_while_others_move() -> None:
    mem = cluster(orders=[[1]], billing=[[2]])
    mem.polls_to_finish = 10**9
    reassign(
        mem,
        [action("orders", [(0, [1], [1, 2])]), action("billing", [(0, [2], [2, 3])])],
        ReassignOptions(throttle=5, wait=False),
    )
    result = cancel(mem, ["orders", "ghost"])
    assert result.outcomes == (Outcome(Target.topic("orders"), True),)
    assert result.completed == (("orders", 0),)
    assert ("orders", 0) not in mem.moving and ("billing", 0) in mem.moving
    assert mem.assignment()[("orders", 0)] == (1,)
    assert not result.throttle_removed
    assert result.notes == (
        "topic ghost: no reassignment in progress",
        "the replication throttles stay: 1 other partition still moving",
    )
    assert mem.throttles_left()["brokers"]

    everything = cancel(mem)
    assert everything.outcomes == (Outcome(Target.topic("billing"), True),)
    assert everything.throttle_removed
    assert mem.moving == {}
    assert mem.throttles_left() == {"brokers": {}, "topics": {}}


def test_describe_shows_replicas_now_target_and_the_leaving_ones() -> None:
    mem = cluster(orders=[[1, 2]])
    mem.polls_to_finish = 10**9
    reassign(mem, [action("orders", [(0, [1, 2], [1, 3])])], ReassignOptions(throttle=5, wait=False))
    found = describe(mem)
    (move,) = found.moves
    assert (move.topic, move.partition, move.replicas, move.target_replicas) == (
        "orders",
        0,
        (1, 3, 2),
        (1, 3),
    )
    assert move.removing == (2,)
    assert dict(found.throttles.topics["orders"]) == {
        LEADER_THROTTLED_REPLICAS: "0:1,0:2",
        FOLLOWER_THROTTLED_REPLICAS: "0:3",
    }
    assert sorted(found.throttles.brokers) == [1, 2, 3]


# --- the commands ----------------------------------------------------------------------


@pytest.fixture
def connected(monkeypatch: pytest.MonkeyPatch) -> list[InMemoryCluster]:
    """The commands' adapter factory, swapped for the fake the test puts in the list."""
    holder: list[InMemoryCluster] = []
    monkeypatch.setattr(reassign_cmds, "connect", lambda *args, **kwargs: holder[0])
    monkeypatch.setattr(zones_cmds, "connect", lambda *args, **kwargs: holder[0])
    monkeypatch.setenv("NO_COLOR", "1")
    return holder


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_zones_lists_brokers_per_zone_and_partitions_that_are_not_zone_safe(
    connected: list[InMemoryCluster],
) -> None:
    mem = InMemoryCluster(
        brokers=(Broker(1, "zone-a"), Broker(2, "zone-a"), Broker(3, "zone-b"), Broker(4, None))
    )
    mem.place("orders", (1, 2), (3, 1))
    mem.place("solo", (4,))
    connected.append(mem)
    code, out, _ = run("zones")
    assert code == 0
    assert out.splitlines() == [
        "cluster in-memory-cluster: 4 brokers in 3 zones",
        "",
        "ZONE       BROKER  REPLICAS  LEADERS",
        "zone-a     1       2         1",
        "           2       1         0",
        "zone-b     3       1         1",
        "(no rack)  4       1         1",
        "",
        "not zone-safe: 1 partition in 1 topic have replicas in fewer zones than min(RF, zones); "
        "one zone outage can take them offline",
        "",
        "TOPIC   PARTITION  REPLICAS  ZONES",
        "orders  0          [1, 2]    1 of 2",
        "",
        "set placement: spread on these topics and run `kadmin apply` to move their replicas",
    ]
    assert run("zones", "--check")[0] == 2

    code, out, _ = run("zones", "-o", "json")
    document = json.loads(out)
    assert document["zone_safe"] is False
    assert document["zone_count"] == 3
    assert [(z["zone"], [b["id"] for b in z["brokers"]], z["replicas"]) for z in document["zones"]] == [
        ("zone-a", [1, 2], 3),
        ("zone-b", [3], 1),
        (None, [4], 1),
    ]
    assert document["not_zone_safe"] == [
        {"topic": "orders", "partitions": [{"partition": 0, "replicas": [1, 2], "zones": 1, "needed": 2}]}
    ]


def test_zones_of_a_zone_safe_cluster_passes_the_check(connected: list[InMemoryCluster]) -> None:
    connected.append(cluster(orders=[[1, 2], [2, 3], [3, 1]]))
    code, out, _ = run("zones", "--check")
    assert code == 0
    assert "every partition is zone-safe" in out


def test_reassignments_list_wait_and_cancel(connected: list[InMemoryCluster]) -> None:
    mem = cluster(orders=[[1], [2]])
    mem.polls_to_finish = 10**9
    connected.append(mem)
    assert run("reassignments", "list")[1].splitlines() == ["no reassignment in progress"]

    reassign(
        mem, [action("orders", [(0, [1], [1, 2]), (1, [2], [2, 3])])], ReassignOptions(throttle=5, wait=False)
    )
    code, out, _ = run("reassignments", "list")
    assert code == 0
    assert out.splitlines() == [
        "2 partitions being moved:",
        "",
        "TOPIC   PARTITION  REPLICAS  TARGET  REMOVING",
        "orders  0          [1, 2]    [1, 2]  -",
        "orders  1          [2, 3]    [2, 3]  -",
        "",
        "replication throttles in place:",
        "  broker 1: follower 5 B/s, leader 5 B/s",
        "  broker 2: follower 5 B/s, leader 5 B/s",
        "  broker 3: follower 5 B/s, leader 5 B/s",
        "  topic orders: follower 0:2,1:3; leader 0:1,1:2",
    ]
    document = json.loads(run("reassignments", "list", "-o", "json")[1])
    assert document["reassignments"][1] == {
        "topic": "orders",
        "partition": 1,
        "replicas": [2, 3],
        "target": [2, 3],
        "removing": [],
    }
    assert document["throttles"]["brokers"]["2"] == dict.fromkeys(THROTTLE_RATE_KEYS, "5")

    code, out, _ = run("reassignments", "cancel", "--topic", "orders")
    assert code == 0
    assert out.splitlines() == ["topic orders: cancelled (2 partitions)", "replication throttles removed"]
    assert mem.moving == {} and mem.throttles_left() == {"brokers": {}, "topics": {}}

    mem.polls_to_finish = 2  # one poll by `wait` to find it, one while waiting
    reassign(mem, [action("orders", [(0, [1], [1, 3])])], ReassignOptions(throttle=5, wait=False))
    code, out, err = run("reassignments", "wait", "--timeout", "5")
    assert code == 0
    assert out.splitlines() == ["topic orders: finished (1 partition)", "replication throttles removed"]
    assert "moving replicas: 1/1 partitions done" in err
    assert mem.assignment()[("orders", 0)] == (1, 3)


def test_reassignments_wait_exits_1_when_moves_outlast_the_timeout(
    connected: list[InMemoryCluster], monkeypatch: pytest.MonkeyPatch
) -> None:
    mem = cluster(orders=[[1]])
    mem.polls_to_finish = 10**9
    connected.append(mem)
    reassign(mem, [action("orders", [(0, [1], [1, 2])])], ReassignOptions(wait=False))
    clock = Clock()
    monkeypatch.setattr(reassign_cmds, "finish", functools.partial(finish, sleep=clock.sleep, clock=clock))
    code, out, _ = run("reassignments", "wait", "--timeout", "2")
    assert code == 1
    assert out.startswith("topic orders: failed: partition 0 is still moving after 2 s")


# --- through the applier and `kadmin apply` ----------------------------------------------


def test_apply_runs_the_reassign_phase_through_the_throttled_sequence() -> None:
    mem = InMemoryCluster()
    mem.add_topic("orders", partitions=2, rf=1)
    moves = ReassignReplicas("orders", (PartitionMove(0, (1,), (1, 2)), PartitionMove(1, (2,), (2, 3))))
    seen: list[tuple[int, int]] = []
    report = apply_plan(
        Plan((moves,), mem.cluster_id, ""),
        mem,
        reassignment=ReassignOptions(throttle=5),
        moves=lambda done, total: seen.append((done, total)),
        sleep=lambda _: None,
    )
    assert report.ok and report.notes == ()
    assert [m for m in mem.methods() if m not in ("snapshot", "ongoing_reassignments")] == [
        "set_replication_throttle",
        "reassign_partitions",
        "clear_replication_throttle",
        "elect_preferred_leaders",
    ]
    assert [p.replicas for p in mem.topics["orders"].partitions] == [(1, 2), (2, 3)]
    assert mem.overrides("orders") == {} and mem.broker_throttles() == {}
    assert seen[-1] == (2, 2)


def test_kadmin_apply_takes_throttle_and_no_wait_and_says_what_it_left(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    mem = InMemoryCluster()
    mem.add_topic("orders", partitions=1, rf=1)
    monkeypatch.setattr(plan_cmds, "connect", lambda *args, **kwargs: mem)
    monkeypatch.setenv("NO_COLOR", "1")
    spec = tmp_path / "orders.yaml"
    spec.write_text("version: 1\ntopics:\n  orders:\n    partitions: 1\n    replication_factor: 2\n")

    code, _, err = run("apply", str(spec), "--auto-approve", "--throttle", "1000", "--no-wait")
    assert code == 0, err
    assert "note: 1 partition moving in the background" in err
    assert "elect_preferred_leaders" not in mem.methods()
    # Left for `kadmin reassignments wait`: the throttle is still set on the topic.
    assert set(mem.overrides("orders")) == {LEADER_THROTTLED_REPLICAS, FOLLOWER_THROTTLED_REPLICAS}

    code, _, err = run("apply", str(spec), "--auto-approve", "--throttle", "0")
    assert code != 0 and "--throttle" in err
