"""Lean, self-contained HTML documents to print: one per runbook, per card, for the book.

Pure: model in, HTML out. The content comes from the same render functions as the site
(handbook/render/); this module adds only the print wrappers: a header saying what the
document is, which edition (handbook version, build date, audience) and where it lives
online (a QR code and the short URL), and the compositions of the break-glass cards.
Styles are not inlined: handbook/pdf.py applies print.css and paged.css to every document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import segno

from handbook import html
from handbook.book import (
    BookPage,
    Linker,
    Sources,
    book_site,
    contents,
    online,
    page_anchor,
    render_book,
    sections,
    site_pages,
    to_html,
)
from handbook.model import ContactRef
from handbook.pages import edition
from handbook.render.common import facts_table, phones, role, roles, section
from handbook.render.interventions import render_intervention
from handbook.render.policy import _checklist, _note, process_steps
from handbook.render.runbooks import render_runbook
from handbook.render.severities import escalation_anchor, render_escalation
from handbook.site import WHOLE_PDF, Site, pdf_name, record_source

PRINT_CSS = Path(__file__).with_name("print.css")  # shared with the site: see its header
PAGED_CSS = Path(__file__).with_name("paged.css")  # PDFs only
SITE_PRINT_CSS = "assets/stylesheets/print.css"  # where the site serves print.css
# The response process steps whose role checklists a severity card lists as first
# actions: detection and coordination, what happens before anyone investigates.
FIRST_STEPS = 2


@dataclass(frozen=True)
class PrintDocument:
    """One PDF to be: its path under the PDF folder and its HTML."""

    name: str
    title: str
    html: str
    one_page: bool = False  # a break-glass card: must fit on one sheet


def public_address(site: Site, target: str) -> str | None:
    """The online URL of a page (``src`` or ``src#anchor``), when ``public_url`` is set."""
    src, _, fragment = target.partition("#")
    return online(site, site.handbook.info.public_url)(src, fragment, True)


def qr_code(url: str) -> str:
    """An ``<img>`` of a QR code for ``url``: one PNG pixel per module, drawn unscaled."""
    image = segno.make(url, error="m").png_data_uri(scale=1, border=4)
    return f'<img class="print-qr" src="{html.esc(image)}" alt="QR code of {html.esc(url)}">'


def edition_line(site: Site) -> str:
    """Whose handbook, which version, built when, for whom: one line for every PDF."""
    return f"{site.handbook.info.organisation.name} incident response · {edition(site)} edition"


def _online(site: Site, target: str) -> str:
    url = public_address(site, target)
    if url is None:
        return (
            '<div class="print-online"><p class="print-short-url">No online copy linked: '
            "public_url is not set in data/handbook.yml.</p></div>"
        )
    short = url.split("://", 1)[-1]
    return (
        f'<div class="print-online">{qr_code(url)}'
        f'<p class="print-short-url">{html.link(url, short)}</p></div>'
    )


def header(site: Site, kicker: str, target: str) -> str:
    """What the document is, the edition line, and the QR code to its online page."""
    return (
        '<header class="print-header"><div class="print-header-text">'
        f'<p class="print-kicker">{html.esc(kicker)}</p>'
        f'<p class="print-edition">{html.esc(edition_line(site))}</p></div>'
        f"{_online(site, target)}</header>"
    )


def document(site: Site, title: str, kind: str, body: str) -> str:
    """A whole HTML document around ``body``, with metadata dated by the build date."""
    info = site.handbook.info
    # Midnight UTC of the build date (SOURCE_DATE_EPOCH's, when set): the same bytes all day.
    stamp = dt.datetime.combine(site.today, dt.time(), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.esc(title)}</title>"
        f'<meta name="author" content="{html.esc(info.organisation.name)}">'
        f'<meta name="description" content="{html.esc(edition_line(site))}">'
        '<meta name="generator" content="handbook">'
        f'<meta name="dcterms.created" content="{stamp}">'
        f'<meta name="dcterms.modified" content="{stamp}">'
        f'</head><body class="print print-{html.esc(kind)}">{body}</body></html>\n'
    )


def _article(content: str) -> str:
    return f'<main class="md-content"><article class="md-typeset">{content}</article></main>'


@dataclass(frozen=True)
class Printer:
    """Makes the print documents of one site: its audience, build date and public URL."""

    site: Site
    pages: frozenset[str]  # every page source of the site, for links to its online copy

    @classmethod
    def of(cls, site: Site, sources: Sources) -> Printer:
        """The printer of ``site``, whose hand-written pages ``sources`` lists."""
        return cls(site, site_pages(site, sources))

    def _page(self, src: str, markdown_text: str) -> str:
        """One page's Markdown as HTML, its links pointing at the online handbook."""
        linker = Linker(
            inside={src: page_anchor(src)},
            pages=self.pages,
            outside=online(self.site, self.site.handbook.info.public_url),
        )
        return linker.rewrite(src, to_html(markdown_text))

    def runbook(self, runbook_id: str) -> PrintDocument:
        """A runbook: header, quick reference, every step as tick boxes, escalation."""
        runbook = self.site.handbook.get("runbooks", runbook_id)
        src = record_source("runbooks", runbook_id)
        body = self._page(src, render_runbook(book_site(self.site).page(src), runbook_id))
        content = header(self.site, f"Runbook {runbook.id}", src) + _article(body)
        return PrintDocument(
            pdf_name("runbooks", runbook.id),
            runbook.title,
            document(self.site, runbook.title, "runbook", content),
        )

    def severity_card(self, severity_id: str) -> PrintDocument:
        """A severity's card: who to call in order, the first actions, the update cadence."""
        site = self.site
        hb = site.handbook
        severity = hb.get("severities", severity_id)
        src = "severities.md"
        ctx = book_site(site).page(src)
        steps = process_steps(hb.policy)[:FIRST_STEPS]
        first = [f"<p>{html.esc(severity.response.description)}</p>"]
        first += [_checklist(ctx, c) for step in steps for c in step.checklists if c.role]
        first += [
            _note(ctx, n) for step in steps for n in step.notes if severity.id in n.severities
        ]
        templates = [
            ctx.ref("communications", c.id, c.title)
            for c in hb.communications
            if severity.id in c.severities
        ]
        cadence = html.esc(severity.update_cadence)
        updates = f"<p>Post an internal update every <strong>{cadence}</strong>.</p>"
        if templates:
            updates += f"<p><strong>Templates:</strong> {'; '.join(templates)}</p>"
        facts = [
            ("Impact", html.esc(severity.impact)),
            ("Respond within", f"<strong>{html.esc(severity.response.target)}</strong>"),
            ("Updates every", f"<strong>{html.esc(severity.update_cadence)}</strong>"),
            ("Involved", roles(ctx, severity.involved_roles)),
        ]
        markdown_text = "\n".join(
            [
                f"# {html.md_inline(f'{severity.id} {severity.name}')}\n",
                html.block(facts_table(facts), css_class="handbook handbook-quickref-box"),
                section("Call, in this order", render_escalation(ctx, severity.id)),
                section("First actions", "".join(first)),
                section("Updates", updates),
            ]
        )
        kicker = f"Break-glass card · severity {severity.id}"
        content = header(site, kicker, f"escalation.md#{escalation_anchor(severity.id)}")
        title = f"{severity.id} {severity.name}: break-glass card"
        return PrintDocument(
            pdf_name("severities", severity.id),
            title,
            document(site, title, "card", content + _article(self._page(src, markdown_text))),
            one_page=True,
        )

    def intervention_card(self, intervention_id: str) -> PrintDocument:
        """An intervention's card: what, who may authorise it (and their phones), limits, cost."""
        site = self.site
        item = site.handbook.get("interventions", intervention_id)
        src = record_source("interventions", item.id)
        ctx = book_site(site).page(src)
        calls = [
            f"{role(ctx, r)}: " + (" · ".join(numbers) if numbers else "no phone listed")
            for r in item.authorised_by.roles
            for numbers in [phones(ctx, ContactRef(role=r))]
        ]
        markdown_text = render_intervention(ctx, item.id) + section(
            "Call to authorise it", html.items(calls)
        )
        kicker = f"Break-glass card · {item.action} · intervention {item.id}"
        title = f"{item.title}: break-glass card"
        content = header(site, kicker, src) + _article(self._page(src, markdown_text))
        return PrintDocument(
            pdf_name("interventions", item.id),
            title,
            document(site, title, "card", content),
            one_page=True,
        )

    def whole(self, pages: list[BookPage]) -> PrintDocument:
        """The whole handbook: a cover, the contents with page numbers, then every page."""
        site = self.site
        info = site.handbook.info
        title = f"{info.organisation.name} incident response"
        cover = (
            f'<section class="print-cover"><h1>{html.esc(title)}</h1>'
            + header(site, "Incident-response handbook", "index.md")
            + "</section>"
        )
        toc = f'<nav class="print-toc md-typeset"><h1>Contents</h1>{contents(pages)}</nav>'
        return PrintDocument(
            WHOLE_PDF, title, document(site, title, "book", cover + toc + _article(sections(pages)))
        )

    def documents(
        self, sources: Sources, runbook_ids: list[str] | None = None
    ) -> list[PrintDocument]:
        """The runbooks named (all when None); with all of them, the cards and the book."""
        hb = self.site.handbook
        if runbook_ids is not None:
            return [self.runbook(r) for r in runbook_ids]
        return [
            *(self.runbook(r.id) for r in hb.runbooks),
            *(self.severity_card(s.id) for s in hb.severities),
            *(self.intervention_card(i.id) for i in hb.interventions),
            self.whole(render_book(self.site, sources, hb.info.public_url)),
        ]
