"""A risk's history across releases: each change of its rating, and the register as it stood.

A risk may list the changes of its rating (``history``), oldest first: the date, the handbook
version the change landed in, the rating after it (and, optionally, before it), and what
caused it: an incident, an exercise, or neither (a release review). The rule
``risk-history`` keeps that list honest against the register, on the data as read, with
file, line and column; the register page draws the heat map as it stood at each version
from the same list (``ratings_as_of``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from handbook.clocks import date_as_read
from handbook.diagnostics import Diagnostic
from handbook.load import Record
from handbook.model import Risk, RiskChange

if TYPE_CHECKING:
    from handbook.rules import RuleContext

RULE = "risk-history"
_TIMES = "\u00d7"  # the multiplication sign
_PARTS = 3  # MAJOR.MINOR.PATCH: "2.1" is "2.1.0"


def version_key(version: str) -> tuple[int, ...]:
    """A handbook version as numbers to compare: "2.10" after "2.9", "2.1" equal to "2.1.0".

    Raises ``ValueError`` for anything but dotted numbers (the schema allows no other).
    """
    parts = tuple(int(part) for part in version.split("."))
    if not parts:
        raise ValueError(f"{version!r} is not a version")
    return parts + (0,) * (_PARTS - len(parts))


def history_versions(risks: Iterable[Risk]) -> list[str]:
    """Every version named in any risk's history, once each, in ascending order."""
    found: dict[tuple[int, ...], str] = {}
    for risk in risks:
        for change in risk.history:
            found.setdefault(version_key(change.version), change.version)
    return [found[key] for key in sorted(found)]


def change_as_of(risk: Risk, version: str) -> RiskChange | None:
    """The risk's latest change that landed in ``version`` or before; None when none had."""
    limit = version_key(version)
    latest = None
    for change in risk.history:
        if version_key(change.version) <= limit:
            latest = change
    return latest


def ratings_as_of(risks: Iterable[Risk], version: str) -> list[tuple[Risk, RiskChange]]:
    """(risk, the change that set its rating) as the register stood at ``version``.

    A risk whose history has no change by then is left out: the register did not rate it.
    """
    found = []
    for risk in risks:
        change = change_as_of(risk, version)
        if change is not None:
            found.append((risk, change))
    return found


# --- the rule, on the data as read ----------------------------------------------------


def _rating(data: Any) -> tuple[int, int] | None:
    """(likelihood, impact) of a mapping holding both as integers; None otherwise."""
    if not isinstance(data, dict):
        return None
    likelihood, impact = data.get("likelihood"), data.get("impact")
    if type(likelihood) is not int or type(impact) is not int:
        return None
    return likelihood, impact


def _version(value: Any) -> tuple[tuple[int, ...], str] | None:
    """(key, text) of a version as read; None when it is not one (the schema says so)."""
    try:
        return (version_key(value), value) if isinstance(value, str) else None
    except ValueError:
        return None


def _shown(rating: tuple[int, int]) -> str:
    return f"{rating[0]}{_TIMES}{rating[1]}"


def _checked(
    record: Record, history: list[Any], today: dt.date, current: tuple[tuple[int, ...], str] | None
) -> Iterator[Diagnostic]:
    """The errors of one risk's history list (``current``: the handbook's own version)."""
    previous: tuple[dt.date | None, tuple[int, int] | None] | None = None
    last_dated: dt.date | None = None
    last_version: tuple[tuple[int, ...], str] | None = None
    for number, entry in enumerate(history):
        data = entry if isinstance(entry, dict) else {}
        when = date_as_read(data.get("date"))
        rating = _rating(data)
        raw = data.get("date")
        if when is not None and when > today:
            yield record.diagnostic(
                ("history", number, "date"),
                f"change dated {raw} is in the future",
                RULE,
            )
        if when is not None and last_dated is not None and when < last_dated:
            yield record.diagnostic(
                ("history", number, "date"),
                f"change dated {raw} comes after one dated {last_dated.isoformat()}: "
                "list the changes oldest first",
                RULE,
            )
        version = _version(data.get("version"))
        if version is not None and last_version is not None and version[0] < last_version[0]:
            yield record.diagnostic(
                ("history", number, "version"),
                f"change in version {version[1]} comes after one in version {last_version[1]}: "
                "a later change lands in the same version or a later one",
                RULE,
            )
        if version is not None and current is not None and version[0] > current[0]:
            yield record.diagnostic(
                ("history", number, "version"),
                f"change in version {version[1]}, after the handbook's own version "
                f"{current[1]} (handbook.yml): raise handbook_version when the release is made",
                RULE,
            )
        if version is not None and (last_version is None or version[0] > last_version[0]):
            last_version = version
        was = _rating(data.get("was"))
        if was is not None and previous is not None and previous[1] is not None:
            before = previous[1]
            if was != before:
                on = f" on {previous[0].isoformat()}" if previous[0] else ""
                yield record.diagnostic(
                    ("history", number, "was"),
                    f"was {_shown(was)}, but the change before{on} left it at {_shown(before)}",
                    RULE,
                )
        if when is not None:
            last_dated = max(when, last_dated) if last_dated else when
        previous = (when, rating)
    if previous is None or previous[1] is None:
        return
    current = _rating(record.data)
    ends = previous[1]
    if current != ends:
        said = f"says {_shown(current)}" if current else "gives no rating"
        on = f" on {previous[0].isoformat()}" if previous[0] else ""
        yield record.diagnostic(
            ("history", len(history) - 1),
            f"the register {said} but its history ends at {_shown(ends)}{on}: "
            "the last change's rating is the risk's current likelihood and impact",
            RULE,
        )


def risk_history(context: RuleContext) -> Iterator[Diagnostic]:
    """``risk-history``: a risk's changes are in order and agree with the register.

    In date and version order, none in the future nor in a version after the handbook's,
    each ``was`` the rating the change before left, and the last one the risk's current
    likelihood and impact.
    """
    settings = next(context.loaded.records("handbook"), None)
    data = settings.data if settings is not None and isinstance(settings.data, dict) else {}
    current = _version(data.get("handbook_version"))
    for record in context.loaded.records("risks"):
        history = record.data.get("history") if isinstance(record.data, dict) else None
        if isinstance(history, list) and history:
            yield from _checked(record, history, context.today, current)
