"""The whole handbook joined from pieces: numbers, links and bookmarks across pieces.

Small pieces laid out by the real engine, joined by handbook/book_pdf.py and read back with
pypdf; the shipped book as a whole is checked in tests/test_pdf.py.
"""

from __future__ import annotations

import io

import pypdf
import pytest

from handbook.book_pdf import PAGE, RUNBOOK, Notes, Piece, assemble, link_to_book, page_numbers
from handbook.pdf import Engine
from handbook.print_html import PrintDocument


def piece(engine: Engine, body: str, numbering: str = PAGE) -> Piece:
    """``body`` laid out as a piece of the book (its links to anchors made links to the book)."""
    html = link_to_book(f"<html><body>{body}</body></html>")
    _, made = engine.book_piece(PrintDocument(None, "Piece", html), numbering, {}, own=False)
    return made


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def joined(engine: Engine, *pieces: Piece) -> pypdf.PdfReader:
    front = piece(engine, '<h1 style="bookmark-level: 1">Contents</h1>')
    return pypdf.PdfReader(io.BytesIO(assemble(front, pieces)))


def test_links_jump_across_pieces_and_a_link_to_nowhere_keeps_its_text_unlinked(
    engine: Engine,
) -> None:
    first = piece(
        engine,
        '<p><a href="#later">to the later piece</a> <a href="#gone">to nowhere</a></p>',
    )
    second = piece(engine, '<p>filler</p><h2 id="later" style="break-before: page">Later</h2>')
    reader = joined(engine, first, second)
    assert len(reader.pages) == 1 + 1 + 2
    annotations = [a.get_object() for a in reader.pages[1].get("/Annots") or []]
    assert len(annotations) == 1  # the link to nowhere is dropped
    [link] = annotations
    assert reader.pages[3].indirect_reference.idnum == link["/Dest"][0].idnum
    assert "to nowhere" in reader.pages[1].extract_text()  # its text stays


def test_every_page_is_numbered_in_the_book_and_runbook_pages_say_so(engine: Engine) -> None:
    pages = piece(engine, "<p>one</p>")
    runbook = piece(engine, '<p>a</p><p style="break-before: page">b</p>', RUNBOOK)
    reader = joined(engine, pages, runbook)
    texts = [page.extract_text() for page in reader.pages]
    assert "Page 1 of 4" in texts[0] and "Page 2 of 4" in texts[1]
    assert "of the handbook" not in texts[1]
    assert "Page 3 of 4 of the handbook" in texts[2]
    assert "Page 4 of 4 of the handbook" in texts[3]


def test_bookmarks_nest_across_pieces_a_runbook_s_one_level_down(engine: Engine) -> None:
    index = piece(engine, '<h1 style="bookmark-level: 1">Runbooks</h1>')
    runbook = piece(
        engine,
        '<h1 style="bookmark-level: 1">Oracle outage</h1><h2 style="bookmark-level: 2">Steps</h2>',
        RUNBOOK,
    )
    runbook = Piece(runbook.data, Notes(**{**runbook.notes.__dict__, "level_shift": 1}))
    after = piece(engine, '<h1 style="bookmark-level: 1">Policy</h1>')
    reader = joined(engine, index, runbook, after)

    def tree(items: list) -> list:
        out = []
        for item in items:
            if isinstance(item, list):
                out[-1] = (out[-1], tree(item))
            else:
                out.append(item.title)
        return out

    assert tree(reader.outline) == [
        "Contents",
        ("Runbooks", [("Oracle outage", ["Steps"])]),
        "Policy",
    ]


def test_page_numbers_count_from_the_front() -> None:
    notes = [
        Notes(2, PAGE, 0, {"a": (0, 0, 0), "b": (1, 0, 0)}, []),
        Notes(3, RUNBOOK, 1, {"c": (2, 0, 0)}, []),
    ]
    assert page_numbers(notes, 3) == {"a": 3, "b": 4, "c": 7}


@pytest.mark.parametrize(
    "kept",
    [
        None,
        {},
        {"pages": 1},
        {"pages": "x", "numbering": PAGE, "level_shift": 0, "anchors": {}, "bookmarks": []},
    ],
)
def test_notes_not_of_this_format_are_refused(kept: object) -> None:
    assert Notes.from_json(kept) is None
