"""The apply lock: the log rule, racing claims, leases that run out, breaking a lock, and what
`kadmin apply` / `kadmin unlock` say. Over kadmin's own port (`InMemoryCluster`), with a fake clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import kadmin.cli.lock_cmds as lock_cmds
import kadmin.cli.plan_cmds as plan_cmds
from kadmin.cli.app import app
from kadmin.core.errors import KadminError
from kadmin.core.lock import Holder, LockOp, LockRecord, LockState, replay
from kadmin.core.model import Broker
from kadmin.kafka.lock_log import decode_lock, encode_lock
from kadmin.ops.lock import LockedError, acquire, break_lock, current
from tests.fakes import InMemoryCluster

ALICE = Holder("ci-1", "alice", 101, "9876543210")
BOB = Holder("laptop", "bob", 202)


def claim(lock_id: str, at: float, lease: float = 60, holder: Holder = ALICE) -> LockRecord:
    return LockRecord(LockOp.CLAIM, lock_id, at, at + lease, holder, at)


def test_the_first_claim_in_the_log_wins_and_a_later_one_counts_only_after_the_lease() -> None:
    log = [claim("a", 100), claim("b", 101, holder=BOB)]
    assert replay(log) == LockState("a", ALICE, 100, 160)
    log.append(LockRecord(LockOp.REFRESH, "a", 150, 210))
    log.append(claim("c", 200, holder=BOB))  # a's lease runs to 210: refused
    assert replay(log) == LockState("a", ALICE, 100, 210)
    log.append(claim("d", 210, holder=BOB))  # expired by d's own clock
    assert replay(log) == LockState("d", BOB, 210, 270)
    log.append(LockRecord(LockOp.REFRESH, "a", 211, 400))  # a lost it: its refresh counts for nothing
    log.append(LockRecord(LockOp.RELEASE, "a", 212))
    assert replay(log) == LockState("d", BOB, 210, 270)
    log.append(LockRecord(LockOp.BREAK, "d", 220))
    assert replay(log) is None


def test_a_record_survives_its_encoding() -> None:
    record = claim("3f9c2a1b7d4e", 1_700_000_000.5)
    assert decode_lock(encode_lock(record)) == record
    with pytest.raises(ValueError, match="not a kadmin lock record"):
        decode_lock(b'{"op": "grab"}')


class Racing(InMemoryCluster):
    """The other apply's claim lands between this one's first read and its claim."""

    def __init__(self, rival: LockRecord) -> None:
        super().__init__()
        self.rival = rival

    def append_lock_record(self, record: LockRecord) -> str:
        if record.op is LockOp.CLAIM and self.rival not in self.lock_log:
            self.lock_log.append(self.rival)
        return super().append_lock_record(record)


def test_of_two_applies_claiming_at_once_the_later_claim_is_refused_naming_the_holder() -> None:
    mem = Racing(claim("rival1234567", 1_000.0))
    with pytest.raises(LockedError) as refused:
        acquire(mem, BOB, clock=lambda: 1_000.5)
    message = str(refused.value)
    assert (
        "another apply is running: lock rival1234567 held by alice@ci-1 (pid 101, CI run 9876543210)"
        in message
    )
    assert "since 1970-01-01T00:16:40Z; its lease expires at 1970-01-01T00:17:40Z" in message
    assert "kadmin unlock rival1234567" in refused.value.hint
    assert [r.op for r in mem.lock_log] == [LockOp.CLAIM, LockOp.CLAIM]  # ours is in the log, and lost
    assert current(mem) == LockState("rival1234567", ALICE, 1_000.0, 1_060.0)


def test_a_held_lock_refuses_renews_and_is_free_after_release() -> None:
    mem = InMemoryCluster()
    now = [1_000.0]
    held = acquire(mem, ALICE, clock=lambda: now[0])
    with pytest.raises(LockedError):
        acquire(mem, BOB, clock=lambda: now[0] + 30)
    now[0] = 1_050.0
    assert held.renew() == ""
    with pytest.raises(LockedError):
        acquire(mem, BOB, clock=lambda: 1_100.0)  # renewed to 1,110
    assert held.release() == ""
    assert current(mem) is None
    acquire(mem, BOB, clock=lambda: 1_101.0)


def test_a_crashed_holders_lease_runs_out() -> None:
    mem = InMemoryCluster()
    acquire(mem, ALICE, clock=lambda: 1_000.0)  # never renewed, never released
    taken = acquire(mem, BOB, clock=lambda: 1_060.0)
    assert current(mem) == LockState(taken.lock_id, BOB, 1_060.0, 1_120.0)


def test_breaking_a_lock_needs_its_id() -> None:
    mem = InMemoryCluster()
    held = acquire(mem, ALICE, clock=lambda: 1_000.0)
    with pytest.raises(
        KadminError, match=f"no apply lock 000000000000 to break: the lock is held as {held.lock_id}"
    ):
        break_lock(mem, "000000000000")
    assert break_lock(mem, held.lock_id).holder == ALICE
    assert current(mem) is None
    with pytest.raises(KadminError, match="nobody holds the lock"):
        break_lock(mem, held.lock_id)
    again = acquire(mem, BOB, clock=lambda: 1_001.0)
    # --force-unlock ID: break that lock, then take it.
    mine = acquire(mem, ALICE, force_unlock=again.lock_id, clock=lambda: 1_002.0)
    assert current(mem) == LockState(mine.lock_id, ALICE, 1_002.0, 1_062.0)


# --- the command line ---------------------------------------------------------------


@pytest.fixture
def mem(monkeypatch: pytest.MonkeyPatch) -> InMemoryCluster:
    memory = InMemoryCluster(brokers=(Broker(1, "zone-a"),))

    def connect(*args: Any, **kwargs: Any) -> InMemoryCluster:
        return memory

    monkeypatch.setattr(plan_cmds, "connect", connect)
    monkeypatch.setattr(lock_cmds, "connect", connect)
    monkeypatch.setenv("NO_COLOR", "1")
    return memory


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def spec(tmp_path: Path) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text("version: 1\ntopics:\n  t.orders:\n    partitions: 1\n    replication_factor: 1\n")
    return path


def test_apply_is_refused_while_another_holds_the_lock_and_unlock_breaks_it(
    mem: InMemoryCluster, tmp_path: Path
) -> None:
    other = acquire(mem, ALICE)
    code, out, err = run("apply", spec(tmp_path), "--auto-approve", "--lock-timeout", "0")
    assert code == 1 and out == ""
    assert (
        f"another apply is running: lock {other.lock_id} held by alice@ci-1 (pid 101, CI run 9876543210)"
        in err
    )
    assert f"kadmin unlock {other.lock_id}" in err
    assert mem.topics == {}

    code, out, _ = run("unlock", other.lock_id)
    assert code == 0 and f"Broke the apply lock {other.lock_id} held by alice@ci-1" in out
    code, _, err = run("apply", spec(tmp_path), "--auto-approve")
    assert code == 0, err
    assert "t.orders" in mem.topics
    assert current(mem) is None  # released at the end


def test_an_apply_waits_for_the_lock_up_to_its_timeout() -> None:
    mem = InMemoryCluster()
    now = [1_000.0]
    acquire(mem, ALICE, clock=lambda: now[0])

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(LockedError):
        acquire(mem, BOB, wait=30, clock=lambda: now[0], sleep=sleep)
    assert now[0] == 1_030.0
    taken = acquire(mem, BOB, wait=60, clock=lambda: now[0], sleep=sleep)
    assert now[0] == 1_060.0 and current(mem) == LockState(taken.lock_id, BOB, 1_060.0, 1_120.0)


def test_force_unlock_and_no_lock(mem: InMemoryCluster, tmp_path: Path) -> None:
    other = acquire(mem, ALICE)
    code, _, err = run("apply", spec(tmp_path), "--auto-approve", "--no-lock")
    assert code == 0, err
    assert current(mem) is not None and current(mem).lock_id == other.lock_id  # type: ignore[union-attr]
    code, _, err = run("apply", spec(tmp_path), "--auto-approve", "--force-unlock", other.lock_id)
    assert code == 0, err
    assert current(mem) is None


def test_plan_never_takes_the_lock(mem: InMemoryCluster, tmp_path: Path) -> None:
    acquire(mem, ALICE)
    mem.calls.clear()
    code, _, _ = run("plan", spec(tmp_path), "--detailed-exitcode")
    assert code == 2
    assert not {"lock_records", "append_lock_record"} & set(mem.methods())
