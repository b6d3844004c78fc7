"""A team's own fields (``x-*``) on any record: kept, shown under More, checked as data."""

from __future__ import annotations

from pathlib import Path

import pytest

from handbook.model import Extension, XMap
from handbook.pipeline import Project, validate
from tests.conftest import TODAY, build_site, make_project

RUNBOOK_FIELDS = """\
x-pagerduty-service: PD-ORACLE
x-escalation-tier: 2
x-on-call-hours: [weekdays, weekends]
x-sla:
  ack: 5 minutes
  resolve: 4 hours
"""


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _errors(project: Path) -> list[str]:
    result = validate(Project.at(project), today=TODAY)
    return [
        f"{d.file}:{d.line}: {d.path}: {d.message} [{d.rule}]"
        for d in result.diagnostics
        if d.level == "error"
    ]


def test_extension_fields_are_kept_in_order_and_shown(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _append(project / "data/runbooks/api-outage.yml", RUNBOOK_FIELDS)
    signals = project / "data/signals.yml"
    text = signals.read_text(encoding="utf-8")
    signals.write_text(
        text.replace("- id: drain-detected\n", "- id: drain-detected\n  x-dashboard-panel: 12\n", 1)
    )
    result = validate(Project.at(project), today=TODAY)
    assert result.ok and result.handbook is not None
    runbook = result.handbook.get("runbooks", "api-outage")
    assert runbook.extensions == (
        Extension("x-pagerduty-service", "PD-ORACLE"),
        Extension("x-escalation-tier", 2),
        Extension("x-on-call-hours", ("weekdays", "weekends")),
        Extension("x-sla", XMap((("ack", "5 minutes"), ("resolve", "4 hours")))),
    )
    build_site(project)
    page = (project / "site/runbooks/api-outage/index.html").read_text(encoding="utf-8")
    assert 'id="more"' in page
    assert "<dt>Pagerduty service:</dt> <dd>PD-ORACLE</dd>" in page
    assert "<dt>Escalation tier:</dt> <dd>2</dd>" in page
    assert "<li>weekdays</li>" in page and "<dt>ack:</dt> <dd>5 minutes</dd>" in page
    signals_page = (project / "site/signals/index.html").read_text(encoding="utf-8")
    assert "<dt>Dashboard panel:</dt> <dd>12</dd>" in signals_page


@pytest.mark.parametrize("key", ["x_tier", "X-Tier", "x-", "tier"])
def test_only_x_fields_are_open(tmp_path: Path, key: str) -> None:
    project = make_project(tmp_path)
    _append(project / "data/runbooks/api-outage.yml", f"{key}: 2\n")
    errors = _errors(project)
    assert len(errors) == 1 and "[schema]" in errors[0], errors


@pytest.mark.parametrize(
    ("value", "rule"),
    [("TODO", "placeholder"), ("AKIA" + "IOSFODNN7EXAMPLE", "secret")],  # built: no key in a file
)
def test_extension_values_are_checked_as_data(tmp_path: Path, value: str, rule: str) -> None:
    project = make_project(tmp_path)
    _append(project / "data/runbooks/api-outage.yml", f"x-notes: {value}\n")
    errors = _errors(project)
    assert any(
        e.startswith("data/runbooks/api-outage.yml:") and f"[{rule}]" in e for e in errors
    ), errors


def test_the_policy_and_severity_levels_show_theirs_too(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _append(project / "data/policy.yml", "x-approved-by: The board\n")
    severities = project / "data/severities.yml"
    text = severities.read_text(encoding="utf-8")
    severities.write_text(text.replace("- id: P1\n", "- id: P1\n  x-pager-policy: PD-P1\n", 1))
    site = build_site(project)
    assert "<dt>Approved by:</dt> <dd>The board</dd>" in (site / "policy/index.html").read_text()
    escalation = (site / "escalation/index.html").read_text(encoding="utf-8")
    assert "<dt>Pager policy:</dt> <dd>PD-P1</dd>" in escalation
