"""Files on disk: written whole or not at all, their states, and the entries a build reads.

A file is written to a temporary file and renamed, so readers see the old content or the
new, never half of it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

FileState = tuple[str, int, int]  # absolute name, size, modification time (ns)


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``target``, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.chmod(scratch, 0o644)  # mkstemp makes it private; a site is meant to be read
        os.replace(scratch, target)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def _entries(folder: str) -> Iterator[os.DirEntry[str]]:
    """Every file under ``folder`` (links to folders not followed)."""
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    yield from _entries(entry.path)
                elif entry.is_file():
                    yield entry
    except (FileNotFoundError, NotADirectoryError):
        return


def state_of(paths: Iterable[Path], suffix: str = "") -> tuple[FileState, ...]:
    """(name, size, modification time) of each file at or under ``paths`` ending in ``suffix``.

    Changes whenever such a file is added, removed or written.
    """
    found: list[FileState] = []
    for path in paths:
        name = os.path.abspath(path)
        if os.path.isfile(name):
            stat = os.stat(name)
            found.append((name, stat.st_size, stat.st_mtime_ns))
            continue
        for entry in _entries(name):
            if entry.name.endswith(suffix):
                stat = entry.stat()
                found.append((entry.path, stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(found))


def outside(path: Path, folder: Path) -> bool:
    """Whether ``path``, once every symbolic link on the way is followed, is outside ``folder``."""
    return Path(os.path.realpath(folder)) not in Path(os.path.realpath(path)).parents


NOT_REGULAR = "is not a regular file (a FIFO, socket or device)"


@dataclass
class Tree:
    """The regular files of a folder a build may read, and the entries it must not."""

    files: list[Path] = field(default_factory=list)
    refused: list[tuple[Path, str]] = field(default_factory=list)  # (entry, why)


def walk_tree(folder: Path, root: Path) -> Tree:
    """Every entry under ``folder``, walked once; links to folders are not entered.

    Links out of ``root`` and FIFOs, sockets or devices are refused unread: a link
    ``notes.txt -> /etc/passwd`` would publish a file of the build machine, a FIFO would
    hang whoever reads it.
    """
    tree = Tree()
    for top, folders, files in os.walk(folder):
        for name in sorted([*folders, *files]):
            path = Path(top) / name
            if path.is_symlink() and outside(path, root):
                tree.refused.append((path, f"{name} is a symbolic link out of the project"))
            elif path.is_file():
                tree.files.append(path)
            elif not path.is_dir():
                tree.refused.append((path, f"{name} {NOT_REGULAR}"))
    return tree
