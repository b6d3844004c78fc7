"""PDFs redo only what changed: the cache, the pool of workers, and progress as they go.

Layouts are counted (``handbook.pdf.LAYOUTS`` in this process, ``Written.laid_out_by``
for any process), never timed: speed is measured in benchmarks/pdf.py.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from handbook import pdf, pdf_cache
from handbook.book import render_book
from handbook.model import Handbook
from handbook.pdf import PdfError, Written, plan, write_pdfs
from handbook.print_html import Printer
from handbook.progress import Progress
from handbook.site import WHOLE_PDF, Site, pdf_name
from handbook.site_sources import Sources, read_sources
from tests.conftest import REPO, TODAY, tool


@pytest.fixture(scope="module")
def sources() -> Sources:
    return read_sources(REPO / "mkdocs.yml")


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.pdf")}


def names(written: list[Written], out: Path) -> set[str]:
    """The PDFs of ``written`` that were laid out (not from the cache), by name."""
    return {w.path.relative_to(out).as_posix() for w in written if w.laid_out_by is not None}


@pytest.fixture(scope="module")
def cold(
    handbook: Handbook, sources: Sources, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, list[Written]]:
    """Every PDF of the base handbook, laid out by the pool into an empty cache."""
    root = tmp_path_factory.mktemp("cold")
    cache, out = root / "cache", root / "out"
    written = write_pdfs(Site(handbook, TODAY), sources, out, cache=cache, workers=2)
    return cache, out, written


def test_a_cold_run_lays_out_every_pdf_in_more_than_one_worker(
    cold: tuple[Path, Path, list[Written]],
) -> None:
    _, out, written = cold
    assert all(w.laid_out_by is not None for w in written)
    assert names(written, out) == set(files(out))
    # The book is joined in this process from pieces the workers laid out.
    [book] = [w for w in written if w.path.name == WHOLE_PDF]
    assert book.laid_out_by == os.getpid()
    laid_out = {w.laid_out_by for w in written if w is not book}
    if len(os.sched_getaffinity(0)) > 1:
        assert len(laid_out) > 1  # the pool, not one process
        assert os.getpid() not in laid_out


def test_a_second_run_with_nothing_changed_lays_out_nothing_and_gives_the_same_bytes(
    cold: tuple[Path, Path, list[Written]],
    handbook: Handbook,
    sources: Sources,
    tmp_path: Path,
) -> None:
    cache, out, _ = cold
    written, layouts = again(Site(handbook, TODAY), sources, cache, tmp_path)
    assert layouts == 0
    assert names(written, tmp_path) == set()
    assert files(tmp_path) == files(out)
    assert [w.pages for w in written] == [w.pages for w in cold[2]]


def again(site: Site, sources: Sources, cache: Path, out: Path) -> tuple[list[Written], int]:
    """Every PDF of ``site`` again over the kept ``cache``, in this process; the layouts."""
    before = pdf.LAYOUTS
    written = write_pdfs(site, sources, out, cache=cache, workers=1)
    return written, pdf.LAYOUTS - before


def book_pages(written: list[Written]) -> int:
    """The pages of the whole handbook among ``written``."""
    return next(w.pages for w in written if w.path.name == WHOLE_PDF)


def _edited(handbook: Handbook, *steps: str) -> Handbook:
    """``handbook`` with ``steps`` added to its first runbook's resolution checklist."""
    edited = handbook.runbooks[0]
    changed = dataclasses.replace(
        edited, resolution_checklist=(*edited.resolution_checklist, *steps)
    )
    return handbook.replace(
        runbooks=tuple(changed if r is edited else r for r in handbook.runbooks)
    )


def test_editing_one_runbook_lays_out_that_runbook_only_and_joins_the_book_again(
    cold: tuple[Path, Path, list[Written]],
    handbook: Handbook,
    sources: Sources,
    tmp_path: Path,
) -> None:
    cache, out, _ = cold
    site = Site(_edited(handbook, "Tell the auditors."), TODAY)
    written, layouts = again(site, sources, cache, tmp_path)
    edited = pdf_name("runbooks", handbook.runbooks[0].id)
    same_length = book_pages(written) == book_pages(cold[2])
    # The runbook; and the contents only when the pages after it moved.
    assert layouts == (1 if same_length else 2)
    assert names(written, tmp_path) == {edited, WHOLE_PDF}
    now, then = files(tmp_path), files(out)
    assert {name for name in now if now[name] != then[name]} == {edited, WHOLE_PDF}


def test_a_runbook_grown_by_pages_moves_the_book_s_numbers_without_laying_out_the_rest(
    cold: tuple[Path, Path, list[Written]],
    handbook: Handbook,
    sources: Sources,
    tmp_path: Path,
) -> None:
    cache, _, written_before = cold
    steps = [
        f"Confirm with the auditors that step {n} of the long review is done." for n in range(120)
    ]
    site = Site(_edited(handbook, *steps), TODAY)
    written, layouts = again(site, sources, cache, tmp_path)
    assert layouts == 2  # the runbook and the contents, nothing after them
    pages = pages_text(tmp_path / WHOLE_PDF)
    assert len(pages) > book_pages(written_before)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page, number
    # Every runbook after the edited one moved, and the contents say where it is now.
    contents = "".join(pages[:3])
    for runbook in handbook.runbooks:
        first = next(n for n, page in enumerate(pages, 1) if f"Runbook {runbook.id}\n" in page)
        assert re.search(rf"{re.escape(runbook.title)} +{first}\n", contents), runbook.id
    assert [w.laid_out_by is None for w in written if w.path.name != WHOLE_PDF].count(False) == 1


def pages_text(pdf_path: Path) -> list[str]:
    """The text of each page of a PDF (poppler's pdftotext)."""
    out = subprocess.run(
        [tool("pdftotext"), "-layout", str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.split("\f")[:-1]


def test_cached_bytes_are_the_bytes_laid_out_without_a_cache(
    handbook: Handbook, sources: Sources, tmp_path: Path
) -> None:
    site = Site(handbook, TODAY)
    runbook = [handbook.runbooks[0].id]
    fresh = write_pdfs(site, sources, tmp_path / "fresh", runbook_ids=runbook)[0]
    write_pdfs(site, sources, tmp_path / "a", runbook_ids=runbook, cache=tmp_path / "c")
    served = write_pdfs(site, sources, tmp_path / "b", runbook_ids=runbook, cache=tmp_path / "c")
    assert served[0].laid_out_by is None
    assert served[0].path.read_bytes() == fresh.path.read_bytes()


@pytest.fixture
def keys(handbook: Handbook, sources: Sources) -> dict[str, str]:
    """The cache key of the first runbook's PDF."""

    def key(site: Site, paper: pdf.Paper = "a4") -> str:
        [job] = plan(Printer.of(site, sources), paper, [handbook.runbooks[0].id], [])
        return job.key

    return key  # type: ignore[return-value]


def test_a_cache_key_changes_with_edition_stylesheet_engine_and_weasyprint(
    keys, handbook: Handbook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = Site(handbook, TODAY)
    base = keys(site)
    assert keys(Site(handbook, TODAY)) == base  # stable
    info = dataclasses.replace(handbook.info, handbook_version="9.9")
    other = {
        "build date": keys(Site(handbook, TODAY.replace(year=TODAY.year + 1))),
        "audience": keys(Site(handbook, TODAY, audience="public")),
        "handbook version": keys(Site(handbook.replace(info=info), TODAY)),
        "paper": keys(site, "letter"),
    }
    styles = tmp_path / "paged.css"
    styles.write_text(pdf.PAGED_CSS.read_text(encoding="utf-8") + "\n/* changed */\n", "utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(pdf, "PAGED_CSS", styles)
        other["stylesheet"] = keys(site)
    engine, weasyprint = pdf_cache.versions()
    with monkeypatch.context() as patch:
        patch.setattr(pdf_cache, "versions", lambda: ("0.0.1", weasyprint))
        other["engine version"] = keys(site)
    with monkeypatch.context() as patch:
        patch.setattr(pdf_cache, "versions", lambda: (engine, "1.0"))
        other["WeasyPrint version"] = keys(site)
    assert [what for what, key in other.items() if key == base] == []
    assert len(set(other.values())) == len(other)


@pytest.mark.parametrize("damage", ["truncated", "flipped", "empty", "not a pdf"])
def test_a_broken_cache_entry_is_never_served_but_laid_out_again(
    damage: str, handbook: Handbook, sources: Sources, tmp_path: Path
) -> None:
    site = Site(handbook, TODAY)
    runbook = [handbook.runbooks[0].id]
    cache = tmp_path / "cache"
    first = write_pdfs(site, sources, tmp_path / "a", runbook_ids=runbook, cache=cache)[0]
    [entry] = list(cache.rglob("*.pdf"))
    raw = entry.read_bytes()
    broken = {
        "truncated": raw[: len(raw) // 2],
        "flipped": raw[:-100] + bytes([raw[-100] ^ 1]) + raw[-99:],
        "empty": b"",
        "not a pdf": b"handbook-pdf-cache 1 0 1\nhello",
    }[damage]
    entry.write_bytes(broken)
    before = pdf.LAYOUTS
    again = write_pdfs(site, sources, tmp_path / "b", runbook_ids=runbook, cache=cache, workers=1)
    assert pdf.LAYOUTS - before == 1
    assert again[0].laid_out_by is not None
    assert again[0].path.read_bytes() == first.path.read_bytes()
    assert entry.read_bytes() == raw  # mended


def test_a_whole_run_keeps_only_its_own_pdfs_in_the_cache(
    cold: tuple[Path, Path, list[Written]], handbook: Handbook, sources: Sources
) -> None:
    cache, _, written = cold
    site = Site(handbook, TODAY)
    jobs = plan(Printer.of(site, sources), "a4", None, render_book(site, sources))
    pieces = sum(1 for job in jobs if job.piece is not None)
    # Each PDF written (the book too), each piece of the book, and the book's front (and
    # the probe of its length).
    assert len(list(cache.rglob("*.pdf"))) == len(written) + pieces + 2


_ORIGINAL_MADE = pdf.Engine.made


def test_a_failure_in_a_worker_is_a_clear_error_naming_the_pdf(
    handbook: Handbook, sources: Sources, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = Site(handbook, TODAY)
    ids = [r.id for r in handbook.runbooks[:2]]
    victim = pdf_name("runbooks", ids[1])

    def made(self: pdf.Engine, doc, *args, **kwargs):
        if doc.parts and doc.parts[0].name == victim:
            raise KeyError("boom")
        return _ORIGINAL_MADE(self, doc, *args, **kwargs)

    monkeypatch.setattr(pdf.Engine, "made", made)  # forked workers inherit it
    with pytest.raises(PdfError, match=rf"^{victim}: KeyError: 'boom'$"):
        write_pdfs(site, sources, tmp_path, runbook_ids=ids, workers=2)


def test_a_worker_that_dies_is_a_clear_error(
    handbook: Handbook, sources: Sources, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = Site(handbook, TODAY)
    ids = [r.id for r in handbook.runbooks[:2]]

    def made(self: pdf.Engine, doc, *args, **kwargs):
        if os.getpid() != parent:
            os._exit(9)  # as the kernel's out-of-memory killer would
        return _ORIGINAL_MADE(self, doc, *args, **kwargs)

    parent = os.getpid()
    monkeypatch.setattr(pdf.Engine, "made", made)
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core: no worker process to lose")
    with pytest.raises(PdfError, match=r"a worker process stopped while laying out runbooks/"):
        write_pdfs(site, sources, tmp_path, runbook_ids=ids, workers=2)


def test_handbook_pdf_says_a_worker_failure_in_one_line_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def made(self: pdf.Engine, doc, *args, **kwargs):
        raise ValueError("no room on the page")

    monkeypatch.setattr(pdf.Engine, "made", made)
    status = pdf.run(REPO, ["oracle-outage"], tmp_path / "out", "a4", None, no_cache=True)
    assert status == 1
    err = capsys.readouterr().err
    assert "handbook pdf: runbooks/oracle-outage.pdf: ValueError: no room on the page\n" in err
    assert "Traceback" not in err


def ticking(total: int) -> tuple[Progress, io.StringIO, list[float]]:
    """Progress of ``total`` PDFs off a terminal, on a clock the test moves (``now[0]``)."""
    stream, now = io.StringIO(), [0.0]
    progress = Progress("handbook pdf", total, stream=stream, every=10.0, clock=lambda: now[0])
    return progress, stream, now


def test_progress_off_a_terminal_is_plain_periodic_lines() -> None:
    progress, stream, now = ticking(40)
    for _ in range(40):
        now[0] += 0.5
        progress.advance()
    progress.close("40 PDFs written")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "handbook pdf: 40 PDFs to write"
    assert lines[1] == "handbook pdf: 4/40 PDFs (10%), 2 s, about 18 s left"
    assert len(lines) == 1 + 9 + 1  # a line every tenth, none for the last: the summary says it
    assert lines[-1] == "handbook pdf: 40 PDFs written in 20 s"
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()


def test_progress_off_a_terminal_also_speaks_when_slow() -> None:
    progress, stream, now = ticking(1000)
    for _ in range(3):
        now[0] += 11
        progress.advance()
    assert len(stream.getvalue().splitlines()) == 1 + 3


def test_handbook_pdf_shows_progress_as_it_goes_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = pdf.run(REPO, ["oracle-outage"], tmp_path / "out", "a4", None, cache=tmp_path / "c")
    assert status == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines()[0] == "handbook pdf: 1 PDFs to write"
    assert "handbook pdf: 1 PDFs written (1 laid out, 0 from the cache) in " in captured.err
    assert captured.out.startswith("handbook pdf: 1 PDF (")
    assert captured.out.endswith(f" pages) written to {tmp_path / 'out'}\n")
    assert pdf.run(REPO, ["oracle-outage"], tmp_path / "out", "a4", None, cache=tmp_path / "c") == 0
    assert "(0 laid out, 1 from the cache)" in capsys.readouterr().err


def test_a_build_shows_its_pages_converted_then_written_as_it_goes(
    base_project: Path,
) -> None:
    from tests.conftest import ENV, add_site_sources

    add_site_sources(base_project)
    env = {**ENV, "HANDBOOK_PROGRESS": "on"}  # the base handbook is below BUILD_PAGES
    built = subprocess.run(
        [sys.executable, "-m", "handbook.cli", "build"],
        cwd=base_project, env=env, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    lines = [line for line in built.stderr.splitlines() if line.startswith("handbook build: ")]
    pages = int(re.match(r"handbook build: (\d+) pages to convert$", lines[0]).group(1))
    assert pages > 20
    assert f"handbook build: {pages} pages to write" in lines
    converted = lines.index(f"handbook build: {pages} pages to write") - 1
    assert re.match(rf"handbook build: {pages} pages converted in \d+ s$", lines[converted])
    assert re.match(rf"handbook build: {pages} pages written in \d+ s$", lines[-1])
    assert any(re.match(rf"handbook build: \d+/{pages} pages \(\d+%\)", ln) for ln in lines)


def test_a_small_build_says_nothing_of_progress_unless_asked(base_project: Path) -> None:
    from handbook.progress import BUILD_PAGES
    from tests.conftest import add_site_sources, handbook_cli

    add_site_sources(base_project)
    built = handbook_cli("build", cwd=base_project)
    assert built.returncode == 0, built.stderr
    assert len(list((base_project / "site").rglob("index.html"))) < BUILD_PAGES
    assert "pages to convert" not in built.stderr and "pages written" not in built.stderr


@pytest.mark.parametrize(
    ("setting", "small", "large"), [("off", False, False), ("on", True, True), ("", False, True)]
)
def test_handbook_progress_turns_progress_off_or_on(
    setting: str, small: bool, large: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handbook.progress import ENV as PROGRESS
    from handbook.progress import wanted

    monkeypatch.setenv(PROGRESS, setting)
    assert (wanted(1, 400), wanted(400, 400)) == (small, large)


def test_handbook_progress_off_silences_handbook_pdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HANDBOOK_PROGRESS", "off")
    assert pdf.run(REPO, ["oracle-outage"], tmp_path / "out", "a4", None, no_cache=True) == 0
    assert capsys.readouterr().err == ""


def test_a_piece_of_the_book_keeps_its_key_wherever_it_moves(
    handbook: Handbook, sources: Sources
) -> None:
    """Its key is its content's: a runbook added before it lays none of the others out again."""

    def pieces(hb: Handbook) -> dict[str, tuple[str, str]]:
        site = Site(hb, TODAY)
        jobs = plan(Printer.of(site, sources), "a4", None, render_book(site, sources))
        return {job.name: (job.doc.html, job.key) for job in jobs if job.piece is not None}

    before = pieces(handbook)
    added = dataclasses.replace(handbook.runbooks[0], id="aaa-added", title="Added first")
    after = pieces(handbook.replace(runbooks=(added, *handbook.runbooks)))
    assert pdf_name("runbooks", added.id) in after and pdf_name("runbooks", added.id) not in before
    key_of = dict(before.values())  # the same content laid out before -> its key then
    same = [(html, key) for html, key in after.values() if html in key_of]
    assert len(same) > 3
    assert [key for html, key in same if key != key_of[html]] == []
