"""Names, paths and values from users and the cluster are printed literally by every view:
never read as rich markup (`[prod]billing`, `[/]`), emoji codes (`x:fire:y`, `:100:`) or
terminal escapes. Each view gets a console built with rich's defaults (markup and emoji on),
so the views are safe whatever console a caller hands them.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import MappingProxyType

import pytest
from rich.console import Console
from typer.testing import CliRunner

from kadmin.cli.app import app, report_error, stderr, stdout
from kadmin.core.actions import Notice, OffsetMove, Refusal, ResetOffsets
from kadmin.core.errors import KadminError, Location
from kadmin.core.model import ConsumerGroupState, GroupMember, GroupState, OffsetMode, ResetTo
from kadmin.core.plan import Plan
from kadmin.core.targets import Target
from kadmin.kafka.port import Outcome
from kadmin.ops.offsets import GroupOffsets, PartitionOffsets, ResetOutcome
from kadmin.ops.reassignment import ReassignmentResult
from kadmin.ops.running_moves import Reassignments
from kadmin.ops.throttles import Throttles
from kadmin.render.json import plan_document
from kadmin.render.markdown import render_plan_markdown
from kadmin.render.offsets import group_offsets_document, render_group_offsets, render_reset
from kadmin.render.text import render_apply_report, render_plan
from kadmin.render.zones import render_reassignment_result, render_reassignments

HOSTILE = ("[prod]billing", "[/]", "x:fire:y", "a:100:b", "[bold red]loud[/bold red]", ":thumbs_up:")


def rich_default_console() -> Console:
    return Console(file=io.StringIO(), width=200, color_system=None)


def output_of(console: Console) -> str:
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(text, str)
    return text


def reset_of(group: str) -> ResetOffsets:
    return ResetOffsets(
        group=group,
        to=ResetTo(OffsetMode.EARLIEST, None, "earliest"),
        moves=(OffsetMove("orders", 0, 5, 0),),
        group_exists=True,
    )


@pytest.mark.parametrize("name", HOSTILE)
def test_text_plan_prints_hostile_group_names_and_messages_literally(name: str) -> None:
    plan = Plan(
        actions=(reset_of(name),),
        cluster_id="c1",
        fingerprint="fp",
        refusals=(Refusal(Target.group(name), f"refused {name}", Location(f"s/{name}.yaml", 100, 3), name),),
        notices=(Notice(Target.group(name), f"note {name}"),),
    )
    console = rich_default_console()
    render_plan(plan, console)
    text = output_of(console)
    assert f"group {name}" in text
    assert f"refused {name}" in text
    assert f"s/{name}.yaml:100:3" in text
    assert f"note {name}" in text
    assert "🔥" not in text and "💯" not in text and "👍" not in text


@pytest.mark.parametrize("name", HOSTILE)
def test_apply_report_prints_hostile_errors_literally(name: str) -> None:
    console = rich_default_console()
    render_apply_report(
        [(reset_of(name), Outcome(Target.group(name), False, f"broker said {name}"))], console
    )
    text = output_of(console)
    assert f"✗ group {name}: reset offsets failed: broker said {name}" in text


@pytest.mark.parametrize("name", HOSTILE)
def test_offsets_views_print_hostile_group_member_and_host_names_literally(name: str) -> None:
    member = GroupMember("m-1", f"client-{name}", f"/{name}")
    state = GroupState(
        name, ConsumerGroupState.STABLE, members=(member,), committed=MappingProxyType({("orders", 0): 3})
    )
    found = GroupOffsets(state, (PartitionOffsets("orders", 0, 3, 0, 10, member),))
    console = rich_default_console()
    render_group_offsets(console, found)
    render_reset(
        console, reset_of(name), True, ResetOutcome(Target.group(name), True, backup=Path(f"b/{name}.csv"))
    )
    text = output_of(console)
    assert f"group {name}: Stable, 1 member(s)" in text
    assert f"member client-{name} on /{name} (m-1)" in text
    assert f"reset offsets of group {name} to earliest" in text
    assert f"b/{name}.csv" in text
    assert group_offsets_document(found)["group"] == name


def test_offsets_view_drops_terminal_escapes_from_cluster_text() -> None:
    state = GroupState("g\x1b[31mred", ConsumerGroupState.EMPTY)
    console = rich_default_console()
    render_group_offsets(console, GroupOffsets(state, ()))
    assert "\x1b" not in output_of(console)


@pytest.mark.parametrize("name", HOSTILE)
def test_reassignment_views_print_hostile_errors_and_notes_literally(name: str) -> None:
    console = rich_default_console()
    result = ReassignmentResult(
        outcomes=(Outcome(Target.topic("orders"), False, f"no {name}"),), notes=(f"left {name}",)
    )
    render_reassignment_result(console, result, verb="completed", nothing="nothing")
    render_reassignments(console, Reassignments((), Throttles(topics={"orders": {"leader": name}})))
    text = output_of(console)
    assert f"topic orders: failed: no {name}" in text
    assert f"note: left {name}" in text
    assert f"topic orders: leader {name}" in text


@pytest.mark.parametrize("name", HOSTILE)
def test_markdown_and_json_keep_hostile_names(name: str) -> None:
    plan = Plan(
        actions=(reset_of(name),),
        cluster_id="c1",
        fingerprint="fp",
        notices=(Notice(Target.group("g"), name),),
    )
    markdown = render_plan_markdown(plan)
    # In the fenced diff the name is verbatim; in prose every markdown bracket is escaped.
    assert name in markdown
    assert "[" not in markdown.split("#### Notices")[1].replace("\\[", "")
    assert json.dumps(name) in json.dumps(plan_document(plan))


@pytest.mark.parametrize("name", HOSTILE)
def test_errors_print_hostile_locations_and_messages_literally(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    report_error(
        KadminError(f"no group {name}", where=Location(f"s/{name}.yaml", 100, 24), hint=f"try {name}")
    )
    err = capsys.readouterr().err
    assert f"error: s/{name}.yaml:100:24: no group {name}" in err
    assert f"  hint: try {name}" in err


def test_the_cli_consoles_read_no_markup_and_no_emoji(capsys: pytest.CaptureFixture[str]) -> None:
    stdout().print("[prod]billing x:fire:y a.yaml:100:3 [/]")
    stderr().print("[bold]b[/bold] :thumbs_up:")
    captured = capsys.readouterr()
    assert captured.out == "[prod]billing x:fire:y a.yaml:100:3 [/]\n"
    assert captured.err == "[bold]b[/bold] :thumbs_up:\n"


def test_a_spec_error_in_a_file_with_a_hostile_path_is_printed_literally(tmp_path: Path) -> None:
    folder = tmp_path / "[prod]x:fire:"
    folder.mkdir()
    spec = folder / "emoji.yaml"
    spec.write_text("version: 1\n" + "\n" * 98 + "topics: {bad name: {partitions: 1}}\n")
    result = CliRunner().invoke(app, ["validate", str(spec)])
    assert result.exit_code == 1
    assert f"{spec}:100:" in result.stderr
    assert "🔥" not in result.stderr and "💯" not in result.stderr
