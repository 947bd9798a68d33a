"""Progress of replica moves in bytes: what the wait reads (sizes of the target replicas on
disk) and how it is said (a plain line when a partition finishes and every few seconds).

The cluster is `InMemoryCluster` (kadmin's fake of its own port); time is a fake clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kadmin.cli.reassign_cmds import MoveLines
from kadmin.core.actions import PartitionMove, ReassignReplicas
from kadmin.ops.move_wait import Copied, CopyProgress
from kadmin.ops.reassignment import ReassignOptions, reassign
from tests.fakes import InMemoryCluster


@dataclass
class Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Recorder:
    counts: list[tuple[int, int]] = field(default_factory=list)
    statuses: list[Copied] = field(default_factory=list)

    def __call__(self, done: int, total: int) -> None:
        self.counts.append((done, total))

    def copied(self, status: Copied) -> None:
        self.statuses.append(status)


def test_the_wait_reports_bytes_held_by_the_target_replicas() -> None:
    mem = InMemoryCluster(polls_to_finish=2)
    mem.place("orders", [1])
    # Broker 1 leads with 1,000 bytes; broker 2 has copied 400 of them, broker 3 nothing yet.
    mem.sizes[("orders", 0)] = {1: 1_000, 2: 400}
    clock, seen = Clock(), Recorder()
    assert isinstance(seen, CopyProgress)
    result = reassign(
        mem,
        [ReassignReplicas("orders", (PartitionMove(0, (1,), (1, 2, 3)),))],
        ReassignOptions(),
        progress=seen,
        sleep=clock.sleep,
        clock=clock,
    )
    assert result.ok
    assert seen.counts[0] == (0, 1) and seen.counts[-1] == (1, 1)
    assert seen.statuses, "sizes are read while the partition moves"
    first = seen.statuses[0]
    assert (first.copied, first.needed) == (1_000 + 400, 3 * 1_000)
    assert "replica_sizes" in mem.methods()


def test_plain_lines_when_a_partition_finishes_and_every_few_seconds() -> None:
    clock, said = Clock(), []
    lines = MoveLines(lambda line, _: said.append(line), every=5.0, clock=clock)
    lines(0, 2)
    lines.copied(Copied(0, 300_000_000, 0.0))  # said a moment ago
    clock.now = 2.0
    lines.copied(Copied(40_000_000, 300_000_000, 2.0))  # too soon for another line
    clock.now = 10.0
    lines.copied(Copied(200_000_000, 300_000_000, 10.0))
    clock.now = 11.0
    lines(1, 2)
    assert said == [
        "moving replicas: 0/2 partitions done",
        "moving replicas: 0/2 partitions done, 200.0 MB of 300.0 MB copied, 20.0 MB/s, about 5 s left",
        "moving replicas: 1/2 partitions done, 200.0 MB of 300.0 MB copied, 20.0 MB/s, about 5 s left",
    ]
