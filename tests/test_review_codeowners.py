"""``handbook review`` with a fixed date, and CODEOWNERS generated from the owners."""

from __future__ import annotations

from pathlib import Path

import pytest

from handbook.cli import main
from tests.conftest import REPO


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_review_strict_far_in_the_future_lists_every_clock(
    base_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys, "-C", str(base_project), "review", "--today", "2099-01-01", "--strict"
    )
    assert status == 1
    lines = out.splitlines()
    assert all(line.endswith("[review-overdue]") for line in lines[:-1])
    assert all(": error: " in line for line in lines[:-1])
    files = {line.split(":")[0] for line in lines[:-1]}
    assert "data/runbooks/api-outage.yml" in files
    assert {"data/interventions.yml", "data/risks.yml"} <= files
    assert any(f.startswith("data/dependencies/") for f in files)
    assert lines[-1].startswith(f"invalid: {len(lines) - 1} errors, 0 warnings")


def test_review_without_strict_warns_and_passes(
    base_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "-C", str(base_project), "review", "--today", "2099-01-01")
    assert status == 0
    assert ": warning: " in out and " 0 errors" in out


def test_review_today_passes_on_the_shipped_data(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "-C", str(REPO), "review", "--today", "2026-11-23")
    assert status == 0
    assert out.splitlines()[-1].startswith("valid: 0 errors, ")
    # Strict, what is in flight fails it: follow-ups due soon, a runbook never drilled.
    status, out, _ = run(capsys, "-C", str(REPO), "review", "--today", "2026-11-23", "--strict")
    rules = {line.rsplit("[", 1)[1].rstrip("]") for line in out.splitlines()[:-1]}
    assert (status, rules) == (1, {"action-item-due-soon", "never-drilled"})


def test_committed_codeowners_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "-C", str(REPO), "codeowners", "--check")
    assert status == 0, err


def test_codeowners_follow_the_owners(
    base_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    teams = base_project / "data" / "teams.yml"
    text = teams.read_text(encoding="utf-8")
    teams.write_text(
        text.replace(
            "  name: DevOps\n", '  name: DevOps\n  forge_handle: "@example-labs/devops"\n'
        ),
        encoding="utf-8",
    )
    status, out, err = run(capsys, "-C", str(base_project), "codeowners")
    assert status == 0 and "wrote" in out, err
    owners = (base_project / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    lines = [line for line in owners.splitlines() if line and not line.startswith("#")]
    assert lines[0].startswith("/data/ @")
    runbook_lines = [line for line in lines if line.startswith("/data/runbooks/")]
    assert len(runbook_lines) == len(list((base_project / "data" / "runbooks").glob("*.yml")))
    # Changing an owner makes the committed file stale until it is regenerated.
    runbook = base_project / "data" / "runbooks" / "api-outage.yml"
    text = runbook.read_text(encoding="utf-8")
    other = "secops" if "owner: devops" in text else "devops"
    runbook.write_text(
        text.replace("owner: devops", f"owner: {other}").replace(
            "owner: secops", f"owner: {other}"
        ),
        encoding="utf-8",
    )
    status, _, err = run(capsys, "-C", str(base_project), "codeowners", "--check")
    assert status == 1 and "is not current" in err
    assert run(capsys, "-C", str(base_project), "codeowners")[0] == 0
    assert run(capsys, "-C", str(base_project), "codeowners", "--check")[0] == 0


def test_owner_without_forge_handle_is_an_error(
    base_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "-C", str(base_project), "codeowners")
    assert status == 1 and "'devops'" in err and "has no forge_handle" in err
    assert not (base_project / ".github" / "CODEOWNERS").exists()


def test_workflows_run_the_checks() -> None:
    import yaml

    workflows = REPO / ".github" / "workflows"
    checks = yaml.safe_load((workflows / "checks.yml").read_text(encoding="utf-8"))
    steps = " ".join(
        str(step.get("run", "")) + str(step.get("uses", ""))
        for job in checks["jobs"].values()
        for step in job["steps"]
    )
    for needed in (
        "handbook validate --format github",
        "pytest",
        "handbook build",
        "linkchecker",
        "handbook diff",
        "codeowners --check",
    ):
        assert needed in steps, needed
    assert checks["permissions"] == {"contents": "read"}
    publish = yaml.safe_load((workflows / "publish.yml").read_text(encoding="utf-8"))
    assert publish[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads `on` as true
    assert "pages" in str(publish["jobs"]).lower()
    for workflow in (checks, publish):
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                if "uses" in step:
                    assert "@" in step["uses"] and not step["uses"].endswith(("@main", "@master"))


def test_releases_come_from_git_tags(tmp_path: Path) -> None:
    import subprocess

    from handbook.history import git_releases

    assert git_releases(tmp_path) == ()  # not a repository: no history, no error
    repo = tmp_path / "repo"
    repo.mkdir()
    for args in (
        ["init", "-q"],
        ["config", "user.email", "t@example.org"],
        ["config", "user.name", "T"],
        ["commit", "-q", "--allow-empty", "-m", "first"],
        ["tag", "-a", "v1.0", "-m", "Approved by the security lead"],
    ):
        subprocess.run(["git", "-C", str(repo), *args], check=True)
    (release,) = git_releases(repo)
    assert (release.name, release.subject) == ("v1.0", "Approved by the security lead")
    assert len(release.date) == 10


def test_a_tag_made_while_serving_shows_at_the_next_build(base_project: Path) -> None:
    import subprocess

    from handbook.editions import load_site
    from handbook.history import tag_paths
    from tests.conftest import add_site_sources

    add_site_sources(base_project)

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(base_project), *args], check=True, capture_output=True)

    for args in (
        ["init", "-q"],
        ["config", "user.email", "t@example.org"],
        ["config", "user.name", "T"],
        ["commit", "-q", "--allow-empty", "-m", "first"],
    ):
        git(*args)
    first = load_site(base_project, "internal", True)
    assert first.releases == ()
    assert load_site(base_project, "internal", True) is first  # nothing changed: kept
    git("tag", "-a", "v2.0", "-m", "Quorum raised")
    second = load_site(base_project, "internal", True)
    assert [r.name for r in second.releases] == ["v2.0"]
    # handbook serve watches where git keeps the tags, so making one triggers that build.
    assert base_project / ".git" / "refs" / "tags" in tag_paths(base_project)
