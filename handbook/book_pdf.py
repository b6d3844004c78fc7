"""The whole handbook's PDF, put together from pieces laid out on their own.

The book is not laid out as one document: its time and memory would grow with the whole
handbook, and every publish would lay it all out again. Each run of pages (a runbook, or
a few other pages of one section) is a *piece*, laid out by a worker of the pool and
cached like any PDF (handbook/pdf.py); then this module puts the pieces together with
pypdf, behind a front piece (cover, contents) laid out last, once the page numbers are
known:

- **Page numbers** ("Page 31 of 614") are drawn on every page when the pieces are joined
  (reportlab, the font of the footers), so that no piece depends on where it falls: a
  piece whose content did not change is never laid out again, even when the pages before
  it grow.
- **Links** between pages: a piece is laid out with every link to an anchor written as
  ``handbook-book:<anchor>`` (:data:`SCHEME`, :func:`link_to_book`); joined, each becomes
  a jump to where that anchor is in the book, from the positions each piece noted. One
  to nowhere is dropped, its text kept.
- **Bookmarks**: the pieces note theirs (level, label, page, position); the book's
  outline is built from all of them in order, a runbook's one level down.

A piece's notes (:class:`Notes`) are kept in the cache beside its PDF.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import weasyprint

SCHEME = "handbook-book:"
PX = 0.75  # WeasyPrint's positions are CSS pixels; a PDF's are points
# Where paged.css puts "Page x of y" (8pt bold, right of the 13 mm margin, in the 15 mm
# bottom margin): the stamp's baseline, in points from the bottom of the page.
RIGHT_MARGIN_PT = 13 / 25.4 * 72
FOOTER_BASELINE_PT = 18.5
SECOND_LINE_PT = 9.0  # under a runbook's own "Page 2 of 3 of this runbook"
FONT_SIZE_PT = 8
FONT = "DejaVu Sans:bold"  # the footers' font (fontconfig's name; paged.css's first choice)
FONT_FILE = "DejaVuSans-Bold.ttf"

# How a page is numbered in the book: a page of the book's own, or a runbook's page,
# which carries its own count already.
PAGE, RUNBOOK = "page", "runbook"


_ANCHOR_LINK = re.compile(r'href="#')


def link_to_book(html: str) -> str:
    """``html`` with every link to an anchor made a link to it in the book, wherever it is.

    WeasyPrint then takes them for links out of the piece (not to anchors it lacks).
    """
    return _ANCHOR_LINK.sub(f'href="{SCHEME}', html)


@dataclass(frozen=True)
class Notes:
    """What the book needs of a piece besides its PDF: anchors, bookmarks, numbering."""

    pages: int
    numbering: str  # PAGE or RUNBOOK
    level_shift: int  # added to its bookmarks' levels in the book
    anchors: dict[str, tuple[int, float, float]]  # anchor -> (page, x, y) in points
    bookmarks: list[tuple[int, str, int, float, float]]  # (level, label, page, x, y)

    @classmethod
    def of(cls, rendered: weasyprint.Document, numbering: str, level_shift: int = 0) -> Notes:
        """The notes of a piece as laid out (``rendered``)."""
        anchors: dict[str, tuple[int, float, float]] = {}
        bookmarks = []
        for index, page in enumerate(rendered.pages):
            top = page.height * PX
            for anchor, (x, y, *_) in page.anchors.items():
                anchors.setdefault(anchor, (index, x * PX, top - y * PX))
            for level, label, (x, y), _state in page.bookmarks:
                bookmarks.append((level, label, index, x * PX, top - y * PX))
        return cls(len(rendered.pages), numbering, level_shift, anchors, bookmarks)

    def to_json(self) -> dict[str, Any]:
        """The notes as JSON, to keep in the cache."""
        return asdict(self)

    @classmethod
    def from_json(cls, value: Any) -> Notes | None:
        """The notes kept in the cache, or None when they are not notes of this format."""
        try:
            return cls(
                int(value["pages"]),
                str(value["numbering"]),
                int(value["level_shift"]),
                {str(a): (int(p), float(x), float(y)) for a, (p, x, y) in value["anchors"].items()},
                [
                    (int(lv), str(t), int(p), float(x), float(y))
                    for lv, t, p, x, y in value["bookmarks"]
                ],
            )
        except (TypeError, KeyError, ValueError, AttributeError):
            return None


@dataclass(frozen=True)
class Piece:
    """A piece of the book: its PDF and its notes."""

    data: bytes
    notes: Notes


def starts(pieces: Sequence[Notes], first: int = 1) -> list[int]:
    """The book page number each piece starts on, the first starting on ``first``."""
    numbers, page = [], first
    for piece in pieces:
        numbers.append(page)
        page += piece.pages
    return numbers


def page_numbers(pieces: Sequence[Notes], first: int) -> dict[str, int]:
    """Anchor -> the book page number it is on, for the contents."""
    return {
        anchor: start + index
        for piece, start in zip(pieces, starts(pieces, first), strict=True)
        for anchor, (index, _, _) in piece.anchors.items()
    }


class FontMissing(Exception):
    """The footers' font cannot be found to draw the book's page numbers."""


def _font_file() -> str | None:
    """The file of the footers' font: fontconfig's choice, else where Debian puts it."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", FONT], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        found = ""
    if found.endswith(".ttf") and Path(found).is_file():
        return found
    return next((str(p) for p in sorted(Path("/usr/share/fonts").rglob(FONT_FILE))), None)


@cache
def _font() -> str:
    """The name under which reportlab draws the footers' font, embedded."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    found = _font_file()
    try:
        if found is None:
            raise TTFError(FONT_FILE)
        pdfmetrics.registerFont(TTFont("HandbookFooter", found))
    except TTFError:
        raise FontMissing(
            f"{FONT_FILE} is not installed, and the book's page numbers are drawn in it "
            "(Debian and Ubuntu: apt-get install fonts-dejavu-core)"
        ) from None
    return "HandbookFooter"


def stamps(kinds: Sequence[str], sizes: Sequence[tuple[float, float]]) -> bytes:
    """A PDF with one page per book page: only its "Page n of N", where paged.css puts it."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    font = _font()
    # The initial font too, or reportlab puts Helvetica, not embedded, on every page.
    drawing = canvas.Canvas(out, invariant=True, pageCompression=1, initialFontName=font)
    total = len(kinds)
    for number, (kind, (width, height)) in enumerate(zip(kinds, sizes, strict=True), start=1):
        drawing.setPageSize((width, height))
        drawing.setFont(font, FONT_SIZE_PT)
        if kind == RUNBOOK:
            text, baseline = f"Page {number} of {total} of the handbook", SECOND_LINE_PT
        else:
            text, baseline = f"Page {number} of {total}", FOOTER_BASELINE_PT
        drawing.drawRightString(width - RIGHT_MARGIN_PT, baseline, text)
        drawing.showPage()
    drawing.save()
    return out.getvalue()


def assemble(front: Piece, pieces: Sequence[Piece]) -> bytes:
    """The book: ``front`` then ``pieces``, numbered, linked and bookmarked as one.

    Its title, author and dates are the front's (WeasyPrint's, from the build date).
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, Fit, FloatObject, NameObject, NullObject

    everything = [front, *pieces]
    writer = PdfWriter()
    first = PdfReader(io.BytesIO(front.data))
    writer.add_metadata({str(k): str(v) for k, v in (first.metadata or {}).items()})
    writer.append(first, import_outline=False)
    for piece in pieces:
        writer.append(PdfReader(io.BytesIO(piece.data)), import_outline=False)
    pages = writer.pages
    kinds = [p.notes.numbering for p in everything for _ in range(p.notes.pages)]
    if len(kinds) != len(pages):
        raise ValueError(f"the pieces have {len(pages)} pages, their notes say {len(kinds)}")
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in pages]
    overlay = PdfReader(io.BytesIO(stamps(kinds, sizes)))
    for page, stamp in zip(pages, overlay.pages, strict=True):
        page.merge_page(stamp)

    first = starts([p.notes for p in everything], 0)
    where = {
        anchor: (start + index, x, y)
        for piece, start in zip(everything, first, strict=True)
        for anchor, (index, x, y) in piece.notes.anchors.items()
    }

    def destination(anchor: str) -> ArrayObject | None:
        if anchor not in where:
            return None
        index, x, y = where[anchor]
        return ArrayObject(
            [
                pages[index].indirect_reference,
                NameObject("/XYZ"),
                FloatObject(x),
                FloatObject(y),
                NullObject(),
            ]
        )

    for page in pages:
        annotations = page.get("/Annots")
        if annotations is None:
            continue
        kept = ArrayObject()
        for reference in annotations.get_object():
            annotation = reference.get_object()
            action = annotation.get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            if uri.startswith(SCHEME):
                target = destination(uri[len(SCHEME) :])
                if target is None:
                    continue  # a link to nowhere in the book: its text stays, unlinked
                del annotation["/A"]
                annotation[NameObject("/Dest")] = target
            kept.append(reference)
        page[NameObject("/Annots")] = kept

    parents: list[tuple[int, Any]] = []  # (level, outline item) of the open bookmarks
    for piece, start in zip(everything, first, strict=True):
        shift = piece.notes.level_shift
        for level, label, index, x, y in piece.notes.bookmarks:
            level += shift
            while parents and parents[-1][0] >= level:
                parents.pop()
            item = writer.add_outline_item(
                title=label,
                page_number=start + index,
                parent=parents[-1][1] if parents else None,
                fit=Fit.xyz(left=x, top=y),
            )
            parents.append((level, item))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
