"""Where `kadmin local up` keeps its cluster, so later commands find it with no flag.

``$KADMIN_HOME`` (default ``~/.kadmin``) holds ``local/`` (the default cluster
directory) and ``local-cluster``, a one-line pointer to the directory of the cluster
started last.
"""

from __future__ import annotations

import os
from pathlib import Path

from kadmin.local.cluster import ClusterInfo, read_info, running_nodes


def kadmin_home() -> Path:
    return Path(os.environ.get("KADMIN_HOME") or Path.home() / ".kadmin")


def default_dir() -> Path:
    return kadmin_home() / "local"


def remember(directory: Path) -> None:
    home = kadmin_home()
    home.mkdir(parents=True, exist_ok=True)
    (home / "local-cluster").write_text(str(directory.resolve()) + "\n")


def remembered_dir() -> Path:
    pointer = kadmin_home() / "local-cluster"
    if pointer.exists():
        text = pointer.read_text().strip()
        if text:
            return Path(text)
    return default_dir()


def current() -> ClusterInfo | None:
    """The local cluster started last, if any of its nodes is still running."""
    info = read_info(remembered_dir())
    if info is None or not running_nodes(info):
        return None
    return info
