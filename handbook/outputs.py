"""Where a build may write: output folders that can never replace the project or its sources.

``handbook build`` swaps a whole folder into place, so a wrong ``--site-dir`` (an unset
shell variable gives ``""``, which is the project itself) would replace the checkout,
``.git`` included. Every output folder is checked here before anything is written, and the
scratch folders an interrupted build leaves beside its target are cleaned up by the next.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

# The project's own sources: an output may be none of these, inside one, or around one.
SOURCES = ("data", "docs", "schemas")
# Scratch and retired folders sit beside the target (a rename is atomic on one file system):
# ``.<target>.new-<pid>-<random>`` and ``.<target>.old-<pid>``.
_SCRATCH = ("new-", "old-")


class OutputError(Exception):
    """An output folder that must not be written to; the message says why."""


# Written into every site ``handbook build`` makes: only a folder carrying it is replaced.
# A folder that merely looks like a site (a GitHub Pages checkout has index.html and a
# sitemap too) may hold anything, ``.git`` included.
SITE_MARKER = ".handbook-site"
_MARKER_TEXT = "Written by handbook build: the next build may replace this folder.\n"


def mark_site(folder: Path) -> None:
    """Mark ``folder`` as a site ``handbook build`` wrote (and may replace)."""
    (folder / SITE_MARKER).write_text(_MARKER_TEXT, encoding="utf-8")


def _is_previous_site(folder: Path) -> bool:
    """A folder ``handbook build`` wrote: it carries the marker, as a regular file."""
    marker = folder / SITE_MARKER
    return marker.is_file() and not marker.is_symlink()


def _is_previous_pdfs(folder: Path) -> bool:
    """A folder ``handbook pdf`` wrote: nothing in it but PDFs and folders of PDFs."""
    return all(p.is_dir() or p.suffix == ".pdf" for p in folder.rglob("*"))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output(given: Path | str, project: Path, option: str, *, replaces_folder: bool) -> Path:
    """The resolved output folder, or ``OutputError`` when writing there could destroy data.

    Refused: an empty name; the project root or any folder around it; ``data/``, ``docs/``,
    ``schemas/`` or anything inside or around them; an existing file; and, for a build that
    replaces the whole folder, a non-empty folder that is not a previous site.
    """
    if str(given).strip() == "":
        raise OutputError(f"{option} is empty (an unset variable?); name a folder")
    try:
        target = Path(given).expanduser().resolve()
        root = project.resolve()
    except (RuntimeError, OSError) as exc:  # a link loop, ~unknownuser
        raise OutputError(f"{option} {given} cannot be resolved: {exc}") from None
    if _inside(root, target):
        raise OutputError(f"{option} {given} is the project folder or holds it; name a new folder")
    for name in SOURCES:
        source = (root / name).resolve()
        if _inside(target, source) or _inside(source, target):
            raise OutputError(f"{option} {given} would overwrite the project's {name}/")
    if target.exists() and not target.is_dir():
        raise OutputError(f"{option} {given} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()):
        previous = _is_previous_site if replaces_folder else _is_previous_pdfs
        if not previous(target):
            what = f"a site handbook build wrote ({SITE_MARKER})" if replaces_folder else "PDFs"
            raise OutputError(
                f"{option} {given} is a folder holding other things than {what}; "
                "name an empty or new folder"
            )
    return target


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner_pid(suffix: str) -> int | None:
    """The process id in a scratch folder's name after ``.<target>.`` (``new-1234-abcd``)."""
    for marker in _SCRATCH:
        if suffix.startswith(marker):
            head = suffix.removeprefix(marker).split("-", 1)[0]
            return int(head) if head.isdigit() else None
    return None


def clean_leftovers(target: Path) -> list[Path]:
    """Remove scratch folders of ``target`` left by builds that were killed; return them.

    A build that was interrupted (``kill -9``, a power cut) cannot clean up after itself,
    and its scratch folder holds a whole site, internal data included.
    """
    removed = []
    if not target.parent.is_dir():
        return removed
    prefix = f".{target.name}."
    for path in target.parent.iterdir():
        if not path.name.startswith(prefix) or not path.is_dir() or path.is_symlink():
            continue
        pid = _owner_pid(path.name[len(prefix) :])
        if pid is not None and not _pid_alive(pid):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def scratch_beside(target: Path) -> Path:
    """A new private folder beside ``target``, named for this process so others can clean it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.new-{os.getpid()}-", dir=target.parent))


def replace_folder(built: Path, target: Path) -> None:
    """Put ``built`` where ``target`` is, so that readers see the old or the new site only."""
    if not target.exists():
        built.rename(target)
        return
    retired = target.with_name(f".{target.name}.old-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(retired)
    target.rename(retired)
    built.rename(target)
    shutil.rmtree(retired)
