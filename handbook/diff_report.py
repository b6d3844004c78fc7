"""The policy diff for people and for machines: what weakens readiness first, in words.

The pull-request comment renders this Markdown: text from the data (values, keys, ids, even
the ref names) must stay text there (``markup.md_text``). An HTML comment opened by a value
would hide every line after it from reviewers; a link would point them anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from handbook.diff import Change
from handbook.diff_effects import CATEGORIES, MISSING, Effect
from handbook.markup import md_text

WORKING_TREE = "working tree"
# Past this many neutral changes, they are folded away under a summary line.
FOLD_AFTER = 10
_ORDER = {category: n for n, category in enumerate(CATEGORIES)}


def md_code(text: str) -> str:
    """``text`` as inline code, literal by definition; as escaped text if it would end it."""
    if "`" in text or not text or text != " ".join(text.split()):  # a tick, a line break
        return md_text(text)
    return f"`{text}`"


def split(changes: Iterable[Change]) -> dict[Effect, list[Change]]:
    """Changes by effect; weakening and strengthening ones in category order."""
    by_effect: dict[Effect, list[Change]] = {effect: [] for effect in Effect}
    for change in changes:
        by_effect[change.verdict.effect].append(change)
    for effect in (Effect.WEAKENS, Effect.STRENGTHENS):
        by_effect[effect].sort(key=lambda c: _ORDER[c.verdict.category])
    return by_effect


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _judged(change: Change) -> str:
    return f"- **{change.verdict.words()}**: {md_text(change.text)}"


def _grouped(changes: list[Change]) -> list[str]:
    """Neutral changes under their record, one line each."""
    lines: list[str] = []
    last = None
    for change in changes:
        if (change.kind, change.record) != last:
            lines.append(f"- {md_text(change.subject)}:")
            last = (change.kind, change.record)
        lines.append(f"  - {md_text(change.words)}")
    return lines


def format_markdown(changes: list[Change], base: str, head: str | None) -> str:
    """The diff as Markdown: what weakens readiness first, counted, then the rest.

    Strengthening changes follow, then other edits (folded when many). ``head`` None is
    the working tree.
    """
    shown_head = WORKING_TREE if head is None else md_code(head)
    lines = [f"## Handbook changes: {md_code(base)} → {shown_head}", ""]
    if not changes:
        return "\n".join([*lines, "No change to the handbook's data.", ""])
    by_effect = split(changes)
    weak, strong, other = (by_effect[e] for e in Effect)
    if weak:
        lines += [
            f"### Weakens readiness: {_count(len(weak), 'change')} "
            f"{'needs' if len(weak) == 1 else 'need'} decision-maker review",
            "",
            *map(_judged, weak),
            "",
        ]
    else:
        lines += ["No change weakens readiness.", ""]
    if strong:
        lines += [f"### Strengthens readiness: {_count(len(strong), 'change')}", ""]
        lines += [*map(_judged, strong), ""]
    if other:
        lines += [f"### Other changes: {len(other)}", ""]
        if len(other) > FOLD_AFTER:
            summary = f"Show the {len(other)} other changes"
            lines += ["<details>", f"<summary>{summary}</summary>", "", *_grouped(other), ""]
            lines += ["</details>", ""]
        else:
            lines += [*_grouped(other), ""]
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    return None if value is MISSING else value


def as_json(changes: list[Change], base: str, head: str | None) -> dict[str, Any]:
    """The diff as plain data for machines: every change with its effect and category."""
    by_effect = split(changes)
    return {
        "base": base,
        "head": WORKING_TREE if head is None else head,
        "counts": {effect.value: len(by_effect[effect]) for effect in Effect},
        "changes": [
            {
                "kind": c.kind,
                "record": c.record,
                "subject": c.subject,
                "path": c.path,
                "old": _plain(c.old),
                "new": _plain(c.new),
                "text": c.text,
                "effect": c.verdict.effect.value,
                "weakens": c.weakens,
                "category": c.verdict.category,
            }
            for effect in Effect
            for c in by_effect[effect]
        ],
    }
