"""A saved plan is checked by computing it again: apply refuses any action of the file that
planning its recorded inputs now does not give.

The plan file records what it was computed from (`PlanInputs`: the spec paths, the
managed scope, `--allow-delete`, `--prune-configs`, the moment). Apply, after the
stale-plan check, loads those specs, reads the cluster and plans again at that moment;
an action in the file that the recomputation does not contain, exactly, was written by
something other than kadmin (or the specs changed since), and nothing is applied.

`explain` is the one place deepdiff is used: it compares each such action with its
recomputed twin (same kind and target) and turns the difference into `FieldDifference`
values and sentences; deepdiff's output never leaves it, and never enters a `Plan`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kadmin.core.actions import Action, Notice, Refusal
from kadmin.core.errors import KadminError, SpecError
from kadmin.core.plan import Plan
from kadmin.kafka.port import ClusterAdmin
from kadmin.ops.freshness import check_fresh
from kadmin.ops.planning import moment_of, plan_cluster, read_cluster
from kadmin.plan.planfile import action_to_document
from kadmin.spec.digest import files_digest
from kadmin.spec.load import load_specs

_SHOWN = 5
_HINT = (
    "nothing was applied. Apply a plan file where it was planned, from the same specs "
    "(`kadmin plan SPEC --out FILE`, then `kadmin apply FILE`); never edit one by hand"
)


class SavedPlanError(KadminError):
    """A saved plan that its own recorded inputs do not give: edited, or planned from other specs."""


@dataclass(frozen=True, slots=True)
class FieldDifference:
    """One field of an action that differs between the file and the recomputation."""

    path: tuple[str | int, ...]
    in_file: object
    recomputed: object

    def __str__(self) -> str:
        field = ".".join(str(p) for p in self.path) or "the action"
        return f"{field} is {_shown(self.in_file)} in the file, {_shown(self.recomputed)} when planned again"


def check_saved_plan(saved: Plan, admin: ClusterAdmin, *, source: str) -> None:
    """Raise `StalePlanError` if the cluster moved since `saved` was computed (`check_fresh`), and
    `SavedPlanError` unless every action of `saved` is one that planning its inputs gives now.

    With the cluster unchanged, a plan kadmin wrote recomputes to itself, fingerprint
    included; an action that does not, while the fingerprint still matches, was edited.
    """
    inputs = saved.inputs
    if inputs is None or not inputs.specs:
        raise SavedPlanError(
            "the plan file does not record the specs it was computed from, so apply cannot check it",
            where=source,
            hint="plan again with this kadmin (`kadmin plan SPEC --out FILE`) and apply that file",
        )
    shown = " ".join(inputs.specs)
    try:
        desired = load_specs(inputs.specs, environment=inputs.environment)
    except SpecError as err:
        first = err.problems[0] if err.problems else err
        where = f"{first.where}: " if first.where else ""
        raise SavedPlanError(
            f"cannot compute the plan again: its specs ({shown}) do not load here: {where}{first.message}",
            where=source,
            hint="run apply in a checkout of the commit the plan was made from, where those spec paths exist",
        ) from None
    desired, observed = read_cluster(desired, admin)
    again = plan_cluster(
        admin,
        desired,
        observed,
        allow_delete=inputs.allow_delete,
        prune_configs=inputs.prune_configs,
        now=moment_of(inputs.planned_at_ms),
        rotate_unknown=inputs.rotate_unknown,
    )
    extra = [action for action in saved.actions if action not in again.actions]
    if not extra or again.fingerprint != saved.fingerprint:
        # The cluster may have moved: a stale plan is named as such, with what moved.
        check_fresh(saved, admin, source=source)
    if not extra:
        return
    reasons = explain(extra, again.actions, (*again.refusals, *again.notices))
    listed = "; ".join(reasons[:_SHOWN]) + (
        f"; and {len(reasons) - _SHOWN} more" if len(reasons) > _SHOWN else ""
    )
    changed = ""
    if saved.spec_hash is not None and saved.spec_hash != files_digest(desired.files):
        changed = f" (the spec files {shown} changed since the plan was made)"
    count = len(extra)
    raise SavedPlanError(
        f"the plan file holds {count} change{'s' if count != 1 else ''} that planning {shown} again "
        f"does not give{changed}: {listed}",
        where=source,
        hint=_HINT,
    )


def explain(
    extra: Sequence[Action], recomputed: Sequence[Action], findings: Sequence[Refusal | Notice] = ()
) -> list[str]:
    """One sentence per action of the file that the recomputation lacks, naming the fields that differ,
    or what the recomputation said about its target instead (a password it could not read)."""
    twins = {(a.kind, a.target): a for a in recomputed}
    said = {f.target: f.message for f in findings}
    sentences = []
    for action in extra:
        head = f"{action.kind.replace('_', ' ')} {action.target.describe()}"
        twin = twins.get((action.kind, action.target))
        if twin is None:
            why = f" ({said[action.target]})" if action.target in said else ""
            sentences.append(f"{head}: not in the recomputed plan at all{why}")
            continue
        fields = differences(action, twin)
        sentences.append(f"{head}: " + ", ".join(str(f) for f in fields) if fields else f"{head}: differs")
    return sentences


def differences(in_file: Action, recomputed: Action) -> list[FieldDifference]:
    """The fields of two actions' documents that differ, as typed values (deepdiff's tree, flattened)."""
    from deepdiff import DeepDiff  # only when a saved plan does not recompute: not at every start

    tree = DeepDiff(action_to_document(recomputed), action_to_document(in_file), view="tree")
    found = []
    for levels in tree.values():
        for level in levels:
            path = tuple(level.path(output_format="list"))
            found.append(FieldDifference(path, _value(level.t2), _value(level.t1)))
    return sorted(found, key=lambda f: [str(p) for p in f.path])


def _value(value: object) -> object:
    # deepdiff marks the side where an item is absent with its own `NotPresent` object.
    return None if type(value).__name__ == "NotPresent" else value


def _shown(value: object) -> str:
    return "absent" if value is None else repr(value)
