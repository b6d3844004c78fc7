"""The GitHub workflows survive a hostile pull request, and publish only the public edition.

Three layers, each also fed a deliberately bad workflow so that none can pass vacuously:
zizmor (offline, every persona) for the known attack patterns, the vendored GitHub
workflow and Dependabot schemas of check-jsonschema for structure, and our own policies
read from the YAML: actions pinned by commit SHA with the version in a comment, no token
left in a checkout, no `${{ }}` expanded into a script, least privilege, and Pages only
ever given a leak-scanned public build.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import git_commit_all

REPO = Path(__file__).resolve().parent.parent
GITHUB = REPO / ".github"
WORKFLOWS = GITHUB / "workflows"
CHECKS = WORKFLOWS / "checks.yml"
PUBLISH = WORKFLOWS / "publish.yml"
DEPENDABOT = GITHUB / "dependabot.yml"

# zizmor findings we accept, each with the reason. Everything else fails the test, at any
# severity and in the pedantic persona, which reports the most.
ACCEPTED = {
    # Jobs keep their ids as names: those are the status checks that branch protection
    # requires, and a display name would rename them.
    "anonymous-definition": "job ids are the required status-check names",
}

# The only write permissions any job holds: (workflow file, job) -> scopes.
WRITES = {
    ("checks.yml", "comment"): {"pull-requests"},
    ("publish.yml", "deploy"): {"pages", "id-token"},
    ("handbook-publish.yml", "deploy"): {"pages", "id-token"},  # the starter's (handbook init)
}

SHA_PIN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
USES_LINE = re.compile(
    r"""^\s*(?:-\s+)?uses:\s*["']?(?P<ref>[^\s"'#]+)["']?\s*(?:\#\s*(?P<comment>.*))?$"""
)
VERSION_COMMENT = re.compile(r"^v?\d+(?:\.\d+){0,2}\b")

BAD_WORKFLOW = """\
name: bad
on: pull_request_target
permissions: write-all
jobs:
  greet:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065
      - run: echo "Thanks for ${{ github.event.pull_request.title }}"
      - uses: actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea # v7.0.1
        with:
          script: console.log("${{ github.head_ref }}")
"""


# --- the checkers ---------------------------------------------------------------------------


def tool(name: str) -> str:
    """The path of a console script installed with the test extra (never skipped)."""
    path = Path(sysconfig.get_path("scripts")) / name
    assert path.exists(), f"{name} is missing: pip install -e '.[test]'"
    return str(path)


def load(path: Path) -> dict:
    """A workflow as PyYAML reads it (YAML 1.1 reads the key `on` as True)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def steps(workflow: dict) -> Iterator[tuple[str, int, dict]]:
    """Every step of every job: (job id, index, step)."""
    for job_id, job in (workflow.get("jobs") or {}).items():
        for index, step in enumerate(job.get("steps") or []):
            yield job_id, index, step


def uses_problems(path: Path) -> list[str]:
    """`uses:` not pinned to a full commit SHA with the version in a trailing comment."""
    problems = []
    text = path.read_text(encoding="utf-8")
    pinned_lines: dict[str, list[tuple[int, str]]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if match := USES_LINE.match(line):
            pinned_lines.setdefault(match["ref"], []).append((number, match["comment"] or ""))
    workflow = load(path)
    refs = [step["uses"] for _, _, step in steps(workflow) if "uses" in step]
    refs += [job["uses"] for job in (workflow.get("jobs") or {}).values() if "uses" in job]
    for ref in refs:
        if ref.startswith("./"):
            continue  # an action of this repository, reviewed with it
        if ref.startswith("docker://"):
            if "@sha256:" not in ref:
                problems.append(f"{path.name}: {ref}: image not pinned by digest")
            continue
        if not SHA_PIN.match(ref):
            problems.append(f"{path.name}: {ref}: not pinned to a full commit SHA")
            continue
        lines = pinned_lines.get(ref)
        if not lines:
            problems.append(f"{path.name}: {ref}: not on a `uses:` line of its own")
            continue
        for number, comment in lines:
            if not VERSION_COMMENT.match(comment.strip()):
                problems.append(f"{path.name}:{number}: {ref}: no `# vX.Y.Z` version comment")
    return problems


def checkout_problems(path: Path) -> list[str]:
    """Checkouts that leave the token in .git/config for later steps (and artifacts)."""
    return [
        f"{path.name}: job {job_id}, step {index + 1}: checkout without persist-credentials: false"
        for job_id, index, step in steps(load(path))
        if str(step.get("uses", "")).startswith("actions/checkout@")
        and (step.get("with") or {}).get("persist-credentials") is not False
    ]


def expression_problems(path: Path) -> list[str]:
    """`${{ }}` expanded into code: a `run:` script or github-script's `script:`."""
    problems = []
    for job_id, index, step in steps(load(path)):
        code = {"run": step.get("run")}
        if str(step.get("uses", "")).startswith("actions/github-script@"):
            code["script"] = (step.get("with") or {}).get("script")
        for key, text in code.items():
            if text is not None and "${{" in str(text):
                problems.append(f"{path.name}: job {job_id}, step {index + 1}: `${{{{` in {key}")
    return problems


def permission_problems(path: Path) -> list[str]:
    """Read-only defaults; every job declares its own permissions; writes only as listed."""
    workflow = load(path)
    problems = []
    top = workflow.get("permissions")
    if not isinstance(top, dict) or any(value != "read" for value in top.values()):
        problems.append(f"{path.name}: top-level permissions must be read-only, not {top!r}")
    for job_id, job in (workflow.get("jobs") or {}).items():
        granted = job.get("permissions")
        if not isinstance(granted, dict):
            problems.append(f"{path.name}: job {job_id}: no permissions block of its own")
            continue
        writes = {scope for scope, value in granted.items() if value == "write"}
        allowed = WRITES.get((path.name, job_id), set())
        if writes - allowed:
            problems.append(f"{path.name}: job {job_id}: may not write {sorted(writes - allowed)}")
    return problems


def policy_problems(path: Path) -> list[str]:
    """Every policy of ours that applies to any workflow."""
    return (
        uses_problems(path)
        + checkout_problems(path)
        + expression_problems(path)
        + permission_problems(path)
    )


def zizmor(*paths: Path) -> list[dict]:
    """zizmor's findings, offline, pedantic, ignoring any config or ignore comment."""
    result = subprocess.run(
        [tool("zizmor"), "--offline", "--no-config", "--no-ignores", "--persona", "pedantic"]
        + ["--strict-collection", "--no-exit-codes", "--no-progress", "--format", "json"]
        + [str(path) for path in paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def summary(findings: list[dict]) -> list[str]:
    """Findings as `ident severity path:line` lines, for assertion messages."""
    lines = []
    for finding in findings:
        location = finding["locations"][0]
        path = location["symbolic"]["key"]["Local"]["verbatim_path"]
        row = location["concrete"]["location"]["start_point"]["row"] + 1
        lines.append(f"{finding['ident']} {finding['determinations']['severity']} {path}:{row}")
    return lines


def schema_errors(schema: str, *paths: Path) -> str:
    """check-jsonschema against one of its vendored schemas: '' when valid, else its report."""
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema]
        + [str(path) for path in paths],
        capture_output=True,
        text=True,
        check=False,
    )
    return "" if result.returncode == 0 else result.stdout + result.stderr


def workflow_files() -> list[Path]:
    """Our workflows; there must be some, or every check below would pass on nothing."""
    found = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])
    assert {CHECKS, PUBLISH} <= set(found)
    return found


# --- our workflows --------------------------------------------------------------------------


def test_zizmor_finds_nothing_but_the_accepted() -> None:
    findings = zizmor(*workflow_files(), DEPENDABOT)
    unexpected = [f for f in findings if f["ident"] not in ACCEPTED]
    assert not unexpected, "\n".join(summary(unexpected))
    # What we accept is informational only: a high or medium finding is never accepted.
    assert all(f["determinations"]["severity"] == "Informational" for f in findings)


def test_workflows_and_dependabot_match_their_schemas() -> None:
    assert schema_errors("vendor.github-workflows", *workflow_files()) == ""
    assert schema_errors("vendor.dependabot", DEPENDABOT) == ""


@pytest.mark.parametrize("path", [CHECKS, PUBLISH], ids=lambda path: path.name)
def test_workflow_follows_our_policies(path: Path) -> None:
    assert policy_problems(path) == []


def test_every_workflow_follows_our_policies() -> None:
    assert [problem for path in workflow_files() for problem in policy_problems(path)] == []


def test_one_version_comment_per_pinned_commit() -> None:
    versions: dict[str, set[str]] = {}
    for path in workflow_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if (match := USES_LINE.match(line)) and SHA_PIN.match(match["ref"]):
                versions.setdefault(match["ref"], set()).add((match["comment"] or "").strip())
    assert versions, "no pinned action found"
    assert {ref: found for ref, found in versions.items() if len(found) > 1} == {}


def test_publish_deploys_only_the_public_edition() -> None:
    publish = load(PUBLISH)
    jobs = publish["jobs"]
    text = PUBLISH.read_text(encoding="utf-8")
    assert "mkdocs build" not in text and "mkdocs gh-deploy" not in text  # neither leak-scans
    builds = {
        job_id: [
            str(s.get("run", "")) for s in job["steps"] if "handbook build" in s.get("run", "")
        ]
        for job_id, job in jobs.items()
    }
    pages_jobs = {
        job_id
        for job_id, job in jobs.items()
        if any(
            str(step.get("uses", "")).startswith(
                ("actions/upload-pages-artifact@", "actions/deploy-pages@")
            )
            for step in job["steps"]
        )
    }
    assert pages_jobs == {"build", "deploy"}
    assert len(builds["build"]) == 1
    assert "handbook build --pdf --audience public --site-dir site" in builds["build"][0]
    assert "SOURCE_DATE_EPOCH" in builds["build"][0]
    assert jobs["deploy"]["needs"] == "build"
    for job_id, commands in builds.items():
        for command in commands:
            assert "--audience public" in command or job_id not in pages_jobs, job_id


def test_internal_edition_is_opt_in_private_and_short_lived() -> None:
    publish = load(PUBLISH)
    dispatch = publish[True]["workflow_dispatch"]["inputs"]["edition"]
    assert dispatch["default"] == "public" and set(dispatch["options"]) == {"public", "internal"}
    internal = [
        (job_id, job)
        for job_id, job in publish["jobs"].items()
        if any("--audience internal" in str(step.get("run", "")) for step in job["steps"])
    ]
    assert [job_id for job_id, _ in internal] == ["internal"]
    job = internal[0][1]
    assert job["if"] == "github.event_name == 'workflow_dispatch' && inputs.edition == 'internal'"
    assert not any("internal" in str(other.get("needs", "")) for other in publish["jobs"].values())
    first = job["steps"][0]  # refuses before anything is built
    assert first["env"] == {"REPOSITORY_PRIVATE": "${{ github.event.repository.private }}"}
    assert '[ "$REPOSITORY_PRIVATE" != "true" ]' in first["run"] and "exit 1" in first["run"]
    uploads = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/upload-")]
    assert [s["uses"].split("@")[0] for s in uploads] == ["actions/upload-artifact"]
    assert 1 <= uploads[0]["with"]["retention-days"] <= 7
    # The public jobs do not run when the internal edition is asked for.
    assert publish["jobs"]["build"]["if"] == (
        "github.event_name == 'push' || inputs.edition == 'public'"
    )


def test_checks_pass_the_base_branch_through_the_environment() -> None:
    (diff,) = [s for _, _, s in steps(load(CHECKS)) if "handbook diff" in s.get("run", "")]
    assert diff["env"] == {"BASE_REF": "${{ github.base_ref }}"}
    assert 'handbook diff "origin/$BASE_REF"' in diff["run"]


def test_checks_cancel_only_superseded_pull_request_runs() -> None:
    concurrency = load(CHECKS)["concurrency"]
    assert concurrency["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


def test_comment_updates_only_the_bots_own_comment() -> None:
    (step,) = [
        s
        for _, _, s in steps(load(CHECKS))
        if s.get("uses", "").startswith("actions/github-script@")
    ]
    script = step["with"]["script"]
    find = script[script.index("comments.find(") : script.index("if (mine)")]
    assert "c.user.login === 'github-actions[bot]'" in find
    assert "c.user.type === 'Bot'" in find
    assert "c.body.startsWith(marker)" in find
    assert find.count("&&") >= 3  # all of them, not any


def test_dependabot_keeps_actions_and_python_current() -> None:
    config = load(DEPENDABOT)
    assert config["version"] == 2
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert {"github-actions", "pip"} <= set(updates)
    for ecosystem in ("github-actions", "pip"):
        update = updates[ecosystem]
        assert update["directory"] == "/"
        assert update["schedule"]["interval"] == "weekly"
        assert update["groups"], f"{ecosystem}: updates are not grouped"


# --- the checkers catch a bad workflow ------------------------------------------------------


@pytest.fixture
def bad_workflow(tmp_path: Path) -> Path:
    """A workflow with the mistakes the checks exist for, in a repository layout."""
    path = tmp_path / ".github" / "workflows" / "bad.yml"
    path.parent.mkdir(parents=True)
    path.write_text(BAD_WORKFLOW, encoding="utf-8")
    return path


def test_zizmor_flags_the_bad_workflow(bad_workflow: Path) -> None:
    findings = zizmor(bad_workflow)
    high = {f["ident"] for f in findings if f["determinations"]["severity"] == "High"}
    assert {"unpinned-uses", "template-injection", "dangerous-triggers"} <= high, summary(findings)
    assert "artipacked" in {f["ident"] for f in findings}
    assert "excessive-permissions" in {f["ident"] for f in findings}


def test_our_policies_flag_the_bad_workflow(bad_workflow: Path) -> None:
    uses = uses_problems(bad_workflow)
    assert any("actions/checkout@v4: not pinned to a full commit SHA" in p for p in uses)
    assert any("setup-python" in p and "no `# vX.Y.Z` version comment" in p for p in uses)
    assert len(uses) == 2  # the github-script line is pinned and commented
    assert checkout_problems(bad_workflow) == [
        "bad.yml: job greet, step 1: checkout without persist-credentials: false"
    ]
    assert expression_problems(bad_workflow) == [
        "bad.yml: job greet, step 3: `${{` in run",
        "bad.yml: job greet, step 4: `${{` in script",
    ]
    assert permission_problems(bad_workflow) == [
        "bad.yml: top-level permissions must be read-only, not 'write-all'",
        "bad.yml: job greet: no permissions block of its own",
    ]


def test_permission_check_flags_an_unlisted_write(tmp_path: Path) -> None:
    path = tmp_path / "checks.yml"
    workflow = load(CHECKS)
    workflow["jobs"]["check"]["permissions"]["contents"] = "write"
    path.write_text(yaml.safe_dump(workflow), encoding="utf-8")
    assert permission_problems(path) == ["checks.yml: job check: may not write ['contents']"]


def test_schema_check_flags_a_malformed_workflow(tmp_path: Path) -> None:
    path = tmp_path / "typo.yml"
    path.write_text(BAD_WORKFLOW.replace("runs-on:", "runs_on:"), encoding="utf-8")
    assert "typo.yml" in schema_errors("vendor.github-workflows", path)


def test_dependabot_without_cooldown_is_flagged(tmp_path: Path) -> None:
    path = tmp_path / ".github" / "dependabot.yml"
    path.parent.mkdir()
    config = load(DEPENDABOT)
    for update in config["updates"]:
        del update["cooldown"]
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    assert "dependabot-cooldown" in {f["ident"] for f in zizmor(path)}


# --- the workflows handbook init writes for a team ------------------------------------------

STARTER_WORKFLOWS = sorted((REPO / "handbook/starter/.github/workflows").glob("*.yml"))


def test_the_starter_workflows_are_hardened_as_ours() -> None:
    assert len(STARTER_WORKFLOWS) == 3
    findings = zizmor(*STARTER_WORKFLOWS)
    unexpected = [f for f in findings if f["ident"] not in ACCEPTED]
    assert not unexpected, "\n".join(summary(unexpected))
    assert schema_errors("vendor.github-workflows", *STARTER_WORKFLOWS) == ""
    assert [p for path in STARTER_WORKFLOWS for p in policy_problems(path)] == []


def test_the_starter_publishes_only_the_public_edition() -> None:
    publish = (REPO / "handbook/starter/.github/workflows/handbook-publish.yml").read_text()
    builds = re.findall(r"^\s+handbook build[^\n]*", publish, re.MULTILINE)
    assert builds and all("--audience public" in b for b in builds)


# --- the decision-maker gate ----------------------------------------------------------------

GATES = (
    WORKFLOWS / "decision-review.yml",
    STARTER_WORKFLOWS[0].parent / "handbook-decision-review.yml",
)


def gate_step(path: Path) -> dict:
    (step,) = [s for _, _, s in steps(load(path)) if "--fail-on weakening" in s.get("run", "")]
    return step


def test_the_gate_reruns_on_labels_and_forgets_approval_on_a_new_push() -> None:
    for path in GATES:
        workflow = load(path)
        types = workflow[True]["pull_request"]["types"]  # YAML 1.1 reads `on` as True
        assert {"labeled", "unlabeled", "synchronize"} <= set(types)
        approved = gate_step(path)["env"]["APPROVED"]
        assert "github.event.action != 'synchronize'" in approved
        assert "'readiness-change-approved'" in approved
    assert gate_step(GATES[0])["run"] == gate_step(GATES[1])["run"]


@pytest.mark.parametrize(
    ("weaken", "approved", "status", "said"),
    [
        (True, "false", 1, "::error::This pull request weakens readiness"),
        (True, "true", 0, "Approved by a decision maker"),
        (False, "false", 0, "No change weakens readiness."),
    ],
)
def test_the_gate_script(
    tmp_path: Path, weaken: bool, approved: str, status: int, said: str
) -> None:
    root = git_commit_all(shutil.copytree(REPO / "data", tmp_path / "repo" / "data").parent)
    subprocess.run(
        ["git", "-C", str(root), "update-ref", "refs/remotes/origin/main", "HEAD"], check=True
    )
    if weaken:
        handbook = root / "data" / "handbook.yml"
        text = handbook.read_text(encoding="utf-8")
        handbook.write_text(text.replace("fallback_team: secops", "fallback_team: infrastructure"))
    summary = tmp_path / "summary.md"
    done = run_gate(root, approved, summary)
    assert done.returncode == status, done.stdout + done.stderr
    assert said in done.stdout + summary.read_text(encoding="utf-8")
    if weaken:
        assert "fallback team secops → infrastructure" in summary.read_text(encoding="utf-8")


def test_the_gate_fails_when_the_diff_cannot_run(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    subprocess.run(["git", "-C", str(tmp_path), "init", "-q"], check=True)
    done = run_gate(tmp_path, "true", tmp_path / "summary.md")
    assert done.returncode == 2 and "could not compare the data" in done.stdout


def run_gate(root: Path, approved: str, summary: Path) -> subprocess.CompletedProcess[str]:
    """The gate's script run as GitHub runs it, with the handbook of this environment."""
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "BASE_REF": "main",
        "APPROVED": approved,
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", gate_step(GATES[0])["run"]],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
