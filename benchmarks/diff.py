"""Policy diff time for synthetic handbooks, against reading both sides in the same run.

The floor is what every diff must do: read both states of the data with the strict reader
(``load_data``). The diff then matches records, reads references to renamed ones under
their new ids, compares and judges every field. Three pull requests are timed on each
size: one runbook edited, a team id renamed across every record that names it, and a tenth
of the runbooks renamed (their ids changed, each found again by likeness or title).

    python -m benchmarks.diff [--sizes 100 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks.synthetic import generate
from benchmarks.validation import median_time
from handbook.diff import diff_data
from handbook.load import LoadedData, load_data


def one_edit(data: Path) -> None:
    """One runbook's title edited."""
    path = sorted((data / "runbooks").glob("*.yml"))[0]
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: Edit ", 1))


def team_renamed(data: Path) -> None:
    """The ``secops`` team renamed everywhere it is named."""
    naming = re.compile(r"^(\s*(?:- )?(?:id|team|owner|fallback_team): )secops$", re.M)
    for path in data.rglob("*.yml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(naming.sub(r"\1security-ops", text), encoding="utf-8")


def tenth_renamed(data: Path) -> None:
    """Every tenth runbook under a new id and file."""
    for path in sorted((data / "runbooks").glob("runbook-*0.yml")):
        old = path.stem
        text = path.read_text(encoding="utf-8").replace(f"id: {old}\n", f"id: {old}-renamed\n")
        path.unlink()
        (path.parent / f"{old}-renamed.yml").write_text(text, encoding="utf-8")


SCENARIOS: dict[str, Callable[[Path], None]] = {
    "one runbook edited": one_edit,
    "team renamed": team_renamed,
    "10% runbooks renamed": tenth_renamed,
}


def read(project: Path) -> LoadedData:
    """One side, read as the diff reads it."""
    return load_data(project / "data", project)


def main() -> None:
    """Print one row per size and scenario: changes found, diff time, floor, ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'runbooks':>8} {'scenario':<22} {'changes':>8} {'diff s':>7} {'floor s':>8} {'ratio':>6}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes:
            base = generate(size, Path(scratch) / f"n{size}")
            for name, change in SCENARIOS.items():
                head = Path(scratch) / f"n{size}-head"
                shutil.rmtree(head, ignore_errors=True)
                shutil.copytree(base, head)
                change(head / "data")
                floor_s = median_time(lambda b=base, h=head: (read(b), read(h)), args.runs)
                total_s = median_time(lambda b=base, h=head: diff_data(read(b), read(h)), args.runs)
                changes = len(diff_data(read(base), read(head)))
                print(
                    f"{size:>8} {name:<22} {changes:>8} {total_s:>7.3f} {floor_s:>8.3f} "
                    f"{total_s / floor_s:>6.2f}"
                )


if __name__ == "__main__":
    main()
