"""`--spec` for commands that take no spec otherwise (offsets, export): the spec's `cluster.id` pins
the cluster they may talk to, and its `cluster.bootstrap` is used as for plan.

The check itself is `kadmin.plan.identity.check_cluster`; this module only reads the
spec's cluster block and asks the cluster for its id (one metadata read, no topics).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kadmin.core.model import ClusterSpec
from kadmin.kafka.port import ClusterAdmin

SpecOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--spec",
        metavar="SPEC",
        help="Spec files or directories whose cluster.id pins the cluster (another one is refused) "
        "and whose cluster.bootstrap is used.",
        show_default=False,
    ),
]


def pinned_cluster(specs: list[Path] | None, environment: str | None = None) -> ClusterSpec:
    """The cluster block of `specs` (of its `environment`, for a spec with environments), or an
    empty one (nothing pinned) when none are given."""
    if not specs:
        return ClusterSpec()
    # The spec loader (YAML, JSON Schema) is loaded only when --spec is given: `offsets reset`
    # without it should start as fast as Kafka's own tool.
    from kadmin.spec.load import load_specs

    return load_specs(specs, environment=environment).cluster


def check_pinned(admin: ClusterAdmin, cluster: ClusterSpec) -> None:
    """Refuse (exit 1, naming both ids) when `admin` reaches another cluster than `cluster.id`."""
    if cluster.id is not None:
        from kadmin.ops.planning import address
        from kadmin.plan.identity import check_cluster

        check_cluster(cluster, admin.snapshot(()).cluster_id, address(admin))
