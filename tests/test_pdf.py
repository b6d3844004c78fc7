"""The PDFs as responders print them: complete, in order, with contacts, readable offline.

The shipped handbook's PDFs (every runbook, card and the whole handbook) are written once
per session and read back with poppler's tools (pdftotext, pdfinfo, pdffonts, pdfimages,
pdftohtml from Debian's poppler-utils, installed by ``.ci/install-system-packages``). A
missing tool fails the test with how to install it; nothing is skipped.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import subprocess
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
import segno
from PIL import Image

from handbook.model import Handbook
from handbook.pdf import Engine, PdfError, Written, write_pdfs
from handbook.phones import display
from handbook.print_html import PRINT_CSS, SITE_PRINT_CSS, Printer
from handbook.render.common import callees
from handbook.site import Site, pdf_name
from handbook.site_sources import read_sources
from tests.conftest import (
    REPO,
    TODAY,
    add_site_sources,
    handbook_cli,
    internal_values,
    make_project,
    tool,
)

# ---- Reading PDFs back -------------------------------------------------------------------


def poppler(name: str, *args: str) -> str:
    completed = subprocess.run(
        [tool(name), *args], capture_output=True, text=True, check=False, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def text(pdf: Path) -> str:
    """The PDF's text, pages separated by form feeds."""
    return poppler("pdftotext", "-enc", "UTF-8", str(pdf), "-")


def flat(value: str) -> str:
    """Text to compare: white space made one space (lines wrap where they wrap) and no
    hyphens (pdftotext joins a word hyphenated at the end of a line: ``pool-drain``)."""
    return " ".join(value.split()).replace("-", "")


def page_count(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)$", poppler("pdfinfo", str(pdf)), re.M).group(1))


def assert_in_order(haystack: str, needles: list[str], start: int = 0) -> None:
    """Every needle in ``haystack``, each after the one before it."""
    position = start
    for needle in needles:
        found = haystack.find(flat(needle), position)
        assert found >= 0, f"{needle!r} missing after position {position}"
        position = found + len(flat(needle))


def contacts(site: Site, steps: tuple) -> list[tuple[str, str | None]]:
    """(name, first visible phone, grouped as printed) of everyone the steps have you call.

    A public site's handbook holds public channels only, so its contacts are what it shows.
    """
    ctx = site.page("severities.md")
    found = []
    for step in steps:
        for kind, record_id in callees(ctx, step):
            record = site.handbook.get(kind, record_id)
            phone = next((display(c.value) for c in record.contacts if c.type == "phone"), None)
            found.append((record.name, phone))
    return found


# ---- The shipped handbook, printed once ---------------------------------------------------


@pytest.fixture(scope="session")
def shipped_site(handbook_model: Handbook) -> Site:
    return Site(handbook_model, TODAY)


@pytest.fixture(scope="session")
def shipped_pdfs(shipped_site: Site, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every PDF of the shipped handbook: name under the PDF folder -> path."""
    out = tmp_path_factory.mktemp("pdf")
    written = write_pdfs(shipped_site, read_sources(REPO / "mkdocs.yml"), out)
    assert all(isinstance(w, Written) and w.pages >= 1 for w in written)
    return {w.path.relative_to(out).as_posix(): w.path for w in written}


@pytest.fixture(scope="session")
def texts(shipped_pdfs: dict[str, Path]) -> dict[str, str]:
    return {name: text(path) for name, path in shipped_pdfs.items()}


def test_every_runbook_card_and_the_whole_handbook_is_written(
    shipped_pdfs: dict[str, Path], handbook_model: Handbook
) -> None:
    hb = handbook_model
    expected = {pdf_name("runbooks", r.id) for r in hb.runbooks}
    expected |= {pdf_name("severities", s.id) for s in hb.severities}
    expected |= {pdf_name("interventions", i.id) for i in hb.interventions}
    expected.add("handbook.pdf")
    assert set(shipped_pdfs) == expected
    out = next(iter(shipped_pdfs.values())).parents[1]
    leftovers = [p for p in out.rglob("*") if p.is_file() and p.suffix != ".pdf"]
    assert leftovers == []


def test_a_runbook_has_its_header_every_step_in_order_and_its_contacts(
    texts: dict[str, str], shipped_site: Site
) -> None:
    hb = shipped_site.handbook
    for runbook in hb.runbooks:
        content = flat(texts[pdf_name("runbooks", runbook.id)])
        severity = hb.get("severities", runbook.severity)
        header = [
            f"Runbook {runbook.id}",
            f"Handbook version {hb.info.handbook_version}",
            f"built {TODAY.isoformat()}",
            runbook.title,
            f"{severity.id} {severity.name}",
            hb.owner(runbook.owner)[1].name,
            runbook.last_reviewed.isoformat(),
        ]
        assert_in_order(content, header)
        assert_in_order(content, [a.text for a in runbook.immediate_actions])
        steps = [
            text
            for m in runbook.mitigations
            for text in (m.title, m.when, m.impact, m.verify, *m.steps)
        ]
        assert_in_order(content, steps)
        assert_in_order(content, list(runbook.resolution_checklist))
        escalation = content.index(
            "Escalation", content.index(flat(runbook.mitigations[-1].verify))
        )
        people = contacts(shipped_site, runbook.escalation)
        assert_in_order(content, [name for name, _ in people], escalation)
        for name, phone in people:
            if phone:
                assert flat(f"{name}: {phone}") in content, (runbook.id, name)


def test_every_page_says_page_x_of_y(texts: dict[str, str]) -> None:
    for name, content in texts.items():
        pages = content.split("\f")[:-1]  # pdftotext ends every page with a form feed
        for number, page in enumerate(pages, start=1):
            assert f"Page {number} of {len(pages)}" in page, (name, number)


def test_each_break_glass_card_is_exactly_one_page(shipped_pdfs: dict[str, Path]) -> None:
    cards = {name: path for name, path in shipped_pdfs.items() if name.startswith("cards/")}
    assert cards
    assert {name: page_count(path) for name, path in cards.items()} == dict.fromkeys(cards, 1)


def test_a_severity_card_says_whom_to_call_in_order_first_actions_and_cadence(
    texts: dict[str, str], shipped_site: Site
) -> None:
    hb = shipped_site.handbook
    coordination = next(c for c in hb.policy.process if c.order == 2)
    for severity in hb.severities:
        content = flat(texts[pdf_name("severities", severity.id)])
        assert flat(f"{severity.id} {severity.name}") in content
        calls = content.index(flat("Call, in this order"))
        people = contacts(shipped_site, severity.escalation)
        assert_in_order(content, [name for name, _ in people], calls)
        for name, phone in people:
            if phone:
                assert flat(f"{name}: {phone}") in content, (severity.id, name)
        first = content.index(flat("First actions"))
        assert first > calls
        assert_in_order(content, [i for c in coordination.checklists for i in c.items], first)
        if severity.update_cadence == "none":  # the example's P5: said, not invented
            assert flat("Internal updates: no regular updates.") in content
        else:
            assert flat(f"Post an internal update every {severity.update_cadence}") in content
    assert any(s.update_cadence == "none" for s in hb.severities)


def test_an_intervention_card_says_what_who_may_authorise_limits_and_cost(
    texts: dict[str, str], shipped_site: Site
) -> None:
    hb = shipped_site.handbook
    for item in hb.interventions:
        content = flat(texts[pdf_name("interventions", item.id)])
        roles = [hb.get("roles", r).name for r in item.authorised_by.roles]
        expected = [
            item.title,
            item.action,
            item.target,
            "Who may authorise it",
            *roles,
            f"{item.authorised_by.quorum.required} of {item.authorised_by.quorum.of}",
            item.limits.max_duration,
            item.limits.blast_radius,
            "Trust cost",
            "Call to authorise it",
        ]
        assert_in_order(content, expected)


def test_fonts_are_embedded(shipped_pdfs: dict[str, Path]) -> None:
    for name, path in shipped_pdfs.items():
        rows = poppler("pdffonts", str(path)).splitlines()[2:]
        assert rows, f"{name} lists no font"
        # name, type (may hold spaces), encoding, emb, sub, uni, object, generation
        assert all(row.split()[-5] == "yes" for row in rows), (name, rows)


def qr_matrix(image: Path) -> list[list[bool]]:
    with Image.open(image) as picture:
        grey = picture.convert("L")
        return [
            [grey.getpixel((x, y)) < 128 for x in range(grey.width)] for y in range(grey.height)
        ]


def test_the_qr_code_and_short_url_lead_to_the_online_page(
    shipped_pdfs: dict[str, Path], texts: dict[str, str], shipped_site: Site, tmp_path: Path
) -> None:
    hb = shipped_site.handbook
    runbook = hb.runbooks[0]
    url = f"{hb.info.public_url.rstrip('/')}/runbooks/{runbook.id}/"
    # The short URL may wrap in its narrow column: compare without white space.
    short = url.split("://", 1)[1]
    assert flat(short) in "".join(flat(texts[pdf_name("runbooks", runbook.id)]).split())
    poppler(
        "pdfimages", "-png", "-f", "1", "-l", "1",
        str(shipped_pdfs[pdf_name("runbooks", runbook.id)]), str(tmp_path / "image"),
    )  # fmt: skip
    images = sorted(tmp_path.glob("image-*.png"))
    assert len(images) == 1
    expected = [[bool(module) for module in row] for row in segno.make(url, error="m").matrix]
    border = 4
    found = [row[border:-border] for row in qr_matrix(images[0])[border:-border]]
    assert found == expected


def test_without_a_public_url_there_is_no_qr_code_and_the_header_says_so(
    handbook: Handbook, tmp_path: Path
) -> None:
    info = dataclasses.replace(handbook.info, public_url=None)
    site = Site(handbook.replace(info=info), TODAY)
    runbook = handbook.runbooks[0]
    written = write_pdfs(
        site, read_sources(REPO / "mkdocs.yml"), tmp_path, runbook_ids=[runbook.id]
    )
    assert [w.path.name for w in written] == [f"{runbook.id}.pdf"]
    assert "public_url is not set" in flat(text(written[0].path))
    assert poppler("pdfimages", "-list", str(written[0].path)).splitlines()[2:] == []


class _Outline(HTMLParser):
    """The bookmarks pdftohtml -xml lists: (depth, page, title)."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[int, int, str]] = []
        self._depth = 0
        self._page: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "outline":
            self._depth += 1
        elif tag == "item":
            self._page = int(dict(attrs).get("page") or 0)
            self.items.append((self._depth, self._page, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "outline":
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self.items and self._page is not None and data.strip():
            depth, page, title = self.items[-1]
            self.items[-1] = (depth, page, title + data)
            self._page = None


def test_the_whole_handbook_has_contents_bookmarks_and_every_runbook(
    shipped_pdfs: dict[str, Path], texts: dict[str, str], shipped_site: Site
) -> None:
    path = shipped_pdfs["handbook.pdf"]
    pages = texts["handbook.pdf"].split("\f")
    outline = _Outline()
    outline.feed(poppler("pdftohtml", "-xml", "-i", "-stdout", "-q", str(path)))
    bookmarks = {title.strip(): (depth, page) for depth, page, title in outline.items}
    contents = flat(" ".join(p for p in pages[:4] if "Contents" in p))
    assert {"Contents", "Runbooks", "Severity matrix", "Escalation paths"} <= set(bookmarks)
    for runbook in shipped_site.handbook.runbooks:
        depth, page = bookmarks[runbook.title]
        assert depth == 2, runbook.title  # under "Runbooks"
        assert flat(runbook.title) in flat(pages[page - 1]), runbook.title
        # The contents give the same page number as the bookmark.
        assert re.search(re.escape(flat(runbook.title)) + r"[ .]*" + str(page) + r"\b", contents)
    assert page_count(path) == len(pages) - 1


def test_the_internal_pdfs_show_internal_contact_details(
    texts: dict[str, str], handbook_model: Handbook
) -> None:
    # What the public build below must not show is there in an internal one.
    internal = internal_values(handbook_model)
    assert [v for v in internal if v in texts["handbook.pdf"]]


def test_the_same_data_on_the_same_day_gives_the_same_bytes(
    handbook: Handbook, tmp_path: Path
) -> None:
    site = Site(handbook, TODAY)
    sources = read_sources(REPO / "mkdocs.yml")
    first = write_pdfs(site, sources, tmp_path / "a", runbook_ids=["api-outage"])[0].path
    second = write_pdfs(site, sources, tmp_path / "b", runbook_ids=["api-outage"])[0].path
    assert first.read_bytes() == second.read_bytes()
    info = poppler("pdfinfo", "-isodates", str(first))
    assert re.search(rf"^CreationDate:\s+{TODAY.isoformat()}T00:00:00", info, re.M), info


def test_weasyprint_understands_the_print_stylesheets(
    shipped_site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    printer = Printer.of(shipped_site, read_sources(REPO / "mkdocs.yml"))
    runbook = shipped_site.handbook.runbooks[0]
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        engine = Engine()
        engine.render(printer.runbooks([runbook.id]))
        engine.render(
            printer.cards([printer.severity_card(shipped_site.handbook.severities[0].id)])
        )
    # print.css is the site's too: only its browser-prefixed hints are foreign to WeasyPrint.
    foreign = ("-webkit-", "print-color-adjust")
    unexpected = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("weasyprint") and not any(f in r.getMessage() for f in foreign)
    ]
    assert unexpected == []


# ---- The site and the PDFs share one print stylesheet -----------------------------------


def test_the_site_and_the_pdfs_share_one_print_stylesheet(built_site: Path) -> None:
    assert SITE_PRINT_CSS in read_sources(REPO / "mkdocs.yml").extra_css
    assert not (REPO / "docs" / SITE_PRINT_CSS).exists(), "print.css lives in handbook/ only"
    assert (built_site / SITE_PRINT_CSS).read_bytes() == PRINT_CSS.read_bytes()
    assert PRINT_CSS.read_text(encoding="utf-8").startswith("/*")


def test_without_pdfs_no_page_links_to_one(built_site: Path) -> None:
    assert not (built_site / "pdf").exists()
    linking = [
        p.relative_to(built_site).as_posix()
        for p in built_site.rglob("*.html")
        if p.name != "offline.html" and '.pdf"' in p.read_text(encoding="utf-8")
    ]
    assert linking == []


# ---- The command line ----------------------------------------------------------------------


def test_handbook_pdf_writes_only_the_runbooks_named(base_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    completed = handbook_cli(
        "pdf", "api-outage", "--out", str(out), "--paper", "letter", cwd=base_project
    )
    assert completed.returncode == 0, completed.stderr
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == ["runbooks/api-outage.pdf"]
    assert "612 x 792 pts (letter)" in poppler("pdfinfo", str(out / files[0]))


def test_an_unknown_runbook_exits_1_with_a_clear_message(
    base_project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    completed = handbook_cli(
        "pdf", "api-outage", "no-such-runbook", "--out", str(out), cwd=base_project
    )
    assert completed.returncode == 1
    assert "Traceback" not in completed.stdout + completed.stderr
    assert "unknown runbook: no-such-runbook" in completed.stderr
    assert "api-outage" in completed.stderr  # the known ones are listed
    assert not out.exists()


def test_invalid_data_exits_1_with_the_validation_errors(
    base_project: Path, tmp_path: Path
) -> None:
    runbook = base_project / "data" / "runbooks" / "api-outage.yml"
    runbook.write_text(runbook.read_text(encoding="utf-8").replace("owner: devops\n", ""), "utf-8")
    completed = handbook_cli("pdf", "--out", str(tmp_path / "out"), cwd=base_project)
    assert completed.returncode == 1
    assert "Traceback" not in completed.stdout + completed.stderr
    assert "data/runbooks/api-outage.yml" in completed.stderr
    assert "[runbook-owner]" in completed.stderr
    assert not (tmp_path / "out").exists()


def test_a_public_build_with_pdfs_links_them_and_they_hold_nothing_internal(
    handbook: Handbook, tmp_path: Path
) -> None:
    project = make_project(tmp_path)
    add_site_sources(project)
    site = tmp_path / "site"
    build = ["build", "--pdf", "--audience", "public", "--site-dir", str(site)]
    completed = handbook_cli(*build, cwd=project)
    assert completed.returncode == 0, completed.stdout + completed.stderr

    public = Site(handbook, TODAY, audience="public").handbook
    expected = {pdf_name("runbooks", r.id) for r in public.runbooks}
    expected |= {pdf_name("severities", s.id) for s in public.severities}
    expected |= {pdf_name("interventions", i.id) for i in public.interventions}
    pdfs = {p.relative_to(site / "pdf").as_posix(): p for p in (site / "pdf").rglob("*.pdf")}
    assert set(pdfs) == expected | {"handbook.pdf"}
    internal = internal_values(handbook)
    assert internal
    for name, path in pdfs.items():
        content = text(path)
        assert [v for v in internal if v in content] == [], name

    for runbook in public.runbooks:
        page = (site / "runbooks" / runbook.id / "index.html").read_text(encoding="utf-8")
        assert f'href="../../pdf/runbooks/{runbook.id}.pdf"' in page, runbook.id
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="offline.html"' in home
    assert 'href="pdf/handbook.pdf"' in home
    assert (site / "offline.html").is_file()
    # Every link to a PDF, on any page, resolves to a file the build wrote.
    for page in site.rglob("*.html"):
        for href in re.findall(r'href="([^"#:]+\.pdf)"', page.read_text(encoding="utf-8")):
            assert (page.parent / href).resolve().is_file(), (page, href)


# ---- Runbooks and cards cut out of one layout ------------------------------------------------


def pages_of(pdf: Path) -> list[str]:
    """The text of each page."""
    return text(pdf).split("\f")[:-1]


def body_lines(page: str) -> list[str]:
    """A page's lines without its footer: what a part and the book must share."""
    return [line for line in page.splitlines() if "Page " not in line and "edition" not in line]


def test_a_runbook_pdf_is_exactly_its_pages_of_the_whole_handbook(
    shipped_pdfs: dict[str, Path], texts: dict[str, str], shipped_site: Site
) -> None:
    book = pages_of(shipped_pdfs["handbook.pdf"])
    total = len(book)
    for runbook in shipped_site.handbook.runbooks:
        own = pages_of(shipped_pdfs[pdf_name("runbooks", runbook.id)])
        first = next(i for i, page in enumerate(book) if f"Runbook {runbook.id}\n" in page)
        assert [body_lines(p) for p in book[first : first + len(own)]] == [
            body_lines(p) for p in own
        ], runbook.id
        others = [r.id for r in shipped_site.handbook.runbooks if r.id != runbook.id]
        assert [o for o in others if f"Runbook {o}\n" in "".join(own)] == [], runbook.id
        for number, page in enumerate(own, start=1):
            book_page = first + number
            assert f"Page {number} of {len(own)} of this runbook" in book[book_page - 1]
            assert f"of {total} of the handbook" in book[book_page - 1]
            # Laid out on its own, not after the book: it counts its own pages only.
            assert f"Page {number} of {len(own)}" in page
            assert "of the handbook" not in page


def test_a_runbook_cut_out_of_the_book_reads_as_one_printed_on_its_own(
    shipped_pdfs: dict[str, Path], shipped_site: Site, tmp_path: Path
) -> None:
    runbook = shipped_site.handbook.runbooks[0]
    alone = write_pdfs(
        shipped_site, read_sources(REPO / "mkdocs.yml"), tmp_path, runbook_ids=[runbook.id]
    )[0].path
    cut = shipped_pdfs[pdf_name("runbooks", runbook.id)]
    assert [body_lines(p) for p in pages_of(alone)] == [body_lines(p) for p in pages_of(cut)]
    for number, page in enumerate(pages_of(alone), start=1):
        assert f"Page {number} of {page_count(alone)}" in page
        assert "of the handbook" not in page
    assert outline(alone) == outline(cut)
    assert links(alone) == links(cut)
    assert pdf_title(alone) == pdf_title(cut) == runbook.title


def outline(pdf: Path) -> list[tuple[int, str]]:
    """(depth, title) of every bookmark."""
    parser = _Outline()
    parser.feed(poppler("pdftohtml", "-xml", "-i", "-stdout", "-q", str(pdf)))
    return [(depth, title.strip()) for depth, _, title in parser.items]


def links(pdf: Path) -> list[str]:
    """Where every link of the PDF goes: a URL, or an anchor in the document."""
    import pypdf

    reader = pypdf.PdfReader(pdf)
    found = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            found.append(str(action.get("/URI") or f"#{action.get('/D')}"))
    return found


def pdf_title(pdf: Path) -> str:
    return re.search(r"^Title:\s+(.*)$", poppler("pdfinfo", str(pdf)), re.M).group(1)


def test_a_cut_runbook_links_online_or_inside_itself_never_into_the_missing_book(
    shipped_pdfs: dict[str, Path], shipped_site: Site
) -> None:
    import pypdf

    public = shipped_site.handbook.info.public_url.rstrip("/")
    for runbook in shipped_site.handbook.runbooks:
        path = shipped_pdfs[pdf_name("runbooks", runbook.id)]
        destinations = set(pypdf.PdfReader(path).named_destinations)
        found = links(path)
        assert any(link.startswith(f"{public}/") for link in found), runbook.id
        inside = [link[1:] for link in found if link.startswith("#")]
        assert [d for d in inside if d not in destinations] == [], runbook.id
        assert outline(path)[0] == (1, runbook.title)
        assert {depth for depth, _ in outline(path)} == {1, 2}


def test_the_book_keeps_its_bookmarks_with_a_runbook_s_sections_under_it(
    shipped_pdfs: dict[str, Path], shipped_site: Site
) -> None:
    found = outline(shipped_pdfs["handbook.pdf"])
    runbook = shipped_site.handbook.runbooks[0]
    at = found.index((2, runbook.title))
    assert found[at + 1][0] == 3
    assert (3, "Escalation") in found[at + 1 : at + 15]


def test_a_part_missing_from_its_document_is_a_clear_error(tmp_path: Path) -> None:
    from handbook.print_html import Part, PrintDocument

    doc = PrintDocument(
        None,
        "Runbooks",
        "<p>Nothing here.</p>",
        parts=(Part("runbooks/gone.pdf", "Gone", "page-runbooks__gone"),),
    )
    with pytest.raises(PdfError, match=r"runbooks/gone.pdf: its pages cannot be found"):
        Engine().write(doc, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_card_too_long_for_one_page_even_shrunk_is_a_clear_error(
    shipped_site: Site, tmp_path: Path
) -> None:
    printer = Printer.of(shipped_site, read_sources(REPO / "mkdocs.yml"))
    part, section = printer.severity_card(shipped_site.handbook.severities[0].id)
    long = section.replace("</article>", "<p>Call everyone.</p>" * 400 + "</article>")
    doc = printer.cards([(part, long)])
    with pytest.raises(PdfError, match=r"does not fit on one page even at 60%"):
        Engine().write(doc, tmp_path, alone=lambda _: doc)
    assert list(tmp_path.rglob("*.pdf")) == []


def test_no_worker_process_is_forked_while_other_threads_run() -> None:
    """A fork beside other threads (``handbook serve``) could copy a held lock."""
    from handbook.pdf import _can_fork

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not _can_fork()
    finally:
        stop.set()
        other.join()


def test_every_link_of_the_book_jumps_to_its_page_and_the_contents_to_each_runbook(
    shipped_pdfs: dict[str, Path], texts: dict[str, str], shipped_site: Site
) -> None:
    import pypdf

    from handbook.book_pdf import SCHEME

    path = shipped_pdfs["handbook.pdf"]
    reader = pypdf.PdfReader(path)
    pages = texts["handbook.pdf"].split("\f")[:-1]
    index = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    jumps: dict[int, list[int]] = {}  # page index -> the pages its links jump to
    for n, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            uri = str((annotation.get("/A") or {}).get("/URI") or "")
            assert not uri.startswith(SCHEME), uri  # every link to the book was resolved
            if "/Dest" in annotation:
                target = annotation["/Dest"][0].idnum
                assert target in index, (n, annotation)  # a page of this book
                jumps.setdefault(n, []).append(index[target])
    assert sum(len(v) for v in jumps.values()) > 100
    contents = [n for n, text in enumerate(pages) if "Contents" in text][:3]
    from_contents = {target for n in contents for target in jumps.get(n, [])}
    for runbook in shipped_site.handbook.runbooks:
        start = next(n for n, text in enumerate(pages) if f"Runbook {runbook.id}\n" in text)
        assert start in from_contents, runbook.id


def test_the_book_joined_twice_is_the_same_bytes(handbook: Handbook, tmp_path: Path) -> None:
    site = Site(handbook, TODAY)
    sources = read_sources(REPO / "mkdocs.yml")
    first, second = (
        {w.path.name: w.path.read_bytes() for w in write_pdfs(site, sources, tmp_path / d)}
        for d in ("a", "b")
    )
    assert first["handbook.pdf"] == second["handbook.pdf"]


def test_without_the_footer_font_handbook_pdf_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from handbook import book_pdf, pdf

    monkeypatch.setattr(book_pdf, "_font_file", lambda: None)
    book_pdf._font.cache_clear()
    try:
        status = pdf.run(REPO, [], tmp_path / "out", "a4", None, no_cache=True)
    finally:
        book_pdf._font.cache_clear()
    err = capsys.readouterr().err
    assert status == 1
    assert "handbook pdf: handbook.pdf: DejaVuSans-Bold.ttf is not installed" in err
    assert "fonts-dejavu-core" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "handbook.pdf").exists()
