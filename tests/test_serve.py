"""``handbook serve``: a data change rebuilds only the pages whose text changed.

Every page-level rebuild is checked against a full build of the same files: the two
site folders must be identical, byte for byte (pages, search index, go-bag).
"""

from __future__ import annotations

import filecmp
import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from mkdocs.config import load_config

from handbook.load import load_data
from handbook.mkdocs_serve import BANNER_ID, LiveSite, Rebuilt, problems_banner
from handbook.pipeline import Project, validate
from tests.conftest import CASES, ENV, REPO, TODAY, copy_project, make_project

COMMAND = [sys.executable, "-m", "handbook.cli"]
TITLE = re.compile(r"^title: (.*)$", re.MULTILINE)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the shipped project: site set-up and data."""
    return copy_project(tmp_path / "shipped")


@pytest.fixture
def serving(project: Path) -> Iterator[None]:
    """Start the plugins as ``handbook serve`` does; as a build does, afterwards.

    MkDocs keeps one object per plugin in a process: what they note at start-up lasts.
    """
    plugins = load_config(str(project / "mkdocs.yml")).plugins
    plugins.on_startup(command="serve", dirty=False)
    yield
    plugins.on_startup(command="build", dirty=False)


def _runbook(project: Path) -> Path:
    return project / "data" / "runbooks" / "active-exploit.yml"


def _retitle(path: Path, suffix: str) -> str:
    """Append ``suffix`` to the file's title; return the new title."""
    text = path.read_text(encoding="utf-8")
    title = TITLE.search(text)
    assert title is not None
    new = title.group(1) + suffix
    path.write_text(text.replace(title.group(0), f"title: {new}", 1), encoding="utf-8")
    return new


def _live(project: Path, tmp_path: Path, name: str) -> LiveSite:
    return LiveSite(project / "mkdocs.yml", str(tmp_path / name), None)


def _differences(left: Path, right: Path) -> list[str]:
    """Files that differ or exist on one side only, anywhere under the two folders."""
    found: list[str] = []

    def walk(compared: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(prefix + n for n in compared.left_only + compared.right_only)
        found.extend(prefix + n for n in compared.diff_files + compared.funny_files)
        for name, sub in compared.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    filecmp.clear_cache()
    walk(filecmp.dircmp(left, right, ignore=[]), "")
    return found


def _full_build_matches(project: Path, tmp_path: Path, served: Path) -> None:
    reference = _live(project, tmp_path, "reference")
    assert reference.rebuild().full
    assert _differences(served, tmp_path / "reference") == []


@pytest.mark.usefixtures("serving")
def test_a_title_change_rebuilds_its_pages_only_and_matches_a_full_build(
    project: Path, tmp_path: Path
) -> None:
    live = _live(project, tmp_path, "served")
    first = live.rebuild()
    assert first.full and first.pages == first.total > 50
    page = tmp_path / "served" / "runbooks" / "active-exploit" / "index.html"
    before = page.stat().st_mtime_ns
    untouched = tmp_path / "served" / "roles" / "scribe" / "index.html"
    untouched_before = untouched.stat().st_mtime_ns
    title = _retitle(_runbook(project), " (rehearsed)")

    done = live.rebuild()

    assert not done.full
    assert done.reason == "changed: data/runbooks/active-exploit.yml"
    assert 1 < done.pages < done.total  # the runbook, its index, the pages naming it
    assert title in page.read_text(encoding="utf-8")
    assert page.stat().st_mtime_ns != before
    assert untouched.stat().st_mtime_ns == untouched_before  # not written again
    index = json.loads((tmp_path / "served" / "search" / "search_index.json").read_text())
    assert any(title in entry["title"] for entry in index["docs"])
    assert title in (tmp_path / "served" / "offline.html").read_text(encoding="utf-8")
    _full_build_matches(project, tmp_path, tmp_path / "served")


@pytest.mark.usefixtures("serving")
def test_two_edits_in_a_row_stay_identical_to_a_full_build(project: Path, tmp_path: Path) -> None:
    live = _live(project, tmp_path, "served")
    live.rebuild()
    _retitle(_runbook(project), " (one)")
    assert not live.rebuild().full
    dependency = next((project / "data" / "dependencies").glob("*.yml"))
    text = dependency.read_text(encoding="utf-8")
    dependency.write_text(text.replace("name: ", "name: Renamed ", 1), encoding="utf-8")
    second = live.rebuild()
    assert not second.full and second.pages > 1
    _full_build_matches(project, tmp_path, tmp_path / "served")


@pytest.mark.usefixtures("serving")
def test_invalid_data_keeps_the_last_good_site_until_fixed(
    project: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    live = _live(project, tmp_path, "served")
    live.rebuild()
    page = tmp_path / "served" / "runbooks" / "active-exploit" / "index.html"
    good = page.read_bytes()
    runbook = _runbook(project)
    original = runbook.read_text(encoding="utf-8")
    runbook.write_text(original.replace("owner: ", "owner: nobody-", 1), encoding="utf-8")

    assert live.rebuild().reason == "invalid data"  # no exception: the server stays up
    assert live.problems is not None
    assert "data/runbooks/active-exploit.yml:10:8: error: $.owner: unknown" in live.problems
    assert "data/runbooks/active-exploit.yml:10:8: error: $.owner: unknown" in caplog.text
    assert page.read_bytes() == good
    banner = problems_banner(live.problems + "<script>x</script>").decode()
    assert "$.owner: unknown" in banner and "<script>" not in banner
    runbook.write_text(original, encoding="utf-8")
    assert not live.rebuild().full  # fixed: back to page-level rebuilds
    assert live.problems is None
    _full_build_matches(project, tmp_path, tmp_path / "served")


@pytest.mark.usefixtures("serving")
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("docs", "a change outside data/"),
        ("add", "records were added, removed or renamed"),
        ("remove", "records were added, removed or renamed"),
        ("tags", "tags changed"),
        ("version", "the version or organisation shown on every page changed"),
    ],
)
def test_changes_that_reach_every_page_rebuild_the_whole_site(
    project: Path, tmp_path: Path, change: str, reason: str
) -> None:
    runbook = _runbook(project)
    text = runbook.read_text(encoding="utf-8")
    copy = runbook.parent / "active-exploit-copy.yml"
    if change == "remove":
        copy.write_text(text.replace("id: active-exploit", "id: active-exploit-copy", 1), "utf-8")
    live = _live(project, tmp_path, "served")
    live.rebuild()
    if change == "docs":
        page = project / "docs" / "policy.md"
        page.write_text(page.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
    elif change == "add":
        copy.write_text(text.replace("id: active-exploit", "id: active-exploit-copy", 1), "utf-8")
    elif change == "remove":
        copy.unlink()
    elif change == "tags":
        assert "tags:" in text
        runbook.write_text(text.replace("tags:\n", "tags:\n  - rehearsed\n", 1), "utf-8")
    else:
        info = project / "data" / "handbook.yml"
        new = re.sub(
            r"^handbook_version: .*$",
            "handbook_version: 9.9.9",
            info.read_text(encoding="utf-8"),
            count=1,
            flags=re.MULTILINE,
        )
        info.write_text(new, encoding="utf-8")
    assert validate(Project.at(project)).ok, "the test's change must keep the data valid"

    done = live.rebuild()

    assert done == Rebuilt(done.total, done.total, True, reason)
    _full_build_matches(project, tmp_path, tmp_path / "served")


def test_reused_validation_judges_every_case_as_a_fresh_one(tmp_path: Path) -> None:
    """Validation that reuses unchanged files gives exactly what a fresh run gives."""
    cases = sorted(p for p in (CASES / "invalid").iterdir() if p.is_dir())[:40]
    for number, case in enumerate(cases):
        project = Project.at(make_project(tmp_path / str(number), case), REPO / "schemas")
        fresh = validate(project, today=TODAY)
        for _ in range(2):
            again = validate(project, today=TODAY, reuse=True)
            assert again.diagnostics == fresh.diagnostics, case.name


def test_reused_validation_reads_only_changed_files(base_project: Path) -> None:
    project = Project.at(base_project, REPO / "schemas")
    data = base_project / "data"

    def documents() -> dict[str, object]:
        loaded = load_data(data, base_project, reuse=True)
        return {d.file: d for found in loaded.documents.values() for d in found}

    first = documents()
    runbook = next((data / "runbooks").glob("*.yml"))
    text = runbook.read_text(encoding="utf-8")
    runbook.write_text(text.replace("owner: ", "owner: ghost-", 1), "utf-8")
    second = documents()
    reused = {name for name, document in second.items() if document is first[name]}
    assert set(second) - reused == {f"data/runbooks/{runbook.name}"}
    result = validate(project, reuse=True)
    assert [d.rule for d in result.diagnostics if d.file.endswith(runbook.name)] == [
        "runbook-owner"
    ]
    fresh = load_data(data, base_project)  # without reuse: every document read again
    assert all(d is not second[d.file] for found in fresh.documents.values() for d in found)


def test_an_edited_schema_is_compiled_again(base_project: Path) -> None:
    schemas = base_project / "schemas"
    project = Project.at(base_project, schemas)
    assert validate(project, reuse=True).ok
    schema_file = schemas / "runbooks.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    schema["required"] = [*schema["required"], "drill_notes"]
    schema_file.write_text(json.dumps(schema), encoding="utf-8")
    result = validate(project, reuse=True)
    assert not result.ok
    assert any(d.path == "$.drill_notes" for d in result.diagnostics), result.diagnostics


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _wait_for(url: str, text: str, server: subprocess.Popen[str], limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert server.poll() is None, "handbook serve exited"
        body = _fetch(url)
        if body is not None and text in body:
            return
        time.sleep(0.1)
    pytest.fail(f"{url} never showed {text!r}")


def _wait_until_gone(url: str, text: str, server: subprocess.Popen[str], limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert server.poll() is None, "handbook serve exited"
        body = _fetch(url)
        if body is not None and text not in body:
            return
        time.sleep(0.1)
    pytest.fail(f"{url} still shows {text!r}")


def _serve(project: Path, address: str, output: IO[str]) -> subprocess.Popen[str]:
    """``handbook serve`` of ``project`` on ``address``, its terminal written to ``output``."""
    command = [sys.executable, "-m", "handbook.cli", "-C", str(project), "serve"]
    return subprocess.Popen(
        [*command, "--dev-addr", address],
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        env=ENV,
    )


def test_the_serve_command_reloads_an_edited_runbook(project: Path, tmp_path: Path) -> None:
    address = f"127.0.0.1:{_free_port()}"
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = _serve(project, address, output)
        try:
            url = f"http://{address}/runbooks/active-exploit/"
            _wait_for(url, "<html", server, 300)
            started = log.read_text(encoding="utf-8")
            title = _retitle(_runbook(project), " (served)")
            _wait_for(url, title, server, 120)
            runbook = _runbook(project)
            good = runbook.read_text(encoding="utf-8")
            runbook.write_text(good.replace("owner: ", "owner: nobody-", 1), encoding="utf-8")
            _wait_for(url, BANNER_ID, server, 120)  # every page says so, the last good one
            body = _fetch(f"http://{address}/") or ""
            assert "data/runbooks/active-exploit.yml:10:8: error: $.owner: unknown" in body
            runbook.write_text(good, encoding="utf-8")
            _wait_until_gone(url, BANNER_ID, server, 120)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    # Start-up says one thing: where it is served and what is watched.
    assert started.splitlines() == [
        f"INFO    -  Serving http://{address}/ (watching data/, docs/, mkdocs.yml, schemas/; "
        "Ctrl+C stops)"
    ], started
    shown = log.read_text(encoding="utf-8")
    assert "appear stuck" not in shown
    assert shown.count("error: $.owner: unknown") == 1
    assert re.search(
        r"Rebuilt [0-9]+ of [0-9]+ pages in [0-9.]+ s "
        r"\(changed: data/runbooks/active-exploit\.yml\)",
        shown,
    ), shown
    assert "Traceback" not in shown


def test_serve_started_on_invalid_data_says_when_it_has_built_the_site(
    project: Path, tmp_path: Path
) -> None:
    address = f"127.0.0.1:{_free_port()}"
    log = tmp_path / "serve.log"
    runbook = _runbook(project)
    good = runbook.read_text(encoding="utf-8")
    runbook.write_text(good.replace("owner: ", "owner: nobody-", 1), encoding="utf-8")
    with log.open("w") as output:
        server = _serve(project, address, output)
        try:
            _wait_for(f"http://{address}/", "Nothing built yet", server, 300)
            runbook.write_text(good, encoding="utf-8")
            _wait_for(f"http://{address}/runbooks/active-exploit/", "<html", server, 300)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    shown = log.read_text(encoding="utf-8")
    assert shown.count("error: $.owner: unknown") == 1
    assert re.search(r"Rebuilt the whole site in [0-9.]+ s", shown), shown
