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
    field = f"environments.{spec.environment}.id" if spec.environment else "cluster.id"
    where = spec.origin.at(field) if spec.origin is not None else field
    named = f" {spec.name}" if spec.name else ""
    address = (
        f"environments.{spec.environment}.bootstrap"
        if spec.environment
        else "--bootstrap-server / KADMIN_BOOTSTRAP_SERVER"
    )
    raise WrongClusterError(
        f"the spec is for cluster{named} {spec.id}, but the cluster connected to is {cluster_id or '?'}{via}",
        where=where,
        hint=f"point {address} at the cluster the spec describes; "
        f"change {field} only if the cluster was rebuilt on purpose",
    )
