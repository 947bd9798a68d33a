"""Real Kafka for integration tests: clusters started once per session, a namespace per test.

`kafka_single` (one node, rack zone-a) and `kafka_3zones` (brokers 1-3 in zone-a/b/c)
are started by `kadmin.local.LocalCluster`, the same code as `kadmin local up`, and
stopped at the end of the session; their JVMs also die with the test process. To run
the suite against clusters you already have, set ``KADMIN_TEST_BOOTSTRAP`` and/or
``KADMIN_TEST_BOOTSTRAP_3ZONES``. Nothing here skips: a cluster that cannot start
fails the tests that need it, with the node's log in the error.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient

from kadmin.cluster.confluent import ConfluentAdmin
from kadmin.local.cluster import ClusterInfo, LocalCluster
from kadmin.reconcile.actions import DeleteTopic

T = TypeVar("T")


@dataclass
class KafkaHandle:
    """A running cluster as tests see it."""

    bootstrap: str
    info: ClusterInfo | None = None

    def config(self, **extra: str) -> dict[str, str]:
        return {"bootstrap.servers": self.bootstrap, **extra}

    def admin(self, timeout: float = 20.0) -> ConfluentAdmin:
        return ConfluentAdmin(self.config(), timeout=timeout)

    def raw_admin(self) -> AdminClient:
        return AdminClient(self.config())

    def producer(self, **extra: Any) -> Producer:
        return Producer({"bootstrap.servers": self.bootstrap, "linger.ms": 5, **extra})

    def consumer(self, group: str, **extra: Any) -> Consumer:
        conf = {
            "bootstrap.servers": self.bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            **extra,
        }
        return Consumer(conf)


def _start(
    tmp_path_factory: pytest.TempPathFactory, env: str, nodes: int, name: str
) -> Iterator[KafkaHandle]:
    if bootstrap := os.environ.get(env):
        yield KafkaHandle(bootstrap)
        return
    directory: Path = tmp_path_factory.mktemp(name)
    cluster = LocalCluster(directory, nodes=nodes, bound_to_owner=True)
    info = cluster.start()
    try:
        yield KafkaHandle(info.bootstrap, info)
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def kafka_single(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaHandle]:
    yield from _start(tmp_path_factory, "KADMIN_TEST_BOOTSTRAP", 1, "kafka-single")


@pytest.fixture(scope="session")
def kafka_3zones(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaHandle]:
    yield from _start(tmp_path_factory, "KADMIN_TEST_BOOTSTRAP_3ZONES", 3, "kafka-3zones")


def eventually(fn: Callable[[], T], *, timeout: float = 15.0, interval: float = 0.2) -> T:
    """`fn()`'s first result that does not raise, within `timeout`.

    After a topic is created, each broker learns of it through the metadata log a moment
    later; a describe right away may still answer UNKNOWN_TOPIC_OR_PARTITION.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(interval)


@dataclass
class Namespace:
    """A unique prefix for one test's topics and groups; what it names is deleted afterwards."""

    kafka: KafkaHandle
    prefix: str
    groups: set[str] = field(default_factory=set)

    def topic(self, name: str) -> str:
        return f"{self.prefix}.{name}"

    def group(self, name: str) -> str:
        full = f"{self.prefix}.{name}"
        self.groups.add(full)
        return full

    def cleanup(self) -> None:
        admin = self.kafka.admin()
        state = admin.snapshot()
        mine = [
            DeleteTopic(t.name, len(t.partitions))
            for t in state.topics.values()
            if t.name.startswith(self.prefix)
        ]
        admin.delete_topics(mine)
        if self.groups:
            futures = self.kafka.raw_admin().delete_consumer_groups(sorted(self.groups), request_timeout=10)
            for future in futures.values():
                # A group that never committed cannot be deleted; that is fine here.
                with contextlib.suppress(Exception):
                    future.result(timeout=15)


def _namespace(request: pytest.FixtureRequest, kafka: KafkaHandle) -> Iterator[Namespace]:
    slug = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40]
    ns = Namespace(kafka, f"t-{slug}-{secrets.token_hex(3)}")
    yield ns
    ns.cleanup()


@pytest.fixture
def ns(request: pytest.FixtureRequest, kafka_single: KafkaHandle) -> Iterator[Namespace]:
    """A namespace on the single-node cluster."""
    yield from _namespace(request, kafka_single)


@pytest.fixture
def ns3(request: pytest.FixtureRequest, kafka_3zones: KafkaHandle) -> Iterator[Namespace]:
    """A namespace on the 3-zone cluster."""
    yield from _namespace(request, kafka_3zones)
