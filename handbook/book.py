"""The whole handbook as one sequence of pages, for the whole-handbook PDF and the go-bag.

The hand-written pages of ``docs/`` come in the order of ``mkdocs.yml``'s nav, their
macros expanded by the same catalogue mkdocs-macros uses; each kind's record pages follow
the page that lists them. Each page becomes HTML with the Markdown extensions the site
uses; its element ids are prefixed with the page's anchor so that they stay unique in one
document, and every link points into the document, to the online handbook
(``public_url``), or nowhere (its text stays, as plain text).

Pure: the pages come from ``handbook.site_sources.read_sources``.
"""

from __future__ import annotations

import html as html_lib
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cache, partial
from typing import Any

import jinja2
import markdown as markdown_lib
import yaml
from pymdownx.superfences import fence_code_format

from handbook import markup
from handbook.memo import LastRun, owned
from handbook.pages import record_pages
from handbook.render import catalogue
from handbook.render.common import runbooks_by_severity
from handbook.site import INDEX_PAGES, RECORD_PAGES, Site, record_source
from handbook.site_sources import Sources

# The Markdown extensions of mkdocs.yml (its custom Mermaid fence included).
MARKDOWN_EXTENSIONS = [
    "admonition",
    "attr_list",
    "tables",
    "toc",
    "pymdownx.superfences",
    "pymdownx.tasklist",
]
MARKDOWN_CONFIGS: dict[str, dict[str, Any]] = {
    "pymdownx.superfences": {
        "custom_fences": [{"name": "mermaid", "class": "mermaid", "format": fence_code_format}]
    },
    "pymdownx.tasklist": {"custom_checkbox": False},
}

_FRONT_MATTER = re.compile(r"\A---\n(.*?\n)?---\n", re.DOTALL)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_LINK = re.compile(r"<a\b([^>]*)>|</a>")
_HREF = re.compile(r'\shref="([^"]*)"')
_ID = re.compile(r'(\sid=")([^"]*)(")')
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_EMPTY = re.compile(r"<h1\b.*?</h1>|<!--.*?-->", re.DOTALL)


class BookError(Exception):
    """A hand-written page cannot be rendered (the message names it)."""


@dataclass(frozen=True)
class BookPage:
    """One page of the book: HTML ready to sit in one document with all the others."""

    src: str
    anchor: str
    title: str
    level: int  # 1: a page of the nav; 2: a record page under the page listing it
    body: str


def page_anchor(src: str) -> str:
    """The id of a page's section in the book (``runbooks/x.md`` -> ``page-runbooks__x``)."""
    return "page-" + posixpath.splitext(src)[0].replace("/", "__")


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(front matter, Markdown) of a page source."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta = yaml.safe_load(match.group(1) or "") or {}
    return (meta if isinstance(meta, dict) else {}), text[match.end() :]


def expand_macros(site: Site, src: str, text: str) -> str:
    """A hand-written page with its macros rendered, as mkdocs-macros renders it."""
    meta, body = split_front_matter(text)
    if meta.get("render_macros") is False:
        return body
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    ctx = site.page(src)
    env.globals.update(catalogue.variables(site.handbook))
    env.globals.update({name: partial(render, ctx) for name, render in catalogue.MACROS.items()})
    try:
        return env.from_string(body).render()
    except jinja2.TemplateError as exc:
        raise BookError(f"{src}: {type(exc).__name__}: {exc}") from None


@cache
def _markdown() -> markdown_lib.Markdown:
    """One parser with the site's extensions: building one costs more than most pages."""
    return markdown_lib.Markdown(extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIGS)


# A page whose Markdown did not change is not converted again, when asked (``handbook
# serve`` writes the go-bag again after every save; a one-off build keeps nothing).
BOOK_HTML: LastRun[str, str] = owned(LastRun())


def to_html(markdown_text: str) -> str:
    """A page's Markdown as HTML, with the site's Markdown extensions (the parser reset)."""
    return _markdown().reset().convert(markdown_text)


# Where a link to a page or file outside the document goes: (page source or file path,
# fragment, whether it is a page) -> URL, or None to leave its text unlinked.
LinkOut = Callable[[str, str, bool], str | None]


def online(site: Site, public_url: str | None) -> LinkOut:
    """Links to the published handbook at ``public_url`` (none when it is not set)."""

    def resolve(path: str, fragment: str, is_page: bool) -> str | None:
        if not public_url:
            return None
        target = site.output_path(path) if is_page else path
        return public_url.rstrip("/") + "/" + target + (f"#{fragment}" if fragment else "")

    return resolve


@dataclass(frozen=True)
class Linker:
    """Rewrites one page's ids and links for a document holding the pages ``inside``.

    Pages are rendered with ``directory_urls`` off, so that every relative link, the
    engine's and the Markdown's alike, resolves against the page source's folder.
    """

    inside: Mapping[str, str]  # page source -> its anchor in this document
    pages: frozenset[str]  # every page of the site
    outside: LinkOut

    def href(self, src: str, value: str) -> str | None:
        """Where ``value``, a link on page ``src``, points in the document (None: nowhere)."""
        if _SCHEME.match(value):
            return value
        path, _, fragment = value.partition("#")
        if not path:
            target = src
        else:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(src), path))
            if target.endswith(".html"):
                target = target[: -len(".html")] + ".md"
        if target in self.inside:
            anchor = self.inside[target]
            return f"#{anchor}--{fragment}" if fragment else f"#{anchor}"
        if not path:
            return None  # a fragment of a page this document does not hold
        return self.outside(target, fragment, target in self.pages)

    def rewrite(self, src: str, body: str) -> str:
        """``body`` with ids prefixed by the page's anchor and every link resolved."""
        prefix = self.inside[src]
        unlinked = False

        def link(match: re.Match[str]) -> str:
            nonlocal unlinked
            if match.group(0) == "</a>":
                closing = "</span>" if unlinked else "</a>"
                unlinked = False
                return closing
            found = _HREF.search(match.group(1))
            if not found:
                return match.group(0)
            target = self.href(src, html_lib.unescape(found.group(1)))
            if target is None:
                unlinked = True
                return '<span class="handbook-unlinked">'
            return match.group(0).replace(found.group(0), f' href="{markup.esc(target)}"', 1)

        body = _ID.sub(lambda m: f"{m.group(1)}{prefix}--{m.group(2)}{m.group(3)}", body)
        return _LINK.sub(link, body)


def page_title(body: str, fallback: str) -> str:
    """The plain text of a page's first level-1 heading."""
    found = _H1.search(body)
    if not found:
        return fallback
    return html_lib.unescape(_TAG.sub("", found.group(1))).strip() or fallback


def record_sources(site: Site) -> dict[str, list[str]]:
    """Kind -> source paths of its record pages, in reading order (runbooks by severity)."""
    runbooks = runbooks_by_severity(site.handbook)
    ordered = {kind: list(getattr(site.handbook, kind)) for kind in RECORD_PAGES}
    ordered["runbooks"] = runbooks
    return {
        kind: [record_source(kind, r.id) for r in records]
        for kind, records in ordered.items()
        if site.shows(kind)
    }


def site_pages(site: Site, sources: Sources) -> frozenset[str]:
    """The source path of every page of the site: hand-written and generated."""
    records = [src for srcs in record_sources(site).values() for src in srcs]
    return frozenset([*records, *(src for src, _ in sources.pages)])


def book_site(site: Site) -> Site:
    """The site as the book renders it: relative links resolve against source folders."""
    return replace(site, directory_urls=False, pdfs=False)


def render_book(
    site: Site, sources: Sources, public_url: str | None = None, reuse: bool = False
) -> list[BookPage]:
    """Every page of the handbook, in reading order, ready to share one document.

    ``site`` is the site as published (its ``directory_urls`` shape links to
    ``public_url``, where links to files outside the book go). With ``reuse``, a page
    whose Markdown is as in the previous such call is not converted again.
    """
    rendering = book_site(site)
    records = {
        src: _FRONT_MATTER.sub("", text, count=1) for src, text in record_pages(rendering).items()
    }
    by_kind = record_sources(site)
    order: list[tuple[str, int, str]] = []
    placed: set[str] = set()
    for src, text in sources.pages:
        if src in records:
            continue  # a record page in the nav: it follows its index page
        order.append((src, 1, expand_macros(rendering, src, text)))
        for kind, index in INDEX_PAGES.items():
            if index == src:
                order += [(r, 2, records[r]) for r in by_kind[kind]]
                placed.add(kind)
    for kind in by_kind:
        if kind not in placed:
            order += [(r, 1, records[r]) for r in by_kind[kind]]

    html_of = BOOK_HTML.run(reuse)
    bodies = [(src, lv, html_of(text, partial(to_html, text))) for src, lv, text in order]
    bodies = [(s, lv, b) for s, lv, b in bodies if _EMPTY.sub("", b).strip()]
    linker = Linker(
        inside={src: page_anchor(src) for src, _, _ in bodies},
        pages=site_pages(site, sources),
        outside=online(site, public_url),
    )
    return [
        BookPage(src, page_anchor(src), page_title(body, src), level, linker.rewrite(src, body))
        for src, level, body in bodies
    ]


def contents(pages: list[BookPage], numbers: Mapping[str, int] | None = None) -> str:
    """The table of contents: every page, record pages nested under the page listing them.

    With ``numbers`` (page anchor -> page number, in print), each entry carries its page
    number as ``data-page``.
    """
    groups: list[tuple[BookPage, list[BookPage]]] = []
    for page in pages:
        if page.level == 2 and groups:
            groups[-1][1].append(page)
        else:
            groups.append((page, []))

    def entry(page: BookPage, children: list[BookPage]) -> str:
        nested = "<ol>" + "".join(entry(c, []) for c in children) + "</ol>" if children else ""
        link = markup.internal_link("#" + page.anchor, page.title)
        if numbers is not None and page.anchor in numbers:
            link = link.replace("<a ", f'<a data-page="{numbers[page.anchor]}" ', 1)
        return f"<li>{link}{nested}</li>"

    return "<ol>" + "".join(entry(page, children) for page, children in groups) + "</ol>"


def sections(pages: list[BookPage]) -> str:
    """Every page in its own section, anchored for the contents and for links."""
    return "".join(
        f'<section class="book-page book-level-{page.level}" id="{markup.esc(page.anchor)}">'
        f"{page.body}</section>"
        for page in pages
    )
