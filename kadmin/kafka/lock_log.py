"""The apply lock's records in kadmin's state topic (``__kadmin_state``), keyed ``lock/apply``.

The topic has one partition, so every reader sees the lock's claims, refreshes,
releases and breaks in one order, and `kadmin.core.lock.replay` folds them into the
holder. Compaction keeps only the newest record per key, but only in closed segments
(a segment closes after ``segment.ms``, 7 days by default): the records of any lease
still running, and of any race between two claims, are always there to read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from confluent_kafka.admin import AdminClient

from kadmin.core.errors import ClusterError
from kadmin.core.lock import Holder, LockOp, LockRecord
from kadmin.core.model import KADMIN_STATE_TOPIC
from kadmin.kafka import ledger

LOCK_KEY = b"lock/apply"
RECORD_FORMAT = 1


def encode_lock(record: LockRecord) -> bytes:
    holder = record.holder
    document = {
        "format": RECORD_FORMAT,
        "op": record.op.value,
        "id": record.lock_id,
        "at": record.at,
        "lease_until": record.lease_until,
        "started_at": record.started_at,
        "holder": None
        if holder is None
        else {"host": holder.host, "user": holder.user, "pid": holder.pid, "ci_run": holder.ci_run},
    }
    return json.dumps(document, separators=(",", ":")).encode()


def decode_lock(value: bytes) -> LockRecord:
    """A lock record back as a value; `ValueError` if it is not one kadmin wrote."""
    try:
        document = json.loads(value)
        raw = document.get("holder")
        holder = None
        if raw is not None:
            ci_run = raw.get("ci_run")
            holder = Holder(
                str(raw["host"]), str(raw["user"]), int(raw["pid"]), None if ci_run is None else str(ci_run)
            )
        return LockRecord(
            op=LockOp(document["op"]),
            lock_id=str(document["id"]),
            at=float(document["at"]),
            lease_until=float(document.get("lease_until", 0.0)),
            holder=holder,
            started_at=float(document.get("started_at", 0.0)),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise ValueError(f"not a kadmin lock record: {err}") from None


def lock_records(admin: AdminClient, config: Mapping[str, str], timeout: float) -> list[LockRecord]:
    """The lock's records in log order; an unreadable one is an error, since skipping it could
    hand the lock to two applies."""
    records = []
    for key, value, offset in ledger.read_records(admin, config, timeout):
        if key != LOCK_KEY or value is None:
            continue
        try:
            records.append(decode_lock(value))
        except ValueError as err:
            raise ClusterError(
                f"lock record at offset {offset} is unreadable: {err}",
                where=f"topic {KADMIN_STATE_TOPIC}",
                hint="something other than kadmin wrote key 'lock/apply'; check who writes to the topic",
            ) from None
    return records


def append_lock(admin: AdminClient, config: Mapping[str, str], record: LockRecord, timeout: float) -> str:
    """Append `record`, durable on every in-sync replica; the error, or "" once written."""
    return ledger.append_record(admin, config, LOCK_KEY, encode_lock(record), timeout)
