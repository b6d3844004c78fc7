"""Build time of synthetic handbooks against a plain flat MkDocs build of as many pages.

For each N, a synthetic handbook of N runbooks (benchmarks/synthetic.py, with the shipped
mkdocs.yml, docs/ and macros/) is validated and built by ``handbook validate`` and
``handbook build``, and a plain project of the same number of simple Markdown pages, each
listed in one flat nav, is built by ``mkdocs build`` with mkdocs-material and its search:
the flat site every page of which renders the whole navigation. The three commands run
side by side, one after the other in each round, as separate processes (start-up and
imports included); each figure is the median of ``--runs`` rounds, and peak memory is the
largest resident set of one process. Then what each site weighs on disk, by kind (HTML
pages, search index, assets, go-bag, PDFs) and inside a runbook page of median size (theme
header, navigation, table of contents, content, inline scripts and icons, whitespace), the
plain site alongside; validation alone against its floor (benchmarks/validation.py) and,
when ``handbook pdf`` exists, the PDF time per runbook.

    python -m benchmarks.site [--sizes 10 100 1000] [--runs 3] [--validation-sizes 1000 5000]
    python -m benchmarks.site --weigh SITE [SITE ...]   # the weight of sites already built
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from benchmarks import gobag, validation
from benchmarks.commands import environment, handbook
from benchmarks.synthetic import generate
from handbook import markup
from handbook.pipeline import Project
from handbook.reader import Limits
from handbook.schemas import load_schemas
from handbook.site import OFFLINE_PAGE

PDF_SIZE = 100
# From about 2,500 runbooks, the one-file kinds (signals, interventions, risks) outgrow the
# reader's per-file caps (1 MiB, 100,000 nodes) and are refused; validation at 5,000 is
# timed with the caps raised. The caps are compared, never scanned: the cost is the same.
SCALE_LIMITS = Limits(max_bytes=16 * 2**20, max_nodes=2_000_000)


@dataclass(frozen=True)
class Timed:
    """One process: wall time and the peak resident memory of that process alone."""

    seconds: float
    peak_mib: float


def run(command: Sequence[str], cwd: Path) -> Timed:
    """Run a command to completion; its wall time and its own peak RSS (from ``wait4``)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    errors = process.stderr.read()  # drained while it runs, so a full pipe cannot block it
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{errors.decode(errors='replace')[-3000:]}")
    return Timed(seconds, usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux


def plain_project(pages: int, target: Path) -> Path:
    """A plain MkDocs project: ``pages`` short runbook-like pages, all in one flat nav."""
    docs = target / "docs"
    if target.exists():
        shutil.rmtree(target)
    docs.mkdir(parents=True)
    nav = []
    for number in range(pages):
        (docs / f"page-{number}.md").write_text(
            f"# Synthetic incident type {number}\n\n"
            f"What to do when synthetic component {number} misbehaves.\n\n"
            "## Symptoms\n\n- Error rate rises above the alert threshold.\n"
            "- Users report failures.\n\n"
            "## Immediate actions\n\n1. Acknowledge the page and open the incident channel.\n"
            "2. Confirm the severity against the matrix.\n\n"
            "## Mitigation\n\nSwitch traffic to the standby and watch the error rate.\n",
            encoding="utf-8",
        )
        nav.append(f"  - 'Page {number}': page-{number}.md")
    (target / "mkdocs.yml").write_text(
        "site_name: Plain\ntheme:\n  name: material\nplugins:\n  - search\nnav:\n"
        + "\n".join(nav)
        + "\n",
        encoding="utf-8",
    )
    return target


def page_count(site: Path) -> int:
    """The HTML pages of a built site with directory URLs (one ``index.html`` each)."""
    return sum(names.count("index.html") for _, _, names in os.walk(site))


# The parts of a Material page, each the element that opens with the marker.
PAGE_PARTS = {
    "header": ('<header class="md-header', "header"),
    "nav": ('<nav class="md-nav md-nav--primary"', "nav"),
    "toc": ('<nav class="md-nav md-nav--secondary"', "nav"),
    "content": ('<article class="md-content__inner', "article"),
    "footer": ('<footer class="md-footer', "footer"),
}
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\ssrc=)[^>]*>.*?</script>", re.S)
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def element_bytes(html: str, marker: str, tag: str) -> int:
    """Bytes of the element that opens with ``marker`` through its matching end tag; 0 if none."""
    start = html.find(marker)
    if start < 0:
        return 0
    depth, position = 0, start
    tags = re.compile(rf"<(/?){tag}\b[^>]*>")
    for found in tags.finditer(html, start):
        depth += -1 if found.group(1) else 1
        position = found.end()
        if depth == 0:
            break
    return len(html[start:position].encode())


def anatomy(page: Path) -> dict[str, int]:
    """Bytes of one page by part: the whole, each theme part, inline scripts, icons, spaces.

    Scripts, icons and whitespace are counted wherever they are, inside the parts too.
    """
    html = page.read_text(encoding="utf-8")
    parts = {"page": len(html.encode())}
    parts.update({name: element_bytes(html, *where) for name, where in PAGE_PARTS.items()})
    parts["inline scripts"] = sum(len(s.encode()) for s in _INLINE_SCRIPT.findall(html))
    parts["inline icons"] = sum(len(s.encode()) for s in _SVG.findall(html))
    # What the build's squeeze takes out (nothing, once the build squeezes its pages).
    parts["whitespace"] = len(html) - len(markup.squeeze(html))
    return parts


@dataclass(frozen=True)
class Weight:
    """What a built site weighs on disk, by kind, and a runbook page of median size."""

    total: int  # every file: what a web server holds
    pages: int
    html: int  # every HTML page but the go-bag
    page_median: int
    search: int  # search/search_index.json
    search_gzip: int  # what a reader's browser downloads from a server that compresses
    assets: int
    go_bag: int
    pdfs: int
    parts: dict[str, int]  # anatomy() of the runbook page (any page: plain) of median size
    sample: str  # that page, relative to the site

    @property
    def other(self) -> int:
        """The rest: sitemaps, the tags file, downloads."""
        return self.total - self.html - self.search - self.assets - self.go_bag - self.pdfs


def weigh(site: Path) -> Weight:
    """The weight of a built site: bytes by kind and the anatomy of a median runbook page."""
    sizes: dict[str, int] = {}
    for folder, _, names in os.walk(site):
        for name in names:
            path = os.path.join(folder, name)
            sizes[os.path.relpath(path, site).replace(os.sep, "/")] = os.path.getsize(path)
    pages = {p: b for p, b in sizes.items() if p.endswith(".html") and p != OFFLINE_PAGE}
    listed = {p: b for p, b in pages.items() if p.endswith("index.html")}
    runbooks = {p: b for p, b in listed.items() if p.startswith("runbooks/") and p.count("/") == 2}
    pool = sorted((runbooks or listed).items(), key=lambda item: (item[1], item[0]))
    sample = pool[len(pool) // 2][0] if pool else ""
    index = site / "search" / "search_index.json"
    return Weight(
        total=sum(sizes.values()),
        pages=len(listed),
        html=sum(pages.values()),
        page_median=int(statistics.median(listed.values())) if listed else 0,
        search=sizes.get("search/search_index.json", 0),
        search_gzip=len(gzip.compress(index.read_bytes(), 6)) if index.is_file() else 0,
        assets=sum(b for p, b in sizes.items() if p.startswith("assets/")),
        go_bag=sizes.get(OFFLINE_PAGE, 0),
        pdfs=sum(b for p, b in sizes.items() if p.endswith(".pdf")),
        parts=anatomy(site / sample) if sample else {},
        sample=sample,
    )


def megabytes(count: int) -> str:
    """Bytes as MB with one decimal (two below 10 MB, KB below 1 MB), or a dash for none."""
    if count < 1e6:
        return kilobytes(count)
    return f"{count / 1e6:.2f} MB" if count < 10e6 else f"{count / 1e6:.1f} MB"


def kilobytes(count: int) -> str:
    """Bytes as KB with one decimal, or a dash for none."""
    return f"{count / 1e3:.1f} KB" if count else "-"


def print_weights(label: str, site: Weight, plain: Weight | None = None) -> None:
    """One site's weight by kind and its median runbook page by part, the plain one beside."""
    other = plain or site
    print(
        f"\n{label}: bytes on disk{', a plain flat build beside' if plain else ''}\n"
        f"  {'kind':<30} {'handbook':>11} {'share':>6}" + (f"{'plain':>12}" if plain else "")
    )
    rows = [
        ("total", site.total, other.total),
        (f"HTML pages ({site.pages})", site.html, other.html),
        ("HTML page, median", site.page_median, other.page_median),
        ("search index", site.search, other.search),
        ("search index, gzip", site.search_gzip, other.search_gzip),
        ("assets", site.assets, other.assets),
        ("go-bag offline.html", site.go_bag, other.go_bag),
        ("PDFs", site.pdfs, other.pdfs),
        ("other", site.other, other.other),
    ]
    for name, mine, theirs in rows:
        small = name.endswith("median")
        shown = kilobytes(mine) if small else megabytes(mine)
        share = "" if small or "gzip" in name or not mine else f"{100 * mine / site.total:5.1f}%"
        beside = f"{kilobytes(theirs) if small else megabytes(theirs):>12}" if plain else ""
        print(f"  {name:<30} {shown:>11} {share:>6}{beside}")
    if not site.parts:
        return
    print(
        f"  a page of median size, {site.sample}"
        + (f" (plain: {plain.sample})" if plain and plain.sample else "")
    )
    for name, mine in site.parts.items():
        share = f"{100 * mine / site.parts['page']:5.1f}%"
        beside = f"{kilobytes(plain.parts.get(name, 0)):>12}" if plain else ""
        print(f"    {name:<28} {kilobytes(mine):>11} {share:>6}{beside}")


def fresh(site: Path) -> Path:
    """Remove a previous build, outside the timing (each run builds from nothing)."""
    if site.exists():
        shutil.rmtree(site)
    return site


def median(values: list[Timed]) -> Timed:
    """Median time and the highest peak of several runs."""
    return Timed(statistics.median(t.seconds for t in values), max(t.peak_mib for t in values))


@dataclass(frozen=True)
class Row:
    """The figures of one size."""

    runbooks: int
    pages: int
    validate: Timed
    build: Timed
    plain: Timed
    plain_pages: int
    weight: Weight
    plain_weight: Weight
    go_bag: gobag.GoBagRow  # its time to usable on a throttled phone

    @property
    def site_mb(self) -> float:
        """The handbook's site, in MB."""
        return self.weight.total / 1e6

    @property
    def plain_mb(self) -> float:
        """The plain site, in MB."""
        return self.plain_weight.total / 1e6


def measure(size: int, runs: int, scratch: Path, plain_pages: str) -> Row:
    """Validate, build and build plain, ``runs`` rounds side by side."""
    project = generate(size, scratch / f"handbook-{size}", site=True)
    site = scratch / f"site-{size}"
    plain_site = scratch / f"plain-{size}" / "site"
    validates, builds, plains = [], [], []
    pages = count = 0
    for _ in range(runs):
        validates.append(run(handbook(project, "validate"), scratch))
        builds.append(run(handbook(project, "build", "--site-dir", str(fresh(site))), scratch))
        if not pages:  # the plain project gets as many pages as the first build wrote
            pages = page_count(site)
            count = pages if plain_pages == "site" else size
            plain_project(count, plain_site.parent)
        command = [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(fresh(plain_site))]
        plains.append(run(command, plain_site.parent))
    row = Row(
        size,
        pages,
        median(validates),
        median(builds),
        median(plains),
        count,
        weigh(site),
        weigh(plain_site),
        gobag.measure_go_bag(site, runs),
    )
    for folder in (project, site, plain_site.parent):
        shutil.rmtree(folder)
    return row


def has_pdf_command() -> bool:
    """Whether this checkout's ``handbook`` has a ``pdf`` command."""
    shown = subprocess.run(
        [sys.executable, "-m", "handbook.cli", "--help"],
        capture_output=True,
        text=True,
        check=False,
        env=environment(),
    ).stdout
    return any(line.split()[:1] == ["pdf"] for line in shown.splitlines())


def measure_pdf(size: int, runs: int, scratch: Path) -> Timed:
    """``handbook pdf`` (runbooks, cards and the whole handbook) on an N-runbook project."""
    project = generate(size, scratch / f"pdf-{size}", site=True)
    out = scratch / f"pdf-out-{size}"
    times = [run(handbook(project, "pdf", "--out", str(fresh(out))), scratch) for _ in range(runs)]
    shutil.rmtree(project)
    shutil.rmtree(out)
    return median(times)


def validation_rows(sizes: list[int], runs: int, scratch: Path) -> None:
    """In-process validation against its floor (benchmarks/validation.py's functions)."""
    print(
        f"\nvalidation in one process (benchmarks/validation.py; per-file caps raised to "
        f"{SCALE_LIMITS.max_bytes // 2**20} MiB and {SCALE_LIMITS.max_nodes:,} nodes), "
        f"medians of {runs}\n"
        f"{'runbooks':>8} {'records':>8} {'pipeline s':>11} {'floor s':>8} {'ratio':>6} "
        f"{'ms/record':>10} {'peak MiB':>9} {'edit s':>7}"
    )
    for size in sizes:
        project = Project.at(generate(size, scratch / f"validation-{size}"))
        load_schemas(project.schema_dir.resolve())
        records = validation.floor(project)
        run_pipeline = partial(validation.pipeline, project, SCALE_LIMITS)
        pipeline_s = validation.median_time(run_pipeline, runs)
        floor_s = validation.median_time(partial(validation.floor, project), runs)
        peak = validation.peak_memory(run_pipeline)
        again = validation.revalidation(project, runs, SCALE_LIMITS)
        print(
            f"{size:>8} {records:>8} {pipeline_s:>11.3f} {floor_s:>8.3f} "
            f"{pipeline_s / floor_s:>6.2f} {1000 * pipeline_s / records:>10.3f} {peak:>9.1f} "
            f"{again:>7.3f}",
            flush=True,
        )
        shutil.rmtree(project.root)


def main() -> None:
    """Print the build table, the ratios, validation against its floor and PDF time."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--validation-sizes", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument(
        "--weigh",
        type=Path,
        nargs="+",
        metavar="SITE",
        help="only print the weight of sites already built (folders), then stop",
    )
    parser.add_argument(
        "--plain-pages",
        choices=("site", "runbooks"),
        default="site",
        help="plain build of as many pages as the handbook's site (default) or as runbooks",
    )
    args = parser.parse_args()
    if args.weigh:
        for site in args.weigh:
            print_weights(str(site), weigh(site))
        return
    print(
        f"site builds, separate processes, medians of {args.runs} (peak: largest RSS of one)\n"
        f"{'runbooks':>8} {'pages':>6} {'validate s':>10} {'build s':>8} {'MiB':>5} "
        f"{'plain pages':>11} {'plain s':>8} {'MiB':>5} {'build/plain':>11} "
        f"{'site MB':>8} {'KB/page':>8} {'plain MB':>8}",
        flush=True,
    )
    rows: dict[int, Row] = {}
    with tempfile.TemporaryDirectory(prefix="handbook-site-bench-") as folder:
        scratch = Path(folder)
        for size in args.sizes:
            row = rows[size] = measure(size, args.runs, scratch, args.plain_pages)
            plain = row.plain
            print(
                f"{size:>8} {row.pages:>6} {row.validate.seconds:>10.2f} "
                f"{row.build.seconds:>8.2f} {row.build.peak_mib:>5.0f} {row.plain_pages:>11} "
                f"{plain.seconds:>8.2f} {plain.peak_mib:>5.0f} "
                f"{row.build.seconds / plain.seconds:>11.2f} {row.site_mb:>8.1f} "
                f"{1000 * row.site_mb / row.pages:>8.1f} {row.plain_mb:>8.1f}",
                flush=True,
            )
        if 100 in rows and 1000 in rows:
            growth = rows[1000].build.seconds / rows[100].build.seconds
            print(f"\nbuild(1000)/build(100) = {growth:.2f} (linear is about 10; aim: at most 12)")
        if 1000 in rows:
            row = rows[1000]
            print(
                f"build/plain at 1,000 runbooks = {row.build.seconds / row.plain.seconds:.2f} "
                f"against {row.plain_pages} flat pages (aim: at most 0.3); "
                f"site {row.site_mb:.0f} MB (aim: 50)"
            )
        for size, row in rows.items():
            print_weights(f"{size} runbooks", row.weight, row.plain_weight)
        print(
            f"\ngo-bag from file:// on a throttled phone (benchmarks/gobag.py), "
            f"medians of {args.runs}"
        )
        print(gobag.TABLE_HEAD)
        for size, row in rows.items():
            print(gobag.table_row(f"{size} runbooks", row.go_bag))
        if args.validation_sizes:
            validation_rows(args.validation_sizes, args.runs, scratch)
        if has_pdf_command():
            pdf = measure_pdf(PDF_SIZE, args.runs, scratch)
            print(
                f"\npdf: handbook pdf on {PDF_SIZE} runbooks (runbooks, cards and the whole "
                f"handbook) {pdf.seconds:.2f} s, {pdf.seconds / PDF_SIZE:.3f} s per runbook "
                f"(aim: at most 0.1), peak {pdf.peak_mib:.0f} MiB"
            )
        else:
            print("\npdf: not available")


if __name__ == "__main__":
    main()
