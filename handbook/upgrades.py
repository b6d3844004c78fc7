"""Which engine a handbook's data is written for, and what to change when the engine moves on.

``data/handbook.yml`` says ``engine: "0.2"``: the engine version (major.minor) its data is
written for. ``handbook init`` writes the running engine's. Validation (rule
``engine-version``) refuses data written for a newer engine than the one running, and
tells a handbook written for an older one what changed since, change by change, with
what to do; ``handbook migrate`` applies the changes that can be made for the team and
then records the running version. A data format change is one ``Change`` in
``CHANGES``, made in the same commit as the schema change it describes.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from handbook.diagnostics import Diagnostic, Level
from handbook.load import Record
from handbook.outputs import replace_folder, scratch_beside

RULE = "engine-version"
FIELD = "engine"
Version = tuple[int, int]
_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
# The ``engine:`` line of handbook.yml, as init writes it (plain or quoted, maybe commented).
_AFTER = re.compile(r"^handbook_version:.*\n", re.MULTILINE)
_ENGINE_LINE = re.compile(r'^engine:[ \t]*(?:"[^"\n]*"|\'[^\'\n]*\'|[^\s#]*)', re.MULTILINE)


@cache  # read from the installed distribution's metadata: once, not on every validation
def engine_version() -> str:
    """The installed engine's full version (``0.2.0``)."""
    return metadata.version("incident-handbook")


def parse(text: str) -> Version | None:
    """``"0.1"`` -> ``(0, 1)``; None for anything else."""
    found = _VERSION.match(text)
    return (int(found[1]), int(found[2])) if found else None


def shown(version: Version) -> str:
    """``(0, 1)`` -> ``"0.1"``."""
    return f"{version[0]}.{version[1]}"


def running() -> Version:
    """The running engine's major.minor: the data format it reads."""
    major, minor, *_ = engine_version().split(".")
    return int(major), int(minor)


@dataclass(frozen=True)
class Change:
    """One change of the data format, made by the engine version ``version``."""

    version: Version
    what: str  # what changed and what the team does about it, in one sentence
    # Makes the change in a data folder; returns the files it rewrote. None: by hand only.
    migrate: Callable[[Path], list[Path]] | None = None


# Every change of the data format since 0.1, oldest first. 0.1 is the first format.
CHANGES: tuple[Change, ...] = (
    Change(
        (0, 2),
        "each severity level says whether it pages a responder at any hour (pages: true or "
        "false); a level that pages needs an escalation, and its signals a runbook",
    ),
    Change(
        (0, 2),
        "phone numbers are checked as real numbers: an invented one (such as +1 555 0100 "
        "100) must become a real or a reserved fictional number, and a number written "
        "without its country code needs phone_region in handbook.yml",
    ),
)


def changes_since(written_for: Version) -> list[Change]:
    """The changes a handbook written for ``written_for`` has not taken, oldest first."""
    now = running()
    return [c for c in CHANGES if written_for < c.version <= now]


def check(handbook: Record) -> Iterator[Diagnostic]:
    """``engine-version``: the data is written for this engine, else what to do about it."""
    if not isinstance(handbook.data, dict):
        return  # handbook.yml is broken: its own errors come first
    value = handbook.data.get(FIELD)
    now = shown(running())
    if value is None:
        yield handbook.diagnostic(
            (),
            f'handbook.yml does not say which engine its data is written for; add engine: "{now}"'
            " (handbook migrate writes it)",
            RULE,
            Level.WARNING,
        )
        return
    written_for = parse(value) if isinstance(value, str) else None
    if written_for is None:
        return  # the schema reports the malformed value
    if written_for > running():
        yield handbook.diagnostic(
            (FIELD,),
            f"this handbook is written for engine {value}, newer than this engine ({now}); "
            f"install incident-handbook {value} or newer",
            RULE,
        )
        return
    pending = changes_since(written_for)
    for change in pending:
        how = "handbook migrate makes it" if change.migrate else "change it by hand"
        yield handbook.diagnostic(
            (FIELD,),
            f"since engine {shown(change.version)}: {change.what} ({how})",
            RULE,
            Level.WARNING,
        )
    if written_for < running():
        yield handbook.diagnostic(
            (FIELD,),
            f"written for engine {value}; this engine is {now}"
            + ("" if pending else ", which reads it unchanged")
            + f': run handbook migrate, or set engine: "{now}"',
            RULE,
            Level.WARNING,
        )


class MigrateError(Exception):
    """The handbook cannot be migrated (the message says why; nothing was written)."""


def _recorded(text: str) -> Version | None:
    """The version the ``engine:`` line of handbook.yml's text names (None when absent)."""
    found = _ENGINE_LINE.search(text)
    if found is None:
        return None
    value = found[0].partition(":")[2].strip().strip("\"'")
    version = parse(value)
    if version is None:
        raise MigrateError(f'engine: {value!r} is not a version such as "{shown(running())}"')
    return version


def with_engine(text: str, version: Version) -> str:
    """handbook.yml's text recording ``version``: its ``engine:`` line, else one added."""
    line = f'engine: "{shown(version)}"'
    if _ENGINE_LINE.search(text):
        return _ENGINE_LINE.sub(line, text, count=1)
    after = _AFTER.search(text)  # beside the handbook's own version, else at the end
    if after is not None:
        return text[: after.end()] + line + "\n" + text[after.end() :]
    return text + ("" if text.endswith("\n") or not text else "\n") + line + "\n"


def migrate(data_dir: Path) -> list[str]:
    """Bring a handbook's data to the running engine; what was done, one line each.

    Data written for an unknown version (no ``engine:``) is taken as the first format, 0.1.
    The changes are made in a copy of the data folder that then replaces it: a failing
    change leaves the data as it was.
    """
    info = data_dir / "handbook.yml"
    try:
        text = info.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MigrateError(f"{info}: {exc}") from None
    written_for = _recorded(text) or (0, 1)
    now = running()
    if written_for > now:
        raise MigrateError(
            f"{info}: written for engine {shown(written_for)}, newer than this engine "
            f"({shown(now)}); install a newer engine instead"
        )
    if written_for == now and _recorded(text) is not None:
        return []
    scratch = scratch_beside(data_dir)
    try:
        shutil.copytree(data_dir, scratch, dirs_exist_ok=True, symlinks=True)
        scratch.chmod(data_dir.stat().st_mode)
        done = [_make(change, scratch) for change in changes_since(written_for)]
        copy = scratch / "handbook.yml"
        copy.write_text(with_engine(copy.read_text(encoding="utf-8"), now), encoding="utf-8")
        replace_folder(scratch, data_dir)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return [*done, f'{info}: engine: "{shown(now)}"']


def _make(change: Change, data: Path) -> str:
    """Make one change in the data folder ``data``; what was done."""
    if change.migrate is None:
        return f"to do by hand (engine {shown(change.version)}): {change.what}"
    rewritten = change.migrate(data)
    names = ", ".join(p.relative_to(data).as_posix() for p in rewritten) or "nothing to change"
    return f"made (engine {shown(change.version)}): {change.what}: {names}"
