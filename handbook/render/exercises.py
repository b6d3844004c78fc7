"""The drill calendar: every exercise, latest first, and what has been drilled when."""

from __future__ import annotations

from collections.abc import Callable

from handbook import markup
from handbook.drills import latest_exercise
from handbook.model import Exercise
from handbook.render.actions import action_items_table
from handbook.render.common import name_link, title_link, unindexed
from handbook.render.extensions import more
from handbook.site import Context, anchor

KIND_WORDS = {
    "tabletop": "Tabletop",
    "pause-drill": "Live pause drill",
    "signer-test": "Signer reachability test",
    "restore-test": "Restore test",
    "other": "Exercise",
}


def drill_summary(ctx: Context, kind: str, record_id: str) -> str:
    """``2026-10-08 (exercise title)`` for a runbook or intervention, or never drilled.

    The exercise is named when this edition shows it (a public one may leave it out).
    """
    when = ctx.handbook.get(kind, record_id).last_drilled
    if when is None:
        return '<strong class="handbook-review-status handbook-never">never drilled</strong>'
    exercise = latest_exercise(ctx.handbook, kind, record_id)
    if exercise is None:
        return when.isoformat()
    return f"{when.isoformat()} ({ctx.ref('exercises', exercise.id, exercise.title)})"


def _people(ctx: Context, ids: tuple[str, ...]) -> str:
    return ", ".join(name_link(ctx, "people", p) for p in ids)


def _exercise(ctx: Context, exercise: Exercise) -> str:
    rows = [
        ("Date", exercise.date.isoformat()),
        ("Kind", markup.esc(KIND_WORDS[exercise.kind])),
    ]
    if exercise.runbooks:
        links = (title_link(ctx, "runbooks", r) for r in exercise.runbooks)
        rows.append(("Runbooks", ", ".join(links)))
    if exercise.interventions:
        links = (title_link(ctx, "interventions", i) for i in exercise.interventions)
        rows.append(("Interventions", ", ".join(links)))
    if exercise.time_to_quorum:
        rows.append(("Time to quorum", markup.esc(exercise.time_to_quorum)))
    if exercise.signers:
        rows.append(("Signers reached", _people(ctx, exercise.signers)))
    if exercise.participants:
        rows.append(("Participants", _people(ctx, exercise.participants)))
    facts = markup.definitions(rows)
    parts = [f"<h3>{markup.esc(exercise.title)}</h3>", facts]
    if exercise.summary:
        parts.append(markup.markdown(exercise.summary))
    if exercise.findings:
        parts.append("<p><strong>Findings</strong></p>")
        parts.append(markup.items(markup.markdown(f) for f in exercise.findings))
    if exercise.action_items:
        parts.append("<p><strong>Action items</strong></p>")
        parts.append(action_items_table(ctx, exercise.action_items))
    parts.append(more(exercise.extensions, heading=False))
    return markup.block(
        *parts, css_class="handbook handbook-exercise", id=anchor("exercises", exercise.id)
    )


def render_exercises(ctx: Context) -> str:
    """The drill calendar: exercises by month, latest first."""
    ordered = sorted(ctx.handbook.exercises, key=lambda e: (e.date, e.id), reverse=True)
    if not ordered:
        return markup.block(markup.muted("No exercise is recorded yet."))
    parts: list[str] = []
    month = None
    for exercise in ordered:
        if exercise.date.strftime("%Y-%m") != month:
            month = exercise.date.strftime("%Y-%m")
            parts.append(f"\n## {exercise.date.strftime('%B %Y')}\n")
        parts.append(_exercise(ctx, exercise))
    return "\n".join(parts)


def render_drill_coverage(ctx: Context) -> str:
    """Every runbook and intervention with its last drill, never drilled first."""
    hb = ctx.handbook
    rows = []
    for kind, noun in (("interventions", "Intervention"), ("runbooks", "Runbook")):
        for record in getattr(hb, kind):
            rows.append(
                (
                    record.last_drilled.isoformat() if record.last_drilled else "",
                    [
                        noun,
                        title_link(ctx, kind, record.id),
                        drill_summary(ctx, kind, record.id),
                    ],
                )
            )
    rows.sort(key=lambda row: row[0])  # never drilled (no date) first, then the oldest
    return unindexed(
        markup.table(["What", "Record", "Last drilled"], [r for _, r in rows], "handbook-drills")
    )


MACROS: dict[str, Callable[..., str]] = {
    "exercises": render_exercises,
    "drill_coverage": render_drill_coverage,
}
