"""A recording stand-in for the `gh` command line, the one way the example workflows reach GitHub.

It answers the calls those workflows make from a JSON state file (`$FAKE_GITHUB_ROOT/state.json`,
kept by `workflow_runner.FakeGitHub`) and records every call:

- `gh api [--method M] [--paginate] PATH [-f k=v] [-F k=v|k=@file] [--jq EXPR]` for
  issue comments, issues and artifacts;
- `gh run download RUN_ID --name NAME`: copies the stored artifact into the current directory.

`--jq` is applied with the real `jq`, as gh does (raw strings). An unknown call fails loudly.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(os.environ["FAKE_GITHUB_ROOT"])
STATE = ROOT / "state.json"


def main(argv: list[str]) -> int:
    state = json.loads(STATE.read_text())
    state["calls"].append(argv)
    try:
        if argv[:2] == ["run", "download"]:
            return _download(argv[2:])
        if argv[:1] == ["api"]:
            return _api(state, argv[1:])
        print(f"gh stand-in: unsupported call {argv}", file=sys.stderr)
        return 1
    finally:
        STATE.write_text(json.dumps(state, indent=1))


def _download(args: list[str]) -> int:
    run_id = args[0]
    name = args[args.index("--name") + 1]
    stored = ROOT / "artifacts" / run_id / name
    if not stored.is_dir():
        print(f"no artifact {name} in run {run_id}", file=sys.stderr)
        return 1
    shutil.copytree(stored, Path.cwd(), dirs_exist_ok=True)
    return 0


def _api(state: dict[str, Any], args: list[str]) -> int:
    method = "GET"
    jq = None
    fields: dict[str, Any] = {}
    path = ""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("--method", "-X"):
            method = args[index + 1]
            index += 2
        elif arg == "--jq":
            jq = args[index + 1]
            index += 2
        elif arg == "--paginate":
            index += 1
        elif arg in ("-f", "-F", "--field", "--raw-field"):
            key, _, value = args[index + 1].partition("=")
            if arg in ("-F", "--field") and value.startswith("@"):
                value = Path(value[1:]).read_text()
            if key.endswith("[]"):
                fields.setdefault(key[:-2], []).append(value)
            else:
                fields[key] = value
            index += 2
        else:
            path = arg
            index += 1
    if fields and method == "GET":
        method = "POST"  # as gh does when fields are given
    answer = _route(state, method, path, fields)
    text = json.dumps(answer)
    if jq is not None:
        done = subprocess.run(["jq", "-r", jq], input=text, capture_output=True, text=True, check=False)
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr)
        return done.returncode
    sys.stdout.write(text + "\n")
    return 0


def _route(state: dict[str, Any], method: str, path: str, fields: dict[str, Any]) -> Any:
    parts = urlsplit(path)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    route = parts.path.strip("/")
    repo = r"repos/[^/]+/[^/]+"
    if m := re.fullmatch(rf"{repo}/issues/(\d+)/comments", route):
        number = int(m.group(1))
        if method == "GET":
            return [c for c in state["comments"] if c["issue"] == number]
        comment = {"id": _next(state), "issue": number, "body": fields["body"], "user": {"type": "Bot"}}
        state["comments"].append(comment)
        return comment
    if m := re.fullmatch(rf"{repo}/issues/comments/(\d+)", route):
        comment = next(c for c in state["comments"] if c["id"] == int(m.group(1)))
        comment.update(fields)
        return comment
    if re.fullmatch(rf"{repo}/issues", route):
        if method == "GET":
            wanted = set(filter(None, query.get("labels", "").split(",")))
            return [
                i
                for i in state["issues"]
                if i["state"] == query.get("state", "open") and wanted <= set(i["labels"])
            ]
        issue = {
            "number": _next(state),
            "title": fields["title"],
            "body": fields["body"],
            "labels": fields.get("labels", []),
            "state": "open",
            "pull_request": None,
        }
        state["issues"].append(issue)
        return issue
    if m := re.fullmatch(rf"{repo}/issues/(\d+)", route):
        issue = next(i for i in state["issues"] if i["number"] == int(m.group(1)))
        issue.update(fields)
        return issue
    if re.fullmatch(rf"{repo}/actions/artifacts", route):
        found = [a for a in state["artifacts"] if a["name"] == query.get("name", a["name"])]
        return {"total_count": len(found), "artifacts": found}
    raise SystemExit(f"gh stand-in: no route for {method} {path}")


def _next(state: dict[str, Any]) -> int:
    state["next_id"] += 1
    number: int = state["next_id"]
    return number


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
