"""``handbook diff`` on commits of a temporary git repository: exact Markdown and JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from handbook.cli import main
from handbook.diff import record_changes
from handbook.diff_effects import Context, minutes
from tests.conftest import BASE, git_commit_all


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding the base fixture's data in one commit."""
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    return git_commit_all(root)


def weaken(root: Path) -> None:
    """Changes that each weaken readiness, plus some that do not."""
    data = root / "data"
    edit(data / "runbooks" / "api-outage.yml", "owner: devops\n", "")
    edit(
        data / "runbooks" / "api-outage.yml",
        'last_reviewed: "2026-09-15"',
        'last_reviewed: "2026-06-01"',
    )
    edit(data / "severities.yml", "    target: 30m", "    target: 1h")
    text = (data / "dependencies" / "cloud-hosting.yml").read_text(encoding="utf-8")
    start = text.index("degraded_mode:")
    end = text.index("\n", text.index("max_tolerable:")) + 1
    (data / "dependencies" / "cloud-hosting.yml").write_text(text[:start] + text[end:])
    edit(data / "risks.yml", "  likelihood: 2", "  likelihood: 4")


def run(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str]:
    status = main(["-C", str(root), "diff", *args])
    return status, capsys.readouterr().out


def test_weakening_changes_come_first_in_words(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    weaken(repo)
    git(repo, "commit", "-q", "-am", "weaken")
    status, out = run(capsys, repo, "HEAD~1", "HEAD")
    assert status == 0
    assert out == "\n".join(
        [
            "## Handbook changes: `HEAD~1` → `HEAD`",
            "",
            "### Weakens readiness: 4 changes need decision-maker review",
            "",
            "- **reach narrowed**: runbook API outage: owner devops → removed",
            "- **time relaxed**: severity P2 (High): response target 30m → 1h",
            "- **time relaxed**: runbook API outage: last reviewed 2026-09-15 → 2026-06-01",
            "- **cover removed**: dependency Cloud hosting: degraded mode removed",
            "",
            "### Strengthens readiness: 1 change",
            "",
            "- **severity raised**: risk Oracle price manipulation: rating likelihood 2 × impact 5"
            " (score 10) → "
            "likelihood 4 × impact 5 (score 20)",
            "",
        ]
    )


def test_head_defaults_to_the_working_tree(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo / "data" / "runbooks" / "api-outage.yml", "owner: devops\n", "")
    status, out = run(capsys, repo, "HEAD")
    assert status == 0
    assert out.startswith("## Handbook changes: `HEAD` → working tree\n")
    assert "- **reach narrowed**: runbook API outage: owner devops → removed\n" in out


def test_added_and_removed_records(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runbooks = repo / "data" / "runbooks"
    (runbooks / "exploit-in-progress.yml").unlink()
    (runbooks / "api-outage-2.yml").write_text(
        "id: api-outage-2\ntitle: Indexer lag\nowner: devops\nsteps: []\n", encoding="utf-8"
    )
    status, out = run(capsys, repo, "HEAD")
    assert status == 0
    weakening = section(out, "Weakens readiness")
    assert "- **cover removed**: runbook Exploit in progress: removed\n" in weakening
    assert "- **cover added**: runbook Indexer lag: added\n" in section(out, "Strengthens")


def test_no_change(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run(capsys, repo, "HEAD")
    assert (status, out) == (
        0,
        "## Handbook changes: `HEAD` → working tree\n\nNo change to the handbook's data.\n",
    )


def test_json_format(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    weaken(repo)
    status, out = run(capsys, repo, "HEAD", "--format", "json")
    assert status == 0
    data = json.loads(out)
    assert data["base"] == "HEAD" and data["head"] == "working tree"
    assert data["counts"] == {"weakens": 4, "strengthens": 1, "neutral": 0}
    owner = next(c for c in data["changes"] if c["path"] == "owner")
    assert owner == {
        "kind": "runbooks",
        "record": "api-outage",
        "subject": "runbook API outage",
        "path": "owner",
        "old": "devops",
        "new": None,
        "text": "runbook API outage: owner devops → removed",
        "effect": "weakens",
        "weakens": True,
        "category": "reach",
    }
    assert [c["weakens"] for c in data["changes"]] == [True] * 4 + [False]


def test_unknown_ref_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(repo), "diff", "no-such-ref"]) == 2
    assert "cannot read data/ at 'no-such-ref'" in capsys.readouterr().err


def test_minutes() -> None:
    assert [minutes(d) for d in ("15m", "2h", "1d", "1w", "soon", 5, "05m", "m")] == [
        15,
        120,
        1440,
        10080,
        None,
        None,
        None,
        None,
    ]


def _rendered(markdown_text: str) -> str:
    import markdown

    return markdown.markdown(markdown_text)


def test_data_cannot_hide_or_forge_lines_in_the_markdown(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = repo / "data"
    edit(
        data / "policy.yml",
        "statement: Protect user funds before anything else.",
        "statement: 'Clarified wording. <!--'",
    )
    edit(
        data / "policy.yml",
        "rationale: Funds lost",
        "rationale: '[x](javascript:alert(1)) ![](https://evil.example/p.png)'\n    x: Funds lost",
    )
    edit(data / "interventions.yml", "      required: 2\n", "      required: 1\n")
    edit(
        data / "policy.yml",
        "scope: Every",
        'scope: "line\\n## Forged heading\\n-->"\nx-scope: Every',
    )
    status, out = run(capsys, repo, "HEAD")
    assert status == 0
    assert "<!--" not in out and "-->" not in out
    html = _rendered(out)
    assert "<!--" not in html and "<a" not in html and "<img" not in html
    assert "Forged heading</h2>" not in html
    # The weakening below the comment is still there for reviewers to see.
    assert "quorum 2-of-2 → 1-of-2" in html
    assert "Clarified wording. &lt;!--" in html


def test_a_ref_that_looks_like_an_option_is_a_ref(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    status = main(["-C", str(repo), "diff", "--", f"--output={victim}"])
    captured = capsys.readouterr()
    assert status == 2
    assert "not a commit in this repository" in captured.err
    assert victim.read_text(encoding="utf-8") == "keep me\n"


def test_a_change_at_the_end_of_a_long_text_is_shown(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = repo / "data"
    long = "Contain first, then page the incident leader and freeze the bridge. " * 3
    edit(
        data / "policy.yml",
        "scope: Every production system and every person on call.",
        f"scope: {long}",
    )
    git(repo, "commit", "-qam", "long scope")
    edit(data / "policy.yml", f"scope: {long}", f"scope: {long}Do NOT pause; wait for the CEO.")
    status, out = run(capsys, repo, "HEAD")
    assert status == 0
    assert "Do NOT pause; wait for the CEO." in _rendered(out).replace("\\", "")


def test_mentions_in_data_notify_nobody(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(
        repo / "data" / "policy.yml",
        "title: Incident response policy",
        "title: Ping @octocat and @org/secops",
    )
    status, out = run(capsys, repo, "HEAD")
    assert status == 0
    assert "@" not in out
    assert "Ping &#64;octocat and &#64;org/secops" in _rendered(out)  # shown as "@"


def test_a_removed_value_reads_as_removed_not_as_none() -> None:
    context = Context({}, frozenset(), frozenset())
    (change,) = record_changes("severities", "P1", "P1", {"update_cadence": "1h"}, {}, context)
    assert change.words == "update cadence 1h → removed" and change.weakens
    (said,) = record_changes(
        "severities", "P1", "P1", {"update_cadence": "1h"}, {"update_cadence": "none"}, context
    )
    assert said.words == "update cadence 1h → none" and said.weakens


def section(markdown_text: str, heading: str) -> str:
    """The lines under the ``### <heading>...`` heading, up to the next heading."""
    parts = markdown_text.split("\n### ")
    found = [p for p in parts if p.startswith(heading)]
    return found[0].split("\n", 1)[1] if found else ""


def test_a_number_written_another_way_is_no_change(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    people = repo / "data" / "people.yml"
    edit(people, 'value: "+1 201 555 0101"', 'value: "+12015550101"')
    assert run(capsys, repo, "HEAD")[1].endswith("No change to the handbook's data.\n")
    edit(people, 'value: "+12015550101"', 'value: "+1 (201) 555-0199"')
    out = run(capsys, repo, "HEAD")[1]
    assert "contact 1 value +12015550101 → +12015550199" in out  # one number, in E.164


def test_many_other_changes_fold_and_data_cannot_unfold_them(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = repo / "data" / "policy.yml"
    edit(policy, "author: ben-okoro", "author: ana-silva")
    edit(policy, "changes: First version.", "changes: First version. </details> <b>x</b>")
    for path in (repo / "data" / "runbooks").glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("title: ", "title: New ", 1), encoding="utf-8")
    for n in range(10):
        edit(policy, "title: ", f"x-note-{n}: added\ntitle: ")
    status, out = run(capsys, repo, "HEAD")
    assert status == 0
    other = section(out, "Other changes")
    assert other.startswith("\n<details>\n<summary>Show the ") and other.count("</details>") == 1
    assert "document control version 1.0 author ben-okoro → ana-silva" in other
    assert "&lt;/details&gt; &lt;b&gt;x&lt;/b&gt;" in other
    html = _rendered(out)
    assert "<b>" not in html
