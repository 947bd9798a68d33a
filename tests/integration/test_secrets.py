"""Secrets never leak: every command runs with known secrets in ``--command-config`` and in
``KADMIN_*`` variables, and nothing it prints or writes contains them; nor the passwords of the
SCRAM users a spec sets.

The secrets are the SASL password (right, so that the commands do their work, and
wrong, for the error paths) and an ``ssl.key.password`` that the connection carries
without using. Output is searched as written: stdout, stderr, and every file under
the working directory and kadmin's home (plan files, offset backups, exported specs).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import TopicPartition as KafkaPartition

from kadmin.core.actions import CreateTopic

from .access_clients import AccessLeftovers, Workspace, leftovers, login_error
from .conftest import AclsKafka, Namespace

Kadmin = Callable[..., Any]
UNUSED_SECRET = "sslKeySECRET-never-used-4e1d"
WRONG_PASSWORD = "wrongSECRET-pw-71c9a"


def spec_text(topic: str, group: str) -> str:
    return f"""version: 1
topics:
  {topic}:
    partitions: 2
    replication_factor: 1
    configs:
      retention.ms: 3d
      cleanup.policy: [delete]
offset_resets:
  - id: replay-{group}
    group: {group}
    topics: [{topic}]
    to: earliest
"""


def files_under(*roots: Path) -> Iterator[Path]:
    for root in roots:
        if root.is_dir():
            yield from (p for p in root.rglob("*") if p.is_file())


def test_no_command_prints_or_writes_a_secret(
    kafka_sasl: Any, ns_sasl: Any, kadmin: Kadmin, tmp_path: Path
) -> None:
    password = kafka_sasl.user.password
    secrets = (password, UNUSED_SECRET, WRONG_PASSWORD)
    topic, group = ns_sasl.topic("ledger"), ns_sasl.group("audit")
    (created,) = kafka_sasl.admin().create_topics([CreateTopic(topic, 2, 1)])
    assert created.ok, created.error
    producer = kafka_sasl.producer()
    for i in range(6):
        producer.produce(topic, value=b"x", partition=i % 2)
    assert producer.flush(15) == 0
    consumer = kafka_sasl.consumer(group)
    try:
        committed = [KafkaPartition(topic, 0, 2), KafkaPartition(topic, 1, 3)]
        consumer.commit(offsets=committed, asynchronous=False)
    finally:
        consumer.close()

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    good = inputs / "client.properties"
    kafka_sasl.write_properties(good)
    with good.open("a") as extra:
        extra.write(f"ssl.key.password={UNUSED_SECRET}\n")
    wrong = kafka_sasl.write_properties(inputs / "wrong.properties", password=WRONG_PASSWORD)
    work = tmp_path / "work"
    (work / "specs").mkdir(parents=True)
    (work / "specs" / "spec.yaml").write_text(spec_text(topic, group))

    env = {
        "KADMIN_BOOTSTRAP_SERVER": kafka_sasl.bootstrap,
        "KADMIN_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "KADMIN_SASL_MECHANISM": "SCRAM-SHA-512",
        "KADMIN_SASL_USERNAME": kafka_sasl.user.username,
        "KADMIN_SASL_PASSWORD": password,
        "KADMIN_SSL_KEY_PASSWORD": UNUSED_SECRET,
    }
    file_args = ("--command-config", str(good))
    wrong_env = {**env, "KADMIN_SASL_PASSWORD": WRONG_PASSWORD}
    closed_port = "127.0.0.1:9"  # discard: nothing listens there
    local_dir = kafka_sasl.info.dir if kafka_sasl.info else str(tmp_path / "no-local-cluster")

    def run(*args: str, env: dict[str, str] | None = None, expect: int | None = 0) -> Any:
        result = kadmin(*args, env=env, cwd=work)
        if expect is not None:
            assert result.code == expect, (args, result.stdout, result.stderr)
        return result

    runs = [
        run("validate", "specs", env=env),
        run("show", "specs", env=env),
        run("show", "specs", "-o", "json", env=env),
        run("plan", "specs", *file_args),
        run("plan", "specs", "-o", "json", env=env),
        run("plan", "specs", "-o", "markdown", *file_args),
        run("plan", "specs", "--out", "plan.json", *file_args),
        run("apply", "plan.json", "--auto-approve", env=env),
        run("apply", "specs", "--auto-approve", "-o", "json", *file_args),
        run("apply", "specs", "--auto-approve", env=env),
        run("zones", *file_args),
        run("zones", "-o", "json", env=env),
        run("export", *file_args),
        run("export", "-o", "json", env=env),
        run("export", "--out", "exported", *file_args),
        run("offsets", "show", "--group", group, *file_args),
        run("offsets", "show", "--group", group, "-o", "json", env=env),
        run("offsets", "show", "--group", group, "-o", "csv", env=env),
        run("offsets", "reset", "--group", group, "--topic", topic, "--to-latest", *file_args),
        run("offsets", "reset", "--group", group, "--topic", topic, "--to-latest", "--execute", env=env),
        run("reassignments", "list", *file_args),
        run("local", "status", "--dir", local_dir, expect=None),
        run("local", "status", "--dir", local_dir, "-o", "json", expect=None),
        # Error paths: a wrong password, an unreachable cluster, a broken setting, --debug.
        run("plan", "specs", "--command-config", str(wrong), expect=1),
        run("export", env=wrong_env, expect=1),
        run("offsets", "show", "--group", group, env=wrong_env, expect=1),
        # The variable's (right) password wins over the file's wrong one.
        run("apply", "specs", "--auto-approve", "--command-config", str(wrong), env=env, expect=0),
        run("plan", "specs", "-b", closed_port, "--timeout", "2", *file_args, expect=1),
        run("export", "-b", closed_port, "--timeout", "2", env=env, expect=1),
        run("plan", "specs", env={**env, "KADMIN_SECURITY_PROTOCOL": "SASL_SSLL"}, expect=1),
        run("--debug", "plan", "specs", env=wrong_env, expect=None),
    ]

    assert (work / "plan.json").exists()
    assert list((work / "kadmin-backups").iterdir()), "an offset reset with --execute writes a backup"
    assert (work / "exported" / "cluster.yaml").exists()
    home = Path(os.environ["KADMIN_HOME"])
    leaks = []
    for result in runs:
        for stream, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            leaks += [f"{' '.join(result.args)} {stream}" for s in secrets if s in text]
    for path in files_under(work, home):
        text = path.read_bytes().decode("utf-8", "replace")
        leaks += [str(path) for s in secrets if s in text]
    assert leaks == []
    # The search is not vacuous: the secrets are where kadmin was told to read them from.
    assert password in good.read_text() and UNUSED_SECRET in good.read_text()


@pytest.fixture
def made(kafka_acls: AclsKafka) -> Iterator[AccessLeftovers]:
    yield from leftovers(kafka_acls)


def test_no_scram_password_reaches_any_output_plan_file_or_log(
    kafka_acls: AclsKafka, ns_acls: Namespace, made: AccessLeftovers, kadmin: Kadmin, tmp_path: Path
) -> None:
    """The passwords of a spec's users, from a variable and from a file, set and then rotated, in
    every command's output, plan file, export and backup, kadmin's home, and the brokers' logs."""
    work = Workspace(kafka_acls, ns_acls, made, tmp_path, kadmin)
    first = dict(work.passwords)
    wrong = kafka_acls.write_properties(tmp_path / "wrong.properties", password=WRONG_PASSWORD)

    runs = [
        work.run("validate", "specs", offline=True),
        work.run("show", "specs", offline=True),
        work.run("show", "specs", "-o", "json", offline=True),
        work.run("plan", "specs"),
        work.run("plan", "specs", "-o", "json"),
        work.run("plan", "specs", "-o", "markdown"),
        work.run("plan", "specs", "--out", "plan.json"),
        work.run("apply", "plan.json", "--auto-approve"),
        work.run("apply", "specs", "--auto-approve", "-o", "json"),
        work.run("drift", "specs", expect=None),
    ]
    work.passwords["orders"] = first["orders"].replace("-1", "-2")
    runs += [
        work.run("plan", "specs", "-o", "json"),
        work.run("plan", "specs", "--out", "rotate.json"),
        work.run("--debug", "apply", "rotate.json", "--auto-approve"),
        work.run("export"),
        work.run("export", "-o", "json"),
        work.run("export", "--out", "exported"),
        # Error paths: kadmin's own password wrong, a user's password variable missing, --debug.
        kadmin("--debug", "plan", "specs", "--command-config", str(wrong), cwd=work.root),
        kadmin("--debug", "plan", "specs", "--command-config", str(work.properties), cwd=work.root),
    ]
    assert runs[-2].code == 1 and "authentication failed" in runs[-2].stderr
    assert "ORDERS_PASSWORD" in runs[-1].stdout + runs[-1].stderr, runs[-1]
    assert login_error(work.app("orders")) == "", "the rotated password is the one set"

    secrets = (*first.values(), work.passwords["orders"])
    inputs = {work.root / "specs" / "billing.pw"}
    home = Path(os.environ["KADMIN_HOME"])
    broker_logs = Path(kafka_acls.info.dir) if kafka_acls.info else tmp_path / "no-local-cluster"
    leaks = []
    for result in runs:
        for stream, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            leaks += [f"{' '.join(result.args)} {stream}" for s in secrets if s in text]
    for path in files_under(work.root, home, broker_logs):
        if path not in inputs:
            text = path.read_bytes().decode("utf-8", "replace")
            leaks += [str(path) for s in secrets if s in text]
    assert leaks == []
    # The search is not vacuous: the plan files and the export were written.
    assert (work.root / "plan.json").exists() and (work.root / "rotate.json").exists()
    assert (work.root / "exported" / "cluster.yaml").exists()
