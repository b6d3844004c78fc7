"""``handbook incident new`` and ``close`` on copies of the shipped project, as users run them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from handbook.incident_command import (
    MAX_ID,
    SOURCE_UNKNOWN,
    default_id,
    record_text,
    with_status,
)
from handbook.model import Handbook
from handbook.pipeline import Project, validate
from handbook.reader import read_bytes
from tests.conftest import copy_project, handbook_cli

NOW = "2026-11-30T08:05Z"
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")  # common.schema.json#/$defs/id
DIAGNOSTIC = re.compile(r"^data/incidents/[a-z0-9-]+\.yml:\d+:\d+: error: ", re.MULTILINE)
CERTIFICATE = "2026-11-api-certificate-near-expiry"  # shipped, resolved, complete

# Written up only half-way: every gap ``close`` must name is marked with its line.
HALF_DONE = """\
# An incident still being written up.
id: 2026-11-half-done
title: Half-written post-mortem
severity: P3
status: monitoring
detected:
  at: "2026-11-20T10:00Z"
  source: Latency alert on the public API
timeline:
  - at: "2026-11-20T10:05Z"
    phase: coordination
    text: The on-call engineer took the lead.
action_items:
  - id: no-owner
    title: Nobody owns this yet
    due: 2026-12-20
    status: open
  - id: no-date
    title: Nothing says when this is due
    owner: infrastructure
    status: later
"""
# (line:column, JSON path, words of the message) of every gap of HALF_DONE.
HALF_DONE_GAPS = [
    ("2:5", "$.root_causes", "no root cause"),
    ("2:5", "$.went_well", "went well or what went badly"),
    ("10:3", "$.timeline", "no entry of phase detection"),
    ("10:3", "$.timeline", "no entry of phase resolution (or mitigation)"),
    ("14:5", "$.action_items[0].owner", "action item 'no-owner' has no owner"),
    ("18:5", "$.action_items[1].due", "action item 'no-date' has no due date"),
    ("21:13", "$.action_items[1].status", "action item 'no-date' needs a status"),
]
# Complete for ``close``, its status quoted and commented: only the word may change.
COMPLETE = """\
# Done and written up.
id: 2026-11-all-done
title: Indexer lag delayed balances
severity: P3
status: "monitoring"   # set by handbook incident close
detected:
  at: "2026-11-21T07:40Z"
  source: Indexer lag alert
timeline:
  - at: "2026-11-21T07:40Z"
    phase: detection
    text: The indexer lag alert fired.
  - at: "2026-11-21T08:10Z"
    phase: resolution
    text: The indexer caught up after a restart.
root_causes:
  - A stuck worker stopped consuming blocks.
action_items:
  - id: worker-watchdog
    title: Restart a worker that stops consuming blocks
    owner: infrastructure
    due: 2027-01-15
    status: open
"""


def _valid_copy(target: Path) -> Path:
    """A copy of the shipped project, checked to validate without errors."""
    project = copy_project(target)
    checked = validate(Project.configured(project))
    assert checked.ok, [f"{d.file}:{d.line}: {d.message}" for d in checked.diagnostics]
    return project


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One valid copy of the shipped project, never changed: each test copies it."""
    return _valid_copy(tmp_path_factory.mktemp("incident-command") / "project")


@pytest.fixture
def project(pristine: Path, tmp_path: Path) -> Path:
    """A fresh, valid copy of the shipped project for one test."""
    return Path(shutil.copytree(pristine, tmp_path / "project"))


def _model(project: Path) -> Handbook:
    result = validate(Project.configured(project))
    assert result.handbook is not None
    return result.handbook


def _files(project: Path) -> dict[str, bytes]:
    """Every file under data/incidents/, with its bytes (temporary files included)."""
    folder = project / "data" / "incidents"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _clean(completed: subprocess.CompletedProcess[str]) -> str:
    """Both streams, after checking neither holds a traceback."""
    output = completed.stdout + completed.stderr
    assert "Traceback" not in output, output
    return output


def test_new_writes_a_valid_record_with_the_roles_and_holders(
    project: Path, tmp_path: Path
) -> None:
    title = "Oracle price feed stale on Arbitrum — liquidations paused"
    before = _files(project)
    # -C from elsewhere: the record lands in the project, not in the working directory.
    completed = handbook_cli(
        "-C", str(project), "incident", "new", title, "--severity", "P2", "--now", NOW, cwd=tmp_path
    )
    output = _clean(completed)
    assert completed.returncode == 0, output
    incident_id = "2026-11-oracle-price-feed-stale-on-arbitrum-liquidations"
    path = project / "data" / "incidents" / f"{incident_id}.yml"
    assert str(path) in completed.stdout
    assert f"handbook incident close {incident_id}" in completed.stdout
    assert set(_files(project)) == {*before, path.name}  # no temporary file left behind

    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Incident record opened")
    document, problems = read_bytes(path.read_bytes(), path.name)
    assert document is not None, problems
    record = document.data
    assert (record["id"], record["title"], record["severity"]) == (incident_id, title, "P2")
    assert record["status"] == "open"
    assert record["detected"] == {"at": NOW, "source": SOURCE_UNKNOWN}
    assert record["timeline"] == [
        {"at": NOW, "phase": "detection", "text": "Incident record opened at severity P2."}
    ]
    assert "action_items" not in record and "root_causes" not in record

    handbook = _model(project)
    level = next(s for s in handbook.severities if s.id == "P2")
    holders = {role.id: role.holders.primary[0] for role in handbook.roles}
    assert record["roles"] == [
        {"role": role, "person": holders[role], "since": NOW} for role in level.involved_roles
    ]
    assert "incident-leader" in level.involved_roles
    assert "decision-maker" not in level.involved_roles  # only the severity's own roles

    checked = handbook_cli("validate", cwd=project)
    assert checked.returncode == 0, _clean(checked)
    assert incident_id not in checked.stdout  # not even a warning about the new record
    opened = next(i for i in handbook.incidents if i.id == incident_id)
    assert opened.date == dt.date(2026, 11, 30)


def test_new_without_involved_roles_names_every_role(project: Path) -> None:
    handbook = _model(project)
    level = dataclasses.replace(handbook.severities[-1], involved_roles=())
    handbook = handbook.replace(severities=(*handbook.severities[:-1], level))
    now = dt.datetime(2026, 11, 30, 8, 5, tzinfo=dt.UTC)
    text = record_text(handbook, "2026-11-quiet", "Quiet", level.id, now)
    document, problems = read_bytes(text.encode("utf-8"), "quiet.yml")
    assert document is not None, problems
    assert [(r["role"], r["person"]) for r in document.data["roles"]] == [
        (role.id, role.holders.primary[0]) for role in handbook.roles
    ]


def test_default_ids_are_short_ascii_kebab_case() -> None:
    now = dt.datetime(2026, 3, 4, 5, 6, tzinfo=dt.UTC)
    assert (
        default_id("Oracle: price ÉCART on wstETH!", now) == "2026-03-oracle-price-ecart-on-wsteth"
    )
    long = default_id("word " * 40, now)
    assert len(long) <= MAX_ID and ID_PATTERN.match(long) and not long.endswith("-")
    assert default_id("一二三 ???", now) == "2026-03-incident"
    assert ID_PATTERN.match(default_id("x" * 200, now))


def test_an_unknown_severity_is_refused(project: Path) -> None:
    before = _files(project)
    completed = handbook_cli(
        "incident", "new", "Something broke", "--severity", "SEV1", cwd=project
    )
    output = _clean(completed)
    assert completed.returncode == 2, output
    assert completed.stderr == (
        "handbook incident new: unknown severity 'SEV1'; "
        "this handbook's severities are P1, P2, P3, P4, P5\n"
    )
    assert _files(project) == before


def test_an_existing_id_is_refused_and_kept(project: Path) -> None:
    args = ("incident", "new", "Bridge relayer stalled", "--severity", "P3", "--now", NOW)
    first = handbook_cli(*args, cwd=project)
    assert first.returncode == 0, _clean(first)
    written = _files(project)
    again = handbook_cli(*args, cwd=project)  # the same default id
    assert again.returncode == 2, _clean(again)
    assert "2026-11-bridge-relayer-stalled already exists" in again.stderr
    shipped = handbook_cli(*args[:3], "--severity", "P3", "--id", CERTIFICATE, cwd=project)
    assert shipped.returncode == 2, _clean(shipped)
    assert f"{CERTIFICATE} already exists" in shipped.stderr
    assert _files(project) == written  # nothing overwritten, nothing added


def test_new_writes_nothing_on_invalid_data_or_a_bad_title(project: Path) -> None:
    before = _files(project)
    flagged = handbook_cli("incident", "new", "TODO fill in", "--severity", "P3", cwd=project)
    assert flagged.returncode == 1, _clean(flagged)
    assert "placeholder 'TODO'" in flagged.stderr and "nothing written" in flagged.stderr
    assert _files(project) == before
    bad_id = handbook_cli("incident", "new", "X", "--severity", "P3", "--id", "../x", cwd=project)
    assert bad_id.returncode == 2 and "is not an id" in _clean(bad_id)
    bad_time = handbook_cli("incident", "new", "X", "--severity", "P3", "--now", "now", cwd=project)
    assert bad_time.returncode == 2 and "not a UTC time" in _clean(bad_time)

    runbook = next((project / "data" / "runbooks").glob("*.yml"))
    runbook.write_text(runbook.read_text("utf-8").replace("owner:", "ownr:", 1), "utf-8")
    invalid = handbook_cli("incident", "new", "Real title", "--severity", "P3", cwd=project)
    assert invalid.returncode == 1, _clean(invalid)
    assert f"data/runbooks/{runbook.name}:" in invalid.stderr
    assert "the data is invalid; nothing written" in invalid.stderr
    assert _files(project) == before


def test_close_lists_every_gap_and_changes_nothing(project: Path) -> None:
    path = project / "data" / "incidents" / "2026-11-half-done.yml"
    path.write_text(HALF_DONE, encoding="utf-8")
    completed = handbook_cli("incident", "close", "2026-11-half-done", cwd=project)
    output = _clean(completed)
    assert completed.returncode == 1, output
    listed = DIAGNOSTIC.findall(completed.stderr)
    assert len(listed) == len(HALF_DONE_GAPS), completed.stderr
    for where, json_path, words in HALF_DONE_GAPS:
        prefix = f"data/incidents/2026-11-half-done.yml:{where}: error: {json_path}: "
        assert any(
            line.startswith(prefix) and words in line for line in completed.stderr.splitlines()
        ), (where, words, completed.stderr)
    assert completed.stderr.endswith("2026-11-half-done is not reviewed; nothing changed\n")
    assert path.read_text(encoding="utf-8") == HALF_DONE

    # Resolved asks for less: no lessons yet.
    resolved = handbook_cli(
        "incident", "close", "2026-11-half-done", "--status", "resolved", cwd=project
    )
    assert resolved.returncode == 1, _clean(resolved)
    assert "$.went_well" not in resolved.stderr
    assert len(DIAGNOSTIC.findall(resolved.stderr)) == len(HALF_DONE_GAPS) - 1
    assert path.read_text(encoding="utf-8") == HALF_DONE


def test_a_new_record_cannot_be_closed_as_written(project: Path) -> None:
    opened = handbook_cli("incident", "new", "Fresh", "--severity", "P4", "--now", NOW, cwd=project)
    assert opened.returncode == 0, _clean(opened)
    path = project / "data" / "incidents" / "2026-11-fresh.yml"
    before = path.read_bytes()
    completed = handbook_cli("incident", "close", "2026-11-fresh", cwd=project)
    assert completed.returncode == 1, _clean(completed)
    assert "$.detected.source: say what or who detected the incident" in completed.stderr
    assert path.read_bytes() == before


def _one_line_changed(old: str, new: str) -> list[str]:
    """The lines that differ (old then new), checking that exactly one line did."""
    changed = [
        line
        for line in difflib.unified_diff(old.splitlines(True), new.splitlines(True), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert len(changed) == 2, changed
    return changed


def test_close_changes_only_the_status_line(project: Path) -> None:
    path = project / "data" / "incidents" / f"{CERTIFICATE}.yml"
    old = path.read_text(encoding="utf-8")
    completed = handbook_cli("incident", "close", CERTIFICATE, cwd=project)
    output = _clean(completed)
    assert completed.returncode == 0, output
    assert "status resolved -> reviewed" in completed.stdout
    assert _one_line_changed(old, path.read_text(encoding="utf-8")) == [
        "-status: resolved\n",
        "+status: reviewed\n",
    ]
    assert old.replace("status: resolved\n", "status: reviewed\n", 1) == path.read_text("utf-8")
    assert handbook_cli("validate", cwd=project).returncode == 0

    again = handbook_cli("incident", "close", CERTIFICATE, cwd=project)
    assert again.returncode == 0 and "already reviewed" in _clean(again)
    back = handbook_cli("incident", "close", CERTIFICATE, "--status", "resolved", cwd=project)
    assert back.returncode == 2 and "already reviewed" in _clean(back)


def test_close_keeps_quotes_and_comments(project: Path) -> None:
    path = project / "data" / "incidents" / "2026-11-all-done.yml"
    path.write_text(COMPLETE, encoding="utf-8")
    completed = handbook_cli(
        "incident", "close", "2026-11-all-done", "--status", "resolved", cwd=project
    )
    assert completed.returncode == 0, _clean(completed)
    assert _one_line_changed(COMPLETE, path.read_text(encoding="utf-8")) == [
        '-status: "monitoring"   # set by handbook incident close\n',
        '+status: "resolved"   # set by handbook incident close\n',
    ]
    # Lessons are needed only to mark it reviewed.
    reviewed = handbook_cli("incident", "close", "2026-11-all-done", cwd=project)
    assert reviewed.returncode == 1 and "$.went_well" in _clean(reviewed)


def test_with_status_keeps_line_endings_and_refuses_what_it_cannot_place() -> None:
    crlf = COMPLETE.replace("\n", "\r\n").encode("utf-8")
    document, _ = read_bytes(crlf, "crlf.yml")
    assert document is not None
    text = with_status(document, "reviewed")
    assert text is not None
    assert text.encode("utf-8") == crlf.replace(b'"monitoring"', b'"reviewed"', 1)
    folded, _ = read_bytes(b"id: x\nstatus: >-\n  open\n", "folded.yml")
    assert folded is not None and with_status(folded, "resolved") is None


def test_close_refuses_an_unknown_id(project: Path) -> None:
    for given in ("2026-01-no-such-incident", "../../mkdocs"):
        completed = handbook_cli("incident", "close", given, cwd=project)
        assert completed.returncode == 2, _clean(completed)
        assert completed.stderr.startswith("handbook incident close: ")
        assert len(completed.stderr.splitlines()) == 1
