"""The shipped example handbook: valid, complete, and guarded by every rule."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from handbook.cli import main
from handbook.load import load_data
from handbook.pipeline import Project, check, validate
from handbook.references import REFERENCES, walk
from tests.conftest import REPO, TODAY

RUNBOOKS = sorted((REPO / "data" / "runbooks").glob("*.yml"))
DEPENDENCIES = sorted((REPO / "data" / "dependencies").glob("*.yml"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the shipped project's data and schemas."""
    root = tmp_path / "shipped"
    shutil.copytree(REPO / "data", root / "data")
    shutil.copytree(REPO / "schemas", root / "schemas")
    return root


def run(project: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    status = main(["-C", str(project), "validate", "--today", TODAY.isoformat(), *extra])
    return status, capsys.readouterr().out


def test_shipped_handbook_is_clean_on_a_fixed_date() -> None:
    """Nothing to fix; only what a real team has in flight: follow-ups due, an undrilled runbook."""
    result = validate(Project.at(REPO), today=TODAY)
    assert result.handbook is not None
    due_soon = {
        (f"data/{kind}/{record.id}.yml", item.id)
        for kind in ("incidents", "exercises")
        for record in getattr(result.handbook, kind)
        for item in record.action_items
        if item.status == "open" and item.due <= TODAY + dt.timedelta(days=30)
    }
    drilled = {r for e in result.handbook.exercises for r in e.runbooks}
    undrilled = {f"data/runbooks/{r.id}.yml" for r in result.handbook.runbooks} - {
        f"data/runbooks/{r}.yml" for r in drilled
    }
    found_due = {
        (d.file, d.message.split("open action item ")[1].split()[0])
        for d in result.diagnostics
        if d.rule == "action-item-due-soon"
    }
    assert found_due == due_soon
    assert {d.file for d in result.diagnostics if d.rule == "never-drilled"} == undrilled
    assert len(undrilled) <= 1  # the example drills what it relies on
    others = [
        d for d in result.diagnostics if d.rule not in {"action-item-due-soon", "never-drilled"}
    ]
    assert others == []


def test_shipped_handbook_has_no_errors_today() -> None:
    # Reviews fall due as the calendar moves on: warnings then, never errors.
    result = validate(Project.at(REPO), today=dt.date.today())
    assert result.ok, [d for d in result.diagnostics if d.level == "error"]


def test_shipped_handbook_covers_the_seed_documents() -> None:
    handbook = validate(Project.at(REPO), today=TODAY).handbook
    assert handbook is not None
    assert {r.id for r in handbook.roles} >= {
        "detector",
        "incident-leader",
        "scribe",
        "communication-manager",
        "subject-matter-expert",
        "decision-maker",
    }
    assert [s.id for s in handbook.severities] == ["P1", "P2", "P3", "P4", "P5"]
    assert [step.order for step in handbook.policy.process] == [1, 2, 3, 4, 5, 6]
    scribe = next(r for r in handbook.roles if r.id == "scribe")
    assert "subject-matter-expert" in scribe.not_combined_with
    assert len(handbook.runbooks) >= 7
    assert len(handbook.dependencies) >= 6
    assert len(handbook.interventions) >= 5
    assert len(handbook.signals) >= 8
    assert len(handbook.risks) >= 8
    examples = " ".join(e.lower() for s in handbook.severities for e in s.examples)
    for example in ("active exploit", "private key", "ddos", "certificate", "production down"):
        assert example in examples


def test_model_is_typed_and_frozen() -> None:
    handbook = validate(Project.at(REPO), today=TODAY).handbook
    assert handbook is not None
    runbook = handbook.runbooks[0]
    assert isinstance(runbook.last_reviewed, dt.date)
    assert isinstance(runbook.symptoms, tuple)
    with pytest.raises(AttributeError):
        runbook.owner = "someone"  # type: ignore[misc]


def _strip_block(text: str, key: str) -> tuple[str, int]:
    """Remove a top-level ``key:`` and its indented block; return the text and its line."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    end = start + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
        end += 1
    return "".join(lines[:start] + lines[end:]), start + 1


def _first_content_line(text: str) -> int:
    return next(
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    )


@pytest.mark.parametrize(
    ("path", "key", "rule"),
    [(p, "owner", "runbook-owner") for p in RUNBOOKS]
    + [(p, "degraded_mode", "dependency-degraded-mode") for p in DEPENDENCIES],
    ids=lambda value: value.name if isinstance(value, Path) else str(value),
)
def test_deleting_a_guarded_field_fails_naming_file_line_and_rule(
    project: Path, capsys: pytest.CaptureFixture[str], path: Path, key: str, rule: str
) -> None:
    target = project / path.relative_to(REPO)
    text, _ = _strip_block(target.read_text(encoding="utf-8"), key)
    target.write_text(text, encoding="utf-8")
    status, out = run(project, capsys)
    assert status == 1
    relative = path.relative_to(REPO).as_posix()
    record_line = _first_content_line(text)
    assert f"{relative}:{record_line}:1: error: $.{key}: required field is missing [{rule}]" in out


_OCCURRENCES = []
_loaded = load_data(REPO / "data", REPO)
for _reference in REFERENCES:
    _found = next(
        (
            (record, path)
            for record in _loaded.records(_reference.kind)
            for path, _value in walk(record.data, _reference.pattern)
        ),
        None,
    )
    if _found is not None:
        _OCCURRENCES.append((_reference, *_found))


def test_the_shipped_data_exercises_most_reference_families() -> None:
    assert len(_OCCURRENCES) >= len(REFERENCES) - 4


@pytest.mark.parametrize(
    ("reference", "record", "path"),
    _OCCURRENCES,
    ids=[f"{r.kind}.{'.'.join(r.pattern)}" for r, _, _ in _OCCURRENCES],
)
def test_every_reference_to_a_missing_id_is_reported(reference, record, path) -> None:
    loaded = load_data(REPO / "data", REPO)
    # Find the same record in the fresh copy and point the reference at nothing.
    fresh = next(
        r
        for r in loaded.records(record.kind)
        if r.path == record.path and r.document.file == record.document.file
    )
    parent = fresh.data
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = "no-such-id"
    diagnostics = check(loaded, Project.at(REPO), TODAY)
    file, line, column = fresh.locate(*path)
    # An id that cannot exist (a severity other than P1-P5) is the schema's to report.
    matching = [
        d
        for d in diagnostics
        if (d.file, d.line, d.column) == (file, line, column)
        and d.rule in (reference.rule, "schema")
    ]
    assert matching, diagnostics
    assert "'no-such-id'" in matching[0].message


def test_json_and_github_formats(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runbook = project / "data" / "runbooks" / RUNBOOKS[0].name
    text, _ = _strip_block(runbook.read_text(encoding="utf-8"), "owner")
    runbook.write_text(text, encoding="utf-8")
    status, out = run(project, capsys, "--format", "json")
    assert status == 1
    items = json.loads(out)
    assert {"file", "line", "column", "level", "path", "message", "rule"} == set(items[0])
    assert any(i["rule"] == "runbook-owner" and i["level"] == "error" for i in items)
    status, out = run(project, capsys, "--format", "github")
    assert status == 1
    line = _first_content_line(text)
    assert (
        f"::error file=data/runbooks/{RUNBOOKS[0].name},line={line},col=1,title=runbook-owner"
        "::$.owner: required field is missing [runbook-owner]"
    ) in out.splitlines()


def test_review_warnings_do_not_fail(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["-C", str(project), "validate", "--today", "2099-01-01"])
    out = capsys.readouterr().out
    assert status == 0
    assert "warning:" in out and "[review-overdue]" in out
    assert " 0 errors" in out


SEED_FACTS = [
    # incident-response-policy: detection sources and fallbacks
    "grafana",
    "datadog",
    "on-chain monitor",
    "discord",
    "twitter",
    "telegram",
    "bug bounty",
    "security audit",
    "partner",
    "security@example.org",
    # coordination, investigation, resolution, monitoring, review
    "explicit acknowledgment",
    "incident log",
    "utc",
    "decision makers immediately",
    "one task",
    "rollback",
    "at least a week",
    "seven days after resolution",
    "an owner and a deadline",
    "redact",
    "approval",
    # incident-response-is-part-of-the-product: artifacts and locked-in areas
    "trust cost",
    "degraded",
    "upgradeab",
    "coordination",
    "risk register",
]


def test_shipped_handbook_carries_the_seed_facts() -> None:
    loaded = load_data(REPO / "data", REPO)
    text = " ".join(
        json.dumps(document.data, ensure_ascii=False).lower()
        for documents in loaded.documents.values()
        for document in documents
    )
    assert [fact for fact in SEED_FACTS if fact not in text] == []


@pytest.mark.parametrize(
    "path",
    sorted([*(REPO / "data").rglob("*.yml"), *(REPO / "templates").glob("*.yml")]),
    ids=lambda p: p.relative_to(REPO).as_posix(),
)
def test_every_yaml_file_opens_with_a_comment(path: Path) -> None:
    assert path.read_text(encoding="utf-8").startswith("# ")
