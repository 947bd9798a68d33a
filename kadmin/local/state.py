"""Where `kadmin local up` keeps its cluster, so later commands find it with no flag.

``$KADMIN_HOME`` (default ``~/.kadmin``) holds ``local/`` (the default cluster
directory) and ``local-cluster``, a one-line pointer to the directory of the cluster
`kadmin local up` started last. `kadmin local down` removes the pointer when it points
at the cluster it stopped, so no command follows it to a cluster that is gone.
"""

from __future__ import annotations

import os
from pathlib import Path

from kadmin.local.cluster import running_nodes
from kadmin.local.record import ClusterInfo, read_info

POINTER_FILE = "local-cluster"


def kadmin_home() -> Path:
    return Path(os.environ.get("KADMIN_HOME") or Path.home() / ".kadmin")


def default_dir() -> Path:
    return kadmin_home() / "local"


def remember(directory: Path) -> None:
    home = kadmin_home()
    home.mkdir(parents=True, exist_ok=True)
    (home / POINTER_FILE).write_text(str(directory.resolve()) + "\n")


def forget(directory: Path) -> bool:
    """Remove the pointer if it points at `directory`; whether it did."""
    pointer = kadmin_home() / POINTER_FILE
    if _pointed(pointer) != directory.resolve():
        return False
    pointer.unlink(missing_ok=True)
    return True


def remembered_dir() -> Path:
    """The directory of the cluster `kadmin local up` started last, else the default one."""
    return _pointed(kadmin_home() / POINTER_FILE) or default_dir()


def current() -> ClusterInfo | None:
    """The local cluster the pointer names, if any of its nodes is running."""
    directory = _pointed(kadmin_home() / POINTER_FILE)
    if directory is None:
        return None
    info = read_info(directory)
    if info is None or not running_nodes(info):
        return None
    return info


def _pointed(pointer: Path) -> Path | None:
    try:
        text = pointer.read_text().strip()
    except OSError:
        return None
    return Path(text) if text else None
