"""Time to write every PDF: runbooks, break-glass cards and the whole handbook.

For the shipped handbook and synthetic handbooks of N runbooks (benchmarks/synthetic.py),
against a floor measured in the same run: WeasyPrint writing a one-line page, the least
any PDF costs. Each document is first written alone, one after another in one process
(time per runbook, per card, for the book); then the whole set as ``handbook pdf`` writes
it, in parallel processes (``handbook.pdf.default_jobs``).

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
from handbook.pdf import Engine, default_jobs, write_pdfs
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
    parallel_s: float


def measure(name: str, project: Path, sources: Sources, out: Path) -> Row:
    """Write every PDF of ``project`` one by one, then all at once; return the timings."""
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
        written = engine.write(doc, out / "alone")
        spent[kind] += time.perf_counter() - start
        pages[kind] += written.pages
        counts[kind] += 1
    start = time.perf_counter()
    write_pdfs(site, sources, out / "all")
    parallel_s = time.perf_counter() - start
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
        parallel_s=parallel_s,
    )


def main() -> None:
    """Print one row per handbook; times in seconds, per-document costs in ms."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100])
    parser.add_argument("--runs", type=int, default=5, help="runs of the floor")
    args = parser.parse_args()
    base = floor(args.runs)
    print(f"floor: WeasyPrint writes a one-line page in {1000 * base:.1f} ms")
    print(f"parallel: {default_jobs()} processes")
    print(
        f"{'handbook':>10} {'runbooks':>8} {'PDFs':>5} {'pages':>6} {'html s':>7} "
        f"{'ms/runbook':>10} {'x floor':>8} {'ms/card':>8} {'book s':>7} {'book pp':>7} "
        f"{'all alone s':>11} {'all parallel s':>14}"
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
            alone = row.runbooks_s + row.cards_s + row.book_s
            print(
                f"{row.name:>10} {row.runbooks:>8} {row.documents:>5} {row.pages:>6} "
                f"{row.html_s:>7.2f} {1000 * per_runbook:>10.0f} {per_runbook / base:>8.1f} "
                f"{1000 * row.cards_s / row.cards:>8.0f} {row.book_s:>7.2f} "
                f"{row.book_pages:>7} {alone:>11.2f} {row.parallel_s:>14.2f}"
            )


if __name__ == "__main__":
    main()
