"""Validation time per record for synthetic handbooks, against a bare floor in the same run.

The floor loads the same files with libyaml's CSafeLoader and checks each against one
compiled Draft 2020-12 validator, nothing else: the least any validator must do. The
pipeline additionally keeps every position, refuses hostile YAML, resolves references
and runs the rules. "edit s" is validating again after one runbook file changed, reusing
the previous run for the files that did not (what ``handbook serve`` does on a save).

    python -m benchmarks.validation [--sizes 10 100 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import yaml

from benchmarks.synthetic import generate
from handbook.kinds import KINDS, Layout
from handbook.pipeline import Project, validate
from handbook.reader import Limits
from handbook.schemas import load_schemas

TODAY = dt.date(2026, 11, 23)


def floor(project: Project) -> int:
    """Load every data file with CSafeLoader and validate it; return the record count."""
    validators = load_schemas(project.schema_dir.resolve()).validators
    records = 0
    for kind in KINDS:
        target = project.data_dir / kind.location
        files = sorted(target.glob("*.yml")) if kind.layout is Layout.DIRECTORY else [target]
        files = [path for path in files if path.is_file()]  # an optional kind may be absent
        for path in files:
            data = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
            for _ in validators[kind.name].iter_errors(data):
                pass
            records += len(data) if isinstance(data, list) else 1
    return records


def pipeline(project: Project, limits: Limits | None = None) -> int:
    """Run the whole validation pipeline; fail loudly if the synthetic data is invalid."""
    result = validate(project, today=TODAY, limits=limits)
    if not result.ok:
        raise SystemExit(f"synthetic data invalid: {result.diagnostics[:3]}")
    return result.file_count


def revalidation(project: Project, runs: int, limits: Limits | None = None) -> float:
    """Median time to validate again after one runbook file changed (``handbook serve``).

    The run before the edit is kept, so the unchanged files are neither read nor checked
    against their schema again; references, the cross-file rules and the model are.
    """
    path = sorted((project.data_dir / "runbooks").glob("*.yml"))[0]
    original = path.read_text(encoding="utf-8")
    validate(project, today=TODAY, limits=limits, reuse=True)
    times = []
    try:
        for number in range(runs):
            path.write_text(original.replace("title: ", f"title: Edit {number} ", 1), "utf-8")
            start = time.perf_counter()
            result = validate(project, today=TODAY, limits=limits, reuse=True)
            times.append(time.perf_counter() - start)
            if not result.ok:
                raise SystemExit(f"edited data invalid: {result.diagnostics[:3]}")
    finally:
        path.write_text(original, encoding="utf-8")
    return statistics.median(times)


def median_time(action: Callable[[], object], runs: int) -> float:
    """Median wall time of ``runs`` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_memory(action: Callable[[], object]) -> float:
    """Peak traced memory of one call, in MiB."""
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    """Print one row per size: records, pipeline and floor medians, ratio, per-record cost."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'runbooks':>8} {'records':>8} {'pipeline s':>11} {'floor s':>8} "
        f"{'ratio':>6} {'ms/record':>10} {'peak MiB':>9} {'edit s':>7}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes:
            project = Project.at(generate(size, Path(scratch) / f"n{size}"))
            load_schemas(project.schema_dir.resolve())  # compile once, outside the timing
            records = floor(project)
            pipeline_s = median_time(lambda p=project: pipeline(p), args.runs)
            floor_s = median_time(lambda p=project: floor(p), args.runs)
            peak = peak_memory(lambda p=project: pipeline(p))
            again = revalidation(project, args.runs)
            print(
                f"{size:>8} {records:>8} {pipeline_s:>11.3f} {floor_s:>8.3f} "
                f"{pipeline_s / floor_s:>6.2f} {1000 * pipeline_s / records:>10.3f} "
                f"{peak:>9.1f} {again:>7.3f}"
            )


if __name__ == "__main__":
    main()
