"""The go-bag: the whole handbook in one file that opens with no network at all.

The shipped site (``built_site`` in conftest.py, built once per session) holds it at
``offline.html``. The browser test opens it from disk in Debian's Chromium through
Playwright with every request that is not the file itself aborted and recorded.
"""

from __future__ import annotations

import collections
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from handbook.book import render_book
from handbook.model import Handbook
from handbook.offline import DEFERRED, POLICY, render_offline
from handbook.site import OFFLINE_PAGE, Site
from handbook.site_sources import read_sources
from tests.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    TODAY,
    internal_values,
    playwright_api,
    serving,
)

TIMEOUT = 30_000  # ms, for anything the browser waits for
PHONE = {"width": 390, "height": 844}  # CSS pixels: a phone held upright


@pytest.fixture(scope="session")
def go_bag(built_site: Path) -> Path:
    path = built_site / OFFLINE_PAGE
    assert path.is_file(), "the build wrote no go-bag"
    return path


def test_the_home_page_links_the_go_bag(built_site: Path, go_bag: Path) -> None:
    assert f'href="{OFFLINE_PAGE}"' in (built_site / "index.html").read_text(encoding="utf-8")


def markup(go_bag: Path) -> str:
    """The go-bag without its inline scripts (Mermaid's source holds markup-like strings;
    what the scripts do is the browser test's to see)."""
    return re.sub(
        r"<script\b[^>]*>.*?</script>", "", go_bag.read_text(encoding="utf-8"), flags=re.S
    )


def test_the_go_bag_loads_nothing_from_outside_itself(go_bag: Path) -> None:
    page = markup(go_bag)
    assert f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">' in page
    assert "default-src 'none'" in POLICY
    loads = re.findall(r"<(?:script|link|img|iframe|source|video|audio|object)\b[^>]*>", page)
    outside = [tag for tag in loads if re.search(r"\b(?:src|href|data)=\"(?!data:)", tag)]
    assert outside == []
    assert not re.search(r"@import|url\(\s*[\"']?(?!data:|#)", page)


def test_every_link_in_the_go_bag_stays_in_it_or_names_a_safe_scheme(go_bag: Path) -> None:
    body = markup(go_bag)
    ids = set(re.findall(r'\sid="([^"]+)"', body))
    hrefs = re.findall(r'<a\b[^>]*\shref="([^"]*)"', body)
    assert hrefs
    broken = [h for h in hrefs if h.startswith("#") and h[1:] not in ids]
    foreign = [h for h in hrefs if not re.match(r"#|https:|mailto:|tel:", h)]
    assert broken == []
    assert foreign == []


def test_every_id_in_the_go_bag_is_unique_so_every_link_goes_to_one_place(
    go_bag: Path,
) -> None:
    """A role's own page and the roles page's section on it once shared an id."""
    ids = re.findall(r'\sid="([^"]+)"', markup(go_bag))
    assert len(ids) > 100
    assert [i for i, n in collections.Counter(ids).items() if n > 1] == []


def draw_every_diagram(page: Any, expect: Any) -> None:
    """Scroll to each diagram in turn: the go-bag draws one as it nears the screen."""
    containers = page.locator(".handbook-diagram")
    for n in range(containers.count()):
        containers.nth(n).evaluate("(e) => e.scrollIntoView({block: 'center'})")
        expect(containers.nth(n).locator("svg")).to_have_count(1, timeout=TIMEOUT)


def test_the_go_bag_opens_offline_in_a_browser_and_shows_every_runbook(
    go_bag: Path, handbook_model: Handbook
) -> None:
    api = playwright_api()
    expect, sync_playwright = api.expect, api.sync_playwright

    hb = handbook_model
    outside: list[str] = []
    problems: list[str] = []

    def only_the_file(route: Any) -> None:
        if route.request.url.split("#")[0] == go_bag.as_uri():
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def record(request: Any) -> None:
        if urlsplit(request.url).scheme not in ("file", "data", "about", "blob"):
            outside.append(request.url)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(service_workers="block", offline=True)
            context.route("**/*", only_the_file)
            context.on("request", record)
            page = context.new_page()
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on(
                "console",
                lambda message: problems.append(message.text) if message.type == "error" else None,
            )
            page.goto(go_bag.as_uri())

            for runbook in hb.runbooks:
                heading = page.locator(f"section#page-runbooks__{runbook.id} > h1")
                expect(heading).to_have_text(runbook.title, timeout=TIMEOUT)
                expect(heading).to_be_visible()
                entry = page.locator(f"#contents a[href='#page-runbooks__{runbook.id}']")
                expect(entry).to_have_text(runbook.title)

            # The escalation diagrams are drawn from the inlined Mermaid, with no network,
            # each as it nears the screen.
            draw_every_diagram(page, expect)
            diagrams = page.locator(".handbook-diagram svg")
            expect(diagrams).to_have_count(len(hb.severities), timeout=TIMEOUT)
            expect(diagrams.first).to_contain_text(f"{hb.severities[0].id} detected")

            # The contents lead to the runbook, and its phone numbers are links.
            runbook = hb.runbooks[0]
            page.locator(f"#contents a[href='#page-runbooks__{runbook.id}']").click()
            section = page.locator(f"section#page-runbooks__{runbook.id}")
            expect(section.locator("a[href^='tel:']").first).to_be_visible()
        finally:
            browser.close()

    assert outside == []
    assert problems == []  # a Content-Security-Policy violation is a console error


# ---- Large handbooks (#18): whom to call first, at once, however large the file ----------


def test_nothing_before_the_call_list_waits_for_a_script(go_bag: Path) -> None:
    text = go_bag.read_text(encoding="utf-8")
    first_call = text.index('href="tel:')
    lead = text.index('class="md-typeset offline-lead"')
    assert lead < first_call < text.index('id="contents"')
    assert not re.search(r"<(?:script|link)\b", text[:first_call])
    # Every script comes after every page, and Mermaid is text until a diagram is drawn:
    # the browser neither parses nor runs it while it reads the file.
    scripts = list(re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, flags=re.S))
    assert scripts and scripts[0].start() > text.index("</main>")
    inert = [s[2] for s in scripts if s[1] == f' type="text/plain" class="{DEFERRED}"']
    running = [s[2] for s in scripts if not s[1]]
    assert len(inert) == 1 and "mermaid" in inert[0]
    assert len(running) == 1 and len(running[0]) < 5_000  # what draws the diagrams
    assert len(scripts) == 2


def test_every_page_after_the_home_page_holds_an_estimated_height(site: Site) -> None:
    pages = render_book(site, read_sources(REPO / "mkdocs.yml"))
    page = render_offline(site, pages, [], ["var end = '</script>';"])
    heights = re.findall(
        r'<section style="contain-intrinsic-size: auto (\d+)px" class="book-', page
    )
    assert pages[0].src == "index.md"
    assert len(heights) == len(pages) - 1  # not the home page: it is on screen at once
    assert all(int(h) > 0 for h in heights)
    assert re.search(r'<nav class="offline-toc"[^>]* style="contain-intrinsic-size: auto', page)
    # A deferred script cannot end its element early; it is text until the first diagram.
    assert f'<script type="text/plain" class="{DEFERRED}">var end = \'<\\/script>\';' in page


# A page far from the home page: its heading, and whether it is laid out.
_LAST_PAGE = """() => {
  const section = Array.from(document.querySelectorAll(".offline-rest > .book-page")).pop();
  const heading = section.querySelector("h1");
  return {id: section.id, title: heading.textContent,
          laidOut: heading.checkVisibility({contentVisibilityAuto: true})};
}"""
# Find-in-page from the end of the document backwards: where the first match is.
_FIND_BACKWARDS = """(text) => {
  const found = window.find(text, false, true);
  const node = getSelection().anchorNode;
  return {found, section: node && node.parentElement.closest("section").id};
}"""


def test_on_a_phone_the_go_bag_lays_out_and_draws_only_what_nears_the_screen(
    go_bag: Path,
) -> None:
    api = playwright_api()
    expect = api.expect
    outside: list[str] = []
    problems: list[str] = []
    with api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(
                viewport=PHONE, is_mobile=True, service_workers="block", offline=True
            )
            context.on(
                "request",
                lambda r: outside.append(r.url) if urlsplit(r.url).scheme != "file" else None,
            )
            page = context.new_page()
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(go_bag.as_uri(), wait_until="load")

            style = "(e) => getComputedStyle(e).contentVisibility"
            assert page.locator(".offline-lead > .book-page").evaluate_all(
                f"(all) => all.map({style})"
            ) == ["visible"]
            rest = page.locator(".offline-rest > .book-page").evaluate_all(
                f"(all) => all.map({style})"
            )
            assert len(rest) > 10 and set(rest) == {"auto"}
            assert page.locator("#contents").evaluate(style) == "auto"

            # The last page is not laid out, yet find-in-page finds its text.
            last = page.evaluate(_LAST_PAGE)
            assert last["laidOut"] is False
            assert page.evaluate(_FIND_BACKWARDS, last["title"]) == {
                "found": True,
                "section": last["id"],
            }

            # Nothing near the screen has a diagram: Mermaid has not even been run.
            assert page.evaluate("typeof mermaid") == "undefined"
            assert page.locator("pre.handbook-mermaid[data-processed]").count() == 0
            diagram = page.locator(".handbook-diagram").first
            diagram.evaluate("(e) => e.scrollIntoView({block: 'center'})")
            expect(diagram.locator("svg")).to_have_count(1, timeout=TIMEOUT)
            assert page.evaluate("typeof mermaid") == "object"
        finally:
            browser.close()
    assert outside == []
    assert problems == []


def test_the_public_go_bag_holds_no_internal_contact_detail(handbook: Handbook) -> None:
    internal = internal_values(handbook)
    assert internal
    sources = read_sources(REPO / "mkdocs.yml")

    def go_bag(site: Site) -> str:
        return render_offline(site, render_book(site, sources), [], [])

    public = go_bag(Site(handbook, TODAY, audience="public"))
    assert [v for v in internal if v in public] == []
    assert "public edition" in public
    # The internal go-bag does hold them: the check above can fail.
    assert any(v in go_bag(Site(handbook, TODAY)) for v in internal)


def test_a_site_page_opened_from_disk_points_to_the_go_bag(built_site: Path, go_bag: Path) -> None:
    """Over file:// the site cannot navigate or search: each page says so and links offline.html."""
    api = playwright_api()
    expect, sync_playwright = api.expect, api.sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_context(service_workers="block", offline=True).new_page()
            for path in ("index.html", "runbooks/active-exploit/index.html"):
                page.goto((built_site / path).as_uri())
                notice = page.locator("#handbook-from-disk")
                expect(notice).to_be_visible(timeout=TIMEOUT)
                expect(notice).to_contain_text("needs a web server")
                link = notice.locator("a")
                target = page.evaluate("(a) => a.href", link.element_handle())
                assert target == go_bag.as_uri(), (path, target)
            page.goto(go_bag.as_uri())  # the go-bag itself works from disk: no notice
            expect(page.locator("#contents")).to_be_visible(timeout=TIMEOUT)
            assert page.locator("#handbook-from-disk").count() == 0
        finally:
            browser.close()


def test_the_served_site_shows_no_disk_notice(built_site: Path) -> None:
    api = playwright_api()
    with api.sync_playwright() as playwright, serving(built_site) as url:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            page.goto(url)
            api.expect(page.locator("h1").first).to_be_visible(timeout=TIMEOUT)
            assert page.locator("#handbook-from-disk").count() == 0
        finally:
            browser.close()
