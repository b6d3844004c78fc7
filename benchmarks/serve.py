"""Time from saving a runbook file to ``handbook serve`` serving its page with the edit.

For each N, ``handbook serve`` runs on a free port over a synthetic handbook of N
runbooks (benchmarks/synthetic.py with the site set-up). After its first build, the title
of one runbook file is changed and saved, and the clock runs until the served HTML of that
runbook's page carries the new title: change detection (MkDocs polls the watched folders
every 0.5 s), validation, the rebuild and the reload, as an author previewing an edit
waits for them. The server holds requests while it rebuilds, so the page is never read
half built.

    python -m benchmarks.serve [--sizes 100 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from benchmarks.commands import environment, handbook
from benchmarks.synthetic import generate

TIMEOUT = 900.0  # seconds: a first build of 1,000 runbooks on a busy machine
POLL = 0.05
_TITLE = re.compile(r"^title: .*$", re.MULTILINE)
# What the server logs after each page-level rebuild.
_REBUILT = re.compile(r"Rebuilt ([0-9]+) of ([0-9]+) pages in ([0-9.]+) s")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str | None:
    """The body of ``url``, or None while the server is not answering."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(url: str, text: str, server: subprocess.Popen[bytes]) -> float:
    """Seconds until the page at ``url`` contains ``text``; fails if the server dies."""
    start = time.perf_counter()
    while time.perf_counter() - start < TIMEOUT:
        if server.poll() is not None:
            raise SystemExit(f"handbook serve exited with status {server.returncode}")
        body = fetch(url)
        if body is not None and text in body:
            return time.perf_counter() - start
        time.sleep(POLL)
    raise SystemExit(f"{url} did not show {text!r} within {TIMEOUT:.0f} s")


def measure(size: int, runs: int, scratch: Path) -> tuple[float, list[float], list[str]]:
    """First build, save-to-reload times of ``runs`` edits, the server's rebuild log lines."""
    project = generate(size, scratch / f"serve-{size}", site=True)
    port = free_port()
    log_path = scratch / f"serve-{size}.log"
    log = log_path.open("wb")
    server = subprocess.Popen(
        handbook(project, "serve", "--dev-addr", f"127.0.0.1:{port}"),
        cwd=scratch,
        env=environment(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/runbooks/runbook-0/"
    source = project / "data" / "runbooks" / "runbook-0.yml"
    try:
        first = wait_for(url, "Synthetic incident type 0", server)
        times = []
        for number in range(runs):
            time.sleep(1.0)  # let the watcher settle between edits
            title = f"Edited incident type {number} at {time.time_ns()}"
            text = _TITLE.sub(f"title: {title}", source.read_text(encoding="utf-8"), count=1)
            source.write_text(text, encoding="utf-8")  # what an editor's save does
            times.append(wait_for(url, title, server))
        time.sleep(0.5)  # the log line follows the reload
        rebuilt = _REBUILT.findall(log_path.read_text(encoding="utf-8", errors="replace"))
        return (
            first,
            times,
            [f"{pages}/{total} pages {seconds} s" for pages, total, seconds in rebuilt],
        )
    finally:
        server.send_signal(signal.SIGINT)  # MkDocs shuts down cleanly on Ctrl-C
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(project)


def main() -> None:
    """Print the first build and the median save-to-reload time per size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"handbook serve: save one runbook file -> its page served with the edit "
        f"(median of {args.runs})\n"
        f"{'runbooks':>8} {'first build s':>13} {'save->reload s':>14} {'min s':>6} {'max s':>6}"
        "  rebuilt (server log)",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="handbook-serve-bench-") as folder:
        for size in args.sizes:
            first, times, rebuilt = measure(size, args.runs, Path(folder))
            print(
                f"{size:>8} {first:>13.2f} {statistics.median(times):>14.2f} "
                f"{min(times):>6.2f} {max(times):>6.2f}  {'; '.join(rebuilt)}",
                flush=True,
            )


if __name__ == "__main__":
    sys.exit(main())
