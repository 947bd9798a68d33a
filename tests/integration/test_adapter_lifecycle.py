"""The adapter's connections end with it: closed explicitly, or when the adapter is dropped."""

from __future__ import annotations

import gc
from typing import Any

from kadmin.kafka.confluent import ConfluentAdmin


def _kafka_python_client(admin: ConfluentAdmin) -> Any:
    admin.ongoing_reassignments()  # the KIP-455 read makes the kafka-python client
    return admin._kip455.client()


def test_a_dropped_adapter_closes_its_kafka_python_client(kafka_single: Any) -> None:
    admin = kafka_single.admin()
    client = _kafka_python_client(admin)
    assert client._closed is False
    del admin
    gc.collect()
    # Left open, its sockets would be closed only by the garbage collector, with a ResourceWarning.
    assert client._closed is True


def test_close_closes_the_kafka_python_client_and_refuses_later_use(kafka_single: Any) -> None:
    with kafka_single.admin() as admin:
        client = _kafka_python_client(admin)
    assert client._closed is True
    assert admin.closed
