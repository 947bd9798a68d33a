"""The example specs: specs/ is what the demo applies, specs/more/ one file per other feature,
specs/fleet/ a spec repository for two environments (dev and prod).

Every example must validate: specs/ alone, and with each file of specs/more/ (and with all
of them), against the 3-zone local cluster the demo starts (brokers 1, 2, 3 in zone-a/b/c).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kadmin.core.access import QuotaKey
from kadmin.core.model import InZone, OffsetMode, Static
from kadmin.spec.load import environment_names, load_environments, load_specs

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
MORE = sorted((SPECS / "more").glob("*.yaml"))


def test_the_demo_specs_validate_against_the_local_three_zone_cluster() -> None:
    state = load_specs([str(SPECS)], env={})
    assert state.warnings == ()
    assert dict(state.cluster.zones) == {"zone-a": (1,), "zone-b": (2,), "zone-c": (3,)}
    assert sorted(state.topics) == [
        "orders.cancelled",
        "orders.created",
        "orders.state",
        "payments.authorized",
        "payments.dlq",
        "payments.settled",
    ]
    assert all(t.replication_factor == 3 for t in state.topics.values())
    assert state.offset_resets == ()
    assert len(state.files) == 4


def test_the_demo_does_not_pick_up_the_feature_examples() -> None:
    assert not {str(p) for p in MORE} & set(load_specs([str(SPECS)], env={}).files)


@pytest.mark.parametrize("example", MORE, ids=lambda p: p.name)
def test_each_feature_example_validates_together_with_the_demo_specs(example: Path) -> None:
    state = load_specs([str(SPECS), str(example)], env={})
    assert str(example) in state.files
    assert state.warnings == ()


def test_all_feature_examples_together_cover_every_feature() -> None:
    state = load_specs([str(SPECS), str(SPECS / "more")], env={"AUDIT_PARTITIONS": "24"})
    assert {r.to.mode for r in state.offset_resets} == {
        OffsetMode.DATETIME,
        OffsetMode.DURATION,
        OffsetMode.SHIFT_BY,
        OffsetMode.FILE,
        OffsetMode.EARLIEST,
    }
    assert isinstance(state.topics["payments.ledger"].placement, Static)
    assert state.topics["orders.zone-a.cache"].placement == InZone("zone-a")
    assert state.topics["audit.events"].partitions == 24
    assert {t.profile for t in state.topics.values()} >= {"events", "compacted"}
    assert [a.name for a in state.access.apps] == ["billing", "orders-service"]
    assert len(state.access.users) == 2 and len(state.access.quotas) == 2


FLEET = SPECS / "fleet"


def test_the_fleet_example_declares_dev_and_prod_and_the_demo_does_not_read_it() -> None:
    assert environment_names([str(FLEET)], env={}) == ("dev", "prod")
    assert not {str(p) for p in FLEET.iterdir()} & set(load_specs([str(SPECS)], env={}).files)


def test_the_fleet_example_resolves_each_environment_with_its_overrides() -> None:
    states = load_environments([str(FLEET)], env={})
    dev, prod = states["dev"], states["prod"]
    assert dev.warnings == prod.warnings == ()
    assert set(dev.topics) == set(prod.topics)
    assert {t.replication_factor for t in dev.topics.values()} == {1}
    assert {t.replication_factor for t in prod.topics.values()} == {3}
    created = "checkout.orders.created"
    assert (dev.topics[created].partitions, prod.topics[created].partitions) == (3, 48)
    assert dev.topics[created].configs["retention.ms"] == "86400000"
    assert prod.topics[created].configs["retention.ms"] == "1209600000"
    assert dev.cluster.bootstrap == "127.0.0.1:9092"
    assert (prod.cluster.variables, prod.cluster.command_config) == (
        "KADMIN_PROD_",
        "/etc/kadmin/prod.properties",
    )
    assert prod.cluster.id == "Xq3AhV0cSOmQ1vYb4kLTuA"


def test_the_fleet_example_raises_the_default_client_quota_in_prod_only() -> None:
    states = load_environments([str(FLEET)], env={})
    (dev,), (prod,) = states["dev"].access.quotas, states["prod"].access.quotas
    assert dev.entity == prod.entity and not dev.overridden
    assert dev.values[QuotaKey.PRODUCER_BYTE_RATE] == 5 * 2**20
    assert prod.values[QuotaKey.PRODUCER_BYTE_RATE] == 50 * 2**20
    assert dev.values[QuotaKey.CONSUMER_BYTE_RATE] == prod.values[QuotaKey.CONSUMER_BYTE_RATE] == 10 * 2**20
    assert [name for name, _ in prod.overridden] == ["producer_byte_rate"]
