"""The built site as responders get it: strict build, links, no outside requests, a browser.

The shipped handbook is built once per session with ``mkdocs build --strict`` into a
world-readable folder (linkchecker run as root drops to the user ``nobody``): the fixture
``built_site`` in conftest.py, shared with the go-bag's tests. The browser
test drives Debian's Chromium (``/usr/bin/chromium``, installed by
``.ci/install-system-packages``) through Playwright, with every request outside the local
test server aborted and recorded.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from handbook.model import Handbook
from handbook.reader import read_bytes
from tests.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    check_links,
    copy_project,
    mkdocs_build,
    playwright_api,
    run,
    serving,
)

BIN = Path(sys.executable).parent
VENDORED_MERMAID = "assets/vendor/mermaid/mermaid.min.js"
TIMEOUT = 30_000  # ms, for anything the browser waits for


def handbook_command() -> list[str]:
    script = BIN / "handbook"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "handbook.cli"]


def site_files(site: Path, *suffixes: str) -> list[Path]:
    return sorted(p for p in site.rglob("*") if p.is_file() and p.suffix in suffixes)


class _Markup(HTMLParser):
    """Collects attribute values, links, the text of script elements and all other text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes += [value or "" for _, value in attrs]
        self.links += [(n, v) for n, v in attrs if n in ("href", "src") and v is not None]
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)


def test_the_site_builds_strictly(built_site: Path) -> None:
    assert (built_site / "index.html").is_file()
    assert (built_site / VENDORED_MERMAID).is_file()


# ---- Links -----------------------------------------------------------------------------


def test_every_local_link_resolves(built_site: Path) -> None:
    assert check_links(built_site) > 50


def test_no_relative_link_leaves_the_site(built_site: Path) -> None:
    # linkchecker counts a file outside the start folder as extern and skips it.
    root = built_site.resolve()
    escaping = set()
    for path in site_files(built_site, ".html"):
        markup = _Markup()
        markup.feed(path.read_text(encoding="utf-8"))
        for name, value in markup.links:
            if value and not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//|#", value):
                link = urlsplit(value).path
                # Root-relative paths (the 404 page's) are relative to the site's root.
                base = root if link.startswith("/") else path.parent
                target = (base / link.lstrip("/")).resolve()
                if not target.is_relative_to(root):
                    escaping.add((path.relative_to(root).as_posix(), name, value))
    assert sorted(escaping) == []


# ---- Nothing is loaded from outside the site --------------------------------------------

_URL = r"""\\?["']?\s*((?:https?:)?//[^\s"'\\<>)]+)"""
LOADERS = [
    re.compile(r"\b(?:src|srcset|poster|data)\s*=\s*" + _URL, re.IGNORECASE),
    re.compile(
        r"<(?:link|image|use|feImage)\b[^>]*?\b(?:xlink:)?href\s*=\s*" + _URL, re.IGNORECASE
    ),
    re.compile(r"@import\s+(?:url\(\s*)?" + _URL, re.IGNORECASE),
    re.compile(r"\burl\(\s*" + _URL, re.IGNORECASE),
    re.compile(
        r"""((?:https?:)?//(?:[\w-]+\.)*(?:unpkg\.com|jsdelivr\.net|googleapis\.com|"""
        r"""gstatic\.com|cdnjs\.cloudflare\.com|bootstrapcdn\.com|polyfill\.io)"""
        r"""(?:/[^\s"'\\<>)]*)?)""",
        re.IGNORECASE,
    ),
]
# mkdocs-material's bundle names two CDN scripts it loads only when the browser lacks what
# they provide: Mermaid when no global `mermaid` exists (the vendored copy is that global:
# see test_pages_with_diagrams_load_the_vendored_mermaid) and a ResizeObserver polyfill
# (every supported browser has ResizeObserver). The browser test checks neither is fetched.
GUARDED_FALLBACKS = {
    "https://unpkg.com/mermaid@11/dist/mermaid.min.js",
    "https://unpkg.com/resize-observer-polyfill",
}
MATERIAL_BUNDLE = re.compile(r"assets/javascripts/bundle\.[0-9a-f]+\.min\.js")


def outside_loads(text: str) -> set[str]:
    return {match.group(1) for pattern in LOADERS for match in pattern.finditer(text)}


def test_no_file_loads_anything_from_outside_the_site(built_site: Path) -> None:
    found = {}
    files = site_files(built_site, ".html", ".js", ".css", ".json", ".mjs", ".svg", ".xml")
    assert len(files) > 20
    for path in files:
        relative = path.relative_to(built_site).as_posix()
        urls = outside_loads(path.read_text(encoding="utf-8", errors="replace"))
        if MATERIAL_BUNDLE.fullmatch(relative):
            urls -= GUARDED_FALLBACKS
        if urls:
            found[relative] = sorted(urls)
    assert found == {}


def test_pages_with_diagrams_load_the_vendored_mermaid(built_site: Path) -> None:
    with_diagrams = [
        path
        for path in site_files(built_site, ".html")
        if 'class="mermaid"' in path.read_text(encoding="utf-8")
    ]
    assert with_diagrams, "no page has a Mermaid diagram"
    for path in with_diagrams:
        page = path.read_text(encoding="utf-8")
        scripts = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", page)
        bundle = next(i for i, s in enumerate(scripts) if MATERIAL_BUNDLE.search(s))
        vendored = [s for s in scripts if s.endswith(VENDORED_MERMAID)]
        assert vendored, f"{path.relative_to(built_site)} does not load {VENDORED_MERMAID}"
        resolved = urljoin(path.as_uri(), vendored[0])
        assert resolved == (built_site / VENDORED_MERMAID).as_uri()
        # It runs before the page is mounted: a plain script, after Material's bundle.
        assert scripts.index(vendored[0]) > bundle
        assert not re.search(
            r"<script\b[^>]*src=\"[^\"]*mermaid\.min\.js\"[^>]*\b(?:async|defer|type=\"module\")",
            page,
        )


# ---- The site in a browser --------------------------------------------------------------


@pytest.fixture
def served_site(built_site: Path) -> Iterator[str]:
    """The built site on 127.0.0.1, from a thread."""
    with serving(built_site) as url:
        yield url


def search_word(site: Path, hb: Handbook) -> tuple[str, str]:
    """(word, runbook id): a word of one runbook's symptoms found on as few pages as possible."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    pages: dict[str, str] = {}
    for doc in index["docs"]:
        page = doc["location"].split("#")[0]
        pages[page] = pages.get(page, "") + " " + doc["title"] + " " + doc["text"]
    candidates = []
    for runbook in sorted(hb.runbooks, key=lambda r: r.id):
        words = {w.lower() for s in runbook.symptoms for w in re.findall(r"[A-Za-z]{6,}", s)}
        for word in sorted(words):
            found = {p for p, text in pages.items() if re.search(rf"\b{word}", text, re.I)}
            if f"runbooks/{runbook.id}/" in found:
                candidates.append((len(found), word, runbook.id))
    assert candidates, "no symptom word found in the search index"
    _, word, runbook_id = min(candidates)
    return word, runbook_id


def first_p1_phones(hb: Handbook) -> set[str]:
    """The tel: links of whoever is called first for a P1."""
    step = hb.get("severities", "P1").escalation[0]
    kind, target = step.target
    if kind == "roles":
        channels = [
            c for p in hb.get("roles", target).holders.primary for c in hb.get("people", p).contacts
        ]
    else:
        channels = list(hb.get(kind, target).contacts)
    phones = {f"tel:{c.value}" for c in channels if c.type == "phone"}
    assert phones, "nobody called first for a P1 has a phone number"
    return phones


# Material mounts each rendered diagram in a *closed* shadow root; open it so the test can
# see the SVG Mermaid produced. Nothing else about the page changes.
OPEN_SHADOW_ROOTS = """
const attachShadow = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  return attachShadow.call(this, Object.assign({}, init, { mode: "open" }));
};
"""


def test_a_responder_finds_what_they_need_offline(
    built_site: Path, served_site: str, handbook_model: Handbook
) -> None:
    api = playwright_api()
    expect, sync_playwright = api.expect, api.sync_playwright

    hb = handbook_model
    word, runbook_id = search_word(built_site, hb)
    owner_name = hb.owner(hb.get("runbooks", runbook_id).owner)[1].name
    phones = first_p1_phones(hb)
    origin = urlsplit(served_site).netloc
    outside: list[str] = []
    page_errors: list[str] = []

    def only_local(route: Any) -> None:
        if urlsplit(route.request.url).netloc == origin:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def record(request: Any) -> None:
        url = request.url
        if urlsplit(url).scheme not in ("about", "data", "blob") and urlsplit(url).netloc != origin:
            outside.append(url)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(service_workers="block")
            context.route("**/*", only_local)
            context.on("request", record)
            context.add_init_script(OPEN_SHADOW_ROOTS)
            page = context.new_page()
            page.on("pageerror", lambda error: page_errors.append(str(error)))

            # Search a symptom and open the runbook it names.
            page.goto(served_site)
            query = page.locator("input.md-search__input")
            if not query.is_visible():
                page.locator("label[for='__search']").first.click()
            query.click()
            query.press_sequentially(word, delay=30)
            hit = page.locator(f"a.md-search-result__link[href*='/runbooks/{runbook_id}/']")
            expect(hit.first).to_be_visible(timeout=TIMEOUT)
            hit.first.click()
            page.wait_for_url(re.compile(rf"/runbooks/{re.escape(runbook_id)}/"))
            expect(page.locator(".md-content")).to_contain_text(owner_name, timeout=TIMEOUT)

            # The severity matrix has P1 to P5.
            page.goto(served_site + "severities/")
            rows = page.locator("table.handbook-severity-matrix tbody tr")
            expect(rows).to_have_count(5, timeout=TIMEOUT)

            # Every escalation diagram becomes an inline SVG, with no CDN to load Mermaid.
            page.goto(served_site + "escalation/")
            diagrams = page.locator(".handbook-diagram svg[id^='__mermaid_']")
            expect(diagrams).to_have_count(len(hb.severities), timeout=TIMEOUT)
            expect(diagrams.first).to_contain_text(f"{hb.severities[0].id} detected")
            expect(page.locator("pre.mermaid")).to_have_count(0)

            # Whoever is called first for a P1 is one tap from the home page, or two.
            assert reach_phone(page, served_site, phones), (
                f"no link to {sorted(phones)} on the home page or one click away"
            )
        finally:
            browser.close()

    assert outside == []
    assert page_errors == []


def reach_phone(page: Any, home: str, phones: set[str]) -> bool:
    """True when a visible tel: link to one of ``phones`` is on ``home`` or a page it links."""

    def phone_visible() -> bool:
        links = page.locator(".md-content a[href^='tel:']")
        return any(
            links.nth(i).get_attribute("href") in phones and links.nth(i).is_visible()
            for i in range(links.count())
        )

    page.goto(home)
    if phone_visible():
        return True
    # One click away: the pages the home page's visible content links to. (With instant
    # navigation Material has made every internal link absolute.)
    links = page.locator(".md-content a[href]")
    targets = []
    for i in range(links.count()):
        target = urljoin(page.url, links.nth(i).get_attribute("href") or "").split("#")[0]
        same_site = urlsplit(target).netloc == urlsplit(home).netloc
        if same_site and links.nth(i).is_visible() and target not in targets:
            targets.append(target)
    for target in targets:
        page.goto(target)
        if phone_visible():
            return True
    return False


# ---- Data is text, never markup -----------------------------------------------------------

MARKUP = "<script>alert(1)</script> [x](javascript:alert(1))"
# `{{ 7 * 7 }}` itself is refused by validation (rule `placeholder`), so the build never
# renders it; these two template forms pass validation and would print 49 or "evaluated"
# if anything evaluated data as a Jinja template.
TEMPLATES = ("{{ {'n': 7 * 7}['n'] }}", "{% if 7 * 7 == 49 %}evaluated{% endif %}")
PAYLOAD = " ".join([MARKUP, *TEMPLATES])


def rewrite(path: Path, change: Any) -> None:
    """Change a data file through the project's reader and write it back as YAML."""
    document, problems = read_bytes(path.read_bytes(), path.name)
    assert document is not None, problems
    change(document.data)
    path.write_text(
        yaml.safe_dump(document.data, sort_keys=False, allow_unicode=True, width=1000),
        encoding="utf-8",
    )


def inject(project: Path, payload: str) -> tuple[Path, Path]:
    """Append ``payload`` to a runbook's summary and first symptom and a dependency's
    description; return the two files."""
    runbook = sorted((project / "data" / "runbooks").glob("*.yml"))[0]
    dependency = sorted((project / "data" / "dependencies").glob("*.yml"))[0]

    def runbook_change(data: dict[str, Any]) -> None:
        data["summary"] = f"{data['summary']} {payload}"
        data["symptoms"][0] = f"{data['symptoms'][0]} {payload}"

    def dependency_change(data: dict[str, Any]) -> None:
        data["description"] = f"{data['description']} {payload}"

    rewrite(runbook, runbook_change)
    rewrite(dependency, dependency_change)
    return runbook, dependency


def test_a_template_in_data_is_refused(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    runbook, dependency = inject(project, "{{ 7 * 7 }}")
    completed = mkdocs_build(project, tmp_path / "site")
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    for name, field in (
        (runbook.name, "$.summary"),
        (runbook.name, "$.symptoms[0]"),
        (dependency.name, "$.description"),
    ):
        assert any(
            f"{name}:" in line and field in line and "[placeholder]" in line
            for line in output.splitlines()
        ), output
    assert not (tmp_path / "site" / "index.html").exists()


def test_data_never_reaches_the_html_as_markup(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    runbook, dependency = inject(project, PAYLOAD)
    site = tmp_path / "site"
    completed = mkdocs_build(project, site)
    assert completed.returncode == 0, completed.stdout + completed.stderr

    pages = site_files(site, ".html")
    assert pages
    for path in pages:
        raw = path.read_text(encoding="utf-8")
        where = path.relative_to(site)
        assert "<script>alert" not in raw.lower(), where
        markup = _Markup()
        markup.feed(raw)
        for value in markup.attributes:
            assert "javascript:" not in re.sub(r"\s", "", value).lower(), (where, value)
        for script in markup.scripts:
            assert "alert(1)" not in script and "7 * 7" not in script, where
        text = "".join(markup.text)
        assert "evaluated" not in text.replace(TEMPLATES[1], ""), where

    # The payload shows as the characters it is where the data is: nothing evaluated it.
    def page_text(page: str) -> str:
        markup = _Markup()
        markup.feed((site / page / "index.html").read_text(encoding="utf-8"))
        return "".join(markup.text)

    runbook_page = page_text(f"runbooks/{runbook.stem}")
    for template in TEMPLATES:
        assert runbook_page.count(template) == 2, template  # summary and symptom
    assert "<script>alert(1)</script> [x](javascript:alert(1))" in runbook_page  # symptom
    dependency_page = page_text(f"dependencies/{dependency.stem}")
    assert all(template in dependency_page for template in TEMPLATES)


# ---- A failed build leaves the previous site alone --------------------------------------


def snapshot(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def test_a_failed_build_leaves_the_previous_site_untouched(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    sites = tmp_path / "sites"
    sites.mkdir()
    out = sites / "out"
    build = [*handbook_command(), "build", "--site-dir", str(out)]
    first = run(build, project)
    assert first.returncode == 0, first.stdout + first.stderr
    before = snapshot(out)
    index_before = before["index.html"]
    beside_before = sorted(p.name for p in sites.iterdir())

    runbook = sorted((project / "data" / "runbooks").glob("*.yml"))[0]
    text = runbook.read_text(encoding="utf-8")
    without_owner = re.sub(r"(?m)^owner:.*\n", "", text, count=1)
    assert without_owner != text
    runbook.write_text(without_owner, encoding="utf-8")

    second = run(build, project)
    output = second.stdout + second.stderr
    assert second.returncode == 1, output
    assert "Traceback" not in output
    name = f"data/runbooks/{runbook.name}"
    assert any(name in line and "[runbook-owner]" in line for line in output.splitlines()), output
    after = snapshot(out)
    assert after["index.html"] == index_before
    assert sorted(after) == sorted(before)
    assert after == before
    assert sorted(p.name for p in sites.iterdir()) == beside_before
