"""PDFs of the handbook with WeasyPrint: runbooks, break-glass cards, the whole handbook.

Under the output folder (``site/pdf`` by default; ``<site>/pdf`` with ``handbook build
--pdf``)::

    runbooks/<runbook-id>.pdf           one per runbook
    cards/severity-<severity-id>.pdf    one page per severity
    cards/intervention-<id>.pdf         one page per intervention
    handbook.pdf                        everything, with contents, bookmarks, page numbers

The whole handbook is laid out once and every runbook's PDF is its pages of it, cut out
(each runbook starts a page and counts its own pages: handbook/paged.css); the cards are
laid out in a second process meanwhile.

Each file is written to a temporary name beside it and renamed into place, so a failure
never leaves half a PDF. The same data on the same build date gives the same bytes: the
PDF dates are the build date's midnight (UTC; ``SOURCE_DATE_EPOCH`` sets the build date)
and the file carries no random identifier. What cannot be held still: WeasyPrint writes
its version into the PDF (``Producer``) and embeds the system's fonts (DejaVu from
Debian's fonts-dejavu-core), so another WeasyPrint or other font files give other bytes.
"""

from __future__ import annotations

import copy
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from handbook.audience import PublicLeak, write_scanned
from handbook.book import BookError, BookPage, render_book
from handbook.bundle import pages_dir
from handbook.editions import SiteError, load_site, resolve_audience
from handbook.files import write_atomically
from handbook.pipeline import Project, validate
from handbook.print_html import (
    PAGED_CSS,
    PRINT_CSS,
    Part,
    PrintDocument,
    Printer,
    end_anchor,
    online_target,
)
from handbook.report import format_text
from handbook.site import Audience, Site
from handbook.site_sources import Sources, read_sources

if TYPE_CHECKING:
    import weasyprint

Paper = Literal["a4", "letter"]
ROOT_PT = 14  # paged.css's root font size: every size there is in rem or em
# Scales of the root font size a card may shrink to, in steps, to fit on one page.
CARD_SCALES = (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6)

# Where a link out of a part goes: an anchor elsewhere in its document -> URL, or None.
AnchorOut = Callable[[str], str | None]


class PdfError(Exception):
    """The PDFs cannot be made (the message says why)."""


@dataclass(frozen=True)
class Written:
    """One PDF written: where, and how many pages it has."""

    path: Path
    pages: int


def _nowhere(anchor: str) -> str | None:
    return None


def part_pages(rendered: weasyprint.Document, doc: PrintDocument) -> dict[str, range]:
    """The pages of each part of ``doc``: from its section's first page to its end mark's."""
    first: dict[str, int] = {}
    for index, page in enumerate(rendered.pages):
        for anchor in page.anchors:
            first.setdefault(anchor, index)
    ranges = {}
    for part in doc.parts:
        start, end = first.get(part.anchor), first.get(end_anchor(part.anchor))
        if start is None or end is None or end < start:
            raise PdfError(f"{part.name}: its pages cannot be found in {doc.title!r}")
        ranges[part.name] = range(start, end + 1)
    return ranges


def _relinked(page: weasyprint.Page, inside: set[str], outside: AnchorOut) -> weasyprint.Page:
    """``page`` with its links to anchors not ``inside`` pointed ``outside`` (or dropped)."""
    links = []
    for kind, target, rectangle, box in page.links:
        if kind == "internal" and target not in inside:
            url = outside(target)
            if url is None:
                continue  # its text stays, unlinked, as in a page printed on its own
            kind, target = "external", url
        links.append((kind, target, rectangle, box))
    relinked = copy.copy(page)
    relinked.links = links
    return relinked


def cut(
    rendered: weasyprint.Document, part: Part, pages: range, outside: AnchorOut = _nowhere
) -> weasyprint.Document:
    """The pages ``pages`` of ``rendered`` as a document of their own, titled ``part``'s."""
    chosen = [rendered.pages[i] for i in pages]
    inside = {anchor for page in chosen for anchor in page.anchors}
    piece = rendered.copy([_relinked(page, inside, outside) for page in chosen])
    piece.metadata = copy.copy(rendered.metadata)
    piece.metadata.title = part.title
    return piece


def save(rendered: weasyprint.Document, target: Path) -> Written:
    """Write ``rendered`` to ``target`` atomically."""
    write_atomically(target, rendered.write_pdf())
    return Written(target, len(rendered.pages))


class Engine:
    """WeasyPrint with the print stylesheets parsed once, fetching nothing but data: URLs."""

    def __init__(self, paper: Paper = "a4") -> None:
        """Load fonts and stylesheets for ``paper``."""
        try:
            import weasyprint
            from weasyprint.text.fonts import FontConfiguration
        except (ImportError, OSError) as exc:  # OSError: Pango or its libraries missing
            raise PdfError(f"WeasyPrint cannot run here: {exc}") from None
        self._weasyprint = weasyprint
        self._fonts = FontConfiguration()
        # The only fetcher of every document and stylesheet: data: URLs (the QR codes), no
        # file, no network. A refused URL raises inside it; WeasyPrint logs that and lays
        # the page out without the resource.
        self._fetcher = weasyprint.urls.URLFetcher(allowed_protocols=["data"])
        self._stylesheets = [
            self._css(PRINT_CSS.read_text(encoding="utf-8")),
            self._css(PAGED_CSS.read_text(encoding="utf-8")),
            self._css(f"@page {{ size: {paper}; }}"),
        ]
        self._scaled: dict[float, weasyprint.CSS] = {}

    def _css(self, text: str) -> weasyprint.CSS:
        return self._weasyprint.CSS(string=text, font_config=self._fonts, url_fetcher=self._fetcher)

    def render(self, doc: PrintDocument, scale: float = 1.0) -> weasyprint.Document:
        """Lay out one document, its root font size scaled by ``scale``."""
        sheets = list(self._stylesheets)
        if scale != 1.0:
            if scale not in self._scaled:
                self._scaled[scale] = self._css(f"html {{ font-size: {ROOT_PT * scale:.2f}pt; }}")
            sheets.append(self._scaled[scale])
        html = self._weasyprint.HTML(string=doc.html, url_fetcher=self._fetcher)
        rendered = html.render(stylesheets=sheets, font_config=self._fonts)
        # No file rides along in a PDF: a `<link rel="attachment">` would be fetched when
        # written, and its fetch can run once only (a second PDF cut out of the same layout
        # crashed WeasyPrint).
        rendered.metadata.attachments = []
        return rendered

    def fit(self, doc: PrintDocument, part: Part) -> weasyprint.Document:
        """Lay out ``doc``, holding ``part`` alone, smaller step by step until it fits a page."""
        for scale in CARD_SCALES[1:]:  # it did not fit at full size
            rendered = self.render(doc, scale)
            if len(rendered.pages) == 1:
                return rendered
        raise PdfError(
            f"{part.name}: {part.title!r} does not fit on one page even at "
            f"{CARD_SCALES[-1]:.0%} of the normal size; shorten its text in data/"
        )

    def write(
        self,
        doc: PrintDocument,
        out: Path,
        outside: AnchorOut = _nowhere,
        alone: Callable[[Part], PrintDocument] | None = None,
    ) -> list[Written]:
        """Lay out ``doc`` once; write each part's pages, then the whole when it is named.

        A one-page part that takes more is laid out again, smaller: on its own (``alone``
        gives its document; by default ``doc``, which then holds only that part).
        """
        rendered = self.render(doc)
        ranges = part_pages(rendered, doc)
        written = []
        for part in doc.parts:
            pages = ranges[part.name]
            if doc.one_page and len(pages) != 1:
                fitted = self.fit(alone(part) if alone else doc, part)
                written.append(save(cut(fitted, part, range(1)), out / part.name))
            else:
                written.append(save(cut(rendered, part, pages, outside), out / part.name))
        if doc.name is not None:
            written.append(save(rendered, out / doc.name))
        return written


def unknown_runbooks(site: Site, runbook_ids: Sequence[str]) -> list[str]:
    """The ids in ``runbook_ids`` that name no runbook."""
    known = {r.id for r in site.handbook.runbooks}
    return [r for r in runbook_ids if r not in known]


def write_cards(printer: Printer, out: Path, paper: Paper) -> list[Written]:
    """Every break-glass card, one page each, each laid out on its own.

    Not one document for all of them cut into pages: WeasyPrint's cost is per page, not
    per document, and writing each page cut out costs as much as a card laid out alone.
    """
    engine = Engine(paper)
    written = []
    for card in printer.all_cards():
        doc = printer.cards([card])
        written += engine.write(doc, out)
    return written


def write_book(printer: Printer, pages: list[BookPage], out: Path, paper: Paper) -> list[Written]:
    """The whole handbook of the book ``pages``, and every runbook's PDF cut out of it."""
    book = printer.book(pages)
    outside = partial(online_target, printer.site, dict(book.pages))
    return Engine(paper).write(book, out, outside=outside)


def _can_fork() -> bool:
    """Whether a second process can help and is safe to start.

    Fork must exist, two cores be ours, and this process run one thread: ``handbook
    serve`` runs several, and a fork there could copy a lock another thread holds, which
    the child would then wait on forever.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and (cores or 1) > 1
        and threading.active_count() == 1
    )


@contextmanager
def in_background(task: Callable[[], list[Written]]) -> Iterator[Callable[[], list[Written]]]:
    """Run ``task`` in a forked process; yield the function that waits for its result.

    Fork, not spawn: the child has the parent's memory (the model, the printer) and does
    not import the caller's ``__main__`` again. Without fork or a second core, the task
    runs in this process when its result is asked for. The child is ended when the
    block is left without asking (the parent failed).
    """
    if not _can_fork():
        yield task
        return
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)

    def child() -> None:
        try:
            writer.send(task())
        except BaseException as exc:  # every failure, told to the parent
            writer.send(exc if isinstance(exc, PdfError | OSError) else PdfError(repr(exc)))

    process = context.Process(target=child, daemon=True)
    process.start()
    writer.close()

    def result() -> list[Written]:
        try:
            value = reader.recv()
        except EOFError:
            raise PdfError(f"the worker process stopped (exit status {process.exitcode})") from None
        if isinstance(value, BaseException):
            raise value
        return value

    try:
        yield result
    finally:
        if process.is_alive():
            process.join(timeout=0.1)
        if process.is_alive():
            process.kill()
        process.join()
        reader.close()


def write_pdfs(
    site: Site,
    sources: Sources,
    out: Path,
    paper: Paper = "a4",
    runbook_ids: Sequence[str] | None = None,
    book_pages: list[BookPage] | None = None,
) -> list[Written]:
    """Write the runbooks named (every runbook, card and the book when None) under ``out``.

    All of them: the cards in a second process (when there is a second core) while this
    one lays out the whole handbook, out of which every runbook's PDF is cut. The book's
    pages are ``book_pages`` when the caller rendered them already (for the go-bag).
    """
    unknown = unknown_runbooks(site, runbook_ids or ())
    if unknown:
        known = ", ".join(sorted(r.id for r in site.handbook.runbooks))
        raise PdfError(f"unknown runbook: {', '.join(unknown)} (known: {known})")
    printer = Printer.of(site, sources)
    if runbook_ids:
        return Engine(paper).write(printer.runbooks(list(runbook_ids)), out)
    with in_background(partial(write_cards, printer, out, paper)) as cards:
        pages = book_pages or render_book(site, sources, site.handbook.info.public_url)
        *runbooks, book = write_book(printer, pages, out, paper)
        return [*runbooks, *cards(), book]


def run(
    project: Path,
    runbook_ids: Sequence[str],
    out: Path | None,
    paper: Paper,
    audience: Audience | None,
) -> int:
    """``handbook pdf``: validate, then write the PDFs; print what was written.

    Exit status 0 when written, 1 on invalid data, an unknown runbook, a PDF that
    cannot be made, or (for the public) an internal value found in a PDF's text.
    """
    result = validate(Project.configured(project))  # every error, with its position
    if result.handbook is None or not result.ok:
        sys.stderr.write(format_text(result.diagnostics, result.file_count))
        return 1
    try:
        sources = read_sources(project / "mkdocs.yml", pages_dir())
        chosen = resolve_audience(audience, sources.audience)
        site = load_site(project, chosen, sources.directory_urls)  # as the site sees it
        site = replace(site, pages=sources.site_pages)  # with the pages it has
        target = out if out is not None else project / "site" / "pdf"
        if chosen == "public":  # written aside and leak-scanned before it reaches ``target``
            write = partial(write_pdfs, site, sources, paper=paper, runbook_ids=runbook_ids or None)
            written = write_scanned(result.handbook, target, write)
        else:
            written = write_pdfs(site, sources, target, paper, runbook_ids or None)
    except PublicLeak as exc:
        sys.stderr.write("".join(f"handbook pdf: {m}\n" for m in exc.messages))
        sys.stderr.write("handbook pdf: public PDFs refused; nothing written\n")
        return 1
    except (PdfError, BookError, SiteError) as exc:
        sys.stderr.write(f"handbook pdf: {exc}\n")
        return 1
    except OSError as exc:
        sys.stderr.write(f"handbook pdf: {type(exc).__name__}: {exc}\n")
        return 1
    for item in written:
        sys.stdout.write(f"{item.path} ({item.pages} page{'s' if item.pages != 1 else ''})\n")
    sys.stdout.write(f"handbook pdf: {len(written)} PDFs written to {target}\n")
    return 0
