"""``handbook incident new`` and ``handbook incident close``: incident records from the war room.

``new`` writes ``data/incidents/<id>.yml`` with the time (UTC) and the holders of the roles
the severity involves filled in, valid as written, ready to be committed. ``close`` checks
what the policy asks of a finished record (timeline, root causes, tracked action items,
lessons once reviewed), lists every gap at once, and only then changes the ``status:``
value, leaving every other byte of the file as it was.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handbook.diagnostics import Diagnostic, Level, sort_diagnostics
from handbook.files import write_atomically
from handbook.load import json_path
from handbook.model import Handbook, Role
from handbook.pipeline import Project, Result, validate
from handbook.reader import Document, PathKey, read_bytes, scalar_value
from handbook.report import format_text

FOLDER = "incidents"  # under the data folder: one file per incident, named by its id
RULE = "incident-close"
TIME_FORMAT = "%Y-%m-%dT%H:%MZ"  # UTC to the minute, as the schema writes times
MAX_ID = 60
CLOSING = ("resolved", "reviewed")  # the statuses ``close`` sets
ITEM_STATUSES = ("open", "done", "dropped")
# What ``new`` writes as the detection source; ``close`` wants the real one by then.
SOURCE_UNKNOWN = "Not recorded yet: the alert, user or researcher that reported it"
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")  # common.schema.json#/$defs/id
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}Z\Z")
_WORD = re.compile(r"[a-z0-9]+")
_PLAIN = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\Z")  # ids and severity ids


class IncidentUsageError(Exception):
    """A command that cannot run as given (unknown severity or id, a taken id): exit 2."""


@dataclass(frozen=True)
class Outcome:
    """What a command did: success or not, and what to print on each stream."""

    ok: bool
    out: str = ""
    err: str = ""


def utc_time(text: str) -> dt.datetime:
    """Parse ``YYYY-MM-DDTHH:MMZ`` (an argparse type: a bad value is a usage error)."""
    try:
        if not _TIME.match(text):
            raise ValueError(text)
        return dt.datetime.strptime(text, TIME_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a UTC time (YYYY-MM-DDTHH:MMZ): {text!r}") from None


def now_utc() -> dt.datetime:
    """The current UTC time, to the minute."""
    return dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


def slug(text: str, limit: int) -> str:
    """``text`` as lowercase ASCII kebab-case of at most ``limit`` characters, whole words."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = _WORD.findall(ascii_text.lower())
    out = ""
    for word in words:
        longer = f"{out}-{word}" if out else word
        if len(longer) > limit:
            break
        out = longer
    if not out and words:  # a first word longer than the limit: cut it
        out = words[0][:limit]
    return out or "incident"


def default_id(title: str, now: dt.datetime) -> str:
    """``<YYYY-MM>-<slug of the title>``, at most ``MAX_ID`` characters."""
    prefix = now.strftime("%Y-%m-")
    return prefix + slug(title, MAX_ID - len(prefix))


def _q(value: str) -> str:
    """A YAML scalar for a string: an id as it is, anything else double-quoted.

    JSON's string syntax is valid YAML; a plain scalar is used only where the reader takes
    it as the same string (not ``true``, ``null`` or a number).
    """
    try:
        plain = _PLAIN.match(value) is not None and scalar_value(value, plain=True) == value
    except ValueError:  # an integer too long to be one: quoted
        plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)


def _involved(handbook: Handbook, severity: str) -> list[tuple[Role, str]]:
    """The roles the severity involves (every role when it names none), with a holder each."""
    level = next(s for s in handbook.severities if s.id == severity)
    roles = {role.id: role for role in handbook.roles}
    chosen = [roles[r] for r in level.involved_roles if r in roles] or list(handbook.roles)
    return [(role, role.holders.primary[0]) for role in chosen if role.holders.primary]


def record_text(
    handbook: Handbook, incident_id: str, title: str, severity: str, now: dt.datetime
) -> str:
    """The YAML of a new, open incident record: valid as it is, with what to fill in."""
    at = _q(now.strftime(TIME_FORMAT))
    lines = [
        f"# Incident record opened with `handbook incident new` at {now.strftime(TIME_FORMAT)}.",
        "# Commit it as it is, then keep it current while responding: detected.source (and",
        "# detected.signal if a signal fired), a summary, a roles entry for every handover,",
        "# and a timeline entry, in UTC, for every finding, decision and action.",
        "# Closing it needs a timeline entry of phase detection and one of resolution (or",
        "# mitigation), root_causes, action_items each with an owner and a due date, and,",
        "# to mark it reviewed, went_well or went_badly; this command checks them all:",
        f"#   handbook incident close {incident_id}",
        "# `handbook template incident` shows every field.",
        f"id: {_q(incident_id)}",
        f"title: {_q(title)}",
        f"severity: {_q(severity)}",
        "status: open",
        "detected:",
        f"  at: {at}",
        f"  source: {_q(SOURCE_UNKNOWN)}",
        "roles:",
    ]
    for role, person in _involved(handbook, severity):
        lines += [f"  - role: {_q(role.id)}", f"    person: {_q(person)}", f"    since: {at}"]
    lines += [
        "timeline:",
        f"  - at: {at}",
        "    phase: detection",
        f"    text: {_q(f'Incident record opened at severity {severity}.')}",
    ]
    return "\n".join(lines) + "\n"


def _create(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` whole or not at all, never over an existing file."""
    fd, scratch = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.chmod(scratch, 0o644)
        try:
            os.link(scratch, target)  # fails if the name was taken meanwhile
        except FileExistsError:
            raise IncidentUsageError(f"{target} already exists; nothing written") from None
        except OSError:  # a file system without hard links
            if target.exists():
                raise IncidentUsageError(f"{target} already exists; nothing written") from None
            os.replace(scratch, target)
    finally:
        Path(scratch).unlink(missing_ok=True)


def _shown(path: Path, root: Path) -> str:
    """A data file's name as the diagnostics give it: relative to the project root."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _invalid(result: Result, why: str) -> Outcome:
    """The project's diagnostics, and why the command stopped."""
    return Outcome(False, err=format_text(result.diagnostics, result.file_count) + why)


def new_incident(
    project: Project,
    title: str,
    severity: str,
    incident_id: str | None = None,
    now: dt.datetime | None = None,
) -> Outcome:
    """``handbook incident new``: write an open incident record; refuse on invalid data."""
    title = title.strip()
    if not title or not title.isprintable():
        raise IncidentUsageError("the title must be one line of text")
    result = validate(project)
    if result.handbook is None:
        return _invalid(result, "handbook incident new: the data is invalid; nothing written\n")
    handbook = result.handbook
    known = [level.id for level in handbook.severities]
    if severity not in known:
        raise IncidentUsageError(
            f"unknown severity {severity!r}; this handbook's severities are {', '.join(known)}"
        )
    now = now or now_utc()
    incident_id = incident_id or default_id(title, now)
    if not _ID.match(incident_id):
        raise IncidentUsageError(
            f"{incident_id!r} is not an id: lowercase letters and digits joined by hyphens"
        )
    target = project.data_dir / FOLDER / f"{incident_id}.yml"
    if target.exists() or any(i.id == incident_id for i in handbook.incidents):
        raise IncidentUsageError(
            f"incident {incident_id} already exists ({target}); choose another with --id"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    _create(target, record_text(handbook, incident_id, title, severity, now).encode("utf-8"))
    shown = _shown(target, project.root)
    after = validate(project)
    own = [d for d in after.diagnostics if d.file == shown and d.level is Level.ERROR]
    if own:  # the title made it invalid (a placeholder word, a bad reference): take it back
        target.unlink(missing_ok=True)
        why = "handbook incident new: the new record would be invalid; nothing written\n"
        return Outcome(False, err=format_text(own, 1) + why)
    return Outcome(
        True,
        out=(
            f"handbook incident new: wrote {target}\n"
            f"next: commit it now, keep it current, and when it is over run "
            f"`handbook incident close {incident_id}`\n"
        ),
    )


def _filled(value: Any) -> bool:
    """Whether a field holds something: a non-empty list, text or value."""
    return value not in (None, "", [], {})


def close_problems(document: Document, status: str) -> list[Diagnostic]:
    """Everything an incident record lacks before it can take ``status`` (resolved/reviewed)."""
    data = document.data
    if not isinstance(data, dict):
        return []  # not a record at all: the schema says so

    def at(path: PathKey, message: str, where: PathKey | None = None) -> Diagnostic:
        """A diagnostic about ``path``, placed at its node (or ``where``), else at the id."""
        mark = document.positions.get(where or path) or document.mark(("id",))
        return Diagnostic(
            document.file, mark.line, mark.column, Level.ERROR, json_path(path), message, RULE
        )

    found: list[Diagnostic] = []
    detected = data.get("detected")
    source = detected.get("source") if isinstance(detected, dict) else None
    if isinstance(source, str) and source.startswith(SOURCE_UNKNOWN.split(":")[0]):
        found.append(at(("detected", "source"), "say what or who detected the incident"))
    timeline = data.get("timeline")
    entries = timeline if isinstance(timeline, list) else []
    phases = {e.get("phase") for e in entries if isinstance(e, dict)}
    if not entries:
        found.append(
            at(
                ("timeline",),
                "no timeline: add what happened when, in UTC, from detection to resolution",
            )
        )
    else:
        if "detection" not in phases:
            found.append(at(("timeline",), "the timeline has no entry of phase detection"))
        if not phases & {"resolution", "mitigation"}:
            found.append(
                at(("timeline",), "the timeline has no entry of phase resolution (or mitigation)")
            )
    if not _filled(data.get("root_causes")):
        found.append(at(("root_causes",), "no root cause: list at least one under root_causes"))
    if status == "reviewed" and not (
        _filled(data.get("went_well")) or _filled(data.get("went_badly"))
    ):
        found.append(
            at(("went_well",), "a reviewed incident lists what went well or what went badly")
        )
    items = data.get("action_items")
    for number, item in enumerate(items if isinstance(items, list) else []):
        path: PathKey = ("action_items", number)
        if not isinstance(item, dict):
            continue  # the schema reports it
        name = f"action item {item['id']!r}" if isinstance(item.get("id"), str) else "action item"
        for field, what in (("owner", "owner"), ("due", "due date")):
            if not _filled(item.get(field)):
                found.append(at((*path, field), f"{name} has no {what}", where=path))
        if item.get("status") not in ITEM_STATUSES:
            where = (*path, "status") if "status" in item else path
            found.append(at(where, f"{name} needs a status: {', '.join(ITEM_STATUSES)}"))
    return found


def with_status(document: Document, status: str) -> str | None:
    """The document's text with only its ``status:`` value replaced; None if it cannot be."""
    current = document.data.get("status") if isinstance(document.data, dict) else None
    mark = document.positions.get(("status",))
    if not isinstance(current, str) or mark is None:
        return None
    lines = document.text.split("\n")
    if mark.line > len(lines):
        return None
    line = lines[mark.line - 1]
    start = mark.column - 1
    for quote in ("", '"', "'"):
        written = f"{quote}{current}{quote}"
        rest = line[start + len(written) :]
        ends = not rest.strip() or (rest[:1] in " \t" and rest.lstrip().startswith("#"))
        if line.startswith(written, start) and ends:
            lines[mark.line - 1] = f"{line[:start]}{quote}{status}{quote}{rest}"
            return "\n".join(lines)
    return None


def close_incident(project: Project, incident_id: str, status: str = "reviewed") -> Outcome:
    """``handbook incident close``: check the record, then set its status (nothing else)."""
    if not _ID.match(incident_id):
        raise IncidentUsageError(f"{incident_id!r} is not an incident id")
    path = project.data_dir / FOLDER / f"{incident_id}.yml"
    if not path.is_file():
        raise IncidentUsageError(f"no incident {incident_id}: {path} does not exist")
    shown = _shown(path, project.root)
    raw = path.read_bytes()
    result = validate(project)
    document, refused = read_bytes(raw, shown)
    problems = close_problems(document, status) if document is not None else refused
    taken = {(d.file, d.line, d.column) for d in problems}
    errors = [
        d
        for d in result.diagnostics
        if d.level is Level.ERROR and (d.file, d.line, d.column) not in taken
    ]
    if problems or errors:
        listed = sort_diagnostics([*problems, *errors])
        why = f"handbook incident close: {incident_id} is not {status}; nothing changed\n"
        return Outcome(False, err=format_text(listed, result.file_count) + why)
    assert document is not None and isinstance(document.data, dict)
    current = document.data.get("status")
    if current == status:
        return Outcome(True, out=f"handbook incident close: {shown} is already {status}\n")
    if current == "reviewed":
        raise IncidentUsageError(f"{incident_id} is already reviewed; not set back to {status}")
    text = with_status(document, status)
    if text is None:
        raise IncidentUsageError(
            f"{shown}: write status as one plain word on its line (status: {current}) "
            "so that it can be changed"
        )
    encoded = text.encode("utf-8")
    if raw.startswith(b"\xef\xbb\xbf"):
        encoded = b"\xef\xbb\xbf" + encoded
    if path.read_bytes() != raw:  # edited while we checked: check it again
        raise IncidentUsageError(f"{shown} changed while it was checked; run the command again")
    write_atomically(path, encoded)
    changed = f"handbook incident close: {shown}: status {current} -> {status}\n"
    after = validate(project)
    if not after.ok:
        why = "handbook incident close: the status was set, but the data is now invalid\n"
        return Outcome(
            False, out=changed, err=format_text(after.diagnostics, after.file_count) + why
        )
    return Outcome(True, out=changed + f"next: commit {path}\n")
