"""Time to write every PDF: runbooks, break-glass cards and the whole handbook.

For the shipped handbook and synthetic handbooks of N runbooks (benchmarks/synthetic.py),
against a floor measured in the same run: WeasyPrint writing a one-line page, the least
any PDF costs. First ``write_pdfs`` as ``handbook pdf`` runs it ("all": the whole
handbook laid out once with every runbook cut out of it, the cards in a second process
when there is a second core, the print HTML included), then its steps one after another
in this process: the book's layout, cutting out and writing the runbooks, writing the
book, and the cards (each laid out on its own, as in the second process).

    python -m benchmarks.pdf [--sizes 100] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from benchmarks.synthetic import generate
from handbook.book import render_book
from handbook.editions import build_date
from handbook.pdf import Engine, cut, part_pages, save, write_cards, write_pdfs
from handbook.pipeline import Project, validate
from handbook.print_html import Printer, online_target
from handbook.site import Site
from handbook.site_sources import Sources, read_sources

REPO = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def floor(runs: int) -> float:
    """Median time for WeasyPrint to lay out and write a one-line page (after a warm-up)."""
    import weasyprint

    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        weasyprint.HTML(string="<p>Page SecOps.</p>").write_pdf()
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


@dataclass
class Row:
    """The figures of one handbook."""

    name: str
    runbooks: int
    documents: int
    all_s: float
    layout_s: float
    book_pages: int
    runbooks_s: float
    book_s: float
    cards_s: float
    cards: int


def _timed(task: Callable[[], T]) -> tuple[T, float]:
    """``task``'s result and the seconds it took."""
    start = time.perf_counter()
    value = task()
    return value, time.perf_counter() - start


def measure(name: str, project: Path, sources: Sources, out: Path) -> Row:
    """Write every PDF of ``project``, then each step on its own; return the timings."""
    result = validate(Project.at(project))
    if result.handbook is None or not result.ok:
        raise SystemExit(f"{name}: invalid data")
    site = Site(result.handbook, build_date())
    Engine().render(Printer.of(site, sources).runbooks([site.handbook.runbooks[0].id]))  # warm
    written, all_s = _timed(lambda: write_pdfs(site, sources, out / "all"))

    printer = Printer.of(site, sources)
    book = printer.book(render_book(site, sources, site.handbook.info.public_url))
    rendered, layout_s = _timed(lambda: Engine().render(book))
    ranges = part_pages(rendered, book)
    outside = partial(online_target, site, book.pages)
    _, runbooks_s = _timed(
        lambda: [
            save(cut(rendered, part, ranges[part.name], outside), out / part.name)
            for part in book.parts
        ]
    )
    _, book_s = _timed(lambda: save(rendered, out / "handbook.pdf"))
    cards, cards_s = _timed(lambda: write_cards(printer, out, "a4"))
    return Row(
        name=name,
        runbooks=len(book.parts),
        documents=len(written),
        all_s=all_s,
        layout_s=layout_s,
        book_pages=len(rendered.pages),
        runbooks_s=runbooks_s,
        book_s=book_s,
        cards_s=cards_s,
        cards=len(cards),
    )


def main() -> None:
    """Print one row per handbook; times in seconds, per-document costs in ms."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100])
    parser.add_argument("--runs", type=int, default=5, help="runs of the floor")
    args = parser.parse_args()
    base = floor(args.runs)
    print(f"floor: WeasyPrint writes a one-line page in {1000 * base:.1f} ms")
    print(
        f"{'handbook':>10} {'runbooks':>8} {'PDFs':>5} {'all s':>7} {'s/runbook':>9} "
        f"{'x floor':>8} {'layout s':>8} {'book pp':>7} {'cut ms/rb':>9} {'write s':>7} "
        f"{'cards s':>7} {'ms/card':>7}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        projects = [("shipped", REPO)]
        projects += [
            (f"{size}", generate(size, Path(scratch) / f"n{size}", site=True))
            for size in args.sizes
        ]
        for name, project in projects:
            sources = read_sources(project / "mkdocs.yml")
            row = measure(name, project, sources, Path(scratch) / f"out-{name}")
            per_runbook = row.all_s / row.runbooks
            print(
                f"{row.name:>10} {row.runbooks:>8} {row.documents:>5} {row.all_s:>7.2f} "
                f"{per_runbook:>9.3f} {per_runbook / base:>8.1f} {row.layout_s:>8.2f} "
                f"{row.book_pages:>7} {1000 * row.runbooks_s / row.runbooks:>9.0f} "
                f"{row.book_s:>7.2f} {row.cards_s:>7.2f} {1000 * row.cards_s / row.cards:>7.0f}"
            )


if __name__ == "__main__":
    main()
