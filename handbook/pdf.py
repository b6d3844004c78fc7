"""PDFs of the handbook with WeasyPrint: runbooks, break-glass cards, the whole handbook.

Under the output folder (``site/pdf`` by default; ``<site>/pdf`` with ``handbook build
--pdf``)::

    runbooks/<runbook-id>.pdf           one per runbook
    cards/severity-<severity-id>.pdf    one page per severity
    cards/intervention-<id>.pdf         one page per intervention
    handbook.pdf                        everything, with contents, bookmarks, page numbers

Each file is written to a temporary name beside it and renamed into place, so a failure
never leaves half a PDF. The same data on the same build date gives the same bytes: the
PDF dates are the build date's midnight (UTC; ``SOURCE_DATE_EPOCH`` sets the build date)
and the file carries no random identifier. What cannot be held still: WeasyPrint writes
its version into the PDF (``Producer``) and embeds the system's fonts (DejaVu from
Debian's fonts-dejavu-core), so another WeasyPrint or other font files give other bytes.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from handbook.book import BookError, Sources, read_sources
from handbook.files import write_atomically
from handbook.print_html import PAGED_CSS, PRINT_CSS, PrintDocument, Printer
from handbook.site import Audience, Site

if TYPE_CHECKING:
    import weasyprint

Paper = Literal["a4", "letter"]
ROOT_PT = 14  # paged.css's root font size: every size there is in rem or em
# Scales of the root font size a card may shrink to, in steps, to fit on one page.
CARD_SCALES = (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6)


class PdfError(Exception):
    """The PDFs cannot be made (the message says why)."""


@dataclass(frozen=True)
class Written:
    """One PDF written: where, and how many pages it has."""

    path: Path
    pages: int


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
        self._fetcher = weasyprint.urls.URLFetcher(allowed_protocols=["data"])
        self._stylesheets = [
            self._css(PRINT_CSS.read_text(encoding="utf-8")),
            self._css(PAGED_CSS.read_text(encoding="utf-8")),
            self._css(f"@page {{ size: {paper}; }}"),
        ]
        self._scaled: dict[float, weasyprint.CSS] = {}

    def _css(self, text: str) -> weasyprint.CSS:
        return self._weasyprint.CSS(string=text, font_config=self._fonts)

    def render(self, doc: PrintDocument, scale: float = 1.0) -> weasyprint.Document:
        """Lay out one document, its root font size scaled by ``scale``."""
        sheets = list(self._stylesheets)
        if scale != 1.0:
            if scale not in self._scaled:
                self._scaled[scale] = self._css(f"html {{ font-size: {ROOT_PT * scale:.2f}pt; }}")
            sheets.append(self._scaled[scale])
        html = self._weasyprint.HTML(string=doc.html, url_fetcher=self._fetcher)
        return html.render(stylesheets=sheets, font_config=self._fonts)

    def layout(self, doc: PrintDocument) -> weasyprint.Document:
        """Lay out a document; shrink a card step by step until it fits on one page."""
        rendered = self.render(doc)
        if not doc.one_page:
            return rendered
        for scale in CARD_SCALES[1:]:
            if len(rendered.pages) == 1:
                break
            rendered = self.render(doc, scale)
        if len(rendered.pages) != 1:
            raise PdfError(
                f"{doc.name}: {doc.title!r} does not fit on one page even at "
                f"{CARD_SCALES[-1]:.0%} of the normal size; shorten its text in data/"
            )
        return rendered

    def write(self, doc: PrintDocument, out: Path) -> Written:
        """Lay out ``doc`` and write it to ``out / doc.name`` atomically."""
        rendered = self.layout(doc)
        target = out / doc.name
        write_atomically(target, rendered.write_pdf())
        return Written(target, len(rendered.pages))


def unknown_runbooks(site: Site, runbook_ids: Sequence[str]) -> list[str]:
    """The ids in ``runbook_ids`` that name no runbook."""
    known = {r.id for r in site.handbook.runbooks}
    return [r for r in runbook_ids if r not in known]


def write_pdfs(
    site: Site,
    sources: Sources,
    out: Path,
    paper: Paper = "a4",
    runbook_ids: Sequence[str] | None = None,
) -> list[Written]:
    """Write the runbooks named (every runbook, card and the book when None) under ``out``."""
    unknown = unknown_runbooks(site, runbook_ids or ())
    if unknown:
        known = ", ".join(sorted(r.id for r in site.handbook.runbooks))
        raise PdfError(f"unknown runbook: {', '.join(unknown)} (known: {known})")
    docs = Printer.of(site, sources).documents(sources, list(runbook_ids) if runbook_ids else None)
    # One process on purpose: worker processes gained nothing measurable on the shared
    # two-core machines here (benchmarks/README.md), and spawned workers re-import the
    # caller's __main__, which fails when that is no file (a script piped to Python).
    engine = Engine(paper)
    return [engine.write(doc, out) for doc in docs]


def run(
    project: Path,
    runbook_ids: Sequence[str],
    out: Path | None,
    paper: Paper,
    audience: Audience | None,
) -> int:
    """``handbook pdf``: validate, then write the PDFs; print what was written.

    Exit status 0 when written, 1 on invalid data, an unknown runbook or a PDF that
    cannot be made.
    """
    from handbook.pages import SiteError, load_site, resolve_audience
    from handbook.pipeline import Project, validate
    from handbook.report import format_text

    result = validate(Project.at(project))  # every error, with its position
    if result.handbook is None or not result.ok:
        sys.stderr.write(format_text(result.diagnostics, result.files))
        return 1
    try:
        sources = read_sources(project / "mkdocs.yml")
        chosen = audience or resolve_audience(sources.audience)
        site = load_site(project, chosen, sources.directory_urls)  # as the site sees it
        target = out if out is not None else project / "site" / "pdf"
        written = write_pdfs(site, sources, target, paper, runbook_ids or None)
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
