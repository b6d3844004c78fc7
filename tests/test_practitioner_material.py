"""Real, public incident-response material, written into the format without inventing a value.

Each case paraphrases a practitioner's source in our own words, keeping what it says and
leaving out what it does not say. Only readiness findings (warnings) may follow, never an
error: the format must not force a team to make anything up.

- PagerDuty's five severity levels (SEV-1 to SEV-5, two of them major incidents).
- SEAL's smart-contract exploit runbook (a primary responder, alerts, how to tell an
  exploit from look-alikes, investigation, mitigations neither ranked nor verified,
  post-exploit work, common root causes, related runbooks).
- GitLab's HAProxy backend-down runbook (dashboards, alert behaviour, a verification
  link, recent changes; no escalation, severity, resolution checklist or review date).
- SEAL 911 as an external responder, with its own [fields] in the message to send.
- The emergency pause as SEAL describes it: never drilled, no trust cost or quorum
  stated, no maximum duration, and the signers' message with its [X/Y] field.
"""

from __future__ import annotations

import re
from pathlib import Path

from handbook.pipeline import Project, validate
from tests.conftest import TODAY, build_site, make_project

PAGERDUTY_LEVELS = """\
# Severities: PagerDuty's five levels, as its response documentation defines them.
- id: SEV-1
  name: Critical
  impact: A critical issue that warrants public notification and liaison with executive teams.
  pages: true
  major: true
  response:
    target: none
    description: A major incident; the full incident response process is mobilised.
  examples:
    - The system is in a critical state and actively impacting a large number of customers.
    - Functionality is severely impaired for a long time, breaching service agreements.
  escalation:
    - team: secops
- id: SEV-2
  name: Major
  impact: A critical system issue actively impacting many customers' ability to use the product.
  pages: true
  major: true
  response:
    target: none
    description: A major incident; the full incident response process is mobilised.
  escalation:
    - team: secops
- id: SEV-3
  name: Minor
  impact: Stability or minor customer-impacting issues that require immediate attention.
  pages: true
  response:
    target: none
    description: Handled by the owning team's on-call, without the major incident process.
  escalation:
    - team: devops
- id: SEV-4
  name: Low
  impact: Minor issues requiring action, with no impact on customers' ability to use the product.
  pages: false
  response:
    target: none
- id: SEV-5
  name: Cosmetic
  impact: Cosmetic issues or bugs that do not affect the ability to use the product.
  pages: false
  response:
    target: none
"""

SEAL_EXPLOIT = """\
# Runbook: a smart contract is being exploited, after SEAL's exploit playbook.
id: contract-exploit
title: Smart contract exploit in progress
owner: secops
summary: Contain an active exploit first, then understand it, then recover.
symptoms:
  - Funds leave a contract in transactions nobody on the team sent.
differentiation:
  - A large but legitimate withdrawal comes from a known address through the normal path.
  - A frontend compromise changes what users sign; the contracts behave as written.
immediate_actions:
  - text: Open the war room and bring in the primary responder for the affected contracts.
    role: incident-leader
    why: One person coordinating stops duplicate and contradictory actions.
  - text: Pause or restrict the affected contracts if a pause exists.
    role: decision-maker
    why: Every block without containment can lose more funds.
investigation:
  - text: Identify the attack transactions and the attacker's addresses.
    role: subject-matter-expert
  - text: Work out which function and which invariant the attacker broke.
    role: subject-matter-expert
mitigations:
  - id: pause-affected
    title: Pause the affected contracts
    steps:
      - Collect the signatures the pause needs.
  - id: whitehat-rescue
    title: Move remaining funds out of reach
    steps:
      - Only with a tested rescue transaction and Decision Makers' approval.
evidence:
  - Attack transaction hashes, attacker addresses and the blocks they landed in.
follow_ups:
  - Publish a post-mortem once the funds are safe.
  - Work with exchanges and bridges on freezing what can still be frozen.
root_causes:
  - Access control missing on a privileged function.
  - Price manipulation through a thin liquidity pool.
related:
  - exploit-in-progress
last_reviewed: never
"""

GITLAB_HAPROXY = """\
# Runbook: HAProxy reports a backend server down, after GitLab's public runbook.
id: haproxy-server-down
title: HAProxy backend server down
owner: devops
summary: HAProxy marks a backend server as down after failed health checks.
symptoms:
  - The HAProxyServerDown alert fires for one or more backends.
differentiation:
  - One server down is usually the server; all servers down is usually the backend service.
investigation:
  - text: Check which servers the load balancer marks as down, and since when.
    expected: The dashboard shows the same servers as the alert.
  - text: Look for recent changes to the affected servers or their configuration.
immediate_actions:
  - text: Check the health of the backend service on the affected servers.
    command: curl -sf http://localhost:8080/-/health
    expected: HTTP 200.
links:
  - title: HAProxy backend dashboard
    url: https://dashboards.example.org/haproxy
    kind: dashboard
  - title: HAProxyServerDown alert definition
    url: https://alerts.example.org/haproxy-server-down
    kind: alert
"""

SEAL_911 = """\
# External responders: SEAL 911, the security emergency line.
- id: seal-911
  name: SEAL 911
  kind: security-emergency
  contacts:
    - type: url
      value: https://t.me/seal_911_bot
      visibility: public
  when_to_contact:
    - An exploit is in progress and we need help to trace or stop it.
  message_template: >-
    [Protocol Name] is being exploited on [Chain]. Affected contracts: [Addresses].
    Attack transactions: [Transaction Hashes]. Contact: [Name].
  response: Volunteers answer around the clock.
"""

EMERGENCY_PAUSE = """\
- id: emergency-pause
  title: Emergency pause
  action: pause
  target: Every pausable contract of the protocol.
  mechanism: The guardian multisig calls pause() on each contract.
  authorised_by:
    roles:
      - decision-maker
  runbook: exploit-in-progress
  limits:
    max_duration: none
    reversible: true
    blast_radius: Every user of the paused contracts.
  signer_message_template: Signed - [X/Y] - [your name]
  last_drilled: never
"""


def _project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def _only_findings(project: Path) -> list[str]:
    """Every diagnostic, asserting none is an error; the findings' rules."""
    result = validate(Project.at(project), today=TODAY)
    errors = [
        f"{d.file}:{d.line}: {d.path}: {d.message} [{d.rule}]"
        for d in result.diagnostics
        if d.level == "error"
    ]
    assert errors == []
    return sorted(f"{d.file}: {d.rule}" for d in result.diagnostics)


def test_pagerduty_levels_fit_as_written(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "data/severities.yml").write_text(PAGERDUTY_LEVELS, encoding="utf-8")
    for path in (project / "data").rglob("*.yml"):
        if path.name != "severities.yml":
            text = path.read_text(encoding="utf-8")
            path.write_text(re.sub(r"\bP([1-5])\b", r"SEV-\1", text), encoding="utf-8")
    assert _only_findings(project) == []


def test_seal_and_gitlab_runbooks_fit_as_written(tmp_path: Path) -> None:
    project = _project(tmp_path)
    runbooks = project / "data/runbooks"
    (runbooks / "contract-exploit.yml").write_text(SEAL_EXPLOIT, encoding="utf-8")
    (runbooks / "haproxy-server-down.yml").write_text(GITLAB_HAPROXY, encoding="utf-8")
    assert _only_findings(project) == [
        "data/runbooks/contract-exploit.yml: never-reviewed",
        "data/runbooks/contract-exploit.yml: no-escalation",
        "data/runbooks/contract-exploit.yml: no-severity",
        "data/runbooks/contract-exploit.yml: no-verification",
        "data/runbooks/contract-exploit.yml: no-verification",
        "data/runbooks/haproxy-server-down.yml: never-reviewed",
        "data/runbooks/haproxy-server-down.yml: no-escalation",
        "data/runbooks/haproxy-server-down.yml: no-severity",
    ]


def test_seal_911_and_the_emergency_pause_fit_as_written(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "data/external_responders.yml").write_text(SEAL_911, encoding="utf-8")
    interventions = project / "data/interventions.yml"
    interventions.write_text(interventions.read_text(encoding="utf-8") + EMERGENCY_PAUSE)
    assert _only_findings(project) == [
        "data/interventions.yml: never-reviewed",
        "data/interventions.yml: no-quorum",
        "data/interventions.yml: no-trust-cost",
    ]
    # A bracket outside a message template is still a placeholder left in the data.
    interventions.write_text(
        interventions.read_text(encoding="utf-8").replace(
            "blast_radius: Every user of the paused contracts.", "blast_radius: Users in [who]"
        )
    )
    result = validate(Project.at(project), today=TODAY)
    assert [d.rule for d in result.diagnostics if d.level == "error"] == ["placeholder"]


L2BEAT_RISK = """\
- id: upgrade-without-delay
  title: Funds can be stolen through an upgrade with no delay
  description: >-
    A bridge contract can be upgraded at once by its admin; a malicious or compromised
    admin could replace the code and take the funds it holds.
  inherent:
    likelihood: 2
    impact: 5
  treatment: mitigate
  controls:
    - We watch the admin address for upgrade transactions.
  due: "2027-03-31"
"""


def test_a_risk_register_entry_fits_as_written(tmp_path: Path) -> None:
    project = _project(tmp_path)
    risks = project / "data/risks.yml"
    risks.write_text(risks.read_text(encoding="utf-8") + L2BEAT_RISK, encoding="utf-8")
    assert _only_findings(project) == [
        "data/risks.yml: never-reviewed",
        "data/risks.yml: unowned-risk",
        "data/risks.yml: unrated-risk",
    ]
    # A rating is both numbers or none: half a rating is an error at the risk.
    risks.write_text(risks.read_text(encoding="utf-8") + "  likelihood: 3\n", encoding="utf-8")
    result = validate(Project.at(project), today=TODAY)
    errors = [d for d in result.diagnostics if d.level == "error"]
    assert len(errors) == 1 and errors[0].file == "data/risks.yml" and errors[0].rule == "schema"
    assert errors[0].message == "likelihood needs impact too: give both or neither"


def test_an_unrated_risk_is_listed_but_not_placed(tmp_path: Path) -> None:
    project = _project(tmp_path)
    risks = project / "data/risks.yml"
    risks.write_text(risks.read_text(encoding="utf-8") + L2BEAT_RISK, encoding="utf-8")
    build_site(project)
    register = (project / "site/risks/index.html").read_text(encoding="utf-8")
    assert "not rated" in register and "1 unrated risk not shown" in register
    page = (project / "site/risks/upgrade-without-delay/index.html").read_text(encoding="utf-8")
    assert "Before controls" in page and "2 × 5 = 10" in page
    assert "Controls in place" in page and "Treatment due" in page
