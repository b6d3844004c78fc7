"""Every kind of change the policy diff must flag as weakening, its mirror, and what is neither.

One row per item of the list in ``handbook.diff_effects``: each is judged through
``record_changes``, as the diff judges a record kept between two refs.
"""

from __future__ import annotations

from typing import Any

import pytest

from handbook.diff import record_changes
from handbook.diff_effects import Context, Effect

W, S, N = Effect.WEAKENS, Effect.STRENGTHENS, Effect.NEUTRAL
CONTEXT = Context(
    scale={"P1": 0, "P2": 1, "P3": 2, "SEV-1": 0, "minor": 1},
    reachable=frozenset({"devops", "secops", "incident-leader", "ana"}),
    authorising_roles=frozenset({"decision-maker"}),
)
Q = {"required": 2, "of": 5}
ITEM = {
    "id": "relay",
    "title": "Second relay",
    "owner": "secops",
    "due": "2026-12-04",
    "status": "open",
}
DONE = {**ITEM, "status": "done"}
ESCALATION = [{"team": "secops", "within": "5m"}, {"role": "incident-leader", "within": "10m"}]

# (kind, record id, old, new, effect, category)
CASES: list[tuple[str, str, dict[str, Any], dict[str, Any], Effect, str]] = [
    # Authority widened, and narrowed.
    (
        "interventions",
        "pause",
        {"authorised_by": {"quorum": Q}},
        {"authorised_by": {"quorum": {"required": 1, "of": 5}}},
        W,
        "authority",
    ),
    (
        "interventions",
        "pause",
        {"authorised_by": {"quorum": Q}},
        {"authorised_by": {"quorum": {"required": 2, "of": 7}}},
        W,
        "authority",
    ),
    (
        "interventions",
        "pause",
        {"authorised_by": {"quorum": Q}},
        {"authorised_by": {"quorum": {"required": 3, "of": 5}}},
        S,
        "authority",
    ),
    (
        "interventions",
        "pause",
        {"authorised_by": {"quorum": Q}},
        {"authorised_by": {}},
        W,
        "authority",
    ),
    (
        "interventions",
        "pause",
        {"authorised_by": {}},
        {"authorised_by": {"quorum": Q}},
        S,
        "authority",
    ),
    (
        "interventions",
        "pause",
        {"authorised_by": {"roles": ["decision-maker"]}},
        {"authorised_by": {"roles": ["decision-maker", "scribe"]}},
        W,
        "authority",
    ),
    (
        "interventions",
        "pause",
        {"authorised_by": {"roles": ["decision-maker", "scribe"]}},
        {"authorised_by": {"roles": ["decision-maker"]}},
        S,
        "authority",
    ),
    (
        "interventions",
        "pause",
        {"limits": {"max_duration": "72h"}},
        {"limits": {"max_duration": "5d"}},
        W,
        "authority",
    ),
    (
        "interventions",
        "pause",
        {"limits": {"max_duration": "72h"}},
        {"limits": {"max_duration": "none"}},
        W,
        "authority",
    ),
    (
        "interventions",
        "pause",
        {"limits": {"max_duration": "72h"}},
        {"limits": {"max_duration": "1h"}},
        S,
        "authority",
    ),
    ("interventions", "pause", {"limits": {"max_duration": "72h"}}, {"limits": {}}, W, "authority"),
    (
        "interventions",
        "pause",
        {"limits": {"reversible": True}},
        {"limits": {"reversible": False}},
        W,
        "authority",
    ),
    (
        "roles",
        "decision-maker",
        {"holders": {"primary": ["ana"]}},
        {"holders": {"primary": ["ana", "bo"]}},
        W,
        "authority",
    ),  # one more may authorise
    (
        "roles",
        "incident-leader",
        {"holders": {"primary": ["ana"]}},
        {"holders": {"primary": ["ana", "bo"]}},
        S,
        "reach",
    ),  # one more to call
    (
        "roles",
        "scribe",
        {"not_combined_with": ["incident-leader"]},
        {"not_combined_with": []},
        W,
        "authority",
    ),
    ("roles", "scribe", {"must_not": ["Sign transactions"]}, {}, W, "authority"),
    ("communications", "c", {"approval_role": "communication-manager"}, {}, W, "authority"),
    # Reach narrowed, and widened.
    ("runbooks", "r", {"owner": "devops"}, {}, W, "reach"),
    ("runbooks", "r", {"owner": "devops"}, {"owner": "nobody-reachable"}, W, "reach"),
    ("runbooks", "r", {"owner": "devops"}, {"owner": "secops"}, N, "edit"),
    (
        "teams",
        "t",
        {"contacts": [{"type": "phone", "value": "+1"}, {"type": "email", "value": "a"}]},
        {"contacts": [{"type": "email", "value": "a"}]},
        W,
        "reach",
    ),
    (
        "teams",
        "t",
        {"contacts": [{"type": "email", "value": "a"}]},
        {"contacts": [{"type": "email", "value": "a"}, {"type": "chat", "value": "#x"}]},
        S,
        "reach",
    ),
    (
        "dependencies",
        "d",
        {
            "contacts": [
                {
                    "name": "Support",
                    "channels": [
                        {"type": "phone", "value": "+1"},
                        {"type": "email", "value": "s@x"},
                    ],
                }
            ]
        },
        {"contacts": [{"name": "Support", "channels": [{"type": "email", "value": "s@x"}]}]},
        W,
        "reach",
    ),
    ("severities", "P1", {"escalation": ESCALATION}, {"escalation": ESCALATION[:1]}, W, "reach"),
    ("severities", "P1", {"escalation": ESCALATION[:1]}, {"escalation": ESCALATION}, S, "reach"),
    (
        "severities",
        "P1",
        {"escalation": [{"team": "secops", "within": "5m"}]},
        {"escalation": [{"team": "gone", "within": "5m"}]},
        W,
        "reach",
    ),
    (
        "roles",
        "incident-leader",
        {"holders": {"primary": ["ana", "bo"]}},
        {"holders": {"primary": ["ana"]}},
        W,
        "reach",
    ),
    ("roles", "incident-leader", {"holders": {"backup": ["bo"]}}, {"holders": {}}, W, "reach"),
    ("handbook", "handbook", {"fallback_team": "secops"}, {"fallback_team": "devops"}, W, "reach"),
    ("handbook", "handbook", {"fallback_team": "secops"}, {}, W, "reach"),
    (
        "severities",
        "P1",
        {"involved_roles": ["scribe", "decision-maker"]},
        {"involved_roles": ["scribe"]},
        W,
        "reach",
    ),
    (
        "severities",
        "P1",
        {"involved_roles": ["scribe"]},
        {"involved_roles": ["scribe", "decision-maker"]},
        S,
        "reach",
    ),
    ("severities", "P1", {"pages": True}, {"pages": False}, W, "reach"),
    ("severities", "P1", {"pages": False}, {"pages": True}, S, "reach"),
    ("signals", "s", {"notify_roles": ["scribe"]}, {"notify_roles": []}, W, "reach"),
    ("signals", "s", {"notify_external": ["seal-911"]}, {}, W, "reach"),
    # Time relaxed, and tightened.
    (
        "severities",
        "P2",
        {"response": {"target": "30m"}},
        {"response": {"target": "1h"}},
        W,
        "time",
    ),
    (
        "severities",
        "P2",
        {"response": {"target": "1h"}},
        {"response": {"target": "30m"}},
        S,
        "time",
    ),
    (
        "severities",
        "P2",
        {"response": {"target": "15m"}},
        {"response": {"target": "none"}},
        W,
        "time",
    ),
    ("severities", "P2", {"update_cadence": "1h"}, {"update_cadence": "1d"}, W, "time"),
    ("severities", "P2", {"update_cadence": "1h"}, {}, W, "time"),
    ("severities", "P2", {"update_cadence": "none"}, {"update_cadence": "1h"}, S, "time"),
    (
        "severities",
        "P1",
        {"escalation": [{"team": "secops", "within": "5m"}]},
        {"escalation": [{"team": "secops", "within": "15m"}]},
        W,
        "time",
    ),
    (
        "dependencies",
        "d",
        {"degraded_mode": {"max_tolerable": "4h"}},
        {"degraded_mode": {"max_tolerable": "1d"}},
        W,
        "time",
    ),
    ("runbooks", "r", {"review_interval_days": 90}, {"review_interval_days": 365}, W, "time"),
    ("interventions", "i", {"drill_interval_days": 90}, {"drill_interval_days": 30}, S, "time"),
    ("dependencies", "d", {"verify_interval_days": 30}, {"verify_interval_days": 60}, W, "time"),
    (
        "handbook",
        "handbook",
        {"review_defaults": {"runbook_days": 180}},
        {"review_defaults": {"runbook_days": 365}},
        W,
        "time",
    ),
    ("runbooks", "r", {"last_reviewed": "2026-09-15"}, {"last_reviewed": "2026-06-01"}, W, "time"),
    ("runbooks", "r", {"last_reviewed": "2026-06-01"}, {"last_reviewed": "2026-09-15"}, S, "time"),
    ("interventions", "i", {"last_drilled": "2026-01-02"}, {"last_drilled": "never"}, W, "time"),
    ("interventions", "i", {"last_drilled": "never"}, {"last_drilled": "2026-03-01"}, S, "time"),
    ("interventions", "i", {"last_drilled": "2026-01-02"}, {}, W, "time"),
    ("risks", "k", {"due": "2026-12-01"}, {"due": "2027-06-01"}, W, "time"),
    # Cover removed, and added.
    (
        "runbooks",
        "r",
        {"mitigations": [{"id": "a", "title": "Roll back"}]},
        {"mitigations": []},
        W,
        "cover",
    ),
    (
        "runbooks",
        "r",
        {"mitigations": []},
        {"mitigations": [{"id": "a", "title": "Roll back"}]},
        S,
        "cover",
    ),
    (
        "runbooks",
        "r",
        {"mitigations": [{"id": "a", "verify": "Errors below 1%."}]},
        {"mitigations": [{"id": "a"}]},
        W,
        "cover",
    ),
    ("dependencies", "d", {"degraded_mode": {"how_to_enter": ["Fail over."]}}, {}, W, "cover"),
    ("runbooks", "r", {"signals": ["api-errors"]}, {"signals": []}, W, "cover"),
    ("signals", "s", {"runbook": "api-outage"}, {}, W, "cover"),
    ("interventions", "i", {"signals": ["a", "b"]}, {"signals": ["a"]}, W, "cover"),
    (
        "risks",
        "k",
        {"mitigations": {"runbooks": ["r"]}},
        {"mitigations": {"runbooks": []}},
        W,
        "cover",
    ),
    ("risks", "k", {"controls": ["Monitoring"]}, {}, W, "cover"),
    ("interventions", "i", {"trust_cost": "Users see it."}, {}, W, "cover"),
    (
        "handbook",
        "handbook",
        {"readiness_errors": ["no-severity"]},
        {"readiness_errors": []},
        W,
        "cover",
    ),
    # Severity lowered, and raised.
    ("signals", "s", {"severity": "P1"}, {"severity": "P3"}, W, "severity"),
    ("runbooks", "r", {"severity": "P3"}, {"severity": "P1"}, S, "severity"),
    ("runbooks", "r", {"severity": "SEV-1"}, {"severity": "minor"}, W, "severity"),
    ("runbooks", "r", {"severity": "P2"}, {}, W, "severity"),
    ("risks", "k", {"likelihood": 4, "impact": 5}, {"likelihood": 2, "impact": 5}, W, "severity"),
    ("risks", "k", {"likelihood": 2, "impact": 5}, {"likelihood": 2, "impact": 4}, W, "severity"),
    ("risks", "k", {"likelihood": 2, "impact": 5}, {"likelihood": 3, "impact": 5}, S, "severity"),
    ("risks", "k", {"likelihood": 2, "impact": 5}, {}, W, "severity"),
    # Exposure widened, and narrowed.
    ("runbooks", "r", {"visibility": "internal"}, {"visibility": "public"}, W, "exposure"),
    ("runbooks", "r", {"visibility": "internal"}, {}, W, "exposure"),  # public by default
    ("runbooks", "r", {}, {"visibility": "internal"}, S, "exposure"),
    (
        "teams",
        "t",
        {"contacts": [{"type": "phone", "value": "+1", "visibility": "internal"}]},
        {"contacts": [{"type": "phone", "value": "+1"}]},
        W,
        "exposure",
    ),
    (
        "handbook",
        "handbook",
        {"public_url": "https://a.example"},
        {"public_url": "https://b.example"},
        W,
        "exposure",
    ),
    ("handbook", "handbook", {"public_url": "https://a.example"}, {}, W, "exposure"),
    # Neither.
    ("runbooks", "r", {"tags": ["a"]}, {"tags": []}, N, "edit"),
    ("runbooks", "r", {"summary": "Old words."}, {"summary": "New words."}, N, "edit"),
    ("runbooks", "r", {"severity": "P1"}, {"severity": "P9"}, N, "edit"),  # not in the scale
    ("runbooks", "r", {"severity": "P1"}, {"severity": ["P6"]}, N, "edit"),  # invalid: no crash
    ("handbook", "handbook", {}, {"public_url": "https://a.example"}, N, "edit"),
    ("severities", "P1", {"escalation": ESCALATION}, {"escalation": ESCALATION[::-1]}, N, "order"),
    # Action items: tracked to completion, never quietly lost.
    ("incidents", "exploit", {"action_items": [ITEM]}, {"action_items": []}, W, "cover"),
    ("incidents", "exploit", {"action_items": [DONE]}, {"action_items": []}, N, "edit"),
    ("incidents", "exploit", {"action_items": []}, {"action_items": [ITEM]}, S, "cover"),
    ("incidents", "exploit", {"action_items": [ITEM]}, {"action_items": [DONE]}, S, "cover"),
    (
        "exercises",
        "drill",
        {"action_items": [ITEM]},
        {"action_items": [{**ITEM, "status": "dropped"}]},
        W,
        "cover",
    ),
    ("incidents", "exploit", {"action_items": [DONE]}, {"action_items": [ITEM]}, N, "edit"),
    (
        "incidents",
        "exploit",
        {"action_items": [ITEM]},
        {"action_items": [{**ITEM, "due": "2027-01-15"}]},
        W,
        "time",
    ),
    (
        "incidents",
        "exploit",
        {"action_items": [ITEM]},
        {"action_items": [{**ITEM, "due": "2026-12-01"}]},
        S,
        "time",
    ),
]


@pytest.mark.parametrize(("kind", "record", "old", "new", "effect", "category"), CASES)
def test_what_each_change_does(
    kind: str, record: str, old: dict, new: dict, effect: Effect, category: str
) -> None:
    changes = list(record_changes(kind, record, kind, old, new, CONTEXT))
    assert len(changes) == 1, [c.text for c in changes]
    assert (changes[0].verdict.effect, changes[0].verdict.category) == (effect, category)


def test_every_category_weakens_and_strengthens_somewhere() -> None:
    from handbook.diff_effects import CATEGORIES

    seen = {(effect, category) for *_, effect, category in CASES}
    for category in CATEGORIES:
        assert (W, category) in seen and (S, category) in seen, category


def test_an_entry_edited_in_place_is_one_change() -> None:
    old = {"escalation": [*ESCALATION, {"role": "decision-maker", "within": "15m"}]}
    new = {"escalation": [*ESCALATION, {"role": "decision-maker", "within": "15m", "note": "x"}]}
    (change,) = record_changes("severities", "P1", "severity P1", old, new, CONTEXT)
    assert change.words == "escalation step role decision-maker note added: x"
    contacts = [{"type": "phone", "value": "+12015550100", "label": "Bridge"}]
    edited = [{"type": "phone", "value": "+12015550199", "label": "Bridge"}]
    (number,) = record_changes(
        "teams", "t", "team T", {"contacts": contacts}, {"contacts": edited}, CONTEXT
    )
    assert number.words == "contact “Bridge” value +12015550100 → +12015550199"
    assert number.verdict.effect is N


def test_an_entry_calling_someone_else_is_named_by_its_place() -> None:
    old = {"escalation": [{"team": "secops", "within": "5m", "note": "Page them."}]}
    new = {"escalation": [{"team": "devops", "within": "5m", "note": "Page them."}]}
    (change,) = record_changes("severities", "P1", "severity P1", old, new, CONTEXT)
    assert change.words == "escalation step 1 team secops → devops"
