"""``handbook build --audience public`` end to end, and builds that reproduce byte for byte.

Each build runs the real command in a subprocess on a copy of the shipped project. An
internal value mentioned in the data is refused by validation; what reaches the site
another way (hand-written pages and files in ``docs/``) is refused by the scan of the
build. ``handbook pdf --audience public`` scans its PDFs the same way.
"""

from __future__ import annotations

import gzip
import re
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from handbook.audience import is_public
from handbook.model import Handbook
from tests.conftest import ENV, REPO, copy_project
from tests.test_site import handbook_command, rewrite, snapshot

EPOCH = "1795000000"  # 2026-11-18: any fixed date will do


def build(
    project: Path, site: Path, *options: str, seed: str = "0"
) -> subprocess.CompletedProcess[str]:
    env = {**ENV, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONHASHSEED": seed}
    command = [*handbook_command(), "build", "--site-dir", str(site), *options]
    return subprocess.run(
        command, cwd=project, capture_output=True, text=True, check=False, env=env, timeout=600
    )


def texts(site: Path) -> Iterator[tuple[str, bytes]]:
    """(relative path, bytes) of every file, the sitemap decompressed."""
    for path in sorted(site.rglob("*")):
        if path.is_file():
            raw = path.read_bytes()
            yield (
                path.relative_to(site).as_posix(),
                gzip.decompress(raw) if path.suffix == ".gz" else raw,
            )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("public") / "project")


@pytest.fixture(scope="module")
def public_site(project: Path) -> Path:
    site = project.parent / "public-site"
    done = build(project, site, "--audience", "public")
    assert done.returncode == 0, done.stdout + done.stderr
    return site


def test_the_shipped_public_build_passes_its_leak_scan(public_site: Path) -> None:
    assert (public_site / "index.html").is_file()
    assert (public_site / "search" / "search_index.json").is_file()


def test_no_internal_value_of_the_shipped_data_is_in_the_public_build(
    public_site: Path, handbook_model: Handbook
) -> None:
    # Checked here without the leak scan's own code: raw bytes, every internal channel.
    public = {c.value for p in handbook_model.people for c in p.contacts if is_public(c)}
    public |= {c.value for t in handbook_model.teams for c in t.contacts if is_public(c)}
    channels = [
        *(c for p in handbook_model.people for c in p.contacts),
        *(c for t in handbook_model.teams for c in t.contacts),
        *(c for d in handbook_model.dependencies for v in d.contacts for c in v.channels),
    ]
    internal = {c.value for c in channels if not is_public(c)} - public
    assert len(internal) > 20
    phones = {re.sub(r"\D", "", v) for v in internal if v.startswith("+")}
    for name, raw in texts(public_site):
        text = raw.decode("utf-8", errors="replace")
        assert not [v for v in internal if v in text], name
        if not name.startswith("assets/"):  # minified code is full of digits
            numbers = set(re.findall(r"\d{7,}", text.replace(" ", "").replace("-", "")))
            assert not [p for p in phones if any(p in n for n in numbers)], name


def test_internal_records_have_no_page_no_search_entry_and_no_sitemap_url(
    public_site: Path, built_site: Path, handbook_model: Handbook
) -> None:
    risks = [r for r in handbook_model.risks if not is_public(r)]
    mitigations = [m for r in handbook_model.runbooks for m in r.mitigations if not is_public(m)]
    assert risks and mitigations, "the shipped data shows one internal risk and mitigation"
    sitemap = (public_site / "sitemap.xml").read_text(encoding="utf-8")
    index = (public_site / "search" / "search_index.json").read_text(encoding="utf-8")
    for risk in risks:
        assert not (public_site / "risks" / risk.id).exists()
        assert f"/risks/{risk.id}/" not in sitemap
        assert risk.title not in index
    for mitigation in mitigations:
        assert mitigation.title not in index
    # The internal build does show them.
    assert any(r.title for r in risks)
    assert all((built_site / "risks" / r.id / "index.html").is_file() for r in risks)
    internal_index = (built_site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert all(m.title in internal_index for m in mitigations)


def published(tmp_path: Path) -> tuple[Path, Path, Path, dict[str, str]]:
    """A copy of the project, built public into ``sites/out``; and that site's files."""
    project = copy_project(tmp_path / "project")
    sites = tmp_path / "sites"
    sites.mkdir()
    out = sites / "out"
    first = build(project, out, "--audience", "public")
    assert first.returncode == 0, first.stdout + first.stderr
    return project, sites, out, snapshot(out)


def test_an_internal_phone_mentioned_in_a_public_field_fails_validation(
    tmp_path: Path, handbook_model: Handbook
) -> None:
    project, sites, out, before = published(tmp_path)

    person, phone = next(
        (p, c.value)
        for p in handbook_model.people
        for c in p.contacts
        if c.type == "phone" and not is_public(c)
    )
    spaced = f"{phone[:2]} {phone[2:5]} {phone[5:8]} {phone[8:]}"  # +1 555 010 0141
    runbook = sorted((project / "data" / "runbooks").glob("*.yml"))[0]

    def plant(data: dict) -> None:
        data["symptoms"].append(f"Customers are told to call {spaced} directly.")

    rewrite(runbook, plant)
    for audience in ("public", "internal"):  # a mention is an error in either build
        second = build(project, out, "--audience", audience)
        output = second.stdout + second.stderr
        assert second.returncode == 1, output
        assert "Traceback" not in output
        assert f"data/runbooks/{runbook.name}:" in output
        assert f"which is internal (people {person.id!r}.contacts[0] (phone channel))" in output
        assert "[visibility]" in output
        assert phone not in output and spaced not in output
        assert snapshot(out) == before
        assert sorted(p.name for p in sites.iterdir()) == ["out"]


# A one-page spreadsheet: the numbers in its shared strings, as Excel writes them.
XLSX_PARTS = {
    "[Content_Types].xml": "<Types/>",
    "xl/sharedStrings.xml": "<sst><si><t>Night duty</t></si><si><t>{}</t></si></sst>",
}


def test_what_the_docs_leak_past_validation_the_scan_refuses(
    tmp_path: Path, handbook_model: Handbook
) -> None:
    """Hand-written pages and files in docs/ are not data: the scan of the build finds them."""
    project, sites, out, before = published(tmp_path)

    phones = [
        (p, c.value)
        for p in handbook_model.people
        for c in p.contacts
        if c.type == "phone" and not is_public(c)
    ]
    (page_owner, page_phone), (sheet_owner, sheet_phone), (xlsx_owner, xlsx_phone) = phones[:3]
    vendor = next(
        c.value
        for d in handbook_model.dependencies
        for v in d.contacts
        for c in v.channels
        if c.type == "email" and not is_public(c)
    )
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in page_phone[5:])  # digits, fullwidth
    with (project / "docs" / "index.md").open("a", encoding="utf-8") as page:
        page.write(
            f"\nAt night call <code>{page_phone[:2]}</code><code>{page_phone[2:5]}</code>"
            f"\u2011{fullwidth}, or write to {vendor[:3]}\u200b{vendor[3:]}.\n"
        )
    assets = project / "docs" / "assets"
    sheet = f"Who\tPhone\n{sheet_owner.name}\t{sheet_phone}\n"
    (assets / "on-call.txt").write_bytes(sheet.encode("utf-16"))  # with a byte-order mark
    (assets / "on-call-copy.csv").write_bytes(sheet.encode("utf-16-le"))  # without one
    with zipfile.ZipFile(assets / "call-tree.xlsx", "w") as workbook:
        for name, text in XLSX_PARTS.items():
            workbook.writestr(name, text.format(xlsx_phone))

    second = build(project, out, "--audience", "public")
    output = second.stdout + second.stderr
    assert second.returncode == 1, output
    assert "Traceback" not in output
    for file, owner in (
        ("index.html", page_owner),
        ("search/search_index.json", page_owner),
        ("offline.html", page_owner),
        ("assets/on-call.txt", sheet_owner),
        ("assets/call-tree.xlsx", xlsx_owner),
    ):
        assert f"{file}: internal value of people {owner.id!r}.contacts[0]" in output, file
    assert "index.html: internal value of dependencies " in output  # the vendor's e-mail
    assert "assets/on-call-copy.csv: cannot be scanned: binary, or UTF-16/32 text" in output
    assert "public build refused; nothing written" in output
    for value in (page_phone, sheet_phone, xlsx_phone, vendor):
        assert value not in output
    assert snapshot(out) == before
    assert sorted(p.name for p in sites.iterdir()) == ["out"]
    # The internal build is not scanned: it is meant to show the numbers.
    third = build(project, sites / "internal")
    assert third.returncode == 0, third.stdout + third.stderr


def test_public_pdfs_are_scanned_and_refused_before_they_reach_their_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, handbook_model: Handbook
) -> None:
    from weasyprint import HTML

    from handbook import pdf

    phone = next(c.value for p in handbook_model.people for c in p.contacts if not is_public(c))

    def write(site: object, sources: object, out: Path, *args: object, **kw: object) -> list:
        out.mkdir(parents=True, exist_ok=True)
        HTML(string=f"<p>Call <b>{phone[:5]}</b> {phone[5:]}</p>").write_pdf(out / "handbook.pdf")
        (out / "runbooks").mkdir(exist_ok=True)
        HTML(string="<p>Nothing internal</p>").write_pdf(out / "runbooks" / "a.pdf")
        return [pdf.Written(out / "runbooks" / "a.pdf", 1), pdf.Written(out / "handbook.pdf", 1)]

    monkeypatch.setattr(pdf, "write_pdfs", write)
    out = tmp_path / "pdfs"
    out.mkdir()
    (out / "handbook.pdf").write_bytes(b"%PDF- the previous one")
    status = pdf.run(REPO, [], out, "a4", "public")
    assert status == 1
    assert sorted(p.name for p in out.rglob("*")) == ["handbook.pdf"]
    assert (out / "handbook.pdf").read_bytes() == b"%PDF- the previous one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pdfs"]  # no scratch folder left
    # The internal PDFs are not scanned, and are written where they were asked for.
    assert pdf.run(REPO, [], out, "a4", "internal") == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf")) == [
        "handbook.pdf",
        "runbooks/a.pdf",
    ]


def test_clean_public_pdfs_are_moved_into_their_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from weasyprint import HTML

    from handbook import pdf

    def write(site: object, sources: object, out: Path, *args: object, **kw: object) -> list:
        (out / "cards").mkdir(parents=True, exist_ok=True)
        HTML(string="<p>Nothing internal</p>").write_pdf(out / "cards" / "a.pdf")
        return [pdf.Written(out / "cards" / "a.pdf", 1)]

    monkeypatch.setattr(pdf, "write_pdfs", write)
    out = tmp_path / "pdfs"
    assert pdf.run(REPO, [], out, "a4", "public") == 0
    assert [p.relative_to(out).as_posix() for p in out.rglob("*.pdf")] == ["cards/a.pdf"]
    assert capsys.readouterr().out == f"handbook pdf: 1 PDF (1 page) written to {out}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pdfs"]


@pytest.mark.parametrize("audience", ["internal", "public"])
def test_two_builds_of_the_same_input_are_byte_identical(
    project: Path, public_site: Path, audience: str
) -> None:
    first = public_site
    if audience == "internal":
        first = project.parent / "internal-1"
        done = build(project, first, "--audience", "internal", seed="1")
        assert done.returncode == 0, done.stdout + done.stderr
    second = project.parent / f"{audience}-2"
    done = build(project, second, "--audience", audience, seed="2")
    assert done.returncode == 0, done.stdout + done.stderr
    one, two = dict(texts(first)), dict(texts(second))
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    # The gzip header's time stamp too, not only the sitemap inside it.
    assert (first / "sitemap.xml.gz").read_bytes() == (second / "sitemap.xml.gz").read_bytes()


def test_a_docs_page_written_to_slip_past_is_refused(tmp_path: Path) -> None:
    """A bare handle, a number spread by spaces, look-alike letters, an address without
    its scheme, one sentence of an internal risk: the scan of the build finds each."""
    from tests.test_audience import SLIPPED, SLIPPED_SOURCES

    project, _, out, before = published(tmp_path)
    with (project / "docs" / "index.md").open("a", encoding="utf-8") as page:
        page.write(f"\n{SLIPPED}\n")
    second = build(project, out, "--audience", "public")
    output = second.stdout + second.stderr
    assert second.returncode == 1, output
    for where in SLIPPED_SOURCES:
        assert f"index.html: internal value of {where} " in output, where
    assert "harbor-secops-primary" not in output and "lodestar/support" not in output
    assert snapshot(out) == before
