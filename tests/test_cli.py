"""The command line as users and CI run it: exit codes, no tracebacks, MkDocs integration."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import TODAY, add_site_sources, copy_project, handbook_cli, mkdocs_build, run


def test_validate_runs_from_the_project_root(base_project: Path) -> None:
    completed = handbook_cli("validate", "--today", TODAY.isoformat(), cwd=base_project)
    assert completed.returncode == 0, completed.stdout
    assert completed.stdout.startswith("valid: 0 errors, 0 warnings in ")


def test_usage_errors_exit_2(base_project: Path, tmp_path: Path) -> None:
    assert handbook_cli("validate", "--format", "xml", cwd=base_project).returncode == 2
    assert handbook_cli("validate", "--today", "2026-02-30", cwd=base_project).returncode == 2
    assert handbook_cli("frobnicate", cwd=base_project).returncode == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    completed = handbook_cli("validate", cwd=empty)
    assert completed.returncode == 2
    assert "no data folder at" in completed.stderr


HOSTILE = {
    "deep.yml": b"[" * 200_000,
    "bomb.yml": b"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n",
    "binary.yml": bytes(range(256)) * 4,
    "latin1.yml": "owner: M\u00fcller\n".encode("latin-1"),
    "tabs.yml": b"a:\n\t- b\n",
}


def test_hostile_files_fail_cleanly_with_positions(base_project: Path) -> None:
    for name, raw in HOSTILE.items():
        (base_project / "data" / "runbooks" / name).write_bytes(raw)
    completed = handbook_cli("validate", "--today", TODAY.isoformat(), cwd=base_project)
    assert completed.returncode == 1
    assert "Traceback" not in completed.stdout + completed.stderr
    for name in HOSTILE:
        assert f"data/runbooks/{name}:" in completed.stdout
    assert completed.stdout.splitlines()[-1].startswith("invalid: ")


def test_mkdocs_build_fails_on_invalid_data_listing_every_error(base_project: Path) -> None:
    add_site_sources(base_project)
    runbook = next((base_project / "data" / "runbooks").glob("*.yml"))
    text = runbook.read_text(encoding="utf-8")
    runbook.write_text(text.replace("owner:", "ownr:", 1), encoding="utf-8")
    completed = mkdocs_build(base_project, base_project / "site")
    assert completed.returncode != 0
    output = completed.stdout + completed.stderr
    assert "Traceback" not in output
    assert f"data/runbooks/{runbook.name}" in output
    assert "[runbook-owner]" in output and "unknown field 'ownr'" in output
    assert not (base_project / "site" / "index.html").exists()


def test_handbook_build_writes_the_site(base_project: Path) -> None:
    add_site_sources(base_project)
    completed = handbook_cli("build", "--site-dir", str(base_project / "out"), cwd=base_project)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == f"handbook build: site written to {base_project / 'out'}\n"
    page = (base_project / "out" / "index.html").read_text(encoding="utf-8")
    assert "Handbook version" in page
    # Every page, generated ones included, carries the edition in its footer.
    for built in ("index.html", "runbooks/api-outage/index.html"):
        html = (base_project / "out" / built).read_text(encoding="utf-8")
        assert "Handbook version 1.0 · built " in html and " · internal" in html


def test_a_broken_schema_is_reported_not_raised(base_project: Path) -> None:
    schema = base_project / "schemas" / "roles.schema.json"
    schema.write_text('{\n  "type": "object",\n  oops\n}\n', encoding="utf-8")
    completed = handbook_cli("validate", cwd=base_project)
    assert completed.returncode == 1
    assert completed.stdout.startswith(
        "schemas/roles.schema.json:3:3: error: $: invalid JSON: "
        "Expecting property name enclosed in double quotes [schema-file]"
    )
    schema.write_text('{"type": 12}', encoding="utf-8")
    completed = handbook_cli("validate", cwd=base_project)
    assert "schemas/roles.schema.json:1:1: error: $: $.type: 12 is not valid" in completed.stdout
    schema.unlink()
    completed = handbook_cli("validate", cwd=base_project)
    assert completed.stdout.startswith(
        "schemas/roles.schema.json:1:1: error: $: missing schema for roles [schema-file]"
    )
    assert "Traceback" not in completed.stderr


def test_handbook_build_is_strict_and_shows_why(base_project: Path) -> None:
    add_site_sources(base_project)
    (base_project / "docs" / "broken.md").write_text("[gone](missing.md)\n", encoding="utf-8")
    completed = handbook_cli("build", "--site-dir", str(base_project / "out"), cwd=base_project)
    assert completed.returncode == 1
    assert "missing.md" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_two_builds_in_one_process_each_get_their_own_audience(
    base_project: Path, monkeypatch, capsys
) -> None:
    from handbook.cli import main

    add_site_sources(base_project)
    monkeypatch.delenv("HANDBOOK_AUDIENCE", raising=False)
    monkeypatch.delenv("HANDBOOK_PDF", raising=False)
    project = str(base_project)

    def edition(site: str) -> str:
        html = (base_project / site / "index.html").read_text(encoding="utf-8")
        return "public" if " · public" in html else "internal"

    assert main(["-C", project, "build", "--audience", "public", "--site-dir", f"{project}/a"]) == 0
    assert main(["-C", project, "build", "--site-dir", f"{project}/b"]) == 0
    assert (edition("a"), edition("b")) == ("public", "internal")
    assert "HANDBOOK_AUDIENCE" not in __import__("os").environ
    # The environment overrides mkdocs.yml, and an explicit choice overrides both.
    monkeypatch.setenv("HANDBOOK_AUDIENCE", "public")
    assert main(["-C", project, "build", "--site-dir", f"{project}/c"]) == 0
    chosen = ["--audience", "internal", "--site-dir", f"{project}/d"]
    assert main(["-C", project, "build", *chosen]) == 0
    assert (edition("c"), edition("d")) == ("public", "internal")
    capsys.readouterr()


def test_the_plugin_option_sets_the_audience(base_project: Path) -> None:
    add_site_sources(base_project)
    config = base_project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "      audience: internal\n" in text
    config.write_text(text.replace("      audience: internal\n", "      audience: public\n"))
    completed = handbook_cli("build", "--site-dir", "out", cwd=base_project)
    assert completed.returncode == 0, completed.stderr
    assert " · public" in (base_project / "out" / "index.html").read_text(encoding="utf-8")
    config.write_text(text.replace("      audience: internal\n", "      audience: everyone\n"))
    completed = handbook_cli("build", "--site-dir", "out", cwd=base_project)
    assert completed.returncode == 1
    assert "audience" in completed.stderr and "Traceback" not in completed.stderr


def test_a_handbook_without_its_optional_kinds_builds(tmp_path: Path) -> None:
    from tests.conftest import CASES, make_project

    project = make_project(tmp_path, CASES / "valid" / "optional-kinds-all-absent")
    add_site_sources(project)
    assert not (project / "data" / "risks.yml").exists()
    completed = handbook_cli("build", "--site-dir", str(tmp_path / "out"), cwd=project)
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "out" / "risks" / "index.html").is_file()  # the register, empty


def test_every_command_reads_the_data_folder_mkdocs_yml_gives(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "moved")
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text().replace("  - handbook:\n", "  - handbook:\n      data_dir: response\n"),
        encoding="utf-8",
    )
    (project / "data").rename(project / "response")
    assert handbook_cli("validate", cwd=project).returncode == 0
    owners = handbook_cli("codeowners", cwd=project)
    assert owners.returncode == 0, owners.stderr
    written = (project / ".github/CODEOWNERS").read_text()
    assert "/response/runbooks/oracle-outage.yml @" in written and "/data/" not in written
    for command in (["git", "init", "-q"], ["git", "add", "-A"]):
        assert run(command, project).returncode == 0
    commit = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]
    assert run(commit, project).returncode == 0
    runbook = project / "response/runbooks/oracle-outage.yml"
    runbook.write_text(runbook.read_text().replace("title: ", "title: Renamed ", 1))
    diff = handbook_cli("diff", "HEAD", cwd=project)
    assert diff.returncode == 0, diff.stderr
    assert "→ Renamed Price oracle" in diff.stdout
    (project / "response/handbook.yml").write_text("organisation: [\n")
    broken = handbook_cli("validate", cwd=project)
    assert broken.returncode == 1 and "response/handbook.yml:" in broken.stdout


def test_a_broken_mkdocs_yml_is_a_usage_error_at_its_line(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "broken")
    (project / "mkdocs.yml").write_text(
        "site_name: x\nplugins:\n  - handbook:\n      data_dir: [data\n"
    )
    for command in ("validate", "review", "codeowners", "migrate"):
        completed = handbook_cli(command, cwd=project)
        assert completed.returncode == 2, command
        assert "mkdocs.yml:5:1:" in completed.stderr and "Traceback" not in completed.stderr


def test_plugins_written_as_a_mapping_are_read_too(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "mapping")
    (project / "mkdocs.yml").write_text(
        "site_name: x\nplugins:\n  handbook:\n    data_dir: response\n"
    )
    (project / "data").rename(project / "response")
    completed = handbook_cli("validate", cwd=project)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_codeowners_names_no_schemas_folder_the_repository_does_not_have(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "engine-schemas")
    shutil.rmtree(project / "schemas")  # checked with the engine's own schemas
    assert handbook_cli("codeowners", cwd=project).returncode == 0
    written = (project / ".github/CODEOWNERS").read_text(encoding="utf-8")
    assert "/data/ @" in written and "/schemas/" not in written
