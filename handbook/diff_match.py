"""Which records and list entries on the two sides of a diff are the same one.

A record keeps its id, or was renamed: a record gone and one new that read alike (same
title, or most of the same text) are one record under a new id. A list entry is matched by
what names it (an id, a version, the role or team a step calls), else by equal content,
else by likeness, so an entry reordered or edited in place is one change, not a removal
and an addition. References to a renamed record are read under its new name, so a team id
renamed across the data is one rename per record that uses it, not a change of owner.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from handbook.references import REFERENCES, replaced, walk

K = TypeVar("K", bound=Hashable)

RECORD_LIKENESS = 0.6  # records this alike (without their ids) are one record renamed
ITEM_LIKENESS = 0.5  # list entries this alike are one entry edited in place
# Comparing every removed record with every added one is quadratic; past this many pairs
# (a mass rename of thousands) only equal content and equal titles pair records.
MAX_PAIRS = 40_000
TITLES = ("title", "name")
# What names a list entry, in order: the first such field it has is its identity.
IDENTITIES = ("id", "version", "role", "team", "person", "external")


def canonical(value: Any) -> str:
    """One text for a value, equal for equal values whatever their key order."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _alike(pairs: list[tuple[float, int, int]], left: set[int], right: set[int]) -> list:
    """Greedy one-to-one pairing, the most alike first."""
    chosen = []
    for _, i, j in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if i in left and j in right:
            chosen.append((i, j))
            left.discard(i)
            right.discard(j)
    return chosen


def pair(
    old: Sequence[Any],
    new: Sequence[Any],
    threshold: float,
    keys: Sequence[Callable[[Any], Hashable | None]] = (),
) -> list[tuple[int, int]]:
    """Pairs (old index, new index) of the same thing, each index used at most once.

    Each of ``keys`` is tried in turn (an id, a title, the whole content): values equal
    on both sides, and unique on each, pair. What is left pairs by likeness of content.
    """
    left, right = set(range(len(old))), set(range(len(new)))
    chosen: list[tuple[int, int]] = []
    for key in [*keys, canonical]:
        olds = _unique({i: key(old[i]) for i in left})
        news = _unique({j: key(new[j]) for j in right})
        by_value = {value: j for j, value in news.items()}
        found = sorted((i, by_value[v]) for i, v in olds.items() if v in by_value)
        chosen += found
        left -= {i for i, _ in found}
        right -= {j for _, j in found}
    if left and right and len(left) * len(right) <= MAX_PAIRS:
        texts_old = {i: canonical(old[i]) for i in left}
        texts_new = {j: canonical(new[j]) for j in right}
        candidates = []
        for i in sorted(left):
            for j in sorted(right):
                matcher = difflib.SequenceMatcher(None, texts_old[i], texts_new[j], False)
                if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                    continue
                ratio = matcher.ratio()
                if ratio >= threshold:
                    candidates.append((ratio, i, j))
        chosen += _alike(candidates, left, right)
    return sorted(chosen)


def _unique(values: dict[int, Hashable | None]) -> dict[int, Hashable]:
    """The values that are set and occur once."""
    counts: dict[Hashable, int] = {}
    for value in values.values():
        counts[value] = counts.get(value, 0) + 1
    return {i: v for i, v in values.items() if v is not None and counts[v] == 1}


def identity(item: Any) -> Hashable | None:
    """What names a list entry: ``("team", "secops")`` for an escalation step; else None."""
    if isinstance(item, dict):
        for key in IDENTITIES:
            if isinstance(item.get(key), str):
                return key, item[key]
    return None


def title(record: Any) -> str | None:
    """A record's title or name, when it has one."""
    if isinstance(record, dict):
        for key in TITLES:
            if isinstance(record.get(key), str):
                return record[key]
    return None


def without_id(record: Any) -> Any:
    """A record's content apart from its id."""
    return {k: v for k, v in record.items() if k != "id"} if isinstance(record, dict) else record


def renamed(old: dict[str, Any], new: dict[str, Any]) -> dict[str, str]:
    """Old id -> new id of the records of one kind that changed only their id (or little else)."""
    gone = [i for i in old if i not in new]
    came = [i for i in new if i not in old]
    pairs = pair(
        [without_id(old[i]) for i in gone],
        [without_id(new[i]) for i in came],
        RECORD_LIKENESS,
        keys=(title,),
    )
    return {gone[i]: came[j] for i, j in pairs}


# kind -> old id -> new id
Renames = dict[str, dict[str, str]]


def read_renamed(kind: str, data: Any, renames: Renames) -> tuple[Any, list[tuple[str, str, str]]]:
    """``data`` with every reference to a renamed record under its new id.

    Returns the data (a copy when anything changed) and the renames it used, each once:
    (target kind, old id, new id).
    """
    found = []
    for reference in REFERENCES:
        if reference.kind != kind:
            continue
        for path, value in walk(data, reference.pattern):
            for target in reference.targets:
                new_id = renames.get(target, {}).get(value) if isinstance(value, str) else None
                if new_id is not None:
                    found.append((path, (target, value, new_id)))
                    break
    used = list(dict.fromkeys(rename for _, rename in found))
    return replaced(data, [(path, rename[2]) for path, rename in found]), used
