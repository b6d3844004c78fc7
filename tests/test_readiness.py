"""Required means needed to act: what a runbook may leave out, and how its absence is reported.

A runbook needs an id, a title, a reachable owner and steps. A review date, a severity,
an escalation or a verification step may be missing from real material; their absence
is a readiness finding (a warning, an error where readiness_errors says so), and never is
a value.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handbook.pipeline import Project, validate
from handbook.report import format_text
from tests.conftest import TODAY, build_site, handbook_cli, make_project

MINIMAL = """\
# Runbook: a keeper stops liquidating, as a practitioner's page gives it.
id: keeper-stalled
title: Keeper stalled
owner: devops
immediate_actions:
  - text: Restart the keeper.
"""

PRACTITIONER = """\
# Runbook: oracle drift, with what a practitioner's runbook holds.
id: oracle-drift
title: Oracle drift
owner: devops
severity: P2
symptoms:
  - Prices differ from the market by more than 2%.
differentiation:
  - A stale price with a healthy feed is an RPC problem, not drift.
immediate_actions:
  - text: Compare the feed with two other sources.
    why: One bad source must not move the market.
    command: cast call $FEED 'latestAnswer()'
    expected: Within 1% of both sources.
investigation:
  - text: Find when the drift started.
    role: incident-leader
    command: "curl -s https://prices.example.org/history?feed=eth"
mitigations:
  - id: switch-feed
    title: Switch to the fallback feed
    steps:
      - Propose the switch to the guardian multisig.
evidence:
  - The feed's answers for the hour before detection.
follow_ups:
  - Add an alert on the difference between sources.
root_causes:
  - A provider pausing its feed.
links:
  - title: Oracle dashboard
    url: https://grafana.example.org/d/oracle
    kind: dashboard
related:
  - api-outage
last_reviewed: never
"""


def _findings(project: Path) -> list[str]:
    result = validate(Project.at(project), today=TODAY)
    return format_text(result.diagnostics, result.file_count).splitlines()[:-1]


def _write(project: Path, name: str, text: str) -> Path:
    path = project / "data/runbooks" / f"{name}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_runbook_with_owner_and_steps_only_is_valid_and_its_gaps_are_findings(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path)
    _write(project, "keeper-stalled", MINIMAL)
    assert sorted(_findings(project)) == [
        "data/runbooks/keeper-stalled.yml:2:1: warning: $: no date of its last review; write "
        "last_reviewed: never if it has never been reviewed [never-reviewed]",
        "data/runbooks/keeper-stalled.yml:2:1: warning: $: no escalation of its own: responders "
        "call the owner [no-escalation]",
        "data/runbooks/keeper-stalled.yml:2:1: warning: $: no typical severity: responders must "
        "judge it [no-severity]",
    ]
    review = handbook_cli("review", "--today", TODAY.isoformat(), cwd=project)
    assert review.returncode == 0 and "[no-severity]" in review.stdout
    strict = handbook_cli("review", "--strict", "--today", TODAY.isoformat(), cwd=project)
    assert strict.returncode == 1 and "error: $: no typical severity" in strict.stdout


def test_the_page_of_a_minimal_runbook_says_what_it_lacks(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _write(project, "keeper-stalled", MINIMAL)
    build_site(project)
    page = (project / "site/runbooks/keeper-stalled/index.html").read_text(encoding="utf-8")
    assert "No escalation of its own: call the owner" in page
    assert "never reviewed" in page
    assert ">not set<" in page  # the typical severity
    assert "Symptoms" not in page and "Resolution checklist" not in page


def test_a_runbook_without_any_step_is_refused(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _write(project, "keeper-stalled", MINIMAL.split("immediate_actions:")[0])
    errors = [line for line in _findings(project) if ": error: " in line]
    assert errors == [
        "data/runbooks/keeper-stalled.yml:2:1: error: $: no steps: give immediate_actions or "
        "mitigations, what a responder does [runbook-steps]"
    ]


def test_a_runbook_without_a_reachable_owner_stays_an_error(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _write(project, "keeper-stalled", MINIMAL.replace("owner: devops", "owner: nobody"))
    errors = [line for line in _findings(project) if ": error: " in line]
    assert len(errors) == 1 and "unknown" in errors[0] and "[runbook-owner]" in errors[0]
    _write(project, "keeper-stalled", MINIMAL.replace("owner: devops\n", ""))
    errors = [line for line in _findings(project) if ": error: " in line]
    assert errors and "$.owner: required field is missing [runbook-owner]" in errors[0]


def test_never_is_a_value_and_null_is_not(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    interventions = project / "data/interventions.yml"
    text = interventions.read_text(encoding="utf-8")
    interventions.write_text(text.replace('last_drilled: "2026-09-01"', "last_drilled: never"))
    found = _findings(project)
    assert len(found) == 1 and found[0].endswith(
        "$[0].last_drilled: never drilled [never-reviewed]"
    )
    interventions.write_text(text.replace('last_drilled: "2026-09-01"', "last_drilled: null"))
    assert any("$[0].last_drilled" in f and "[schema]" in f for f in _findings(project))
    interventions.write_text(text.replace('last_drilled: "2026-09-01"', "last_drilled: nevr"))
    assert any("$[0].last_drilled" in f and "[schema]" in f for f in _findings(project))


def test_readiness_errors_make_the_chosen_findings_errors(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    runbook = _write(project, "oracle-drift", PRACTITIONER.replace("last_reviewed: never\n", ""))
    before = _findings(project)
    assert any(": warning: $.mitigations[0]: no verification step" in f for f in before), before
    info = project / "data/handbook.yml"
    info.write_text(
        info.read_text(encoding="utf-8") + "readiness_errors: [no-verification, never-reviewed]\n"
    )
    after = _findings(project)
    line = runbook.read_text().splitlines().index("  - id: switch-feed") + 1
    assert (
        f"data/runbooks/oracle-drift.yml:{line}:5: error: $.mitigations[0]: no verification step: "
        "nothing says how to tell that it worked [no-verification]"
    ) in after
    assert any(": error: $: no date of its last review" in f for f in after)
    assert handbook_cli("validate", cwd=project).returncode == 1
    info.write_text(info.read_text().replace("no-verification, never-reviewed", "no-such-finding"))
    assert any("readiness_errors" in f and "[schema]" in f for f in _findings(project))


def test_readiness_errors_can_make_an_overdue_review_an_error(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    runbook = project / "data/runbooks/api-outage.yml"
    text = runbook.read_text(encoding="utf-8")
    runbook.write_text(re.sub(r"last_reviewed: .*", 'last_reviewed: "2020-01-01"', text))
    assert any(": warning: " in f and "[review-overdue]" in f for f in _findings(project))
    info = project / "data/handbook.yml"
    info.write_text(info.read_text(encoding="utf-8") + "readiness_errors: [review-overdue]\n")
    assert any(": error: " in f and "[review-overdue]" in f for f in _findings(project))


def test_a_practitioners_runbook_fits_and_shows_everything(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _write(project, "oracle-drift", PRACTITIONER)
    rules = sorted(f.rsplit(" [", 1)[-1] for f in _findings(project))
    assert rules == ["never-reviewed]", "no-escalation]", "no-verification]"], rules
    build_site(project)
    page = (project / "site/runbooks/oracle-drift/index.html").read_text(encoding="utf-8")
    for heading in (
        "How to tell it apart",
        "Investigation",
        "Evidence to preserve",
        "After the incident",
        "Common root causes",
        "Dashboards, alerts and logs",
        "Related runbooks",
    ):
        assert f">{heading}<" in page, heading
    assert "<code>cast call $FEED &#x27;latestAnswer()&#x27;</code>" in page
    assert "One bad source must not move the market." in page
    assert 'href="https://grafana.example.org/d/oracle"' in page
    assert 'href="../api-outage/"' in page
    assert "no verification step given" in page
    assert "never reviewed" in page


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("related", "[no-such-runbook]", "reference"),
        ("links", "[{title: x, url: 'http://x'}]", "schema"),
    ],
)
def test_the_new_fields_are_checked(tmp_path: Path, field: str, value: str, rule: str) -> None:
    project = make_project(tmp_path)
    _write(project, "keeper-stalled", MINIMAL + f"{field}: {value}\n")
    errors = [f for f in _findings(project) if ": error: " in f]
    assert len(errors) == 1 and f"$.{field}" in errors[0] and f"[{rule}]" in errors[0], errors
