"""Writing files so that readers see the old content or the new, never half of it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
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
