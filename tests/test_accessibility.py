"""Accessibility, WCAG 2.2 AA: axe-core over one page of each kind, and keyboard-only use.

The shipped site (``built_site`` in conftest.py) is served on 127.0.0.1 and opened in
Debian's Chromium through Playwright, one browser for the module. axe-core is the
``axe.min.js`` that the axe-playwright-python package ships (a test extra, pinned in
requirements.lock), so the test needs no network. Every page kind, and the go-bag, is
checked in the light and the dark colour scheme: no violation of impact serious or critical
is allowed, and no rule is turned off.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from handbook.model import Handbook
from handbook.site import OFFLINE_PAGE
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, playwright_api, serving
from tests.test_site import search_word

TIMEOUT = 30_000  # ms, for anything the browser waits for
SCHEMES = ("light", "dark")
PALETTE = {"light": "default", "dark": "slate"}  # Material's scheme for each (mkdocs.yml)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")

# One page of each kind: the hand-written pages, each kind's index, one record's page of
# every kind that has them (the first record, from the shipped data), and the go-bag.
PAGES = {
    "home": "",
    "severities": "severities/",
    "escalation": "escalation/",
    "contacts": "contacts/",
    "runbooks": "runbooks/",
    "a runbook": "runbooks",
    "roles": "roles/",
    "a role": "roles",
    "dependencies": "dependencies/",
    "a dependency": "dependencies",
    "interventions": "interventions/",
    "an intervention": "interventions",
    "signals": "signals/",
    "risks": "risks/",
    "a risk": "risks",
    "incidents": "incidents/",
    "an incident": "incidents",
    "action items": "action-items/",
    "exercises": "exercises/",
    "communications": "communications/",
    "policy": "policy/",
    "templates": "templates/",
    "review": "review/",
    "document control": "document-control/",
    "tags": "tags/",
    "go-bag": OFFLINE_PAGE,
}

# axe.run over the whole document: the WCAG 2.0 to 2.2 A and AA rules, violations only.
RUN_AXE = """async (tags) => {
  const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
  const results = await axe.run(document, options);
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.map(String).join(" >>> ")),
  }));
}"""
# Until every Mermaid diagram is drawn, the page is still changing under axe.
DIAGRAMS_DRAWN = (
    "!document.querySelector('pre.mermaid, pre.handbook-mermaid:not([data-processed])')"
)
# Where the keyboard is, and whether a person can see it: an outline or a shadow on the
# element, or on the label after it (Material's palette switch draws it there), or the
# search dialog that opens when its field takes the focus.
FOCUSED = """() => {
  const element = document.activeElement;
  const shows = (e) => {
    const style = getComputedStyle(e);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return outline || style.boxShadow !== "none";
  };
  const dialog = document.querySelector("#__search");
  const search = element.matches(".md-search__input") && dialog.checked;
  const next = element.nextElementSibling;
  const labelled = next !== null && next.matches("label") && shows(next);
  return {
    tag: element.tagName.toLowerCase(),
    type: element.getAttribute("type") || "",
    href: element.getAttribute("href") || "",
    name: element.getAttribute("aria-label") || (element.textContent || "").trim().slice(0, 60),
    content: element.closest(".md-content") !== null,
    heatmap: element.closest("svg.handbook-heatmap") !== null,
    width: element.getBoundingClientRect().width,
    height: element.getBoundingClientRect().height,
    visible: shows(element) || labelled || search,
  };
}"""


def axe_script() -> Path:
    """axe-core as the axe-playwright-python package ships it; failing when it is absent."""
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail(
            "axe-playwright-python is missing: pip install -c requirements.lock -e '.[test]'"
        )
    script = Path(next(iter(spec.submodule_search_locations))) / "axe.min.js"
    assert script.is_file(), f"axe-playwright-python ships no {script.name}"
    # 4.10 or later: the WCAG 2.2 rules (target-size) and today's colour-contrast checks.
    with script.open(encoding="utf-8") as opened:
        version = re.match(r"/\*! axe v(\d+)\.(\d+)\.", opened.read(64))
    assert version, f"{script} does not start with axe-core's banner"
    assert (int(version[1]), int(version[2])) >= (4, 10), f"axe-core {version[0]} is too old"
    return script


def page_path(name: str, hb: Handbook) -> str:
    """The site path of the page ``name`` of PAGES: a record kind gives its first record."""
    target = PAGES[name]
    if target.endswith("/") or target in ("", OFFLINE_PAGE):
        return target
    records = getattr(hb, target)
    assert records, f"the shipped handbook has no {target}"
    return f"{target}/{records[0].id}/"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for the module (fails, never skips, when it is missing)."""
    api = playwright_api()
    with api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def served(built_site: Path) -> Iterator[str]:
    with serving(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def tabs(browser: Any) -> Iterator[dict[str, Any]]:
    """A tab per colour scheme, each reused for every page checked in it."""
    contexts = {
        scheme: browser.new_context(color_scheme=scheme, service_workers="block")
        for scheme in SCHEMES
    }
    try:
        yield {scheme: context.new_page() for scheme, context in contexts.items()}
    finally:
        for context in contexts.values():
            context.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    """A fresh light tab, for a test that types and clicks."""
    context = browser.new_context(color_scheme="light", service_workers="block")
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_no_page_has_a_serious_or_critical_axe_violation(
    tabs: dict[str, Any], served: str, built_site: Path, handbook_model: Handbook, name: str
) -> None:
    path = page_path(name, handbook_model)
    assert (built_site / (path or "index.html")).exists(), f"the build wrote no {path}"
    axe = str(axe_script())
    report = []
    for scheme, page in tabs.items():
        page.goto(served + path)
        if path == OFFLINE_PAGE:  # the go-bag draws a diagram as it nears the screen
            for diagram in page.locator(".handbook-diagram").all():
                diagram.evaluate("(e) => e.scrollIntoView({block: 'center'})")
                diagram.locator("svg").wait_for(timeout=TIMEOUT)
        page.wait_for_function(DIAGRAMS_DRAWN, timeout=TIMEOUT)
        # The scheme is really the one checked: the browser says so, and Material's palette
        # follows it on the site's pages (the go-bag has one palette, for paper and screen).
        dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        assert dark == (scheme == "dark")
        if path != OFFLINE_PAGE:
            palette = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
            assert palette == PALETTE[scheme], f"/{path} ({scheme}): Material's {palette!r}"
        page.add_script_tag(path=axe)
        violations = page.evaluate(RUN_AXE, AXE_TAGS)
        report += [
            f"/{path} ({scheme}): {v['id']} [{v['impact']}] {v['help']}, "
            f"{len(v['targets'])} element(s): " + "; ".join(v["targets"][:3])
            for v in violations
            if v["impact"] in BLOCKING
        ]
    assert not report, "axe-core found serious or critical violations:\n" + "\n".join(report)


def tab_stops(page: Any, limit: int = 400) -> list[dict[str, Any]]:
    """Press Tab from where the page is until the focus comes round again: every stop."""
    stops: list[dict[str, Any]] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if not stop["visible"]:  # Material opens the search a moment after its field is focused
            page.wait_for_timeout(250)
            stop = page.evaluate(FOCUSED)
        if stop["tag"] == "body" or (stops and stop == stops[0]):
            return stops
        stops.append(stop)
    pytest.fail(f"the Tab order did not come round after {limit} stops")


def test_the_skip_link_comes_first_and_leads_to_the_content(
    tab: Any, served: str, handbook_model: Handbook
) -> None:
    api = playwright_api()
    tab.goto(served + page_path("a runbook", handbook_model))
    tab.keyboard.press("Tab")
    skip = tab.locator("a.md-skip")
    api.expect(skip).to_be_focused()
    api.expect(skip).to_have_css("opacity", "1", timeout=TIMEOUT)  # shown while focused
    tab.keyboard.press("Enter")
    # The jump is a navigation to #…: let it land before the next Tab (slow on a busy CI).
    tab.wait_for_function("() => location.hash.length > 1", timeout=TIMEOUT)
    tab.wait_for_load_state()
    tab.keyboard.press("Tab")
    stop = tab.evaluate(FOCUSED)
    assert stop["content"], f"after the skip link, Tab went to {stop}, outside the content"


def test_the_search_works_from_the_keyboard(
    tab: Any, served: str, built_site: Path, handbook_model: Handbook
) -> None:
    api = playwright_api()
    word, runbook_id = search_word(built_site, handbook_model)
    tab.goto(served)
    for _ in range(10):  # the skip link, the logo, the palette switch, then the search
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.matches('input.md-search__input')"):
            break
    else:
        pytest.fail("ten presses of Tab did not reach the search field")
    tab.keyboard.type(word, delay=30)
    hit = tab.locator(f"a.md-search-result__link[href*='/runbooks/{runbook_id}/']")
    api.expect(hit.first).to_be_visible(timeout=TIMEOUT)
    for _ in range(20):  # down the results to the runbook's
        tab.keyboard.press("ArrowDown")
        stop = tab.evaluate(FOCUSED)
        assert stop["visible"], f"a focused search result shows no focus: {stop}"
        if f"/runbooks/{runbook_id}/" in stop["href"]:
            break
    else:
        pytest.fail(f"the arrow keys did not reach the result for {runbook_id}")
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(rf"/runbooks/{re.escape(runbook_id)}/"), timeout=TIMEOUT)


@pytest.mark.parametrize("name", ["a runbook", "risks"])
def test_every_tab_stop_shows_the_focus(
    tab: Any, served: str, handbook_model: Handbook, name: str
) -> None:
    tab.goto(served + page_path(name, handbook_model))
    stops = tab_stops(tab)
    assert len(stops) > 20
    hidden = [s for s in stops if not s["visible"]]
    assert hidden == [], f"{len(hidden)} stop(s) show no focus, e.g. {hidden[:3]}"
    if name == "risks":
        # Every risk on the heat map is a stop of its own, named, and 24 x 24 px or more.
        dots = [s for s in stops if s["heatmap"]]
        rated = [r for r in handbook_model.risks if r.likelihood and r.impact]
        assert len(dots) >= len(rated)  # the register's map, and maps of earlier versions
        assert {d["name"].split(": likelihood")[0] for d in dots} == {r.title for r in rated}
        small = [d for d in dots if d["width"] < 24 or d["height"] < 24]
        assert small == [], f"heat-map targets under 24 x 24 px: {small[:3]}"
    else:
        assert any(s["type"] == "checkbox" for s in stops), "no tick box takes the focus"


def test_a_tick_box_takes_the_focus_and_toggles_with_space(
    tab: Any, served: str, handbook_model: Handbook
) -> None:
    api = playwright_api()
    tab.goto(served + page_path("a runbook", handbook_model))
    box = tab.locator(".md-content .task-list-control input[type='checkbox']").first
    api.expect(box).not_to_be_checked()
    for _ in range(400):
        tab.keyboard.press("Tab")
        if box.evaluate("e => e === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the runbook's first tick box")
    outline = box.evaluate(
        "e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]"
    )
    assert outline[0] != "none" and float(outline[1].removesuffix("px")) >= 2, outline
    tab.keyboard.press("Space")
    api.expect(box).to_be_checked()
    tab.keyboard.press("Space")
    api.expect(box).not_to_be_checked()
