"""The example workflows for a spec repository with environments, run as a runner runs them,
against two real Kafka clusters (dev and prod, `kafka_envs`): a pull request is planned for both
in one comment, its merge is applied to dev and then to prod, each job its own environment's
part of the reviewed plan; a cluster that is down fails the plan without hiding the other.
"""

from __future__ import annotations

import re
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import KafkaHandle, Namespace, run_kadmin
from .test_gitops_workflows import PULL, ROOT, git, kadmin_commit, plan_pull_request, push_to_main
from .workflow_runner import FakeGitHub, JobResult, Runner, write_standins

EXAMPLES = ROOT / ".github" / "examples"


class EnvRepo:
    """A spec repository with environments dev and prod, its fake GitHub and its runner."""

    def __init__(self, tmp_path: Path, dev: KafkaHandle, prod: KafkaHandle, prefix: str) -> None:
        self.path = tmp_path / "specs-repo"
        self.prefix = prefix
        (self.path / "specs").mkdir(parents=True)
        git(self.path, "init", "-q", "-b", "main")
        git(self.path, "config", "user.email", "ci@example.com")
        git(self.path, "config", "user.name", "CI")
        self.github = FakeGitHub(tmp_path / "github")
        write_standins(tmp_path / "bin")
        self.runner = Runner(
            workdir=self.path,
            github=self.github,
            secrets={},  # unauthenticated clusters: the per-environment credentials stay unset
            variables={"KADMIN_REPOSITORY": f"file://{ROOT}", "KADMIN_ALLOW_DELETE": ""},
            env_overrides={"KADMIN_COMMIT": kadmin_commit()},
            bin_dir=tmp_path / "bin",
        )
        self.dev, self.prod = dev, prod

    def topic(self, name: str) -> str:
        return f"{self.prefix}.{name}"

    def write_environments(self, *, with_c: bool, prod_bootstrap: str | None = None) -> None:
        blocks = []
        for env, kafka, bootstrap in (
            ("dev", self.dev, self.dev.bootstrap),
            ("prod", self.prod, prod_bootstrap or self.prod.bootstrap),
        ):
            blocks.append(
                f"  {env}:\n"
                f"    bootstrap: {bootstrap}\n"
                f"    id: {kafka.admin().snapshot(()).cluster_id}\n"
                f"    manage: ['{re.escape(self.prefix)}\\..*']\n"
                f"    variables: KADMIN_{env.upper()}_\n"
            )
        overrides = f"    overrides:\n      topics:\n        {self.topic('c')}:\n          partitions: 2\n"
        if not with_c:
            overrides = ""
        (self.path / "specs" / "environments.yaml").write_text(
            "version: 1\nenvironments:\n" + blocks[0] + blocks[1] + overrides
        )

    def write_topics(self, *names: str) -> None:
        lines = ["version: 1", "topics:"]
        for name in names:
            lines += [f"  {self.topic(name)}:", "    partitions: 1", "    replication_factor: 1"]
        (self.path / "specs" / "topics.yaml").write_text("\n".join(lines) + "\n")

    def commit(self, message: str) -> None:
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "-m", message)

    def plan_pull_request(self) -> JobResult:
        return plan_pull_request(self.path, self.runner, EXAMPLES / "kadmin-plan-envs.yml")

    def apply_main(self, job: str) -> JobResult:
        return push_to_main(self.path, self.runner, EXAMPLES / "kadmin-apply-envs.yml", job)

    def comment(self) -> str:
        comments = [c for c in self.github.comments if c["issue"] == PULL]
        assert len(comments) == 1, comments
        body: str = comments[0]["body"]
        assert body.startswith("<!-- kadmin-plan-envs -->\n## kadmin plan of every environment")
        return body

    def partitions(self, kafka: KafkaHandle, name: str) -> int | None:
        found = kafka.admin().snapshot([self.topic(name)]).topics.get(self.topic(name))
        return None if found is None else len(found.partitions)


@pytest.fixture
def repo(tmp_path: Path, kafka_envs: tuple[KafkaHandle, KafkaHandle]) -> Iterator[EnvRepo]:
    dev, prod = kafka_envs
    prefix = f"gitops.{secrets.token_hex(4)}"
    found = EnvRepo(tmp_path, dev, prod, prefix)
    found.write_environments(with_c=False)
    found.write_topics("a")
    found.commit("specs: a, in dev and prod")
    applied = run_kadmin("apply", "specs/", "--all-envs", "--auto-approve", cwd=found.path)
    assert applied.code == 0, applied.stdout + applied.stderr
    git(found.path, "checkout", "-q", "-b", "feature")
    found.write_environments(with_c=True)
    found.write_topics("a", "c")
    found.commit("specs: add c (two partitions in prod)")
    git(found.path, "checkout", "-q", "main")
    try:
        yield found
    finally:
        for kafka in kafka_envs:
            Namespace(kafka, prefix).cleanup()


def test_both_environments_are_planned_in_one_comment_and_applied_in_turn(repo: EnvRepo) -> None:
    job = repo.plan_pull_request()
    assert job.ok, job.log
    body = repo.comment()
    assert "| dev | " in body and "| prod | " in body
    assert body.index("## Environment dev") < body.index("## Environment prod")
    assert f"+ topic {repo.topic('c')}: 1 partition" in body
    assert f"+ topic {repo.topic('c')}: 2 partitions" in body
    assert "Changes to apply on merge, one environment after another." in body

    git(repo.path, "merge", "-q", "--no-ff", "-m", "Merge pull request #7", "feature")
    dev = repo.apply_main("apply-dev")
    assert dev.ok, dev.log
    assert repo.partitions(repo.dev, "c") == 1
    assert repo.partitions(repo.prod, "c") is None  # prod waits for its own job (and its reviewers)
    prod = repo.apply_main("apply-prod")
    assert prod.ok, prod.log
    assert repo.partitions(repo.prod, "c") == 2

    again = run_kadmin("plan", "specs/", "--all-envs", "--detailed-exitcode", cwd=repo.path)
    assert again.code == 0, again.stdout + again.stderr


def test_a_cluster_that_is_down_fails_the_plan_and_the_other_is_still_in_the_comment(repo: EnvRepo) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{s.getsockname()[1]}"
    git(repo.path, "checkout", "-q", "feature")
    repo.write_environments(with_c=True, prod_bootstrap=closed)
    repo.commit("specs: prod moved")
    git(repo.path, "checkout", "-q", "main")

    job = repo.plan_pull_request()

    assert not job.ok
    body = repo.comment()
    assert "**Plan failed.**" in body
    assert f"+ topic {repo.topic('c')}: 1 partition" in body  # dev was planned
    assert "| prod | — | failed | | | |" in body
    assert not (repo.github.root / "artifacts").exists() or not any(
        (repo.github.root / "artifacts").iterdir()
    )
