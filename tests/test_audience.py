"""Audiences: what the public view leaves out, what counts as internal, and the scan of a site.

The matcher and the file reader have their own tests (``tests/test_leaks.py``); the
``visibility`` rule's messages are in ``tests/cases/invalid/visibility-*``.
"""

from __future__ import annotations

import dataclasses
import gzip
import html
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from handbook.audience import (
    PublicLeak,
    audit,
    internal_values,
    is_public,
    leaks_in_public_build,
    public_view,
    write_scanned,
)
from handbook.leaks import Needles, Secret, scan
from handbook.load import load_data
from handbook.mentions import mentions
from handbook.model import Handbook
from handbook.pages import downloads, record_pages
from handbook.pipeline import Project, build_model, validate
from handbook.render import catalogue
from handbook.schemas import load_schemas
from handbook.site import Site
from tests.conftest import CASES, REPO, TODAY, make_project, tool

PHONE = "+12015550101"  # ana-silva's internal phone in the base fixture, as the model holds it


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
    needles = Needles(secrets)
    public = whole_site(Site(mixed, TODAY, audience="public"))
    assert needles.find(prose=html.unescape(public)) == []
    internal = whole_site(Site(mixed, TODAY))
    found = {s.value for s in needles.find(prose=html.unescape(internal))}
    assert PHONE in found and "Dev Patel" in found  # the internal build shows them


def test_what_counts_as_an_internal_value(mixed: Handbook) -> None:
    values = {s.value: s for s in internal_values(mixed)}
    # Names and titles of internal items, whatever their length, matched word by word.
    for name in ("Dev Patel", "Vendor support", "Roll back the last deployment"):
        assert values[name].words, name
    assert values["Rate-limit the API"].source == "interventions 'rate-limit-api'.title"
    assert values["Single cloud region"].source == "risks 'single-cloud'.title"
    # Channel values, matched with their punctuation.
    assert not values["@dev.patel"].words
    assert values[PHONE].source == "people 'ana-silva'.contacts[0] (phone channel)"
    # Sentences of internal items, from three words.
    assert "Run the rollback job." in values and "Only for the war room." in values
    # Not ids, states, durations, labels or texts shorter than three words.
    for other in ("dev-patel", "rollback", "rate-limit-api", "accepted", "1d", "Mobile", "Low."):
        assert other not in values, other


def test_a_mention_in_public_text_is_no_exemption(mixed: Handbook) -> None:
    mentioned = mixed.replace(
        runbooks=tuple(
            dataclasses.replace(r, symptoms=(*r.symptoms, "Wake Dev Patel, who keeps the key."))
            for r in mixed.runbooks
        ),
    )
    assert "Dev Patel" in {s.value for s in internal_values(mentioned)}


def test_a_value_public_in_its_own_right_is_not_internal(handbook: Handbook) -> None:
    email = "security@example.org"  # a public channel of a team
    doubled = handbook.replace(
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


def test_the_audit_keeps_every_public_string_and_only_those(mixed: Handbook) -> None:
    found = audit(mixed)
    texts = set(found.texts)
    assert texts == {leaf.text for leaf in found.public()}
    assert "Ana Silva" in texts and "ben@example.org" in texts
    assert "Dev Patel" not in texts and "Roll back the last deployment" not in texts
    assert PHONE not in texts  # ana-silva is public, her phone channel is not


def test_the_rule_reports_a_mention_where_it_is_written(tmp_path: Path) -> None:
    project = make_project(tmp_path, CASES / "valid/visibility-internal-items")
    runbook = project / "data/runbooks/api-outage.yml"
    text = runbook.read_text(encoding="utf-8")
    symptom = "  - API error rate above 5%.\n"
    runbook.write_text(text.replace(symptom, f"{symptom}  - Ask Dev.\n"), encoding="utf-8")
    people = project / "data/people.yml"
    people.write_text(
        people.read_text(encoding="utf-8").replace("name: Dev Patel", "name: Dev"), "utf-8"
    )
    loaded = load_data(project / "data", project)
    (diagnostic,) = mentions(loaded, build_model(loaded))
    assert (diagnostic.file, diagnostic.line, diagnostic.column) == (
        "data/runbooks/api-outage.yml",
        9,
        5,
    )
    assert diagnostic.path == "$.symptoms[1]" and diagnostic.rule == "visibility"
    assert diagnostic.message.startswith("mentions 'Dev…', which is internal (people 'dev-patel'")


def test_a_reference_to_an_internal_record_is_not_a_mention(tmp_path: Path) -> None:
    # The risk's owner names an internal person by id: the older ``visibility`` check
    # reports it ("cannot leave it out here"), the mention check does not again.
    case = CASES / "invalid/visibility-internal-risk-owner"
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    assert expected.count("[visibility]") == 1 and "mentions" not in expected


def test_the_shipped_handbook_mentions_nothing_internal(handbook_model: Handbook) -> None:
    loaded = load_data(REPO / "data", REPO)
    assert mentions(loaded, build_model(loaded)) == []


@pytest.mark.parametrize("extractor", ["pdftotext", "pypdf"])
def test_the_scan_reads_escaped_names_json_gzip_and_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extractor: str
) -> None:
    if extractor == "pypdf":
        monkeypatch.setattr(shutil, "which", lambda name: None)
    else:
        tool("pdftotext")  # installed by .ci/install-system-packages: fail, never skip
    name = Secret("Inès O'Moreau", "people 'ines'", words=True)
    email = Secret("ines@example.org", "people 'ines'.contacts[1] (email channel)")
    (tmp_path / "a.html").write_text("<p>In&egrave;s O&#x27;Moreau</p>", encoding="utf-8")
    index = {"docs": [{"text": "Ines: ines@example.org", "title": "In\u00e8s  O'moreau"}]}
    (tmp_path / "search_index.json").write_text(json.dumps(index), encoding="utf-8")
    (tmp_path / "sitemap.xml.gz").write_bytes(
        gzip.compress(b"<loc>mailto:ines%40example.org</loc>")
    )
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\0ines@example.org")
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
    (tmp_path / "on-call.csv").write_bytes("Dev,+12015550101".encode("utf-16-le"))  # no BOM
    leaks, unreadable = scan(tmp_path, [Secret("anything else", "x")])
    assert leaks == []
    assert [line.split(":")[0] for line in unreadable] == [
        "broken.pdf",
        "broken.xml.gz",
        "on-call.csv",
    ]


def test_a_broken_pdf_read_without_poppler_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)  # pypdf reads it, not pdftotext
    (tmp_path / "card.pdf").write_bytes(b"%PDF-1.7")
    found, unreadable = scan(tmp_path, [Secret("anything else", "x")])
    assert found == []
    assert len(unreadable) == 1
    assert unreadable[0].startswith("card.pdf: cannot be scanned: pypdf could not read it (")


def test_leaks_in_public_build_names_file_record_and_a_redacted_value(
    handbook: Handbook, tmp_path: Path
) -> None:
    (tmp_path / "index.html").write_text(f"<a href='tel:{PHONE}'>call</a>", encoding="utf-8")
    (found,) = leaks_in_public_build(handbook, tmp_path)
    assert found == (
        "index.html: internal value of people 'ana-silva'.contacts[0] (phone channel) "
        "('+120…') is in the public build"
    )


@dataclasses.dataclass(frozen=True)
class Made:
    path: Path
    pages: int = 1


def writer(files: dict[str, str]) -> Callable[[Path], list[Made]]:
    def write(folder: Path) -> list[Made]:
        made = []
        for name, text in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
            made.append(Made(folder / name))
        return made

    return write


def test_public_files_are_moved_into_place_once_scanned(handbook: Handbook, tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.pdf").write_text("from before", encoding="utf-8")
    made = write_scanned(handbook, target, writer({"cards/a.txt": "clean", "b.txt": "clean"}))
    assert made == [Made(target / "cards/a.txt"), Made(target / "b.txt")]
    assert sorted(p.name for p in target.rglob("*.txt")) == ["a.txt", "b.txt"]
    assert (target / "old.pdf").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no scratch folder left


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"a.txt": "clean", "b.txt": f"call {PHONE}"}, "b.txt: internal value of people"),
        ({"a.txt": "clean", "b.bin": "\0\1"}, "b.bin: cannot be scanned"),
    ],
)
def test_leaking_public_files_never_reach_their_folder(
    handbook: Handbook, tmp_path: Path, files: dict[str, str], message: str
) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "a.txt").write_text("from before", encoding="utf-8")
    with pytest.raises(PublicLeak) as refused:
        write_scanned(handbook, target, writer(files))
    (found,) = refused.value.messages
    assert found.startswith(message) and PHONE not in found
    assert sorted(p.name for p in target.iterdir()) == ["a.txt"]
    assert (target / "a.txt").read_text(encoding="utf-8") == "from before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# What a public step of the shipped data may say about internal values, each written the
# way a reader still recognises it: a run of spaces in a number, a bare handle, a
# Cyrillic "\u043e" in an e-mail address, an address without its scheme, one sentence alone.
SLIPPED = (
    "Call SecOps at 201      555 0100, page harbor-secops-primary, mail "
    "lodestar-supp\u043ert@example.com, see example.com/lodestar/support. Note: A bridge "
    "compromise could mint unbacked tokens that are then used to borrow real assets from "
    "Harbor."
)
SLIPPED_SOURCES = (
    "teams 'secops'.contacts[3] (phone channel)",  # 201 555 0100
    "teams 'secops'.contacts[2] (pager channel)",  # on-call service: harbor-secops-primary
    "dependencies 'price-oracle'.contacts[0].channels[0] (email channel)",
    "dependencies 'price-oracle'.contacts[0].channels[1] (url channel)",
    "risks 'bridge-collateral-exposure'.description",
)


def shipped_copy(tmp_path: Path) -> Path:
    """The shipped data and schemas, copied to change them."""
    project = tmp_path / "project"
    shutil.copytree(REPO / "data", project / "data")
    shutil.copytree(REPO / "schemas", project / "schemas")
    return project


def add_step(project: Path, runbook: str, step: str) -> None:
    path = project / "data" / "runbooks" / runbook
    text = path.read_text(encoding="utf-8")
    anchor = "    steps:\n"
    assert anchor in text
    path.write_text(text.replace(anchor, f"{anchor}      - {json.dumps(step)}\n", 1), "utf-8")


def shipped_mentions(project: Path, with_schemas: bool = True) -> list[str]:
    loaded = load_data(project / "data", project)
    schemas = load_schemas(project / "schemas") if with_schemas else None
    found = mentions(loaded, build_model(loaded), schemas)
    return [f"{d.file} {d.path} {d.message}" for d in found]


def test_an_internal_value_written_to_slip_past_is_still_a_mention(tmp_path: Path) -> None:
    project = shipped_copy(tmp_path)
    add_step(project, "ddos-core-services.yml", SLIPPED)
    found = shipped_mentions(project)
    for where in SLIPPED_SOURCES:
        assert [line for line in found if f"which is internal ({where})" in line], where
    assert all(
        line.startswith("data/runbooks/ddos-core-services.yml $.mitigations[0].steps[0] ")
        for line in found
    )


@pytest.mark.parametrize(
    "written",
    ["201,555,0141", "#lodestar-harbor now", "http://example.com/lodestar/support/"],
)
def test_other_ways_of_writing_an_internal_value_are_mentions(tmp_path: Path, written: str) -> None:
    project = shipped_copy(tmp_path)
    add_step(project, "ddos-core-services.yml", f"Then try {written}")
    (found,) = shipped_mentions(project)
    assert "$.mitigations[0].steps[0] mentions" in found


def test_handles_addresses_and_sentences_of_internal_values_are_looked_for() -> None:
    handbook_model = build_model(load_data(REPO / "data", REPO))
    values = {s.value: s.source for s in internal_values(handbook_model)}
    assert values["harbor-secops-primary"] == "teams 'secops'.contacts[2] (pager channel)"
    assert values["#lodestar-harbor"] == values["shared channel #lodestar-harbor"]
    assert values["example.com/lodestar/support"].endswith("(url channel)")
    sentence = "About 18% of collateral arrives through the bridge."
    assert values[sentence] == "risks 'bridge-collateral-exposure'.description"
    # A handle that is a public string on its own (a public person's id) is not a secret.
    people = {p.id for p in handbook_model.people if is_public(p)}
    assert not people & set(values)


@pytest.mark.parametrize("title", ["Escalation", "Failover"])
def test_a_one_word_internal_title_is_not_found_in_enum_or_id_fields(
    tmp_path: Path, title: str
) -> None:
    project = shipped_copy(tmp_path)
    runbook = project / "data" / "runbooks" / "ddos-core-services.yml"
    text = runbook.read_text(encoding="utf-8")
    old = "title: Block or challenge the attacking networks"
    runbook.write_text(text.replace(old, f"title: {title}"), encoding="utf-8")
    field = re.compile(r"\]\.(purpose|kind|preference|type|id|status) ")  # enums and ids
    before = shipped_mentions(project, with_schemas=False)
    assert [line for line in before if field.search(line)]  # as it used to be
    found = shipped_mentions(project)
    assert found and not [line for line in found if field.search(line)]
    assert set(found) < set(before)  # prose mentioning the word is still a mention


def test_the_scan_of_a_build_finds_what_was_written_to_slip_past(tmp_path: Path) -> None:
    handbook_model = build_model(load_data(REPO / "data", REPO))
    site = tmp_path / "site"
    site.mkdir()
    # As a page shows it: the run of spaces kept (a browser collapses it), then escaped.
    (site / "index.html").write_text(f"<p>{html.escape(SLIPPED)}</p>", encoding="utf-8")
    (site / "more.html").write_text(
        "<p>Or 201,555,0141, shared channel #lodestar-harbor, or "
        "http://example.com/lodestar/support.</p>",
        encoding="utf-8",
    )
    found = leaks_in_public_build(handbook_model, site)
    for where in SLIPPED_SOURCES:
        assert [m for m in found if m.startswith(f"index.html: internal value of {where} ")], where
    assert len([m for m in found if m.startswith("more.html: ")]) >= 3
    assert not [m for m in found if "harbor-secops-primary" in m or "555" in m]
