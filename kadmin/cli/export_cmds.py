"""`kadmin export`: write a spec of a live cluster, to adopt a cluster that already exists.

Parses options, takes one snapshot, calls `kadmin.ops.export`, writes YAML or JSON. What
an export contains (which configs, in which units, which replica lists) is
`kadmin.ops.export`'s business.
"""

from __future__ import annotations

import re
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kadmin.cli.app import BootstrapOption, CommandConfigOption, app, guarded, print_json, stderr, stdout
from kadmin.cli.connection import connect, connect_environment
from kadmin.cli.pinning import SpecOption, check_pinned, pinned_cluster
from kadmin.core.access import AccessReads
from kadmin.core.errors import KadminError
from kadmin.kafka.confluent import DEFAULT_TIMEOUT_S
from kadmin.ops.export import CLUSTER_FILE, ExportedSpec, export_spec, spec_document, spec_files, to_yaml
from kadmin.ops.export_access import export_access
from kadmin.spec.load import SUFFIXES


class ExportFormat(StrEnum):
    yaml = "yaml"
    json = "json"


@app.command()
@guarded
def export(
    topics: Annotated[
        str | None,
        typer.Option(
            "--topics",
            metavar="REGEX",
            help="Only topics whose whole name matches this regular expression. Default: all.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Write cluster.yaml and topics-*.yaml files into DIR instead of printing one spec.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        ExportFormat, typer.Option("--output", "-o", help="yaml or json, when printing.")
    ] = ExportFormat.yaml,
    force: Annotated[
        bool, typer.Option("--force", help="Write into a --out directory that already holds spec files.")
    ] = False,
    access: Annotated[
        bool,
        typer.Option(
            "--access",
            help="Also export ACLs, SCRAM users (mechanism and iterations; each password as a ${VAR} "
            "to set) and client quotas. Reading ACLs needs a cluster with an authorizer.",
        ),
    ] = False,
    spec: SpecOption = None,
    env: Annotated[
        str | None,
        typer.Option(
            "--env",
            metavar="NAME",
            help="With --spec: export the cluster of this environment of the spec (its bootstrap, client "
            "properties and cluster.id).",
            show_default=False,
        ),
    ] = None,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", metavar="SECONDS", min=1.0, max=3600.0, help="Longest wait for any one answer."
        ),
    ] = DEFAULT_TIMEOUT_S,
) -> None:
    """Write a spec of the live cluster: topics, partitions, replication factors, topic-level
    config overrides, zones from broker racks, and replica lists where the layout is not
    `spread`; with --access, ACLs, SCRAM users and client quotas. Internal topics (__*) are left
    out. A plan of the exported spec shows no changes.

    Example (adopt an existing cluster):

    \b
        kadmin export --out specs/ && kadmin plan specs/
        kadmin export --out specs/ --force --spec specs/   # only from the cluster specs/ pins
        kadmin export --access --out specs/   # with users, ACLs and quotas (access.yaml)
        kadmin export --spec specs/ --env prod > prod.yaml  # the cluster of environment prod
    """
    pattern = _compile(topics)
    if out is not None and output is ExportFormat.json:
        raise KadminError(
            "--out writes YAML spec files; -o json applies to printing only",
            where="--output",
            hint="drop -o json, or drop --out to print JSON",
        )
    if out is not None:
        _check_target(out, force)
    if env is not None and not spec:
        raise KadminError(
            "--env names an environment of a spec, and no --spec is given",
            where="--env",
            hint=f"pass the spec that declares it: kadmin export --spec specs/ --env {env}",
        )
    cluster = pinned_cluster(spec, env)
    if env is not None:
        admin = connect_environment(
            cluster, bootstrap=bootstrap, command_config=command_config, timeout=timeout
        )
    else:
        admin = connect(bootstrap, command_config, spec_bootstrap=cluster.bootstrap, timeout=timeout)
    check_pinned(admin, cluster)
    state = admin.snapshot()
    exported = export_spec(state, topics=pattern)
    summary = ""
    if access:
        found = export_access(admin.access_state(AccessReads()))
        exported = replace(exported, access=found.sections, warnings=(*exported.warnings, *found.warnings))
        summary = (
            f"Exported {found.users} SCRAM user(s), {found.acls} ACL binding(s) and the quotas of "
            f"{found.quotas} entit(ies); set each user's password variable before applying."
        )
    if out is not None:
        written = _write(out, exported)
        shown = stdout()
        for file in written:
            shown.print(f"wrote {file}")
    elif output is ExportFormat.json:
        print_json(spec_document(exported))
    else:
        header = [f"kadmin spec exported from cluster {exported.cluster_id} by `kadmin export`."]
        typer.echo(to_yaml(spec_document(exported), header=header), nl=False)
    _summarise(exported)
    if summary:
        stderr().print(summary, markup=False)


def _compile(topics: str | None) -> re.Pattern[str] | None:
    if topics is None:
        return None
    try:
        return re.compile(topics)
    except re.error as err:
        raise KadminError(
            f"is not a valid regular expression: {err.msg} (found {topics})",
            where="--topics",
            hint="it is matched against whole topic names, e.g. 'orders\\..*'",
        ) from None


def _check_target(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise KadminError(
            "is not a directory", where=str(out), hint="give --out a directory (it is created if missing)"
        )
    if force:
        return
    present = _spec_files_in(out)
    if present:
        raise KadminError(
            f"already holds {len(present)} spec file(s), e.g. {present[0]}",
            where=str(out),
            hint="export into an empty directory, or pass --force to overwrite (other files stay and "
            "would be merged into the spec)",
        )


def _spec_files_in(directory: Path) -> list[str]:
    if not directory.is_dir():
        return []
    return sorted(str(p) for p in directory.rglob("*") if p.suffix in SUFFIXES and p.is_file())


def _write(out: Path, exported: ExportedSpec) -> list[str]:
    documents = spec_files(exported)
    try:
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, document in documents.items():
            header = (
                [
                    f"kadmin spec exported from cluster {exported.cluster_id} by `kadmin export`;",
                    "the topics are in the topics*.yaml files beside this one.",
                ]
                if name == CLUSTER_FILE
                else []
            )
            path = out / name
            path.write_text(to_yaml(document, header=header), encoding="utf-8")
            written.append(str(path))
    except OSError as err:
        raise KadminError(
            f"cannot write the spec ({err.strerror})",
            where=str(err.filename or out),
            hint="choose a writable directory for --out",
        ) from None
    leftover = sorted(set(_spec_files_in(out)) - set(written))
    if leftover:
        stderr().print(
            f"warning: {out} also holds {len(leftover)} other spec file(s) (e.g. {leftover[0]}); "
            "kadmin reads them too, so remove those that are stale",
            markup=False,
        )
    return written


def _summarise(exported: ExportedSpec) -> None:
    err = stderr()
    for warning in exported.warnings:
        err.print(f"warning: {warning}", markup=False)
    static = len(exported.static_topics)
    placed = f", {static} with explicit replica lists (not spread across zones)" if static else ""
    skipped = exported.skipped_internal
    internal = f"; left out {skipped} internal topic(s)" if skipped else ""
    err.print(f"Exported {len(exported.topics)} topic(s){placed}{internal}.", markup=False)
