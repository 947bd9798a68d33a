"""The convergence property, shared by the unit and the real-Kafka test: for any two specs A and B
over a small universe of topics, apply A, plan B, apply it, and plan B again: no changes.

`spec_pairs` is the hypothesis strategy; B never has fewer partitions than A for a topic
both name (Kafka cannot shrink partitions, and the plan refuses that with a message of
its own, tested elsewhere). `converge` runs the round trip through kadmin's own
services against any `ClusterAdmin`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from hypothesis import strategies as st

from kadmin.core.model import ClusterSpec, DesiredState, TopicSpec
from kadmin.core.plan import Plan
from kadmin.kafka.port import ClusterAdmin
from kadmin.ops.apply import apply_plan
from kadmin.ops.planning import plan_cluster

UNIVERSE = ("a", "b", "c", "d")
CONFIG_VALUES: Mapping[str, tuple[str, ...]] = {
    "retention.ms": ("3600000", "86400000"),
    "cleanup.policy": ("delete", "compact"),
    "max.message.bytes": ("524288",),
}


@dataclass(frozen=True)
class Shape:
    partitions: int
    rf: int
    configs: Mapping[str, str]


def _shapes(max_rf: int) -> st.SearchStrategy[Shape]:
    configs = st.dictionaries(st.sampled_from(sorted(CONFIG_VALUES)), st.just(""), max_size=3).flatmap(
        lambda keys: st.fixed_dictionaries({k: st.sampled_from(CONFIG_VALUES[k]) for k in keys})
    )
    return st.builds(Shape, st.integers(1, 3), st.integers(1, max_rf), configs)


@st.composite
def spec_pairs(draw: st.DrawFn, max_rf: int = 3) -> tuple[dict[str, Shape], dict[str, Shape]]:
    """Two specs over `UNIVERSE`: name -> shape."""
    shapes = _shapes(max_rf)
    a = draw(st.dictionaries(st.sampled_from(UNIVERSE), shapes, max_size=len(UNIVERSE)))
    b = draw(st.dictionaries(st.sampled_from(UNIVERSE), shapes, max_size=len(UNIVERSE)))
    grown = {
        name: Shape(
            max(shape.partitions, a[name].partitions) if name in a else shape.partitions,
            shape.rf,
            shape.configs,
        )
        for name, shape in b.items()
    }
    return a, grown


def desired(shapes: Mapping[str, Shape], prefix: str) -> DesiredState:
    topics = {
        f"{prefix}.{name}": TopicSpec(
            f"{prefix}.{name}", s.partitions, s.rf, MappingProxyType(dict(s.configs))
        )
        for name, s in shapes.items()
    }
    return DesiredState(topics, ClusterSpec(manage=(f"{prefix.replace('.', chr(92) + '.')}\\..*",)))


def plan(admin: ClusterAdmin, want: DesiredState) -> Plan:
    return plan_cluster(admin, want, admin.snapshot(), allow_delete=True, prune_configs=True)


def converge(admin: ClusterAdmin, a: Mapping[str, Shape], b: Mapping[str, Shape], prefix: str) -> Plan:
    """Apply A, then plan and apply B; the plan of B afterwards (empty when the property holds)."""
    for shapes in (a, b):
        the_plan = plan(admin, desired(shapes, prefix))
        assert the_plan.applyable, the_plan.refusals
        report = apply_plan(the_plan, admin)
        assert report.ok, report.failed
    return plan(admin, desired(b, prefix))
