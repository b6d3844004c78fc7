"""No page carries what it does not need (#18), and nothing a reader uses goes with it.

Over the shipped site (``built_site``): a record page's navigation is the hand-written nav
alone, the same on every record page, never a list of the records; each kind's index page
links every record page of that kind; the search index holds every runbook's symptoms,
while the overviews that only list records (runbook index, review status, exposure,
registers) stay in it by their titles without their rows; no page carries the content-tabs
script. Structure only: no byte counts or times, which depend on the data and the machine.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from handbook.model import Handbook
from handbook.site import INDEX_PAGES
from tests.conftest import REPO

# Overview sections whose rows are records with pages or sections of their own (search
# location: what they list); each stays in the index under its title, without its rows.
OVERVIEWS = {
    "runbooks/": "runbooks",
    "review/": "runbooks",
    "#4-open-the-runbook": "runbooks",
    "exercises/#what-has-been-drilled": "runbooks",
    "dependencies/": "dependencies",
    "interventions/": "interventions",
    "risks/#register": "risks",
}
_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]+>")


class _Links(HTMLParser):
    """The links of a page: those of its primary navigation, and all of them."""

    def __init__(self) -> None:
        super().__init__()
        self.nav: list[str] = []
        self.all: list[str] = []
        self._depth = 0  # <nav> elements open inside the primary navigation

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "nav" and (self._depth or "md-nav--primary" in (found.get("class") or "")):
            self._depth += 1
        if tag == "a" and found.get("href"):
            self.all.append(found["href"] or "")
            if self._depth:
                self.nav.append(found["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._depth:
            self._depth -= 1


def links(site: Path, page: str) -> _Links:
    """The links of the page at ``page`` (``runbooks/x/``), each as a site path like it."""
    parser = _Links()
    parser.feed((site / page / "index.html").read_text(encoding="utf-8"))
    for found in (parser.nav, parser.all):
        found[:] = [resolve(page, href) for href in found]
    return parser


def resolve(page: str, href: str) -> str:
    """A link's target as a site path (``runbooks/x/``, ``""`` for the home page)."""
    target = href.split("#")[0]
    if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target):
        return href
    joined = posixpath.normpath(posixpath.join(page or ".", target))
    return "" if joined == "." else joined.rstrip("/") + "/"


def record_pages(site: Path, kind: str) -> list[str]:
    """The record pages the site has of a kind (``runbooks/x/``)."""
    return sorted(f"{kind}/{p.parent.name}/" for p in (site / kind).glob("*/index.html"))


def words(text: str) -> str:
    """Text's words, lower case, one space apart: markup, entities and spacing set aside."""
    return " ".join(_WORD.findall(html.unescape(_TAG.sub(" ", text)).lower()))


@pytest.fixture(scope="module")
def search(built_site: Path) -> dict[str, dict[str, str]]:
    """The search index's entries, by location."""
    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    return {doc["location"]: doc for doc in index["docs"]}


def nav_pages() -> set[str]:
    """The pages of mkdocs.yml's nav, as site paths."""

    def sources(entries: object) -> Iterator[str]:
        if isinstance(entries, str):
            yield entries
        elif isinstance(entries, list):
            for entry in entries:
                yield from sources(entry)
        elif isinstance(entries, dict):
            for entry in entries.values():
                yield from sources(entry)

    nav = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    return {"" if src == "index.md" else src.removesuffix(".md") + "/" for src in sources(nav)}


def test_a_record_page_carries_the_hand_written_nav_and_no_list_of_records(
    built_site: Path,
) -> None:
    records = {kind: record_pages(built_site, kind) for kind in INDEX_PAGES}
    assert all(records[kind] for kind in ("runbooks", "dependencies", "interventions", "risks"))
    expected = nav_pages()
    for pages in records.values():
        for page in pages:
            # The nav's entries, the same on every record page: it does not grow with them.
            assert set(links(built_site, page).nav) == expected, page


def test_each_index_page_links_every_record_page_of_its_kind(built_site: Path) -> None:
    in_nav = nav_pages()
    for kind, index in INDEX_PAGES.items():
        pages = record_pages(built_site, kind)
        if not pages:
            continue
        section = index.removesuffix(".md") + "/"
        assert section in in_nav, f"{section} is not in the navigation"
        linked = set(links(built_site, section).all)
        assert set(pages) <= linked, (section, sorted(set(pages) - linked))


def test_search_finds_every_runbook_by_each_of_its_symptoms(
    handbook_model: Handbook, search: dict[str, dict[str, str]]
) -> None:
    for runbook in handbook_model.runbooks:
        location = f"runbooks/{runbook.id}/#symptoms"
        assert location in search, location
        text = words(search[location]["text"])
        for symptom in runbook.symptoms:
            assert words(symptom) in text, (runbook.id, symptom)


def test_overviews_stay_in_the_search_by_title_without_their_rows(
    handbook_model: Handbook, search: dict[str, dict[str, str]]
) -> None:
    titles = {
        kind: [words(getattr(r, "title", None) or r.name) for r in getattr(handbook_model, kind)]
        for kind in set(OVERVIEWS.values())
    }
    for location, kind in OVERVIEWS.items():
        assert location in search and search[location]["title"], location
        text = words(search[location]["text"])
        listed = [title for title in titles[kind] if f" {title} " in f" {text} "]
        assert not listed, (location, listed)
    # ...and each record is still found on its own page, by its title.
    for kind, found in titles.items():
        for record, title in zip(getattr(handbook_model, kind), found, strict=True):
            assert words(search[f"{kind}/{record.id}/"]["title"]) == title, record.id


def test_no_page_carries_the_content_tabs_script_without_tabs(built_site: Path) -> None:
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if 'class="tabbed-set' not in text:
            assert '__md_get("__tabs")' not in text, page


def test_squeeze_keeps_one_line_break_and_every_element_whose_whitespace_shows() -> None:
    from handbook.markup import squeeze

    page = (
        "<div>\n    <p>a\n   b</p>\n  <PRE>x\n    y</PRE>\n<code>a  \n  b</code>"
        "<textarea>\n  kept</textarea><script>if (a)\n  b()</script>\n\n\t</div>"
    )
    assert squeeze(page) == (
        "<div>\n<p>a\nb</p>\n<PRE>x\n    y</PRE>\n<code>a  \n  b</code>"
        "<textarea>\n  kept</textarea><script>if (a)\n  b()</script>\n</div>"
    )
    assert squeeze("<p>one line, its   spaces kept</p>") == "<p>one line, its   spaces kept</p>"


def test_every_page_of_the_site_is_written_squeezed(built_site: Path) -> None:
    from handbook.markup import squeeze

    pages = list(built_site.rglob("*.html"))
    pages = [p for p in pages if p.name != "offline.html"]  # the go-bag is written whole
    assert len(pages) > 50
    loose = [p for p in pages if squeeze(text := p.read_text(encoding="utf-8")) != text]
    assert loose == []
