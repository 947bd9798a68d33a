"""The GitHub workflows: the project's own CI and the examples for a repository of specs.

actionlint (pinned in the Makefile, built by `make test` into the virtualenv) lints
them all; the examples are also checked for what docs/gitops.md promises, and every
kadmin command line in them is checked against the real command-line interface.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
EXAMPLES = sorted((ROOT / ".github" / "examples").glob("*.yml"))
ONE_CLUSTER = [p for p in EXAMPLES if not p.stem.endswith("-envs")]
ENVIRONMENTS = [p for p in EXAMPLES if p.stem.endswith("-envs")]


def actionlint() -> str:
    """The actionlint binary: the virtualenv's first (where the Makefile installs it), then PATH."""
    beside_python = Path(sys.executable).parent / "actionlint"
    found = str(beside_python) if beside_python.exists() else shutil.which("actionlint")
    assert found, (
        "actionlint is not installed: run `make test` (or `make unit`), which builds it with "
        "`go install github.com/rhysd/actionlint/cmd/actionlint@<version in the Makefile>`"
    )
    return found


def lint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [actionlint(), "-no-color", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load(path: Path) -> dict[Any, Any]:
    document: dict[Any, Any] = yaml.safe_load(path.read_text())
    return document


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as the boolean True.
    on: dict[str, Any] = workflow.get("on") or workflow[True]
    return on


def run_scripts(workflow: dict[Any, Any]) -> str:
    return "\n".join(step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"])


def step_using(steps: list[dict[str, Any]], action: str) -> dict[str, Any]:
    found = [s for s in steps if s.get("uses", "").startswith(action)]
    assert len(found) == 1, (action, found)
    return found[0]


def test_there_are_workflows_and_examples() -> None:
    assert [p.name for p in WORKFLOWS] == ["ci.yml"]
    assert [p.name for p in EXAMPLES] == [
        "kadmin-apply-envs.yml",
        "kadmin-apply.yml",
        "kadmin-drift.yml",
        "kadmin-plan-envs.yml",
        "kadmin-plan.yml",
    ]


@pytest.mark.parametrize("path", WORKFLOWS + EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_actionlint_passes(path: Path) -> None:
    result = lint(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_is_the_pinned_version_and_finds_mistakes(tmp_path: Path) -> None:
    pinned = re.search(r"^ACTIONLINT_VERSION\s*=\s*(\S+)", (ROOT / "Makefile").read_text(), re.M)
    assert pinned
    version = subprocess.run([actionlint(), "-version"], capture_output=True, text=True, check=True)
    assert version.stdout.splitlines()[0] == pinned.group(1)
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ steps.nope.outputs.x }}\n      - uses: actions/checkout@v4\n        with: 3\n"
    )
    result = lint(broken)
    assert result.returncode == 1
    assert "broken.yml" in result.stdout


def test_the_plan_example_comments_once_and_keeps_the_plan_under_its_spec_hash() -> None:
    path = ROOT / ".github/examples/kadmin-plan.yml"
    workflow = load(path)
    assert "pull_request" in triggers(workflow)
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write", "issues": "write"}
    assert workflow["env"]["KADMIN_ALLOW_DELETE"] == "${{ vars.KADMIN_ALLOW_DELETE }}"
    steps = workflow["jobs"]["plan"]["steps"]
    upload = step_using(steps, "actions/upload-artifact@")
    assert (upload["with"]["name"], upload["with"]["path"]) == (
        "${{ steps.plan.outputs.artifact }}",
        "plan.json",
    )
    commands = run_scripts(workflow)
    # One comment per pull request: found again by its hidden marker and updated, else created.
    assert "<!-- kadmin-plan -->" in commands
    assert commands.index("--method PATCH") < commands.index("--method POST")
    assert "kadmin validate specs/" in commands
    assert "-o markdown --out plan.json" in commands
    assert '"${deletes[@]}"' in commands and "(--allow-delete)" in commands
    assert "kadmin-plan-$(jq -r '.spec_hash" in commands


def test_the_apply_example_applies_the_plan_reviewed_for_the_merged_specs() -> None:
    workflow = load(ROOT / ".github/examples/kadmin-apply.yml")
    assert triggers(workflow)["push"]["branches"] == ["main"]
    assert workflow["concurrency"]["cancel-in-progress"] is False
    steps = workflow["jobs"]["apply"]["steps"]
    backups = step_using(steps, "actions/upload-artifact@")
    assert backups["with"]["path"] == "kadmin-backups/"
    assert backups["if"] == "always()"
    commands = run_scripts(workflow)
    # Matched by content, not by git history: the artifact is named after the specs' hash.
    assert "kadmin validate specs/ --hash" in commands
    assert "git diff" not in commands and "git log" not in commands
    assert "kadmin apply plan.json --specs specs/ --auto-approve" in commands
    assert "kadmin plan specs/ --out plan.json" in commands  # only when started by hand


def test_the_environments_plan_example_plans_them_all_in_one_comment() -> None:
    workflow = load(ROOT / ".github/examples/kadmin-plan-envs.yml")
    assert "pull_request" in triggers(workflow)
    commands = run_scripts(workflow)
    assert "kadmin plan specs/ --all-envs -o markdown --out plan.json --detailed-exitcode" in commands
    assert "<!-- kadmin-plan-envs -->" in commands
    assert commands.index("--method PATCH") < commands.index("--method POST")
    steps = workflow["jobs"]["plan"]["steps"]
    assert step_using(steps, "actions/upload-artifact@")["with"]["path"] == "plan.json"


def test_the_environments_apply_example_applies_dev_then_prod_behind_its_reviewers() -> None:
    workflow = load(ROOT / ".github/examples/kadmin-apply-envs.yml")
    assert triggers(workflow)["push"]["branches"] == ["main"]
    assert workflow["concurrency"]["cancel-in-progress"] is False
    dev, prod = workflow["jobs"]["apply-dev"], workflow["jobs"]["apply-prod"]
    assert prod["needs"] == "apply-dev" and prod["environment"] == "production"
    for env, job in (("dev", dev), ("prod", prod)):
        commands = run_scripts({"jobs": {"one": job}})
        assert f"kadmin apply plan.json --env {env} --specs specs/ --auto-approve" in commands
        assert f"kadmin plan specs/ --env {env} --out plan.json" in commands  # only when started by hand
        assert "kadmin validate specs/ --hash" in commands
        assert step_using(job["steps"], "actions/upload-artifact@")["with"]["name"].startswith(
            f"kadmin-backups-{env}-"
        )


def test_the_drift_example_runs_kadmin_drift_on_a_schedule() -> None:
    workflow = load(ROOT / ".github/examples/kadmin-drift.yml")
    assert "schedule" in triggers(workflow)
    assert "kadmin drift specs/ --detailed-exitcode -o markdown" in run_scripts(workflow)
    assert workflow["permissions"]["issues"] == "write"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_github_is_reached_through_gh_only(path: Path) -> None:
    workflow = load(path)
    uses = {
        step["uses"].split("@")[0]
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "uses" in step
    }
    assert uses <= {"actions/checkout", "actions/setup-python", "actions/upload-artifact"}
    assert "curl" not in run_scripts(workflow)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_credentials_come_from_secrets_and_are_never_echoed(path: Path) -> None:
    text = path.read_text()
    for job in load(path)["jobs"].values():
        env = job["env"]
        if path in ONE_CLUSTER:
            assert env["KADMIN_BOOTSTRAP_SERVER"] == "${{ secrets.KADMIN_BOOTSTRAP_SERVER }}"
            assert env["KADMIN_SASL_PASSWORD"] == "${{ secrets.KADMIN_SASL_PASSWORD }}"
            assert env["KADMIN_SASL_USERNAME"] == "${{ secrets.KADMIN_SASL_USERNAME }}"
        else:
            # Each environment's cluster comes from the spec; -b would be refused with several.
            assert "KADMIN_BOOTSTRAP_SERVER" not in env
            assert {k.split("_")[1] for k in env} <= {"DEV", "PROD"}, env
    # Secrets reach kadmin through the environment only, never through a command line or a log.
    for line in text.splitlines():
        if "secrets." in line:
            assert re.match(r"\s+KADMIN_[A-Z_]+: \$\{\{ secrets\.KADMIN_[A-Z_]+ \}\}$", line), line


def kadmin_invocations(path: Path) -> list[list[str]]:
    found = []
    # Continued lines are one command; `$(kadmin ...)` is a command too.
    text = run_scripts(load(path)).replace("\\\n", " ").replace("$(", "$( ")
    for script in text.splitlines():
        words = [w.removesuffix(")") for w in shlex.split(script, comments=True)]
        while "kadmin" in words:
            words = words[words.index("kadmin") :]
            end = next((i for i, w in enumerate(words) if w in ("|", ">", "2>", "&&", ";")), len(words))
            found.append(words[1:end])
            words = words[end:]
    return found


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_kadmin_command_line_in_the_examples_exists(path: Path) -> None:
    from kadmin.cli.app import app

    invocations = kadmin_invocations(path)
    assert invocations
    for words in invocations:
        command = [w for w in words if not w.startswith("-") and "/" not in w and not w.endswith(".json")]
        options = [w.split("=")[0] for w in words if w.startswith("-")]
        shown = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
        assert shown.exit_code == 0, (words, shown.output)
        for option in options:
            assert re.search(rf"(^|[\s,]){re.escape(option)}[\s,]", shown.output), (words, option)


def test_the_gitops_guide_links_and_variables_are_real() -> None:
    from kadmin.cli.connection import ENV_PROPERTIES, env_name

    guide = ROOT / "docs" / "gitops.md"
    text = guide.read_text()
    for target in re.findall(r"\]\((\.\.?/[^)#]+)", text):
        assert (guide.parent / target).resolve().exists(), target
    documented = set(re.findall(r"`(KADMIN_[A-Z_]+)`", text))
    # Every variable the connection reads is documented, and every documented one exists.
    assert {env_name(p) for p in ENV_PROPERTIES} <= documented
    known = {env_name(p) for p in ENV_PROPERTIES} | {
        "KADMIN_BOOTSTRAP_SERVER",
        "KADMIN_COMMAND_CONFIG",
        "KADMIN_LOCAL_SASL_PASSWORD",
        "KADMIN_REPOSITORY",
        "KADMIN_COMMIT",
        "KADMIN_ALLOW_DELETE",
        # Per environment (`variables: KADMIN_PROD_`), as the environments' examples name them.
        *(f"KADMIN_{env}_" for env in ("DEV", "PROD")),
        *(env_name(p, f"KADMIN_{env}_") for env in ("DEV", "PROD") for p in ENV_PROPERTIES),
    }
    assert documented <= known, documented - known


def test_the_distribution_is_ours_and_nothing_installs_kadmin_by_another_projects_name() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "kafka-kadmin"
    assert project["scripts"] == {"kadmin": "kadmin.cli:main"}
    # `kadmin` on PyPI is an unrelated project: every install names our distribution and a source.
    texts = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *EXAMPLES, *WORKFLOWS]
    installs = [
        (path.name, line.strip())
        for path in texts
        for line in path.read_text().splitlines()
        if re.search(r"\bpip install\b", line)
    ]
    assert installs
    for name, line in installs:
        words = shlex.split(line.split("pip install", 1)[1], comments=True)
        requirements = [w for w in words if not w.startswith("-")]
        for requirement in requirements:
            ours = requirement in (".", ".[dev]") or requirement.startswith("kafka-kadmin @ git+")
            assert ours, (name, line)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_examples_install_one_pinned_commit(path: Path) -> None:
    workflow = load(path)
    assert workflow["env"]["KADMIN_REPOSITORY"] == "${{ vars.KADMIN_REPOSITORY }}"
    assert re.fullmatch(r"[0-9a-f]{40}", workflow["env"]["KADMIN_COMMIT"])
    install = run_scripts(workflow)
    assert 'pip install "kafka-kadmin @ git+${KADMIN_REPOSITORY}@${KADMIN_COMMIT}"' in install
