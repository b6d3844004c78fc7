"""Find and read every data file of a project, kind by kind."""

from __future__ import annotations

import difflib
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from handbook.diagnostics import Diagnostic, Level
from handbook.files import NOT_REGULAR, Tree, outside
from handbook.kinds import KINDS, Kind, Layout
from handbook.memo import LastRun, owned
from handbook.reader import Document, Limits, PathKey, read_bytes
from handbook.secret_scan import scan_text

# A file read again with the same bytes gives the same document: a server that
# validates after every save parses only the files that changed.
READ_RESULTS: LastRun[tuple[str, bytes, Limits], tuple[Document | None, list[Diagnostic]]] = owned(
    LastRun()
)


@dataclass(frozen=True)
class Record:
    """One record as read: its kind, its data and where in which document it sits."""

    kind: str
    data: Any
    document: Document
    path: PathKey

    @property
    def id(self) -> str | None:
        """The record's id when it has a string one."""
        value = self.data.get("id") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else None

    def locate(self, *relative: str | int) -> tuple[str, int, int]:
        """File, line and column of a node inside this record."""
        mark = self.document.mark((*self.path, *relative))
        return self.document.file, mark.line, mark.column

    def json_path(self, *relative: str | int) -> str:
        """JSON path of a node inside this record, from the document root."""
        return json_path((*self.path, *relative))

    def diagnostic(
        self, path: PathKey, message: str, rule: str, level: Level = Level.ERROR
    ) -> Diagnostic:
        """A diagnostic about the node at ``path`` inside this record."""
        file, line, column = self.locate(*path)
        return Diagnostic(file, line, column, level, self.json_path(*path), message, rule)


@dataclass
class LoadedData:
    """Every document read, grouped by kind, and the problems met while reading."""

    documents: dict[str, list[Document]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)  # kinds with a missing or refused file
    # Documents may be the previous run's objects (same bytes): results about them too.
    reused: bool = False

    def incomplete_kinds(self) -> set[str]:
        """Kinds whose ids cannot all be known: references to them are not checked.

        A missing or refused file, a file of the wrong shape or a record without an id is
        already an error; reporting every reference to the lost records again would bury
        that one error under dozens that all go away once it is fixed.
        """
        incomplete = set(self.unreadable)
        for kind in KINDS:
            for document in self.documents.get(kind.name, []):
                shape = list if kind.layout is Layout.LIST else dict
                if not isinstance(document.data, shape):
                    incomplete.add(kind.name)
            if kind.has_ids and any(r.id is None for r in self.records(kind.name)):
                incomplete.add(kind.name)
        return incomplete

    def records(self, kind: str) -> Iterator[Record]:
        """Yield the records of one kind, in file order."""
        for document in self.documents.get(kind, []):
            if isinstance(document.data, list):
                for index, item in enumerate(document.data):
                    yield Record(kind, item, document, (index,))
            else:
                yield Record(kind, document.data, document, ())


def json_path(path: PathKey) -> str:
    """Format a path as a JSON path such as ``$.process[2].checklists[0]``."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _error(file: str, message: str, rule: str) -> Diagnostic:
    return Diagnostic(file, 1, 1, Level.ERROR, "$", message, rule)


def _files_of(kind: Kind, data_dir: Path) -> list[Path] | None:
    """The files holding a kind, or None when its file or folder is missing."""
    target = data_dir / kind.location
    if kind.layout is not Layout.DIRECTORY:
        return [target] if os.path.lexists(target) else None
    if not target.is_dir():
        return None
    return sorted(p for p in target.iterdir() if not p.name.startswith("."))


class Refused(Exception):
    """A data file that is not read at all; the message names it and says why."""


def refused_entries(tree: Tree, root: Path) -> list[Diagnostic]:
    """``docs-file`` errors for the entries of a tree a build must not copy (``walk_tree``)."""
    return [_error(_display(path, root), why, "docs-file") for path, why in tree.refused]


def _read_capped(path: Path, data_dir: Path, limits: Limits) -> bytes:
    """A regular file's bytes, at most one more than the size cap (a huge file costs nothing).

    A link out of ``data/`` is refused before it is opened, and anything but a regular file
    (a FIFO would block for ever, a device never end) right after: without blocking, and
    checked on the opened file itself, so nothing else is read in between.
    """
    if outside(path, data_dir):
        raise Refused(f"{path.name} is a symbolic link out of data/; data files must be in it")
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise Refused(f"{path.name} {NOT_REGULAR}")
        return stream.read(limits.max_bytes + 1)


def _stray_files(data_dir: Path, root: Path) -> list[Diagnostic]:
    """Files under ``data/`` that no kind reads: refused rather than silently ignored."""
    known = {kind.location for kind in KINDS}
    return [
        _error(_display(path, root), _stray_message(path.name, known), "unknown-file")
        for path in sorted(data_dir.iterdir())
        if path.name not in known and not path.name.startswith(".")
    ]


def _stray_message(name: str, known: set[str]) -> str:
    """Why a name under ``data/`` is refused, with the kind's name it is closest to."""
    by_stem = {location.removesuffix(".yml"): location for location in known}
    stem = name.split(".", 1)[0]
    close = difflib.get_close_matches(stem, sorted(by_stem), n=1, cutoff=0.75)
    hint = (
        f"did you mean {by_stem[close[0]]}?" if close else "no data kind is stored under this name"
    )
    return f"{name} is not a handbook data file; {hint}"


def load_data(
    data_dir: Path, root: Path, limits: Limits | None = None, reuse: bool = False
) -> LoadedData:
    """Read every kind's files under ``data_dir``; paths are reported relative to ``root``.

    With ``reuse``, a file holding the same bytes as in the previous such call gives the
    same document object, not parsed again: for callers that never change documents.
    """
    loaded = LoadedData(reused=reuse)
    limits = limits or Limits()
    read = READ_RESULTS.run(reuse)
    if not data_dir.is_dir():
        loaded.diagnostics.append(
            _error(_display(data_dir, root), "no data folder here", "missing-file")
        )
        return loaded
    loaded.diagnostics.extend(_stray_files(data_dir, root))
    for kind in KINDS:
        files = _files_of(kind, data_dir)
        if files is None and not kind.required:
            loaded.documents.setdefault(kind.name, [])  # absent: no records of this kind
            continue
        if files is None:
            shown = _display(data_dir / kind.location, root)
            what = "folder" if kind.layout is Layout.DIRECTORY else "file"
            loaded.diagnostics.append(
                _error(shown, f"missing {what} for {kind.name}: create {shown}", "missing-file")
            )
            loaded.unreadable.add(kind.name)
            continue
        documents = loaded.documents.setdefault(kind.name, [])
        for path in files:
            shown = _display(path, root)
            if path.is_dir():
                message = f"{path.name} is a folder; keep one .yml file per record in {kind.name}/"
                loaded.diagnostics.append(_error(shown, message, "unknown-file"))
                continue
            if path.suffix != ".yml":
                loaded.diagnostics.append(
                    _error(shown, f"{path.name} is not a .yml file", "unknown-file")
                )
                continue
            try:
                raw = _read_capped(path, data_dir, limits)
            except Refused as exc:
                loaded.diagnostics.append(_error(shown, str(exc), "unknown-file"))
                loaded.unreadable.add(kind.name)
                continue
            except OSError as exc:
                loaded.diagnostics.append(_error(shown, f"cannot read: {exc.strerror}", "yaml"))
                loaded.unreadable.add(kind.name)
                continue
            key = (shown, hashlib.blake2b(raw, digest_size=16).digest(), limits)
            document, problems = read(key, partial(read_bytes, raw, shown, limits))
            if problems:
                loaded.unreadable.add(kind.name)
            loaded.diagnostics.extend(problems)
            if document is not None:
                documents.append(document)
            else:  # refused: its text is still committed, comments and all (``secret``)
                text = raw[: limits.max_bytes].removeprefix(b"\xef\xbb\xbf")
                loaded.diagnostics.extend(scan_text(text.decode("utf-8", "replace"), shown))
    return loaded
