"""Hostile inputs against real Kafka: an edited plan file changes nothing on the cluster, and a
bootstrap address that is wrong, unreachable or not Kafka is reported, never a hang.
"""

from __future__ import annotations

import gc
import json
import re
import socket
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .conftest import CliRun, KafkaHandle, Namespace
from .test_offsets import cli, prepare

Kadmin = Callable[..., CliRun]


def spec_text(ns: Namespace) -> str:
    return (
        "version: 1\n"
        "cluster:\n"
        f"  manage: ['{re.escape(ns.prefix)}\\.managed\\..*']\n"
        "topics:\n"
        f"  {ns.topic('orders')}:\n"
        "    partitions: 1\n"
        "    replication_factor: 1\n"
        "    configs:\n"
        "      retention.ms: 1d\n"
    )


def test_an_edited_plan_file_changes_nothing_on_the_cluster(
    kafka_single: KafkaHandle, ns: Namespace, kadmin: Kadmin, tmp_path: Path
) -> None:
    env = {"KADMIN_BOOTSTRAP_SERVER": kafka_single.bootstrap, "NO_COLOR": "1"}
    bystander, orders = ns.topic("bystander"), ns.topic("orders")
    admin = kafka_single.admin()
    spec = tmp_path / "topics.yaml"
    spec.write_text(spec_text(ns))
    first = kadmin("apply", str(spec), "--auto-approve", env=env, cwd=tmp_path)
    assert first.code == 0, first.stdout + first.stderr
    (tmp_path / "bystander.yaml").write_text(
        f"version: 1\ntopics:\n  {bystander}:\n    partitions: 1\n    replication_factor: 1\n"
    )
    made = kadmin("apply", "bystander.yaml", "--auto-approve", env=env, cwd=tmp_path)
    assert made.code == 0, made.stdout + made.stderr

    spec.write_text(spec_text(ns).replace("1d", "2d"))
    planned = kadmin("plan", "topics.yaml", "--out", "plan.json", env=env, cwd=tmp_path)
    assert planned.code == 0, planned.stderr
    document = json.loads((tmp_path / "plan.json").read_text())
    assert document["inputs"]["specs"] == ["topics.yaml"]

    # 1. A delete added by hand: outside cluster.manage, without --allow-delete.
    deleting = json.loads(json.dumps(document))
    deleting["actions"].append(
        {
            "kind": "delete_topic",
            "target": f"topic:{bystander}",
            "topic": bystander,
            "destructive": True,
            "partitions": 1,
        }
    )
    deleting["topics_in_scope"].append(bystander)
    (tmp_path / "deleting.json").write_text(json.dumps(deleting))
    refused = kadmin("apply", "deleting.json", env=env, cwd=tmp_path)
    assert refused.code == 1
    assert "deletes a topic, but the plan was not made with --allow-delete" in refused.stderr
    assert "Traceback" not in refused.stderr

    # 2. A value changed within the rules: caught by planning the recorded specs again.
    edited = json.loads(json.dumps(document))
    edited["actions"][0]["changes"][0]["after"] = "1000"
    (tmp_path / "edited.json").write_text(json.dumps(edited))
    refused = kadmin("apply", "edited.json", env=env, cwd=tmp_path)
    assert refused.code == 1
    assert (
        f"alter configs topic {orders}: changes.0.after is '1000' in the file, '172800000' when planned again"
        in refused.stderr
    )

    state = admin.snapshot([bystander, orders])
    assert bystander in state.topics
    assert state.topics[orders].overrides["retention.ms"] == "86400000"

    # The plan as kadmin wrote it still applies.
    applied = kadmin("apply", "plan.json", env=env, cwd=tmp_path)
    assert applied.code == 0, applied.stdout + applied.stderr
    assert admin.snapshot([orders]).topics[orders].overrides["retention.ms"] == "172800000"


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP port that accepts connections and answers every request with bytes that are not Kafka."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        clients = []
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
            clients.append(conn)
        for conn in clients:
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(timeout=5)
    server.close()


@pytest.mark.parametrize(
    ("bootstrap", "message"),
    [
        ("127.0.0.1:1", "cluster 127.0.0.1:1: could not connect"),
        ("localhost:99999", "port 99999 is not a TCP port (1-65535)"),
        ("localhost:abc", "port abc is not a number"),
        ("broker-1", "expected host:port"),
        ("nohost.invalid:9092", "cannot resolve host nohost.invalid"),
    ],
)
def test_a_wrong_or_unreachable_bootstrap_is_reported(
    kadmin: Kadmin, tmp_path: Path, bootstrap: str, message: str
) -> None:
    (tmp_path / "s.yaml").write_text("version: 1\ntopics: {}\n")
    # The subprocess timeout only guards against a hang; the command itself waits at most --timeout.
    done = kadmin("plan", "s.yaml", "-b", bootstrap, "--timeout", "3", cwd=tmp_path, timeout=60)
    assert done.code == 1, done.stdout + done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bootstrap_that_is_not_kafka_is_reported(
    kadmin: Kadmin, tmp_path: Path, silent_server: str
) -> None:
    (tmp_path / "s.yaml").write_text("version: 1\ntopics: {}\n")
    done = kadmin("plan", "s.yaml", "-b", silent_server, "--timeout", "3", cwd=tmp_path, timeout=60)
    assert done.code == 1, done.stdout + done.stderr
    assert f"cluster {silent_server}: could not connect" in done.stderr
    assert "Traceback" not in done.stderr


def test_reset_from_file_with_topic_writes_only_that_topics_rows(
    kafka_single: KafkaHandle, ns: Namespace, tmp_path: Path
) -> None:
    layout = prepare(kafka_single.bootstrap, ns.topic("orders"), ns.group("billing"))
    other = ns.topic("never-named")
    rows = tmp_path / "rows.csv"
    rows.write_text(f"{layout.topic},0,2\n{layout.topic},1,3\n{other},0,1\n")
    b = ("--bootstrap-server", layout.bootstrap, "--backup-dir", str(tmp_path / "b"))

    code, out, err = cli(
        "reset", "-g", layout.group, "--from-file", str(rows), "--topic", f"{layout.topic}:0", "--execute", *b
    )
    assert code == 0, err
    assert "committed 1 offset(s)" in out
    assert layout.committed() == {0: 2, 1: 7}

    code, _, err = cli(
        "reset", "-g", layout.group, "--from-file", str(rows), "--topic", ns.topic("audit"), *b
    )
    assert code == 1
    assert f"{rows} has no offsets for topic {ns.topic('audit')}" in err
    assert layout.committed() == {0: 2, 1: 7}


def test_an_adapter_is_unusable_after_close_and_freed_without_the_garbage_collector(
    kafka_single: KafkaHandle,
) -> None:
    admin = kafka_single.admin()
    assert admin.snapshot([]).cluster_id
    admin.close()
    with pytest.raises(RuntimeError, match="used after it was closed"):
        admin.snapshot([])
    fresh = kafka_single.admin()
    fresh.snapshot([])
    alive = weakref.ref(fresh)
    gc.disable()
    try:
        del fresh
        # No reference cycle through error_cb: the handle is destroyed here, not at some later collection.
        assert alive() is None
    finally:
        gc.enable()


EXIT_WITH_REQUESTS_IN_FLIGHT = """
import sys
from confluent_kafka import ConsumerGroupTopicPartitions
from kadmin.kafka.confluent import ConfluentAdmin

admin = ConfluentAdmin({"bootstrap.servers": sys.argv[1]}, timeout=10)
admin.snapshot([])
raw = admin.admin
groups = [f"kadmin-exit-{i}" for i in range(20)]
pending = [raw.describe_consumer_groups(groups, request_timeout=10)]
for g in groups:
    pending.append(raw.list_consumer_group_offsets([ConsumerGroupTopicPartitions(g)], request_timeout=10))
print("leaving with", len(pending), "requests in flight")
"""


def test_exiting_with_requests_in_flight_does_not_crash(kafka_single: KafkaHandle, tmp_path: Path) -> None:
    script = tmp_path / "exit_early.py"
    script.write_text(EXIT_WITH_REQUESTS_IN_FLIGHT)
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, str(script), kafka_single.bootstrap],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        # A negative code is a signal (-11: SIGSEGV).
        assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
        assert "leaving with 21 requests in flight" in done.stdout
