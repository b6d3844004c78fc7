"""Build time of synthetic handbooks against a plain flat MkDocs build of as many pages.

For each N, a synthetic handbook of N runbooks (benchmarks/synthetic.py, with the shipped
mkdocs.yml, docs/ and macros/) is validated and built by ``handbook validate`` and
``handbook build``, and a plain project of the same number of simple Markdown pages, each
listed in one flat nav, is built by ``mkdocs build`` with mkdocs-material and its search:
the flat site every page of which renders the whole navigation. The three commands run
side by side, one after the other in each round, as separate processes (start-up and
imports included); each figure is the median of ``--runs`` rounds, and peak memory is the
largest resident set of one process. Then validation alone against its floor
(benchmarks/validation.py) and, when ``handbook pdf`` exists, the PDF time per runbook.

    python -m benchmarks.site [--sizes 10 100 1000] [--runs 3] [--validation-sizes 1000 5000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
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

from benchmarks import validation
from benchmarks.synthetic import generate
from handbook.pipeline import Project
from handbook.reader import Limits
from handbook.schemas import load_schemas

# A fixed build date: SOURCE_DATE_EPOCH makes every build of one project the same.
EPOCH = int(dt.datetime.combine(validation.TODAY, dt.time(), dt.UTC).timestamp())
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


def environment() -> dict[str, str]:
    """The environment of every measured process: reproducible, quiet, no PDFs in builds."""
    env = {k: v for k, v in os.environ.items() if k not in ("HANDBOOK_PDF", "HANDBOOK_AUDIENCE")}
    env.update(NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=str(EPOCH), PYTHONHASHSEED="0")
    return env


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


def handbook(project: Path, *arguments: str) -> list[str]:
    """The ``handbook`` command line on a project, with this interpreter."""
    return [sys.executable, "-m", "handbook.cli", "-C", str(project), *arguments]


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


def tree_bytes(folder: Path) -> int:
    """Total size of the files under ``folder`` (what a web server would hold)."""
    return sum(
        os.path.getsize(os.path.join(d, name)) for d, _, names in os.walk(folder) for name in names
    )


def page_count(site: Path) -> int:
    """The HTML pages of a built site with directory URLs (one ``index.html`` each)."""
    return sum(names.count("index.html") for _, _, names in os.walk(site))


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
    site_mb: float
    plain_mb: float


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
        tree_bytes(site) / 1e6,
        tree_bytes(plain_site) / 1e6,
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
        "--plain-pages",
        choices=("site", "runbooks"),
        default="site",
        help="plain build of as many pages as the handbook's site (default) or as runbooks",
    )
    args = parser.parse_args()
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
                f"site {row.site_mb:.0f} MB"
            )
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
