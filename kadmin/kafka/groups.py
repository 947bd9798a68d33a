"""Consumer groups and log offsets on a real cluster, through confluent-kafka's AdminClient.

Owns the batched reads an offset reset needs (group descriptions with committed
offsets, watermarks, timestamp lookups) and the one write (commit a group's offsets).
`ConfluentAdmin` delegates its `ClusterAdmin` group methods here. Each read is one
request per kind for all partitions, never a call per partition; every future is
awaited with the timeout, and Kafka errors become `ClusterError`s naming the group or topic.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from concurrent.futures import Future
from typing import Any

from confluent_kafka import ConsumerGroupTopicPartitions, IsolationLevel, KafkaError, KafkaException
from confluent_kafka import TopicPartition as KafkaPartition
from confluent_kafka.admin import AdminClient

# confluent-kafka exports OffsetSpec from here without listing it in `admin.__all__`.
from confluent_kafka.admin._listoffsets import OffsetSpec

from kadmin.core.errors import ClusterError
from kadmin.core.model import ConsumerGroupState, GroupMember, GroupState, TopicPartition, Watermarks
from kadmin.core.targets import Target
from kadmin.kafka.answers import (
    UNREACHABLE_CODES,
    cluster_error,
    kafka_error,
    no_answer,
)
from kadmin.kafka.port import Outcome

# confluent-kafka's names for group states; a state it adds later reads as Unknown.
_STATES = {
    "EMPTY": ConsumerGroupState.EMPTY,
    "STABLE": ConsumerGroupState.STABLE,
    "PREPARING_REBALANCING": ConsumerGroupState.PREPARING_REBALANCE,
    "COMPLETING_REBALANCING": ConsumerGroupState.COMPLETING_REBALANCE,
    "DEAD": ConsumerGroupState.DEAD,
    "UNKNOWN": ConsumerGroupState.UNKNOWN,
}

# Answers meaning "no such partition (or no leader to ask)"; callers report those as missing.
_MISSING_PARTITION = frozenset(
    {
        KafkaError.UNKNOWN_TOPIC_OR_PART,
        KafkaError._UNKNOWN_PARTITION,
        KafkaError._UNKNOWN_TOPIC,
        KafkaError._NOENT,
    }
)
_EARLIEST: OffsetSpec = OffsetSpec.earliest()  # type: ignore[no-untyped-call]
_LATEST: OffsetSpec = OffsetSpec.latest()  # type: ignore[no-untyped-call]


def describe_groups(admin: AdminClient, groups: Collection[str], timeout: float) -> dict[str, GroupState]:
    """State, members and committed offsets of each group; unknown groups come back with ``exists=False``."""
    names = sorted(set(groups))
    if not names:
        return {}
    described = admin.describe_consumer_groups(names, request_timeout=timeout)
    # ListOffsetFetch takes one group per request in confluent-kafka: send them all, then wait.
    committed = {
        name: admin.list_consumer_group_offsets(
            [ConsumerGroupTopicPartitions(name)], request_timeout=timeout
        )[name]
        for name in names
    }
    states = {}
    for name in names:
        description = _describe_result(described[name], name, timeout)
        offsets = _committed_result(committed[name], name, timeout)
        if description is None:
            states[name] = GroupState(name, ConsumerGroupState.DEAD, committed=offsets, exists=bool(offsets))
            continue
        state = _STATES.get(getattr(description.state, "name", ""), ConsumerGroupState.UNKNOWN)
        members = tuple(
            GroupMember(
                member_id=m.member_id,
                client_id=m.client_id or "",
                host=m.host or "",
                assignment=tuple(sorted((tp.topic, tp.partition) for tp in m.assignment.topic_partitions)),
            )
            for m in description.members
        )
        # The coordinator describes a group it never heard of as Dead with nothing in it.
        exists = state is not ConsumerGroupState.DEAD or bool(members) or bool(offsets)
        states[name] = GroupState(name, state, members=members, committed=offsets, exists=exists)
    return states


def watermarks(
    admin: AdminClient, partitions: Collection[TopicPartition], timeout: float
) -> dict[TopicPartition, Watermarks]:
    """Log start and end of each partition; partitions that do not exist are left out."""
    wanted = sorted(set(partitions))
    if not wanted:
        return {}
    earliest = _list_offsets(admin, wanted, _EARLIEST, timeout)
    latest = _list_offsets(admin, wanted, _LATEST, timeout)
    starts = _gather_offsets(earliest, "read log start offsets", timeout)
    ends = _gather_offsets(latest, "read log end offsets", timeout)
    return {tp: Watermarks(starts[tp], ends[tp]) for tp in wanted if tp in starts and tp in ends}


def offsets_for_times(
    admin: AdminClient, partitions: Collection[TopicPartition], timestamp_ms: int, timeout: float
) -> dict[TopicPartition, int]:
    """First offset whose timestamp is ≥ `timestamp_ms`; the log end where no message is that recent."""
    wanted = sorted(set(partitions))
    if not wanted:
        return {}
    found = _gather_offsets(
        _list_offsets(admin, wanted, OffsetSpec.for_timestamp(timestamp_ms), timeout),
        f"look up offsets at timestamp {timestamp_ms}",
        timeout,
    )
    # The broker answers -1 when every message is older; Kafka's tool then takes the log end.
    past_end = [tp for tp, offset in found.items() if offset < 0]
    if past_end:
        found.update(
            _gather_offsets(_list_offsets(admin, past_end, _LATEST, timeout), "read log end offsets", timeout)
        )
    return found


def commit_offsets(
    admin: AdminClient, group: str, offsets: Mapping[TopicPartition, int], timeout: float
) -> Outcome:
    """Commit `offsets` for `group` in one request; the outcome names every partition the broker refused."""
    target = Target.group(group)
    if not offsets:
        return Outcome(target, True)
    request = ConsumerGroupTopicPartitions(
        group,
        [KafkaPartition(topic, partition, offset) for (topic, partition), offset in sorted(offsets.items())],
    )
    future = admin.alter_consumer_group_offsets([request], request_timeout=timeout)[group]
    try:
        answer = future.result(timeout=timeout)
    except KafkaException as err:
        error = kafka_error(err)
        if error is not None and error.code() in UNREACHABLE_CODES:
            raise _cluster_error(err, f"commit offsets of group {group}", f"group {group}") from None
        return Outcome(target, False, _refusal_text(error, err))
    except TimeoutError:
        return Outcome(
            target, False, f"no answer within {timeout:g} s; check with `kadmin offsets show --group {group}`"
        )
    refused = [
        f"{tp.topic}[{tp.partition}]: {_refusal_text(tp.error, None)}"
        for tp in answer.topic_partitions
        if tp.error
    ]
    if refused:
        return Outcome(target, False, "; ".join(refused))
    return Outcome(target, True)


# --- plumbing ----------------------------------------------------------------------


def _describe_result(future: Future[Any], group: str, timeout: float) -> Any | None:
    try:
        return future.result(timeout=timeout)
    except KafkaException as err:
        error = kafka_error(err)
        # Kafka 4's coordinator answers GROUP_ID_NOT_FOUND for a consumer-protocol describe
        # of an unknown group; its own reset tool treats that group as inactive.
        if error is not None and error.code() == KafkaError.GROUP_ID_NOT_FOUND:
            return None
        raise _cluster_error(err, f"describe group {group}", f"group {group}") from None
    except TimeoutError:
        raise no_answer(f"describe group {group}", f"group {group}", timeout) from None


def _committed_result(future: Future[Any], group: str, timeout: float) -> dict[TopicPartition, int]:
    try:
        answer = future.result(timeout=timeout)
    except KafkaException as err:
        error = kafka_error(err)
        if error is not None and error.code() == KafkaError.GROUP_ID_NOT_FOUND:
            return {}
        raise _cluster_error(err, f"read committed offsets of group {group}", f"group {group}") from None
    except TimeoutError:
        raise no_answer(f"read committed offsets of group {group}", f"group {group}", timeout) from None
    # A partition without a commit comes back as OFFSET_INVALID (-1001).
    return {
        (tp.topic, tp.partition): tp.offset
        for tp in answer.topic_partitions
        if tp.offset >= 0 and not tp.error
    }


def _list_offsets(
    admin: AdminClient, partitions: Collection[TopicPartition], spec: OffsetSpec, timeout: float
) -> dict[Any, Future[Any]]:
    # Read-uncommitted, as Kafka's consumer-groups tool asks: "latest" is the high watermark.
    request = {KafkaPartition(topic, partition): spec for topic, partition in partitions}
    futures: dict[Any, Future[Any]] = admin.list_offsets(
        request, isolation_level=IsolationLevel.READ_UNCOMMITTED, request_timeout=timeout
    )
    return futures


def _gather_offsets(
    futures: Mapping[Any, Future[Any]], what: str, timeout: float
) -> dict[TopicPartition, int]:
    offsets: dict[TopicPartition, int] = {}
    for kafka_tp, future in futures.items():
        where = f"topic {kafka_tp.topic}"
        try:
            offsets[(kafka_tp.topic, kafka_tp.partition)] = int(future.result(timeout=timeout).offset)
        except KafkaException as err:
            error = kafka_error(err)
            if error is not None and error.code() in _MISSING_PARTITION:
                continue
            raise _cluster_error(err, f"{what} of {kafka_tp.topic}[{kafka_tp.partition}]", where) from None
        except TimeoutError:
            raise no_answer(what, where, timeout) from None
    return offsets


def _refusal_text(error: KafkaError | None, err: KafkaException | None) -> str:
    if error is None:
        return str(err)
    if error.code() in (KafkaError.UNKNOWN_MEMBER_ID, KafkaError.NON_EMPTY_GROUP):
        return f"the group has active members ({error.name()}); stop its consumers first"
    if error.code() == KafkaError.GROUP_AUTHORIZATION_FAILED:
        return f"not authorized ({error.name()}); grant Read on the group"
    return f"{error.name()}: {error.str()}"


_GROUP_ACLS = "grant kadmin's principal Describe and Read on the group and Describe on its topics"
_COORDINATOR_MOVING = "the group coordinator is starting or moving; try again in a few seconds"


def _cluster_error(err: KafkaException, what: str, where: str) -> ClusterError:
    return cluster_error(
        err,
        what,
        where,
        denied=_GROUP_ACLS,
        hints={
            KafkaError.COORDINATOR_NOT_AVAILABLE: _COORDINATOR_MOVING,
            KafkaError.COORDINATOR_LOAD_IN_PROGRESS: _COORDINATOR_MOVING,
        },
    )
