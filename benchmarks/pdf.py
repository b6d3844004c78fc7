"""Time and peak memory of ``handbook pdf``: cold, then again after one runbook's edit.

For synthetic handbooks of N runbooks (benchmarks/synthetic.py with the shipped
``docs/``), each run as ``handbook pdf`` runs it, in a process of its own: every runbook,
card and the whole handbook, laid out by the pool of workers (one per core) into an empty
cache ("cold"); then one runbook's title edited and the command run again over the kept
cache ("title": that runbook, the pieces of the book that show the title and the book's
contents are laid out again); then one of its steps edited ("step": that runbook alone,
and the contents only if the pages after it moved). Peak
memory is the most the command's processes held at once (their resident sets summed,
sampled every 50 ms). The floor, measured in the same run, is WeasyPrint writing a
one-line page: the least any PDF costs.

    python -m benchmarks.pdf [--sizes 100 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic import generate

REPO = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")


def floor(runs: int) -> float:
    """Median time for WeasyPrint to lay out and write a one-line page (after a warm-up)."""
    import weasyprint

    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        weasyprint.HTML(string="<p>Page SecOps.</p>").write_pdf()
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def _tree_rss(root: int) -> int:
    """Bytes resident in ``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/statm", encoding="ascii") as statm:
                rss[int(entry)] = int(statm.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def handbook_pdf(project: Path, out: Path, cache: Path) -> tuple[float, int, str]:
    """Run ``handbook pdf``: (seconds, peak bytes of its processes, its last stderr line)."""
    command = [
        sys.executable,
        "-m",
        "handbook.cli",
        "pdf",
        "--out",
        str(out),
        "--cache",
        str(cache),
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    with subprocess.Popen(
        command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as process:
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        err = process.stderr.read() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"handbook pdf failed:\n{err}")
    return seconds, peak, err.strip().splitlines()[-1]


EDITS = {"title": "\ntitle: ", "step": "\n- text: "}  # what is edited: where it starts


def edit_one_runbook(project: Path, what: str) -> None:
    """Change the title or the first step of the first runbook (in its file)."""
    path = sorted((project / "data" / "runbooks").glob("*.yml"))[0]
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition(EDITS[what])
    path.write_text(head + sep + "Edited " + rest, encoding="utf-8")


def main() -> None:
    """Print one row per handbook and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100])
    parser.add_argument("--runs", type=int, default=5, help="runs of the floor")
    args = parser.parse_args()
    base = floor(args.runs)
    cores = len(os.sched_getaffinity(0))
    print(f"floor: WeasyPrint writes a one-line page in {1000 * base:.1f} ms; {cores} cores")
    print(
        f"{'runbooks':>8} {'run':>5} {'s':>8} {'s/runbook':>9} {'x floor':>8} "
        f"{'vs cold':>7} {'peak MiB':>8}  what was done"
    )
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes:
            project = generate(size, Path(scratch) / f"n{size}", site=True)
            out, cache = Path(scratch) / f"out{size}", Path(scratch) / f"cache{size}"
            cold = None
            for run in ("cold", *EDITS):
                if run in EDITS:
                    edit_one_runbook(project, run)
                seconds, peak, said = handbook_pdf(project, out, cache)
                cold = cold or seconds
                per = seconds / size
                print(
                    f"{size:>8} {run:>5} {seconds:>8.1f} {per:>9.3f} {per / base:>8.1f} "
                    f"{seconds / cold:>7.2f} {peak / 2**20:>8.0f}  {said}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
