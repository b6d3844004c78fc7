"""One build of the handbook for one audience: where each record lives, what renderers get.

Pure and engine-independent: URLs are computed from page source paths the way MkDocs
(and engines reading ``mkdocs.yml``) lay out a site, so render functions can emit plain
HTML links that work with or without directory URLs. A public ``Site`` holds the public
view of the data (``handbook.audience``), so that no render function can reach what is
internal.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Literal

from handbook import markup
from handbook.audience import public_view
from handbook.history import Release
from handbook.kinds import KINDS, RecordPages, Section
from handbook.model import Handbook

Audience = Literal["internal", "public"]
AUDIENCES: tuple[Audience, ...] = ("internal", "public")

# Kinds with one generated page per record, at "<kind>/<id>.md".
RECORD_PAGES = tuple(kind.name for kind in KINDS if isinstance(kind.shown, RecordPages))
# Kind -> the index page listing its record pages.
INDEX_PAGES = {kind.name: kind.shown.index for kind in KINDS if isinstance(kind.shown, RecordPages)}
# Kinds shown as anchored sections of one page: (page, anchor prefix).
ANCHORED: dict[str, tuple[str, str]] = {
    kind.name: (kind.shown.page, kind.shown.anchor)
    for kind in KINDS
    if isinstance(kind.shown, Section)
}


@dataclass(frozen=True)
class Site:
    """One build of the handbook: its data, who it is for and how URLs look."""

    handbook: Handbook
    today: dt.date
    audience: Audience = "internal"
    directory_urls: bool = True
    pdfs: bool = False  # the build also writes the PDFs under PDF_DIR, so pages link to them
    releases: tuple[Release, ...] = ()
    # The pages the site has besides record pages (hand-written and default), as source
    # paths; None: every default page. A kind's record pages exist when its index page
    # does, and a link to a page the site does not have is left out (its label stays).
    pages: frozenset[str] | None = None

    def __post_init__(self) -> None:
        """A public site only ever holds the public view: nothing internal can be rendered."""
        if self.audience == "public":
            object.__setattr__(self, "handbook", public_view(self.handbook))

    def output_path(self, src: str) -> str:
        """Where a page's HTML lands, relative to the site root (``a/b.md`` -> ``a/b/``)."""
        stem, _ = posixpath.splitext(src)
        if not self.directory_urls:
            return stem + ".html"
        if posixpath.basename(stem) == "index":
            directory = posixpath.dirname(stem)
            return directory + "/" if directory else ""
        return stem + "/"

    def page(self, src: str) -> Context:
        """The context for rendering on the page whose source is ``src``."""
        return Context(self, src)

    def shows(self, kind: str) -> bool:
        """Whether the site has the pages of a kind shown on pages of its own."""
        return self.pages is None or INDEX_PAGES[kind] in self.pages

    def has(self, src: str) -> bool:
        """Whether the site has the page whose source path is ``src``."""
        if self.pages is None or src in self.pages:
            return True
        kind, slash, _ = src.partition("/")
        return bool(slash) and kind in INDEX_PAGES and self.shows(kind)


# The printed and offline forms of the handbook (handbook/pdf.py, handbook/offline.py).
PDF_DIR = "pdf"  # under the site root, when the site is built with its PDFs
OFFLINE_PAGE = "offline.html"  # the go-bag: the whole handbook in one self-contained file
WHOLE_PDF = "handbook.pdf"
_PDF_NAMES = {kind.name: kind.pdf for kind in KINDS if kind.pdf}


def pdf_name(kind: str, record_id: str) -> str:
    """A runbook's PDF or a severity's or intervention's card, relative to the PDF folder."""
    return _PDF_NAMES[kind].format(record_id)


def anchor(kind: str, record_id: str) -> str:
    """The HTML id of a record's section on an anchored page."""
    return ANCHORED[kind][1] + record_id.lower()


def record_source(kind: str, record_id: str) -> str:
    """The source path of the page (and anchor) showing a record."""
    if kind in RECORD_PAGES:
        return f"{kind}/{record_id}.md"
    page, _ = ANCHORED[kind]
    return f"{page}#{anchor(kind, record_id)}"


def _folder(output: str) -> str:
    """The folder a page's relative links resolve against ("." for the site root)."""
    base = output if output.endswith("/") or not output else posixpath.dirname(output) + "/"
    return base.rstrip("/") or "."


# Cached: record pages link to each other about a hundred thousand times at 1,000 runbooks.
@lru_cache(maxsize=1 << 16)
def relative_url(here: str, there: str, directory_urls: bool) -> str:
    """The relative URL from the page written at ``here`` to the one written at ``there``."""
    if there == here:
        return "./" if directory_urls else posixpath.basename(here)
    relative = posixpath.relpath(there or ".", _folder(here))
    if there.endswith("/") or not there:
        relative = relative.rstrip("/") + "/"
    return relative


@dataclass(frozen=True)
class Context:
    """What a render function needs: the site and the page it is rendering on."""

    site: Site
    page: str

    @property
    def handbook(self) -> Handbook:
        """The handbook being rendered."""
        return self.site.handbook

    @cached_property
    def here(self) -> str:
        """Where this page's HTML lands: every link on it starts there."""
        return self.site.output_path(self.page)

    def url(self, target: str) -> str:
        """A relative URL from this page to ``target`` (a source path, optional ``#anchor``)."""
        src, _, fragment = target.partition("#")
        there = self.site.output_path(src) if src else self.here
        relative = relative_url(self.here, there, self.site.directory_urls)
        return relative + (f"#{fragment}" if fragment else "")

    def asset_url(self, path: str) -> str:
        """A relative URL from this page to a static file at ``path`` under the site root."""
        return posixpath.relpath(path, _folder(self.here))

    def link(self, target: str, label: str, css_class: str | None = None) -> str:
        """A link to ``target`` (a source path, optional ``#anchor``) labelled ``label``.

        Only the label (in a ``<span>`` of the same class) when the site lacks that page.
        """
        if self.site.has(target.partition("#")[0] or self.page):
            return markup.internal_link(self.url(target), label, css_class)
        if css_class:
            return markup.tag("span", markup.esc(label), css_class)
        return markup.esc(label)

    def ref(self, kind: str, record_id: str, label: str | None = None) -> str:
        """A link to a record's page or section, labelled with its id unless told otherwise."""
        return self.link(record_source(kind, record_id), label or record_id)
