"""The engine version a handbook records, the ``engine-version`` rule and ``handbook migrate``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from handbook import upgrades
from handbook.pipeline import Project, validate
from handbook.report import format_text
from handbook.upgrades import Change, migrate, parse, running, shown
from tests.conftest import REPO, handbook_cli, make_project

NOW = shown(running())


def _set_engine(project: Path, value: str | None) -> Path:
    """The project with handbook.yml's ``engine:`` line set to ``value`` (None: removed)."""
    info = project / "data/handbook.yml"
    text = re.sub(r"^engine:.*\n", "", info.read_text(encoding="utf-8"), flags=re.MULTILINE)
    if value is not None:
        text = text.replace("handbook_version:", f'engine: "{value}"\nhandbook_version:', 1)
    info.write_text(text, encoding="utf-8")
    return info


def _engine_findings(project: Path) -> list[str]:
    result = validate(Project.at(project))
    findings = [d for d in result.diagnostics if d.rule == "engine-version"]
    return format_text(findings, result.file_count).splitlines()[:-1]


@pytest.mark.parametrize("path", ["data/handbook.yml", "templates/handbook.yml"])
def test_the_shipped_example_and_template_are_written_for_this_engine(path: str) -> None:
    recorded = yaml.safe_load((REPO / path).read_text(encoding="utf-8"))["engine"]
    assert parse(recorded) == running(), f"{path} says engine {recorded}; this engine is {NOW}"


def test_a_handbook_written_for_this_engine_is_silent(tmp_path: Path) -> None:
    assert _engine_findings(make_project(tmp_path)) == []


def test_a_newer_engines_handbook_is_refused_at_the_line(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    newer = f"{running()[0]}.{running()[1] + 1}"
    _set_engine(project, newer)
    completed = handbook_cli("validate", cwd=project)
    assert completed.returncode == 1
    assert (
        f"data/handbook.yml:6:9: error: $.engine: this handbook is written for engine {newer}"
        in (completed.stdout)
    )
    assert "Traceback" not in completed.stdout + completed.stderr


def test_a_missing_version_is_a_warning_that_says_what_to_write(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _set_engine(project, None)
    findings = _engine_findings(project)
    assert len(findings) == 1
    assert "warning" in findings[0] and f'add engine: "{NOW}"' in findings[0]
    assert validate(Project.at(project)).ok  # a warning: the handbook still builds


def test_a_malformed_version_is_a_schema_error(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _set_engine(project, "latest")
    result = validate(Project.at(project))
    assert not result.ok
    assert any(d.path == "$.engine" and d.rule == "schema" for d in result.diagnostics)


def test_an_older_handbook_is_told_each_change_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path)
    _set_engine(project, "0.0")
    monkeypatch.setattr(upgrades, "CHANGES", ())  # an engine that changed nothing since
    assert _engine_findings(project) == [
        f"data/handbook.yml:6:9: warning: $.engine: written for engine 0.0; this engine is {NOW}, "
        f'which reads it unchanged: run handbook migrate, or set engine: "{NOW}" [engine-version]'
    ]
    monkeypatch.setattr(
        upgrades, "CHANGES", (Change(running(), "teams' slack field is now chat", None),)
    )
    findings = _engine_findings(project)
    assert len(findings) == 2
    assert f"since engine {NOW}: teams' slack field is now chat (change it by hand)" in findings[0]
    assert "which reads it unchanged" not in findings[1]


def _rename_handbook_version(data: Path) -> list[Path]:
    """A migration as a real one is written: rewrite the text of the files it concerns."""
    info = data / "handbook.yml"
    info.write_text(info.read_text().replace("# Handbook settings", "# Settings"))
    return [info]


def test_migrate_makes_each_change_then_records_this_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path)
    info = _set_engine(project, "0.0")
    before = info.read_text()
    monkeypatch.setattr(
        upgrades,
        "CHANGES",
        (
            Change((0, 0), "older than the handbook: not made again", _rename_handbook_version),
            Change(running(), "the settings comment is shorter", _rename_handbook_version),
            Change(running(), "review the quorum of each intervention", None),
        ),
    )
    done = migrate(project / "data")
    assert done == [
        f"made (engine {NOW}): the settings comment is shorter: handbook.yml",
        f"to do by hand (engine {NOW}): review the quorum of each intervention",
        f'{info}: engine: "{NOW}"',
    ]
    after = info.read_text()
    assert after == before.replace("# Handbook settings", "# Settings").replace(
        'engine: "0.0"', f'engine: "{NOW}"'
    )  # every other byte, comments included, as it was
    assert migrate(project / "data") == []  # up to date: nothing more
    assert not list(tmp_path.glob("project/.data*"))  # no scratch folder left


def test_a_failing_migration_leaves_the_data_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path)
    info = _set_engine(project, "0.0")
    before = {p: p.read_bytes() for p in (project / "data").rglob("*") if p.is_file()}

    def half_done(data: Path) -> list[Path]:
        _rename_handbook_version(data)
        raise OSError("disk full")

    monkeypatch.setattr(upgrades, "CHANGES", (Change(running(), "breaks", half_done),))
    with pytest.raises(OSError):
        migrate(project / "data")
    assert {p: p.read_bytes() for p in (project / "data").rglob("*") if p.is_file()} == before
    assert 'engine: "0.0"' in info.read_text()
    assert not list(tmp_path.glob("project/.data*"))


def test_migrate_on_the_command_line(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    info = _set_engine(project, None)
    completed = handbook_cli("migrate", cwd=project)
    assert completed.returncode == 0, completed.stderr
    assert f'engine: "{NOW}"' in completed.stdout
    lines = info.read_text().splitlines()
    assert lines[lines.index(next(x for x in lines if x.startswith("handbook_version"))) + 1] == (
        f'engine: "{NOW}"'
    )  # beside the handbook's own version
    assert handbook_cli("migrate", cwd=project).stdout == "up to date: nothing to do\n"
    assert _engine_findings(project) == []


@pytest.mark.parametrize(
    ("value", "message"), [("9.0", "newer than this engine"), ("latest", "is not a version")]
)
def test_migrate_refuses_what_it_cannot_read(tmp_path: Path, value: str, message: str) -> None:
    project = make_project(tmp_path)
    info = _set_engine(project, value)
    before = info.read_bytes()
    completed = handbook_cli("migrate", cwd=project)
    assert completed.returncode == 1
    assert message in completed.stderr and "Traceback" not in completed.stderr
    assert info.read_bytes() == before


def test_a_handbook_written_for_0_1_is_told_what_0_2_changed(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _set_engine(project, "0.1")
    findings = _engine_findings(project)
    assert len(findings) == 3, findings
    assert "since engine 0.2: each severity level says whether it pages" in findings[0]
    assert "since engine 0.2: phone numbers are checked as real numbers" in findings[1]
    assert findings[2].endswith(f'run handbook migrate, or set engine: "{NOW}" [engine-version]')
    done = migrate(project / "data")
    assert [line.split(":")[0] for line in done[:2]] == ["to do by hand (engine 0.2)"] * 2
    assert _engine_findings(project) == []
