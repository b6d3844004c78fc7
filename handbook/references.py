"""Cross-file checks: ids unique within each kind, and every reference resolves."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from handbook.diagnostics import Diagnostic
from handbook.kinds import EVERY, KINDS, KINDS_BY_NAME
from handbook.load import LoadedData, Record


@dataclass(frozen=True)
class Reference:
    """A field of one kind that must name a record of one of the target kinds."""

    kind: str
    pattern: tuple[str, ...]  # field names; "*" stands for every item of a list
    targets: tuple[str, ...]
    rule: str
    needed_in_public: bool


# Every reference of every kind, as each kind declares them in ``handbook.kinds``.
REFERENCES: tuple[Reference, ...] = tuple(
    Reference(kind.name, ref.pattern, ref.targets, ref.rule, ref.needed_in_public)
    for kind in KINDS
    for ref in kind.references
)

Index = dict[str, dict[str, Record]]


def walk(data: Any, pattern: tuple[str, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Yield (path, value) for every node that ``pattern`` reaches inside ``data``."""
    if not pattern:
        yield (), data
        return
    head, rest = pattern[0], pattern[1:]
    if head == EVERY:
        items = enumerate(data) if isinstance(data, list) else ()
    else:
        items = ((head, data[head]),) if isinstance(data, dict) and head in data else ()
    for key, child in items:
        for path, value in walk(child, rest):
            yield (key, *path), value


def replaced(data: Any, values: list[tuple[tuple[str | int, ...], Any]]) -> Any:
    """A copy of ``data`` with the node at each path set to its value (``data`` if none)."""
    if not values:
        return data
    data = copy.deepcopy(data)
    for path, value in values:
        node = data
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
    return data


def build_index(loaded: LoadedData) -> tuple[Index, list[Diagnostic]]:
    """Map every kind's ids to their records; report ids used twice within a kind."""
    index: Index = {}
    diagnostics = []
    for kind in KINDS:
        if not kind.has_ids:
            continue
        seen = index.setdefault(kind.name, {})
        # Ids name anchors and PDF files, in lower case: P1 and p1 would be one page.
        folded: dict[str, Record] = {}
        for record in loaded.records(kind.name):
            if record.id is None:
                continue
            first = folded.get(record.id.lower())
            if first is None:
                seen[record.id] = folded[record.id.lower()] = record
                continue
            where = "{}:{}".format(*first.locate("id")[:2])
            if first.id == record.id:
                message = f"{kind.noun} id {record.id!r} is already used at {where}"
            else:
                message = (
                    f"{kind.noun} id {record.id!r} differs only in case from {first.id!r} "
                    f"at {where}"
                )
            diagnostics.append(record.diagnostic(("id",), message, "unique-id"))
    return index, diagnostics


# "Did you mean" compares an unknown id with every known one (difflib). Thousands of unknown
# ids against thousands of known ones would take minutes, so suggestions stop after this
# many comparisons (well under a second); every error is still reported.
HINT_COMPARISONS = 50_000


@dataclass
class Hints:
    """Suggestions for unknown ids, within a bounded amount of work."""

    left: int = HINT_COMPARISONS

    def closest(self, value: str, known: list[str]) -> str | None:
        """The known id closest to ``value``, or None (also when the budget is spent)."""
        if len(known) > self.left:
            return None
        self.left -= len(known)
        close = difflib.get_close_matches(value, known, n=1)
        return close[0] if close else None


def _unresolved(reference: Reference, value: str, known: list[str], hints: Hints) -> str:
    wanted = " or ".join(KINDS_BY_NAME[target].noun for target in reference.targets)
    close = hints.closest(value, known)
    hint = f"; did you mean {close!r}?" if close else ""
    return f"unknown {wanted} {value!r}{hint}"


def check_references(
    loaded: LoadedData, index: Index, flagged: set[tuple[str, int, int]] | frozenset = frozenset()
) -> list[Diagnostic]:
    """Report every reference that does not name an existing record of its target kinds.

    Nodes in ``flagged`` already carry a schema error (an id of the wrong shape), and
    references into incomplete kinds cannot be judged; neither is reported again.
    """
    incomplete = loaded.incomplete_kinds()
    diagnostics = []
    hints = Hints()
    for reference in REFERENCES:
        if incomplete.intersection(reference.targets):
            continue
        known = [name for target in reference.targets for name in index.get(target, {})]
        for record in loaded.records(reference.kind):
            for path, value in walk(record.data, reference.pattern):
                if not isinstance(value, str):
                    continue  # the schema reports the wrong type
                if resolve(index, value, reference.targets) is not None:
                    continue
                if record.locate(*path) in flagged:
                    continue
                message = _unresolved(reference, value, known, hints)
                diagnostics.append(record.diagnostic(path, message, reference.rule))
    return diagnostics


def resolve(index: Index, value: str, targets: tuple[str, ...]) -> Record | None:
    """The record that ``value`` names among ``targets``, if any."""
    for target in targets:
        found = index.get(target, {}).get(value)
        if found is not None:
            return found
    return None
