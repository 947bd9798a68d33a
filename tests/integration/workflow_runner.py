"""Runs a GitHub Actions workflow's job the way a runner does, on this machine.

The job's `run:` steps are executed in order with bash (`bash -e`, GitHub's default on
Linux), in a work tree, with the `GITHUB_*` variables and the files a runner provides:
the event payload, `GITHUB_OUTPUT` per step, `GITHUB_STEP_SUMMARY`. `${{ }}` expressions
in `env:`, `if:` and `with:` are evaluated for the subset the example workflows use.
`uses:` steps are emulated minimally: checkout and setup-python do nothing (the harness
prepares the work tree, and kadmin is on PATH), upload-artifact stores files in the
fake GitHub's artifact store. GitHub's API is reached only through `gh`, which is the
recording stand-in in `github_standin.py`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

STANDIN = Path(__file__).with_name("github_standin.py")
REPOSITORY = "acme/kafka-specs"
SERVER = "https://github.example"

_TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|(==|!=|&&|\|\||!|\(|\))|([A-Za-z_][\w.\-]*(?:\(\))?))")


@dataclass
class StepResult:
    name: str
    outcome: str  # success, failure, skipped
    outputs: dict[str, str]
    log: str


@dataclass
class JobResult:
    steps: list[StepResult]
    summary: str

    @property
    def ok(self) -> bool:
        return all(s.outcome != "failure" for s in self.steps)

    @property
    def log(self) -> str:
        return "\n".join(f"--- {s.name} [{s.outcome}]\n{s.log}" for s in self.steps)

    def step(self, name: str) -> StepResult:
        return next(s for s in self.steps if s.name == name)


@dataclass
class FakeGitHub:
    """The fake GitHub behind the `gh` stand-in: a JSON state file and a directory of artifacts."""

    root: Path
    state_file: Path = field(init=False)
    artifacts: Path = field(init=False)

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.state_file = self.root / "state.json"
        self.artifacts = self.root / "artifacts"
        self.artifacts.mkdir(exist_ok=True)
        if not self.state_file.exists():
            self.save({"next_id": 100, "comments": [], "issues": [], "artifacts": [], "calls": []})

    def load(self) -> dict[str, Any]:
        state: dict[str, Any] = json.loads(self.state_file.read_text())
        return state

    def save(self, state: Mapping[str, Any]) -> None:
        self.state_file.write_text(json.dumps(state, indent=1))

    def upload(self, name: str, run_id: int, files: list[Path], base: Path) -> None:
        """What actions/upload-artifact does: store the files under `name` for run `run_id`."""
        target = self.artifacts / str(run_id) / name
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for file in files:
            relative = file.relative_to(base)
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(file, target / relative)
        state = self.load()
        state["next_id"] += 1
        state["artifacts"].append(
            {
                "id": state["next_id"],
                "name": name,
                "expired": False,
                "created_at": f"2026-01-01T00:00:{len(state['artifacts']):02d}Z",
                "workflow_run": {"id": run_id},
            }
        )
        self.save(state)

    def uploaded(self, run_id: int, name: str) -> Path:
        return self.artifacts / str(run_id) / name

    @property
    def comments(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.load()["comments"]
        return found

    @property
    def issues(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.load()["issues"]
        return found

    @property
    def calls(self) -> list[list[str]]:
        found: list[list[str]] = self.load()["calls"]
        return found


class Expressions:
    """Evaluates `${{ }}` expressions: contexts, string literals, ==, !=, &&, ||, !, status functions."""

    def __init__(self, contexts: Mapping[str, Any], job_ok: bool = True) -> None:
        self.contexts = contexts
        self.job_ok = job_ok

    def value(self, path: str) -> Any:
        node: Any = self.contexts
        for part in path.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return ""
            node = node[part]
        return node

    def evaluate(self, text: str) -> Any:
        tokens = _tokens(text)
        code: list[str] = []
        for literal, operator, name in tokens:
            if literal:
                code.append(repr(literal[1:-1].replace("''", "'")))
            elif operator:
                code.append({"&&": " and ", "||": " or ", "!": " not "}.get(operator, f" {operator} "))
            elif name in ("always()", "success()", "failure()", "cancelled()"):
                code.append(
                    repr(
                        {"always()": True, "success()": self.job_ok, "failure()": not self.job_ok}.get(
                            name, False
                        )
                    )
                )
            elif name in ("true", "false"):
                code.append(repr(name == "true"))
            else:
                code.append(repr(self.value(name)))
        # Every name became a repr()-ed value above: only literals and operators reach eval.
        return eval("".join(code), {"__builtins__": {}})

    def condition(self, text: str | bool | None) -> bool:
        if text is None:
            return self.job_ok
        source = str(text).strip()
        source = source[3:-2].strip() if source.startswith("${{") else source
        result = bool(self.evaluate(source))
        # A condition without a status function means `success() && (...)`, as on GitHub.
        if not re.search(r"\b(always|failure|cancelled|success)\(\)", source):
            result = result and self.job_ok
        return result

    def interpolate(self, text: Any) -> str:
        if isinstance(text, bool):
            return str(text).lower()
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: _as_text(self.evaluate(m.group(1))), str(text))


def _tokens(text: str) -> list[tuple[str, str, str]]:
    found = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        assert match and match.end() > position, f"cannot read expression {text!r} at {position}"
        found.append((match.group(1) or "", match.group(2) or "", match.group(3) or ""))
        position = match.end()
    return found


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None else str(value)


@dataclass
class Runner:
    """One repository checkout, its fake GitHub, and the settings every job gets."""

    workdir: Path
    github: FakeGitHub
    secrets: dict[str, str]
    variables: dict[str, str]
    env_overrides: dict[str, str]
    """Workflow-level env values the harness sets as a user would edit them (the pinned commit)."""
    bin_dir: Path
    run_counter: int = 1000

    def run(
        self,
        workflow_path: Path,
        event_name: str,
        payload: Mapping[str, Any],
        sha: str,
        job_name: str | None = None,
    ) -> JobResult:
        """Run the workflow's one job, or its job `job_name` (following `needs` is the caller's part)."""
        workflow = yaml.safe_load(workflow_path.read_text())
        if job_name is None:
            (job,) = workflow["jobs"].values()
        else:
            job = workflow["jobs"][job_name]
        self.run_counter += 1
        run_id = self.run_counter
        runner_temp = self.github.root / f"run-{run_id}"
        runner_temp.mkdir()
        event_file = runner_temp / "event.json"
        event_file.write_text(json.dumps(payload))
        summary = runner_temp / "summary.md"
        summary.touch()
        github = {
            "event_name": event_name,
            "event": payload,
            "repository": REPOSITORY,
            "server_url": SERVER,
            "run_id": str(run_id),
            "run_attempt": "1",
            "sha": sha,
            "token": "fake-token",
        }
        contexts: dict[str, Any] = {
            "github": github,
            "secrets": self.secrets,
            "vars": self.variables,
            "steps": {},
            "env": {},
        }
        expressions = Expressions(contexts)
        env: dict[str, str] = {
            "PATH": f"{self.bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
            "HOME": os.environ.get("HOME", str(runner_temp)),
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_file),
            "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_SERVER_URL": SERVER,
            "GITHUB_RUN_ID": str(run_id),
            "GITHUB_SHA": sha,
            "GITHUB_WORKSPACE": str(self.workdir),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(runner_temp),
            "FAKE_GITHUB_ROOT": str(self.github.root),
        }
        for scope in (workflow.get("env", {}), job.get("env", {})):
            for key, raw in scope.items():
                env[key] = self.env_overrides.get(key, expressions.interpolate(raw))
                contexts["env"][key] = env[key]
        results: list[StepResult] = []
        for index, step in enumerate(job["steps"]):
            name = step.get("name") or step.get("uses") or f"step {index}"
            expressions.job_ok = all(r.outcome != "failure" for r in results)
            if not expressions.condition(step.get("if")):
                results.append(StepResult(name, "skipped", {}, ""))
                self._record(contexts, step, "skipped", {})
                continue
            if "uses" in step:
                inputs = {k: expressions.interpolate(v) for k, v in step.get("with", {}).items()}
                outcome, log = self._uses(step["uses"], inputs, run_id)
                results.append(StepResult(name, outcome, {}, log))
                self._record(contexts, step, outcome, {})
                continue
            step_env = {**env, **{k: expressions.interpolate(v) for k, v in step.get("env", {}).items()}}
            output_file = runner_temp / f"output-{index}"
            output_file.touch()
            step_env["GITHUB_OUTPUT"] = str(output_file)
            script = runner_temp / f"step-{index}.sh"
            script.write_text(expressions.interpolate(step["run"]))
            done = subprocess.run(
                ["bash", "-e", str(script)],
                cwd=self.workdir,
                env=step_env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            outputs = _read_outputs(output_file)
            outcome = "success" if done.returncode == 0 else "failure"
            results.append(StepResult(name, outcome, outputs, done.stdout + done.stderr))
            self._record(contexts, step, outcome, outputs)
        return JobResult(results, summary.read_text())

    def _record(
        self, contexts: dict[str, Any], step: Mapping[str, Any], outcome: str, outputs: dict[str, str]
    ) -> None:
        if "id" in step:
            contexts["steps"][step["id"]] = {"outputs": outputs, "outcome": outcome, "conclusion": outcome}

    def _uses(self, action: str, inputs: Mapping[str, str], run_id: int) -> tuple[str, str]:
        name = action.split("@")[0]
        if name in ("actions/checkout", "actions/setup-python"):
            return "success", f"{name}: emulated (work tree and interpreter prepared by the harness)"
        if name == "actions/upload-artifact":
            path = self.workdir / inputs["path"]
            files = (
                [p for p in path.rglob("*") if p.is_file()]
                if path.is_dir()
                else [path]
                if path.exists()
                else []
            )
            if not files:
                missing = inputs.get("if-no-files-found", "warn")
                return ("failure" if missing == "error" else "success"), f"no files at {inputs['path']}"
            self.github.upload(inputs["name"], run_id, files, path if path.is_dir() else path.parent)
            return "success", f"uploaded {len(files)} file(s) as {inputs['name']}"
        return "failure", f"{action} is not emulated by the harness"


def _read_outputs(path: Path) -> dict[str, str]:
    outputs: dict[str, str] = {}
    lines = path.read_text().splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            outputs[key] = "\n".join(lines[index + 1 : end])
            index = end + 1
            continue
        key, _, value = line.partition("=")
        outputs[key] = value
        index += 1
    return outputs


def write_standins(bin_dir: Path) -> None:
    """`gh` (the fake GitHub) and `pip` (which checks the pinned requirement and installs nothing)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    gh = bin_dir / "gh"
    gh.write_text(f'#!/bin/sh\nexec {sys.executable} {STANDIN} "$@"\n')
    pip = bin_dir / "pip"
    pip.write_text(
        "#!/bin/sh\n"
        "# kadmin is already installed in the interpreter on PATH; record what would be installed.\n"
        'echo "pip $*" >> "$FAKE_GITHUB_ROOT/pip.log"\n'
    )
    for script in (gh, pip):
        script.chmod(0o755)
