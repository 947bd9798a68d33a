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
- A spec may declare ``environments:`` (several clusters) instead of ``cluster:``: it
  is then loaded for one environment, or for each, the files read once; an
  environment's overrides sit above the topic's own keys (see `environments`).
- Numbers are never guessed from text: ``partitions: "12"`` is an error, not 12.
"""

from __future__ import annotations

import copy
import difflib
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
from kadmin.spec.cluster_block import read_cluster
from kadmin.spec.environments import SECTION, resolve_environments
from kadmin.spec.findings import Findings
from kadmin.spec.layers import Overrides
from kadmin.spec.resolve import read_shared, resolve_state
from kadmin.spec.sections import collect_sections
from kadmin.spec.structure import check_structure
from kadmin.spec.yamlpos import Document, read_yaml
from kadmin.spec.yamlpos import Path as YamlPath

SUFFIXES = (".yaml", ".yml")


def schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of a spec document; a copy, free to change."""
    return copy.deepcopy(structure.schema())


def load_specs(
    paths: Sequence[str | Path], env: Mapping[str, str] | None = None, *, environment: str | None = None
) -> DesiredState:
    """Read, check and merge spec files and directories into one desired state.

    `env` holds the variables for ``${VAR}`` (default: the process environment).
    A spec that declares environments needs `environment`, the one to resolve; a spec
    that declares none refuses it. Raises `SpecError` holding every problem found in
    all files, each located and with a hint; non-fatal findings come back in
    `DesiredState.warnings`.
    """
    variables = os.environ if env is None else env
    with _collector_paused():
        if environment is None:
            return _load(paths, variables, (), plain=True, envs=False)[None]
        return _load(paths, variables, (environment,), plain=False, envs=True)[environment]


def load_environments(
    paths: Sequence[str | Path], env: Mapping[str, str] | None = None, *, only: Sequence[str] = ()
) -> dict[str, DesiredState]:
    """Every declared environment (or those `only` names) resolved, in declaration order.

    The files are read and checked once; `SpecError` holds every problem of every
    environment asked for.
    """
    with _collector_paused():
        states = _load(paths, os.environ if env is None else env, tuple(only), plain=False, envs=True)
    return {name: state for name, state in states.items() if name is not None}


def load_every_state(
    paths: Sequence[str | Path], env: Mapping[str, str] | None = None, *, only: Sequence[str] = ()
) -> dict[str | None, DesiredState]:
    """What the specs describe, read once: each environment's state by name, or, for a spec
    without environments (and no `only`), its one state under None. `kadmin validate` checks this.
    """
    with _collector_paused():
        return _load(paths, os.environ if env is None else env, tuple(only), plain=not only, envs=True)


def environment_names(paths: Sequence[str | Path], env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The environments the specs declare, in declaration order; ``()`` when they declare none.

    Reads the files but resolves nothing: problems in them are left to loading.
    """
    with _collector_paused():
        documents, _files = _read_all(paths, os.environ if env is None else env, Findings(), frozenset())
        return tuple(collect_sections(documents, Findings()).environments)


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


def _load(
    paths: Sequence[str | Path],
    variables: Mapping[str, str],
    only: tuple[str, ...],
    *,
    plain: bool,
    envs: bool,
) -> dict[str | None, DesiredState]:
    """The states asked for: a spec without environments (`plain`) under None, or environments
    (`envs`: those `only` names, or all); anything else is a located error."""
    findings = Findings()
    only = tuple(dict.fromkeys(only))  # --env dev --env dev means dev once
    wanted = frozenset(only) if only or not envs else None
    documents, files = _read_all(paths, variables, findings, wanted)
    shared = read_shared(documents, findings)
    where = shared.sections.environments_key
    states: dict[str | None, DesiredState] = {}
    if where is None and plain:
        states[None] = resolve_state(
            shared, files, read_cluster(shared.sections.cluster, findings), Overrides(), findings
        )
    elif where is None:
        asked = f" (asked for {', '.join(only)})" if only else ""
        findings.error(
            files[0] if files else ", ".join(map(str, paths)),
            f"declares no environments{asked}",
            "leave out --env and --all-envs, or declare the clusters under environments: "
            "(see Environments in specs/README-spec.md)",
        )
    elif not envs:
        # Resolving without an environment's zones would only add errors that are not there.
        findings.error(
            where,
            f"declares environments ({', '.join(shared.sections.environments)}): a command reads one of "
            "them, or all",
            "pass --env NAME (or --all-envs where the command has it)",
        )
    else:
        declared = list(shared.sections.environments)
        for name in only:
            if name not in declared:
                guess = difflib.get_close_matches(name, declared, n=1)
                known = f"known: {', '.join(declared)}"
                findings.error(
                    where,
                    f"declares no environment {name}",
                    f"did you mean {guess[0]}? ({known})" if guess else known,
                )
        names = [name for name in (only or declared) if name in declared]
        states.update(resolve_environments(shared, files, names, findings))
    if findings.errors:
        raise SpecError(findings.errors)
    return states


def _read_all(
    paths: Sequence[str | Path],
    variables: Mapping[str, str],
    findings: Findings,
    wanted: frozenset[str] | None,
) -> tuple[list[Document], list[str]]:
    """Every document of every file, shape-checked.

    `wanted` names the environments that will be resolved (None: all of them); a
    variable left unset in another environment's block is not a problem, so that
    ``--env dev`` needs no production secrets or addresses.
    """
    files = spec_files(paths, findings)
    documents: list[Document] = []

    def unused(path: YamlPath) -> bool:
        return wanted is not None and len(path) > 1 and path[0] == SECTION and path[1] not in wanted

    for file in files:
        text = _read(file, findings)
        if text is None:
            continue
        docs, problems = read_yaml(file, text, variables, unused)
        for problem in problems:
            findings.add(problem)
        if not docs and not problems:
            findings.warn(Location(file, 1, 1), "holds no YAML document; it adds nothing to the spec")
        for doc in docs:
            for problem in check_structure(doc):
                findings.add(problem)
        documents.extend(docs)
    return documents, files


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
