"""Leak scan: find in a built site every value it must not show.

A pure function over a folder and a list of secrets. Every file is read the way a reader
or a search engine would see it: HTML and XML with entities decoded, JSON (the search
index) with its escapes decoded, URLs percent-decoded, ``.gz`` files (the sitemap)
decompressed, and PDFs as their extracted text (with ``pdftotext``, else pypdf; a PDF that
cannot be read is reported, never skipped). Text is compared case-insensitively with runs
of white space made one space. Phone numbers are also found with spaces, dots, dashes or
brackets between their digits, with or without the ``+``, and without their country code.
Other binary files (images, fonts) are skipped.
"""

from __future__ import annotations

import contextlib
import gzip
import html
import io
import json
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote

_SHOWN = 4
_PHONE = re.compile(r"\+?[\d\s().-]{7,}")
_DIGIT_RUN = re.compile(r"\d(?:[\s().\-/]{0,2}\d){6,}")
_NOT_DIGIT = re.compile(r"\D")
_MIN_PHONE_DIGITS = 7
_MIN_NATIONAL_DIGITS = 8  # a number found without its country code (1 to 3 digits)


def normalise(text: str) -> str:
    """Text as compared: NFKC, case-folded, every run of white space one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True)
class Secret:
    """A value that must not be published, and where it comes from (for the report)."""

    value: str
    source: str

    @property
    def shown(self) -> str:
        """The value redacted to a short prefix."""
        return self.value[:_SHOWN] + "…"

    @cached_property
    def needle(self) -> str:
        """The value as compared."""
        return normalise(self.value)

    @cached_property
    def escapable(self) -> bool:
        """Whether decoding entities, escapes or percent-encoding could change the value."""
        return any(c in self.value for c in "&%\\")

    @cached_property
    def digits(self) -> str | None:
        """A phone number's digits, or None when the value is not a phone number."""
        if not _PHONE.fullmatch(self.value.strip()):
            return None
        digits = _NOT_DIGIT.sub("", self.value)
        return digits if len(digits) >= _MIN_PHONE_DIGITS else None


@dataclass(frozen=True)
class Leak:
    """A secret found in one file of the site."""

    file: str
    secret: Secret

    @property
    def message(self) -> str:
        """Where the leak is and whose value it is, without the value itself."""
        return (
            f"{self.file}: internal value of {self.secret.source} "
            f"({self.secret.shown!r}) is in the public build"
        )


class Unreadable(Exception):
    """A file that may hold text but cannot be read to scan it."""


def _pdf_text(raw: bytes) -> str:
    """A PDF's text: with poppler's ``pdftotext`` (fast) when installed, else with pypdf."""
    tool = shutil.which("pdftotext")
    if tool is not None:
        done = subprocess.run(
            [tool, "-q", "-enc", "UTF-8", "-", "-"], input=raw, capture_output=True, check=False
        )
        if done.returncode != 0:
            raise Unreadable("pdftotext could not read it")
        return done.stdout.decode("utf-8", errors="replace")
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError:
        raise Unreadable("no PDF text extractor: install pdftotext or pypdf") from None
    try:
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(raw)).pages)
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise Unreadable(f"pypdf could not read it ({type(exc).__name__})") from None


def _decoded(text: str, suffix: str) -> str:
    """A text file as read: JSON escapes, HTML entities and percent-encoding decoded."""
    decoded = text
    if suffix == ".json":
        with contextlib.suppress(ValueError):
            decoded = json.dumps(json.loads(text), ensure_ascii=False)
    return unquote(html.unescape(decoded))


def file_text(path: Path) -> tuple[str, str] | None:
    """One file's text as written and as read, or None for images, fonts and other binaries."""
    raw = path.read_bytes()
    name = path.name
    if name.endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise Unreadable(f"not a valid gzip file ({exc})") from None
        name = name.removesuffix(".gz")
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf":
        text = _pdf_text(raw)
        return text, text
    if b"\0" in raw[:8192]:
        return None
    text = raw.decode("utf-8", errors="replace")
    return text, _decoded(text, suffix)


def _digit_runs(text: str) -> set[str]:
    """The digits of every number of seven or more digits, however they are grouped."""
    return {_NOT_DIGIT.sub("", run) for run in _DIGIT_RUN.findall(text)}


def _phone_found(phone: str, runs: set[str], joined: str) -> bool:
    """The number as a whole, or without a country code of one to three digits."""
    return phone in joined or any(
        phone[cut:] in runs for cut in (1, 2, 3) if len(phone) - cut >= _MIN_NATIONAL_DIGITS
    )


def scan_text(file: str, written: str, read: str, secrets: Sequence[Secret]) -> list[Leak]:
    """The secrets found in one file, given its text as written and as read."""
    haystack = normalise(read)
    as_written = haystack if written is read else None
    runs = _digit_runs(read)
    joined = "\n".join(runs)
    leaks = []
    for secret in secrets:
        found = secret.needle in haystack
        if not found and secret.escapable and written is not read:
            as_written = as_written or normalise(written)
            found = secret.needle in as_written
        if not found and secret.digits is not None:
            found = _phone_found(secret.digits, runs, joined)
        if found:
            leaks.append(Leak(file, secret))
    return leaks


def scan(folder: Path, secrets: Sequence[Secret]) -> tuple[list[Leak], list[str]]:
    """Every secret found in any file under ``folder``, and the files that could not be read."""
    leaks: list[Leak] = []
    unreadable: list[str] = []
    usable = [s for s in secrets if s.needle]
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        shown = path.relative_to(folder).as_posix()
        try:
            text = file_text(path)
        except Unreadable as exc:
            unreadable.append(f"{shown}: cannot be scanned: {exc}")
            continue
        if text is not None:
            leaks += scan_text(shown, *text, usable)
    return leaks, unreadable
