"""Hostile text in every free-text field of every kind: it stays text everywhere it lands.

The shipped example project is copied, and every string the schemas leave free (no
``format``, ``pattern``, ``enum`` or ``const``: ids, references, dates, phone numbers and
emails keep their valid values) becomes a payload that would run a script, close an
element, evaluate a template, link ``javascript:`` or load an image if anything treated it
as markup. Optional free-text fields the example leaves out are added. The fields are found
by walking the schemas along the data, so a field added to a schema is covered without
editing this test; a free-text field the walk cannot reach fails the test by name.

The project must still validate; it is built for each audience with ``handbook build``.
Every HTML file is parsed with an HTML5 parser (tinyhtml5, WeasyPrint's, html5lib's
fork) looking for anything the payload made: an element, an event attribute, a script
holding its marker, a tag in ``<title>``, an evaluated template. The search index, the
sitemap and the downloads are checked too, and every kind of page (the go-bag included)
is opened in Chromium, where ``window.__pwned`` must stay undefined and no dialog open.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import markdown as markdown_lib
import pytest
import tinyhtml5
import yaml
from jsonschema import Draft202012Validator

from handbook import markup
from handbook.book import render_book
from handbook.kinds import KINDS, Layout
from handbook.pipeline import Project, validate
from handbook.print_html import Part, PrintDocument, Printer
from handbook.reader import read_bytes
from handbook.schemas import load_schemas
from handbook.site import AUDIENCES, OFFLINE_PAGE, RECORD_PAGES, Site
from handbook.site_sources import read_sources
from tests.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TODAY,
    copy_project,
    handbook_cli,
    playwright_api,
    serving,
)
from tests.test_site import OPEN_SHADOW_ROOTS

TIMEOUT = 30_000  # ms, for anything the browser waits for

# Each piece would do something if it were markup, a template or a link; the marker is
# what a script that ran would set. `{{ 7 * 7 }}` itself is refused by validation (rule
# `placeholder`), so the template forms are ones that pass it and, if evaluated, print 49
# or a word found nowhere in the payload.
MARKER = "__pwned"
EVALUATED = ("jinjaevaluated", "jinjaran")
TEMPLATE = "{{ {'n': 7*7}['n'] }}"  # shown as written, or it was evaluated
PAYLOAD = (
    "<img src=x onerror=window.__pwned=1>\"'</title></textarea></style></script>"
    "<script>window.__pwned=1</script><svg onload=window.__pwned=1>"
    "{{ {'n': 7*7}['n'] }}{{ {'k': 'jinja' ~ 'evaluated'}['k'] }}"
    "{% if true %}{{ {'k': 'jinja' ~ 'ran'}['k'] }}{% endif %}"
    "[x](javascript:window.__pwned=1) ![p](https://evil.example/pixel.png) "
    '<a href="javascript:window.__pwned=1">a</a> {: onclick=window.__pwned=1} '
    '%%{init: {"securityLevel": "loose"}}%% "]) --> x(["'
)
CONSTRAINED = ("format", "pattern", "enum", "const")


@dataclass
class Injection:
    """What the walk did: every free-text schema location it filled, and how often."""

    filled: dict[str, int] = field(default_factory=dict)
    max_lengths: dict[str, int | None] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)  # prefix -> schema location
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def payload(self, where: str, max_length: int | None) -> str:
        """A payload unique to this field (a numbered prefix), no longer than allowed.

        Unique so that no internal value is another's substring (the public build's leak
        scan compares them).
        """
        self.filled[where] = self.filled.get(where, 0) + 1
        self.max_lengths[where] = max_length
        prefix = f"f{next(self.counter):05d}"
        self.where[prefix] = where
        text = f"{prefix} {PAYLOAD}"
        return text if max_length is None else text[:max_length]


def applicable(schema: Any, instance: Any) -> list[dict[str, Any]]:
    """The subschemas that apply to ``instance``: the schema, its allOf, if/then/else, and
    the oneOf/anyOf branches it satisfies (schemas are expanded, with no ``$ref``)."""
    if not isinstance(schema, dict):
        return []
    found = [schema]
    for sub in schema.get("allOf", []):
        found += applicable(sub, instance)
    for key in ("oneOf", "anyOf"):
        for sub in schema.get(key, []):
            if Draft202012Validator(sub).is_valid(instance):
                found += applicable(sub, instance)
    if "if" in schema:
        branch = "then" if Draft202012Validator(schema["if"]).is_valid(instance) else "else"
        found += applicable(schema.get(branch), instance)
    return found


def free_text(schemas: list[dict[str, Any]]) -> bool:
    """Whether a string under these subschemas may hold any text."""
    return not any(key in s for s in schemas for key in CONSTRAINED)


def max_length(schemas: list[dict[str, Any]]) -> int | None:
    limits = [s["maxLength"] for s in schemas if "maxLength" in s]
    return min(limits) if limits else None


def _string_schema(schema: Any) -> list[dict[str, Any]] | None:
    """The subschemas of a property that is a free-text string, else None."""
    schemas = applicable(schema, "text")
    types = {s.get("type") for s in schemas} - {None}
    return schemas if types == {"string"} and free_text(schemas) else None


def _text_list_schema(schema: Any) -> list[dict[str, Any]] | None:
    """The item subschemas of a property that is a list of free-text strings, else None."""
    schemas = applicable(schema, ["text"])
    if {s.get("type") for s in schemas} - {None} != {"array"}:
        return None
    items = [s["items"] for s in schemas if isinstance(s.get("items"), dict)]
    return _string_schema({"allOf": items}) if items else None


def inject(node: Any, schema: Any, where: str, injection: Injection) -> Any:
    """``node`` with every free-text string replaced, optional free-text fields added."""
    schemas = applicable(schema, node)
    if isinstance(node, str):
        return injection.payload(where, max_length(schemas)) if free_text(schemas) else node
    if isinstance(node, list):
        items = [s["items"] for s in schemas if "items" in s]
        return [inject(item, {"allOf": items}, f"{where}[]", injection) for item in node]
    if not isinstance(node, dict):
        return node
    properties: dict[str, list[Any]] = {}
    for sub in schemas:
        for name, prop in sub.get("properties", {}).items():
            properties.setdefault(name, []).append(prop)
    changed = {
        key: inject(value, {"allOf": properties.get(key, [])}, f"{where}.{key}", injection)
        for key, value in node.items()
    }
    for name, props in properties.items():
        if name in changed:
            continue
        if (strings := _string_schema({"allOf": props})) is not None:
            changed[name] = injection.payload(f"{where}.{name}", max_length(strings))
        elif (items := _text_list_schema({"allOf": props})) is not None:
            changed[name] = [injection.payload(f"{where}.{name}[]", max_length(items))]
    return changed


def schema_text_fields(schema: Any, where: str, depth: int = 0) -> Iterator[str]:
    """Every location of a free-text string in an (expanded) schema, without data."""
    if not isinstance(schema, dict) or depth > 40:
        return
    subs = [schema, *schema.get("allOf", []), *schema.get("oneOf", []), *schema.get("anyOf", [])]
    subs += [schema[k] for k in ("then", "else") if isinstance(schema.get(k), dict)]
    if schema.get("type") == "string" and _string_schema(schema) is not None:
        yield where
    for sub in subs:
        if sub is not schema:
            yield from schema_text_fields(sub, where, depth + 1)
    for name, prop in schema.get("properties", {}).items():
        yield from schema_text_fields(prop, f"{where}.{name}", depth + 1)
    if isinstance(schema.get("items"), dict):
        yield from schema_text_fields(schema["items"], f"{where}[]", depth + 1)


def load_yaml(path: Path) -> Any:
    document, problems = read_bytes(path.read_bytes(), path.name)
    assert document is not None, problems
    return document.data


def inject_project(project: Path) -> Injection:
    """Fill every free-text field of every data file of ``project`` with a payload."""
    validators = load_schemas(project / "schemas").validators
    injection = Injection()
    for kind in KINDS:
        location = project / "data" / kind.location
        files = sorted(location.glob("*.yml")) if kind.layout is Layout.DIRECTORY else [location]
        for path in files:
            if not path.is_file():
                continue
            data = inject(load_yaml(path), validators[kind.name].schema, kind.name, injection)
            path.write_text(
                yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000),
                encoding="utf-8",
            )
    return injection


def unreached(project: Path, injection: Injection) -> list[str]:
    """Free-text locations of the schemas that the injection never filled."""
    validators = load_schemas(project / "schemas").validators
    declared = {
        where
        for kind in KINDS
        for where in schema_text_fields(validators[kind.name].schema, kind.name)
    }
    return sorted(declared - set(injection.filled))


# ---- What a page may not hold -----------------------------------------------------------

# Attributes that load or navigate: a value from data there must never be javascript: or
# point at the payload's tracking pixel.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "srcset", "action", "formaction", "data", "poster", "background", "xlink:href"}
)


def _local(name: str) -> str:
    """A tag or attribute name without its namespace."""
    return name.rsplit("}", 1)[-1].lower()


def markup_problems(text: str, where: str) -> list[str]:
    """What the payload made of an HTML document: elements, attributes, scripts, templates."""
    problems = []
    for raw_title in re.findall(r"<title\b[^>]*>(.*?)</title>", text, re.S | re.I):
        if "<" in raw_title:
            problems.append(f"{where}: a tag inside <title>: {raw_title[:80]!r}")
    root = tinyhtml5.parse(text, namespace_html_elements=False)
    for element in root.iter():
        tag = _local(element.tag) if isinstance(element.tag, str) else ""
        for name, value in element.attrib.items():
            attribute = _local(name)
            if attribute.startswith("on"):
                problems.append(f"{where}: <{tag} {attribute}={value[:40]!r}>")
            if attribute in URL_ATTRIBUTES or name.endswith("}href"):
                compact = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if compact.startswith(("javascript:", "vbscript:", "data:text/html")):
                    problems.append(f"{where}: <{tag} {attribute}={value[:60]!r}>")
                if "evil.example" in compact:
                    problems.append(f"{where}: <{tag} {attribute}={value[:60]!r}>")
        if tag == "img" and element.get("src") == "x":
            problems.append(f"{where}: <img src=x>")
        if tag == "script" and MARKER in "".join(element.itertext()):
            problems.append(f"{where}: a script holding the payload")
    return problems


def fragment_problems(fragment: str, where: str) -> list[str]:
    """``markup_problems`` of an HTML fragment (a search index entry)."""
    return markup_problems(f"<!DOCTYPE html><title>t</title><body>{fragment}</body>", where)


# ---- The hostile project, validated and built for each audience --------------------------


@dataclass(frozen=True)
class Hostile:
    project: Path
    injection: Injection


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    """The shipped project with a payload in every free-text field."""
    project = copy_project(tmp_path_factory.mktemp("payloads") / "project")
    return Hostile(project, inject_project(project))


@pytest.fixture(scope="module")
def sites(hostile: Hostile) -> dict[str, Path]:
    """The hostile project built with ``handbook build`` for each audience."""
    built = {}
    for audience in AUDIENCES:
        target = hostile.project.parent / f"site-{audience}"
        completed = handbook_cli(
            "build", "--audience", audience, "--site-dir", str(target), cwd=hostile.project
        )
        output = completed.stdout + completed.stderr
        assert completed.returncode == 0, output
        assert "Traceback" not in output
        built[audience] = target
    return built


def test_every_free_text_field_of_every_kind_holds_a_payload(hostile: Hostile) -> None:
    assert unreached(hostile.project, hostile.injection) == []
    kinds = {where.split(".")[0].split("[")[0] for where in hostile.injection.filled}
    assert kinds == {kind.name for kind in KINDS}
    assert sum(hostile.injection.filled.values()) > 500


def test_the_hostile_data_is_still_valid(hostile: Hostile) -> None:
    completed = handbook_cli("validate", cwd=hostile.project)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def files(site: Path, *suffixes: str) -> list[Path]:
    return sorted(p for p in site.rglob("*") if p.is_file() and p.suffix in suffixes)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_page_holds_markup_from_data(sites: dict[str, Path], audience: str) -> None:
    site = sites[audience]
    pages = files(site, ".html")
    assert len(pages) > 20
    problems = []
    for path in pages:
        problems += markup_problems(path.read_text(encoding="utf-8"), str(path.relative_to(site)))
    assert problems == []


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_template_in_data_was_evaluated(sites: dict[str, Path], audience: str) -> None:
    site = sites[audience]
    for path in files(site, ".html", ".json", ".xml", ".md", ".txt", ".js"):
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not [w for w in EVALUATED if w in text], path
    # The template shows as the characters it is, where the data is.
    runbook = sorted((site / "runbooks").glob("*/index.html"))[0]
    page = tinyhtml5.parse(runbook.read_text(encoding="utf-8"), namespace_html_elements=False)
    assert TEMPLATE in "".join(page.itertext())


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_search_index_holds_text_only(sites: dict[str, Path], audience: str) -> None:
    index = json.loads((sites[audience] / "search" / "search_index.json").read_text("utf-8"))
    problems = []
    for doc in index["docs"]:
        for key in ("title", "text"):
            problems += fragment_problems(doc[key], f"{doc['location']} {key}")
    assert problems == []
    assert any(MARKER in doc["title"] for doc in index["docs"])  # the payload is indexed


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_sitemap_and_downloads_hold_nothing_from_data(
    sites: dict[str, Path], audience: str
) -> None:
    site = sites[audience]
    # Empty without a site_url in mkdocs.yml; its URLs are made of ids when there is one.
    sitemap = ElementTree.fromstring((site / "sitemap.xml").read_bytes())
    assert not [e.text for e in sitemap.iter() if MARKER in (e.text or "")]
    downloads = files(site / "downloads", ".md")
    assert len(downloads) == 2
    for path in downloads:
        text = path.read_text(encoding="utf-8")
        assert re.search(r"f\d{5} &lt;img src=x", text)  # the data is there, as text
        # What a Markdown viewer makes of it: no link, image or element from data.
        shown = markdown_lib.markdown(text, extensions=["tables"])
        tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", shown))
        allowed = {"h1", "h2", "h3", "p", "ul", "ol", "li", "strong", "em", "table"}
        assert tags <= allowed | {"thead", "tbody", "tr", "th", "td"}, (path.name, tags)
        assert markup_problems(shown, path.name) == []


# ---- Markdown fields ------------------------------------------------------------------------


def test_every_field_rendered_as_markdown_has_a_length_cap(
    hostile: Hostile, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[str] = []
    original = markup.markdown

    def recording(text: str) -> str:
        rendered.append(text)
        return original(text)

    monkeypatch.setattr(markup, "markdown", recording)
    result = validate(Project.at(hostile.project))
    assert result.handbook is not None
    site = Site(result.handbook, TODAY)
    render_book(site, read_sources(hostile.project / "mkdocs.yml"))
    fields = {hostile.injection.where[text.split(" ", 1)[0]] for text in rendered}
    assert len(fields) >= 10
    uncapped = sorted(f for f in fields if hostile.injection.max_lengths[f] is None)
    assert uncapped == []
    assert {hostile.injection.max_lengths[f] for f in fields} == {20_000}


# ---- Print documents and PDFs --------------------------------------------------------------


def spy_on_fetches(engine: Any) -> list[str]:
    """The URLs ``engine`` fetches from now on, in order (still fetched as before)."""
    fetched: list[str] = []
    fetch = engine._fetcher.fetch

    def spy(url: str, headers: Any = None) -> Any:
        fetched.append(url)
        return fetch(url, headers)

    engine._fetcher.fetch = spy
    return fetched


def test_print_documents_hold_no_markup_from_data(hostile: Hostile) -> None:
    from handbook.pdf import Engine

    result = validate(Project.at(hostile.project))
    assert result.handbook is not None
    site = Site(result.handbook, TODAY)
    sources = read_sources(hostile.project / "mkdocs.yml")
    printer = Printer.of(site, sources)
    pages = render_book(site, sources)
    documents = [
        printer.book_front(pages, {page.anchor: 1 for page in pages}),
        *(piece.doc for piece in printer.book_pieces(pages)),
        printer.cards(printer.all_cards()),
        printer.runbooks([r.id for r in site.handbook.runbooks]),
    ]
    for doc in documents:
        assert markup_problems(doc.html, doc.title) == []
        assert not re.search(r"<link\b", doc.html)

    # WeasyPrint fetches nothing for them but data: URLs (the QR codes).
    engine = Engine()
    fetched = spy_on_fetches(engine)
    runbook = site.handbook.runbooks[0].id
    engine.render(printer.runbooks([runbook]))
    assert fetched and all(url.startswith("data:") for url in fetched)


def test_the_pdf_engine_fetches_only_data_urls_and_survives_a_refusal(tmp_path: Path) -> None:
    from handbook.pdf import Engine, cut, save

    engine = Engine()
    fetched = spy_on_fetches(engine)
    hostile = (
        '<link rel="attachment" href="file:///etc/group">'
        '<link rel="attachment" href="data:text/plain,hello">'
        '<link rel="stylesheet" href="file:///etc/group">'
        '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/pixel.png">'
        "<style>@import url(file:///etc/group); p { background: url(file:///etc/hosts) }</style>"
    )
    part = Part("part.pdf", "Part", "part")
    doc = PrintDocument(
        "whole.pdf",
        "Whole",
        f'<html><body>{hostile}<section id="part"><p>x</p><div id="part--end"></div>'
        "</section></body></html>",
        parts=(part,),
    )
    written = engine.write(doc, tmp_path)  # a part cut out, then the whole: two PDFs
    assert [w.path.name for w in written] == ["part.pdf", "whole.pdf"]
    for item in written:
        assert b"/EmbeddedFile" not in item.path.read_bytes()
    assert "file:///etc/group" in fetched  # asked for, and refused:
    assert all(b"root:" not in w.path.read_bytes() for w in written)
    assert save(cut(engine.render(doc), part, range(1)), tmp_path / "again.pdf").pages == 1


def test_markup_in_the_organisation_name_builds_pdfs(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    settings = project / "data" / "handbook.yml"
    text = settings.read_text(encoding="utf-8")
    name = '"Harbor <link rel=attachment href=file:///etc/group> <img src=x onerror=alert(1)>"'
    changed = re.sub(r"(?m)^  name: .*$", f"  name: {name}", text, count=1)
    assert changed != text
    settings.write_text(changed, encoding="utf-8")
    site = tmp_path / "site"
    completed = handbook_cli("build", "--pdf", "--site-dir", str(site), cwd=project)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "Traceback" not in output
    pdfs = files(site / "pdf", ".pdf")
    assert pdfs
    assert not [p for p in pdfs if b"/EmbeddedFile" in p.read_bytes()]
    for page in (site / "index.html", site / "offline.html"):
        assert markup_problems(page.read_text(encoding="utf-8"), page.name) == []


# ---- In a browser -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(sites: dict[str, Path]) -> Iterator[str]:
    """The internal hostile site on 127.0.0.1, from a thread."""
    with serving(sites["internal"]) as url:
        yield url


def page_types(site: Path) -> list[str]:
    """Every hand-written page, one record page of each kind, the tags and the 404 page."""
    chosen = []
    for path in files(site, ".html"):
        relative = path.relative_to(site).as_posix()
        parts = relative.split("/")
        if relative == OFFLINE_PAGE or (parts[0] in RECORD_PAGES and len(parts) > 2):
            continue
        chosen.append(relative)
    for kind in RECORD_PAGES:
        records = sorted(p.relative_to(site).as_posix() for p in (site / kind).glob("*/index.html"))
        chosen.append(records[0])
    return chosen


def test_no_page_runs_the_payload_in_a_browser(sites: dict[str, Path], served: str) -> None:
    api = playwright_api()
    expect, sync_playwright = api.expect, api.sync_playwright
    site = sites["internal"]
    pages = page_types(site)
    assert "escalation/index.html" in pages and "runbooks/index.html" in pages
    dialogs: list[str] = []
    ran: list[str] = []

    def check(page: Any, where: str) -> None:
        page.wait_for_load_state("load")
        page.wait_for_timeout(100)  # scripts that run after load (Mermaid, search)
        if page.evaluate("() => typeof window.__pwned !== 'undefined'"):
            ran.append(where)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(service_workers="block")
            context.add_init_script(OPEN_SHADOW_ROOTS)  # to see Material's Mermaid SVGs
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith((served, "file:", "data:"))
                    else route.abort()
                ),
            )
            page = context.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            for relative in pages:
                page.goto(served + relative)
                if relative == "escalation/index.html":  # the diagrams drawn from data
                    expect(page.locator(".handbook-diagram svg").first).to_be_visible(
                        timeout=TIMEOUT
                    )
                check(page, relative)

            # The payload typed into the search box: results show it, as text.
            page.goto(served)
            query = page.locator("input.md-search__input")
            if not query.is_visible():
                page.locator("label[for='__search']").first.click()
            query.click()
            query.press_sequentially("<img src=x onerror=window.__pwned=1> pwned", delay=5)
            results = page.locator(".md-search-result__item")
            expect(results.first).to_be_visible(timeout=TIMEOUT)
            check(page, "search results")
            # A result opens its page with the search terms highlighted.
            page.locator("a.md-search-result__link").first.click()
            check(page, "a page opened from the search, terms highlighted")

            # The go-bag, opened from disk as responders open it.
            page.goto((site / OFFLINE_PAGE).as_uri())
            # Each diagram is drawn as it nears the screen.
            for diagram in page.locator(".handbook-diagram").all():
                diagram.evaluate("(e) => e.scrollIntoView({block: 'center'})")
                expect(diagram.locator("svg")).to_be_visible(timeout=TIMEOUT)
            check(page, OFFLINE_PAGE)
        finally:
            browser.close()
    assert ran == []
    assert dialogs == []
