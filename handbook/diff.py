"""Semantic policy diff: what changed between two states of the data, record by record.

Both sides are read with the strict reader (not the model), so a pull request that breaks
validation still gets a readable diff. Changes that weaken readiness are listed first.
"""

from __future__ import annotations

import re
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from handbook.clocks import REVIEWS
from handbook.kinds import KINDS, KINDS_BY_NAME
from handbook.load import LoadedData, load_data
from handbook.markup import md_text
from handbook.model import NEVER, NONE

# Removing one of these records leaves responders with less to act on.
GUARDED_KINDS = frozenset(kind.name for kind in KINDS if kind.guarded)
# Lists whose shrinking removes a way to reach someone or an escalation step.
GUARDED_LISTS = frozenset({"contacts", "channels", "escalation", "primary", "backup"})
REVIEW_DATES = frozenset(review.last for review in REVIEWS.values())
# Fields whose removal leaves responders with less: who owns it, how to run without it,
# what to open, how to tell it worked, who must agree, how fast, how bad, what it costs.
REMOVAL_WEAKENS = frozenset(
    {
        "owner",
        "degraded_mode",
        "runbook",
        "verify",
        "quorum",
        "severity",
        "update_cadence",
        "trust_cost",
        "likelihood",
        "impact",
        "escalation",
        *REVIEW_DATES,
    }
)
DURATIONS = frozenset({"target", "update_cadence", "within", "max_tolerable", "max_duration"})
_DURATION = re.compile(r"^([1-9][0-9]*)(m|h|d|w)$")
_MINUTES = {"m": 1, "h": 60, "d": 1440, "w": 10080}
MISSING = object()
_LONGEST = 100  # longer values are cut: the git diff has the full text


class DiffError(Exception):
    """A side of the diff cannot be read (unknown git ref, not a repository)."""


@dataclass(frozen=True)
class Change:
    """One difference inside a record, in words."""

    path: str
    old: Any
    new: Any
    weakens: bool = False

    def words(self) -> str:
        """``owner team-a → none``, ``degraded mode removed``, ``tags added x``."""
        where = self.path.replace("_", " ").replace(".", " ")
        if self.new is MISSING and (isinstance(self.old, dict | list) or self.old == NONE):
            return f"{where} removed"
        if self.new is MISSING and not where.endswith((" removed", " added")):
            return f"{where} {_show(self.old)} → removed"  # not the same as "none" said
        if self.old is MISSING and isinstance(self.new, dict | list):
            return f"{where} added"
        if where.endswith((" removed", " added")):
            return f"{where} {_show(self.old if self.new is MISSING else self.new)}"
        if isinstance(self.old, str) and isinstance(self.new, str):
            before, after = _around_difference(self.old, self.new)
            return f"{where} {before} → {after}"
        return f"{where} {_show(self.old)} → {_show(self.new)}"


@dataclass
class KindDiff:
    """Records of one kind added, removed and changed."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[Change]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        """True when anything changed."""
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True)
class Weakening:
    """A change that leaves the team less prepared, for decision-maker review."""

    kind: str
    record: str
    text: str


def _show(value: Any) -> str:
    if value is MISSING or value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        text = (
            ", ".join(f"{k}={_show(v)}" for k, v in value.items())
            if isinstance(value, dict)
            else ", ".join(_show(v) for v in value)
        )
    else:
        text = str(value)
    return text if len(text) <= _LONGEST else text[: _LONGEST - 3] + "..."


_CONTEXT = 30  # characters shown before the first difference of two long texts


def _around_difference(old: str, new: str) -> tuple[str, str]:
    """Two texts cut so that where they differ shows: a cut never hides the change."""
    if len(old) <= _LONGEST and len(new) <= _LONGEST:
        return old, new
    common = next(
        (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
        min(len(old), len(new)),
    )
    start = max(0, common - _CONTEXT)

    def window(text: str) -> str:
        cut = text[start : start + _LONGEST - 6]
        return ("..." if start else "") + cut + ("..." if start + len(cut) < len(text) else "")

    return window(old), window(new)


def minutes(duration: Any) -> int | None:
    """A duration such as ``15m``, ``4h``, ``2d`` or ``1w`` in minutes."""
    match = _DURATION.match(duration) if isinstance(duration, str) else None
    return int(match.group(1)) * _MINUTES[match.group(2)] if match else None


# Severity id -> its place in the team's scale (0: the most severe), as the new data orders it.
Scale = Mapping[str, int]


def _weakens(key: str, old: Any, new: Any, scale: Scale) -> bool:
    """Whether replacing ``old`` by ``new`` at a field named ``key`` weakens readiness."""
    if new is MISSING:
        return old is not MISSING and (key in REMOVAL_WEAKENS or key in GUARDED_LISTS)
    if key == "pages":  # a level that paged no longer wakes anyone
        return old is True and new is False
    if key in DURATIONS:  # lengthened, or no longer set at all
        before, after = minutes(old), minutes(new)
        if new == NONE:
            return before is not None
        return before is not None and after is not None and after > before
    if key == "severity":  # a level renamed or gone, or a value of the wrong type: unknown
        before = scale.get(old) if isinstance(old, str) else None
        after = scale.get(new) if isinstance(new, str) else None
        return before is not None and after is not None and after > before
    if key in REVIEW_DATES:  # moved back, or now never done
        if new == NEVER:
            return old not in (NEVER, MISSING)
        return isinstance(old, str) and isinstance(new, str) and old != NEVER and new < old
    return False


def _label(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for key in ("id", "value", "name", "role", "team", "person", "version"):
            if isinstance(item.get(key), str):
                return item[key]
    return str(index)


def compare(
    old: Any, new: Any, path: str = "", key: str = "", scale: Scale | None = None
) -> Iterator[Change]:
    """Every difference between two values, as changes at dotted paths."""
    if isinstance(old, dict) and isinstance(new, dict):
        for name in [*old, *(k for k in new if k not in old)]:
            child = f"{path}.{name}" if path else name
            yield from compare(old.get(name, MISSING), new.get(name, MISSING), child, name, scale)
        return
    if isinstance(old, list) and isinstance(new, list):
        yield from _compare_lists(old, new, path, key, scale)
        return
    if old != new:
        yield Change(path, old, new, _weakens(key, old, new, scale or {}))


def _compare_lists(
    old: list[Any], new: list[Any], path: str, key: str, scale: Scale | None
) -> Iterator[Change]:
    if all(not isinstance(v, dict | list) for v in [*old, *new]):
        for value in old:
            if value not in new:
                yield Change(f"{path} removed", value, MISSING, key in GUARDED_LISTS)
        for value in new:
            if value not in old:
                yield Change(f"{path} added", MISSING, value)
        if [v for v in old if v in new] != [v for v in new if v in old]:
            yield Change(f"{path} order", old, new)
        return
    before = {_label(item, n): item for n, item in enumerate(old)}
    after = {_label(item, n): item for n, item in enumerate(new)}
    for name, item in before.items():
        child = f"{path}[{name}]"
        if name not in after:
            yield Change(child, item, MISSING, key in GUARDED_LISTS)
        else:
            yield from compare(item, after[name], child, key, scale)
    for name, item in after.items():
        if name not in before:
            yield Change(f"{path}[{name}]", MISSING, item)


def _records(loaded: LoadedData, kind: str) -> dict[str, Any]:
    if not KINDS_BY_NAME[kind].has_ids:
        documents = loaded.documents.get(kind, [])
        return {kind: documents[0].data} if documents else {}
    return {r.id: r.data for r in loaded.records(kind) if r.id is not None}


def _score(risk: Any) -> int | None:
    values = [risk.get(k) if isinstance(risk, dict) else None for k in ("likelihood", "impact")]
    return values[0] * values[1] if all(type(v) is int for v in values) else None


def _score_change(old: Any, new: Any) -> list[Change]:
    """The derived risk score (likelihood × impact) when it moved."""
    before, after = _score(old), _score(new)
    return [Change("score", before, after)] if before != after else []


def diff_data(old: LoadedData, new: LoadedData) -> dict[str, KindDiff]:
    """Per kind: the ids added and removed and the changes inside kept records."""
    result = {}
    scale = {level: n for n, level in enumerate(_records(new, "severities"))}
    for kind in KINDS:
        before, after = _records(old, kind.name), _records(new, kind.name)
        kind_diff = KindDiff(
            added=[i for i in after if i not in before],
            removed=[i for i in before if i not in after],
        )
        for record_id, data in before.items():
            if record_id in after:
                changes = list(compare(data, after[record_id], scale=scale))
                if kind.name == "risks":
                    changes += _score_change(data, after[record_id])
                if changes:
                    kind_diff.changed[record_id] = changes
        result[kind.name] = kind_diff
    return result


def _subject(kind: str, record_id: str) -> str:
    """How a record is named in a sentence: ``runbook oracle-outage``, ``P2``, ``policy``."""
    if kind in ("handbook", "policy"):
        return kind
    return record_id if kind == "severities" else f"{KINDS_BY_NAME[kind].noun} {record_id}"


def weakenings(diffs: dict[str, KindDiff]) -> list[Weakening]:
    """The changes that weaken readiness, in kind order."""
    found = []
    for kind, kind_diff in diffs.items():
        noun = KINDS_BY_NAME[kind].noun
        if kind in GUARDED_KINDS:
            found += [Weakening(kind, r, f"{noun} {r} removed") for r in kind_diff.removed]
        for record_id, changes in kind_diff.changed.items():
            found += [
                Weakening(kind, record_id, f"{_subject(kind, record_id)}: {c.words()}")
                for c in changes
                if c.weakens
            ]
    return found


def _git(root: Path, *args: str) -> bytes:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=True
        ).stdout
    except FileNotFoundError:
        raise DiffError("git is not installed") from None


def read_ref(root: Path, ref: str, scratch: Path, data: str = "data") -> Path:
    """Extract the ``data`` folder as it is at git ``ref`` into ``scratch``; return ``scratch``.

    The ref is first resolved to a commit, taken as a ref even when it looks like an option
    (``--output=/tmp/x`` would make ``git archive`` write a file), and only the commit id
    reaches ``git archive``.
    """
    cannot = f"cannot read {data}/ at {ref!r}"
    try:
        commit = _git(root, "rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}")
    except subprocess.CalledProcessError:
        raise DiffError(f"{cannot}: not a commit in this repository") from None
    try:
        archive = _git(root, "archive", "--format=tar", commit.decode().strip(), "--", data)
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiffError(f"{cannot}: {message[-1] if message else ''}") from None
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(scratch, filter="data")
    return scratch


def load_side(root: Path, ref: str | None, data: str = "data") -> LoadedData:
    """The ``data`` folder at a git ref, or in the working tree when ``ref`` is None."""
    if ref is None:
        return load_data(root / data, root)
    with tempfile.TemporaryDirectory() as scratch:
        base = read_ref(root, ref, Path(scratch), data)
        return load_data(base / data, base)


# The pull-request comment renders this Markdown: text from the data (values, keys, ids,
# even the ref names) must stay text there (``markup.md_text``). An HTML comment opened by a
# value would hide every line after it from reviewers; a link would point them anywhere.


def md_code(text: str) -> str:
    """``text`` as inline code, literal by definition; as escaped text if it would end it."""
    if "`" in text or not text or text != " ".join(text.split()):  # a tick, a line break
        return md_text(text)
    return f"`{text}`"


def _kind_section(kind: str, kind_diff: KindDiff) -> list[str]:
    noun = KINDS_BY_NAME[kind].noun
    lines = [f"### {kind.capitalize()}", ""]
    lines += [f"- added {noun} {md_code(r)}" for r in kind_diff.added]
    lines += [f"- removed {noun} {md_code(r)}" for r in kind_diff.removed]
    for record_id, changes in kind_diff.changed.items():
        lines.append(f"- {md_text(_subject(kind, record_id))}:")
        lines += [f"  - {md_text(c.words())}" for c in changes]
    return [*lines, ""]


WORKING_TREE = "working tree"


def format_markdown(diffs: dict[str, KindDiff], base: str, head: str | None) -> str:
    """The diff as Markdown: weakening changes first, then every kind that changed.

    ``head`` None is the working tree.
    """
    shown_head = WORKING_TREE if head is None else md_code(head)
    lines = [f"## Handbook changes: {md_code(base)} → {shown_head}", ""]
    if not any(diffs.values()):
        return "\n".join([*lines, "No change to the handbook's data.", ""])
    weak = weakenings(diffs)
    if weak:
        lines += ["### Needs decision-maker review: these changes weaken readiness", ""]
        lines += [f"- {md_text(w.text)}" for w in weak]
        lines.append("")
    for kind, kind_diff in diffs.items():
        if kind_diff:
            lines += _kind_section(kind, kind_diff)
    return "\n".join(lines)


def as_json(diffs: dict[str, KindDiff], base: str, head: str | None) -> dict[str, Any]:
    """The diff as plain data for machines."""

    def change(c: Change) -> dict[str, Any]:
        return {
            "path": c.path,
            "old": None if c.old is MISSING else c.old,
            "new": None if c.new is MISSING else c.new,
            "weakens": c.weakens,
        }

    return {
        "base": base,
        "head": WORKING_TREE if head is None else head,
        "weakening": [w.text for w in weakenings(diffs)],
        "kinds": {
            kind: {
                "added": d.added,
                "removed": d.removed,
                "changed": {r: [change(c) for c in cs] for r, cs in d.changed.items()},
            }
            for kind, d in diffs.items()
            if d
        },
    }
