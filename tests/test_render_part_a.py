"""Golden and behaviour tests for the policy, dependency, intervention, signal, risk,
review, communication and incident-template renderers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from handbook import clocks
from handbook.model import ContactChannel, Handbook, VendorContact
from handbook.render import (
    communications,
    dependencies,
    incident_templates,
    interventions,
    policy,
    review,
    risks,
    signals,
)
from handbook.site import Context, Site
from tests.conftest import TODAY, as_site_html, assert_golden

HOSTILE = (
    "<script>alert(1)</script> [click](javascript:alert(1)) "
    "<a href='javascript:alert(2)'>x</a> {{ 1 + 1 }} {: onclick=x}"
)


PAGE_FRAGMENTS: list[tuple[str, str, Callable[[Context], str]]] = [
    ("policy-principles.html", "policy.md", policy.render_principles),
    ("policy-process.html", "policy.md", policy.render_process),
    ("policy-communication.html", "policy.md", policy.render_communication_guidelines),
    ("document-control.html", "document-control.md", policy.render_document_control),
    ("dependencies.html", "dependencies.md", dependencies.render_dependencies),
    ("interventions.html", "interventions.md", interventions.render_interventions),
    ("intervention-matrix.html", "interventions.md", interventions.render_intervention_matrix),
    ("signals.html", "signals.md", signals.render_signals),
    ("risks.html", "risks.md", risks.render_risks),
    ("risk-heatmap.html", "risks.md", risks.render_risk_heatmap),
    ("review-status.html", "review.md", review.render_review_status),
    ("communications.html", "communications.md", communications.render_communications),
    ("incident-templates.html", "templates.md", incident_templates.render_incident_templates),
]


@pytest.mark.parametrize(("name", "page", "render"), PAGE_FRAGMENTS)
def test_page_fragments_match_golden(
    site: Site, name: str, page: str, render: Callable[[Context], str]
) -> None:
    assert_golden(name, render(site.page(page)))


@pytest.mark.parametrize(
    ("name", "kind", "record_id", "render"),
    [
        ("dependency.html", "dependencies", "rpc-provider", dependencies.render_dependency),
        ("intervention.html", "interventions", "pause-pool", interventions.render_intervention),
        ("risk.html", "risks", "oracle-manipulation", risks.render_risk),
    ],
)
def test_record_pages_match_golden(
    site: Site, name: str, kind: str, record_id: str, render: Callable[[Context, str], str]
) -> None:
    assert_golden(name, render(site.page(f"{kind}/{record_id}.md"), record_id))


def test_downloads_match_golden(handbook: Handbook) -> None:
    assert set(incident_templates.DOWNLOADS) == {
        "downloads/incident-log-template.md",
        "downloads/post-mortem-template.md",
    }
    for path, render in incident_templates.DOWNLOADS.items():
        assert_golden(path.rsplit("/", 1)[1], render(handbook))


def test_output_is_deterministic(site: Site) -> None:
    for _, page, render in PAGE_FRAGMENTS:
        assert render(site.page(page)) == render(site.page(page))


# --- hostile text ------------------------------------------------------------------


class _Markup(HTMLParser):
    """Collects every tag, attribute and text node of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_inert(fragment: str) -> None:
    """The fragment, rendered the way MkDocs renders a page, holds no hostile markup."""
    page = as_site_html("# Page\n\n" + fragment)
    found = _Markup()
    found.feed(page)
    assert "script" not in found.tags
    assert not [name for name, _ in found.attributes if name.lower().startswith("on")]
    assert not [
        value
        for name, value in found.attributes
        if name in ("href", "src") and value.strip().lower().startswith("javascript:")
    ]
    text = "".join(found.text)
    assert "{{ 1 + 1 }}" in text  # shown as text, not evaluated nor dropped
    assert "{: onclick=x}" in text  # attr_list did not turn it into an attribute


@pytest.fixture(scope="module")
def hostile(handbook: Handbook) -> Site:
    def swap(records: tuple, record_id: str, **changes: str) -> tuple:
        return tuple(dataclasses.replace(r, **changes) if r.id == record_id else r for r in records)

    tampered = handbook.replace(
        dependencies=swap(handbook.dependencies, "rpc-provider", description=HOSTILE),
        risks=swap(handbook.risks, "oracle-manipulation", title=HOSTILE),
        signals=swap(handbook.signals, "drain-detected", condition=HOSTILE),
        communications=swap(handbook.communications, "internal-update", template=HOSTILE),
    )
    return Site(tampered, TODAY)


@pytest.mark.parametrize(
    "render",
    [
        lambda s: dependencies.render_dependency(
            s.page("dependencies/rpc-provider.md"), "rpc-provider"
        ),
        lambda s: risks.render_risk(s.page("risks/oracle-manipulation.md"), "oracle-manipulation"),
        lambda s: risks.render_risks(s.page("risks.md")),
        lambda s: risks.render_risk_heatmap(s.page("risks.md")),
        lambda s: review.render_review_status(s.page("review.md")),
        lambda s: signals.render_signals(s.page("signals.md")),
        lambda s: communications.render_communications(s.page("communications.md")),
    ],
    ids=[
        "dependency",
        "risk",
        "risks",
        "heatmap",
        "review",
        "signals",
        "communications",
    ],
)
def test_hostile_text_never_becomes_markup(hostile: Site, render: Callable[[Site], str]) -> None:
    out = render(hostile)
    assert "<script" not in out
    assert_inert(out)


def test_hostile_risk_title_keeps_the_heat_map_valid_xml(hostile: Site) -> None:
    svg = _svg(risks.render_risk_heatmap(hostile.page("risks.md")))
    titles = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    assert HOSTILE in titles  # the dot's tooltip: escaped in the source, intact as text


def test_communication_template_keeps_slots_visible(site: Site) -> None:
    out = communications.render_communications(site.page("communications.md"))
    assert '<span class="handbook-slot">{status}</span>' in out
    assert 'id="communication-internal-update"' in out
    assert 'id="communication-public-status"' in out


# --- audience ----------------------------------------------------------------------


def test_public_dependency_page_hides_internal_phone_numbers(handbook: Handbook) -> None:
    contact = VendorContact(
        name="Vendor on-call",
        purpose="escalation",
        channels=(
            ContactChannel(type="phone", value="+12015550199", visibility="internal"),
            ContactChannel(type="email", value="oncall@example.org", visibility="public"),
        ),
    )
    dependency = handbook.get("dependencies", "rpc-provider")
    changed = dataclasses.replace(dependency, contacts=(*dependency.contacts, contact))
    tampered = handbook.replace(
        dependencies=tuple(changed if d.id == changed.id else d for d in handbook.dependencies),
    )
    src = "dependencies/rpc-provider.md"
    internal = dependencies.render_dependency(Site(tampered, TODAY).page(src), "rpc-provider")
    public = dependencies.render_dependency(
        Site(tampered, TODAY, audience="public").page(src), "rpc-provider"
    )
    assert 'href="tel:+12015550199">+1 201-555-0199</a>' in internal
    assert "555-0199" not in public and "+12015550199" not in public
    assert "support@example.org" not in public  # an internal vendor email
    assert 'href="mailto:oncall@example.org"' in public


# --- record pages and tables -------------------------------------------------------


def test_dependency_page_lists_runbooks_using_it_and_next_verification(site: Site) -> None:
    out = dependencies.render_dependency(
        site.page("dependencies/cloud-hosting.md"), "cloud-hosting"
    )
    assert out.startswith("# Cloud hosting\n")
    assert 'href="../../runbooks/api-outage/"' in out
    # last verified 2026-09-20 + its own 120 days
    assert "next verification by 2027-01-18" in out
    assert out.count('type="checkbox"') == 1  # the one step to enter the degraded mode


def test_dependency_exposure_is_sorted_by_criticality(site: Site) -> None:
    out = dependencies.render_dependencies(site.page("dependencies.md"))
    assert out.index("RPC provider") < out.index("Cloud hosting")  # critical before high


def test_intervention_page_shows_authority_quorum_and_holders(site: Site) -> None:
    out = interventions.render_intervention(site.page("interventions/pause-pool.md"), "pause-pool")
    assert "2 of 2" in out
    assert 'href="../../roles/decision-maker/"' in out
    assert "Ben Okoro" in out and "Carla Diaz" in out
    assert 'href="../../signals/#signal-drain-detected"' in out
    assert "<td>yes</td>" in out


def test_intervention_matrix_marks_each_trigger(site: Site, handbook: Handbook) -> None:
    out = interventions.render_intervention_matrix(site.page("interventions.md"))
    assert out.count("●") == sum(len(i.signals) for i in handbook.interventions)
    assert out.count('<th scope="row">') == len(
        {s for i in handbook.interventions for s in i.signals}
    )


def test_signals_have_anchors_and_p1_comes_first(site: Site, handbook: Handbook) -> None:
    out = signals.render_signals(site.page("signals.md"))
    for s in handbook.signals:
        assert f'id="signal-{s.id}"' in out
    assert out.index("## P1") < out.index("## P2") < out.index("## P4")
    assert "## P3" not in out  # no empty groups


def test_risks_are_sorted_by_score(site: Site) -> None:
    out = risks.render_risks(site.page("risks.md"))
    assert out.index("Oracle price manipulation") < out.index("Single cloud region")


def test_heat_map_is_valid_svg_with_25_cells(site: Site, handbook: Handbook) -> None:
    svg = _svg(risks.render_risk_heatmap(site.page("risks.md")))
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.get("role") == "group"  # not "img": it holds links (axe nested-interactive)
    assert svg.get("aria-label")
    assert svg.get("viewBox")
    cells = [r for r in svg.iter(f"{ns}rect") if r.get("class") == "handbook-heat-cell"]
    assert len(cells) == 25
    counts = [
        int(t.text or "0")
        for t in svg.iter(f"{ns}text")
        if "handbook-heat-count" in (t.get("class") or "")
    ]
    assert len(counts) == 25 and sum(counts) == len(handbook.risks)
    hrefs = {a.get("href") for a in svg.iter(f"{ns}a")}
    assert hrefs == {f"{r.id}/" for r in handbook.risks}
    # Each link is named by its risk and rating: the dots are reachable and say what they are.
    names = {a.get("aria-label") for a in svg.iter(f"{ns}a")}
    assert names == {
        f"{r.title}: likelihood {r.likelihood} \u00d7 impact {r.impact} = "
        f"{r.likelihood * r.impact} ({risks.band(r.likelihood * r.impact)[0]})"
        for r in handbook.risks
        if r.likelihood is not None and r.impact is not None
    }


def _svg(fragment: str) -> ET.Element:
    match = re.search(r"<svg.*</svg>", fragment, re.DOTALL)
    assert match is not None
    return ET.fromstring(match.group(0))


# --- review clocks -----------------------------------------------------------------


def test_review_clocks_use_own_interval_or_the_default(handbook: Handbook) -> None:
    found = {(c.kind, c.id): c for c in clocks.review_clocks(handbook)}
    assert len(found) == sum(
        len(getattr(handbook, k)) for k in ("runbooks", "dependencies", "interventions", "risks")
    )
    assert found[("dependencies", "cloud-hosting")].interval_days == 120
    assert found[("dependencies", "rpc-provider")].interval_days == 180  # the default
    assert found[("dependencies", "rpc-provider")].due == dt.date(2027, 4, 8)
    dues = [c.due for c in clocks.review_clocks(handbook)]
    assert dues == sorted(dues)


def test_review_status_marks_overdue_and_due_soon(handbook: Handbook) -> None:
    now = review.render_review_status(Site(handbook, TODAY).page("review.md"))
    assert "handbook-due-soon" in now  # the API outage runbook, due 2026-12-14
    assert "handbook-overdue" not in now
    later = review.render_review_status(Site(handbook, dt.date(2035, 1, 1)).page("review.md"))
    assert later.count("handbook-overdue") == len(clocks.review_clocks(handbook))
    assert 'href="../runbooks/api-outage/"' in later


# --- policy ------------------------------------------------------------------------


def test_process_steps_are_in_order_with_role_checklists(site: Site, handbook: Handbook) -> None:
    out = policy.render_process(site.page("policy.md"))
    titles = [s.title for s in sorted(handbook.policy.process, key=lambda s: s.order)]
    positions = [out.index(f". {t}\n") for t in titles]
    assert positions == sorted(positions)
    assert "(for the <a" in out  # the role-specific checklist names its role
    assert '<ol class="task-list handbook-checklist">' in out  # the ordered checklist
    assert "Only for <a" in out and "severity-p1" in out  # the P1-only note


def test_document_control_newest_first_and_next_review(handbook: Handbook) -> None:
    versions = (
        *handbook.policy.document_control.versions,
        dataclasses.replace(
            handbook.policy.document_control.versions[0],
            version="1.1",
            date=dt.date(2026, 11, 1),
            changes="Second version.",
        ),
    )
    control = dataclasses.replace(handbook.policy.document_control, versions=versions)
    tampered = handbook.replace(
        policy=dataclasses.replace(handbook.policy, document_control=control)
    )
    out = policy.render_document_control(Site(tampered, TODAY).page("document-control.md"))
    assert out.index("Second version.") < out.index("First version.")
    assert "2027-11-01" in out  # 2026-11-01 + 365 days
    assert 'href="../contacts/#person-ben-okoro"' in out


# --- incident templates ------------------------------------------------------------


def test_incident_log_names_every_role_and_severity(handbook: Handbook) -> None:
    log = incident_templates.incident_log_markdown(handbook)
    for role in handbook.roles:
        assert f"| {role.name} |" in log
    for severity in handbook.severities:
        assert f"**{severity.id} {severity.name}**" in log
        assert f"| {severity.id} {severity.name} | {severity.update_cadence} |" in log
    assert "UTC" in log


def test_postmortem_has_action_items_and_the_review_checklist(handbook: Handbook) -> None:
    text = incident_templates.postmortem_markdown(handbook)
    assert "| Action | Owner | Deadline | Status |" in text
    last = max(handbook.policy.process, key=lambda s: s.order)
    for checklist in last.checklists:
        for item in checklist.items:
            assert f"- [ ] {item}" in text


def test_incident_templates_page_links_downloads(site: Site) -> None:
    out = incident_templates.render_incident_templates(site.page("templates.md"))
    assert 'href="../downloads/incident-log-template.md"' in out
    assert 'href="../downloads/post-mortem-template.md"' in out
    assert out.count("<pre") == 2
