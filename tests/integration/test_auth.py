"""Authenticated clusters: kadmin's commands over a SASL_PLAINTEXT SCRAM-SHA-512 listener, with
credentials from ``--command-config`` or ``KADMIN_*`` variables; wrong ones fail fast and clean.

Commands run as a user runs them (``python -m kadmin`` in a subprocess, via the `kadmin`
fixture), so exit codes, stdout and stderr are the real ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from confluent_kafka import TopicPartition as KafkaPartition

from kadmin.core.actions import CreateTopic

Kadmin = Callable[..., Any]


def write_spec(directory: Path, topic: str, *, retention: str = "1d", partitions: int = 3) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "topics.yaml").write_text(
        f"version: 1\ntopics:\n  {topic}:\n    partitions: {partitions}\n    replication_factor: 1\n"
        f"    configs:\n      retention.ms: {retention}\n"
    )
    return directory


def env_credentials(kafka: Any, *, password: str | None = None) -> dict[str, str]:
    props = kafka.client_properties(password)
    return {
        "KADMIN_BOOTSTRAP_SERVER": props["bootstrap.servers"],
        "KADMIN_SECURITY_PROTOCOL": props["security.protocol"],
        "KADMIN_SASL_MECHANISM": props["sasl.mechanism"],
        "KADMIN_SASL_USERNAME": props["sasl.username"],
        "KADMIN_SASL_PASSWORD": props["sasl.password"],
    }


def test_plan_and_apply_with_a_command_config_file(
    kafka_sasl: Any, ns_sasl: Any, kadmin: Kadmin, tmp_path: Path
) -> None:
    props = str(kafka_sasl.write_properties(tmp_path / "client.properties"))
    topic = ns_sasl.topic("orders")
    specs = str(write_spec(tmp_path / "specs", topic))

    # No --bootstrap-server: the address comes from bootstrap.servers in the file.
    planned = kadmin("plan", specs, "--command-config", props, "--detailed-exitcode")
    assert planned.code == 2, planned.stderr
    assert f"+ topic {topic}" in planned.stdout

    applied = kadmin("apply", specs, "--command-config", props, "--auto-approve")
    assert applied.code == 0, applied.stderr
    observed = kafka_sasl.admin().snapshot([topic]).topics[topic]
    assert len(observed.partitions) == 3
    assert observed.overrides["retention.ms"] == "86400000"

    again = kadmin("plan", specs, "--command-config", props, "--detailed-exitcode")
    assert again.code == 0, again.stdout + again.stderr


def test_environment_variables_alone_carry_the_credentials(
    kafka_sasl: Any, ns_sasl: Any, kadmin: Kadmin, tmp_path: Path
) -> None:
    env = env_credentials(kafka_sasl)
    topic = ns_sasl.topic("payments")
    specs = str(write_spec(tmp_path / "specs", topic, retention="2h"))
    plan_file = str(tmp_path / "plan.json")

    planned = kadmin("plan", specs, "--out", plan_file, env=env)
    assert planned.code == 0, planned.stderr
    applied = kadmin("apply", plan_file, "--auto-approve", env=env)
    assert applied.code == 0, applied.stderr
    assert kafka_sasl.admin().snapshot([topic]).topics[topic].overrides["retention.ms"] == "7200000"

    exported = kadmin("export", "--topics", f"{ns_sasl.prefix}\\..*", env=env)
    assert exported.code == 0, exported.stderr
    assert yaml.safe_load(exported.stdout)["topics"] == {
        topic: {"partitions": 3, "replication_factor": 1, "configs": {"retention.ms": "2h"}}
    }


def test_environment_variables_win_over_the_file(
    kafka_sasl: Any, ns_sasl: Any, kadmin: Kadmin, tmp_path: Path
) -> None:
    stale = str(kafka_sasl.write_properties(tmp_path / "stale.properties", password="rotated-away"))
    specs = str(write_spec(tmp_path / "specs", ns_sasl.topic("t")))
    fresh = {"KADMIN_SASL_PASSWORD": kafka_sasl.user.password}
    assert kadmin("plan", specs, "--command-config", stale, env=fresh).code == 0
    assert kadmin("plan", specs, "--command-config", stale).code == 1


def test_a_java_jaas_config_file_works_unchanged(
    kafka_sasl: Any, ns_sasl: Any, kadmin: Kadmin, tmp_path: Path
) -> None:
    # The file a team already passes to kafka-topics.sh --command-config.
    user = kafka_sasl.user
    props = tmp_path / "java-client.properties"
    props.write_text(
        "security.protocol=SASL_PLAINTEXT\n"
        "sasl.mechanism=SCRAM-SHA-512\n"
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{user.username}" password="{user.password}";\n'
    )
    specs = str(write_spec(tmp_path / "specs", ns_sasl.topic("t")))
    planned = kadmin("plan", specs, "-b", kafka_sasl.bootstrap, "--command-config", str(props))
    assert planned.code == 0, planned.stderr


def test_offsets_show_and_reset_authenticate(
    kafka_sasl: Any, ns_sasl: Any, kadmin: Kadmin, tmp_path: Path
) -> None:
    topic, group = ns_sasl.topic("events"), ns_sasl.group("billing")
    (created,) = kafka_sasl.admin().create_topics([CreateTopic(topic, 1, 1)])
    assert created.ok, created.error
    producer = kafka_sasl.producer()
    for i in range(5):
        producer.produce(topic, value=str(i).encode(), partition=0)
    assert producer.flush(15) == 0
    consumer = kafka_sasl.consumer(group)
    try:
        consumer.commit(offsets=[KafkaPartition(topic, 0, 3)], asynchronous=False)
    finally:
        consumer.close()
    props = str(kafka_sasl.write_properties(tmp_path / "client.properties"))

    shown = kadmin("offsets", "show", "--group", group, "-o", "json", "--command-config", props)
    assert shown.code == 0, shown.stderr
    rows = {(p["topic"], p["partition"]): p for p in json.loads(shown.stdout)["partitions"]}
    assert rows[(topic, 0)]["committed"] == 3
    assert rows[(topic, 0)]["log_end"] == 5

    reset = kadmin(
        "offsets",
        "reset",
        "--group",
        group,
        "--topic",
        topic,
        "--to-earliest",
        "--execute",
        "--backup-dir",
        str(tmp_path / "backups"),
        env=env_credentials(kafka_sasl),
    )
    assert reset.code == 0, reset.stderr
    after = kafka_sasl.admin().describe_groups([group])[group]
    assert after.committed[(topic, 0)] == 0


def test_a_wrong_password_is_a_prompt_clean_authentication_error(
    kafka_sasl: Any, ns_sasl: Any, kadmin: Kadmin, tmp_path: Path
) -> None:
    wrong = str(kafka_sasl.write_properties(tmp_path / "wrong.properties", password="not-the-password"))
    specs = str(write_spec(tmp_path / "specs", ns_sasl.topic("t")))
    runs = [
        kadmin("plan", specs, "--command-config", wrong),
        kadmin("apply", specs, "--command-config", wrong, "--auto-approve"),
        kadmin("export", "--command-config", wrong),
        kadmin("offsets", "show", "--group", "g", "--command-config", wrong),
        kadmin("plan", specs, env=env_credentials(kafka_sasl, password="not-the-password")),
        # Through kafka-python (KIP-455), which alone would retry silently until its timeout.
        kadmin("reassignments", "list", "--command-config", wrong),
    ]
    for run in runs:
        assert run.code == 1, (run.args, run.stdout, run.stderr)
        # librdkafka retries a failed handshake forever; kadmin must not wait for its 30 s timeout.
        assert run.seconds < 15, (run.args, run.seconds)
        assert "authentication failed" in run.stderr, (run.args, run.stderr)
        assert "hint: check the credentials" in run.stderr
        assert "Traceback" not in run.stderr + run.stdout


def test_reassignments_authenticate_through_kafka_python(
    kafka_sasl: Any, kadmin: Kadmin, tmp_path: Path
) -> None:
    props = str(kafka_sasl.write_properties(tmp_path / "client.properties"))
    listed = kadmin("reassignments", "list", "-o", "json", "--command-config", props)
    assert listed.code == 0, listed.stderr
    assert json.loads(listed.stdout)["reassignments"] == []
    listed = kadmin("reassignments", "list", env=env_credentials(kafka_sasl))
    assert listed.code == 0, listed.stderr


def test_no_credentials_against_a_sasl_listener_fails_within_the_timeout(
    kafka_sasl: Any, ns_sasl: Any, kadmin: Kadmin, tmp_path: Path
) -> None:
    specs = str(write_spec(tmp_path / "specs", ns_sasl.topic("t")))
    run = kadmin("plan", specs, "-b", kafka_sasl.bootstrap, "--timeout", "3")
    assert run.code == 1
    assert run.seconds < 20
    assert "error:" in run.stderr
    assert "Traceback" not in run.stderr


def test_bad_client_settings_are_clean_errors(kafka_sasl: Any, kadmin: Kadmin, tmp_path: Path) -> None:
    bad_protocol = tmp_path / "bad.properties"
    bad_protocol.write_text("security.protocol=SASL_PLAINTEXTT\n")
    run = kadmin("export", "-b", kafka_sasl.bootstrap, "--command-config", str(bad_protocol))
    assert run.code == 1
    assert "invalid client configuration" in run.stderr
    assert "Traceback" not in run.stderr

    java_only = tmp_path / "java.properties"
    java_only.write_text("security.protocol=SSL\nssl.truststore.location=/etc/kafka/truststore.jks\n")
    run = kadmin("export", "-b", kafka_sasl.bootstrap, "--command-config", str(java_only))
    assert run.code == 1
    assert f"{java_only}:2:1: ssl.truststore.location" in run.stderr
    assert "ssl.ca.location" in run.stderr

    missing = kadmin("export", "--command-config", str(tmp_path / "nope.properties"))
    assert missing.code == 1
    assert "cannot read the command config" in missing.stderr


# --- TLS: the SSL listener of the same node, its certificate signed by a throwaway CA -------------


def test_tls_with_the_ca_from_a_file_or_from_a_variable(
    kafka_tls: Any, ns_tls: Any, kadmin: Kadmin, tmp_path: Path
) -> None:
    props = str(kafka_tls.write_properties(tmp_path / "tls.properties"))
    topic = ns_tls.topic("secure")
    specs = str(write_spec(tmp_path / "specs", topic))
    applied = kadmin("apply", specs, "--command-config", props, "--auto-approve")
    assert applied.code == 0, applied.stderr
    assert kafka_tls.admin().snapshot([topic]).topics[topic].overrides["retention.ms"] == "86400000"

    # The CA as PEM text in a variable, the way a CI secret hands it over.
    env = {
        "KADMIN_BOOTSTRAP_SERVER": kafka_tls.bootstrap,
        "KADMIN_SECURITY_PROTOCOL": "SSL",
        "KADMIN_SSL_CA_PEM": kafka_tls.ca.read_text(),
    }
    planned = kadmin("plan", specs, "--detailed-exitcode", env=env)
    assert planned.code == 0, planned.stdout + planned.stderr


def test_reassignments_over_tls_take_the_ca_from_a_file_or_text_and_client_keys_from_files(
    kafka_tls: Any, throwaway_ca: Any, kadmin: Kadmin, tmp_path: Path
) -> None:
    props = str(kafka_tls.write_properties(tmp_path / "tls.properties"))
    listed = kadmin("reassignments", "list", "--command-config", props)
    assert listed.code == 0, listed.stderr

    env = {
        "KADMIN_BOOTSTRAP_SERVER": kafka_tls.bootstrap,
        "KADMIN_SECURITY_PROTOCOL": "SSL",
        "KADMIN_SSL_CA_PEM": kafka_tls.ca.read_text(),
    }
    listed = kadmin("reassignments", "list", env=env)
    assert listed.code == 0, listed.stderr

    # A client key as text: kafka-python reads it from a file only, so it is refused by name, never
    # dropped. (The listener asks for no client certificate, so librdkafka connects with it.)
    key_and_certificate = throwaway_ca.keystore.read_text()
    env |= {"KADMIN_SSL_CERTIFICATE_PEM": key_and_certificate, "KADMIN_SSL_KEY_PEM": key_and_certificate}
    refused = kadmin("reassignments", "list", env=env)
    assert refused.code == 1
    assert refused.stderr.splitlines() == [
        f"error: cluster {kafka_tls.bootstrap}: partition reassignments (KIP-455, read by every plan) go "
        "through kafka-python, which cannot honour ssl.certificate.pem, ssl.key.pem",
        "  hint: write the PEM text to files and set ssl.certificate.location instead of "
        "ssl.certificate.pem, ssl.key.location instead of ssl.key.pem (--command-config or KADMIN_* "
        "variables); ssl.ca.pem may stay",
    ]


def test_tls_with_an_untrusted_ca_is_a_prompt_clean_error(
    kafka_tls: Any, ns_tls: Any, throwaway_ca: Any, kadmin: Kadmin, tmp_path: Path
) -> None:
    wrong = str(kafka_tls.write_properties(tmp_path / "tls.properties", ca=throwaway_ca.other_ca))
    specs = str(write_spec(tmp_path / "specs", ns_tls.topic("t")))
    runs = [kadmin("plan", specs, "--command-config", wrong), kadmin("export", "--command-config", wrong)]
    for run in runs:
        assert run.code == 1, (run.args, run.stderr)
        assert run.seconds < 15, (run.args, run.seconds)
        assert "TLS handshake failed" in run.stderr
        assert "hint: check ssl.ca.location" in run.stderr
        assert "Traceback" not in run.stderr
