"""Last drilled, derived from the exercise records rather than typed by hand.

A runbook or intervention was drilled on the date of the latest exercise record
(``data/exercises/``) that names it, and never when none does.

A team that keeps no exercise records types ``last_drilled`` by hand, as before. Once it
keeps any, the records are the truth: a hand-typed date that disagrees with them is
refused (rule ``drill-record``), and a runbook no exercise names is never drilled (finding
``never-drilled``). The same derivation serves the rules (on the data as read, with file,
line and column) and the model (``derived``), so pages, cards and the review agree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from handbook.clocks import date_as_read
from handbook.diagnostics import Diagnostic
from handbook.load import LoadedData, Record
from handbook.model import NEVER, Exercise, Handbook

if TYPE_CHECKING:
    from handbook.rules import RuleContext

EXERCISES = "exercises"
DRILLED_KINDS = ("runbooks", "interventions")  # the fields of an exercise naming them
TYPED = "last_drilled"  # the hand-typed field (interventions only)
NEVER_DRILLED = "never-drilled"
DRILL_RECORD = "drill-record"


@dataclass(frozen=True)
class Drill:
    """The latest exercise naming a record: its date and where it is written."""

    date: dt.date
    exercise: str  # the exercise's id
    file: str


# (kind, id) -> the latest exercise naming that runbook or intervention.
Drills = dict[tuple[str, str], Drill]


def latest_drills(loaded: LoadedData) -> Drills:
    """(kind, id) -> the latest exercise naming it, for every runbook and intervention named."""
    found: Drills = {}
    for record in loaded.records(EXERCISES):
        data = record.data if isinstance(record.data, dict) else {}
        when = date_as_read(data.get("date"))
        if when is None or record.id is None:
            continue
        for kind in DRILLED_KINDS:
            named = data.get(kind)
            for target in named if isinstance(named, list) else ():
                if not isinstance(target, str):
                    continue
                current = found.get((kind, target))
                if current is None or when > current.date:
                    found[(kind, target)] = Drill(when, record.id, record.document.file)
    return found


def keeps_records(loaded: LoadedData) -> bool:
    """Whether the handbook keeps exercise records: then they, not typed dates, are the truth."""
    return next(loaded.records(EXERCISES), None) is not None


def last_done(drills: Drills, kind: str, field: str, record: Record) -> Any:
    """A record's last review, verification or drill date as the rules read it.

    As typed; a ``last_drilled`` not typed is the date of the latest exercise naming the
    record, None when there is none either (``clocks.date_as_read`` reads both).
    """
    typed = record.data.get(field) if isinstance(record.data, dict) else None
    if typed is not None or field != TYPED or record.id is None:
        return typed
    drill = drills.get((kind, record.id))
    return drill.date if drill else None


def never_drilled(loaded: LoadedData, drills: Drills) -> Iterator[Record]:
    """The runbooks no exercise names, when the handbook keeps exercise records."""
    if not keeps_records(loaded):
        return
    for record in loaded.records("runbooks"):
        if record.id is not None and ("runbooks", record.id) not in drills:
            yield record


def drill_records(context: RuleContext) -> Iterator[Diagnostic]:
    """``drill-record``: an exercise in the future, or a typed date the exercises contradict."""
    loaded = context.loaded
    if not keeps_records(loaded):
        return
    for record in loaded.records(EXERCISES):
        data = record.data if isinstance(record.data, dict) else {}
        when = date_as_read(data.get("date"))
        if when is not None and when > context.today:
            message = f"exercise dated {when.isoformat()}, in the future: record it once held"
            yield record.diagnostic(("date",), message, DRILL_RECORD)
    drills = context.drills
    for kind in DRILLED_KINDS:
        for record in loaded.records(kind):
            if record.id is not None and isinstance(record.data, dict) and TYPED in record.data:
                yield from _disagreement(record, drills.get((kind, record.id)))


def _disagreement(record: Record, drill: Drill | None) -> Iterator[Diagnostic]:
    """The error for a typed ``last_drilled`` that the exercise records do not bear out."""
    typed = record.data[TYPED]
    when = date_as_read(typed)
    if drill is None:
        if typed == NEVER:
            return
        yield record.diagnostic(
            (TYPED,),
            f"last drilled {typed} is typed by hand, but no exercise in data/exercises/ "
            f"names {record.id}: record the drill there (its date becomes this one) or "
            "remove this field",
            DRILL_RECORD,
        )
    elif when != drill.date:
        yield record.diagnostic(
            (TYPED,),
            f"last drilled {typed} disagrees with the exercises: {drill.file} "
            f"({drill.exercise}) drilled it on {drill.date.isoformat()}; remove this field, "
            "the date is taken from the exercise records",
            DRILL_RECORD,
        )


def derived(loaded: LoadedData, handbook: Handbook) -> Handbook:
    """The model with every runbook's and intervention's last drilled date from the exercises.

    Derived from every exercise, internal ones too: a public edition that leaves a drill
    out still says when the runbook was drilled, not that it never was.
    """
    if not keeps_records(loaded):
        return handbook
    drills = latest_drills(loaded)

    def dated(kind: str) -> tuple[Any, ...]:
        return tuple(
            dataclasses.replace(r, last_drilled=drills[(kind, r.id)].date)
            if (kind, r.id) in drills
            else r
            for r in getattr(handbook, kind)
        )

    return handbook.replace(**{kind: dated(kind) for kind in DRILLED_KINDS})


def latest_exercise(handbook: Handbook, kind: str, record_id: str) -> Exercise | None:
    """The exercise a runbook's or intervention's last drill date comes from, in this view.

    None when this view holds no such exercise: a public edition that leaves the latest
    drill out still gives its date, and must not name an older drill beside it.
    """
    when = handbook.get(kind, record_id).last_drilled
    named = handbook.referring(EXERCISES, kind, record_id)
    latest = max(named, key=lambda e: (e.date, e.id), default=None)
    return latest if latest is not None and latest.date == when else None
