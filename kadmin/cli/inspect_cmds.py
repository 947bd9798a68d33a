"""`kadmin topics`, `kadmin describe topic NAME`, `kadmin groups [describe G]`: the cluster as
it is, read-only.

Parses options, calls `kadmin.ops.inspect`, writes a view from `kadmin.render.inspect`.
No Kafka here.
"""

from __future__ import annotations

import re
import sys
from typing import Annotated

import typer

from kadmin.cli.app import (
    DEFAULT_TIMEOUT_S,
    BootstrapOption,
    CommandConfigOption,
    OutputFormat,
    OutputOption,
    TimeoutOption,
    app,
    guarded,
    print_json,
)
from kadmin.cli.connection import connect
from kadmin.core.errors import KadminError
from kadmin.ops.inspect import (
    TopicsView,
    describe_group,
    describe_topic,
    read_groups,
    read_topics,
    select_topics,
)
from kadmin.render.inspect import (
    group_detail_document,
    group_detail_lines,
    groups_document,
    groups_lines,
    topic_detail_document,
    topic_detail_lines,
    topics_document,
    topics_lines,
)

MatchOption = Annotated[
    str | None,
    typer.Option(
        "--match", "-m", metavar="REGEX", help="Only names this regular expression finds.", show_default=False
    ),
]


def _echo(lines: list[str]) -> None:
    # Names come from the cluster: written as they are, never through rich's markup.
    typer.echo("\n".join(lines))


def _pattern(text: str | None) -> re.Pattern[str] | None:
    if text is None:
        return None
    try:
        return re.compile(text)
    except re.error as err:
        raise KadminError(
            f"--match {text!r} is not a regular expression: {err}",
            hint="for example --match '^orders\\.' (quote it for the shell)",
        ) from None


@app.command("topics")
@guarded
def topics(
    under_replicated: Annotated[
        bool,
        typer.Option(
            "--under-replicated", help="Only topics with a partition missing in-sync replicas (or offline)."
        ),
    ] = False,
    unavailable: Annotated[
        bool,
        typer.Option(
            "--unavailable", help="Only topics refusing acks=all writes somewhere (offline or under min ISR)."
        ),
    ] = False,
    match: MatchOption = None,
    internal: Annotated[
        bool, typer.Option("--internal/--no-internal", help="Include Kafka's own __ topics.")
    ] = False,
    output: OutputOption = OutputFormat.text,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT_S,
) -> None:
    """Every topic with partitions, replication factor, zones spanned (the fewest any partition
    spans, of the cluster's zones), under-replicated / under-min-ISR / offline partitions and size
    on disk (all replicas). Unhealthy partitions are listed below the table.

    Example (what a broker outage left behind, for a script):

    \b
        kadmin topics --under-replicated
        kadmin topics --match '^orders\\.' -o json
    """
    pattern = _pattern(match)
    view = read_topics(connect(bootstrap, command_config, timeout=timeout))
    kept = select_topics(
        view.topics,
        match=pattern,
        under_replicated=under_replicated,
        unavailable=unavailable,
        internal=internal,
    )
    shown = TopicsView(view.cluster_id, view.zones, kept)
    if output is OutputFormat.json:
        print_json(topics_document(shown))
    else:
        _echo(topics_lines(shown))


describe_app = typer.Typer(
    help=(
        "Describe one object of the cluster in full.\n\n"
        "Example:\n\n\b\n"
        "    kadmin describe topic orders.created\n"
        "    kadmin describe user orders-service"
    ),
    no_args_is_help=True,
)
app.add_typer(describe_app, name="describe")


@describe_app.command("topic")
@guarded
def describe_topic_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The topic.", show_default=False)],
    output: OutputOption = OutputFormat.text,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT_S,
) -> None:
    """A topic's partitions (leader, replicas, ISR, zones, log start and end, size), every config
    with its source, and the consumer groups with offsets on it.

    A config's source is `override` for the topic's own value, `broker` for a broker's or the
    cluster's default (Kafka 4.x reports min.insync.replicas on every topic as
    DYNAMIC_DEFAULT_BROKER_CONFIG: a cluster default, not an override), `default` for Kafka's.

    Example:

    \b
        kadmin describe topic orders.created -o json
    """
    detail = describe_topic(connect(bootstrap, command_config, timeout=timeout), name)
    if output is OutputFormat.json:
        print_json(topic_detail_document(detail))
    else:
        _echo(topic_detail_lines(detail))


groups_app = typer.Typer(
    help=(
        "Consumer groups with their state, protocol, members and lag.\n\n"
        "Example:\n\n\b\n"
        "    kadmin groups\n"
        "    kadmin groups describe billing"
    ),
    invoke_without_command=True,
)
app.add_typer(groups_app, name="groups")


@groups_app.callback()
@guarded
def groups(
    ctx: typer.Context,
    match: MatchOption = None,
    output: OutputOption = OutputFormat.text,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT_S,
) -> None:
    """Every consumer group: state, type (consumer = KIP-848, classic), members, topics and total
    lag (log end minus committed offset, summed over the partitions it has committed).

    Example:

    \b
        kadmin groups --match '^billing' -o json
    """
    if ctx.invoked_subcommand is not None:
        return
    pattern = _pattern(match)
    found = read_groups(connect(bootstrap, command_config, timeout=timeout))
    kept = [g for g in found if pattern is None or pattern.search(g.group)]
    if output is OutputFormat.json:
        print_json(groups_document(kept))
    else:
        _echo(groups_lines(kept))


@groups_app.command("describe")
@guarded
def describe_group_command(
    group: Annotated[str, typer.Argument(metavar="GROUP", help="The consumer group.", show_default=False)],
    output: OutputOption = OutputFormat.text,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT_S,
) -> None:
    """A group's members and, per partition, committed offset, log start and end, lag and the
    member that owns it.

    Example:

    \b
        kadmin groups describe billing -o json
    """
    found = describe_group(connect(bootstrap, command_config, timeout=timeout), group)
    if output is OutputFormat.json:
        print_json(group_detail_document(found))
    else:
        _echo(group_detail_lines(found))


@describe_app.command("user")
@guarded
def describe_user_command(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="The user (the principal User:NAME).", show_default=False)
    ],
    output: OutputOption = OutputFormat.text,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT_S,
) -> None:
    """A user's SCRAM credentials (mechanism, iterations, and whether kadmin set them; never a
    password), every ACL of the principal User:NAME by resource type, and the client quotas that
    match it: its own (user, user + client id) and the default user's, each marked as applying
    or overridden, by Kafka's precedence (per quota key, most specific first).

    On a cluster without an authorizer the ACLs are reported as unreadable; the rest is shown.

    Example:

    \b
        kadmin describe user orders-service
        kadmin describe user orders-service -o json
    """
    from kadmin.ops.inspect_user import describe_user
    from kadmin.render.inspect_user import user_detail_document, user_detail_lines

    found = describe_user(connect(bootstrap, command_config, timeout=timeout), name)
    if output is OutputFormat.json:
        print_json(user_detail_document(found))
    else:
        from kadmin.render.literal import PlainLines, say

        say(PlainLines(sys.stdout), "\n".join(user_detail_lines(found)))
