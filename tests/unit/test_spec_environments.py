"""Environments: one spec repository, several clusters; resolution, precedence and errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kadmin.core.errors import SpecError
from kadmin.core.model import InZone
from kadmin.render.desired import as_document
from kadmin.spec.load import environment_names, load_environments, load_specs


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


TOPICS = """\
    version: 1
    defaults: {partitions: 6, replication_factor: 3, configs: {min.insync.replicas: 2, retention.ms: 7d}}
    profiles:
      events: {configs: {retention.ms: 3d}}
    topics:
      orders.created: {profile: events, replication_factor: 3}
      orders.state: {partitions: 12, placement: {zone: zone-a}, replication_factor: 1,
                     configs: {min.insync.replicas: 1}}
    """

DEV = """\
    version: 1
    environments:
      dev:
        bootstrap: ${DEV_BOOTSTRAP:-127.0.0.1:9092}
        zones: {zone-a: [1]}
        manage: ['orders\\..*']
        command_config: ../secrets/dev.properties
        overrides:
          all: {replication_factor: 1, configs: {min.insync.replicas: 1}}
          profiles: {events: {configs: {retention.ms: 1d}}}
          topics: {orders.created: {partitions: 3}}
    """

PROD = """\
    version: 1
    environments:
      prod:
        bootstrap: ${PROD_BOOTSTRAP}
        id: AbCdEfGhIjKlMnOpQrStUv
        variables: KADMIN_PROD_
        zones: {zone-a: [1], zone-b: [2], zone-c: [3]}
    """


@pytest.fixture
def fleet(tmp_path: Path) -> list[str]:
    (tmp_path / "specs").mkdir()
    folder = tmp_path / "specs"
    return [
        write(folder, "topics.yaml", TOPICS),
        write(folder, "dev.yaml", DEV),
        write(folder, "prod.yaml", PROD),
    ]


def problems(paths: list[str], env: dict[str, str] | None = None, **kwargs: str | None) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_specs(paths, env=env or {}, **kwargs)
    return [str(p) for p in caught.value.problems]


def test_environments_are_listed_in_declaration_order_and_a_plain_spec_has_none(
    fleet: list[str], tmp_path: Path
) -> None:
    assert environment_names(fleet, env={}) == ("dev", "prod")
    plain = write(tmp_path, "plain.yaml", "version: 1\ntopics: {t: {partitions: 1, replication_factor: 1}}\n")
    assert environment_names([plain], env={}) == ()


def test_an_environment_resolves_with_its_overrides_above_the_topic(fleet: list[str], tmp_path: Path) -> None:
    state = load_specs(fleet, env={}, environment="dev")
    cluster = state.cluster
    assert (cluster.environment, cluster.bootstrap, cluster.manage) == (
        "dev",
        "127.0.0.1:9092",
        ("orders\\..*",),
    )
    assert cluster.command_config == str(tmp_path / "secrets" / "dev.properties")
    assert cluster.variables is None
    created, stored = state.topics["orders.created"], state.topics["orders.state"]
    # overrides.topics beats the defaults, overrides.all beats the topic's own replication_factor
    assert (created.partitions, created.replication_factor) == (3, 1)
    # overrides.profiles[events] beats the profile; overrides.all beats the defaults
    assert dict(created.configs) == {"min.insync.replicas": "1", "retention.ms": "86400000"}
    assert (stored.partitions, stored.placement) == (12, InZone("zone-a"))
    assert created.origins["replication_factor"].field == "environments.dev.overrides.all.replication_factor"
    assert created.origins["configs.retention.ms"].field.startswith(
        "environments.dev.overrides.profiles.events"
    )
    assert stored.origins["partitions"].field == "topics.orders.state.partitions"


def test_an_environment_without_overrides_takes_the_shared_spec(fleet: list[str]) -> None:
    state = load_specs(fleet, env={"PROD_BOOTSTRAP": "kafka-1.prod:9092"}, environment="prod")
    assert (state.cluster.environment, state.cluster.variables) == ("prod", "KADMIN_PROD_")
    assert state.cluster.id == "AbCdEfGhIjKlMnOpQrStUv"
    assert state.cluster.command_config is None
    created = state.topics["orders.created"]
    assert (created.partitions, created.replication_factor, created.configs["retention.ms"]) == (
        6,
        3,
        "259200000",
    )


def test_all_environments_load_from_one_read(fleet: list[str]) -> None:
    states = load_environments(fleet, env={"PROD_BOOTSTRAP": "p:9092"})
    assert list(states) == ["dev", "prod"]
    assert states["dev"].topics["orders.created"].replication_factor == 1
    assert states["prod"].topics["orders.created"].replication_factor == 3
    assert list(load_environments(fleet, env={"PROD_BOOTSTRAP": "p:9092"}, only=["prod"])) == ["prod"]
    assert list(load_environments(fleet, env={}, only=["dev", "dev"])) == ["dev"]


def test_a_variable_unset_in_another_environment_is_no_problem(fleet: list[str]) -> None:
    assert load_specs(fleet, env={}, environment="dev").cluster.bootstrap == "127.0.0.1:9092"
    (unset,) = problems(fleet, environment="prod")
    assert "environments.prod.bootstrap: variable PROD_BOOTSTRAP is not set" in unset
    with pytest.raises(SpecError, match="PROD_BOOTSTRAP is not set"):
        load_environments(fleet, env={})


def test_a_spec_with_environments_needs_one_named(fleet: list[str]) -> None:
    (problem,) = problems(fleet)
    assert problem.endswith(
        "dev.yaml:2:1: environments: declares environments (dev, prod): a command reads one of them, or all"
        " — pass --env NAME (or --all-envs where the command has it)"
    )


def test_an_unknown_environment_lists_the_known_ones(fleet: list[str]) -> None:
    (problem,) = problems(fleet, environment="prd")
    assert problem.endswith(
        "environments: declares no environment prd — did you mean prod? (known: dev, prod)"
    )
    with pytest.raises(SpecError, match="declares no environment stage — known: dev, prod"):
        load_environments(fleet, env={}, only=["dev", "stage"])


def test_an_environment_asked_of_a_spec_without_environments_is_refused(tmp_path: Path) -> None:
    plain = write(tmp_path, "plain.yaml", "version: 1\ntopics: {t: {partitions: 1, replication_factor: 1}}\n")
    (problem,) = problems([plain], environment="dev")
    assert problem.startswith(f"{plain}: declares no environments (asked for dev) — leave out --env")
    with pytest.raises(SpecError, match="declares no environments —"):
        load_environments([plain], env={})


def test_cluster_and_environments_together_are_refused(fleet: list[str], tmp_path: Path) -> None:
    cluster = write(tmp_path, "cluster.yaml", "version: 1\ncluster: {bootstrap: 'h:9092'}\n")
    found = problems([*fleet, cluster], environment="dev")
    assert found == [
        f"{cluster}:2:1: cluster: cannot be used together with environments: (at {fleet[1]}:2:1)"
        " — with environments, each one is a cluster block: move these keys into each environment"
    ]


def test_an_environment_is_declared_once(fleet: list[str], tmp_path: Path) -> None:
    again = write(tmp_path, "again.yaml", "version: 1\nenvironments:\n  dev: {bootstrap: 'h:9092'}\n")
    (problem,) = problems([*fleet, again], environment="dev")
    assert problem == (
        f"{again}:3:3: environments.dev: is declared a second time (first at {fleet[1]}:3:3)"
        " — an environment is declared once, in one file"
    )


def test_overrides_of_unknown_topics_and_profiles_are_located(fleet: list[str], tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.yaml",
        """\
        version: 1
        environments:
          stage:
            zones: {zone-a: [1], zone-b: [2], zone-c: [3]}
            overrides:
              profiles: {event: {partitions: 1}}
              topics: {orders.craeted: {partitions: 1}, nothing.like.it: {partitions: 1}}
        """,
    )
    assert problems([*fleet, bad], environment="stage") == [
        f"{bad}:6:18: environments.stage.overrides.profiles.event: overrides an unknown profile (event)"
        " — did you mean events?",
        f"{bad}:7:16: environments.stage.overrides.topics.orders.craeted: overrides an unknown topic "
        "(orders.craeted) — did you mean orders.created?",
        f"{bad}:7:49: environments.stage.overrides.topics.nothing.like.it: overrides an unknown topic "
        "(nothing.like.it) — declare it under topics: first",
    ]


def test_a_problem_of_one_environment_names_it_and_one_of_all_is_reported_once(
    fleet: list[str], tmp_path: Path
) -> None:
    # orders.state asks for zone-a: dev and prod declare it, stage does not.
    stage = write(tmp_path, "stage.yaml", "version: 1\nenvironments:\n  stage: {zones: {zone-x: [1]}}\n")
    with pytest.raises(SpecError) as caught:
        load_environments([*fleet, stage], env={"PROD_BOOTSTRAP": "p:9092"})
    topics = fleet[0]
    assert [str(p) for p in caught.value.problems] == [
        f"{topics}:6:57: topics.orders.created.replication_factor: is 3, more than the 1 broker(s) "
        "environments.stage.zones declares (environment stage) — lower replication_factor, or declare the "
        "other brokers in environments.stage.zones",
        f"{topics}:7:45: topics.orders.state.placement: names an unknown zone (zone-a) (environment stage)"
        " — did you mean zone-x?",
    ]
    missing = write(tmp_path, "missing.yaml", "version: 1\ntopics: {orders.new: {replication_factor: 1}}\n")
    qa = write(tmp_path, "qa.yaml", "version: 1\nenvironments:\n  qa: {zones: {zone-a: [1]}}\n")
    no_defaults = [fleet[2], qa, missing]
    with pytest.raises(SpecError) as caught:
        load_environments(no_defaults, env={"PROD_BOOTSTRAP": "p:9092"})
    assert [str(p) for p in caught.value.problems] == [
        f"{missing}:2:10: topics.orders.new: has no partitions"
        " — set partitions: on the topic, in its profile, or under defaults:"
    ]


def test_replica_lists_written_in_an_override_win_and_show_names_that_override(tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        "s.yaml",
        """\
        version: 1
        environments:
          dev:
            zones: {zone-a: [1], zone-b: [2], zone-c: [3]}
            overrides:
              all: {replication_factor: 1}
              topics:
                ledger: {placement: {replicas: [[1], [2]]}}
          prod:
            zones: {zone-a: [1], zone-b: [2], zone-c: [3]}
        topics:
          ledger: {placement: {replicas: [[1, 2, 3], [2, 3, 1]]}}
        """,
    )
    states = load_environments([spec], env={})
    dev, prod = states["dev"].topics["ledger"], states["prod"].topics["ledger"]
    assert (dev.partitions, dev.replication_factor, prod.replication_factor) == (2, 1, 3)
    assert as_document(states["dev"])["topics"]["ledger"]["overridden"] == dict.fromkeys(
        ("partitions", "placement", "replication_factor"), f"overrides.topics.ledger ({spec}:8)"
    )
    assert "overridden" not in as_document(states["prod"])["topics"]["ledger"]
