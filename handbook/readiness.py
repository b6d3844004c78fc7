"""Readiness findings: what the data may leave out, reported instead of required.

A runbook needs an id, a title, a reachable owner and steps to act; everything a
practitioner's material may not have (a review date, a typical severity, an escalation, a
verification step) is optional, and its absence is a finding of ``handbook review`` (and a
warning of ``handbook validate``). ``readiness_errors`` in ``data/handbook.yml`` makes the
findings a team chooses errors, so its CI refuses them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from handbook.clocks import REVIEWS
from handbook.diagnostics import Diagnostic, Level
from handbook.load import Record
from handbook.model import NEVER

if TYPE_CHECKING:
    from handbook.rules import RuleContext

NEVER_DONE = "never-reviewed"
NO_VERIFICATION = "no-verification"
NO_SEVERITY = "no-severity"
NO_ESCALATION = "no-escalation"
NO_QUORUM = "no-quorum"
NO_TRUST_COST = "no-trust-cost"
UNRATED_RISK = "unrated-risk"
UNOWNED_RISK = "unowned-risk"
OVERDUE = "review-overdue"
# The findings handbook review lists; readiness_errors may name any of them.
FINDINGS = (
    NEVER_DONE,
    OVERDUE,
    NO_VERIFICATION,
    NO_SEVERITY,
    NO_ESCALATION,
    NO_QUORUM,
    NO_TRUST_COST,
    UNRATED_RISK,
    UNOWNED_RISK,
)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def chosen_errors(context: RuleContext) -> frozenset[str]:
    """The findings ``handbook.yml`` makes errors (``readiness_errors``)."""
    handbooks = context.loaded.documents.get("handbook", [])
    chosen = _mapping(handbooks[0].data).get("readiness_errors") if handbooks else None
    return (
        frozenset(c for c in chosen if isinstance(c, str))
        if isinstance(chosen, list)
        else frozenset()
    )


def _level(rule: str, errors: frozenset[str]) -> Level:
    return Level.ERROR if rule in errors else Level.WARNING


def never_done(context: RuleContext, errors: frozenset[str]) -> Iterator[Diagnostic]:
    """``never-reviewed``: a record never reviewed, verified or drilled, or with no date."""
    for kind, review in REVIEWS.items():
        for record in context.loaded.records(kind):
            data = _mapping(record.data)
            if review.last not in data:
                message = (
                    f"no date of its last {review.activity}; write {review.last}: "
                    f"{NEVER} if it has never been {review.past}"
                )
                yield record.diagnostic((), message, NEVER_DONE, _level(NEVER_DONE, errors))
            elif data[review.last] == NEVER:
                yield record.diagnostic(
                    (review.last,),
                    f"never {review.past}",
                    NEVER_DONE,
                    _level(NEVER_DONE, errors),
                )


def runbook_gaps(context: RuleContext, errors: frozenset[str]) -> Iterator[Diagnostic]:
    """``no-severity``, ``no-escalation``, ``no-verification``: what a runbook leaves out."""
    for record in context.loaded.records("runbooks"):
        data = _mapping(record.data)
        if "severity" not in data:
            yield _finding(
                record, (), "no typical severity: responders must judge it", NO_SEVERITY, errors
            )
        if "escalation" not in data:
            yield _finding(
                record,
                (),
                "no escalation of its own: responders call the owner",
                NO_ESCALATION,
                errors,
            )
        mitigations = data.get("mitigations")
        for number, mitigation in enumerate(mitigations if isinstance(mitigations, list) else []):
            if isinstance(mitigation, dict) and "verify" not in mitigation:
                yield _finding(
                    record,
                    ("mitigations", number),
                    "no verification step: nothing says how to tell that it worked",
                    NO_VERIFICATION,
                    errors,
                )


def _finding(
    record: Record, path: tuple[str | int, ...], message: str, rule: str, errors: frozenset[str]
) -> Diagnostic:
    return record.diagnostic(path, message, rule, _level(rule, errors))


def intervention_gaps(context: RuleContext, errors: frozenset[str]) -> Iterator[Diagnostic]:
    """``no-quorum``, ``no-trust-cost``: what an intervention leaves unsaid."""
    for record in context.loaded.records("interventions"):
        data = _mapping(record.data)
        authority = data.get("authorised_by")
        if isinstance(authority, dict) and "quorum" not in authority:
            message = "no quorum stated: nothing says how many must agree before acting"
            yield _finding(record, ("authorised_by",), message, NO_QUORUM, errors)
        if "trust_cost" not in data:
            message = "no trust cost recorded: what using it costs in users' trust"
            yield _finding(record, (), message, NO_TRUST_COST, errors)


def risk_gaps(context: RuleContext, errors: frozenset[str]) -> Iterator[Diagnostic]:
    """``unrated-risk``, ``unowned-risk``: a register entry nobody rated or tracks."""
    for record in context.loaded.records("risks"):
        data = _mapping(record.data)
        if "likelihood" not in data and "impact" not in data:
            message = "not rated: give likelihood and impact to place it on the heat map"
            yield _finding(record, (), message, UNRATED_RISK, errors)
        if "owner" not in data:
            message = "no owner: nobody tracks it to its treatment"
            yield _finding(record, (), message, UNOWNED_RISK, errors)


def readiness(context: RuleContext) -> Iterator[Diagnostic]:
    """Every readiness finding, at the level ``readiness_errors`` sets."""
    errors = chosen_errors(context)
    yield from never_done(context, errors)
    yield from runbook_gaps(context, errors)
    yield from intervention_gaps(context, errors)
    yield from risk_gaps(context, errors)
