"""The example says what its seed documents say, and nothing they contradict."""

from __future__ import annotations

from pathlib import Path

from handbook.model import NONE, Handbook
from handbook.pipeline import Project, validate
from tests.conftest import copy_project


def test_the_levels_respond_as_the_seed_says(handbook_model: Handbook) -> None:
    p1, p2, p3, p4, p5 = handbook_model.severities
    # "Immediate" for both P1 and P2: one target, both page at any hour.
    assert p1.response.target == p2.response.target and p1.pages and p2.pages
    assert p1.major and not p2.major  # Decision Makers involved from the start in P1 only
    # "Within hours" without waking anyone: the target counts working hours.
    assert not p3.pages and "working hours" in (p3.response.description or "")
    assert not p4.pages
    # "No immediate action": no target and no regular updates, said outright.
    assert p5.response.target == NONE and p5.update_cadence == NONE and not p5.pages


def test_the_failure_signals_and_locked_in_areas_are_named(handbook_model: Handbook) -> None:
    points = {p.points.title: p.points.items for p in handbook_model.policy.principles if p.points}
    assert len(points["Failure signals we watch for"]) == 5
    assert len(points["What gets locked in after launch"]) == 5
    signals = [r for r in handbook_model.risks if "failure signal" in r.categories]
    locked = [r for r in handbook_model.risks if "locked in after launch" in r.categories]
    assert len(signals) == 5 and len(locked) == 5


def test_no_one_is_both_incident_leader_and_decision_maker(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "roles")
    roles = project / "data/roles.yml"
    text = roles.read_text(encoding="utf-8")
    combined = text.replace(
        "    primary:\n      - sofia-herrera\n", "    primary:\n      - priya-raman\n"
    )
    assert combined != text
    roles.write_text(combined, encoding="utf-8")
    result = validate(Project.at(project))
    conflicts = [d for d in result.diagnostics if d.rule == "role-conflict"]
    assert len(conflicts) == 1
    assert "'priya-raman' holds both 'incident-leader' and 'decision-maker'" in conflicts[0].message
