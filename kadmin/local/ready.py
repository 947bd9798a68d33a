"""Readiness of a local cluster, judged the way kadmin will use it: through the adapter."""

from __future__ import annotations

import time

from kadmin.core.actions import CreateTopic, DeleteTopic
from kadmin.core.errors import KadminError, LocalClusterError
from kadmin.kafka.confluent import ConfluentAdmin
from kadmin.local.config import admin_client_config
from kadmin.local.record import ClusterInfo

_PROBE_TOPIC = "kadmin-ready-probe"


def check_ready(info: ClusterInfo, *, timeout: float) -> None:
    """Every broker listed with its rack, and a probe topic can be created and deleted."""
    deadline = time.monotonic() + timeout
    admin = ConfluentAdmin(admin_client_config(info), timeout=min(10.0, timeout))
    expected = {n.node_id: n.rack for n in info.nodes}
    last = ""
    while time.monotonic() < deadline:
        try:
            state = admin.snapshot(scope=[])
            seen = {b.id: b.rack for b in state.brokers}
            if seen == expected:
                break
            last = f"brokers seen {sorted(seen.items())}, expected {sorted(expected.items())}"
        except KadminError as err:
            last = err.message
        time.sleep(0.3)
    else:
        raise LocalClusterError(
            f"the cluster did not list all its brokers in time ({last})", where="local cluster"
        )
    replication = min(3, len(info.nodes))
    probe = CreateTopic(_PROBE_TOPIC, 1, replication)
    while time.monotonic() < deadline:
        (created,) = admin.create_topics([probe])
        # An earlier interrupted start may have left the probe behind; that still proves creation works.
        if created.ok or created.code == "TOPIC_ALREADY_EXISTS":
            (deleted,) = admin.delete_topics([DeleteTopic(_PROBE_TOPIC, 1)])
            if deleted.ok:
                return
            last = deleted.error
        else:
            last = created.error
        time.sleep(0.3)
    raise LocalClusterError(
        f"could not create and delete a probe topic in time ({last})", where="local cluster"
    )
