"""Lean, self-contained HTML documents to print: one per runbook, per card, for the book.

Pure: model in, HTML out. The content comes from the same render functions as the site
(handbook/render/); this module adds only the print wrappers: a header saying what the
document is, which edition (handbook version, build date, audience) and where it lives
online (a QR code and the short URL), and the compositions of the break-glass cards.
Styles are not inlined: handbook/pdf.py applies print.css and paged.css to every document.

A PDF of a runbook or card is a *part*: a section that starts on a page of its own and
knows its own page count. A runbook's part is also its pages of the whole handbook, which
is laid out in pieces (``Printer.book_pieces``) and joined behind its front
(``Printer.book_front``: cover and numbered contents) by handbook/book_pdf.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import segno

from handbook import markup
from handbook.book import (
    BookPage,
    Linker,
    book_site,
    contents,
    online,
    page_anchor,
    site_pages,
    to_html,
)
from handbook.book_pdf import link_to_book
from handbook.editions import edition
from handbook.facts import response_target, update_cadence
from handbook.model import NONE, ContactRef
from handbook.render.common import (
    phone_links,
    quickref_box,
    role_link,
    role_links,
    section,
)
from handbook.render.interventions import render_intervention
from handbook.render.policy import process_steps, role_checklist, step_note
from handbook.render.runbooks import render_runbook
from handbook.render.severities import escalation_anchor, render_escalation
from handbook.site import WHOLE_PDF, Site, pdf_name, record_source
from handbook.site_sources import Sources

PRINT_CSS = Path(__file__).with_name("print.css")  # shared with the site: see its header
PAGED_CSS = Path(__file__).with_name("paged.css")  # PDFs only
SITE_PRINT_CSS = "assets/stylesheets/print.css"  # where the site serves print.css
# The response process steps whose role checklists a severity card lists as first
# actions: detection and coordination, what happens before anyone investigates.
FIRST_STEPS = 2
BOOK_KICKER = "Incident-response handbook"  # the running header of the book's own pages
# At most this many of the book's own pages (not runbooks) are laid out together: fewer
# documents cost less (each has its own start-up), smaller ones are redone cheaper.
PIECE_PAGES = 8


@dataclass(frozen=True)
class Part:
    """A PDF cut out of a print document: the pages of one of its sections."""

    name: str  # path under the PDF folder
    title: str
    anchor: str  # the id of its section; its last page holds ``anchor--end``


@dataclass(frozen=True)
class PrintDocument:
    """One document to lay out: its parts, each a PDF, and maybe a PDF of the whole."""

    name: str | None  # the PDF of the whole document under the PDF folder; None: parts only
    title: str
    html: str
    parts: tuple[Part, ...] = ()
    one_page: bool = False  # break-glass cards: each part must fit on one sheet


@dataclass(frozen=True)
class BookPiece:
    """Pages of the book laid out together; a runbook's is also that runbook's PDF."""

    doc: PrintDocument
    runbook: Part | None  # the runbook it is, or None: the book's own pages
    first: str  # the anchor of its first page: what names it, whatever comes before it


def public_address(site: Site, target: str) -> str | None:
    """The online URL of a page (``src`` or ``src#anchor``), when ``public_url`` is set."""
    src, _, fragment = target.partition("#")
    return online(site, site.handbook.info.public_url)(src, fragment, True)


def qr_code(url: str) -> str:
    """An ``<img>`` of a QR code for ``url``: one PNG pixel per module, drawn unscaled."""
    image = segno.make(url, error="m").png_data_uri(scale=1, border=4)
    return f'<img class="print-qr" src="{markup.esc(image)}" alt="QR code of {markup.esc(url)}">'


def edition_line(site: Site) -> str:
    """Whose handbook, which version, built when, for whom: one line for every PDF."""
    return f"{site.handbook.info.organisation.name} incident response · {edition(site)} edition"


def _online(site: Site, target: str) -> str:
    if not site.has(target.partition("#")[0]):  # the site leaves that page out (sections)
        target = "index.md"
    url = public_address(site, target)
    if url is None:
        return (
            '<div class="print-online"><p class="print-short-url">No online copy linked: '
            "public_url is not set in data/handbook.yml.</p></div>"
        )
    short = url.split("://", 1)[-1]
    return (
        f'<div class="print-online">{qr_code(url)}'
        f'<p class="print-short-url">{markup.link(url, short)}</p></div>'
    )


def header(site: Site, kicker: str, target: str) -> str:
    """What the document is, the edition line, and the QR code to its online page."""
    return (
        '<header class="print-header"><div class="print-header-text">'
        f'<p class="print-kicker">{markup.esc(kicker)}</p>'
        f'<p class="print-edition">{markup.esc(edition_line(site))}</p></div>'
        f"{_online(site, target)}</header>"
    )


def document(site: Site, title: str, kind: str, body: str) -> str:
    """A whole HTML document around ``body``, with metadata dated by the build date."""
    info = site.handbook.info
    # Midnight UTC of the build date (SOURCE_DATE_EPOCH's, when set): the same bytes all day.
    stamp = dt.datetime.combine(site.today, dt.time(), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{markup.esc(title)}</title>"
        f'<meta name="author" content="{markup.esc(info.organisation.name)}">'
        f'<meta name="description" content="{markup.esc(edition_line(site))}">'
        '<meta name="generator" content="handbook">'
        f'<meta name="dcterms.created" content="{stamp}">'
        f'<meta name="dcterms.modified" content="{stamp}">'
        f'</head><body class="print print-{markup.esc(kind)}">{body}</body></html>\n'
    )


def _article(content: str) -> str:
    return f'<main class="md-content"><article class="md-typeset">{content}</article></main>'


def end_anchor(anchor: str) -> str:
    """The id of the empty mark that ends the section ``anchor``: its last page."""
    return f"{anchor}--end"


def part_section(
    site: Site, part: Part, css_class: str, kicker: str, target: str, body: str
) -> str:
    """A section that is also a PDF of its own: its header, its content, the mark of its end.

    It starts on a page of its own (paged.css), so its pages can be cut out of the document.
    """
    anchor = markup.esc(part.anchor)
    end = markup.esc(end_anchor(part.anchor))
    return (
        f'<section class="print-part {css_class}" id="{anchor}" '
        f'data-kicker="{markup.esc(kicker)}" data-end="#{end}">'
        f'{header(site, kicker, target)}{_article(body)}<div class="print-end" id="{end}"></div>'
        "</section>"
    )


def online_target(site: Site, pages: Mapping[str, str], anchor: str) -> str | None:
    """The online URL of ``anchor`` in a document holding ``pages`` (page anchor -> source).

    Ids in a document are prefixed with their page's anchor and ``--`` (book.Linker): the
    longest such prefix of ``anchor`` that is a page anchor names the page, the rest is the
    fragment.
    """
    cut = len(anchor)
    while cut > 0:
        if (src := pages.get(anchor[:cut])) is not None:
            fragment = anchor[cut + 2 :]
            return public_address(site, f"{src}#{fragment}" if fragment else src)
        cut = anchor.rfind("--", 0, cut)
    return None


@dataclass(frozen=True)
class Printer:
    """Makes the print documents of one site: its audience, build date and public URL."""

    site: Site
    pages: frozenset[str]  # every page source of the site, for links to its online copy

    @classmethod
    def of(cls, site: Site, sources: Sources) -> Printer:
        """The printer of ``site``, whose hand-written pages ``sources`` lists."""
        return cls(site, site_pages(site, sources))

    def _page(self, src: str, markdown_text: str, anchor: str | None = None) -> str:
        """One page's Markdown as HTML, linking to the online handbook.

        Its ids are prefixed with ``anchor``, the page's own by default.
        """
        linker = Linker(
            inside={src: anchor or page_anchor(src)},
            pages=self.pages,
            outside=online(self.site, self.site.handbook.info.public_url),
        )
        return linker.rewrite(src, to_html(markdown_text))

    def _runbook(self, runbook_id: str, body: str, css_class: str) -> tuple[Part, str]:
        """A runbook's part and section: header, quick reference, steps, escalation."""
        runbook = self.site.handbook.get("runbooks", runbook_id)
        src = record_source("runbooks", runbook.id)
        part = Part(pdf_name("runbooks", runbook.id), runbook.title, page_anchor(src))
        return part, part_section(self.site, part, css_class, f"Runbook {runbook.id}", src, body)

    def runbooks(self, runbook_ids: list[str]) -> PrintDocument:
        """The runbooks named, one after another, each a PDF of its own."""
        made = []
        for runbook_id in runbook_ids:
            src = record_source("runbooks", runbook_id)
            body = self._page(src, render_runbook(book_site(self.site).page(src), runbook_id))
            made.append(self._runbook(runbook_id, body, "print-runbook"))
        title = "Runbooks"
        content = "".join(section for _, section in made)
        return PrintDocument(
            None,
            title,
            document(self.site, title, "runbooks", content),
            parts=tuple(part for part, _ in made),
        )

    def severity_card(self, severity_id: str) -> tuple[Part, str]:
        """A severity's card: who to call in order, the first actions, the update cadence."""
        site = self.site
        hb = site.handbook
        severity = hb.get("severities", severity_id)
        src = "severities.md"
        ctx = book_site(site).page(src)
        steps = process_steps(hb.policy)[:FIRST_STEPS]
        described = severity.response.description
        first = [f"<p>{markup.esc(described)}</p>"] if described else []
        first += [role_checklist(ctx, c) for step in steps for c in step.checklists if c.role]
        first += [
            step_note(ctx, n) for step in steps for n in step.notes if severity.id in n.severities
        ]
        templates = [
            ctx.ref("communications", c.id, c.title)
            for c in hb.referring("communications", "severities", severity.id)
        ]
        cadence = severity.update_cadence
        if cadence is None or cadence == NONE:
            updates = (
                f"<p>Internal updates: <strong>{markup.esc(update_cadence(severity))}</strong>.</p>"
            )
        else:
            updates = (
                f"<p>Post an internal update every <strong>{markup.esc(cadence)}</strong>.</p>"
            )
        if templates:
            updates += f"<p><strong>Templates:</strong> {'; '.join(templates)}</p>"
        facts = [
            ("Impact", markup.esc(severity.impact)),
            ("Respond within", f"<strong>{markup.esc(response_target(severity))}</strong>"),
            ("Updates", f"<strong>{markup.esc(update_cadence(severity))}</strong>"),
            ("Involved", role_links(ctx, severity.involved_roles) or "none named"),
        ]
        markdown_text = "\n".join(
            [
                f"# {markup.md_inline(f'{severity.id} {severity.name}')}\n",
                quickref_box(facts),
                section("Call, in this order", render_escalation(ctx, severity.id)),
                section("First actions", "".join(first)),
                section("Updates", updates),
            ]
        )
        part = Part(
            pdf_name("severities", severity.id),
            f"{severity.id} {severity.name}: break-glass card",
            f"card-severity-{severity.id}",
        )
        kicker = f"Break-glass card · severity {severity.id}"
        target = f"escalation.md#{escalation_anchor(severity.id)}"
        body = self._page(src, markdown_text, part.anchor)
        return part, part_section(site, part, "print-card", kicker, target, body)

    def intervention_card(self, intervention_id: str) -> tuple[Part, str]:
        """An intervention's card: what, who may authorise it (and their phones), limits, cost."""
        site = self.site
        item = site.handbook.get("interventions", intervention_id)
        src = record_source("interventions", item.id)
        ctx = book_site(site).page(src)
        calls = [
            f"{role_link(ctx, r)}: " + (" · ".join(numbers) if numbers else "no phone listed")
            for r in item.authorised_by.roles
            for numbers in [phone_links(ctx, ContactRef(role=r))]
        ]
        markdown_text = render_intervention(ctx, item.id) + section(
            "Call to authorise it", markup.items(calls)
        )
        part = Part(
            pdf_name("interventions", item.id),
            f"{item.title}: break-glass card",
            f"card-intervention-{item.id}",
        )
        kicker = f"Break-glass card · {item.action} · intervention {item.id}"
        body = self._page(src, markdown_text, part.anchor)
        return part, part_section(site, part, "print-card", kicker, src, body)

    def all_cards(self) -> list[tuple[Part, str]]:
        """Every severity's and intervention's card: its part and section."""
        hb = self.site.handbook
        cards = [self.severity_card(s.id) for s in hb.severities]
        return cards + [self.intervention_card(i.id) for i in hb.interventions]

    def cards(self, cards: list[tuple[Part, str]]) -> PrintDocument:
        """Break-glass cards, each a page and a PDF of its own."""
        title = "Break-glass cards"
        return PrintDocument(
            None,
            title,
            document(self.site, title, "cards", "".join(section for _, section in cards)),
            parts=tuple(part for part, _ in cards),
            one_page=True,
        )

    def book_front(self, pages: list[BookPage], numbers: Mapping[str, int]) -> PrintDocument:
        """The book's front: a cover, then the contents with the page number of each page.

        ``numbers`` (page anchor -> page number) come from the pieces laid out already.
        """
        site = self.site
        title = f"{site.handbook.info.organisation.name} incident response"
        cover = (
            f'<section class="print-cover"><h1>{markup.esc(title)}</h1>'
            + header(site, BOOK_KICKER, "index.md")
            + "</section>"
        )
        toc = f'<nav class="print-toc md-typeset"><h1>Contents</h1>{contents(pages, numbers)}</nav>'
        html = link_to_book(document(site, title, "book", cover + toc))
        return PrintDocument(WHOLE_PDF, title, html)

    def book_pieces(self, pages: list[BookPage], most: int = PIECE_PAGES) -> list[BookPiece]:
        """The rest of the book in pieces to lay out on their own, in reading order.

        A runbook is a piece of its own, which is also its PDF (its links out of it go to
        the online handbook there). Other pages go together, a section at most, ``most``
        pages at most: editing one lays out its few neighbours again, not the book. Every
        link to an anchor is written to the book (book_pdf.link_to_book), which resolves
        it when the pieces are joined.
        """
        site = self.site
        runbooks = {record_source("runbooks", r.id): r.id for r in site.handbook.runbooks}
        title = f"{site.handbook.info.organisation.name} incident response"
        pieces: list[BookPiece] = []
        run: list[BookPage] = []

        def close_run() -> None:
            if run:
                body = "".join(
                    f'<section class="book-page book-level-{page.level}" '
                    f'id="{markup.esc(page.anchor)}" data-kicker="{BOOK_KICKER}">'
                    f"{_article(page.body)}</section>"
                    for page in run
                )
                html = link_to_book(document(site, title, "book", body))
                pieces.append(BookPiece(PrintDocument(None, title, html), None, run[0].anchor))
                run.clear()

        for page in pages:
            if page.src in runbooks:
                close_run()
                part, made = self._runbook(runbooks[page.src], page.body, "print-runbook")
                html = link_to_book(document(site, part.title, "runbooks", made))
                doc = PrintDocument(None, part.title, html, parts=(part,))
                pieces.append(BookPiece(doc, part, page.anchor))
                continue
            if page.level == 1 or len(run) >= most:
                close_run()
            run.append(page)
        close_run()
        return pieces
