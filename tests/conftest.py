"""Shared helpers: build a project from the base fixture plus one case's overlay."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import markdown
import pytest

from handbook.book import MARKDOWN_EXTENSIONS
from handbook.model import ContactChannel, Handbook
from handbook.pipeline import Project, validate
from handbook.site import Site

REPO = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
BASE = CASES / "base"
SCHEMAS = REPO / "schemas"
GOLDEN = Path(__file__).resolve().parent / "golden"
TODAY = dt.date(2026, 11, 23)
ENV = {
    **{k: v for k, v in os.environ.items() if k not in ("HANDBOOK_AUDIENCE", "HANDBOOK_PDF")},
    "NO_MKDOCS_2_WARNING": "1",
}
# Debian's Chromium for the browser tests (installed by .ci/install-system-packages).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def make_project(tmp_path: Path, case: Path | None = None) -> Path:
    """Copy the base fixture into ``tmp_path``, then apply a case folder.

    A case folder may hold ``data/`` (files laid over the base, replacing same-named ones)
    and ``remove.txt`` (paths under the project to delete, one per line).
    """
    project = tmp_path / "project"
    shutil.copytree(BASE, project)
    shutil.copytree(SCHEMAS, project / "schemas")
    if case is None:
        return project
    overlay = case / "data"
    if overlay.is_dir():
        shutil.copytree(overlay, project / "data", dirs_exist_ok=True)
    removals = case / "remove.txt"
    if removals.is_file():
        for line in removals.read_text(encoding="utf-8").splitlines():
            if line.strip():
                target = project / line.strip()
                if target.is_dir():
                    shutil.rmtree(target)
                else:
                    target.unlink()
    return project


# What a project copy needs to build the site.
PROJECT_PARTS = ("data", "schemas", "docs", "macros", "mkdocs.yml")


def copy_project(target: Path) -> Path:
    """A copy of the shipped project at ``target``: data, schemas and the site set-up."""
    target.mkdir(parents=True)
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    return target


def add_site_sources(project: Path) -> None:
    """Give a data-only project (``make_project``) the shipped site set-up."""
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    for folder in ("docs", "macros"):
        shutil.copytree(REPO / folder, project / folder)


def tool(name: str) -> str:
    """The path of a system tool the tests need; failing (never skipping) when it is absent."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is missing: run .ci/install-system-packages "
            "(it installs Debian's poppler-utils)"
        )
    return path


@pytest.fixture
def base_project(tmp_path: Path) -> Path:
    """A valid project built from the base fixture."""
    return make_project(tmp_path)


@pytest.fixture(scope="session")
def handbook() -> Handbook:
    """The base fixture's handbook, validated."""
    result = validate(Project(BASE, BASE / "data", SCHEMAS), today=TODAY)
    assert result.handbook is not None
    return result.handbook


@pytest.fixture(scope="session")
def site(handbook: Handbook) -> Site:
    """An internal site of the base fixture's handbook."""
    return Site(handbook, TODAY)


def internal_values(hb: Handbook) -> list[str]:
    """Every internal contact detail of the handbook: what a public build must never show."""
    channels: list[ContactChannel] = [c for p in hb.people for c in p.contacts]
    channels += [c for t in hb.teams for c in t.contacts]
    channels += [c for d in hb.dependencies for v in d.contacts for c in v.channels]
    return sorted({c.value for c in channels if c.visibility == "internal"})


def as_site_html(fragment: str) -> str:
    """What the site's Markdown makes of a rendered fragment."""
    return markdown.markdown(fragment, extensions=MARKDOWN_EXTENSIONS)


def assert_golden(name: str, text: str) -> None:
    """Compare ``text`` with ``tests/golden/<name>``; ``UPDATE_GOLDEN=1`` rewrites the file."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no golden file {path}; run with UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8")


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, check=False, env=ENV, timeout=600
    )


def git_commit_all(root: Path) -> Path:
    """Make ``root`` a git repository holding all its files in one commit; return it."""
    for args in (
        ["init", "-q", "-b", "main"],
        ["config", "user.email", "test@example.org"],
        ["config", "user.name", "Test"],
        ["add", "-A"],
        ["commit", "-q", "-m", "base"],
    ):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)
    return root


def handbook_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``handbook ARGS`` run in ``cwd`` as a user runs it."""
    return run([sys.executable, "-m", "handbook.cli", *args], cwd)


def build_site(project: Path) -> Path:
    """``handbook build`` the project (given the shipped site set-up if it has none); its site."""
    if not (project / "mkdocs.yml").is_file():
        add_site_sources(project)
    built = handbook_cli("build", cwd=project)
    assert built.returncode == 0, built.stdout + built.stderr
    return project / "site"


def mkdocs_build(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)]
    return run(command, project)


def check_links(site: Path) -> int:
    """Run linkchecker over a built site from its home page; fail on any broken link.

    No ``--check-extern``: links outside the site are listed, never fetched. Returns how
    many URLs it checked, so a caller can tell that it walked the site. Run as root,
    linkchecker reads as ``nobody``: it checks a world-readable copy of the site.
    """
    script = Path(sys.executable).parent / "linkchecker"
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "linkcheck"]
    readable = Path(tempfile.mkdtemp(prefix="handbook-links-", dir="/tmp"))
    try:
        copy = readable / "site"
        shutil.copytree(site, copy)
        make_readable(readable)
        completed = run([*command, "--no-status", "--output=text", str(copy / "index.html")], copy)
    finally:
        shutil.rmtree(readable, ignore_errors=True)
    output = completed.stdout + completed.stderr
    summary = re.search(
        r"That's it\. \d+ links? in (\d+) URLs? checked\..*?(\d+) errors? found", output
    )
    assert summary, output
    assert int(summary.group(2)) == 0, output
    assert completed.returncode == 0, output
    return int(summary.group(1))


def make_readable(root: Path) -> None:
    """Let every user read the site: linkchecker as root reads it as ``nobody``."""
    root.chmod(0o755)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.fixture(scope="session")
def handbook_model() -> Handbook:
    """The shipped handbook, validated."""
    result = validate(Project.at(REPO))
    assert result.handbook is not None, "the shipped handbook is invalid"
    return result.handbook


@pytest.fixture(scope="session")
def built_site() -> Iterator[Path]:
    """The shipped handbook, built once with ``mkdocs build --strict``."""
    site = Path(tempfile.mkdtemp(prefix="handbook-site-", dir="/tmp"))
    try:
        completed = mkdocs_build(REPO, site)
        output = completed.stdout + completed.stderr
        assert completed.returncode == 0, output
        assert "WARNING" not in output, output
        make_readable(site)
        yield site
    finally:
        shutil.rmtree(site, ignore_errors=True)


def playwright_api() -> Any:
    """Playwright's sync API, failing (never skipping) when Chromium or Playwright is absent."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium is missing ({CHROMIUM}): run .ci/install-system-packages to install it"
        )
    try:
        from playwright import sync_api
    except ImportError:
        pytest.fail("Playwright is missing: pip install -e '.[test]'")
    return sync_api


def growth(work: Any, small: Any, large: Any, runs: int = 3) -> float:
    """How much longer ``work(large)`` takes than ``work(small)``: best of ``runs`` each.

    A ratio measured in one run, never a wall-clock limit: with ``large`` four times
    ``small``, linear work gives about 4 and quadratic work about 16 on any machine.
    """

    def best(argument: Any) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            work(argument)
            times.append(time.perf_counter() - start)
        return min(times)

    return best(large) / max(best(small), 1e-6)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``folder`` served on 127.0.0.1 from a thread; yields its base URL."""
    handler = partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
