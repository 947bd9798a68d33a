"""Cluster identity: a spec's `cluster.id` pins the cluster it may be planned, applied or read against.

Pure: compares Kafka's cluster id, as the cluster reports it, with the one the spec
declares; commands call it right after their first read of the cluster, before any
plan or change.
"""

from __future__ import annotations

from kadmin.core.errors import KadminError
from kadmin.core.model import ClusterSpec


class WrongClusterError(KadminError):
    """Connected to a cluster other than the one the spec pins with `cluster.id`."""


def check_cluster(spec: ClusterSpec, cluster_id: str, bootstrap: str | None) -> None:
    """Raise `WrongClusterError` naming both ids when `cluster_id` is not the spec's `cluster.id`."""
    if spec.id is None or spec.id == cluster_id:
        return
    via = f" (reached through {bootstrap})" if bootstrap else ""
    where = spec.origin.at("cluster.id") if spec.origin is not None else "cluster.id"
    named = f" {spec.name}" if spec.name else ""
    raise WrongClusterError(
        f"the spec is for cluster{named} {spec.id}, but the cluster connected to is {cluster_id or '?'}{via}",
        where=where,
        hint="point --bootstrap-server / KADMIN_BOOTSTRAP_SERVER at the cluster the spec describes; "
        "change cluster.id only if the cluster was rebuilt on purpose",
    )
