"""Golden and behaviour tests for the home, severity, escalation, runbook and role renderers."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from handbook.model import Handbook
from handbook.render.common import callees
from handbook.render.home import render_home
from handbook.render.roles import render_contacts, render_role, render_roles
from handbook.render.runbooks import render_runbook, render_runbook_index
from handbook.render.severities import render_escalations, render_severity_matrix
from handbook.site import Site
from tests.conftest import TODAY, as_site_html, assert_golden


@pytest.mark.parametrize(
    ("name", "page", "render"),
    [
        ("home.html", "index.md", render_home),
        ("severity-matrix.html", "severities.md", render_severity_matrix),
        ("escalations.html", "escalation.md", render_escalations),
        ("runbook-index.html", "runbooks.md", render_runbook_index),
        ("roles.html", "roles.md", render_roles),
        ("contacts.html", "contacts.md", render_contacts),
    ],
)
def test_page_fragments_match_golden(site: Site, name: str, page: str, render) -> None:
    assert_golden(name, render(site.page(page)))


def test_record_pages_match_golden(site: Site) -> None:
    runbook = site.handbook.runbooks[0]
    assert_golden(
        "runbook.html", render_runbook(site.page(f"runbooks/{runbook.id}.md"), runbook.id)
    )
    assert_golden("role.html", render_role(site.page("roles/scribe.md"), "scribe"))


def test_runbook_page_has_owner_steps_in_order_and_tick_boxes(site: Site) -> None:
    runbook = site.handbook.runbooks[0]
    out = render_runbook(site.page(f"runbooks/{runbook.id}.md"), runbook.id)
    _, owner = site.handbook.owner(runbook.owner)
    assert owner.name in out
    positions = [
        out.index(action.text.replace("'", "&#x27;").replace('"', "&quot;"))
        for action in runbook.immediate_actions
    ]
    assert positions == sorted(positions)
    assert out.count('type="checkbox"') >= len(runbook.immediate_actions)


def test_home_shows_the_first_p1_phone_as_a_tel_link(site: Site) -> None:
    out = render_home(site.page("index.md"))
    ctx = site.page("index.md")
    first = callees(ctx, site.handbook.severities[0].escalation[0])
    numbers = [
        c.value
        for kind, record_id in first
        for c in site.handbook.get(kind, record_id).contacts
        if c.type == "phone"
    ]
    assert numbers
    assert f'href="tel:{numbers[0]}"' in out


def test_public_audience_hides_internal_channels(handbook: Handbook) -> None:
    public = Site(handbook, TODAY, audience="public")
    internal = [c.value for p in handbook.people for c in p.contacts if c.visibility == "internal"]
    internal += [c.value for t in handbook.teams for c in t.contacts if c.visibility == "internal"]
    assert internal
    for render, page in (
        (render_home, "index.md"),
        (render_contacts, "contacts.md"),
        (render_roles, "roles.md"),
        (render_escalations, "escalation.md"),
    ):
        out = render(public.page(page))
        assert [v for v in internal if v in out] == []


def test_data_text_never_becomes_markup(handbook: Handbook) -> None:
    hostile = "<script>alert(1)</script> [x](javascript:alert(1)) {: onclick=x} {{ 7 * 7 }}"
    runbook = dataclasses.replace(
        handbook.runbooks[0], title=hostile, summary=hostile, symptoms=(hostile,)
    )
    changed = handbook.replace(runbooks=(runbook, *handbook.runbooks[1:]))
    site = Site(changed, TODAY)
    fragment = render_runbook(site.page(f"runbooks/{runbook.id}.md"), runbook.id)
    # What the site's Markdown makes of the fragment, with the extensions mkdocs.yml enables.
    page = as_site_html(fragment)
    assert "<script" not in page
    assert 'href="javascript' not in page
    assert not re.search(r"<[^>]*\sonclick=", page)
    # Title, summary and symptom, all literal (the title's braces as character references,
    # so that no template engine reading the page's Markdown finds a delimiter).
    assert html.unescape(page).count("{{ 7 * 7 }}") == 3
    assert "{{" not in page.split("</h1>")[0]
