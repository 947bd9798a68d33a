"""The kafka-python client behind the reassignment calls, on the real single-node cluster: one per
adapter, made on first use, reused by every later call, and closed with the adapter (by a
``with`` block, or by the command that built it).

Each kafka-python client runs its network I/O on a thread named after its client id, so the
threads of a unique ``client.id`` count the clients an adapter holds open.
"""

from __future__ import annotations

import secrets
import threading

import pytest

from kadmin.cli.app import guarded
from kadmin.cli.connection import connect
from kadmin.core.actions import CreateTopic
from kadmin.kafka.confluent import ConfluentAdmin

from .conftest import KafkaHandle, Namespace


def open_clients(client_id: str) -> int:
    return sum(1 for t in threading.enumerate() if t.name == f"kafka-io-{client_id}")


def test_an_adapter_keeps_one_kafka_python_client_until_it_closes(
    kafka_single: KafkaHandle, ns: Namespace
) -> None:
    client_id = f"kadmin-test-{secrets.token_hex(4)}"
    topic = ns.topic("still")
    with ConfluentAdmin(kafka_single.config(**{"client.id": client_id}), timeout=20) as admin:
        (created,) = admin.create_topics([CreateTopic(topic, 2, 1)])
        assert created.ok, created.error
        assert open_clients(client_id) == 0  # made on first use only

        for _ in range(3):
            ongoing = admin.ongoing_reassignments()
            assert not [tp for tp in ongoing if tp[0] == topic]
        # Nothing moves, so nothing to cancel: a success, through the same client.
        (cancelled,) = admin.cancel_reassignments([(topic, 0), (topic, 1)])
        assert cancelled.ok, cancelled.error
        assert open_clients(client_id) == 1
    assert open_clients(client_id) == 0
    with pytest.raises(RuntimeError, match="used after it was closed"):
        admin.ongoing_reassignments()


def test_a_command_closes_the_adapter_it_connected(
    kafka_single: KafkaHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_id = f"kadmin-test-{secrets.token_hex(4)}"
    monkeypatch.setenv("KADMIN_CLIENT_ID", client_id)

    @guarded
    def command() -> ConfluentAdmin:
        admin = connect(kafka_single.bootstrap, timeout=20)
        admin.ongoing_reassignments()
        assert open_clients(client_id) == 1
        assert not admin.closed
        return admin

    admin = command()
    assert admin.closed
    assert open_clients(client_id) == 0
