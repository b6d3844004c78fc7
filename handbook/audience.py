"""Who may read what: the public view of a handbook and the values it must never show.

Any contact channel, person, team, escalation step, vendor contact, mitigation option,
intervention or risk can be ``visibility: internal``. ``public_view`` is the one place that
applies it: it returns the handbook with every internal item left out, and with every
mention of a left-out item dropped where it is one entry of a list (a role holder, an
escalation step calling an internal person, a runbook's link to an internal intervention),
so the public handbook never points at something it does not show. Where a public record
cannot do without what it names (a runbook's owner, the fallback team, a person's team, a
policy version's author), the ``visibility`` rule refuses an internal target instead.

``internal_values`` lists what the public build must not contain: the values left out by
``public_view``, found by comparing the two handbooks, so that what counts as internal is
decided in ``public_view`` alone.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from handbook.leaks import Secret, scan
from handbook.model import ContactChannel, ContactRef, Handbook

INTERNAL = "internal"
# A left-out text counts as an internal value only from this length and with a space in
# it (a name, a sentence): single words and ids (statuses, labels, time zones) appear in
# public pages for other reasons.
MIN_TEXT = 8


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


def _filtered(handbook: Handbook) -> Handbook:
    replace = dataclasses.replace
    people = {p.id for p in handbook.people if is_public(p)}
    teams = {t.id for t in handbook.teams if is_public(t)}
    interventions = {i.id for i in handbook.interventions if is_public(i)}

    def steps(escalation: tuple[ContactRef, ...]) -> tuple[ContactRef, ...]:
        return tuple(
            step
            for step in _public(escalation)
            if (step.person is None or step.person in people)
            and (step.team is None or step.team in teams)
        )

    return replace(
        handbook,
        people=tuple(
            replace(p, contacts=_public(p.contacts)) for p in handbook.people if p.id in people
        ),
        teams=tuple(
            replace(t, contacts=_public(t.contacts)) for t in handbook.teams if t.id in teams
        ),
        roles=tuple(
            replace(
                r,
                holders=replace(
                    r.holders,
                    primary=_kept(r.holders.primary, people),
                    backup=_kept(r.holders.backup, people),
                ),
            )
            for r in handbook.roles
        ),
        severities=tuple(replace(s, escalation=steps(s.escalation)) for s in handbook.severities),
        runbooks=tuple(
            replace(
                r,
                mitigations=_public(r.mitigations),
                escalation=steps(r.escalation),
                interventions=_kept(r.interventions, interventions),
            )
            for r in handbook.runbooks
        ),
        dependencies=tuple(
            replace(
                d,
                contacts=tuple(
                    replace(c, channels=_public(c.channels)) for c in _public(d.contacts)
                ),
            )
            for d in handbook.dependencies
        ),
        interventions=_public(handbook.interventions),
        risks=tuple(
            replace(
                r,
                mitigations=replace(
                    r.mitigations,
                    interventions=_kept(r.mitigations.interventions, interventions),
                ),
            )
            for r in _public(handbook.risks)
        ),
    )


Leaf = tuple[str, str, bool]  # (where, text, whether it is a contact channel's value)


def _leaves(node: Any, where: str) -> Iterator[Leaf]:
    """Every string inside a model object, with where it is and whether it is a channel."""
    if isinstance(node, str):
        yield where, node, False
    elif isinstance(node, ContactChannel):
        yield f"{where} ({node.type} channel)", node.value, True
        if node.label:
            yield f"{where}.label", node.label, False
    elif dataclasses.is_dataclass(node):
        for field in dataclasses.fields(node):
            yield from _leaves(getattr(node, field.name), f"{where}.{field.name}")
    elif isinstance(node, tuple):
        for number, item in enumerate(node):
            yield from _leaves(item, f"{where}[{number}]")


def _records(handbook: Handbook) -> Iterator[Leaf]:
    for field in dataclasses.fields(handbook):
        value = getattr(handbook, field.name)
        if isinstance(value, tuple):
            for record in value:
                yield from _leaves(record, f"{field.name} {record.id!r}")
        else:
            yield from _leaves(value, field.name)


def internal_values(handbook: Handbook) -> list[Secret]:
    """Every value the public build must not show, with the record it comes from.

    A channel value counts unless the same value is also a public channel; another text
    counts when it has a space, is at least ``MIN_TEXT`` long and the public view does not
    say it anywhere (a name, a sentence of an internal mitigation).
    """
    public = list(_records(public_view(handbook)))
    public_channels = {text for _, text, channel in public if channel}
    public_text = "\0".join(text for _, text, _ in public)
    secrets: dict[str, Secret] = {}
    for where, text, channel in _records(handbook):
        if channel:
            if text in public_channels:
                continue
        elif len(text) < MIN_TEXT or " " not in text.strip() or text in public_text:
            continue
        secrets.setdefault(text, Secret(text, where))
    return list(secrets.values())


def leaks_in_public_build(handbook: Handbook, folder: Path) -> list[str]:
    """One message per internal value found in a built public site (none when it is clean)."""
    leaks, unreadable = scan(folder, internal_values(handbook))
    return [leak.message for leak in leaks] + unreadable
