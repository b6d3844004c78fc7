"""Named policy rules: readiness checks that a schema alone cannot express."""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import PurePosixPath
from typing import Any

from handbook import upgrades
from handbook.actions import action_item_dates
from handbook.clocks import REVIEWS, date_as_read, due_date, interval_days
from handbook.diagnostics import Diagnostic, Level
from handbook.drills import Drills, drill_records, last_done, latest_drills
from handbook.facts import fact_contradictions, fact_references
from handbook.kinds import KINDS, KINDS_BY_NAME, Layout, ReviewField
from handbook.leftovers import leftovers
from handbook.load import LoadedData, Record
from handbook.memo import PerObject, owned
from handbook.model import BRACKET_TEMPLATES, marked_internal
from handbook.phones import phone_numbers
from handbook.reader import Document
from handbook.readiness import OVERDUE, finding_level, readiness
from handbook.references import REFERENCES, Index, resolve, walk
from handbook.risk_history import risk_history
from handbook.secret_scan import RULE as SECRET
from handbook.secret_scan import (
    Flagged,
    diagnostics_at,
    find_secrets,
    seed_phrases,
    single_word,
    yaml_text_findings,
)
from handbook.timeline import incident_timelines

# Linear time: no two quantifiers can share what they consume, and the one run that could
# ("{{" then anything) stops at the next brace, so a run of "{" costs nothing.
PLACEHOLDER = re.compile(
    r"\b(?:TBD|TBA|TODO|FIXME|XXX+)\b"  # marker words
    # [Name], [DATE], [Protocol Name], [brief-description] standing alone; not Markdown
    # links, nor a task box such as [x], nor an index glued to a name (balances[user],
    # f()[key], m[a][b]); one inside `code` is told apart by _placeholders_in()
    r"|(?<![\w\])])(?P<bracket>\[[A-Za-z][A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*\])(?![(\[:])"
    r"|\{\{[^{}]*\}\}"  # {{ unrendered template fields }}
)
_CODE_SPAN = re.compile(r"`[^`]*`")  # `mapping[address]`: code, not a placeholder
_SHOWN_PLACEHOLDER = 40  # characters of a placeholder a message shows


@dataclass(frozen=True)
class RuleContext:
    """What every rule may look at."""

    loaded: LoadedData
    index: Index
    today: dt.date

    @cached_property
    def drills(self) -> Drills:
        """Each runbook's and intervention's latest exercise, read once for every rule."""
        return latest_drills(self.loaded)


# (the document as a record, path, node) of every node of one document.
Nodes = list[tuple[Record, tuple[str | int, ...], Any]]


def _nodes(
    data: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """(path, node) of ``data`` and of everything inside it."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _nodes(value, (*path, key))
    elif isinstance(data, list):
        for number, value in enumerate(data):
            yield from _nodes(value, (*path, number))


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _ids(data: Any, *keys: str) -> list[str]:
    """The strings of a list field; anything else there is the schema's to report."""
    value = _get(data, *keys)
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _placeholders_in(text: str, template: bool = False) -> list[str]:
    """The placeholders of one text, each once, in order; ``[x]`` in a code span is code.

    In a message ``template``, ``[field]`` is a field to fill in when sending, not one left
    to fill in the data: only the marker words (``TODO``...) count there.
    """
    found: dict[str, None] = {}
    code: tuple[list[int], list[int]] | None = None
    for match in PLACEHOLDER.finditer(text):
        if match.group("bracket") and template:
            continue
        if match.group("bracket") and "`" in text:
            if code is None:
                spans = [span.span() for span in _CODE_SPAN.finditer(text)]
                code = [start for start, _ in spans], [end for _, end in spans]
            k = bisect_right(code[0], match.start()) - 1
            if k >= 0 and code[1][k] > match.start():
                continue
        found[match.group()] = None
    return list(found)


def _in_template(path: tuple[str | int, ...]) -> bool:
    """Whether a text is (part of) a message template whose fields are [bracketed]."""
    return any(key in BRACKET_TEMPLATES for key in path if isinstance(key, str))


def placeholders(nodes: Nodes) -> Iterator[Diagnostic]:
    """``placeholder``: template markers such as TBD, TODO or [Name] left in the data."""
    for record, path, text in nodes:
        if not isinstance(text, str):
            continue
        found = _placeholders_in(text, _in_template(path))
        if found:
            noun = "placeholder" if len(found) == 1 else "placeholders"
            shown = ", ".join(
                repr(p if len(p) <= _SHOWN_PLACEHOLDER else p[: _SHOWN_PLACEHOLDER - 1] + "…")
                for p in found
            )
            yield record.diagnostic(
                path,
                f"{noun} {shown} left in the data; write the real value",
                "placeholder",
            )


def _one_word_each(node: Any) -> list[str] | None:
    """The words of a list (or of a mapping's values) of at least two items of one word each.

    A seed phrase may be written one word per item, numbered or not (``- 1. word``).
    """
    items = list(node.values()) if isinstance(node, dict) else node
    if not isinstance(items, list) or len(items) < 2:
        return None
    words = []
    for item in items:
        word = single_word(item) if isinstance(item, str) else None
        if word is None:
            return None
        words.append(word)
    return words


def secrets(nodes: Nodes) -> Iterator[Diagnostic]:
    """``secret``: private keys, tokens and seed phrases written into the data.

    Every value and every mapping key is searched, and so is each document's own text: its
    comments, and a key and its value read together (``signer_key: <64 hex digits>``). A
    secret found there is not reported again when a value or key already was, for it.
    """
    documents: dict[int, tuple[Document, list[Flagged]]] = {}
    for record, path, node in nodes:
        document, flagged = documents.setdefault(id(record.document), (record.document, []))
        if isinstance(node, dict):
            for key in node:
                mark = document.key_positions.get((*record.path, *path, key))
                for finding in find_secrets(key) if mark is not None else ():
                    flagged.append(Flagged(mark.line, mark.column, False, finding.family))
                    yield Diagnostic(
                        document.file,
                        mark.line,
                        mark.column,
                        Level.ERROR,
                        record.json_path(*path, key),  # redacted by the pipeline
                        f"in a key: {finding.message}",
                        SECRET,
                    )
        if isinstance(node, str):
            # The nearest key names the value: "attack_tx: 0x…" is a hash.
            name = next((part for part in reversed(path) if isinstance(part, str)), "")
            findings = find_secrets(node, name)
        elif (words := _one_word_each(node)) is not None:
            findings = seed_phrases(" ".join(words))
        else:
            continue
        for finding in findings:
            mark = document.mark((*record.path, *path))
            flagged.append(
                Flagged(mark.line, mark.column, not isinstance(node, str), finding.family)
            )
            yield record.diagnostic(path, finding.message, SECRET)
    for document, flagged in documents.values():
        if document.text:
            found = yaml_text_findings(document.text, flagged)
            yield from diagnostics_at(document.file, document.text, found)


def runbook_steps(context: RuleContext) -> Iterator[Diagnostic]:
    """``runbook-steps``: a runbook says what to do: immediate actions or mitigations."""
    for record in context.loaded.records("runbooks"):
        if isinstance(record.data, dict) and not (
            "immediate_actions" in record.data or "mitigations" in record.data
        ):
            yield record.diagnostic(
                (),
                "no steps: give immediate_actions or mitigations, what a responder does",
                "runbook-steps",
            )


def runbook_owners(context: RuleContext) -> Iterator[Diagnostic]:
    """``runbook-owner``: the owner must be reachable through at least one contact channel."""
    for record in context.loaded.records("runbooks"):
        owner = _get(record.data, "owner")
        target = (
            resolve(context.index, owner, ("teams", "people")) if isinstance(owner, str) else None
        )
        if target is not None and not _get(target.data, "contacts"):
            yield record.diagnostic(
                ("owner",),
                f"owner {owner!r} has no contact channel; nobody can reach them",
                "runbook-owner",
            )


def _holders(context: RuleContext, role_ids: list[str]) -> set[str] | None:
    """Everyone holding one of the roles, or None when a role is unknown (reported elsewhere)."""
    people: set[str] = set()
    for role_id in role_ids:
        role = context.index.get("roles", {}).get(role_id)
        if role is None:
            return None
        for group in ("primary", "backup"):
            people.update(_ids(role.data, "holders", group))
    return people


def intervention_quorums(context: RuleContext) -> Iterator[Diagnostic]:
    """``intervention-authority``: the quorum can actually be met by the people authorised."""
    for record in context.loaded.records("interventions"):
        quorum = _get(record.data, "authorised_by", "quorum")
        if not isinstance(quorum, dict):
            continue
        required, of = quorum.get("required"), quorum.get("of")
        if type(required) is not int or type(of) is not int:
            continue
        path = ("authorised_by", "quorum")
        if required > of:
            yield record.diagnostic(
                path,
                f"quorum {required} of {of} can never be met",
                "intervention-authority",
            )
            continue
        roles = _ids(record.data, "authorised_by", "roles")
        holders = _holders(context, roles) if roles else None
        if holders is not None and required > len(holders):
            people = "person" if required == 1 else "people"
            yield record.diagnostic(
                path,
                f"quorum needs {required} {people} but the authorised roles have "
                f"only {len(holders)} holder{'' if len(holders) == 1 else 's'}",
                "intervention-authority",
            )


def signal_runbooks(context: RuleContext) -> Iterator[Diagnostic]:
    """``signal-runbook``: a signal at a level that pages names the runbook to open."""
    for record in context.loaded.records("signals"):
        severity = _get(record.data, "severity")
        level = (
            context.index.get("severities", {}).get(severity) if isinstance(severity, str) else None
        )
        pages = level is not None and _get(level.data, "pages") is True
        if pages and isinstance(record.data, dict) and "runbook" not in record.data:
            yield record.diagnostic(
                (),
                f"severity {severity} pages a responder at any hour, so this signal must name "
                "the runbook to open (runbook:)",
                "signal-runbook",
            )


def file_names(context: RuleContext) -> Iterator[Diagnostic]:
    """``file-name``: a one-record-per-file kind names each file after its record's id."""
    for kind in KINDS:
        if kind.layout is not Layout.DIRECTORY:
            continue
        for record in context.loaded.records(kind.name):
            stem = PurePosixPath(record.document.file).stem
            if record.id is not None and record.id != stem:
                yield record.diagnostic(
                    ("id",),
                    f"id {record.id!r} does not match the file name {stem}.yml",
                    "file-name",
                )


def shared_owner_ids(context: RuleContext) -> Iterator[Diagnostic]:
    """``unique-id``: owners name a team or a person, so the two must not share an id."""
    people = context.index.get("people", {})
    for team_id, team in context.index.get("teams", {}).items():
        if team_id in people:
            yield team.diagnostic(
                ("id",),
                f"id {team_id!r} names both a team and a person; owners would be ambiguous",
                "unique-id",
            )


def _indexed(data: Any, *keys: str) -> list[tuple[int, str]]:
    """(position, value) of each string in a list field, for pointing at one entry."""
    value = _get(data, *keys)
    items = value if isinstance(value, list) else []
    return [(number, item) for number, item in enumerate(items) if isinstance(item, str)]


def role_conflicts(context: RuleContext) -> Iterator[Diagnostic]:
    """``role-conflict``: nobody is a primary holder of two roles that must stay apart."""
    roles = context.index.get("roles", {})
    reported: set[frozenset[str]] = set()
    for role_id, role in roles.items():
        for number, other_id in _indexed(role.data, "not_combined_with"):
            pair = frozenset((role_id, other_id))
            if len(pair) == 1:
                yield role.diagnostic(
                    ("not_combined_with", number),
                    f"{role_id!r} cannot exclude itself",
                    "role-conflict",
                )
                continue
            other = roles.get(other_id)
            if other is None or pair in reported:
                continue
            reported.add(pair)
            theirs = set(_ids(other.data, "holders", "primary"))
            for place, person in _indexed(role.data, "holders", "primary"):
                if person in theirs:
                    yield role.diagnostic(
                        ("holders", "primary", place),
                        f"{person!r} holds both {role_id!r} and {other_id!r}, "
                        "which must not be combined",
                        "role-conflict",
                    )


def _interval(context: RuleContext, record: Record, review: ReviewField) -> int | None:
    handbooks = context.loaded.documents.get("handbook", [])
    default = _get(handbooks[0].data, "review_defaults", review.default) if handbooks else None
    return interval_days(_get(record.data, review.interval), default)


def review_dates(context: RuleContext) -> Iterator[Diagnostic]:
    """``review-date`` (error) for dates in the future; ``review-overdue`` (warning) when due."""
    overdue = finding_level(context, OVERDUE)
    for kind, review in REVIEWS.items():
        for record in context.loaded.records(kind):
            raw = last_done(context.drills, kind, review.last, record)
            when = date_as_read(raw)  # None: not a date (the schema reports a malformed one)
            interval = _interval(context, record, review)
            if when is None or interval is None:
                continue
            path = (review.last,)
            if when > context.today:
                yield record.diagnostic(
                    path, f"{review.past} date {raw} is in the future", "review-date"
                )
                continue
            due = due_date(when, interval)
            if due < context.today:
                yield record.diagnostic(
                    path,
                    f"last {review.past} {raw}; was due again by {due.isoformat()}",
                    OVERDUE,
                    overdue,
                )


def public_needs(context: RuleContext) -> Iterator[Diagnostic]:
    """``visibility``: a public record names nothing internal that it cannot do without."""
    for reference in (r for r in REFERENCES if r.needed_in_public):
        for record in context.loaded.records(reference.kind):
            if marked_internal(record.data):
                continue
            for path, value in walk(record.data, reference.pattern):
                target = (
                    resolve(context.index, value, reference.targets)
                    if isinstance(value, str)
                    else None
                )
                if target is not None and marked_internal(target.data):
                    yield record.diagnostic(
                        path,
                        f"{KINDS_BY_NAME[target.kind].noun} {value!r} is internal, but the "
                        "public build cannot leave it out here; make it public",
                        "visibility",
                    )


def example_leftovers(context: RuleContext) -> Iterator[Diagnostic]:
    """``example-leftover`` (warning): the example's name, URL or reserved domains remain."""
    handbooks = context.loaded.documents.get("handbook", [])
    if not handbooks or _get(handbooks[0].data, "example") is True:
        return  # an example or a test fixture: invented on purpose
    organisation = _get(handbooks[0].data, "organisation", "name")
    if not isinstance(organisation, str):
        return  # handbook.yml is broken: its own errors come first
    nodes = (
        (record, path, node)
        for kind in KINDS
        for record in context.loaded.records(kind.name)
        for path, node in _nodes(record.data)
    )
    yield from leftovers(nodes, organisation)


def engine_versions(context: RuleContext) -> Iterator[Diagnostic]:
    """``engine-version``: the data is written for this engine (``handbook.upgrades``)."""
    for record in context.loaded.records("handbook"):
        yield from upgrades.check(record)


# Rules that look at one document's text at a time: their findings for a document read
# again with the same bytes are kept (``handbook serve`` checks again after every save).
TEXT_RULES: tuple[Callable[[Nodes], Iterator[Diagnostic]], ...] = (placeholders, secrets)
TEXT_RESULTS: PerObject[list[Diagnostic]] = owned(PerObject())

# Rules that look across records and files.
RULES: tuple[Callable[[RuleContext], Iterator[Diagnostic]], ...] = (
    runbook_owners,
    runbook_steps,
    readiness,
    intervention_quorums,
    signal_runbooks,
    file_names,
    shared_owner_ids,
    role_conflicts,
    review_dates,
    public_needs,
    example_leftovers,
    engine_versions,
    phone_numbers,
    fact_references,
    fact_contradictions,
    drill_records,
    action_item_dates,
    risk_history,
    incident_timelines,
)


def check_text(document: Document) -> list[Diagnostic]:
    """The text rules' findings in one document."""
    record = Record("", document.data, document, ())
    nodes = [(record, path, node) for path, node in _nodes(document.data)]
    return [diagnostic for rule in TEXT_RULES for diagnostic in rule(nodes)]


def check_rules(context: RuleContext) -> list[Diagnostic]:
    """Run every named rule (the text rules once, for reused documents)."""
    result = TEXT_RESULTS.run(context.loaded.reused)
    diagnostics = [
        diagnostic
        for documents in context.loaded.documents.values()
        for document in documents
        for diagnostic in result(partial(check_text, document), document)
    ]
    return diagnostics + [diagnostic for rule in RULES for diagnostic in rule(context)]
