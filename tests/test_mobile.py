"""3 a.m. on a phone (#17): whom to call on the first screen, nothing scrolling sideways.

The browser tests drive Debian's Chromium through Playwright at 390×844 CSS pixels (a
phone held upright) over the shipped site (``built_site``, built once per session) served
from 127.0.0.1, and over its go-bag opened from disk; every request leaving them is
aborted. A missing Chromium fails them with how to install it (``playwright_api``).
The other tests read the built site's search index, the rendered fragments and a
printed runbook's first page.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from handbook.model import ContactChannel, ContactRef, Handbook, Runbook
from handbook.pdf import write_pdfs
from handbook.phones import display, tel_url
from handbook.render.common import CHANNEL_WORDS, callees, channel_html
from handbook.render.home import render_home
from handbook.render.runbooks import render_runbook
from handbook.site import OFFLINE_PAGE, Site, pdf_name
from handbook.site_sources import read_sources
from tests.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    TODAY,
    copy_project,
    handbook_cli,
    playwright_api,
    serving,
    tool,
)

PHONE = {"width": 390, "height": 844}  # CSS pixels: a phone held upright
DESKTOP = {"width": 1280, "height": 800}
TIMEOUT = 30_000  # ms, for anything the browser waits for
FIRST_TEL = "a[href^='tel:']"
SEVERITY_TABLES = {
    "": "table.handbook-severity-picker",
    "severities/": "table.handbook-severity-matrix",
}


@contextlib.contextmanager
def browser_page(viewport: dict[str, int] = PHONE) -> Iterator[Any]:
    """A page of Chromium at ``viewport`` (a touch screen when it is the phone's), with
    every request but the local server's and the disk's aborted."""
    api = playwright_api()
    outside: list[str] = []

    def local_only(route: Any) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("file", "data", "blob") or url.hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            small = viewport == PHONE
            context = browser.new_context(
                viewport=viewport, is_mobile=small, has_touch=small, service_workers="block"
            )
            context.route("**/*", local_only)
            yield context.new_page()
        finally:
            browser.close()
    assert outside == []


def first_tel_box(page: Any) -> dict[str, float]:
    """Where the page's first ``tel:`` link is, relative to the top of the screen."""
    link = page.locator(FIRST_TEL).first
    link.wait_for(state="visible", timeout=TIMEOUT)
    box = link.bounding_box()
    assert box is not None
    return box


def assert_on_first_screen(box: dict[str, float], what: str) -> None:
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (
        f"{what}: the first tel: link is at y={box['y']:.0f}, below the first "
        f"{PHONE['height']} px of a phone"
    )


def first_numbers(hb: Handbook, site: Site, step: ContactRef) -> list[str]:
    """The tel: URLs of everyone an escalation step calls who has a phone, in order."""
    ctx = site.page("index.md")
    urls = []
    for kind, record_id in callees(ctx, step):
        phone = next((c for c in hb.get(kind, record_id).contacts if c.type == "phone"), None)
        if phone is not None:
            urls.append(tel_url(phone.value))
    return urls


# ---- The first screen --------------------------------------------------------------------


def test_the_home_page_shows_whom_to_call_first_on_a_phone_s_first_screen(
    built_site: Path, handbook_model: Handbook
) -> None:
    hb = handbook_model
    expected = first_numbers(hb, Site(hb, TODAY), hb.severities[0].escalation[0])
    assert expected
    with serving(built_site) as url, browser_page() as page:
        page.goto(url)
        assert_on_first_screen(first_tel_box(page), "home page")
        first = page.locator(FIRST_TEL).first
        assert first.get_attribute("href") == expected[0]
        # It is the top severity's call box: tap-to-call links, every one on screen.
        links = page.locator(f".handbook-call-box {FIRST_TEL}")
        assert links.count() == len(expected)
        for n in range(links.count()):
            assert_on_first_screen(links.nth(n).bounding_box(), f"home page, number {n + 1}")


def test_every_runbook_page_shows_its_first_call_on_a_phone_s_first_screen(
    built_site: Path, handbook_model: Handbook
) -> None:
    with serving(built_site) as url, browser_page() as page:
        for runbook in handbook_model.runbooks:
            page.goto(f"{url}runbooks/{runbook.id}/")
            box = first_tel_box(page)
            assert_on_first_screen(box, f"runbook {runbook.id}")
            # In the quick-reference box at the top, beside the owner.
            quickref = page.locator(".handbook-quickref-box")
            assert quickref.locator(FIRST_TEL).count() >= 1, runbook.id
            assert quickref.locator(FIRST_TEL).first.bounding_box() == box, runbook.id
            expect_text = page.locator(".handbook-quickref-box").inner_text()
            assert "First call:" in expect_text and "Owner:" in expect_text, runbook.id


def test_the_go_bag_opens_on_whom_to_call_first(built_site: Path) -> None:
    go_bag = built_site / OFFLINE_PAGE
    with browser_page() as page:
        page.goto(go_bag.as_uri())
        box = first_tel_box(page)
        assert_on_first_screen(box, "go-bag")
        lead = page.locator(f".offline-lead .handbook-call-box {FIRST_TEL}").first
        assert lead.bounding_box() == box
        # The contents follow the home page and still lead to every page.
        assert page.locator("#contents a[href='#page-index']").count() == 1


def test_an_open_incident_stays_above_the_first_call_on_a_phone(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    opened = handbook_cli(
        "incident", "new", "Oracle price stuck", "--severity", "P1",
        "--now", "2026-11-30T02:10Z", cwd=project,
    )  # fmt: skip
    assert opened.returncode == 0, opened.stdout + opened.stderr
    site = tmp_path / "site"
    built = handbook_cli("build", "--site-dir", str(site), cwd=project)
    assert built.returncode == 0, built.stdout + built.stderr
    with serving(site) as url, browser_page() as page:
        page.goto(url)
        box = first_tel_box(page)
        banner = page.locator(".handbook-active-incidents").bounding_box()
        assert banner is not None and banner["y"] < box["y"]
        assert_on_first_screen(box, "home page with an incident open")


# ---- Nothing scrolls sideways --------------------------------------------------------------

_FITS = """table => {
  const page = document.documentElement;
  const cells = Array.from(table.querySelectorAll('td'));
  return {
    table: [table.scrollWidth, table.clientWidth],
    page: [page.scrollWidth, page.clientWidth],
    cut: Array.from(table.querySelectorAll('a')).filter(
      a => a.getBoundingClientRect().right > page.clientWidth).map(a => a.textContent),
    labels: cells.slice(1, 4).map(td => getComputedStyle(td, '::before').content),
  };
}"""


def _assert_fits(page: Any, selector: str, where: str) -> None:
    """The table at ``selector`` shows whole, each value labelled, and the page does not
    scroll sideways either."""
    table = page.locator(selector).first
    table.wait_for(state="visible", timeout=TIMEOUT)
    fit = table.evaluate(_FITS)
    scroll, client = fit["table"]
    assert scroll <= client, f"{where}: {selector} scrolls sideways ({scroll} > {client})"
    assert fit["page"][0] <= fit["page"][1], f"{where}: the page scrolls sideways"
    assert fit["cut"] == [], f"{where}: links cut off at the right edge"
    # Stacked, each value says which column it was in.
    headers = table.locator("thead th").all_text_contents()
    assert fit["labels"] == [f'"{h}: "' for h in headers[1:4]], where


def test_the_severity_tables_fit_a_phone_without_sideways_scrolling(
    built_site: Path, handbook_model: Handbook
) -> None:
    api, hb = playwright_api(), handbook_model
    with serving(built_site) as url, browser_page() as page:
        for path, selector in SEVERITY_TABLES.items():
            page.goto(url + path)
            _assert_fits(page, selector, path or "home page")
        page.goto((built_site / OFFLINE_PAGE).as_uri())
        # The go-bag draws a diagram as it nears the screen: measure with every one drawn.
        diagrams = page.locator(".handbook-diagram")
        api.expect(diagrams).to_have_count(len(hb.severities))
        for diagram in diagrams.all():
            diagram.evaluate("(e) => e.scrollIntoView({block: 'center'})")
            api.expect(diagram.locator("svg")).to_have_count(1, timeout=TIMEOUT)
        for selector in SEVERITY_TABLES.values():
            _assert_fits(page, selector, "go-bag")


def test_on_a_wide_screen_the_severity_tables_stay_tables(built_site: Path) -> None:
    with serving(built_site) as url, browser_page(DESKTOP) as page:
        for path, selector in SEVERITY_TABLES.items():
            page.goto(url + path)
            header = page.locator(f"{selector} thead th").first
            header.wait_for(state="visible", timeout=TIMEOUT)
            row = page.locator(f"{selector} tbody tr").first
            assert row.evaluate("tr => getComputedStyle(tr).display") == "table-row"


# ---- Rendered fragments --------------------------------------------------------------------


def test_the_call_box_comes_first_after_an_incident_in_progress(
    handbook_model: Handbook,
) -> None:
    hb = handbook_model
    assert hb.incidents
    open_one = dataclasses.replace(hb.incidents[0], status="open")
    site = Site(hb.replace(incidents=(open_one, *hb.incidents[1:])), TODAY)
    out = render_home(site.page("index.md"))
    order = [
        out.index("handbook-active-incidents"),
        out.index("handbook-call-box"),
        out.index("handbook-severity-picker"),
    ]
    assert order == sorted(order)
    assert out.index("## 1. Call") < out.index("## 2. Pick a severity")


def _without_escalation(hb: Handbook) -> tuple[Handbook, Runbook]:
    runbook = dataclasses.replace(hb.runbooks[0], escalation=())
    return hb.replace(runbooks=(runbook, *hb.runbooks[1:])), runbook


def test_a_runbook_s_quick_reference_names_the_first_call_with_numbers(
    handbook: Handbook,
) -> None:
    site = Site(handbook, TODAY)
    for runbook in handbook.runbooks:
        out = render_runbook(site.page(f"runbooks/{runbook.id}.md"), runbook.id)
        quickref = out[: out.index("</table>")]
        assert "<th>First call:</th>" in quickref
        if runbook.escalation:
            for url in first_numbers(handbook, site, runbook.escalation[0]):
                assert f'href="{url}"' in quickref, runbook.id
    # Without an escalation of its own, the first call is the owner, with the owner's phone.
    changed, runbook = _without_escalation(handbook)
    site = Site(changed, TODAY)
    out = render_runbook(site.page(f"runbooks/{runbook.id}.md"), runbook.id)
    quickref = out[: out.index("</table>")]
    kind, _ = changed.owner(runbook.owner)
    owner = ContactRef(team=runbook.owner) if kind == "teams" else ContactRef(person=runbook.owner)
    numbers = first_numbers(changed, site, owner)
    assert numbers
    assert "the owner" in quickref
    assert all(f'href="{url}"' in quickref for url in numbers)


@pytest.mark.parametrize(
    ("kind", "label", "expected"),
    [
        ("phone", "Mobile", "Phone · Mobile: "),
        ("email", None, "Email: "),
        ("chat", "Private chat handle", "Chat · Private chat handle: "),
        ("pager", "SecOps on-call pager", "Pager · SecOps on-call pager: "),
        ("url", None, "Link: "),
    ],
)
def test_a_channel_says_its_kind_as_people_say_it(
    kind: str, label: str | None, expected: str
) -> None:
    value = {
        "phone": "+1 201 555 0101",
        "email": "a@example.org",
        "url": "https://example.org/security",
    }.get(kind, "harbor-secops-primary")
    channel = ContactChannel(type=kind, value=value, visibility="internal", label=label)
    text = re.sub(r"<[^>]+>", "", channel_html(channel))
    assert text.startswith(expected), text
    assert CHANNEL_WORDS[kind] in text


def test_the_contacts_page_shows_channel_kinds_as_words(built_site: Path) -> None:
    page = (built_site / "contacts/index.html").read_text(encoding="utf-8")
    kinds = re.findall(r'<span class="handbook-channel-kind">([^<]*)</span>', page)
    assert set(kinds) == set(CHANNEL_WORDS.values())
    text = re.sub(r"<[^>]+>", "", page)
    assert "Pager · SecOps on-call pager" in text
    # The raw kind never opens a channel ("pager SecOps on-call pager ...").
    assert not re.search(r'handbook-channel-\w+">(phone|email|chat|pager|url) ', page)


# ---- Search snippets -----------------------------------------------------------------------

# A label run into its value (``OwnerSmart Contracts``), the way the search index read
# table cells and definition lists before they were separated.
_RUN_IN = re.compile(
    r"(Typical severity|Owner|First call|Last reviewed|Last drilled|Tags|When|Impact|Verify"
    r"|Escalation|Updates|Respond within)[A-Z0-9]"
)


def test_search_snippets_separate_labels_values_and_cells(
    built_site: Path, handbook_model: Handbook
) -> None:
    hb = handbook_model
    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    docs = {doc["location"]: doc for doc in index["docs"]}
    for runbook in hb.runbooks:
        severity = hb.get("severities", runbook.severity)
        owner = hb.owner(runbook.owner)[1].name
        kind, target = runbook.escalation[0].target
        first = hb.get(kind, target).name
        text = docs[f"runbooks/{runbook.id}/"]["text"]
        assert text.startswith(
            f"Typical severity: {severity.id} {severity.name} Owner: {owner} First call: {first}"
        ), text[:200]
    run_in = [
        (doc["location"], m.group(0))
        for doc in index["docs"]
        for m in _RUN_IN.finditer(doc["text"])
    ]
    assert run_in == []
    picker = docs["#2-pick-a-severity"]["text"]
    top = hb.severities[0]
    assert picker.startswith(f"Severity When Respond within Escalation {top.id} {top.name} ")


# ---- On paper ------------------------------------------------------------------------------


def test_a_printed_runbook_has_its_first_call_s_numbers_on_its_first_page(
    handbook_model: Handbook, tmp_path: Path
) -> None:
    hb = handbook_model
    site = Site(hb, TODAY)
    ids = [r.id for r in hb.runbooks]
    write_pdfs(site, read_sources(REPO / "mkdocs.yml"), tmp_path, runbook_ids=ids)
    pdftotext = tool("pdftotext")
    for runbook in hb.runbooks:
        pdf = tmp_path / pdf_name("runbooks", runbook.id)
        completed = subprocess.run(
            [pdftotext, "-f", "1", "-l", "1", "-enc", "UTF-8", str(pdf), "-"],
            capture_output=True, text=True, check=True, timeout=120,
        )  # fmt: skip
        page_one = " ".join(completed.stdout.split())
        assert "First call:" in page_one, runbook.id
        step = runbook.escalation[0]
        numbers = [display(url.removeprefix("tel:")) for url in first_numbers(hb, site, step)]
        assert numbers, runbook.id
        for number in numbers:
            assert number in page_one, (runbook.id, number)
