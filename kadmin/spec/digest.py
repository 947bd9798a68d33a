"""The content hash of a set of spec files: what ties a saved plan to the specs it was computed from.

The hash covers each file's path (as given, in `/` form) and its bytes, in path order,
so the same files hash the same whatever git history brought them there (a merge
commit, a squash, a rebase). Variables (`${VAR}`) are not part of it: they are read
from the environment when planning.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from kadmin.core.errors import SpecError
from kadmin.spec.findings import Findings
from kadmin.spec.load import spec_files

PREFIX = "sha256:"


def files_digest(files: Sequence[str]) -> str:
    """``sha256:<hex>`` over the files' paths and contents."""
    digest = hashlib.sha256()
    for name in sorted(Path(f).as_posix() for f in files):
        content = Path(name).read_bytes()
        # Lengths keep the boundaries unambiguous: no two file sets share one byte stream.
        digest.update(f"{len(name)}:{name}:{len(content)}:".encode())
        digest.update(content)
    return PREFIX + digest.hexdigest()


def spec_digest(paths: Sequence[str | Path]) -> str:
    """The hash of the spec files `paths` name (directories expanded as `kadmin plan` reads them)."""
    findings = Findings()
    files = spec_files(paths, findings)
    if findings.errors:
        raise SpecError(findings.errors)
    return files_digest(files)
