"""How soon the go-bag (``site/offline.html``) shows whom to call, on a slow phone.

Each figure comes from Debian's Chromium driven by Playwright: a 390x844 touch screen,
the CPU slowed fourfold (CDP ``Emulation.setCPUThrottlingRate``), no network, the file
opened from disk in a fresh context. Measured from the start of the navigation:

- call: when the first ``tel:`` link (the home page's "Call" box for the top severity)
  is painted, from the Element Timing API (the probe marks the link as the parser
  inserts it);
- usable: when, after the ``load`` event, a frame has been drawn and a task has run: the
  whole handbook is in the page and the main thread is free to answer find-in-page, a
  tap on the contents or a scroll;
- quiet: the end of the last long task (50 ms or more) before 3 s without one, as
  time-to-interactive counts: whatever runs after ``load`` (such as Mermaid drawing the
  diagrams, as it did on every load before #18) included;
- requests: whatever the page asked for beyond the file itself (the go-bag's must be 0).

The floor, measured in the same run and the same browser, is a plain HTML file of the
same byte size holding only text, a ``tel:`` link first, then sections of paragraphs that
are laid out only near the screen (``content-visibility: auto``, as the go-bag's pages):
the least a browser must do to hold that many bytes of text, searchable, in one page
(read, parse, build the document), with no style, table, link or script to speak of. A
floor laid out whole would be no floor: a 19 MB one takes longer than the go-bag. The
shipped go-bag is no floor either: it changes with the handbook. Each figure is the
median of ``--runs`` loads, go-bag and floor taking turns (ratios against a floor of the
same run, as the machine is shared).

    python -m benchmarks.gobag [--sizes 9 1000] [--runs 3] [--site SITE_DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.commands import environment, handbook
from benchmarks.synthetic import generate
from handbook.site import OFFLINE_PAGE

# The browser tests' Chromium and flags (tests/conftest.py).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip
PHONE = {"width": 390, "height": 844}  # CSS pixels: a phone held upright
THROTTLE = 4
TIMEOUT = 600_000  # ms: the go-bag of 1,000 runbooks took 81 s here before #18
# Runs before the page's own scripts (CDP, so the file's CSP does not apply to it). The
# mutation observer only watches until the first tel: link is in, a few KB into the file.
PROBE = """(() => {
  const times = (window.__goBag = {});
  // Chromium times text by the block that holds it (the link's li, p or td): the link
  // and its ancestors are marked, and the first of them painted holding it counts.
  const mark = () => {
    const link = document.querySelector('a[href^="tel:"]');
    for (let node = link; node && node !== document.body; node = node.parentElement) {
      node.setAttribute("elementtiming", "call");
    }
    return Boolean(link);
  };
  const watch = new MutationObserver(() => { if (mark()) { watch.disconnect(); } });
  watch.observe(document, { childList: true, subtree: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.identifier === "call" && times.call === undefined) {
        times.call = entry.renderTime || entry.loadTime;
      }
    }
  }).observe({ type: "element", buffered: true });
  times.busy = 0;  // when the last long task (50 ms or more) ended
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      times.busy = Math.max(times.busy, entry.startTime + entry.duration);
    }
  }).observe({ type: "longtask", buffered: true });
  addEventListener("load", () => {
    times.load = performance.now();
    requestAnimationFrame(() => setTimeout(() => { times.usable = performance.now(); }));
  });
})();"""
# Loaded, and no long task for a while since.
_QUIET = """(quiet) => {
  const times = window.__goBag;
  return times.usable !== undefined &&
    performance.now() - Math.max(times.usable, times.busy) > quiet;
}"""
# Where the call link ended up: it must be on the first screen.
_CALL_BOX = """() => {
  const box = document.querySelector('a[href^="tel:"]').getBoundingClientRect();
  return box.top >= 0 && box.bottom <= innerHeight;
}"""
QUIET_MS = 3000
_FILLER = (
    "<p>Plain text of the same size as the go-bag, the least the browser must read, "
    "parse and hold: no style, no table, no script, no list and no link.</p>\n"
)
_FLOOR_SECTION = 20  # paragraphs: about a record page's size


@dataclass(frozen=True)
class Load:
    """One load of a file, in seconds from the start of the navigation."""

    call: float
    usable: float
    quiet: float
    requests: int


@dataclass(frozen=True)
class GoBagRow:
    """A go-bag against its floor (medians), the file's size and what it requested."""

    megabytes: float
    call: float
    usable: float
    quiet: float
    floor_call: float
    floor_usable: float
    requests: int


def floor_file(size: int, target: Path) -> Path:
    """A plain HTML file of ``size`` bytes: a ``tel:`` link, then sections of text."""
    head = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Floor</title><style>section { content-visibility: auto; "
        "contain-intrinsic-size: auto 1000px; }</style></head><body>"
        '<p>Call <a href="tel:+12013000000">+1 201 300 0000</a></p>\n'
    )
    section = "<section>" + _FILLER * _FLOOR_SECTION + "</section>\n"
    tail = "</body></html>\n"
    room = max(size - len(head) - len(tail), 0)
    body = section * (room // len(section))
    body += _FILLER * ((room - len(body)) // len(_FILLER))
    target.write_text(head + body + " " * (room - len(body)) + tail, encoding="ascii")
    return target


@contextmanager
def phone() -> Iterator[Any]:
    """Chromium through Playwright; yields a function loading one file as a slow phone."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield lambda path: load(browser, path)
        finally:
            browser.close()


def load(browser: Any, path: Path) -> Load:
    """Open ``path`` from disk in a fresh context of a throttled phone; its timings."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, service_workers="block", offline=True
    )
    try:
        outside: list[str] = []
        context.on(
            "request",
            lambda r: outside.append(r.url) if urlsplit(r.url).scheme != "file" else None,
        )
        context.add_init_script(PROBE)
        page = context.new_page()
        page.context.new_cdp_session(page).send(
            "Emulation.setCPUThrottlingRate", {"rate": THROTTLE}
        )
        page.goto(path.as_uri(), wait_until="commit", timeout=TIMEOUT)
        page.wait_for_function(_QUIET, arg=QUIET_MS, polling=250, timeout=TIMEOUT)
        times = page.evaluate("() => window.__goBag")
        if "call" not in times:
            raise SystemExit(f"{path}: the first tel: link was never painted")
        if not page.evaluate(_CALL_BOX):
            raise SystemExit(f"{path}: the first tel: link is not on the first screen")
        quiet = max(times["usable"], times["busy"])
        return Load(times["call"] / 1000, times["usable"] / 1000, quiet / 1000, len(outside))
    finally:
        context.close()


def measure_go_bag(site_dir: Path, runs: int) -> GoBagRow:
    """The go-bag of a built site against a plain file of its size, ``runs`` loads each."""
    go_bag = site_dir / OFFLINE_PAGE
    size = go_bag.stat().st_size
    with tempfile.TemporaryDirectory(prefix="handbook-gobag-floor-") as folder:
        floor = floor_file(size, Path(folder) / "floor.html")
        bags: list[Load] = []
        floors: list[Load] = []
        with phone() as open_file:
            for _ in range(runs):
                bags.append(open_file(go_bag))
                floors.append(open_file(floor))
    return GoBagRow(
        megabytes=size / 1e6,
        call=statistics.median(b.call for b in bags),
        usable=statistics.median(b.usable for b in bags),
        quiet=statistics.median(b.quiet for b in bags),
        floor_call=statistics.median(f.call for f in floors),
        floor_usable=statistics.median(f.usable for f in floors),
        requests=max(b.requests for b in bags),
    )


def build(size: int, scratch: Path) -> Path:
    """A synthetic handbook of ``size`` runbooks, built by ``handbook build``; its site."""
    project = generate(size, scratch / f"handbook-{size}", site=True)
    site = scratch / f"site-{size}"
    built = subprocess.run(
        handbook(project, "build", "--site-dir", str(site)),
        cwd=scratch,
        env=environment(),
        capture_output=True,  # its progress lines would break the table
        text=True,
        check=False,
    )
    if built.returncode != 0:
        raise SystemExit(f"handbook build of {size} runbooks failed:\n{built.stderr[-3000:]}")
    shutil.rmtree(project)
    return site


TABLE_HEAD = (
    "| go-bag | MB | call s | floor | usable s | quiet s | floor | usable/floor | "
    "quiet/floor | requests |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def table_row(label: str, row: GoBagRow) -> str:
    """One line of the markdown table."""
    return (
        f"| {label} | {row.megabytes:.1f} | {row.call:.2f} | {row.floor_call:.2f} | "
        f"{row.usable:.2f} | {row.quiet:.2f} | {row.floor_usable:.2f} | "
        f"{row.usable / row.floor_usable:.2f} | {row.quiet / row.floor_usable:.2f} | "
        f"{row.requests} |"
    )


def main() -> None:
    """Print the go-bag's figures against the floor, one row per size (or given site)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[9, 1000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--site", type=Path, nargs="*", default=[], help="built sites instead")
    args = parser.parse_args()
    print(
        f"go-bag from file:// in Chromium, {PHONE['width']}x{PHONE['height']}, CPU /{THROTTLE},"
        f" medians of {args.runs} (floor: plain text file of the same size)\n\n{TABLE_HEAD}",
        flush=True,
    )
    for site in args.site:
        print(table_row(str(site), measure_go_bag(site, args.runs)), flush=True)
    if args.site:
        return
    with tempfile.TemporaryDirectory(prefix="handbook-gobag-bench-") as folder:
        for size in args.sizes:
            site = build(size, Path(folder))
            print(table_row(f"{size} runbooks", measure_go_bag(site, args.runs)), flush=True)
            shutil.rmtree(site)


if __name__ == "__main__":
    main()
