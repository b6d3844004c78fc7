"""Who may read what: the public view of a handbook and the values it must never show.

Any contact channel, person, team, escalation step, vendor contact, mitigation option,
runbook, dependency, intervention or risk can be ``visibility: internal``. ``public_view``
is the one place that applies it: it returns the handbook with every internal item left
out, and with every mention of a left-out item dropped where it is one entry of a list (a
role holder, an escalation step calling an internal person, a runbook's link to an
internal intervention or runbook, a signal's runbook), so the public handbook never points
at something it does not show. Where a public record cannot do without what it names (a
runbook's owner, the fallback team, a person's team, a policy version's author, an
intervention's runbook), the ``visibility`` rule refuses an internal target instead.

``audit`` compares the two handbooks, string by string: every string ``public_view`` keeps
is public text, and every string it leaves out may be an internal value (``internal_values``:
names and titles, channel values, sentences of internal items; not ids, states or labels),
so that what counts as internal is decided in ``public_view`` alone. Validation refuses an
internal value mentioned in public text (``handbook.mentions``), and what is made for the
public is scanned for every one of them before it is published: the site by ``handbook
build`` (``leaks_in_public_build``), the PDFs of ``handbook pdf`` (``write_scanned``).
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TypeVar

from handbook.kinds import KINDS, Visibility
from handbook.leaks import Secret, scan
from handbook.model import (
    Address,
    ContactChannel,
    ContactRef,
    Dependency,
    ExternalResponder,
    Handbook,
    Incident,
    Intervention,
    Mitigation,
    Person,
    Risk,
    Runbook,
    Team,
    Transaction,
    VendorContact,
)
from handbook.outputs import clean_leftovers, scratch_beside

INTERNAL = "internal"


class _Visible(Protocol):
    visibility: str


def is_public(item: _Visible) -> bool:
    """Whether an item may appear in the public build."""
    return item.visibility != INTERNAL


def _public(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(item for item in items if is_public(item))


def _kept(ids: Iterable[str], known: set[str]) -> tuple[str, ...]:
    return tuple(i for i in ids if i in known)


# Every view made, so that a view given again is returned as it is: a public ``Site`` made
# from another (``dataclasses.replace``) keeps its handbook and the handbook's indexes.
_VIEWS: weakref.WeakValueDictionary[int, Handbook] = weakref.WeakValueDictionary()


def public_view(handbook: Handbook) -> Handbook:
    """The handbook as the public may read it: every internal item, and mention of it, gone."""
    if _VIEWS.get(id(handbook)) is handbook:
        return handbook
    view = _filtered(handbook)
    _VIEWS[id(view)] = view
    return view


@dataclass(frozen=True)
class _Kept:
    """The ids of the records a public view keeps that other records may name."""

    people: frozenset[str]
    teams: frozenset[str]
    interventions: frozenset[str]
    runbooks: frozenset[str]
    dependencies: frozenset[str]
    external_responders: frozenset[str]

    def steps(self, escalation: tuple[ContactRef, ...]) -> tuple[ContactRef, ...]:
        """The public escalation steps that call someone the view keeps."""
        return tuple(
            step
            for step in _public(escalation)
            if (step.person is None or step.person in self.people)
            and (step.team is None or step.team in self.teams)
            and (step.external is None or step.external in self.external_responders)
        )


def _people(people: tuple[Any, ...], kept: _Kept) -> tuple[Any, ...]:
    return tuple(
        dataclasses.replace(p, contacts=_public(p.contacts)) for p in people if p.id in kept.people
    )


def _teams(teams: tuple[Any, ...], kept: _Kept) -> tuple[Any, ...]:
    return tuple(
        dataclasses.replace(t, contacts=_public(t.contacts)) for t in teams if t.id in kept.teams
    )


def _roles(roles: tuple[Any, ...], kept: _Kept) -> tuple[Any, ...]:
    return tuple(
        dataclasses.replace(
            r,
            holders=dataclasses.replace(
                r.holders,
                primary=_kept(r.holders.primary, kept.people),
                backup=_kept(r.holders.backup, kept.people),
            ),
        )
        for r in roles
    )


def _severities(severities: tuple[Any, ...], kept: _Kept) -> tuple[Any, ...]:
    return tuple(dataclasses.replace(s, escalation=kept.steps(s.escalation)) for s in severities)


def _runbooks(runbooks: tuple[Any, ...], kept: _Kept) -> tuple[Any, ...]:
    return tuple(
        dataclasses.replace(
            r,
            mitigations=_public(r.mitigations),
            escalation=kept.steps(r.escalation),
            interventions=_kept(r.interventions, kept.interventions),
            dependencies=_kept(r.dependencies, kept.dependencies),
            related=_kept(r.related, kept.runbooks),
        )
        for r in _public(runbooks)
    )


def _dependencies(dependencies: tuple[Any, ...], kept: _Kept) -> tuple[Any, ...]:
    return tuple(
        dataclasses.replace(
            d,
            contacts=tuple(
                dataclasses.replace(c, channels=_public(c.channels)) for c in _public(d.contacts)
            ),
        )
        for d in _public(dependencies)
    )


def _signals(signals: tuple[Any, ...], kept: _Kept) -> tuple[Any, ...]:
    return tuple(
        dataclasses.replace(
            s,
            runbook=s.runbook if s.runbook in kept.runbooks else None,
            notify_external=_kept(s.notify_external, kept.external_responders),
        )
        for s in signals
    )


def _interventions(interventions: tuple[Any, ...], kept: _Kept) -> tuple[Any, ...]:
    return _public(interventions)


def _risks(risks: tuple[Any, ...], kept: _Kept) -> tuple[Any, ...]:
    return tuple(
        dataclasses.replace(
            r,
            mitigations=dataclasses.replace(
                r.mitigations,
                interventions=_kept(r.mitigations.interventions, kept.interventions),
                runbooks=_kept(r.mitigations.runbooks, kept.runbooks),
            ),
        )
        for r in _public(risks)
    )


def _external_responders(responders: tuple[Any, ...], kept: _Kept) -> tuple[Any, ...]:
    return tuple(dataclasses.replace(r, contacts=_public(r.contacts)) for r in _public(responders))


# Incident statuses a public post-mortem may be published at: the review is done.
PUBLISHED_STATUSES = frozenset({"reviewed"})


def _incidents(incidents: tuple[Any, ...], kept: _Kept) -> tuple[Any, ...]:
    """Reviewed public incidents as the public post-mortem shows them.

    Who held which role never leaves the team; the sections the incident lists as
    internal are left out whole, and internal entries of the rest one by one.
    """

    def view(i: Incident) -> Incident:
        hidden = set(i.internal_sections)
        web3 = None
        if i.web3 is not None and "web3" not in hidden:
            web3 = dataclasses.replace(
                i.web3,
                transactions=_public(i.web3.transactions),
                addresses=_public(i.web3.addresses),
            )
        response = "response" not in hidden
        lessons = "lessons" not in hidden
        return dataclasses.replace(
            i,
            detected=None if "detection" in hidden else i.detected,
            roles=(),
            timeline=() if "timeline" in hidden else _public(i.timeline),
            impact=None if "impact" in hidden else i.impact,
            runbooks=_kept(i.runbooks, kept.runbooks) if response else (),
            interventions=_kept(i.interventions, kept.interventions) if response else (),
            communications=i.communications if response else (),
            root_causes=() if "root_causes" in hidden else i.root_causes,
            went_well=i.went_well if lessons else (),
            went_badly=i.went_badly if lessons else (),
            web3=web3,
            action_items=() if "action_items" in hidden else _public(i.action_items),
        )

    return tuple(view(i) for i in _public(incidents) if i.status in PUBLISHED_STATUSES)


def _exercises(exercises: tuple[Any, ...], kept: _Kept) -> tuple[Any, ...]:
    """Public exercises without who took part or signed: signers are whom attackers target."""
    return tuple(
        dataclasses.replace(
            e,
            runbooks=_kept(e.runbooks, kept.runbooks),
            interventions=_kept(e.interventions, kept.interventions),
            signers=(),
            participants=(),
            action_items=_public(e.action_items),
        )
        for e in _public(exercises)
    )


# The public view of each kind declared ``Visibility.FILTERED`` in handbook/kinds.py (a test
# keeps the two in step): its internal records, and every mention of a left-out one, dropped.
FILTERS: dict[str, Callable[[tuple[Any, ...], _Kept], tuple[Any, ...]]] = {
    "people": _people,
    "teams": _teams,
    "roles": _roles,
    "severities": _severities,
    "runbooks": _runbooks,
    "dependencies": _dependencies,
    "interventions": _interventions,
    "signals": _signals,
    "risks": _risks,
    "external_responders": _external_responders,
    "incidents": _incidents,
    "exercises": _exercises,
}


def _filtered(handbook: Handbook) -> Handbook:
    # Each field of _Kept is named for a kind: the ids of its public records.
    kept = _Kept(
        **{
            kind.name: frozenset(r.id for r in getattr(handbook, kind.name) if is_public(r))
            for kind in dataclasses.fields(_Kept)
        }
    )
    return handbook.replace(
        **{
            kind.attribute: FILTERS[kind.name](getattr(handbook, kind.attribute), kept)
            for kind in KINDS
            if kind.visibility is Visibility.FILTERED
        },
    )


DataPath = tuple[str | int, ...]


class Leaf(NamedTuple):
    """One string of the model, the field that holds it and the record it belongs to."""

    text: str
    owner: Any  # the model object whose field holds the string
    field: str
    record: tuple[str, int | None]  # ("runbooks", 3); ("info", None) for one-record kinds


_NO_TEXT = frozenset({"int", "bool", "dt.date", "int | None", "dt.date | None"})


@cache
def _init_fields(cls: type) -> tuple[str, ...]:
    """The fields of a model class that may hold a string (not numbers, flags, dates)."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.init and str(f.type) not in _NO_TEXT)


_new_leaf = partial(tuple.__new__, Leaf)  # a Leaf without NamedTuple's Python-level __new__


@dataclass
class _Walk:
    """What one walk over the handbook gathers, split by what the public view keeps."""

    kept: set[int]  # identities of the strings the view holds
    texts: list[str] = dataclasses.field(default_factory=list)  # the public strings
    shown: set[tuple[str, str]] = dataclasses.field(default_factory=set)  # ("name", text)...
    left_out: list[Leaf] = dataclasses.field(default_factory=list)
    every: list[Leaf] | None = None  # every public leaf too, when asked for

    def collect(self, node: Any, owner: Any, field: str, record: tuple[str, int | None]) -> None:
        """Sort every string inside ``node``."""
        if isinstance(node, str):
            if id(node) not in self.kept:
                self.left_out.append(_new_leaf((node, owner, field, record)))
                return
            self.texts.append(node)
            if self.every is not None:
                self.every.append(_new_leaf((node, owner, field, record)))
            key = (type(owner), field)
            if key in _NAMES:
                self.shown.add(("name", node))
            elif key in _VALUES:
                self.shown.add(("value", node))
        elif isinstance(node, tuple):
            for item in node:
                self.collect(item, owner, field, record)
        elif hasattr(type(node), "__dataclass_fields__"):
            for name in _init_fields(type(node)):
                self.collect(getattr(node, name), node, name, record)

    def over(self, handbook: Handbook) -> _Walk:
        """Walk every record of ``handbook``."""
        for name, value in handbook.kinds.items():
            if isinstance(value, tuple):
                for number, item in enumerate(value):
                    self.collect(item, None, "", (name, number))
            else:
                self.collect(value, None, "", (name, None))
        return self


def _string_ids(node: Any, out: set[int]) -> None:
    """Add to ``out`` the identity of every string inside ``node``."""
    if isinstance(node, str):
        out.add(id(node))
    elif isinstance(node, tuple):
        for item in node:
            _string_ids(item, out)
    elif hasattr(type(node), "__dataclass_fields__"):
        for name in _init_fields(type(node)):
            _string_ids(getattr(node, name), out)


def _path_in(node: Any, target: Any) -> DataPath | None:
    """Where the very object ``target`` (a model object: never shared) is inside ``node``."""
    if node is target:
        return ()
    if isinstance(node, tuple):
        items: Iterable[tuple[str | int, Any]] = enumerate(node)
    elif hasattr(type(node), "__dataclass_fields__"):
        items = ((name, getattr(node, name)) for name in _init_fields(type(node)))
    else:
        return None
    for key, child in items:
        found = _path_in(child, target)
        if found is not None:
            return (key, *found)
    return None


def path_of(handbook: Handbook, leaf: Leaf) -> DataPath:
    """The path of a leaf from the handbook down, which is also its path in the data.

    Every model field is the data's key of the same name, every tuple the data's list.
    """
    name, number = leaf.record
    record = getattr(handbook, name) if number is None else getattr(handbook, name)[number]
    path: DataPath = (name,) if number is None else (name, number)
    path += (*(_path_in(record, leaf.owner) or ()), leaf.field)
    value = getattr(leaf.owner, leaf.field)
    if isinstance(value, tuple):
        path += (next(i for i, item in enumerate(value) if item is leaf.text),)
    return path


# What a left-out string is, by the field that holds it. Names and titles are looked for
# whatever their length; channel values and handles with their punctuation; labels of
# channels and people (``Mobile``, a job title, a time zone) never; any other text (a
# description, a step, a note) when it is words separated by spaces, ``MIN_WORDS`` or
# more: ids, states, versions, durations and short labels are used by public pages for
# reasons of their own.
_NAMES = frozenset(
    {
        (Person, "name"),
        (Team, "name"),
        (VendorContact, "name"),
        (Mitigation, "title"),
        (Intervention, "title"),
        (Risk, "title"),
        (Runbook, "title"),
        (Dependency, "name"),
        (ExternalResponder, "name"),
    }
)
# On-chain hashes and addresses are single words, looked for as values like a phone number.
_VALUES = frozenset(
    {
        (ContactChannel, "value"),
        (Team, "forge_handle"),
        (Transaction, "hash"),
        (Address, "address"),
    }
)
_LABELS = frozenset(
    {(ContactChannel, "label"), (Person, "title"), (Person, "timezone"), (VendorContact, "purpose")}
)
MIN_WORDS = 3


def _kind(leaf: Leaf) -> str | None:
    """How a left-out string is looked for: as a name, a value or a text; None: it is not."""
    key = (type(leaf.owner), leaf.field)
    if key in _NAMES:
        return "name"
    if key in _VALUES:
        return "value"
    if key in _LABELS or len(leaf.text.split()) < 2:  # ids, states, versions, durations
        return None
    if len(Secret(leaf.text, "", words=True).tokens) < MIN_WORDS:
        return None
    return "text"


def source(handbook: Handbook, leaf: Leaf) -> str:
    """Whose string a leaf is, for messages: ``people 'ana-silva'.contacts[0] (phone channel)``."""
    name, number = leaf.record
    rest = path_of(handbook, leaf)[1 if number is None else 2 :]
    head = name if number is None else f"{name} {getattr(handbook, name)[number].id!r}"
    tail = ""
    if isinstance(leaf.owner, ContactChannel) and leaf.field == "value":
        rest, tail = rest[:-1], f" ({leaf.owner.type} channel)"
    return head + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest) + tail


@dataclass(frozen=True)
class Audit:
    """What the public edition shows and what it must not."""

    handbook: Handbook
    kept: set[int]  # identities of the strings the public view holds
    texts: list[str]  # every string the public view keeps
    secrets: list[Secret]  # every value it leaves out that must not appear anywhere

    def public(self) -> list[Leaf]:
        """Every string the public view keeps, with its field and record (a second walk)."""
        walk = _Walk(self.kept, every=[]).over(self.handbook)
        assert walk.every is not None
        return walk.every


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_SIGNS = ("@", "#")


def _sentences(text: str) -> list[str]:
    """The sentences of a text of several, each of ``MIN_WORDS`` words or more."""
    parts = [p for p in _SENTENCE_END.split(text.strip()) if p]
    if len(parts) < 2:
        return []
    return [p for p in parts if len(Secret(p, "", words=True).tokens) >= MIN_WORDS]


def _handles(value: str) -> list[str]:
    """Shorter forms a channel value is also looked for as.

    An address without its scheme (``example.com/x/support`` for ``https://...``), when a
    path follows the host; the handle after a description (``harbor-secops-primary`` of
    ``on-call service: harbor-secops-primary``, ``#ops-bridge`` of ``shared channel
    #ops-bridge``): the last run without spaces, when it is words joined by punctuation
    or a word after ``@`` or ``#``.
    """
    forms = []
    scheme = _SCHEME.match(value.strip())
    if scheme:
        rest = value.strip()[scheme.end() :]
        host, _, path = rest.partition("/")
        if host and path.strip("/"):
            forms.append(rest)
    chunks = value.split()
    if len(chunks) > 1 and not scheme:
        tokens = Secret(chunks[-1], "").tokens
        words = sum(t.isalnum() for t in tokens)
        if words >= 2 or (words == 1 and tokens[0] in _SIGNS):
            forms.append(chunks[-1])
    return forms


def audit(handbook: Handbook) -> Audit:
    """Every string the public view keeps, and every internal value, with its source.

    The view is made of the handbook's own objects, strings included, so a string is kept
    exactly when the view holds that very object. A left-out value counts unless the view
    shows the same value in a field of the same sort in its own right (a public channel
    with the same address, a public person with the same name): being mentioned in public
    text never exempts it. A text counts whole and sentence by sentence; a channel value
    whole and by its handle (``_handles``), unless that handle is a public string on its
    own (an id).
    """
    kept: set[int] = set()
    _string_ids(tuple(public_view(handbook).kinds.values()), kept)
    walk = _Walk(kept).over(handbook)
    shown: dict[str, set[tuple[str, ...]]] = {"name": set(), "value": set()}
    for sort, text in walk.shown:
        shown[sort].add(tuple(Secret(text, "", words=sort == "name").tokens))
    bare: set[tuple[str, ...]] | None = None  # public strings without spaces (ids...)
    secrets: dict[tuple[str, bool], Secret] = {}
    for leaf in walk.left_out:
        sort = _kind(leaf)
        if sort is None or (leaf.text, sort != "value") in secrets:
            continue
        secret = Secret(leaf.text, "", words=sort != "value")
        if sort in shown and tuple(secret.tokens) in shown[sort]:
            continue
        where = source(handbook, leaf)
        secrets[leaf.text, secret.words] = dataclasses.replace(secret, source=where)
        if sort == "text":
            for sentence in _sentences(leaf.text):
                secrets.setdefault((sentence, True), Secret(sentence, where, words=True))
        elif sort == "value":
            for form in _handles(leaf.text):
                tokens = tuple(Secret(form, "").tokens)
                if bare is None:
                    bare = {tuple(Secret(t, "").tokens) for t in walk.texts if " " not in t}
                if tokens and tokens not in shown["value"] and tokens not in bare:
                    secrets.setdefault((form, False), Secret(form, where))
    return Audit(handbook, kept, walk.texts, list(secrets.values()))


def internal_values(handbook: Handbook) -> list[Secret]:
    """Every value the public build must not show, with the record it comes from."""
    return audit(handbook).secrets


def leaks_in_public_build(handbook: Handbook, folder: Path) -> list[str]:
    """One message per internal value found in a built public site (none when it is clean)."""
    leaks, unreadable = scan(folder, internal_values(handbook))
    return [leak.message for leak in leaks] + unreadable


class PublicLeak(Exception):
    """Files made for the public hold internal values (``messages`` says where and whose)."""

    def __init__(self, messages: list[str]) -> None:
        """Keep the leak scan's messages."""
        super().__init__(f"{len(messages)} internal values in public files")
        self.messages = messages


_W = TypeVar("_W")


def write_scanned(handbook: Handbook, target: Path, write: Callable[[Path], list[_W]]) -> list[_W]:
    """Files for the public: written aside, leak-scanned, then moved into ``target``.

    ``write`` writes into the folder it is given and returns what it wrote (objects with a
    ``path``). It writes into a scratch folder beside ``target``; when the scan finds an
    internal value there, or a file it cannot read, ``PublicLeak`` is raised, the scratch
    folder removed and nothing reaches ``target``. Otherwise every file is renamed into
    place and the same objects are returned, with their paths under ``target``.
    """
    clean_leftovers(target)
    scratch = scratch_beside(target)
    try:
        written = write(scratch)
        found = leaks_in_public_build(handbook, scratch)
        if found:
            raise PublicLeak(found)
        moved = []
        for item in written:
            path = target / Path(item.path).relative_to(scratch)  # type: ignore[attr-defined]
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(item.path, path)  # type: ignore[attr-defined]
            moved.append(dataclasses.replace(item, path=path))  # type: ignore[type-var]
        return moved
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
