"""Semantic policy diff: what changed between two states of the data, record by record.

Both sides are read with the strict reader (not the model), so a pull request that breaks
validation still gets a readable diff. Records are matched by id, else as renamed
(``handbook.diff_match``); every change is judged for what it does to readiness
(``handbook.diff_effects``) and worded in the record's own terms; ``handbook.diff_report``
lists the weakening ones first.
"""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from handbook.diff_effects import (
    MISSING,
    MOVE,
    NEUTRAL,
    ORDER,
    RENAME,
    Context,
    Effect,
    Verdict,
    has_open_item,
    judge,
    score,
    verdict,
)
from handbook.diff_match import (
    ITEM_LIKENESS,
    Renames,
    identity,
    pair,
    read_renamed,
    renamed,
    title,
    without_id,
)
from handbook.facts import quorum_pair, quorum_text
from handbook.kinds import KINDS, KINDS_BY_NAME, Kind
from handbook.load import LoadedData, load_data
from handbook.model import NONE
from handbook.phones import renumbered_data

_LONGEST = 100  # longer values are cut: the git diff has the full text
_CONTEXT = 30  # characters shown before the first difference of two long texts
_SHORT = 40  # characters of a text that names a list entry

# Field words where the field name alone would read as internals; "" leaves a level out.
FIELD_WORDS = {
    "authorised_by": "",
    "authorised_by.roles": "authorising roles",
    "limits": "",
    "response": "",
    "response.target": "response target",
    "response.description": "response description",
    "holders": "",
    "holders.primary": "primary holders",
    "holders.backup": "backup holders",
    "mitigations.runbooks": "mitigating runbooks",
    "mitigations.interventions": "mitigating interventions",
    "review_defaults": "default",
    "document_control": "document control",
}
# One entry of a list, in words: "escalation step team secops", "version 2.1".
ITEM_NOUNS = {
    "escalation": "escalation step",
    "contacts": "contact",
    "channels": "channel",
    "mitigations": "mitigation",
    "immediate_actions": "immediate action",
    "investigation": "investigation step",
    "versions": "version",
    "principles": "principle",
    "process": "process step",
    "checklists": "checklist",
    "notes": "note",
    "links": "link",
    "points": "point",
    "communication": "guideline",
    "steps": "step",
}
GUARDED_REACH = frozenset({"roles", "people", "teams", "external_responders"})


class DiffError(Exception):
    """A side of the diff cannot be read (unknown git ref, not a repository)."""


@dataclass(frozen=True)
class Change:
    """One change to the handbook, in the record's own terms, and what it does to readiness."""

    kind: str
    record: str  # the record's id (its new id when renamed)
    subject: str  # "intervention Pause one or all lending markets"
    path: str  # where in the record, for machines ("authorised_by.quorum"); "" for a record
    old: Any  # MISSING when added
    new: Any  # MISSING when removed
    words: str  # "quorum 2-of-5 → 1-of-5"
    verdict: Verdict = NEUTRAL

    @property
    def text(self) -> str:
        """The change in one sentence: ``intervention Pause…: quorum 2-of-5 → 1-of-5``."""
        return f"{self.subject}: {self.words}"

    @property
    def weakens(self) -> bool:
        """Whether the change leaves the team less prepared."""
        return self.verdict.effect is Effect.WEAKENS


@dataclass(frozen=True)
class Found:
    """A difference inside a record, before it is judged: where, and both sides."""

    keys: tuple[str, ...]  # field names from the record down, list positions left out
    where: str  # the same place in words
    path: str
    old: Any
    new: Any
    entry: bool = False  # a whole list entry added or removed
    category: str = ""  # set for neutral changes of their own kind (order)


def show(value: Any) -> str:
    """A value in words, cut when long: lists joined, quorums as ``2-of-5``."""
    if value is MISSING or value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if (pair := quorum_pair(value)) is not None:
        return quorum_text(*pair)
    if isinstance(value, dict) and set(value) <= {"likelihood", "impact"}:
        parts = [f"{k} {value[k]}" for k in ("likelihood", "impact") if k in value]
        rated = score(value)
        return " × ".join(parts) + (f" (score {rated})" if rated is not None else "")
    if isinstance(value, dict):
        text = ", ".join(f"{k.replace('_', ' ')} {show(v)}" for k, v in value.items())
    elif isinstance(value, list):
        text = ", ".join(show(v) for v in value)
    else:
        text = str(value)
    return text if len(text) <= _LONGEST else text[: _LONGEST - 3] + "..."


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


def describe(found: Found) -> str:
    """A difference in words: ``quorum 2-of-5 → 1-of-5``, ``escalation step team x removed``."""
    where, old, new = found.where, found.old, found.new
    if found.entry:  # a list entry: named by ``where`` when it is a record-like entry
        scalar = not isinstance(old if new is MISSING else new, dict | list)
        value = f" {show(old if new is MISSING else new)}" if scalar else ""
        return f"{where}{value} {'removed' if new is MISSING else 'added'}"
    if new is MISSING:
        return (
            f"{where} removed"
            if isinstance(old, dict | list) or old == NONE
            else (
                f"{where} {show(old)} → removed"  # not the same as "none" said
            )
        )
    if old is MISSING:
        return (
            f"{where} added"
            if isinstance(new, dict | list) and quorum_pair(new) is None
            else (f"{where} added: {show(new)}")
        )
    if isinstance(old, str) and isinstance(new, str):
        return "{} {} → {}".format(where, *_around_difference(old, new))
    return f"{where} {show(old)} → {show(new)}"


def _field_words(parent: str, key: str) -> str:
    return FIELD_WORDS.get(f"{parent}.{key}", FIELD_WORDS.get(key, key.replace("_", " ")))


def _joined(where: str, words: str) -> str:
    return f"{where} {words}".strip() if words else where


def _entry_name(item: Any, index: int) -> str:
    """A list entry's own name: its id, the responder it calls, its text, else its place."""
    named = identity(item)
    if named is not None:
        field, value = named
        return value if field in ("id", "version") else f"{field} {value}"
    text = title(item)
    if text is None and isinstance(item, dict):
        labels = ("label", "text", "statement", "value")
        text = next((item[k] for k in labels if isinstance(item.get(k), str)), None)
    if text is not None:
        return f"“{text}”" if len(text) <= _SHORT else f"“{text[: _SHORT - 3]}...”"
    return str(index + 1) if isinstance(item, dict | list) or item is None else show(item)


def _entry_words(key: str, where: str, above: str, name: str) -> str:
    """One list entry in words: "escalation step team secops", "document control version 2.1".

    ``where`` names the list, ``above`` what holds it.
    """
    return _joined(above, f"{ITEM_NOUNS[key]} {name}") if key in ITEM_NOUNS else f"{where} {name}"


# Values compared as one: a quorum reads "2-of-5 → 1-of-5", not as two numbers.
ATOMIC = frozenset({"quorum", "rating", "inherent"})


def compare(
    old: Any,
    new: Any,
    keys: tuple[str, ...] = (),
    where: str = "",
    path: str = "",
    above: str = "",
) -> Iterator[Found]:
    """Every difference between two values of a record, at its place.

    ``where`` is the place in words, inside ``above``.
    """
    key = keys[-1] if keys else ""
    if key not in ATOMIC and isinstance(old, dict) and isinstance(new, dict):
        for name in [*old, *(k for k in new if k not in old)]:
            yield from compare(
                old.get(name, MISSING),
                new.get(name, MISSING),
                (*keys, name),
                _joined(where, _field_words(key, name)),
                f"{path}.{name}" if path else name,
                where,
            )
        return
    if isinstance(old, list) and isinstance(new, list):
        yield from _compare_lists(old, new, keys, where, path, above)
        return
    if old != new:
        yield Found(keys, where, path, old, new)


def _compare_lists(
    old: list[Any], new: list[Any], keys: tuple[str, ...], where: str, path: str, above: str
) -> Iterator[Found]:
    key = keys[-1] if keys else ""
    pairs = pair(old, new, ITEM_LIKENESS, keys=(identity,))
    kept_old, kept_new = {i for i, _ in pairs}, {j for _, j in pairs}
    scalars = all(not isinstance(v, dict | list) for v in [*old, *new])

    def entry(item: Any, index: int) -> str:
        return where if scalars else _entry_words(key, where, above, _entry_name(item, index))

    for i, item in enumerate(old):
        if i not in kept_old:
            yield Found(keys, entry(item, i), f"{path}[{i}]", item, MISSING, entry=True)
    for i, j in pairs:
        # An entry whose name changed is named by its place: "escalation step 2".
        same = scalars or _entry_name(old[i], i) == _entry_name(new[j], j)
        named = entry(new[j], j) if same else entry(None, j)
        yield from compare(old[i], new[j], keys, named, f"{path}[{j}]")
    for j, item in enumerate(new):
        if j not in kept_new:
            yield Found(keys, entry(item, j), f"{path}[{j}]", MISSING, item, entry=True)
    order = [j for _, j in pairs]
    if order != sorted(order):
        before = [_entry_name(old[i], i) for i, _ in pairs]
        after = [before[n] for n in sorted(range(len(pairs)), key=lambda n: pairs[n][1])]
        # Up to the last entry that moved: the tail in place is left out.
        moved = max(n for n in range(len(before)) if before[n] != after[n]) + 1
        rest = ["…"] if moved < len(before) else []
        before, after = before[:moved] + rest, after[:moved] + rest
        yield Found(keys, f"{where} order", f"{path}.order", before, after, category=ORDER)


def _view(kind: str, data: Any) -> Any:
    """A record as compared: a risk's likelihood and impact as one rating."""
    if kind != "risks" or not isinstance(data, dict):
        return data
    rating = {k: data[k] for k in ("likelihood", "impact") if k in data}
    view = {k: v for k, v in data.items() if k not in ("likelihood", "impact")}
    return {**view, "rating": rating} if rating else view


@dataclass(frozen=True)
class Side:
    """The records of one kind on one side: id -> (data, file)."""

    records: dict[str, tuple[Any, str]]

    @classmethod
    def of(cls, loaded: LoadedData, kind: Kind, region: str | None) -> Side:
        """The kind's records; an object kind is one record named after the kind.

        Phone numbers are read in E.164 (national ones in ``region``): a number written
        another way is the same number.
        """
        if not kind.has_ids:
            documents = loaded.documents.get(kind.name, [])
            found = [(kind.name, d.data, d.file) for d in documents[:1]]
        else:
            found = [(r.id, r.data, r.document.file) for r in loaded.records(kind.name) if r.id]
        return cls({i: (renumbered_data(data, region), file) for i, data, file in found})

    def data(self) -> dict[str, Any]:
        """Id -> data."""
        return {record_id: data for record_id, (data, _) in self.records.items()}


def subject(kind: str, record_id: str, data: Any) -> str:
    """How a record is named: ``intervention Pause one or all lending markets``, ``policy``."""
    if kind == "handbook":
        return "handbook settings"
    if kind == "policy":
        return "policy"
    name = title(data)
    if kind == "severities":
        return f"severity {record_id}" + (f" ({name})" if name else "")
    return f"{KINDS_BY_NAME[kind].noun} {name or record_id}"


def context_of(new: dict[str, Side]) -> Context:
    """What the new data says about who can be reached and which roles authorise."""
    reachable = {
        record_id
        for kind in ("teams", "people", "external_responders")
        for record_id, data in new[kind].data().items()
        if isinstance(data, dict) and data.get("contacts")
    }
    for record_id, data in new["roles"].data().items():
        holders = data.get("holders") if isinstance(data, dict) else None
        if isinstance(holders, dict) and holders.get("primary"):
            reachable.add(record_id)
    authorising = {
        role
        for data in new["interventions"].data().values()
        if isinstance(data, dict) and isinstance(data.get("authorised_by"), dict)
        for role in data["authorised_by"].get("roles") or []
        if isinstance(role, str)
    }
    scale = {level: n for n, level in enumerate(new["severities"].records)}
    return Context(scale, frozenset(reachable), frozenset(authorising))


def _record_event(kind: Kind, removed: bool, data: Any) -> Verdict:
    """A whole record added or removed."""
    if removed and isinstance(data, dict) and has_open_item(data.get("action_items")):
        return verdict("cover", True)  # its open action items deleted with it
    if kind.name == "interventions" and not removed:
        return verdict("authority", True)  # a new power: decision makers agree to it first
    if not kind.guarded:
        return NEUTRAL
    return verdict("reach" if kind.name in GUARDED_REACH else "cover", removed)


def _region(loaded: LoadedData) -> str | None:
    """The ``phone_region`` a side's ``handbook.yml`` gives, if any."""
    documents = loaded.documents.get("handbook", [])
    settings = documents[0].data if documents else None
    region = settings.get("phone_region") if isinstance(settings, dict) else None
    return region if isinstance(region, str) else None


def diff_data(old: LoadedData, new: LoadedData) -> list[Change]:
    """Every change between two states of the data, kind by kind, in the old order."""
    before = {kind.name: Side.of(old, kind, _region(old)) for kind in KINDS}
    after = {kind.name: Side.of(new, kind, _region(new)) for kind in KINDS}
    renames: Renames = {
        kind.name: renamed(before[kind.name].data(), after[kind.name].data())
        for kind in KINDS
        if kind.has_ids
    }
    context = context_of(after)
    changes: list[Change] = []
    for kind in KINDS:
        changes += _kind_changes(kind, before[kind.name], after[kind.name], renames, context)
    return changes


def record_changes(
    kind: str, record_id: str, who: str, old: Any, new: Any, context: Context
) -> Iterator[Change]:
    """The changes inside one record kept (or renamed), each judged."""
    for found in compare(_view(kind, without_id(old)), _view(kind, without_id(new))):
        judged = (
            Verdict(Effect.NEUTRAL, found.category)
            if found.category
            else judge(found.keys, found.old, found.new, context, record_id)
        )
        yield Change(
            kind, record_id, who, found.path, found.old, found.new, describe(found), judged
        )


def _kind_changes(
    kind: Kind, before: Side, after: Side, renames: Renames, context: Context
) -> Iterator[Change]:
    """One kind's records removed, renamed, moved, changed and added."""
    name, kept, matched = kind.name, renames.get(kind.name, {}), set()
    renaming = Verdict(Effect.NEUTRAL, RENAME)
    for old_id, (old_data, old_file) in before.records.items():
        new_id = old_id if old_id in after.records else kept.get(old_id)
        if new_id is None:
            removal = _record_event(kind, True, old_data)
            who = subject(name, old_id, old_data)
            yield Change(name, old_id, who, "", old_id, MISSING, "removed", removal)
            continue
        matched.add(new_id)
        new_data, new_file = after.records[new_id]
        who = subject(name, new_id, new_data)
        if new_id != old_id:
            words = f"renamed {old_id} → {new_id}"
            yield Change(name, new_id, who, "id", old_id, new_id, words, renaming)
        elif new_file != old_file:
            words, moving = f"moved from {old_file} to {new_file}", Verdict(Effect.NEUTRAL, MOVE)
            yield Change(name, new_id, who, "", old_file, new_file, words, moving)
        read, used = read_renamed(name, old_data, renames)
        for target, before_id, after_id in used:
            words = f"uses the renamed {KINDS_BY_NAME[target].noun} {before_id} → {after_id}"
            yield Change(name, new_id, who, "", before_id, after_id, words, renaming)
        yield from record_changes(name, new_id, who, read, new_data, context)
    for new_id, (new_data, _) in after.records.items():
        if new_id not in matched:
            addition = _record_event(kind, False, new_data)
            who = subject(name, new_id, new_data)
            yield Change(name, new_id, who, "", MISSING, new_id, "added", addition)


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
