"""What one change does to readiness: weakens it, strengthens it, or neither, and in what way.

The complete list of what weakens readiness lives here, as tables keyed by field name:

- **authority** widened: a quorum lowered (or more signers able to make it up), an
  authorising role or a holder of such a role added, a separation of duties or a limit
  dropped, a maximum duration lengthened, an action made irreversible, a new intervention;
- **reach** narrowed: an owner, contact, channel, escalation step, role holder, backup,
  involved role, notified role or the fallback team removed, changed to someone nobody can
  reach, or (the fallback team) changed at all; a level that no longer pages;
- **time** relaxed: a response target, update cadence, escalation ``within``, tolerable
  outage, review, verification or drill interval lengthened; a review date moved back, a
  due date moved later (an action item's too);
- **cover** removed: a runbook, mitigation, degraded mode, verification, signal mapping,
  intervention, control or readiness error removed; an action item deleted while open
  (or its incident or exercise deleted with it) or dropped;
- **severity** lowered: of a signal or a runbook, or a risk's rating;
- **exposure** widened: a record or channel made public, the public address changed.

The mirror of each is a strengthening; anything else is a neutral edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from handbook.clocks import REVIEWS
from handbook.facts import minutes, quorum_pair
from handbook.model import ACTION_OPEN, NEVER, NONE

MISSING: Any = object()  # a side of a change where the value is not there


class Effect(StrEnum):
    """Whether a change leaves the team less or more prepared."""

    WEAKENS = "weakens"
    STRENGTHENS = "strengthens"
    NEUTRAL = "neutral"


# Category -> (words when it weakens, words when it strengthens), in the order shown.
CATEGORIES: dict[str, tuple[str, str]] = {
    "authority": ("authority widened", "authority narrowed"),
    "reach": ("reach narrowed", "reach widened"),
    "time": ("time relaxed", "time tightened"),
    "cover": ("cover removed", "cover added"),
    "severity": ("severity lowered", "severity raised"),
    "exposure": ("exposure widened", "exposure narrowed"),
}
# Categories of neutral changes.
EDIT, RENAME, MOVE, ORDER = "edit", "rename", "move", "order"


@dataclass(frozen=True)
class Verdict:
    """A change's effect on readiness and the way it has it."""

    effect: Effect
    category: str

    def words(self) -> str:
        """``authority widened``, ``time tightened``; empty for a neutral change."""
        if self.effect is Effect.NEUTRAL:
            return ""
        weakened, strengthened = CATEGORIES[self.category]
        return weakened if self.effect is Effect.WEAKENS else strengthened


NEUTRAL = Verdict(Effect.NEUTRAL, EDIT)


def verdict(category: str, weakens: bool | None) -> Verdict:
    """``weakens`` True, False or None (neither) as a verdict of ``category``."""
    if weakens is None:
        return NEUTRAL
    return Verdict(Effect.WEAKENS if weakens else Effect.STRENGTHENS, category)


@dataclass(frozen=True)
class Context:
    """What the new data says about people and powers, to judge a change by."""

    scale: Mapping[str, int]  # severity id -> place in the scale (0: the most severe)
    reachable: frozenset[str]  # ids of teams, people, roles and responders one can reach
    authorising_roles: frozenset[str]  # roles that authorise an intervention


# Having more of these is readiness: removing one weakens, adding one strengthens.
# Keys are a field name, or ``parent.field`` where the name alone is ambiguous.
PRESENCE: dict[str, str] = {
    **dict.fromkeys(
        (
            "owner",
            "contacts",
            "channels",
            "escalation",
            "primary",
            "backup",
            "fallback_team",
            "involved_roles",
            "notify_roles",
            "notify_external",
            "on_call",
            "reach_via",
            "responsible_role",
        ),
        "reach",
    ),
    **dict.fromkeys(
        (
            "degraded_mode",
            "how_to_enter",
            "mitigations",
            "verify",
            "runbook",
            "signals",
            "runbooks",
            "interventions",
            "controls",
            "readiness_errors",
            "trust_cost",
        ),
        "cover",
    ),
    **dict.fromkeys(
        ("quorum", "not_combined_with", "must_not", "approval_role", "limits", "max_duration"),
        "authority",
    ),
    **dict.fromkeys(
        ("update_cadence", "response.target", "within", "max_tolerable", "due"), "time"
    ),
    **dict.fromkeys((review.last for review in REVIEWS.values()), "time"),
    **dict.fromkeys(("severity", "rating"), "severity"),
}
# Having more of these widens who may act: adding one weakens, removing one strengthens.
WIDENS = {"authorised_by.roles": "authority"}
HOLDERS = frozenset({"primary", "backup"})
# Durations such as 15m or 4h; a longer one is slower (or, for a limit, looser).
DURATIONS = frozenset(
    {"response.target", "update_cadence", "within", "max_tolerable", "max_duration"}
)
REVIEW_DATES = frozenset(review.last for review in REVIEWS.values())
# Who a field names, checked for being reachable when it changes.
NAMES_RESPONDER = frozenset({"owner", "role", "team", "person", "external", "reach_via"})


def _name(keys: tuple[str, ...]) -> str:
    """The table key of a field: ``parent.field`` when the tables know it, else ``field``."""
    if len(keys) > 1 and f"{keys[-2]}.{keys[-1]}" in {*PRESENCE, *WIDENS, *DURATIONS}:
        return f"{keys[-2]}.{keys[-1]}"
    return keys[-1] if keys else ""


def judge(keys: tuple[str, ...], old: Any, new: Any, context: Context, record: str = "") -> Verdict:
    """The effect of ``old`` becoming ``new`` at the field ``keys`` of record ``record``.

    ``keys`` are the field names from the record down (list positions left out); a list
    entry added or removed is judged under the list's name. ``MISSING`` marks an absent side.
    """
    name = _name(keys)
    if keys[-1:] == ("action_items",) or keys[-2:] == ("action_items", "status"):
        return _action_item(keys[-1], old, new)
    if name == "visibility":  # no visibility is public
        return _changed(name, old, new, context)
    if old is MISSING or new is MISSING:
        return _presence(name, record, context, removed=new is MISSING)
    return _changed(name, old, new, context)


def _presence(name: str, record: str, context: Context, removed: bool) -> Verdict:
    if name in HOLDERS and not removed and record in context.authorising_roles:
        return verdict("authority", True)  # one more person may authorise an intervention
    if name in WIDENS:
        return verdict(WIDENS[name], not removed)
    if name == "public_url":
        return verdict("exposure", True) if removed else NEUTRAL
    return verdict(PRESENCE[name], removed) if name in PRESENCE else NEUTRAL


def _compared(before: Any, after: Any, category: str, larger_weakens: bool = True) -> Verdict:
    """Two comparable numbers: the direction in which ``category`` moved."""
    if before is None or after is None or before == after:
        return NEUTRAL
    return verdict(category, (after > before) == larger_weakens)


def _changed(name: str, old: Any, new: Any, context: Context) -> Verdict:
    if name == "visibility":
        before, after = ("public" if v is MISSING else v for v in (old, new))
        return verdict("exposure", after == "public") if before != after else NEUTRAL
    if name in DURATIONS:
        category = "authority" if name == "max_duration" else "time"
        if NONE in (old, new):  # no longer set (slower, looser), or now set
            return verdict(category, new == NONE) if old != new else NEUTRAL
        return _compared(minutes(old), minutes(new), category)
    if name.endswith("_days") and all(type(v) is int for v in (old, new)):
        return _compared(old, new, "time")  # a review, verification or drill interval
    if name in REVIEW_DATES:
        if NEVER in (old, new):
            return verdict("time", new == NEVER) if old != new else NEUTRAL
        return _compared(str(old), str(new), "time", larger_weakens=False)
    if name == "due":
        return _compared(str(old), str(new), "time")
    if name == "severity":  # a lower place in the scale is less severe
        return _compared(context.scale.get(str(old)), context.scale.get(str(new)), "severity")
    if name == "quorum":
        return _quorum(old, new)
    if name == "rating":
        return _compared(score(old), score(new), "severity", larger_weakens=False)
    if name in ("pages", "major", "reversible") and {old, new} == {True, False}:
        return verdict("authority" if name == "reversible" else "reach", new is False)
    if name in ("fallback_team", "public_url"):
        # The team every unknown call ends at, and the address every printed QR code
        # points to: any change needs a decision maker's eyes.
        return verdict("reach" if name == "fallback_team" else "exposure", True)
    if name in NAMES_RESPONDER and isinstance(new, str) and new not in context.reachable:
        return verdict("reach", True)  # handed to someone nobody can reach
    return NEUTRAL


def has_open_item(entry: Any) -> bool:
    """Whether an action item (or a record's list of them), as read, is still open."""
    if isinstance(entry, list):
        return any(has_open_item(item) for item in entry)
    return isinstance(entry, dict) and entry.get("status") == ACTION_OPEN


def _action_item(field: str, old: Any, new: Any) -> Verdict:
    """An action item added (cover added), deleted while open, done or dropped."""
    if field == "action_items":
        if new is MISSING:
            return verdict("cover", True) if has_open_item(old) else NEUTRAL
        return verdict("cover", False) if old is MISSING else NEUTRAL
    if old == ACTION_OPEN and new != ACTION_OPEN:  # done is cover added, dropped removed
        return verdict("cover", new != "done")
    return NEUTRAL  # reopened: work to do again, and said so


def _quorum(old: Any, new: Any) -> Verdict:
    """Fewer signatures needed, or as many among more signers, widens authority."""
    before, after = quorum_pair(old), quorum_pair(new)
    if before is None or after is None or before == after:
        return NEUTRAL
    if after[0] != before[0]:
        return verdict("authority", after[0] < before[0])
    return verdict("authority", after[1] > before[1])


def score(rating: Any) -> int | None:
    """A risk's score, likelihood times impact, when both are numbers."""
    values = [rating.get(k) if isinstance(rating, dict) else None for k in ("likelihood", "impact")]
    return values[0] * values[1] if all(type(v) is int for v in values) else None
