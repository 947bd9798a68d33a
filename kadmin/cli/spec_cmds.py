"""`kadmin validate`, `kadmin show` and `kadmin schema`: the spec commands. None of them
contacts a cluster, so they run anywhere, CI included.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from kadmin.cli.app import app, guarded, print_json
from kadmin.cli.plan_options import AllEnvsOption, env_selection
from kadmin.core.errors import SpecError
from kadmin.core.model import DesiredState
from kadmin.render.desired import as_document
from kadmin.spec.digest import files_digest
from kadmin.spec.editor_schema import editor_schema
from kadmin.spec.load import load_environments, load_every_state, load_specs

SpecPaths = Annotated[
    list[Path],
    typer.Argument(
        help="Spec files, or directories: the *.yaml and *.yml files in them, in sorted order.",
        show_default=False,
    ),
]


class ShowFormat(StrEnum):
    yaml = "yaml"
    json = "json"


@app.command()
@guarded
def validate(
    specs: SpecPaths,
    spec_hash: Annotated[
        bool,
        typer.Option(
            "--hash",
            help="Print only the content hash of the spec files (what `kadmin plan --out` records "
            "as spec_hash); the summary goes to stderr.",
        ),
    ] = False,
    envs: Annotated[
        list[str] | None,
        typer.Option(
            "--env",
            help="Validate this environment only (repeat for several); default: every environment "
            "the specs declare.",
            show_default=False,
        ),
    ] = None,
    all_envs: AllEnvsOption = False,
) -> None:
    """Check spec files offline and report every problem at once.

    Exit 0 when the spec is valid. Otherwise exit 1, with one line per problem on
    stderr: FILE:LINE:COL: field: what is wrong (what was found) — what to do.
    A spec with environments is valid when every environment is (or those --env names).

    Example (the second line finds the plan file reviewed for exactly these specs):

    \b
        kadmin validate specs/
        kadmin validate specs/ --hash
        kadmin validate specs/fleet/ --env prod
    """
    selection = env_selection(envs, all_envs)
    try:
        if selection == ():  # --all-envs: a spec without environments is an error, as for plan
            states: dict[str | None, DesiredState] = dict(load_environments(specs).items())
        else:
            states = load_every_state(specs, only=selection or ())
    except SpecError as err:
        for problem in err.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"invalid: {_count(len(err.problems), 'problem')}", err=True)
        raise typer.Exit(1) from None
    first = next(iter(states.values()))
    _warn(first)
    if None in states:
        topics = _count(len(first.topics), "topic")
    else:
        topics = ", ".join(f"{name}: {_count(len(state.topics), 'topic')}" for name, state in states.items())
        topics = f"{_count(len(states), 'environment')} ({topics})"
    summary = [_count(len(first.files), "file"), topics, _count(len(first.offset_resets), "offset reset")]
    access = first.access
    if access.declared:
        summary += [
            _count(len(access.users), "user"),
            _count(len(access.acls), "ACL"),
            _count(len(access.quotas), "quota"),
        ]
    typer.echo(f"valid: {', '.join(summary)}", err=spec_hash)
    if spec_hash:
        typer.echo(files_digest(first.files))


@app.command()
@guarded
def show(
    specs: SpecPaths,
    output: Annotated[
        ShowFormat, typer.Option("--output", "-o", help="yaml or json.", case_sensitive=False)
    ] = ShowFormat.yaml,
    env: Annotated[
        str | None,
        typer.Option(
            "--env",
            help="The environment to show, for specs that declare environments: its cluster, and "
            "each topic with the values its overrides changed and where they are written.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print the desired state the specs resolve to: defaults and profiles applied,
    units and ${VARIABLES} expanded, configs as the strings Kafka stores.

    Example:

    \b
        kadmin show specs/ -o json
        kadmin show specs/fleet/ --env dev
    """
    state = load_specs(specs, environment=env)
    _warn(state)
    document = as_document(state)
    if output is ShowFormat.json:
        print_json(document)
    else:
        typer.echo(
            yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110), nl=False
        )


@app.command("schema")
def print_schema() -> None:
    """Print the JSON Schema (2020-12) of spec files, for editors and CI.

    Example, for yaml-language-server (VS Code, Neovim, ...):

    \b
        kadmin schema > kadmin.schema.json
        # then start each spec with: # yaml-language-server: $schema=kadmin.schema.json
    """
    print_json(editor_schema())


def _warn(state: DesiredState) -> None:
    for warning in state.warnings:
        typer.echo(f"warning: {warning}", err=True)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class _Dumper(yaml.SafeDumper):
    """Block style, except lists of plain values ([1, 2, 3]), which read better inline."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    inline = all(not isinstance(item, dict | list) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=inline)


_Dumper.add_representer(list, _represent_list)
