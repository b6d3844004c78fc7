"""The severity scale is the team's: its ids, its number of levels, its order.

The shipped example keeps P1..P5; the same data renamed SEV-1..SEV-5, merged into three
levels, or grown to six must validate and build with no other change.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from handbook.pipeline import Project, validate
from tests.conftest import build_site, copy_project

LEVEL = re.compile(r"\bP([1-5])\b")


def _rewrite(project: Path, change: Any) -> None:
    """Apply ``change`` (text -> text) to every data file of the project."""
    for path in sorted((project / "data").rglob("*.yml")):
        text = path.read_text(encoding="utf-8")
        path.write_text(change(text), encoding="utf-8")


def _renamed(tmp_path: Path) -> Path:
    project = copy_project(tmp_path / "sev")
    _rewrite(project, lambda text: LEVEL.sub(r"SEV-\1", text))
    return project


def _levels(project: Path) -> list[dict[str, Any]]:
    return yaml.safe_load((project / "data/severities.yml").read_text(encoding="utf-8"))


def _dedupe(value: Any) -> Any:
    """Lists without repeated entries (two merged levels named once), recursively."""
    if isinstance(value, dict):
        return {k: _dedupe(v) for k, v in value.items()}
    if isinstance(value, list):
        kept: list[Any] = []
        for item in (_dedupe(v) for v in value):
            if item not in kept:
                kept.append(item)
        return kept
    return value


def _errors(project: Path) -> list[str]:
    # Errors only: follow-ups fall due as the calendar moves on (warnings), not the scale.
    result = validate(Project.at(project))
    return [
        f"{d.file}:{d.line}: {d.message} [{d.rule}]"
        for d in result.diagnostics
        if d.level == "error"
    ]


def _builds(project: Path) -> str:
    """Build the site; the severity matrix page's HTML."""
    return (build_site(project) / "severities/index.html").read_text(encoding="utf-8")


def test_the_example_renamed_sev_1_to_sev_5_validates_and_builds(tmp_path: Path) -> None:
    project = _renamed(tmp_path)
    assert [level["id"] for level in _levels(project)] == [f"SEV-{n}" for n in range(1, 6)]
    assert _errors(project) == []
    matrix = _builds(project)
    assert 'id="severity-sev-1"' in matrix and "P1" not in matrix
    home = (project / "site/index.html").read_text(encoding="utf-8")
    assert "SEV-1 Critical" in home
    # Colours follow the place in the scale, not the id.
    assert 'class="handbook-severity handbook-tone-1" id="severity-sev-1"' in matrix
    assert 'class="handbook-severity handbook-tone-5" id="severity-sev-5"' in matrix


def test_the_example_merged_into_three_levels_validates_and_builds(tmp_path: Path) -> None:
    project = _renamed(tmp_path)
    _rewrite(project, lambda text: re.sub(r"\bSEV-[45]\b", "SEV-3", text))
    for path in sorted((project / "data").rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.name == "severities.yml":  # the three levels kept: the first of each id
            data = [level for n, level in enumerate(data) if n < 3]
        path.write_text(yaml.safe_dump(_dedupe(data), sort_keys=False), encoding="utf-8")
    assert [level["id"] for level in _levels(project)] == ["SEV-1", "SEV-2", "SEV-3"]
    assert _errors(project) == []
    matrix = _builds(project)
    assert "SEV-4" not in matrix and "SEV-5" not in matrix
    # Three levels still span the colours: the last is the calmest.
    assert 'class="handbook-severity handbook-tone-3" id="severity-sev-2"' in matrix
    assert 'class="handbook-severity handbook-tone-5" id="severity-sev-3"' in matrix


def _with_sixth_level(tmp_path: Path, level_id: str) -> Path:
    """The example with one more, quiet level ``level_id`` at the end of its scale."""
    project = copy_project(tmp_path / "six")
    severities = project / "data/severities.yml"
    sixth = (
        f"\n- id: {level_id}\n  name: Noise\n  impact: Alerts that need no one.\n"
        "  pages: false\n  response:\n    target: none\n"
    )
    severities.write_text(severities.read_text(encoding="utf-8") + sixth, encoding="utf-8")
    return project


def test_a_sixth_level_is_the_teams_to_add(tmp_path: Path) -> None:
    assert _errors(_with_sixth_level(tmp_path, "P6")) == []


@pytest.mark.parametrize(("count", "message"), [(1, "at least 2"), (11, "at most 10")])
def test_a_scale_has_two_to_ten_levels(tmp_path: Path, count: int, message: str) -> None:
    project = copy_project(tmp_path / "scale")
    severities = project / "data/severities.yml"
    levels = _levels(project)
    extra = [{**copy.deepcopy(levels[-1]), "id": f"L{n}"} for n in range(count)]
    levels = (levels + extra)[:count]
    severities.write_text("# A scale of the wrong size.\n" + yaml.safe_dump(levels), "utf-8")
    errors = _errors(project)
    assert any(e.startswith("data/severities.yml:2: ") and message in e for e in errors), errors


def test_a_level_that_pages_needs_an_escalation_and_its_signals_a_runbook(
    tmp_path: Path,
) -> None:
    project = copy_project(tmp_path / "pages")
    severities = project / "data/severities.yml"
    text = severities.read_text(encoding="utf-8")
    # P4 starts paging: its escalation stays, but its signals now need a runbook...
    text = text.replace(
        "  impact: Low impact and no loss of funds.\n  pages: false",
        "  impact: Low impact and no loss of funds.\n  pages: true",
    )
    severities.write_text(text, encoding="utf-8")
    assert _errors(project) == []  # ...and no P4 signal lacks one in the example
    signals = project / "data/signals.yml"
    signals.write_text(
        signals.read_text(encoding="utf-8").replace("severity: P5", "severity: P4"), "utf-8"
    )
    errors = _errors(project)
    assert errors and all("pages a responder at any hour" in e for e in errors), errors
    assert all("[signal-runbook]" in e for e in errors)


def test_an_informational_level_says_none_and_the_pages_say_so(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "none")
    matrix = _builds(project)
    p5 = matrix[matrix.index('id="severity-p5"') :]
    assert "no target" in p5 and "no regular updates" in p5
    escalation = (project / "site/escalation/index.html").read_text(encoding="utf-8")
    assert "No regular updates; no response target." in escalation
    # Leaving the cadence out is not the same as none: the policy does not say.
    severities = project / "data/severities.yml"
    severities.write_text(
        severities.read_text(encoding="utf-8").replace("  update_cadence: none\n", ""), "utf-8"
    )
    matrix = _builds(project)
    assert "not set by the policy" in matrix[matrix.index('id="severity-p5"') :]


def test_ids_that_differ_only_in_case_are_one_too_many(tmp_path: Path) -> None:
    errors = _errors(_with_sixth_level(tmp_path, "p1"))
    assert len(errors) == 1 and "differs only in case from 'P1'" in errors[0], errors
    assert errors[0].endswith("[unique-id]")
