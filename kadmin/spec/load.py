"""Spec files and directories → one validated `DesiredState`: the spec package's entry point.

Owns finding the files and running the stages in order, over all files before any
verdict, so that one run reports every problem:

1. YAML (`yamlpos`): syntax, duplicate keys, `${VAR}` expansion, positions;
2. shape (`structure`): the JSON Schema, worded at the offending key or value;
3. meaning (`resolve`, `offsets`): precedence, zones, replicas, units, cross-file rules.

Decisions, documented for users in specs/README-spec.md:

- A directory means the ``*.yaml``/``*.yml`` files directly in it, hidden ones (``.*``)
  excepted, in sorted order. Subdirectories are not read, so that a directory can keep
  examples or drafts below it that ``kadmin apply DIR`` must not apply; name them too
  (``kadmin validate specs/ specs/more/``). Files given twice are read once.
- A file may hold several YAML documents (``---``), each a spec with its own
  ``version: 1``.
- Everything merges into one desired state: at most one ``cluster:`` and one
  ``defaults:`` in all; a profile, topic or offset-reset id is declared once.
- Precedence per topic: ``defaults`` ← ``profile`` ← the topic's own keys, field by
  field and config key by config key.
- Numbers are never guessed from text: ``partitions: "12"`` is an error, not 12.
"""

from __future__ import annotations

import copy
import gc
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kadmin.core.errors import KadminError, Location, SpecError
from kadmin.core.model import DesiredState
from kadmin.core.paths import path_problem
from kadmin.spec import structure
from kadmin.spec.findings import Findings
from kadmin.spec.resolve import resolve
from kadmin.spec.structure import check_structure
from kadmin.spec.yamlpos import Document, read_yaml

SUFFIXES = (".yaml", ".yml")


def schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of a spec document; a copy, free to change."""
    return copy.deepcopy(structure.schema())


def load_specs(paths: Sequence[str | Path], env: Mapping[str, str] | None = None) -> DesiredState:
    """Read, check and merge spec files and directories into one desired state.

    `env` holds the variables for ``${VAR}`` (default: the process environment).
    Raises `SpecError` holding every problem found in all files, each located and
    with a hint; non-fatal findings come back in `DesiredState.warnings`.
    """
    with _collector_paused():
        return _load(paths, os.environ if env is None else env)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while loading.

    Loading builds hundreds of thousands of small objects that form no cycles; the
    collector would rescan the growing heap again and again (a third of the run at
    10,000 topics) to find nothing, since reference counting frees them anyway.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load(paths: Sequence[str | Path], variables: Mapping[str, str]) -> DesiredState:
    findings = Findings()
    files = spec_files(paths, findings)
    documents: list[Document] = []
    for file in files:
        text = _read(file, findings)
        if text is None:
            continue
        docs, problems = read_yaml(file, text, variables)
        for problem in problems:
            findings.add(problem)
        if not docs and not problems:
            findings.warn(Location(file, 1, 1), "holds no YAML document; it adds nothing to the spec")
        for doc in docs:
            for problem in check_structure(doc):
                findings.add(problem)
        documents.extend(docs)
    state = resolve(documents, files, findings)
    if findings.errors:
        raise SpecError(findings.errors)
    return state


def spec_files(paths: Sequence[str | Path], findings: Findings) -> list[str]:
    """The files `paths` name, directories expanded; missing paths go to `findings`."""
    files: list[str] = []
    seen: set[str] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                (
                    p
                    for p in path.iterdir()
                    if p.suffix in SUFFIXES and p.is_file() and not p.name.startswith(".")
                ),
                key=lambda p: p.name,
            )
            if not found:
                findings.error(
                    str(given),
                    "is a directory without *.yaml or *.yml files in it",
                    "point at the directory that holds your specs (subdirectories are not read)",
                )
        elif path.is_file():
            found = [path]
        else:
            message, hint = path_problem(path) or ("does not exist", "")
            if message == "does not exist":
                hint = "give spec files, or directories that hold them"
            findings.error(str(given), message, hint)
            continue
        for file in found:
            real = os.path.realpath(file)
            if real not in seen:
                seen.add(real)
                files.append(str(file))
    return files


MAX_FILE_BYTES = 64 * 1024 * 1024
"""The largest spec file read: 10,000 topics with their configs take about 2 MiB."""


def _read(file: str, findings: Findings) -> str | None:
    try:
        size = os.stat(file).st_size
        if size > MAX_FILE_BYTES:
            findings.error(
                file,
                f"is {size / 2**20:.0f} MiB, more than a spec file may be ({MAX_FILE_BYTES // 2**20} MiB)",
                "split it into several files in one directory",
            )
            return None
        return Path(file).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        findings.add(
            KadminError(
                f"is not UTF-8 text ({err.reason})", where=Location(file, 1, 1), hint="save it as UTF-8"
            )
        )
    except OSError as err:
        findings.add(
            KadminError(f"cannot be read ({err.strerror})", where=file, hint="check the file's permissions")
        )
    return None
