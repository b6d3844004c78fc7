"""PDFs of the handbook with WeasyPrint: runbooks, break-glass cards, the whole handbook.

Under the output folder (``site/pdf`` by default; ``<site>/pdf`` with ``handbook build
--pdf``)::

    runbooks/<runbook-id>.pdf           one per runbook
    cards/severity-<severity-id>.pdf    one page per severity
    cards/intervention-<id>.pdf         one page per intervention
    handbook.pdf                        everything, with contents, bookmarks, page numbers

Every document is laid out on its own, by a pool of worker processes (one per core): each
runbook once (that is its PDF and its pages of the book), the book's other pages a few at a
time, each card; the book is then joined from its pieces (handbook/book_pdf.py), so no
document is as large as the book and none waits for it. Each is kept in a cache
(handbook/pdf_cache.py) under a key of everything that goes into it, so a run after one
runbook's edit lays out that runbook (and the contents, if pages moved) only.

Each file is written to a temporary name beside it and renamed into place, so a failure
never leaves half a PDF. The same data on the same build date gives the same bytes: the
PDF dates are the build date's midnight (UTC; ``SOURCE_DATE_EPOCH`` sets the build date)
and the file carries no random identifier. What cannot be held still: WeasyPrint writes
its version into the PDF (``Producer``) and embeds the system's fonts (DejaVu from
Debian's fonts-dejavu-core), so another WeasyPrint or other font files give other bytes.
"""

from __future__ import annotations

import copy
import hashlib
import html as html_lib
import multiprocessing
import os
import re
import sys
import threading
from collections.abc import Callable, Mapping, Sequence, Set
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from handbook import pdf_cache
from handbook.audience import PublicLeak, write_scanned
from handbook.book import BookError, BookPage, render_book
from handbook.book_pdf import (
    PAGE,
    RUNBOOK,
    SCHEME,
    FontMissing,
    Notes,
    Piece,
    assemble,
    page_numbers,
)
from handbook.bundle import pages_dir
from handbook.editions import SiteError, edition, load_site, resolve_audience
from handbook.files import write_atomically
from handbook.pdf_cache import PdfCache
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
from handbook.progress import Progress, wanted
from handbook.report import format_text
from handbook.site import WHOLE_PDF, Audience, Site
from handbook.site_sources import Sources, read_sources

if TYPE_CHECKING:
    import weasyprint

Paper = Literal["a4", "letter"]
ROOT_PT = 14  # paged.css's root font size: every size there is in rem or em
# Scales of the root font size a card may shrink to, in steps, to fit on one page.
CARD_SCALES = (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6)

# Where a link out of a part goes: an anchor elsewhere in its document -> URL, or None.
AnchorOut = Callable[[str], str | None]
Links = tuple[tuple[str, str | None], ...]  # anchor -> online URL, None: left unlinked
# Memory a worker may need (one document laid out at a time): the pool has no more workers
# than the memory available holds.
WORKER_MEMORY = 1536 * 1024 * 1024


LAYOUTS = 0  # documents laid out by this process: what the cache saves, counted


class PdfError(Exception):
    """The PDFs cannot be made (the message says why)."""


@dataclass(frozen=True)
class Written:
    """One PDF written: where, and how many pages it has."""

    path: Path
    pages: int
    laid_out_by: int | None = None  # the process that laid it out; None: from the cache


@dataclass(frozen=True)
class Made:
    """One PDF made, not yet written: its name under the PDF folder, pages and bytes."""

    name: str
    pages: int
    data: bytes


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


def _relinked(page: weasyprint.Page, inside: Set[str], outside: AnchorOut) -> weasyprint.Page:
    """``page`` with its links to anchors not ``inside`` pointed ``outside`` (or dropped).

    A link to the book (book_pdf.SCHEME) is a link to an anchor like any other here.
    """
    links = []
    for kind, target, rectangle, box in page.links:
        if kind == "external" and target.startswith(SCHEME):
            kind, target = "internal", target[len(SCHEME) :]
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


def _made(rendered: weasyprint.Document, name: str) -> Made:
    return Made(name, len(rendered.pages), rendered.write_pdf())


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
        global LAYOUTS
        LAYOUTS += 1
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

    def made(
        self,
        doc: PrintDocument,
        outside: AnchorOut = _nowhere,
        alone: Callable[[Part], PrintDocument] | None = None,
    ) -> list[Made]:
        """Lay out ``doc`` once: each part's pages as a PDF, then the whole when it is named.

        A one-page part that takes more is laid out again, smaller: on its own (``alone``
        gives its document; by default ``doc``, which then holds only that part).
        """
        rendered = self.render(doc)
        ranges = part_pages(rendered, doc)
        made = []
        for part in doc.parts:
            pages = ranges[part.name]
            if doc.one_page and len(pages) != 1:
                fitted = self.fit(alone(part) if alone else doc, part)
                made.append(_made(cut(fitted, part, range(1)), part.name))
            else:
                made.append(_made(cut(rendered, part, pages, outside), part.name))
        if doc.name is not None:
            made.append(_made(rendered, doc.name))
        return made

    def book_piece(
        self, doc: PrintDocument, numbering: str, links: Mapping[str, str | None], own: bool
    ) -> tuple[Made | None, Piece]:
        """Lay out a piece of the book once: its piece and, when ``own``, its part's PDF.

        The piece keeps its links to the book as they are (print_html.book_pieces wrote
        them for book_pdf to resolve); in the part's PDF a link to an anchor out of it
        goes where ``links`` says (online, or nowhere).
        """
        rendered = self.render(doc)
        made = None
        if own:
            [part] = doc.parts
            made = _made(cut(rendered, part, range(len(rendered.pages)), links.get), part.name)
        shift = 1 if numbering == RUNBOOK else 0  # a runbook is a page under Runbooks
        return made, Piece(rendered.write_pdf(), Notes.of(rendered, numbering, shift))

    def write(
        self,
        doc: PrintDocument,
        out: Path,
        outside: AnchorOut = _nowhere,
        alone: Callable[[Part], PrintDocument] | None = None,
    ) -> list[Written]:
        """Lay out ``doc`` once (as ``made``) and write its PDFs under ``out``."""
        written = []
        for item in self.made(doc, outside, alone):
            write_atomically(out / item.name, item.data)
            written.append(Written(out / item.name, item.pages))
        return written


def unknown_runbooks(site: Site, runbook_ids: Sequence[str]) -> list[str]:
    """The ids in ``runbook_ids`` that name no runbook."""
    known = {r.id for r in site.handbook.runbooks}
    return [r for r in runbook_ids if r not in known]


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _can_fork() -> bool:
    """Whether worker processes can help and are safe to start.

    Fork must exist, two cores be ours, and this process run one thread: ``handbook
    serve`` runs several, and a fork there could copy a lock another thread holds, which
    the child would then wait on forever.
    """
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and _cores() > 1
        and threading.active_count() == 1
    )


def _available_memory() -> int | None:
    """Bytes of memory available to start new work (Linux), or None when unknown."""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def default_workers() -> int:
    """Worker processes to lay out PDFs: one per core, as many as the memory holds.

    ``HANDBOOK_PDF_WORKERS`` sets the number. Otherwise each worker is allowed
    ``WORKER_MEMORY`` (a worker holds one document laid out at a time).
    """
    given = os.environ.get("HANDBOOK_PDF_WORKERS", "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    available = _available_memory()
    by_memory = max(1, available // WORKER_MEMORY) if available else _cores()
    return max(1, min(_cores(), by_memory))


@dataclass(frozen=True)
class Job:
    """One document to lay out: its PDF's name, its document, its cache key.

    A piece of the book (``piece`` its numbering) is kept for the book; a runbook's piece
    is also that runbook's PDF, whose links out of it go where ``links`` says.
    """

    name: str
    doc: PrintDocument
    key: str
    piece: str | None = None  # book_pdf.PAGE or RUNBOOK: a piece of the book
    links: Links = ()  # anchor -> online URL (None: unlinked)

    @property
    def own(self) -> bool:
        """Whether it is a PDF of its own (a runbook or card), written under the folder."""
        return self.piece != PAGE


@dataclass(frozen=True)
class Done:
    """What a job made: its own PDF written, its piece of the book."""

    written: Written | None
    piece: Piece | None


_HREF = re.compile(r'href="' + re.escape(SCHEME) + r'([^"]+)"')


def online_links(site: Site, doc: PrintDocument, pages: Mapping[str, str]) -> Links:
    """Where each anchor ``doc`` links to goes online (its PDF holds none of the book).

    ``pages``: the book's page anchors -> their sources.
    """
    targets = sorted({html_lib.unescape(m) for m in _HREF.findall(doc.html)})
    return tuple((anchor, online_target(site, pages, anchor)) for anchor in targets)


def cache_context(site: Site, paper: Paper) -> list[object]:
    """What goes into every PDF besides its document: paper, edition, stylesheets, scales."""
    styles = [hashlib.sha256(path.read_bytes()).hexdigest() for path in (PRINT_CSS, PAGED_CSS)]
    return [paper, edition(site), *styles, list(CARD_SCALES), ROOT_PT]


def piece_key(key: str) -> str:
    """The cache key of the book's piece laid out with the PDF of ``key``."""
    return pdf_cache.key(key, "piece of the book")


def plan(
    printer: Printer,
    paper: Paper,
    runbook_ids: Sequence[str] | None,
    book: Sequence[BookPage],
) -> list[Job]:
    """The documents to lay out: every runbook, the book's other pieces, the cards.

    Every runbook is laid out on its own, once: that is its PDF and its pages of the book.
    The book's own pages go in pieces of a few (print_html.book_pieces). Named runbooks
    (``runbook_ids``) are laid out alone, with the book nowhere.
    """
    site = printer.site
    context = cache_context(site, paper)

    def job(name: str, doc: PrintDocument, piece: str | None = None, links: Links = ()) -> Job:
        parts = [[p.name, p.title, p.anchor] for p in doc.parts]
        what = [name, doc.name, doc.title, doc.one_page, parts, piece, [*map(list, links)]]
        return Job(name, doc, pdf_cache.key(*context, *what, doc.html), piece, links)

    if runbook_ids:
        return [
            job(doc.parts[0].name, doc)
            for runbook_id in runbook_ids
            for doc in [printer.runbooks([runbook_id])]
        ]
    jobs = []
    sources = {page.anchor: page.src for page in book}
    for piece in printer.book_pieces(list(book)):
        if piece.runbook is not None:
            links = online_links(site, piece.doc, sources)
            jobs.append(job(piece.runbook.name, piece.doc, piece=RUNBOOK, links=links))
        else:  # named by its first page, not its place: a page added before it moves none
            jobs.append(job(f"book/{piece.first}", piece.doc, piece=PAGE))
    for card in printer.all_cards():
        doc = printer.cards([card])
        jobs.append(job(doc.parts[0].name, doc))
    return jobs


@cache
def _engine(paper: Paper) -> Engine:
    """The engine for ``paper`` in this process (fonts and stylesheets parsed once)."""
    return Engine(paper)


def lay_out(job: Job, paper: Paper, out: Path, cache: Path | None) -> Done:
    """Lay out ``job``, keep what it made in ``cache``, write its PDF under ``out``.

    Run in a worker. Every failure is a ``PdfError`` naming the PDF (it crosses to the
    parent process).
    """
    store = PdfCache(cache) if cache is not None else None
    try:
        engine = _engine(paper)
        if job.piece is None:
            [own] = engine.made(job.doc)
            piece = None
        else:
            own, piece = engine.book_piece(job.doc, job.piece, dict(job.links), job.own)
        if store is not None and piece is not None:
            keep_piece(store, piece_key(job.key), piece)
        written = None
        if own is not None:
            if store is not None:
                store.put(job.key, own.data, own.pages)
            write_atomically(out / job.name, own.data)
            written = Written(out / job.name, own.pages, laid_out_by=os.getpid())
    except PdfError:
        raise
    except Exception as exc:  # a bug or WeasyPrint's, or OSError: named, without a traceback
        raise PdfError(f"{job.name}: {type(exc).__name__}: {exc}") from None
    return Done(written, piece)


def cached_piece(store: PdfCache, key: str) -> Piece | None:
    """The piece of the book kept under ``key``, or None (missing, or its notes unsound)."""
    entry = store.get(key)
    notes = Notes.from_json(entry.notes) if entry is not None else None
    if entry is None or notes is None or notes.pages != entry.pages:
        return None
    return Piece(entry.data, notes)


def keep_piece(store: PdfCache, key: str, piece: Piece) -> None:
    """Keep ``piece`` (its PDF and notes) under ``key``."""
    store.put(key, piece.data, piece.notes.pages, piece.notes.to_json())


def _from_cache(job: Job, store: PdfCache, out: Path) -> Done | None:
    """What ``job`` made, from the cache, its PDF written under ``out``; None when missing."""
    piece = None
    if job.piece is not None:
        piece = cached_piece(store, piece_key(job.key))
        if piece is None:
            return None
    if not job.own:
        return Done(None, piece)
    own = store.get(job.key)
    if own is None:
        return None
    write_atomically(out / job.name, own.data)
    return Done(Written(out / job.name, own.pages), piece)


def _stop(executor: ProcessPoolExecutor) -> None:
    """End ``executor`` now: queued work cancelled, running workers killed."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join()


def run_jobs(
    jobs: Sequence[Job],
    paper: Paper,
    out: Path,
    cache: Path | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> dict[str, Done]:
    """Make every document of ``jobs``: from ``cache`` when there, else laid out.

    Laid out by a pool of ``workers`` processes (one per core by default), forked so that
    they share the documents already made; in this process when one worker is enough or
    forking is unsafe. Each worker holds one document at a time.
    """
    store = PdfCache(cache) if cache is not None else None
    done: dict[str, Done] = {}
    pending = []
    for job in jobs:
        found = _from_cache(job, store, out) if store is not None else None
        if found is None:
            pending.append(job)
            continue
        done[job.name] = found
        if progress is not None:
            progress.advance()
    count = min(workers or default_workers(), len(pending))
    if count <= 1 or not _can_fork():
        for job in pending:
            done[job.name] = lay_out(job, paper, out, cache)
            if progress is not None:
                progress.advance()
        return done
    executor = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"))
    finished = False
    try:
        futures = {executor.submit(lay_out, job, paper, out, cache): job for job in pending}
        for future in as_completed(futures):
            job = futures[future]
            try:
                done[job.name] = future.result()
            except BrokenProcessPool:
                raise PdfError(
                    f"a worker process stopped while laying out {job.name} "
                    "(killed, or out of memory: try HANDBOOK_PDF_WORKERS=1)"
                ) from None
            if progress is not None:
                progress.advance()
        finished = True
    finally:
        if finished:
            executor.shutdown(wait=True)
        else:
            _stop(executor)
    return done


def _front(
    printer: Printer,
    paper: Paper,
    book_pages: list[BookPage],
    pieces: list[Notes],
    store: PdfCache | None,
) -> tuple[Piece, list[str]]:
    """The book's cover and contents, numbered after themselves; the cache keys it used.

    Their own length moves every number after them. It is learnt from a probe, the
    contents with every number as wide as the widest: the probe changes only with the
    titles (so it is mostly in the cache), and the real contents are laid out once.
    """
    keys: list[str] = []

    context = cache_context(printer.site, paper)

    def lay(numbers: Mapping[str, int]) -> Piece:
        doc = printer.book_front(book_pages, numbers)
        key = pdf_cache.key(*context, WHOLE_PDF, doc.html)
        keys.append(key)
        front = cached_piece(store, key) if store is not None else None
        if front is None:
            rendered = _engine(paper).render(doc)
            front = Piece(rendered.write_pdf(), Notes.of(rendered, PAGE))
            if store is not None:
                keep_piece(store, key, front)
        return front

    widest = int("9" * len(str(sum(p.pages for p in pieces) + len(book_pages))))
    length = lay(dict.fromkeys((page.anchor for page in book_pages), widest)).notes.pages
    for _ in range(3):
        front = lay(page_numbers(pieces, length + 1))
        if front.notes.pages == length:
            return front, keys
        length = front.notes.pages
    raise PdfError(f"{WHOLE_PDF}: its contents do not settle on a length")


def write_book(
    printer: Printer,
    paper: Paper,
    book_pages: list[BookPage],
    pieces: list[tuple[str, Piece]],
    out: Path,
    store: PdfCache | None,
) -> tuple[Written, list[str]]:
    """Join the pieces (key, piece) behind the front into the book; its cache keys used."""
    notes = [piece.notes for _, piece in pieces]
    front, front_keys = _front(printer, paper, book_pages, notes, store)
    key = pdf_cache.key(WHOLE_PDF, front_keys[-1], [k for k, _ in pieces])
    entry = store.get(key) if store is not None else None
    pages = front.notes.pages + sum(n.pages for n in notes)
    if entry is not None and entry.pages == pages:
        data, laid_out_by = entry.data, None
    else:
        try:
            data = assemble(front, [piece for _, piece in pieces])
        except FontMissing as exc:
            raise PdfError(f"{WHOLE_PDF}: {exc}") from None
        laid_out_by = os.getpid()
        if store is not None:
            store.put(key, data, pages)
    write_atomically(out / WHOLE_PDF, data)
    return Written(out / WHOLE_PDF, pages, laid_out_by), [*front_keys, key]


def write_pdfs(
    site: Site,
    sources: Sources,
    out: Path,
    paper: Paper = "a4",
    runbook_ids: Sequence[str] | None = None,
    book_pages: list[BookPage] | None = None,
    cache: Path | None = None,
    workers: int | None = None,
    progress: str | None = None,
) -> list[Written]:
    """Write the runbooks named (every runbook, card and the book when None) under ``out``.

    Each document is laid out on its own, by a pool of worker processes, unless ``cache``
    holds it already (then its bytes are copied); the book is joined from its pieces last.
    The book's pages are ``book_pages`` when the caller rendered them already (for the
    go-bag). With ``progress`` (a label), progress is shown on stderr as the PDFs are
    written. After a whole run the cache keeps only this run's PDFs of this edition and
    paper.
    """
    unknown = unknown_runbooks(site, runbook_ids or ())
    if unknown:
        known = ", ".join(sorted(r.id for r in site.handbook.runbooks))
        raise PdfError(f"unknown runbook: {', '.join(unknown)} (known: {known})")
    printer = Printer.of(site, sources)
    whole = not runbook_ids
    if whole and book_pages is None:
        book_pages = render_book(site, sources, site.handbook.info.public_url)
    jobs = plan(printer, paper, runbook_ids or None, book_pages or [])
    shelf = cache / f"{site.audience}-{paper}" if cache is not None else None
    store = PdfCache(shelf) if shelf is not None else None
    unit = "documents" if whole else "PDFs"  # the book's pieces are documents, not PDFs
    shown = Progress(progress, len(jobs) + whole, unit) if progress and wanted(len(jobs)) else None
    done = run_jobs(jobs, paper, out, shelf, workers, shown)
    written = [w for job in jobs if (w := done[job.name].written) is not None]
    keys = [key for job in jobs for key in (job.key, piece_key(job.key))]
    if whole:
        pieces = [(job.key, piece) for job in jobs if (piece := done[job.name].piece) is not None]
        book, book_keys = write_book(printer, paper, book_pages or [], pieces, out, store)
        written.append(book)
        keys += book_keys
        if shown is not None:
            shown.advance()
    if store is not None and whole:
        store.prune(keys)
    if shown is not None:
        made = sum(1 for w in written if w.laid_out_by is not None)
        shown.close(
            f"{len(written)} PDFs written ({made} laid out, {len(written) - made} from the cache)"
        )
    return written


def run(
    project: Path,
    runbook_ids: Sequence[str],
    out: Path | None,
    paper: Paper,
    audience: Audience | None,
    cache: Path | None = None,
    no_cache: bool = False,
) -> int:
    """``handbook pdf``: validate, then write the PDFs, showing progress; say what was done.

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
        write = partial(
            write_pdfs,
            site,
            sources,
            paper=paper,
            runbook_ids=runbook_ids or None,
            cache=pdf_cache.configured(project, cache, no_cache),
            progress="handbook pdf",
        )
        if chosen == "public":  # written aside and leak-scanned before it reaches ``target``
            written = write_scanned(result.handbook, target, write)
        else:
            written = write(target)
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
    pages = sum(item.pages for item in written)
    count = f"{len(written)} PDF{'s' if len(written) != 1 else ''}"
    sys.stdout.write(f"handbook pdf: {count} ({pages} page{'s' if pages != 1 else ''}) ")
    sys.stdout.write(f"written to {target}\n")
    return 0
