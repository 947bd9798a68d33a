"""`kadmin local status | down`, the cluster record, node logs and the default pointer, without Kafka.

A "node" here is a sleeping Python process carrying the cluster's marker option, which is
all that process handling looks at; real clusters are in tests/integration/test_local_cluster.py.
"""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kadmin.cli.app import app
from kadmin.cli.connection import client_config, resolve_bootstrap
from kadmin.core.errors import KadminError, LocalClusterError
from kadmin.local import logs, procs, state
from kadmin.local.cluster import NodeState, node_state
from kadmin.local.config import Enforcing, cluster_marker, server_properties, write_client_properties
from kadmin.local.record import STATE_FILE, ClusterInfo, Node, ScramUser, check_heap, read_info, write_info

OOM = "Terminating due to java.lang.OutOfMemoryError: Java heap space"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KADMIN_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def fake_nodes(tmp_path: Path) -> Iterator[list[procs.Owned]]:
    started: list[procs.Owned] = []
    yield started
    for node in started:
        node.proc.kill()
        node.reap(timeout=30)


def record(directory: Path, pids: list[int]) -> ClusterInfo:
    nodes = []
    for i, pid in enumerate(pids, start=1):
        node_dir = directory / f"node-{i}"
        node_dir.mkdir(parents=True, exist_ok=True)
        nodes.append(Node(i, f"zone-{'abc'[i - 1]}", 9000 + i, 9100 + i, str(node_dir), pid=pid))
    info = ClusterInfo(str(directory), "AAAAAAAAAAAAAAAAAAAAAA", "4.4.0", tuple(nodes), time.time())
    write_info(info)
    return info


def start_fake(directory: Path, started: list[procs.Owned]) -> int:
    command = [sys.executable, "-c", "import time; time.sleep(600)", cluster_marker(directory)]
    directory.mkdir(parents=True, exist_ok=True)
    node = procs.spawn_owned(command, directory / f"fake-{len(started)}.log")
    started.append(node)
    return node.pid


def ended_pid(directory: Path) -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass", cluster_marker(directory)])
    proc.wait(timeout=30)
    return proc.pid


def test_a_dead_node_is_shown_with_the_error_it_died_of_and_status_exits_1(
    tmp_path: Path, home: Path, fake_nodes: list[procs.Owned]
) -> None:
    directory = tmp_path / "cluster"
    info = record(directory, [start_fake(directory, fake_nodes), ended_pid(directory), 0])
    info.nodes[1].log.write_text(f"[t] WARN something (x)\n[t] ERROR earlier trouble (y)\n{OOM}\n")

    text = CliRunner().invoke(app, ["local", "status", "--dir", str(directory)])
    doc = json.loads(
        CliRunner().invoke(app, ["local", "status", "--dir", str(directory), "-o", "json"]).stdout
    )

    assert text.exit_code == 1
    assert f"dead: {OOM}" in text.stdout
    assert "broker 3  zone-c  127.0.0.1:9003  stopped" in text.stdout
    assert "Dead: node(s) 2. `kadmin local up` starts them again." in text.stdout
    assert doc["state"] == "degraded"
    assert [n["state"] for n in doc["nodes"]] == ["running", "dead", "stopped"]
    assert doc["nodes"][1]["reason"] == OOM
    assert doc["nodes"][0]["pid"] == info.nodes[0].pid


def test_a_node_killed_by_a_signal_is_dead_without_an_error_line(tmp_path: Path, home: Path) -> None:
    directory = tmp_path / "cluster"
    info = record(directory, [ended_pid(directory)])
    info.nodes[0].log.write_text("[t] INFO [KafkaRaftServer nodeId=1] Kafka Server started (k)\n")

    result = CliRunner().invoke(app, ["local", "status", "--dir", str(directory)])

    assert result.exit_code == 1
    assert "dead: its log ends without an error (killed by a signal?)" in result.stdout


def test_down_stops_every_node_keeps_the_record_and_clears_the_pointer(
    tmp_path: Path, home: Path, fake_nodes: list[procs.Owned]
) -> None:
    directory = tmp_path / "cluster"
    info = record(directory, [start_fake(directory, fake_nodes) for _ in range(3)])
    stray = start_fake(directory, fake_nodes)  # a process of the cluster the record lost track of
    state.remember(directory)
    assert state.current() == info

    result = CliRunner().invoke(app, ["local", "down"])

    assert result.exit_code == 0, result.output
    assert "Stopped the local cluster" in result.stdout
    assert all(node.proc.wait(timeout=30) is not None for node in fake_nodes)
    assert not (home / state.POINTER_FILE).exists()
    assert state.current() is None
    stopped = read_info(directory)
    assert stopped is not None
    assert [n.pid for n in stopped.nodes] == [0, 0, 0]
    assert stopped.cluster_id == info.cluster_id
    assert fake_nodes[-1].pid == stray
    assert fake_nodes[-1].proc.returncode == -signal.SIGTERM

    status = CliRunner().invoke(app, ["local", "status", "--dir", str(directory)])
    assert status.exit_code == 1
    assert "its data is kept" in status.stdout


def test_down_of_another_directory_leaves_the_pointer(tmp_path: Path, home: Path) -> None:
    pointed, other = tmp_path / "pointed", tmp_path / "other"
    record(other, [0])
    state.remember(pointed)

    result = CliRunner().invoke(app, ["local", "down", "--dir", str(other)])

    assert result.exit_code == 0, result.output
    assert state.remembered_dir() == pointed.resolve()


def test_commands_that_fall_back_to_the_local_cluster_say_so_on_stderr(
    tmp_path: Path, home: Path, fake_nodes: list[procs.Owned], capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "cluster"
    info = record(directory, [start_fake(directory, fake_nodes)])
    state.remember(directory)

    assert resolve_bootstrap(None) == info.bootstrap
    err = capsys.readouterr().err
    assert err == f"using the local cluster started by `kadmin local up` at {info.bootstrap} ({directory})\n"

    assert resolve_bootstrap("broker:9092") == "broker:9092"
    assert capsys.readouterr().err == ""


def test_a_local_cluster_that_enforces_acls_is_reached_as_its_super_user_unless_credentials_are_given(
    tmp_path: Path,
    home: Path,
    fake_nodes: list[procs.Owned],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    directory = tmp_path / "cluster"
    plain = record(directory, [start_fake(directory, fake_nodes)])
    info = dataclasses.replace(plain, nodes=(dataclasses.replace(plain.nodes[0], sasl_port=9201),), acls=True)
    write_info(info)
    write_client_properties(info, ScramUser("kadmin", "localSECRET-1"))
    state.remember(directory)
    for variable in (
        "KADMIN_SECURITY_PROTOCOL",
        "KADMIN_SASL_MECHANISM",
        "KADMIN_SASL_USERNAME",
        "KADMIN_SASL_PASSWORD",
    ):
        monkeypatch.delenv(variable, raising=False)

    config = client_config(None)

    assert config["bootstrap.servers"] == "127.0.0.1:9201"
    assert config["security.protocol"] == "SASL_PLAINTEXT"
    assert (config["sasl.username"], config["sasl.password"]) == ("kadmin", "localSECRET-1")
    err = capsys.readouterr().err
    assert (
        err
        == f"using the local cluster started by `kadmin local up` at 127.0.0.1:9201 as kadmin ({directory})\n"
    )

    monkeypatch.setenv("KADMIN_SASL_USERNAME", "someone")
    monkeypatch.setenv("KADMIN_SASL_PASSWORD", "theirs")
    theirs = client_config(None)

    assert theirs["bootstrap.servers"] == info.bootstrap
    assert (theirs["sasl.username"], theirs["sasl.password"]) == ("someone", "theirs")


def test_a_dangling_pointer_is_no_cluster(tmp_path: Path, home: Path) -> None:
    directory = tmp_path / "cluster"
    record(directory, [ended_pid(directory)])
    state.remember(directory)

    with pytest.raises(KadminError, match="no cluster to talk to"):
        resolve_bootstrap(None)


def test_node_states_follow_the_recorded_pid(tmp_path: Path, fake_nodes: list[procs.Owned]) -> None:
    info = record(tmp_path, [start_fake(tmp_path, fake_nodes), ended_pid(tmp_path), 0])

    assert [node_state(info, n) for n in info.nodes] == [NodeState.RUNNING, NodeState.DEAD, NodeState.STOPPED]


def test_death_reason_prefers_out_of_memory_then_the_last_error(tmp_path: Path) -> None:
    log = tmp_path / "node.log"
    log.write_text(f"[t] ERROR first (a)\n{OOM}\n[t] ERROR after the OOM (b)\n")
    assert logs.death_reason(log) == OOM
    log.write_text(
        "[t] ERROR first (a)\n[t] WARN x (w)\n[t] ERROR [RaftManager] last one (b)\n[t] WARN y (w)\n"
    )
    assert logs.death_reason(log) == "[t] ERROR [RaftManager] last one (b)"
    log.write_text("[t] WARN only warnings (w)\n")
    assert logs.death_reason(log) == ""
    assert logs.death_reason(tmp_path / "missing.log") == ""
    assert logs.tail(tmp_path / "missing.log") == f"(no log at {tmp_path / 'missing.log'})"


def test_a_new_run_keeps_the_previous_log_aside(tmp_path: Path) -> None:
    log = tmp_path / "node.log"
    log.write_text(f"{OOM}\n")
    logs.rotate(log)
    assert not log.exists()
    assert (tmp_path / "node.log.1").read_text() == f"{OOM}\n"


def test_a_record_without_heap_reads_with_the_default_and_garbage_is_an_error(tmp_path: Path) -> None:
    info = record(tmp_path, [0])
    raw = json.loads((tmp_path / STATE_FILE).read_text())
    del raw["nodes"][0]["heap"]
    (tmp_path / STATE_FILE).write_text(json.dumps(raw))
    assert read_info(tmp_path) == info

    (tmp_path / STATE_FILE).write_text('{"nodes": 3}')
    with pytest.raises(LocalClusterError, match="is not a kadmin cluster record"):
        read_info(tmp_path)


@pytest.mark.parametrize("heap", ["256m", "1g", "1536M", "65536k"])
def test_heap_sizes_the_jvm_accepts(heap: str) -> None:
    assert check_heap(heap) == heap


@pytest.mark.parametrize("heap", ["", "1", "1gb", "-1g", "0m", "1 g", "1.5g"])
def test_heap_sizes_refused_with_a_hint(heap: str) -> None:
    with pytest.raises(LocalClusterError) as caught:
        check_heap(heap)
    assert caught.value.where == "--heap"
    assert "e.g. --heap 1g" in caught.value.hint


def test_up_refuses_a_bad_heap_before_starting_anything(tmp_path: Path, home: Path) -> None:
    result = CliRunner().invoke(app, ["local", "up", "--dir", str(tmp_path / "c"), "--heap", "lots"])

    assert result.exit_code == 1
    assert "'lots' is not a heap size" in result.output
    assert not (tmp_path / "c").exists()


def test_three_nodes_replicate_internal_topics_three_times_with_min_isr_2(tmp_path: Path) -> None:
    info = record(tmp_path, [0, 0, 0])
    props = server_properties(info.nodes[1], list(info.nodes), None)

    assert props["node.id"] == "2"
    assert props["broker.rack"] == "zone-b"
    assert props["controller.quorum.bootstrap.servers"] == "127.0.0.1:9101,127.0.0.1:9102,127.0.0.1:9103"
    assert props["offsets.topic.replication.factor"] == "3"
    assert props["transaction.state.log.min.isr"] == "2"


def test_a_cluster_that_enforces_acls_has_no_listener_where_anonymous_is_a_super_user(tmp_path: Path) -> None:
    info = record(tmp_path, [0, 0, 0])
    nodes = [
        dataclasses.replace(n, sasl_port=9200 + n.node_id, internal_port=9300 + n.node_id) for n in info.nodes
    ]
    props = server_properties(nodes[0], nodes, None, Enforcing("kadmin", "brokerSECRET"))

    assert props["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert props["super.users"] == "User:kadmin-local-broker;User:kadmin"
    assert props["allow.everyone.if.no.acl.found"] == "false"
    assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-256,SCRAM-SHA-512"
    protocols = dict(pair.split(":") for pair in props["listener.security.protocol.map"].split(","))
    assert protocols == {
        "PLAINTEXT": "PLAINTEXT",
        "SASL": "SASL_PLAINTEXT",
        "INTERNAL": "SASL_PLAINTEXT",
        "CONTROLLER": "SASL_PLAINTEXT",
    }
    # The nodes authorize each other as the broker principal, never as User:ANONYMOUS on PLAINTEXT.
    assert props["inter.broker.listener.name"] == "INTERNAL"
    assert props["sasl.mechanism.controller.protocol"] == "PLAIN"
    assert 'username="kadmin-local-broker"' in props["listener.name.controller.plain.sasl.jaas.config"]
    assert props["listeners"] == (
        "PLAINTEXT://127.0.0.1:9001,SASL://127.0.0.1:9201,INTERNAL://127.0.0.1:9301,CONTROLLER://127.0.0.1:9101"
    )


def test_a_cluster_without_acls_has_no_authorizer(tmp_path: Path) -> None:
    info = record(tmp_path, [0])

    props = server_properties(info.nodes[0], list(info.nodes), None)

    assert "authorizer.class.name" not in props
    assert props["inter.broker.listener.name"] == "PLAINTEXT"


def test_up_on_a_running_cluster_changes_nothing_and_says_when_heap_applies(
    tmp_path: Path, home: Path, fake_nodes: list[procs.Owned]
) -> None:
    directory = tmp_path / "cluster"
    info = record(directory, [start_fake(directory, fake_nodes)])

    result = CliRunner().invoke(app, ["local", "up", "--dir", str(directory), "--heap", "1g"])

    assert result.exit_code == 0, result.output
    assert f"A local cluster is already running: {info.bootstrap}" in result.stdout
    assert "--heap applies to nodes as they start" in result.stdout
    assert read_info(directory) == info
    assert state.remembered_dir() == directory.resolve()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--nodes", "3"], "this directory holds a 1-node cluster, not 3 nodes"),
        (["--sasl"], "the recorded cluster has no SASL listener"),
        (["--acls"], "the recorded cluster does not enforce ACLs"),
    ],
)
def test_up_refuses_options_that_contradict_the_recorded_cluster(
    tmp_path: Path, home: Path, args: list[str], message: str
) -> None:
    directory = tmp_path / "cluster"
    info = record(directory, [0])
    (Path(info.nodes[0].dir) / "data").mkdir()
    (Path(info.nodes[0].dir) / "data" / "meta.properties").write_text("formatted\n")

    result = CliRunner().invoke(app, ["local", "up", "--dir", str(directory), *args])

    assert result.exit_code == 1
    assert message in result.output
    assert "use another --dir for a new one" in result.output
    assert read_info(directory) == info


def test_up_refuses_a_cluster_made_by_another_kafka_version(tmp_path: Path, home: Path) -> None:
    directory = tmp_path / "cluster"
    info = record(directory, [0])
    write_info(dataclasses.replace(info, kafka_version="3.9.0"))
    (Path(info.nodes[0].dir) / "data").mkdir()
    (Path(info.nodes[0].dir) / "data" / "meta.properties").write_text("formatted\n")

    result = CliRunner().invoke(app, ["local", "up", "--dir", str(directory)])

    assert result.exit_code == 1
    assert "the cluster was made with Kafka 3.9.0; this kadmin runs 4.4.0" in result.output
