"""Plan, apply and drift over spec environments on real Kafka: two 1-node clusters (`kafka_envs`)
as dev and prod of one spec repository, read at once; an override lands only in its environment,
a wrong cluster id refuses only that environment, a cluster that is down leaves the other one
planned with exit code 1, and a user's password and quota overridden in prod land only there.
"""

from __future__ import annotations

import json
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kadmin.core.access import AccessReads, QuotaEntity, QuotaEntityType, QuotaKey, ScramMechanism

from .conftest import KafkaHandle, Namespace, run_kadmin

NO_COLOR = {"NO_COLOR": "1"}


@dataclass
class Fleet:
    dev: KafkaHandle
    prod: KafkaHandle
    dev_id: str
    prod_id: str
    ns_dev: Namespace
    ns_prod: Namespace

    @property
    def prefix(self) -> str:
        return self.ns_dev.prefix

    def topic(self, name: str) -> str:
        return self.ns_dev.topic(name)

    def partitions(self, kafka: KafkaHandle, name: str) -> int | None:
        topic = kafka.admin().snapshot([self.topic(name)]).topics.get(self.topic(name))
        return None if topic is None else len(topic.partitions)


@pytest.fixture
def fleet(kafka_envs: tuple[KafkaHandle, KafkaHandle]) -> Iterator[Fleet]:
    dev, prod = kafka_envs
    prefix = f"env.{secrets.token_hex(4)}"
    found = Fleet(
        dev,
        prod,
        dev.admin().snapshot(()).cluster_id,
        prod.admin().snapshot(()).cluster_id,
        Namespace(dev, prefix),
        Namespace(prod, prefix),
    )
    try:
        yield found
    finally:
        found.ns_dev.cleanup()
        found.ns_prod.cleanup()


def write_specs(
    directory: Path,
    fleet: Fleet,
    *,
    prod_bootstrap: str | None = None,
    prod_id: str | None = None,
    prod_overrides: str = "",
) -> Path:
    """dev and prod: `orders` with 1 partition, 3 in prod (an override); `audit` with prod's retention."""
    directory.mkdir(exist_ok=True)
    (directory / "environments.yaml").write_text(
        "version: 1\n"
        "environments:\n"
        "  dev:\n"
        "    name: dev-eu\n"
        f"    bootstrap: {fleet.dev.bootstrap}\n"
        f"    id: {fleet.dev_id}\n"
        "  prod:\n"
        "    name: prod-eu\n"
        f"    bootstrap: {prod_bootstrap or fleet.prod.bootstrap}\n"
        f"    id: {prod_id or fleet.prod_id}\n"
        "    overrides:\n"
        "      topics:\n"
        f"        {fleet.topic('orders')}:\n"
        "          partitions: 3\n"
        "      all:\n"
        "        configs:\n"
        "          retention.ms: 3d\n" + prod_overrides
    )
    (directory / "topics.yaml").write_text(
        "version: 1\n"
        "topics:\n"
        f"  {fleet.topic('orders')}:\n"
        "    partitions: 1\n"
        "    replication_factor: 1\n"
        f"  {fleet.topic('audit')}:\n"
        "    partitions: 1\n"
        "    replication_factor: 1\n"
        "    configs:\n"
        "      retention.ms: 1d\n"
    )
    return directory


def overrides(kafka: KafkaHandle, topic: str) -> dict[str, str]:
    return dict(kafka.admin().snapshot([topic]).topics[topic].overrides)


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


def test_plan_and_apply_all_environments_then_nothing_is_left_to_do(fleet: Fleet, tmp_path: Path) -> None:
    specs = write_specs(tmp_path / "specs", fleet)

    planned = run_kadmin("plan", str(specs), "--all-envs", "--detailed-exitcode", env=NO_COLOR)
    assert planned.code == 2, planned.stderr
    text = planned.stdout
    assert text.index("== Environment dev ==") < text.index("== Environment prod ==")
    assert f"Cluster dev-eu ({fleet.dev_id}) via {fleet.dev.bootstrap}" in text
    assert f"Cluster prod-eu ({fleet.prod_id}) via {fleet.prod.bootstrap}" in text
    assert "Total over 2 environments: 4 to create, 0 to update, 0 to delete." in text

    applied = run_kadmin("apply", str(specs), "--all-envs", "--auto-approve", env=NO_COLOR)
    assert applied.code == 0, applied.stdout + applied.stderr

    # The override landed in prod only; the shared setting in both, prod's own retention in prod.
    assert fleet.partitions(fleet.dev, "orders") == 1
    assert fleet.partitions(fleet.prod, "orders") == 3
    assert overrides(fleet.dev, fleet.topic("audit"))["retention.ms"] == "86400000"
    assert overrides(fleet.prod, fleet.topic("audit"))["retention.ms"] == "259200000"

    again = run_kadmin("plan", str(specs), "--all-envs", "--detailed-exitcode", env=NO_COLOR)
    assert again.code == 0, again.stdout + again.stderr
    assert again.stdout.count("No changes.") == 2

    drift = run_kadmin("drift", str(specs), "--all-envs", "--detailed-exitcode", "-o", "json")
    assert drift.code == 0, drift.stderr
    document = json.loads(drift.stdout)
    assert [c["env"] for c in document["clusters"]] == ["dev", "prod"]
    assert not document["drifted"]


def test_one_environment_is_planned_and_applied_alone(fleet: Fleet, tmp_path: Path) -> None:
    specs = write_specs(tmp_path / "specs", fleet)

    applied = run_kadmin("apply", str(specs), "--env", "prod", "--auto-approve", env=NO_COLOR)

    assert applied.code == 0, applied.stdout + applied.stderr
    assert "== Environment prod ==" in applied.stdout and "Environment dev" not in applied.stdout
    assert fleet.partitions(fleet.prod, "orders") == 3
    assert fleet.partitions(fleet.dev, "orders") is None


def test_a_saved_plan_of_both_is_applied_per_cluster_and_refused_when_one_cluster_moved(
    fleet: Fleet, tmp_path: Path
) -> None:
    specs = write_specs(tmp_path / "specs", fleet)
    plan_file = tmp_path / "plan.json"
    markdown = run_kadmin("plan", str(specs), "--all-envs", "-o", "markdown", "--out", str(plan_file))
    assert markdown.code == 0, markdown.stderr
    assert "| Environment | Cluster | Create | Update | Delete | Refused |" in markdown.stdout
    assert "| dev | " in markdown.stdout and "| prod | " in markdown.stdout
    document = json.loads(plan_file.read_text())
    assert [(c["env"], c["cluster_id"]) for c in document["clusters"]] == [
        ("dev", fleet.dev_id),
        ("prod", fleet.prod_id),
    ]

    # prod changes behind the plan's back: the saved plan is stale there, and nothing is applied.
    made = run_kadmin("apply", str(specs), "--env", "prod", "--auto-approve", env=NO_COLOR)
    assert made.code == 0, made.stderr
    stale = run_kadmin("apply", str(plan_file), env=NO_COLOR)
    assert stale.code == 1
    assert "environment prod" in stale.stderr and "nothing was applied" in stale.stderr
    assert fleet.partitions(fleet.dev, "orders") is None

    # Planned again, the file applies on both clusters, each checked first.
    replanned = run_kadmin("plan", str(specs), "--all-envs", "--out", str(plan_file), env=NO_COLOR)
    assert replanned.code == 0, replanned.stderr
    applied = run_kadmin("apply", str(plan_file), "--specs", str(specs), env=NO_COLOR)
    assert applied.code == 0, applied.stdout + applied.stderr
    assert fleet.partitions(fleet.dev, "orders") == 1 and fleet.partitions(fleet.prod, "orders") == 3


def test_a_wrong_cluster_id_refuses_that_environment_naming_both_ids(fleet: Fleet, tmp_path: Path) -> None:
    # prod's address leads to dev's cluster.
    specs = write_specs(tmp_path / "specs", fleet, prod_bootstrap=fleet.dev.bootstrap)

    planned = run_kadmin("plan", str(specs), "--all-envs", env=NO_COLOR)

    assert planned.code == 1
    prod_section = planned.stdout[planned.stdout.index("== Environment prod ==") :]
    assert fleet.prod_id in prod_section and fleet.dev_id in prod_section
    assert "Plan: 2 to create" in planned.stdout  # dev was planned all the same
    assert "environment failed (prod)" in planned.stderr

    applied = run_kadmin("apply", str(specs), "--all-envs", "--auto-approve", env=NO_COLOR)
    assert applied.code == 1 and "nothing was applied" in applied.stderr
    assert fleet.partitions(fleet.dev, "orders") is None


def test_a_cluster_that_is_down_leaves_the_other_planned_and_exits_1(fleet: Fleet, tmp_path: Path) -> None:
    specs = write_specs(tmp_path / "specs", fleet, prod_bootstrap=closed_port())

    planned = run_kadmin("plan", str(specs), "--all-envs", "--timeout", "3", "-o", "json", env=NO_COLOR)

    assert planned.code == 1
    document = json.loads(planned.stdout)
    dev, prod = document["clusters"]
    assert dev["env"] == "dev" and dev["cluster_id"] == fleet.dev_id
    assert [a["kind"] for a in dev["plan"]["actions"]] == ["create_topic", "create_topic"]
    assert prod["env"] == "prod" and prod["error"]["problems"]
    assert document["summary"]["failed"] == 1


def test_one_address_for_several_environments_is_refused(fleet: Fleet, tmp_path: Path) -> None:
    specs = write_specs(tmp_path / "specs", fleet)

    planned = run_kadmin("plan", str(specs), "--all-envs", "-b", fleet.dev.bootstrap, env=NO_COLOR)

    assert planned.code == 1
    assert "--bootstrap-server (or KADMIN_BOOTSTRAP_SERVER) names one cluster" in planned.stderr
    assert "Traceback" not in planned.stderr


def access_specs(directory: Path, fleet: Fleet, user: str) -> Path:
    """`user` with a password of its own in prod (another variable, more iterations) and a quota
    prod raises; dev keeps the shared ones."""
    specs = write_specs(
        directory,
        fleet,
        prod_overrides="      users:\n"
        f"        {user}:\n"
        "          password: ${KADMIN_IT_PROD_PASSWORD}\n"
        "          iterations: 8192\n"
        "      quotas:\n"
        f"        - user: {user}\n"
        "          producer_byte_rate: 10MiB\n",
    )
    (specs / "access.yaml").write_text(
        "version: 1\n"
        "users:\n"
        f"  {user}:\n"
        "    password: ${KADMIN_IT_DEV_PASSWORD}\n"
        "quotas:\n"
        f"  - user: {user}\n"
        "    producer_byte_rate: 1MiB\n"
        "    consumer_byte_rate: 2MiB\n"
    )
    return specs


def test_each_environment_gets_its_own_password_and_quota(fleet: Fleet, tmp_path: Path) -> None:
    user = f"svc-{fleet.prefix.replace('.', '-')}"
    specs = access_specs(tmp_path / "specs", fleet, user)
    own = {"KADMIN_IT_DEV_PASSWORD": "dev-password-1a2b3c", "KADMIN_IT_PROD_PASSWORD": "prod-password-4d5e6f"}

    applied = run_kadmin("apply", str(specs), "--all-envs", "--auto-approve", env={**NO_COLOR, **own})
    assert applied.code == 0, applied.stdout + applied.stderr
    assert "password from ${KADMIN_IT_PROD_PASSWORD}" in applied.stdout.split("== Environment prod ==")[1]
    assert "-password-" not in applied.stdout + applied.stderr

    reads = AccessReads(acls=False)
    for kafka, iterations, producer in ((fleet.dev, 4096, 2**20), (fleet.prod, 8192, 10 * 2**20)):
        state = kafka.admin().access_state(reads)
        (credential,) = [c for c in state.scram if c.user == user]
        assert (credential.mechanism, credential.iterations) == (ScramMechanism.SCRAM_SHA_512, iterations)
        (quota,) = [q for q in state.quotas if q.entity == QuotaEntity.of({QuotaEntityType.USER: user})]
        assert dict(quota.values) == {
            QuotaKey.PRODUCER_BYTE_RATE: producer,
            QuotaKey.CONSUMER_BYTE_RATE: 2**21,
        }

    again = run_kadmin("plan", str(specs), "--all-envs", "--detailed-exitcode", env={**NO_COLOR, **own})
    assert again.code == 0, again.stdout + again.stderr

    # prod's credential holds prod's password: given dev's, only prod's plan rotates it.
    swapped = {**own, "KADMIN_IT_PROD_PASSWORD": own["KADMIN_IT_DEV_PASSWORD"]}
    rotated = run_kadmin("plan", str(specs), "--all-envs", "--detailed-exitcode", env={**NO_COLOR, **swapped})
    assert rotated.code == 2, rotated.stdout + rotated.stderr
    dev_part, prod_part = rotated.stdout.split("== Environment prod ==")
    assert "rotate credential" not in dev_part
    assert "rotate credential, new password from ${KADMIN_IT_PROD_PASSWORD}" in prod_part

    # dev needs none of prod's variables.
    alone = run_kadmin(
        "plan",
        str(specs),
        "--env",
        "dev",
        "--detailed-exitcode",
        env={**NO_COLOR, "KADMIN_IT_DEV_PASSWORD": own["KADMIN_IT_DEV_PASSWORD"]},
    )
    assert alone.code == 0, alone.stdout + alone.stderr
