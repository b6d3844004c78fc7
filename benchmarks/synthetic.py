"""Generate a synthetic handbook of N runbooks whose records all reference each other.

The organisation-wide files (handbook, policy, roles, people, teams, severities,
communications) are copied from the shipped example; runbooks, dependencies,
interventions, signals and risks are generated so that every reference resolves.

    python benchmarks/synthetic.py 1000 /tmp/handbook-1000 [--site]

With ``--site`` (``generate(..., site=True)``) the project also gets the shipped
``mkdocs.yml``, ``docs/`` and ``macros/``, so ``handbook build`` can build it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
SHARED = (
    "handbook.yml",
    "policy.yml",
    "roles.yml",
    "people.yml",
    "teams.yml",
    "severities.yml",
    "communications.yml",
)
# What a project needs besides data/ and schemas/ for ``handbook build`` to build it.
SITE_FILES = ("mkdocs.yml",)
SITE_FOLDERS = ("docs", "macros")
REVIEWED = "2026-11-01"


def _dump(path: Path, comment: str, data: Any) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(f"# {comment}\n{text}", encoding="utf-8")


def _first_ids(path: Path) -> list[str]:
    return [item["id"] for item in yaml.safe_load(path.read_text(encoding="utf-8"))]


def _channel(number: int) -> dict[str, str]:
    # Distinct numbers libphonenumber accepts (area code 201, exchanges 300 to 399).
    return {"type": "phone", "value": f"+12013{number % 1000000:06d}", "visibility": "internal"}


def runbook(number: int, team: str, role: str, severity: str) -> dict[str, Any]:
    """One valid runbook that uses dependency, intervention and signal of the same number."""
    return {
        "id": f"runbook-{number}",
        "title": f"Synthetic incident type {number}",
        "summary": f"What to do when synthetic component {number} misbehaves.",
        "owner": team,
        "severity": severity,
        "tags": ["synthetic"],
        "signals": [f"signal-{number}"],
        "symptoms": ["Error rate rises above the alert threshold.", "Users report failures."],
        "immediate_actions": [
            {"text": "Acknowledge the page and open the incident channel.", "role": role},
            {"text": "Confirm the severity against the matrix."},
        ],
        "mitigations": [
            {
                "id": "fail-over",
                "title": "Fail over to the standby",
                "preference": "preferred",
                "when": "The primary is unreachable for more than five minutes.",
                "impact": "Requests take longer while caches warm up.",
                "steps": ["Switch traffic to the standby.", "Watch the error rate."],
                "verify": "The error rate is back under the threshold.",
            },
            {
                "id": "degrade",
                "title": "Enter the degraded mode",
                "preference": "fallback",
                "when": "The standby is unavailable too.",
                "impact": "New positions are disabled.",
                "steps": ["Enable the read-only flag."],
                "verify": "The status page shows read-only mode.",
            },
        ],
        "escalation": [{"role": role, "within": "15m"}, {"team": team, "within": "30m"}],
        "resolution_checklist": ["Mitigation verified.", "Post-mortem scheduled."],
        "dependencies": [f"dependency-{number}"],
        "interventions": [f"intervention-{number}"],
        "last_reviewed": REVIEWED,
    }


def dependency(number: int, team: str) -> dict[str, Any]:
    """One valid dependency with vendor contacts and a degraded mode."""
    return {
        "id": f"dependency-{number}",
        "name": f"Synthetic provider {number}",
        "kind": "saas",
        "criticality": "high",
        "owner": team,
        "description": f"Provider of synthetic component {number}.",
        "contacts": [
            {"name": "Vendor support", "purpose": "support", "channels": [_channel(number)]}
        ],
        "degraded_mode": {
            "what_still_works": "Reads and withdrawals.",
            "user_impact": "New deposits are delayed.",
            "how_to_enter": ["Enable the read-only flag."],
            "max_tolerable": "4h",
        },
        "last_verified": REVIEWED,
    }


def copy_site(target: Path) -> None:
    """Copy the shipped site set-up (mkdocs.yml, docs/, macros/) into the project."""
    for name in SITE_FILES:
        shutil.copy(REPO / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__")
    for name in SITE_FOLDERS:
        shutil.copytree(REPO / name, target / name, ignore=ignore)


def generate(count: int, target: Path, site: bool = False) -> Path:
    """Write a project with ``count`` runbooks to ``target``; return the project root.

    With ``site`` the project also gets what ``handbook build`` needs (``copy_site``).
    """
    data = target / "data"
    if target.exists():
        shutil.rmtree(target)
    (data / "runbooks").mkdir(parents=True)
    (data / "dependencies").mkdir()
    shutil.copytree(REPO / "schemas", target / "schemas")
    if site:
        copy_site(target)
    for name in SHARED:
        shutil.copy(REPO / "data" / name, data / name)
    teams = _first_ids(data / "teams.yml")
    severities = _first_ids(data / "severities.yml")
    signals, interventions, risks = [], [], []
    for number in range(count):
        team = teams[number % len(teams)]
        severity = severities[number % len(severities)]
        _dump(
            data / "runbooks" / f"runbook-{number}.yml",
            "A synthetic runbook.",
            runbook(number, team, "incident-leader", severity),
        )
        _dump(
            data / "dependencies" / f"dependency-{number}.yml",
            "A synthetic dependency.",
            dependency(number, team),
        )
        signals.append(
            {
                "id": f"signal-{number}",
                "name": f"Synthetic alert {number}",
                "source": "Grafana",
                "condition": "Error rate above 5% for 5 minutes.",
                "severity": severity,
                "runbook": f"runbook-{number}",
                "notify_roles": ["incident-leader"],
                "action": "Page the incident leader.",
            }
        )
        interventions.append(
            {
                "id": f"intervention-{number}",
                "title": f"Pause synthetic market {number}",
                "action": "pause",
                "target": f"Market {number}",
                "mechanism": "Guardian multisig calls pause().",
                "authorised_by": {"roles": ["incident-leader"], "quorum": {"required": 1, "of": 1}},
                "signals": [f"signal-{number}"],
                "runbook": f"runbook-{number}",
                "limits": {
                    "max_duration": "24h",
                    "reversible": True,
                    "blast_radius": "One market.",
                },
                "trust_cost": "Users see a paused market.",
                "last_drilled": REVIEWED,
            }
        )
        risks.append(
            {
                "id": f"risk-{number}",
                "title": f"Synthetic risk {number}",
                "description": "A provider fails without notice.",
                "likelihood": 1 + number % 5,
                "impact": 1 + (number // 5) % 5,
                "owner": team,
                "mitigations": {
                    "runbooks": [f"runbook-{number}"],
                    "interventions": [f"intervention-{number}"],
                },
                "status": "open",
                "introduced_in": "v1.0.0",
                "last_reviewed": REVIEWED,
            }
        )
    _dump(data / "signals.yml", "Synthetic monitoring signals.", signals)
    _dump(data / "interventions.yml", "Synthetic interventions.", interventions)
    _dump(data / "risks.yml", "Synthetic risks.", risks)
    return target


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--site"]
    if len(arguments) != 2:
        sys.exit("usage: synthetic.py COUNT TARGET_DIR [--site]")
    print(generate(int(arguments[0]), Path(arguments[1]), site="--site" in sys.argv[1:]))
