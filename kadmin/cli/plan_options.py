"""The options `kadmin plan`, `kadmin apply` and `kadmin drift` share: the spec arguments, the
output formats of a plan, and the planning switches (deletes, stray overrides, --topic).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kadmin.core.errors import KadminError


class PlanFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


SpecArgs = Annotated[
    list[Path],
    typer.Argument(
        metavar="SPEC",
        help="Spec files, or directories: the *.yaml and *.yml files directly in them.",
        show_default=False,
    ),
]
AllowDeleteOption = Annotated[
    bool,
    typer.Option(
        "--allow-delete",
        help="Delete topics that match cluster.manage, and ACLs, SCRAM credentials and quota values of "
        "principals that match cluster.manage_principals, that are not in the spec (otherwise only listed).",
    ),
]
RotateUnknownOption = Annotated[
    bool,
    typer.Option(
        "--rotate-unknown",
        help="Set SCRAM credentials kadmin never set from the spec's passwords (otherwise left alone, "
        "with a notice: kadmin cannot tell whether their password matches).",
    ),
]
PruneConfigsOption = Annotated[
    bool,
    typer.Option(
        "--prune-configs",
        help="Remove topic-level config overrides the spec does not set (otherwise listed as drift).",
    ),
]
DetailedOption = Annotated[
    bool,
    typer.Option(
        "--detailed",
        help="List every replica list of created topics, added partitions and moves (summarised otherwise).",
    ),
]
TopicFilterOption = Annotated[
    list[str] | None,
    typer.Option(
        "--topic",
        metavar="REGEX",
        help=(
            "Only topics whose whole name matches this regular expression (repeatable), in the spec "
            "and on the cluster; the plan says it is partial. Like terraform's -target."
        ),
        show_default=False,
    ),
]
EnvOption = Annotated[
    list[str] | None,
    typer.Option(
        "--env",
        metavar="NAME",
        help=(
            "This environment of the spec (repeatable): its cluster, client properties and overrides. "
            "Several environments are read at once, each in a section of its own."
        ),
        show_default=False,
    ),
]
AllEnvsOption = Annotated[bool, typer.Option("--all-envs", help="Every environment the spec declares.")]


def env_selection(env: Sequence[str] | None, all_envs: bool) -> tuple[str, ...] | None:
    """The environments asked for: None without --env and --all-envs, ``()`` for all of them."""
    if env and all_envs:
        raise KadminError(
            "--env and --all-envs both select environments",
            where="--all-envs",
            hint="pass --all-envs alone, or one --env per environment",
        )
    if all_envs:
        return ()
    return tuple(dict.fromkeys(env)) if env else None
