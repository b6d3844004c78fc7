"""Readiness findings: what the data may leave out, reported instead of required.

A runbook needs an id, a title, a reachable owner and steps to act; everything a
practitioner's material may not have (a review date, a typical severity, an escalation, a
verification step) is optional, and its absence is a finding of ``handbook review`` (and a
warning of ``handbook validate``). ``readiness_errors`` in ``data/handbook.yml`` makes the
findings a team chooses errors, so its CI refuses them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handbook.clocks import REVIEWS
from handbook.diagnostics import Diagnostic, Level
from handbook.drills import NEVER_DRILLED, last_done, never_drilled
from handbook.kinds import EVERY
from handbook.model import NEVER
from handbook.references import walk

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
OVERDUE_ITEM = "action-item-overdue"  # handbook.actions
DUE_SOON_ITEM = "action-item-due-soon"
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
    NEVER_DRILLED,
    OVERDUE_ITEM,
    DUE_SOON_ITEM,
)


@dataclass(frozen=True)
class Gap:
    """A finding: a record of ``kind`` whose object at ``within`` has none of ``absent``."""

    rule: str
    kind: str
    absent: tuple[str, ...]
    message: str
    within: tuple[str, ...] = ()  # a path pattern inside the record (``EVERY``: each item)


GAPS: tuple[Gap, ...] = (
    Gap(NO_SEVERITY, "runbooks", ("severity",), "no typical severity: responders must judge it"),
    Gap(
        NO_ESCALATION,
        "runbooks",
        ("escalation",),
        "no escalation of its own: responders call the owner",
    ),
    Gap(
        NO_VERIFICATION,
        "runbooks",
        ("verify",),
        "no verification step: nothing says how to tell that it worked",
        ("mitigations", EVERY),
    ),
    Gap(
        NO_QUORUM,
        "interventions",
        ("quorum",),
        "no quorum stated: nothing says how many must agree before acting",
        ("authorised_by",),
    ),
    Gap(
        NO_TRUST_COST,
        "interventions",
        ("trust_cost",),
        "no trust cost recorded: what using it costs in users' trust",
    ),
    Gap(
        UNRATED_RISK,
        "risks",
        ("likelihood", "impact"),
        "not rated: give likelihood and impact to place it on the heat map",
    ),
    Gap(UNOWNED_RISK, "risks", ("owner",), "no owner: nobody tracks it to its treatment"),
)


def chosen_errors(context: RuleContext) -> frozenset[str]:
    """The findings ``handbook.yml`` makes errors (``readiness_errors``)."""
    handbooks = context.loaded.documents.get("handbook", [])
    data = handbooks[0].data if handbooks else None
    chosen = data.get("readiness_errors") if isinstance(data, dict) else None
    if not isinstance(chosen, list):
        return frozenset()
    return frozenset(c for c in chosen if isinstance(c, str))


def finding_levels(context: RuleContext) -> Callable[[str], Level]:
    """A finding's level by its rule: a warning, or an error when ``readiness_errors`` names it.

    ``readiness_errors`` is read once, for every finding the returned function rates.
    """
    errors = chosen_errors(context)
    return lambda rule: Level.ERROR if rule in errors else Level.WARNING


def finding_level(context: RuleContext, rule: str) -> Level:
    """The level of the findings of ``rule`` (see ``finding_levels``)."""
    return finding_levels(context)(rule)


def readiness(context: RuleContext) -> Iterator[Diagnostic]:
    """Every readiness finding, at the level ``readiness_errors`` sets."""
    level = finding_levels(context)

    for gap in GAPS:
        for record in context.loaded.records(gap.kind):
            for path, node in walk(record.data, gap.within):
                if isinstance(node, dict) and not any(f in node for f in gap.absent):
                    yield record.diagnostic(path, gap.message, gap.rule, level(gap.rule))
    for record in never_drilled(context.loaded, context.drills):
        message = "never drilled: no exercise in data/exercises/ names this runbook"
        yield record.diagnostic(("id",), message, NEVER_DRILLED, level(NEVER_DRILLED))
    # Never reviewed, verified or drilled: not recorded, or said outright. A last drill an
    # exercise records is a date (``drills.last_done``), as the review clocks read it.
    for kind, review in REVIEWS.items():
        for record in context.loaded.records(kind):
            if not isinstance(record.data, dict):
                continue
            last = last_done(context.drills, kind, review.last, record)
            if last is None:
                message = (
                    f"no date of its last {review.activity}; write {review.last}: "
                    f"{NEVER} if it has never been {review.past}"
                )
                yield record.diagnostic((), message, NEVER_DONE, level(NEVER_DONE))
            elif last == NEVER:
                message = f"never {review.past}"
                yield record.diagnostic((review.last,), message, NEVER_DONE, level(NEVER_DONE))
