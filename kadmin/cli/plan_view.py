"""How `kadmin plan` and `kadmin apply` show their work: the plan in the chosen format, refusals
and held-back changes (with the exit code they mean), the spinner and progress bar on a
terminal, replica-move lines, and the apply report.

Everything here prints to the consoles of `cli.app`; nothing here talks to a cluster.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from kadmin.cli.app import OutputFormat, print_json, report_error, stderr, stdout
from kadmin.cli.plan_options import PlanFormat
from kadmin.core.errors import KadminError, PlanError
from kadmin.core.plan import Plan
from kadmin.ops.planning import is_plan_file
from kadmin.render.json import apply_report_document, plan_document
from kadmin.render.review import count, refusal_groups, targets_text
from kadmin.render.text import render_apply_report, render_plan

if TYPE_CHECKING:
    from kadmin.ops.apply import ApplyReport
    from kadmin.ops.apply import Progress as ProgressCallback
    from kadmin.ops.move_wait import Copied
    from kadmin.ops.reassignment import MoveProgress


def one_plan_file_at_most(targets: list[Path]) -> None:
    plans = [t for t in targets if is_plan_file(t)]
    if plans and len(targets) > 1:
        what = f"{len(plans)} plan files" if len(plans) == len(targets) else "a plan file and specs"
        raise KadminError(
            f"apply takes one plan file, or spec files; found {what}: {' '.join(map(str, targets))}",
            where=str(plans[0]),
            hint="apply one plan file at a time (kadmin apply plan.json), or plan the specs together",
        )


def show_plan(plan: Plan, output: PlanFormat, detailed: bool) -> None:
    if output is PlanFormat.json:
        print_json(plan_document(plan))
    elif output is PlanFormat.markdown:
        # Imported here: a plan shown as text or JSON need not load the Markdown renderer.
        from kadmin.render.markdown import render_plan_markdown

        sys.stdout.write(render_plan_markdown(plan, detailed=detailed))
    else:
        render_plan(plan, stdout(), detailed=detailed)


def interactive() -> bool:
    """Whether a person can answer the prompt: stdin and stderr are terminals."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def ask(question: str) -> None:
    """Ask on stderr before a change; anything but yes exits 1. Without a terminal, refuse."""
    if not interactive():
        raise KadminError(
            "refusing to apply without confirmation: there is no terminal to ask on",
            hint="review the plan, then pass --auto-approve; or save it with "
            "`kadmin plan SPEC --out plan.json` and run `kadmin apply plan.json`",
        )
    answer = stderr().input(f"{question} [y/N] ", markup=False)
    if answer.strip().lower() not in ("y", "yes"):
        stderr().print("Apply cancelled; nothing was changed.", markup=False)
        raise typer.Exit(1)


def confirm_apply(plan: Plan) -> None:
    """Ask before applying `plan`, naming its cluster as the plan's first line does."""
    from kadmin.render.drift import cluster_name  # only apply asks: a plan does not load the drift views

    changes = "this change" if len(plan.actions) == 1 else f"these {len(plan.actions)} changes"
    ask(f"Apply {changes} to cluster {cluster_name(plan.identity)}?")


def refuse(plan: Plan, *, shown: bool) -> None:
    """Exit 1: a plan with refusals is never applied.

    When the plan was just printed, its refusals are in it, each said once with its
    topics; stderr then only says why the command failed. Otherwise (a saved plan)
    each refusal is reported as a located error.
    """
    if plan.applyable:
        return
    blocking = [r for r in plan.refusals if r.blocking]
    if shown:
        report_error(
            PlanError(
                f"the plan has {count(len(blocking), 'refused change')} (listed in the plan); "
                "nothing was applied",
                hint="resolve each one in the spec or the cluster, then plan again",
            )
        )
        raise typer.Exit(1)
    for group in refusal_groups(blocking):
        on = "" if len(group.targets) == 1 else f" (on {targets_text(group.targets)})"
        report_error(
            PlanError(group.message + on, where=group.where or group.targets[0].describe(), hint=group.hint)
        )
    raise typer.Exit(1)


def report_held(plan: Plan, *, applied: bool) -> None:
    """Exit 1 after the rest of the plan, naming each change held back on its own (a busy group's reset)."""
    if not plan.held:
        return
    for refusal in plan.held:
        report_error(
            PlanError(refusal.message, where=refusal.where or refusal.target.describe(), hint=refusal.hint)
        )
    rest = "the rest was applied" if applied else "the rest of the plan can be applied"
    stderr().print(f"{count(len(plan.held), 'change')} held back; {rest}.", markup=False)
    raise typer.Exit(1)


@contextmanager
def reading_spinner() -> Iterator[None]:
    """A spinner on stderr while the cluster is reached and read (a terminal only)."""
    console = stderr()
    if not console.is_terminal:
        yield
        return
    with console.status("reading the cluster…"):
        yield


@contextmanager
def apply_progress() -> Iterator[ProgressCallback | None]:
    """A progress bar on stderr when it is a terminal; nothing otherwise (CI logs stay clean)."""
    console = stderr()
    if not console.is_terminal:
        yield None
        return
    # Loaded only for a terminal: rich.progress is a third of plan's start-up otherwise.
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    bar = Progress(
        # The spinner turns while a batched call (a bulk create, a wait) has not answered yet.
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task("applying", total=None)

    def update(step: str, done: int, total: int) -> None:
        bar.update(task, description=step, completed=done, total=total)

    with bar:
        yield update


def move_lines(progress: ProgressCallback | None) -> MoveProgress:
    """Partitions done and bytes copied: on the apply bar on a terminal, else a stderr line when
    a partition finishes and every few seconds while bytes move."""
    # Imported here: only an apply that moves replicas needs the move views (plan never does).
    from kadmin.cli.reassign_cmds import MoveLines

    if progress is not None:
        bar = progress

        def show(line: str, _: Copied | None) -> None:
            # The bar counts partitions; the line beside it says the bytes, the rate and what is left.
            bar(
                line.removeprefix("moving replicas: ").join(("moving replicas (", ")")),
                lines.done,
                lines.total,
            )

        lines = MoveLines(show)
        return lines
    console = stderr()
    return MoveLines(lambda line, _: console.print(line, markup=False, highlight=False))


def show_report(plan: Plan, report: ApplyReport, output: OutputFormat, waited: bool) -> None:
    if output is OutputFormat.json:
        print_json(apply_document(plan, report))
        return
    console = stdout()
    if report.preflight_rejected:
        count = len(report.results)
        noun = "change" if count == 1 else "changes"
        console.print(f"Preflight: the cluster rejected {count} {noun}; nothing was changed.", markup=False)
    else:
        console.print("")
    render_apply_report(report.results, console, moves_waited=waited)
    if report.preflight_rejected:
        console.print("Nothing was changed: fix what was rejected, then apply again.", markup=False)
    for path in report.backups:
        stderr().print(f"offsets backup: {path}", markup=False)
    for note in report.notes:
        stderr().print(f"note: {note}", markup=False)


def apply_document(plan: Plan, report: ApplyReport) -> dict[str, Any]:
    return {
        **apply_report_document(report.results),
        "preflight_rejected": report.preflight_rejected,
        "backups": [str(p) for p in report.backups],
        "notes": list(report.notes),
        "plan": plan_document(plan),
    }
