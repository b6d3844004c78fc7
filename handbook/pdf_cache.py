"""PDFs kept between runs, each under a key of everything that goes into it.

A PDF's key is the SHA-256 of its print document (the HTML, which holds the content, the
edition line and the build date), its name and title, the paper, both print stylesheets,
the scales a card may shrink to, and the versions of the engine and of WeasyPrint: change
any of them and the PDF is laid out again. An entry is one file, ``<key[:2]>/<key>.pdf``:
a header line (format, the SHA-256 of what follows, the page count, the length of the
notes), the notes (JSON: what the whole handbook needs to know of a piece of it, see
handbook/book_pdf.py), then the PDF's bytes; written to a temporary name and renamed. An
entry whose header or checksum does not hold (truncated, corrupted, another format) is
ignored, removed and laid out again: never served.

The folder is ``.handbook-cache/pdf`` in the project by default (git-ignored; CI keeps it
between runs with actions/cache); ``HANDBOOK_PDF_CACHE`` or ``handbook pdf --cache DIR``
names another, ``--no-cache`` (or ``HANDBOOK_PDF_CACHE=off``) uses none.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from handbook.files import write_atomically

FORMAT = b"handbook-pdf-cache 2"
ENV = "HANDBOOK_PDF_CACHE"
DEFAULT = Path(".handbook-cache") / "pdf"
_OFF = {"", "0", "off", "no", "none", "false"}


def configured(project: Path, given: Path | None = None, disabled: bool = False) -> Path | None:
    """The cache folder of ``project``: ``given``, else ``$HANDBOOK_PDF_CACHE``, else the default.

    None when caching is off (``disabled``, or the variable set to ``off``).
    """
    if disabled:
        return None
    if given is not None:
        return given
    value = os.environ.get(ENV)
    if value is not None:
        return None if value.strip().lower() in _OFF else Path(value).expanduser()
    return project / DEFAULT


@cache
def versions() -> tuple[str, str]:
    """(engine version, WeasyPrint version): a PDF made by others is not this one."""

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "unknown"

    return version("incident-handbook"), version("weasyprint")


def key(*parts: object) -> str:
    """The hex SHA-256 of ``parts`` (strings, numbers, bools, lists of them), unambiguously."""
    encoded = json.dumps([*versions(), *parts], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Entry:
    """A PDF from the cache: its bytes, page count and notes."""

    data: bytes
    pages: int
    notes: Any = None  # JSON: what was kept with it (None: nothing)


class PdfCache:
    """A folder of PDFs by key."""

    def __init__(self, folder: Path) -> None:
        """The cache in ``folder`` (made when first written)."""
        self.folder = folder

    def _path(self, name: str) -> Path:
        return self.folder / name[:2] / f"{name}.pdf"

    def get(self, name: str) -> Entry | None:
        """The entry of key ``name``, or None (missing, or not whole: then it is removed)."""
        path = self._path(name)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        header, _, rest = raw.partition(b"\n")
        fields = header.split(b" ")
        entry = None
        if (
            len(fields) == 5
            and b" ".join(fields[:2]) == FORMAT
            and fields[3].isdigit()
            and fields[4].isdigit()
            and hashlib.sha256(rest).hexdigest().encode("ascii") == fields[2]
        ):
            size = int(fields[4])
            data = rest[size:]
            with contextlib.suppress(ValueError):
                notes = json.loads(rest[:size]) if size else None
                if data.startswith(b"%PDF-"):
                    entry = Entry(data, int(fields[3]), notes)
        if entry is None:
            with contextlib.suppress(OSError):
                path.unlink()  # broken: laid out again and written anew
        return entry

    def put(self, name: str, data: bytes, pages: int, notes: Any = None) -> None:
        """Keep ``data`` (a PDF of ``pages`` pages) and its ``notes`` under key ``name``."""
        kept = b"" if notes is None else json.dumps(notes, separators=(",", ":")).encode()
        rest = kept + data
        digest = hashlib.sha256(rest).hexdigest().encode("ascii")
        sizes = str(pages).encode("ascii") + b" " + str(len(kept)).encode("ascii")
        write_atomically(self._path(name), FORMAT + b" " + digest + b" " + sizes + b"\n" + rest)

    def prune(self, keep: Iterable[str]) -> int:
        """Remove every entry but those of ``keep``; return how many were removed."""
        kept = {f"{name}.pdf" for name in keep}
        removed = 0
        if not self.folder.is_dir():
            return removed
        for path in self.folder.glob("*/*.pdf"):
            if path.name not in kept:
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
        return removed
