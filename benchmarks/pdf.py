"""Time to write every PDF: runbooks, break-glass cards and the whole handbook.

For the shipped handbook and synthetic handbooks of N runbooks (benchmarks/synthetic.py),
against a floor measured in the same run: WeasyPrint writing a one-line page, the least
any PDF costs. Every document is written as ``handbook pdf`` writes it, one after another
with one engine, and timed: per runbook, per card, the whole handbook, and in all (the
print HTML included).

    python -m benchmarks.pdf [--sizes 100] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.synthetic import generate
from handbook.book import Sources, read_sources
from handbook.pages import build_date
from handbook.pdf import Engine
from handbook.pipeline import Project, validate
from handbook.print_html import Printer
from handbook.site import Site

REPO = Path(__file__).resolve().parent.parent


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
    pages: int
    html_s: float
    runbooks_s: float
    cards_s: float
    cards: int
    book_s: float
    book_pages: int


def measure(name: str, project: Path, sources: Sources, out: Path) -> Row:
    """Write every PDF of ``project``, timing each; return the timings."""
    result = validate(Project.at(project))
    if result.handbook is None or not result.ok:
        raise SystemExit(f"{name}: invalid data")
    site = Site(result.handbook, build_date())
    start = time.perf_counter()
    docs = Printer.of(site, sources).documents(sources)
    html_s = time.perf_counter() - start
    engine = Engine()
    engine.layout(docs[0])  # warm-up: fonts and stylesheets
    spent = {"runbooks": 0.0, "cards": 0.0, "book": 0.0}
    pages = {"runbooks": 0, "cards": 0, "book": 0}
    counts = {"runbooks": 0, "cards": 0, "book": 0}
    for doc in docs:
        kind = doc.name.split("/")[0] if "/" in doc.name else "book"
        start = time.perf_counter()
        written = engine.write(doc, out)
        spent[kind] += time.perf_counter() - start
        pages[kind] += written.pages
        counts[kind] += 1
    return Row(
        name=name,
        runbooks=counts["runbooks"],
        documents=len(docs),
        pages=sum(pages.values()),
        html_s=html_s,
        runbooks_s=spent["runbooks"],
        cards_s=spent["cards"],
        cards=counts["cards"],
        book_s=spent["book"],
        book_pages=pages["book"],
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
        f"{'handbook':>10} {'runbooks':>8} {'PDFs':>5} {'pages':>6} {'html s':>7} "
        f"{'ms/runbook':>10} {'x floor':>8} {'ms/card':>8} {'book s':>7} {'book pp':>7} "
        f"{'all s':>7}"
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
            per_runbook = row.runbooks_s / row.runbooks
            total = row.html_s + row.runbooks_s + row.cards_s + row.book_s
            print(
                f"{row.name:>10} {row.runbooks:>8} {row.documents:>5} {row.pages:>6} "
                f"{row.html_s:>7.2f} {1000 * per_runbook:>10.0f} {per_runbook / base:>8.1f} "
                f"{1000 * row.cards_s / row.cards:>8.0f} {row.book_s:>7.2f} "
                f"{row.book_pages:>7} {total:>7.2f}"
            )


if __name__ == "__main__":
    main()
