"""An environment's overrides of access: `overrides.users` (password source, mechanism, iterations)
and `overrides.quotas` (values merged key by key), resolved per environment, shown with where they
are written, and read by a plan of several environments each from its own variable."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import kadmin.cli.fleet_cmds as fleet_cmds
from kadmin.cli.app import app
from kadmin.core.access import QuotaEntity, QuotaEntityType, QuotaKey, ScramKey, ScramMechanism
from kadmin.core.access_spec import PasswordSource
from kadmin.core.errors import SpecError
from kadmin.core.model import Broker, ClusterSpec
from kadmin.render.desired import as_document
from kadmin.spec.load import load_environments, load_specs
from tests.fakes import InMemoryCluster

SPEC = """\
version: 1
environments:
  dev:
    name: dev-eu
    bootstrap: dev-kafka:9092
  prod:
    name: prod-eu
    bootstrap: prod-kafka:9092
    overrides:
      users:
        svc-orders:
          password: ${PROD_SVC_ORDERS_PASSWORD}
          iterations: 8192
        svc-billing:
          password: {file: secrets/billing.pw}
      quotas:
        - user: svc-orders
          producer_byte_rate: 10MiB
topics:
  orders: {partitions: 1, replication_factor: 1}
users:
  svc-orders:
    password: ${SVC_ORDERS_PASSWORD}
  svc-billing:
    password: ${SVC_BILLING_PASSWORD}
    mechanism: SCRAM-SHA-256
quotas:
  - user: svc-orders
    producer_byte_rate: 1MiB
    consumer_byte_rate: 2MiB
  - client_id: <default>
    request_percentage: 50
"""
IDS = ("dev", "prod")
ORDERS = QuotaEntity.of({QuotaEntityType.USER: "svc-orders"})


def write(folder: Path, text: str = SPEC) -> str:
    path = folder / "fleet.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def errors(path: str, environment: str | None = None) -> list[str]:
    with pytest.raises(SpecError) as caught:
        if environment is None:
            load_environments([path], {})
        else:
            load_specs([path], {}, environment=environment)
    return [f"{e.where}: {e.message} — {e.hint}" for e in caught.value.problems]


def test_dev_and_prod_differ_exactly_as_overridden(tmp_path: Path) -> None:
    states = load_environments([write(tmp_path)], {})
    dev, prod = states["dev"].access, states["prod"].access

    assert dev.users == load_environments([write(tmp_path)], {}, only=["dev"])["dev"].access.users
    dev_users = {u.user: u for u in dev.users}
    prod_users = {u.user: u for u in prod.users}
    assert dev_users["svc-orders"].password == PasswordSource(env="SVC_ORDERS_PASSWORD")
    assert dev_users["svc-orders"].iterations == 4096 and not dev_users["svc-orders"].overridden
    assert prod_users["svc-orders"].password == PasswordSource(env="PROD_SVC_ORDERS_PASSWORD")
    assert prod_users["svc-orders"].iterations == 8192
    assert prod_users["svc-orders"].mechanism is ScramMechanism.SCRAM_SHA_512
    # A file source is relative to the file that holds the override; the mechanism stays the shared one.
    assert prod_users["svc-billing"].password == PasswordSource(file=str(tmp_path / "secrets/billing.pw"))
    assert prod_users["svc-billing"].mechanism is ScramMechanism.SCRAM_SHA_256

    dev_quotas = {q.entity: dict(q.values) for q in dev.quotas}
    prod_quotas = {q.entity: dict(q.values) for q in prod.quotas}
    assert dev_quotas[ORDERS] == {QuotaKey.PRODUCER_BYTE_RATE: 2.0**20, QuotaKey.CONSUMER_BYTE_RATE: 2.0**21}
    assert prod_quotas[ORDERS] == {
        QuotaKey.PRODUCER_BYTE_RATE: 10 * 2.0**20,
        QuotaKey.CONSUMER_BYTE_RATE: 2.0**21,
    }
    default_client = QuotaEntity.of({QuotaEntityType.CLIENT_ID: None})
    assert dev_quotas[default_client] == prod_quotas[default_client] == {QuotaKey.REQUEST_PERCENTAGE: 50.0}
    # Nothing else differs: the ACLs, apps and declared sections are the shared ones.
    assert (dev.acls, dev.apps, dev.declared) == (prod.acls, prod.apps, prod.declared)


def test_show_of_prod_names_the_password_source_and_where_each_override_is_written(tmp_path: Path) -> None:
    path = write(tmp_path)
    document = as_document(load_specs([path], {}, environment="prod"))

    orders = document["users"]["svc-orders"]
    assert orders["password"] == "${PROD_SVC_ORDERS_PASSWORD}"
    assert orders["overridden"] == {
        "password": f"overrides.users.svc-orders ({path}:12)",
        "iterations": f"overrides.users.svc-orders ({path}:13)",
    }
    quota = next(q for q in document["quotas"] if q.get("user") == "svc-orders")
    assert quota["producer_byte_rate"] == 10 * 2**20
    assert quota["overridden"] == {"producer_byte_rate": f"overrides.quotas[0] ({path}:18)"}
    dev = as_document(load_specs([path], {}, environment="dev"))
    assert "overridden" not in dev["users"]["svc-orders"] and all(
        "overridden" not in q for q in dev["quotas"]
    )


def test_a_password_override_is_never_expanded_so_another_environments_variable_may_be_unset(
    tmp_path: Path,
) -> None:
    path = write(tmp_path)
    secret = {"PROD_SVC_ORDERS_PASSWORD": "prod-secret-value", "SVC_ORDERS_PASSWORD": "dev-secret"}

    dev = load_specs([path], {}, environment="dev")
    prod = load_specs([path], secret, environment="prod")

    assert "prod-secret-value" not in repr(prod) and "dev-secret" not in repr(prod)
    assert {u.user for u in dev.access.users} == {"svc-orders", "svc-billing"}


def test_an_override_of_a_user_the_spec_does_not_declare_is_located(tmp_path: Path) -> None:
    text = SPEC.replace(
        "        svc-billing:\n          password: {file", "        svc-biling:\n          password: {file"
    )

    assert errors(write(tmp_path, text)) == [
        f"{tmp_path}/fleet.yaml:14:9: environments.prod.overrides.users.svc-biling: overrides an unknown "
        "user (svc-biling) — did you mean svc-billing?"
    ]


def test_a_password_override_written_out_is_refused_without_repeating_it(tmp_path: Path) -> None:
    text = SPEC.replace("${PROD_SVC_ORDERS_PASSWORD}", "hunter2-prod")

    found = errors(write(tmp_path, text), "prod")

    assert len(found) == 1 and "hunter2" not in found[0]
    assert "environments.prod.overrides.users.svc-orders.password" in found[0]
    assert "is the password of svc-orders written out" in found[0]


def test_a_quota_override_of_an_entity_quotas_does_not_declare_is_located(tmp_path: Path) -> None:
    text = SPEC.replace(
        "        - user: svc-orders\n          producer", "        - user: svc-payments\n          producer"
    )

    (found,) = errors(write(tmp_path, text))

    assert found.startswith(f"{tmp_path}/fleet.yaml:17:11: environments.prod.overrides.quotas[0]: ")
    assert "overrides quotas of user=svc-payments, which quotas: does not declare" in found


def test_a_quota_overridden_twice_in_one_environment_is_located(tmp_path: Path) -> None:
    text = SPEC.replace(
        "          producer_byte_rate: 10MiB\n",
        "          producer_byte_rate: 10MiB\n"
        "        - user: svc-orders\n"
        "          consumer_byte_rate: 1MiB\n",
    )

    (found,) = errors(write(tmp_path, text))

    assert "overrides quotas of user=svc-orders a second time (first at" in found
    assert "environments.prod.overrides.quotas[1]" in found


@pytest.fixture
def clusters(monkeypatch: pytest.MonkeyPatch) -> dict[str, InMemoryCluster]:
    found = {env: InMemoryCluster(brokers=(Broker(1, "zone-a"),), cluster_id=f"{env}-cluster") for env in IDS}

    def connect(cluster: ClusterSpec, **_: Any) -> InMemoryCluster:
        assert cluster.environment is not None
        return found[cluster.environment]

    monkeypatch.setattr(fleet_cmds, "connect_environment", connect)
    monkeypatch.setenv("NO_COLOR", "1")
    return found


def test_apply_of_two_environments_sets_each_users_password_from_its_own_variable(
    clusters: dict[str, InMemoryCluster], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets/billing.pw").write_text("prod-billing-secret\n")
    monkeypatch.setenv("SVC_ORDERS_PASSWORD", "dev-orders-secret")
    monkeypatch.setenv("SVC_BILLING_PASSWORD", "dev-billing-secret")
    monkeypatch.setenv("PROD_SVC_ORDERS_PASSWORD", "prod-orders-secret")
    path = write(tmp_path)

    result = CliRunner().invoke(app, ["plan", path, "--all-envs"])
    assert result.exit_code == 0, result.stderr
    dev_part, prod_part = result.stdout.split("== Environment prod ==")
    assert "password from ${SVC_ORDERS_PASSWORD}" in dev_part
    assert "password from ${PROD_SVC_ORDERS_PASSWORD}" in prod_part
    assert "-secret" not in result.stdout

    result = CliRunner().invoke(app, ["apply", path, "--all-envs", "--auto-approve", "--no-lock"])
    assert result.exit_code == 0, result.stdout + result.stderr

    dev, prod = clusters["dev"], clusters["prod"]
    assert dev.password_of(ScramKey("svc-orders", ScramMechanism.SCRAM_SHA_512)) == "dev-orders-secret"
    assert prod.password_of(ScramKey("svc-orders", ScramMechanism.SCRAM_SHA_512)) == "prod-orders-secret"
    assert dev.password_of(ScramKey("svc-billing", ScramMechanism.SCRAM_SHA_256)) == "dev-billing-secret"
    assert prod.password_of(ScramKey("svc-billing", ScramMechanism.SCRAM_SHA_256)) == "prod-billing-secret"
    assert dev.quotas[ORDERS][QuotaKey.PRODUCER_BYTE_RATE] == 2**20
    assert prod.quotas[ORDERS][QuotaKey.PRODUCER_BYTE_RATE] == 10 * 2**20


def test_plan_of_dev_needs_no_production_password_which_a_plan_of_prod_asks_for(
    clusters: dict[str, InMemoryCluster], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SVC_ORDERS_PASSWORD", "dev-orders-secret")
    monkeypatch.setenv("SVC_BILLING_PASSWORD", "dev-billing-secret")
    monkeypatch.delenv("PROD_SVC_ORDERS_PASSWORD", raising=False)
    path = write(tmp_path)

    result = CliRunner().invoke(app, ["plan", path, "--env", "dev"])
    assert result.exit_code == 0, result.stderr
    assert "PROD_SVC_ORDERS_PASSWORD" not in result.stdout

    result = CliRunner().invoke(app, ["plan", path, "--env", "prod"])
    assert result.exit_code == 1, result.stdout
    assert "PROD_SVC_ORDERS_PASSWORD is not set" in result.stdout, result.stdout
    assert "${PROD_SVC_ORDERS_PASSWORD}" in result.stdout + result.stderr
    assert "-secret" not in result.stdout + result.stderr
