"""The example GitHub workflows, run as a runner runs them, against a real Kafka cluster.

A spec repository in a temp git repository; its pull request is planned by kadmin-plan.yml
(the comment must name every change, the delete included), merged by a merge commit, a
squash (branch deleted) or a rebase, and applied by kadmin-apply.yml (the reviewed plan,
or a stop with a reason); kadmin-drift.yml opens one issue for a hand-made change and
closes it when the change is gone. Only GitHub is a stand-in (`gh`, recording); kadmin,
git, bash, jq and Kafka are real.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from confluent_kafka.admin import AlterConfigOpType, ConfigEntry, ConfigResource

from .conftest import KafkaHandle, Namespace, run_kadmin
from .workflow_runner import FakeGitHub, JobResult, Runner, write_standins

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / ".github" / "examples"
PULL = 7


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    environment = {**os.environ, **env} if env else None
    done = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, timeout=60, check=True, env=environment
    )
    return done.stdout.strip()


def kadmin_commit() -> str:
    """The commit the workflows pin: this checkout's, as a user pins the kadmin they reviewed."""
    return git(ROOT, "rev-parse", "HEAD")


@dataclass
class SpecRepo:
    """A spec repository: a git work tree, its fake GitHub, and the runner for its workflows."""

    path: Path
    ns: Namespace
    runner: Runner
    github: FakeGitHub

    def write(self, topics: dict[str, tuple[int, str]], name: str = "topics.yaml") -> None:
        lines = ["version: 1", "topics:"]
        for topic, (partitions, retention) in sorted(topics.items()):
            lines += [
                f"  {self.ns.topic(topic)}:",
                f"    partitions: {partitions}",
                "    replication_factor: 1",
                "    configs:",
                f"      retention.ms: {retention}",
            ]
        (self.path / "specs" / name).write_text("\n".join(lines) + "\n")

    def commit(self, message: str) -> str:
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "-m", message)
        return git(self.path, "rev-parse", "HEAD")

    def plan_pull_request(self) -> JobResult:
        return plan_pull_request(self.path, self.runner, EXAMPLES / "kadmin-plan.yml")

    def apply_main(self) -> JobResult:
        return push_to_main(self.path, self.runner, EXAMPLES / "kadmin-apply.yml")

    def drift(self) -> JobResult:
        git(self.path, "checkout", "-q", "main")
        sha = git(self.path, "rev-parse", "HEAD")
        try:
            return self.runner.run(EXAMPLES / "kadmin-drift.yml", "schedule", {"schedule": "17 6 * * *"}, sha)
        finally:
            clean(self.path)


def plan_pull_request(repo: Path, runner: Runner, workflow: Path) -> JobResult:
    """`workflow` on the pull request, checked out as GitHub does: main merged with the branch."""
    head = git(repo, "rev-parse", "feature")
    git(repo, "checkout", "-q", "--detach", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge feature into main", "feature")
    payload = {"number": PULL, "pull_request": {"number": PULL, "head": {"sha": head, "ref": "feature"}}}
    try:
        return runner.run(workflow, "pull_request", payload, head)
    finally:
        clean(repo)
        git(repo, "checkout", "-q", "main")


def push_to_main(repo: Path, runner: Runner, workflow: Path, job: str | None = None) -> JobResult:
    """`workflow` (its one job, or `job`) on the push of main's head."""
    git(repo, "checkout", "-q", "main")
    sha = git(repo, "rev-parse", "HEAD")
    payload = {"ref": "refs/heads/main", "after": sha}
    try:
        return runner.run(workflow, "push", payload, sha, job)
    finally:
        clean(repo)


def clean(repo: Path) -> None:
    """A fresh runner per job: nothing a job wrote survives into the next one."""
    git(repo, "reset", "-q", "--hard")
    git(repo, "clean", "-q", "-fdx")


def spec_repo(tmp_path: Path, ns: Namespace, kafka: KafkaHandle, allow_delete: bool) -> SpecRepo:
    path = tmp_path / "specs-repo"
    (path / "specs").mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "ci@example.com")
    git(path, "config", "user.name", "CI")
    (path / "specs" / "cluster.yaml").write_text(
        f"version: 1\ncluster:\n  name: test\n  manage: ['{re.escape(ns.prefix)}\\..*']\n"
    )
    github = FakeGitHub(tmp_path / "github")
    write_standins(tmp_path / "bin")
    runner = Runner(
        workdir=path,
        github=github,
        secrets={"KADMIN_BOOTSTRAP_SERVER": kafka.bootstrap},
        variables={
            "KADMIN_REPOSITORY": f"file://{ROOT}",
            "KADMIN_ALLOW_DELETE": "true" if allow_delete else "",
        },
        env_overrides={"KADMIN_COMMIT": kadmin_commit()},
        bin_dir=tmp_path / "bin",
    )
    repo = SpecRepo(path, ns, runner, github)
    # The cluster as the last applied merge left it: a and b.
    repo.write({"a": (2, "1d"), "b": (1, "1d")})
    repo.commit("specs: a and b")
    applied = run_kadmin(
        "apply", "specs/", "--auto-approve", env={"KADMIN_BOOTSTRAP_SERVER": kafka.bootstrap}, cwd=path
    )
    assert applied.code == 0, applied.stderr
    producer = kafka.producer()
    for n in range(3):
        producer.produce(ns.topic("b"), value=f"m{n}".encode())
    assert producer.flush(30) == 0
    # The pull request: add c, change a, remove b (in two commits, so a rebase rewrites both).
    git(path, "checkout", "-q", "-b", "feature")
    repo.write({"a": (2, "1d"), "b": (1, "1d"), "c": (1, "1d")})
    repo.commit("specs: add c")
    repo.write({"a": (2, "2d"), "c": (1, "1d")})
    repo.commit("specs: a keeps two days; b goes")
    git(path, "checkout", "-q", "main")
    return repo


@pytest.fixture
def repo(tmp_path: Path, ns: Namespace, kafka_single: KafkaHandle) -> Iterator[SpecRepo]:
    yield spec_repo(tmp_path, ns, kafka_single, allow_delete=True)


def topics(kafka: KafkaHandle, ns: Namespace) -> dict[str, dict[str, str]]:
    state = kafka.admin().snapshot()
    return {
        name.removeprefix(ns.prefix + "."): dict(topic.overrides)
        for name, topic in state.topics.items()
        if name.startswith(ns.prefix + ".")
    }


def plan_comment(repo: SpecRepo) -> str:
    comments = [c for c in repo.github.comments if c["issue"] == PULL]
    assert len(comments) == 1, comments
    body: str = comments[0]["body"]
    assert body.startswith("<!-- kadmin-plan -->\n## kadmin plan")
    return body


# --- pull request ------------------------------------------------------------------------


@pytest.mark.parametrize("allow_delete", [True, False], ids=["deletes-enabled", "deletes-not-enabled"])
def test_the_pull_request_comment_names_every_change_including_the_delete(
    tmp_path: Path, ns: Namespace, kafka_single: KafkaHandle, allow_delete: bool
) -> None:
    repo = spec_repo(tmp_path, ns, kafka_single, allow_delete)
    job = repo.plan_pull_request()
    assert job.ok, job.log
    body = plan_comment(repo)
    a, b, c = ns.topic("a"), ns.topic("b"), ns.topic("c")
    lines = body.splitlines()
    assert any(line.startswith(f"~ topic {a}") for line in lines), body
    assert any("retention.ms: 1d → 2d (86400000 → 172800000)" in line for line in lines), body
    assert any(line.startswith(f"+ topic {c}: 1 partition, RF 1") for line in lines), body
    # The delete has its own section, with the partition count and whether the topic holds data.
    heading = "#### `-` Will delete (`--allow-delete`)" if allow_delete else "#### Would delete, not enabled"
    (at,) = [i for i, line in enumerate(lines) if line.startswith(heading)]
    assert lines[at + 2] == f"- topic `{b}`: 1 partition, holds data (3 messages written)", body
    assert "Changes to apply on merge." in body
    assert "kadmin plan" in job.summary or c in job.summary
    # The install step installs our distribution from the pinned commit, nothing else.
    pip_log = (repo.github.root / "pip.log").read_text()
    assert pip_log.strip() == f"pip install kafka-kadmin @ git+file://{ROOT}@{kadmin_commit()}"

    # Another push: the same comment is updated, not a second one added.
    git(repo.path, "checkout", "-q", "feature")
    repo.write({"a": (2, "3d"), "c": (1, "1d")})
    repo.commit("specs: three days")
    git(repo.path, "checkout", "-q", "main")
    assert repo.plan_pull_request().ok
    assert "retention.ms: 1d → 3d (86400000 → 259200000)" in plan_comment(repo)
    assert topics(kafka_single, ns).keys() == {"a", "b"}  # planning changed nothing


# --- merge --------------------------------------------------------------------------------


def merge(repo: SpecRepo, style: str) -> None:
    path = repo.path
    git(path, "checkout", "-q", "main")
    if style == "merge-commit":
        git(path, "merge", "-q", "--no-ff", "-m", "Merge pull request #7", "feature")
    elif style == "squash":
        git(path, "merge", "-q", "--squash", "feature")
        git(path, "commit", "-q", "-m", "Specs: add c, change a, remove b (#7)")
        git(path, "branch", "-q", "-D", "feature")
    else:  # rebase: the branch's commits re-created on main, new ids, branch deleted
        branch = git(path, "rev-list", "--reverse", "main..feature").split()
        for commit in branch:
            # GitHub commits as itself: new commit ids even within the same second.
            git(path, "cherry-pick", commit, env={"GIT_COMMITTER_NAME": "GitHub"})
        git(path, "branch", "-q", "-D", "feature")
        assert not set(branch) & set(git(path, "rev-list", "main").split())


@pytest.mark.parametrize("style", ["merge-commit", "squash", "rebase"])
def test_the_merge_applies_the_reviewed_plan_whatever_the_merge_style(
    repo: SpecRepo, ns: Namespace, kafka_single: KafkaHandle, style: str
) -> None:
    planned = repo.plan_pull_request()
    assert planned.ok, planned.log
    merge(repo, style)
    applied = repo.apply_main()
    assert applied.ok, applied.log
    assert "Applying the plan reviewed in run" in applied.step("Find the plan reviewed for these specs").log
    assert applied.step("Plan main (started by hand)").outcome == "skipped"
    after = topics(kafka_single, ns)
    assert after.keys() == {"a", "c"}
    assert after["a"]["retention.ms"] == "172800000"
    assert "kadmin apply" in applied.summary
    drift = repo.drift()
    assert drift.ok, drift.log
    assert repo.github.issues == []


def test_apply_stops_when_main_holds_other_specs_than_the_reviewed_ones(
    repo: SpecRepo, ns: Namespace, kafka_single: KafkaHandle
) -> None:
    assert repo.plan_pull_request().ok
    # Another pull request lands first; then this one merges on top of it, unplanned together.
    repo.write({"d": (1, "1d")}, name="more.yaml")
    repo.commit("specs: d")
    merge(repo, "merge-commit")
    applied = repo.apply_main()
    assert not applied.ok
    find = applied.step("Find the plan reviewed for these specs")
    assert find.outcome == "failure"
    assert "No reviewed plan for the specs now on main" in find.log
    assert "Nothing was applied" in applied.summary
    assert applied.step("Apply").outcome == "skipped"
    assert topics(kafka_single, ns).keys() == {"a", "b"}


def test_a_plan_file_of_other_specs_is_refused_by_apply_itself(
    repo: SpecRepo, kafka_single: KafkaHandle
) -> None:
    assert repo.plan_pull_request().ok
    (artifact,) = [a for a in repo.github.load()["artifacts"] if a["name"].startswith("kadmin-plan-")]
    plan_file = repo.github.uploaded(artifact["workflow_run"]["id"], artifact["name"]) / "plan.json"
    # main still holds the old specs: the reviewed plan is not theirs.
    result = run_kadmin(
        "apply",
        str(plan_file),
        "--specs",
        "specs/",
        "--auto-approve",
        env={"KADMIN_BOOTSTRAP_SERVER": kafka_single.bootstrap},
        cwd=repo.path,
    )
    assert result.code == 1
    assert "the plan was computed from other spec files" in result.stderr


# --- drift --------------------------------------------------------------------------------


def set_config(kafka: KafkaHandle, topic: str, key: str, value: str | None) -> None:
    operation = AlterConfigOpType.SET if value is not None else AlterConfigOpType.DELETE
    resource = ConfigResource(
        ConfigResource.Type.TOPIC,
        topic,
        incremental_configs=[ConfigEntry(key, value, incremental_operation=operation)],
    )
    raw = kafka.raw_admin()  # referenced until its futures are done
    for future in raw.incremental_alter_configs([resource]).values():
        future.result(timeout=30)


def test_drift_opens_one_issue_for_a_hand_made_change_and_closes_it_when_gone(
    repo: SpecRepo, ns: Namespace, kafka_single: KafkaHandle
) -> None:
    quiet = repo.drift()
    assert quiet.ok, quiet.log
    assert repo.github.issues == []

    set_config(kafka_single, ns.topic("a"), "segment.ms", "3600000")
    found = repo.drift()
    assert found.ok, found.log
    (issue,) = repo.github.issues
    assert issue["state"] == "open" and issue["labels"] == ["kadmin-drift"]
    assert issue["body"].startswith("<!-- kadmin-drift -->")
    assert f"topic {ns.topic('a')}: segment.ms=3600000 set on the cluster, not in the spec" in issue["body"]

    again = repo.drift()
    assert again.ok
    assert len(repo.github.issues) == 1  # updated, not a second issue

    set_config(kafka_single, ns.topic("a"), "segment.ms", None)
    gone = repo.drift()
    assert gone.ok, gone.log
    (issue,) = repo.github.issues
    assert issue["state"] == "closed"
    closing = [c for c in repo.github.comments if c["issue"] == issue["number"]]
    assert [c["body"].split(" ([run]")[0] for c in closing] == ["The cluster matches the specs again"]
