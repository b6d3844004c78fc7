"""Audiences: what the public view leaves out, and what the leak scan finds in a site."""

from __future__ import annotations

import dataclasses
import gzip
import html
import json
import shutil
import sys
from pathlib import Path

import pytest

from handbook.audience import internal_values, is_public, leaks_in_public_build, public_view
from handbook.leaks import Secret, scan, scan_text
from handbook.model import Handbook
from handbook.pages import downloads, record_pages
from handbook.pipeline import Project, validate
from handbook.render import catalogue
from handbook.site import Site
from tests.conftest import CASES, TODAY, make_project, tool

PHONE = "+15550100101"  # ana-silva's internal phone in the base fixture


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Handbook:
    """The base fixture with one of everything that can be internal marked internal."""
    project = make_project(
        tmp_path_factory.mktemp("mixed"), CASES / "valid/visibility-internal-items"
    )
    result = validate(Project.at(project), today=TODAY)
    assert result.handbook is not None, result.diagnostics
    return result.handbook


def test_the_public_view_leaves_out_every_internal_item(mixed: Handbook) -> None:
    view = public_view(mixed)
    assert "dev-patel" not in {p.id for p in view.people}
    assert all(is_public(c) for p in view.people for c in p.contacts)
    assert all(is_public(c) for t in view.teams for c in t.contacts)
    assert "rate-limit-api" not in {i.id for i in view.interventions}
    assert "single-cloud" not in {r.id for r in view.risks}
    api = view.get("runbooks", "api-outage")
    assert api.mitigations == ()
    assert "rate-limit-api" not in api.interventions
    rpc = view.get("dependencies", "rpc-provider")
    assert rpc.contacts == ()
    steps = view.get("severities", "P1").escalation
    assert [s.target for s in steps] == [("teams", "secops"), ("roles", "decision-maker")]
    for role in view.roles:
        assert "dev-patel" not in role.holders.primary + role.holders.backup


def test_the_public_view_keeps_everything_public_and_is_idempotent(mixed: Handbook) -> None:
    view = public_view(mixed)
    assert public_view(view) == view
    assert [r.id for r in view.runbooks] == [r.id for r in mixed.runbooks]
    assert [p.id for p in view.people] == [p.id for p in mixed.people if p.id != "dev-patel"]
    assert any(c.value == "ben@example.org" for p in view.people for c in p.contacts)


def test_a_public_site_only_ever_holds_the_public_view(mixed: Handbook) -> None:
    assert Site(mixed, TODAY, audience="public").handbook == public_view(mixed)
    assert Site(mixed, TODAY).handbook is mixed


def whole_site(site: Site) -> str:
    """Every page fragment, record page and download of a site, as one text."""
    parts = [
        render(site.page("index.md"))
        for name, render in catalogue.MACROS.items()
        if name != "escalation"
    ]
    parts += record_pages(site).values()
    parts += list(downloads(site).values())
    return "\n".join(parts)


def test_every_page_renders_publicly_without_an_internal_value(mixed: Handbook) -> None:
    secrets = internal_values(mixed)
    assert {s.value for s in secrets} >= {PHONE, "@dev.patel", "Dev Patel", "support@example.org"}
    public = whole_site(Site(mixed, TODAY, audience="public"))
    assert scan_text("site", public, html.unescape(public), secrets) == []
    internal = whole_site(Site(mixed, TODAY))
    found = {leak.secret.value for leak in scan_text("site", internal, internal, secrets)}
    assert PHONE in found and "Dev Patel" in found  # the internal build shows them


def test_internal_values_skip_what_is_also_public(handbook: Handbook) -> None:
    email = "security@example.org"  # a public channel of a team
    doubled = dataclasses.replace(
        handbook,
        people=tuple(
            dataclasses.replace(
                p,
                contacts=(
                    *p.contacts,
                    dataclasses.replace(p.contacts[0], type="email", value=email),
                ),
            )
            if p.id == "ana-silva"
            else p
            for p in handbook.people
        ),
    )
    values = {s.value: s.source for s in internal_values(doubled)}
    assert email not in values
    assert values[PHONE] == "people 'ana-silva'.contacts[0] (phone channel)"
    assert "Mobile" not in values  # one word: not a value to look for


@pytest.mark.parametrize(
    "written",
    [
        PHONE,
        "+1 555 010 0101",
        "+1 (555) 010-0101",
        "15550100101",
        "555-010-0101",
        "tel:%2B15550100101",
        "&#43;15550100101",
    ],
)
def test_the_scan_finds_a_phone_however_it_is_written(written: str) -> None:
    secret = Secret(PHONE, "people 'ana-silva'.contacts[0] (phone channel)")
    page = f"<p>Call {written} now.</p>"
    assert scan_text("a.html", page, html.unescape(page), [secret]) != []
    (leak,) = scan_text("a.html", page, html.unescape(page), [secret])
    assert PHONE not in leak.message and "'+155…'" in leak.message
    assert "people 'ana-silva'" in leak.message


def test_the_scan_leaves_other_numbers_alone() -> None:
    secret = Secret(PHONE, "x")
    page = "<p>Call +15550100102, or 5550100, or 2026-11-23.</p>"
    assert scan_text("a.html", page, page, [secret]) == []


@pytest.mark.parametrize("extractor", ["pdftotext", "pypdf"])
def test_the_scan_reads_escaped_names_json_gzip_and_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extractor: str
) -> None:
    if extractor == "pypdf":
        monkeypatch.setattr(shutil, "which", lambda name: None)
    else:
        tool("pdftotext")  # installed by .ci/install-system-packages: fail, never skip
    name = Secret("Inès O'Moreau", "people 'ines'")
    email = Secret("ines@example.org", "people 'ines'.contacts[1] (email channel)")
    (tmp_path / "a.html").write_text("<p>In&egrave;s O&#x27;Moreau</p>", encoding="utf-8")
    index = {"docs": [{"text": "Ines: ines@example.org", "title": "In\u00e8s  O'moreau"}]}
    (tmp_path / "search_index.json").write_text(json.dumps(index), encoding="utf-8")
    (tmp_path / "sitemap.xml.gz").write_bytes(
        gzip.compress(b"<loc>mailto:ines%40example.org</loc>")
    )
    (tmp_path / "image.png").write_bytes(b"\x89PNG\0ines@example.org")
    from weasyprint import HTML

    HTML(string="<p>Write to ines@example.org</p>").write_pdf(tmp_path / "card.pdf")
    leaks, unreadable = scan(tmp_path, [name, email])
    assert unreadable == []
    assert sorted((leak.file, leak.secret.value) for leak in leaks) == [
        ("a.html", name.value),
        ("card.pdf", email.value),
        ("search_index.json", name.value),
        ("search_index.json", email.value),
        ("sitemap.xml.gz", email.value),
    ]


def test_a_file_that_cannot_be_read_is_reported_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7 not really")
    (tmp_path / "broken.xml.gz").write_bytes(b"not gzip")
    leaks, unreadable = scan(tmp_path, [Secret("anything", "x")])
    assert leaks == []
    assert [line.split(":")[0] for line in unreadable] == ["broken.pdf", "broken.xml.gz"]


def test_a_pdf_with_no_extractor_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setitem(sys.modules, "pypdf", None)  # as if it were not installed
    (tmp_path / "card.pdf").write_bytes(b"%PDF-1.7")
    assert scan(tmp_path, [Secret("anything", "x")]) == (
        [],
        ["card.pdf: cannot be scanned: no PDF text extractor: install pdftotext or pypdf"],
    )


def test_leaks_in_public_build_names_file_record_and_a_redacted_value(
    handbook: Handbook, tmp_path: Path
) -> None:
    (tmp_path / "index.html").write_text(f"<a href='tel:{PHONE}'>call</a>", encoding="utf-8")
    (found,) = leaks_in_public_build(handbook, tmp_path)
    assert found == (
        "index.html: internal value of people 'ana-silva'.contacts[0] (phone channel) "
        "('+155…') is in the public build"
    )
