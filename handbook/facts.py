"""Facts stated from the data: ``{kind:id.fact}`` in prose says what a structured field says.

Prose repeats facts that live in structured fields: "the pause guardian multisig (2-of-5)"
where the intervention's quorum says 2 of 5, "a pause longer than 72 hours" where its
limits say 72h. Written out, they lie as soon as the field changes. Written as a
reference, ``{intervention:pause-lending-market.quorum}``, the prose states the field's
value: the model is built with every reference replaced by its fact, once
(``resolved``, called by ``pipeline.build_model``), so every page, the search index, the
go-bag, the PDFs and the public edition show the data's value.

``FACTS`` is the whole vocabulary: a few facts of a few kinds, named by the kind's noun
(``handbook.kinds``) and shown as the site shows them elsewhere. Only prose is resolved:
never ids, references, commands, contact values, URLs, message templates (their
``[fields]`` are filled in when sending) or ``x-*`` fields. A fact goes in as text, in
one pass: it never becomes a further reference, nor markup its field does not allow.

The rules (``handbook.rules.RULES``):

- ``fact-reference``: something shaped like a reference that names an unknown kind, id
  or fact, a fact its record does not state (a cadence of ``none``, no quorum: that
  would read badly, so it is written in words), or one written in a name or title that
  is itself a fact. A fact of an internal record in public text is a ``visibility``
  error (names and titles, once resolved, are found by ``handbook.mentions``).
- ``fact-contradiction``: prose stating a quorum or an update cadence that differs from
  the structured value it speaks of, where that can be told reliably. Numbers written in
  words ("three of five") are never read: the way to quote another multisig's quorum.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from handbook import model
from handbook.diagnostics import Diagnostic
from handbook.kinds import KINDS, KINDS_BY_NAME, Layout
from handbook.load import LoadedData, Record
from handbook.model import (
    BRACKET_TEMPLATES,
    EXTENSION_PREFIX,
    NONE,
    Handbook,
    Intervention,
    Severity,
    marked_internal,
)
from handbook.references import REFERENCES, Hints, Index, replaced, walk

if TYPE_CHECKING:
    from handbook.rules import RuleContext

REFERENCE_RULE = "fact-reference"
CONTRADICTION_RULE = "fact-contradiction"

Path = tuple[str | int, ...]

# --- How a fact reads: the site's words, used by its pages and by resolved prose --------


def response_target(severity: Severity) -> str:
    """A level's response target as a reader takes it in: ``15m``, or that there is none."""
    return "no target" if severity.response.target == NONE else severity.response.target


def update_cadence(severity: Severity) -> str:
    """A level's update cadence: ``30m``, none set, or that the policy does not say."""
    if severity.update_cadence is None:
        return "not set by the policy"
    return "no regular updates" if severity.update_cadence == NONE else severity.update_cadence


def max_duration(item: Intervention) -> str:
    """The longest an intervention may last, e.g. ``72h``, or that no maximum is set."""
    return "no maximum set" if item.limits.max_duration == NONE else item.limits.max_duration


def quorum_text(required: int, of: int) -> str:
    """An m-of-n quorum as prose writes it: ``2-of-5``."""
    return f"{required}-of-{of}"


def quorum_pair(value: Any) -> tuple[int, int] | None:
    """A quorum as written in the data (``{required: 2, of: 5}``) as (2, 5); else None."""
    if isinstance(value, dict) and all(type(value.get(k)) is int for k in ("required", "of")):
        return value["required"], value["of"]
    return None


_MINUTES = {"m": 1, "h": 60, "d": 24 * 60, "w": 7 * 24 * 60}
_DURATION = re.compile(r"([1-9][0-9]{0,5})([mhdw])")


def minutes(duration: Any) -> int | None:
    """A duration as written in the data (``30m``, ``4h``, ``2d``, ``1w``) in minutes.

    None for anything else: ``none``, a malformed value, a value of another type.
    """
    parsed = _DURATION.fullmatch(duration) if isinstance(duration, str) else None
    return int(parsed[1]) * _MINUTES[parsed[2]] if parsed else None


def _target(severity: Severity) -> str | None:
    return None if severity.response.target == NONE else response_target(severity)


def _cadence(severity: Severity) -> str | None:
    return None if severity.update_cadence in (None, NONE) else update_cadence(severity)


def _quorum(item: Intervention) -> str | None:
    quorum = item.authorised_by.quorum
    return None if quorum is None else quorum_text(quorum.required, quorum.of)


def _max_duration(item: Intervention) -> str | None:
    return None if item.limits.max_duration == NONE else max_duration(item)


# --- The vocabulary ---------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One fact a record states in a structured field, and how prose shows it."""

    field: tuple[str, ...]  # where the record states it: ("authorised_by", "quorum")
    show: Callable[[Any], str | None]  # the record's model object -> its text; None: unstated
    name: bool = False  # a name or title: ``handbook.mentions`` finds an internal one

    @property
    def where(self) -> str:
        """The field as messages name it: ``authorised_by.quorum``."""
        return ".".join(self.field)

    def written(self, data: Any) -> Any:
        """The field's value in a record's data, as written (None when absent)."""
        for key in self.field:
            data = data.get(key) if isinstance(data, dict) else None
        return data

    def stated(self, data: Any) -> bool:
        """Whether a record's data states the fact (not absent, not ``none``)."""
        value = self.written(data)
        return value is not None and value != NONE


def _named(attribute: str) -> Fact:
    return Fact((attribute,), lambda record: getattr(record, attribute), name=True)


# Kind name -> fact name -> fact. References name the kind by its noun: {severity:P1.cadence}.
FACTS: dict[str, dict[str, Fact]] = {
    "severities": {
        "name": _named("name"),
        "target": Fact(("response", "target"), _target),
        "cadence": Fact(("update_cadence",), _cadence),
    },
    "interventions": {
        "title": _named("title"),
        "quorum": Fact(("authorised_by", "quorum"), _quorum),
        "max_duration": Fact(("limits", "max_duration"), _max_duration),
    },
    "runbooks": {"title": _named("title")},
    "dependencies": {
        "name": _named("name"),
        "max_tolerable": Fact(
            ("degraded_mode", "max_tolerable"), lambda d: d.degraded_mode.max_tolerable
        ),
    },
    "teams": {"name": _named("name")},
    "roles": {"name": _named("name")},
}
NOUNS: dict[str, str] = {KINDS_BY_NAME[kind].noun: kind for kind in FACTS}

# A reference: the kind's noun, a record id (letters, digits, hyphens) and a fact's name.
REFERENCE = re.compile(
    r"\{(?P<noun>[a-z]+):(?P<id>[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)\.(?P<fact>[a-z_]+)\}"
)
# Anything shaped like one, for validation: {word:...} with no space inside, not glued to
# a word or after "$" (shell's ${var:-x}). A JSON object ({"a": 1}) never has this shape.
SHAPE = re.compile(r"(?<![\w$])\{(?P<noun>[A-Za-z]+):(?P<rest>[^{}\s]*)\}")
_ID_AND_FACT = re.compile(r"(?P<id>[^.]+)\.(?P<fact>[^.]+)")
# What an unknown word before the colon needs to be taken for a reference: id.fact, the
# fact starting with a letter ({x:10.2f} is a format, {paused:true} a mapping).
_LOOKS_LIKE = re.compile(r"[^.]+\.[A-Za-z]")

# Fields taken as written, never prose: ids, commands to copy, contact values and URLs,
# message templates, and (by prefix) the team's own x-* fields.
LITERAL_FIELDS = frozenset({"id", "command", "value", "url", *BRACKET_TEMPLATES})

# Kind name -> the patterns of its fields that name records: ids, not prose.
_REFERENCE_PATTERNS: dict[str, list[tuple[str, ...]]] = {
    kind.name: [r.pattern for r in REFERENCES if r.kind == kind.name] for kind in KINDS
}


def _strings(data: Any, path: Path, skip: set[Path]) -> Iterator[tuple[Path, str]]:
    if isinstance(data, str):
        if path not in skip:
            yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            literal = not isinstance(key, str) or key in LITERAL_FIELDS
            if not literal and not key.startswith(EXTENSION_PREFIX):
                yield from _strings(value, (*path, key), skip)
    elif isinstance(data, list):
        for number, value in enumerate(data):
            yield from _strings(value, (*path, number), skip)


def prose(kind: str, data: Any) -> Iterator[tuple[Path, str]]:
    """(path, text) of every prose string of one record of ``kind``, in order.

    Every string but the fields that name records (``handbook.kinds`` references) and
    ``LITERAL_FIELDS``; the paths are relative to the record. Fields whose schema fixes
    their form (durations, dates, enums) come too: they cannot hold a reference.
    """
    skip = {
        path for pattern in _REFERENCE_PATTERNS.get(kind, ()) for path, _ in walk(data, pattern)
    }
    yield from _strings(data, (), skip)


# --- Resolution -------------------------------------------------------------------------

# (noun, id, fact) -> the fact's text, or None when nothing is stated there.
Lookup = Callable[[str, str, str], str | None]


def resolve_text(text: str, lookup: Lookup) -> str:
    """``text`` with every reference that ``lookup`` knows replaced by its fact, as text.

    One pass: an inserted value is never read again, so it cannot become a reference. A
    reference ``lookup`` does not know stays as written (validation reports it).
    """
    if "{" not in text:
        return text

    def value(match: re.Match[str]) -> str:
        found = lookup(match["noun"], match["id"], match["fact"])
        return match.group() if found is None else found

    return REFERENCE.sub(value, text)


class _Lookup:
    """Facts of a built handbook, by (noun, id, fact); each kind indexed when first asked."""

    def __init__(self, handbook: Handbook) -> None:
        self._handbook = handbook
        self._by_id: dict[str, dict[str, Any]] = {}

    def __call__(self, noun: str, record_id: str, fact_name: str) -> str | None:
        kind = NOUNS.get(noun)
        fact = FACTS[kind].get(fact_name) if kind is not None else None
        if kind is None or fact is None:
            return None
        records = self._by_id.get(kind)
        if records is None:
            attribute = KINDS_BY_NAME[kind].attribute
            records = self._by_id[kind] = {r.id: r for r in getattr(self._handbook, attribute)}
        record = records.get(record_id)
        return None if record is None else fact.show(record)


def resolved(loaded: LoadedData, handbook: Handbook) -> Handbook:
    """``handbook`` (built from ``loaded``) with every prose reference replaced by its fact.

    Facts are read from ``handbook`` as built, so a value is never itself resolved. A record
    without a reference stays the same object; one with references is built again from
    its data with the facts written in.
    """
    lookup = _Lookup(handbook)
    changed: dict[str, Any] = {}
    for kind in KINDS:
        built = handbook.kinds[kind.attribute]
        items = [built] if kind.layout is Layout.OBJECT else list(built)
        records = list(loaded.records(kind.name))[: len(items)]
        touched = False
        for number, record in enumerate(records):
            if "{" not in record.document.text:
                continue  # no reference anywhere in its file: nothing to walk
            values = [
                (path, new)
                for path, text in prose(kind.name, record.data)
                if (new := resolve_text(text, lookup)) != text
            ]
            if values:
                items[number] = model.build(kind.model, replaced(record.data, values))
                touched = True
        if touched:
            changed[kind.attribute] = items[0] if kind.layout is Layout.OBJECT else tuple(items)
    return handbook.replace(**changed) if changed else handbook


# --- Rule fact-reference ----------------------------------------------------------------


_ALL_NOUNS = frozenset(kind.noun for kind in KINDS)


def _closest(word: str, known: list[str]) -> str:
    close = difflib.get_close_matches(word, known, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _facts_of(kind: str) -> str:
    return ", ".join(FACTS[kind])


@dataclass
class _Judge:
    """What one rule run knows: the index, the kinds it cannot judge, a hint budget."""

    index: Index
    incomplete: set[str]
    hints: Hints

    def problem(self, match: re.Match[str]) -> str | None:
        """Why a text shaped like a reference is wrong, or None when it is fine (or none)."""
        written, noun = match.group(), match["noun"]
        kind = NOUNS.get(noun)
        if kind is None:
            if not _LOOKS_LIKE.match(match["rest"]) and noun not in _ALL_NOUNS:
                return None  # not a reference: {paused:true}, {x:10.2f}
            return (
                f"unknown kind {noun!r} in {written} (facts are stated from: "
                f"{', '.join(sorted(NOUNS))}){_closest(noun.lower(), sorted(NOUNS))}"
            )
        parts = _ID_AND_FACT.fullmatch(match["rest"])
        if parts is None:
            return f"{written} names no fact: write {{{noun}:<id>.<fact>}} ({_facts_of(kind)})"
        if kind in self.incomplete:
            return None  # its ids cannot all be known; the errors that say why come first
        record_id, fact_name = parts["id"], parts["fact"]
        known = self.index.get(kind, {})
        record = known.get(record_id)
        if record is None:
            close = self.hints.closest(record_id, list(known))
            hint = f"; did you mean {close!r}?" if close else ""
            return f"unknown {noun} {record_id!r} in {written}{hint}"
        fact = FACTS[kind].get(fact_name)
        if fact is None:
            return (
                f"unknown fact {fact_name!r} in {written} ({noun} facts: "
                f"{_facts_of(kind)}){_closest(fact_name, list(FACTS[kind]))}"
            )
        if not fact.stated(record.data):
            how = "says none" if fact.written(record.data) == NONE else "does not say"
            return (
                f"{written}: {noun} {record_id} states no {fact.where} (it {how}), so there "
                "is nothing to show; say in words what the policy says"
            )
        if REFERENCE.fullmatch(written) is None:  # an id the schema already refuses
            return f"{written}: {record_id!r} is not an id a reference can name"
        return None


def _internal_at(data: Any, path: Path) -> bool:
    """Whether the node at ``path`` of a record's data is internal, or inside something that is."""
    node = data
    for step in path:
        if marked_internal(node):
            return True
        node = node[step] if isinstance(node, dict | list) else None
    return marked_internal(node)


def fact_references(context: RuleContext) -> Iterator[Diagnostic]:
    """``fact-reference``: every ``{kind:id.fact}`` in prose names a fact the data states.

    Also ``visibility``: public text quoting a fact of an internal record (a name or title
    is found by ``handbook.mentions`` once resolved, like any mention of it).
    """
    judge = _Judge(context.index, context.loaded.incomplete_kinds(), Hints())
    for kind in KINDS:
        sources = {fact.field for fact in FACTS.get(kind.name, {}).values()}
        for record in context.loaded.records(kind.name):
            for path, text in prose(kind.name, record.data):
                if "{" not in text:
                    continue
                for match in SHAPE.finditer(text):
                    yield from _judged(judge, record, path, match, path in sources)


def _judged(
    judge: _Judge, record: Record, path: Path, match: re.Match[str], source: bool
) -> Iterator[Diagnostic]:
    """The diagnostics about one text shaped like a reference, at ``path`` of ``record``."""
    problem = judge.problem(match)
    reference = REFERENCE.fullmatch(match.group())
    if source and (problem is not None or reference is not None):
        message = f"{match.group()} in a {path[-1]}, which is itself a fact: write it out"
        yield record.diagnostic(path, message, REFERENCE_RULE)
    elif problem is not None:
        yield record.diagnostic(path, problem, REFERENCE_RULE)
    elif reference is not None and (kind := NOUNS.get(reference["noun"])) is not None:
        target = judge.index.get(kind, {}).get(reference["id"])
        fact = FACTS[kind].get(reference["fact"])
        quoted = target is not None and fact is not None and not fact.name
        if quoted and marked_internal(target.data) and not _internal_at(record.data, path):
            yield record.diagnostic(
                path,
                f"{match.group()} states a fact of {reference['noun']} {reference['id']}, "
                "which is internal; the public build would publish it here: leave it out, or "
                "make it public",
                "visibility",
            )


# --- Rule fact-contradiction -------------------------------------------------------------

# m-of-n written in digits: "2-of-5", "2 of 5". Words ("two of five") are never read.
QUORUM = re.compile(r"(?<![\w.-])([0-9]{1,4})(?:-of-|\s+of\s+)([0-9]{1,4})(?![\w])")
# "every 30 minutes", "every 2 hours", "every 30m", "every 1 day".
EVERY = re.compile(
    r"\bevery\s+([0-9]{1,6})\s*(minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")


def _unit_minutes(unit: str) -> int:
    """Minutes in a unit as prose writes it: ``minutes``, ``hrs``, ``d``..."""
    return _MINUTES[unit[0].lower()]


def _quorum_of(record: Record) -> tuple[int, int] | None:
    return quorum_pair(FACTS["interventions"]["quorum"].written(record.data))


def quorum_contradictions(record: Record) -> Iterator[Diagnostic]:
    """An intervention's own prose giving its quorum's n with another m (or the schema's)."""
    quorum = _quorum_of(record)
    if quorum is None:
        return
    required, of = quorum
    for path, text in prose("interventions", record.data):
        for match in QUORUM.finditer(text):
            m, n = int(match[1]), int(match[2])
            if n == of and m != required:
                yield record.diagnostic(
                    path,
                    f"says {match.group()} but the quorum is {quorum_text(required, of)} "
                    f"(authorised_by.quorum); write {{intervention:{record.id}.quorum}} to "
                    "state it from the data, or another multisig's quorum in words",
                    CONTRADICTION_RULE,
                )


def _cadences(index: Index) -> dict[str, int]:
    """Severity id -> its update cadence in minutes, for levels that state one."""
    found = {}
    for severity_id, record in index.get("severities", {}).items():
        cadence = FACTS["severities"]["cadence"].written(record.data)
        if isinstance(cadence, str) and (value := minutes(cadence)) is not None:
            found[severity_id] = value
    return found


def _level_names(index: Index) -> re.Pattern[str] | None:
    """A pattern finding the scale's ids as whole words (``P1``, not ``P10`` or ``SEV-1a``)."""
    ids = sorted(index.get("severities", {}), key=len, reverse=True)
    if not ids:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, ids)) + r")(?![\w-])")


def cadence_contradictions(
    record: Record, levels: re.Pattern[str], cadences: dict[str, int], index: Index
) -> Iterator[Diagnostic]:
    """Sentences naming one level and "every N <unit>" other than its update cadence."""
    for path, text in prose(record.kind, record.data):
        if "every" not in text.lower():
            continue
        for sentence in _SENTENCE_END.split(text):
            said = list(EVERY.finditer(sentence))
            if len(said) != 1:
                continue  # none, or two (one may be about something else)
            named = set(levels.findall(sentence))
            if len(named) != 1:
                continue
            (level,) = named
            cadence = cadences.get(level)
            number, unit = said[0].groups()
            if cadence is None or int(number) * _unit_minutes(unit) == cadence:
                continue
            written = FACTS["severities"]["cadence"].written(index["severities"][level].data)
            yield record.diagnostic(
                path,
                f"says {said[0].group()!r} next to {level} but its update cadence is {written} "
                f"(update_cadence); write {{severity:{level}.cadence}} to state it from the data",
                CONTRADICTION_RULE,
            )


def fact_contradictions(context: RuleContext) -> Iterator[Diagnostic]:
    """``fact-contradiction``: prose stating a quorum or cadence other than the data's."""
    for record in context.loaded.records("interventions"):
        yield from quorum_contradictions(record)
    levels = _level_names(context.index)
    cadences = _cadences(context.index)
    if levels is None or not cadences:
        return
    for kind in KINDS:
        for record in context.loaded.records(kind.name):
            yield from cadence_contradictions(record, levels, cadences, context.index)
