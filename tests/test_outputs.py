"""Output folders: no build writes over the project, its sources or someone else's files."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from handbook.outputs import (
    OutputError,
    check_output,
    clean_leftovers,
    mark_site,
    scratch_beside,
)
from tests.conftest import add_site_sources, handbook_cli


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def project(base_project: Path) -> Path:
    add_site_sources(base_project)
    (base_project / ".git").mkdir()
    (base_project / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    return base_project


@pytest.mark.parametrize(
    ("site_dir", "why"),
    [
        (".", "is the project folder or holds it"),
        ("..", "is the project folder or holds it"),
        ("data", "would overwrite the project's data/"),
        ("data/runbooks", "would overwrite the project's data/"),
        ("docs", "would overwrite the project's docs/"),
        ("schemas/out", "would overwrite the project's schemas/"),
        ("mkdocs.yml", "is a file, not a folder"),
        ("notes", "holding other things than a site handbook build wrote"),
    ],
)
def test_build_refuses_an_output_that_would_destroy_data(
    project: Path, site_dir: str, why: str
) -> None:
    (project / "notes").mkdir()
    (project / "notes" / "todo.txt").write_text("keep me\n", encoding="utf-8")
    before = _snapshot(project)
    completed = handbook_cli("build", "--site-dir", site_dir, cwd=project)
    assert completed.returncode == 1, completed.stdout
    assert why in completed.stderr
    assert "Traceback" not in completed.stderr
    assert _snapshot(project) == before
    assert not [p for p in project.parent.rglob(".*.new-*")]


def test_an_empty_site_dir_is_a_usage_error_and_the_checkout_survives(project: Path) -> None:
    before = _snapshot(project)
    completed = handbook_cli("build", "--site-dir", "", cwd=project)
    assert completed.returncode == 2
    assert "empty folder name" in completed.stderr
    assert _snapshot(project) == before


def test_site_dir_in_mkdocs_yml_is_checked_too(project: Path) -> None:
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("site_dir: site", "site_dir: data"),
        encoding="utf-8",
    )
    before = _snapshot(project)
    completed = handbook_cli("build", cwd=project)
    assert completed.returncode == 1
    assert "would overwrite the project's data/" in completed.stderr
    assert completed.stderr.startswith("handbook build: site_dir (mkdocs.yml) ")
    assert _snapshot(project) == before


def test_a_previous_site_is_replaced(project: Path) -> None:
    out = project / "out"
    assert handbook_cli("build", "--site-dir", "out", cwd=project).returncode == 0
    (out / "stale.html").write_text("old\n", encoding="utf-8")
    completed = handbook_cli("build", "--site-dir", "out", cwd=project)
    assert completed.returncode == 0, completed.stderr
    assert (out / "index.html").is_file()
    assert not (out / "stale.html").exists()
    assert [p.name for p in project.iterdir() if p.name.startswith(".out")] == []


def test_pdf_out_refuses_sources_and_foreign_folders(project: Path) -> None:
    before = _snapshot(project)
    for out, why in [
        ("docs", "would overwrite the project's docs/"),
        (".", "is the project folder or holds it"),
        ("mkdocs.yml", "is a file, not a folder"),
    ]:
        completed = handbook_cli("pdf", "--out", out, cwd=project)
        assert completed.returncode == 1
        assert f"handbook pdf: --out {out} {why}" in completed.stderr
    assert handbook_cli("pdf", "--out", "", cwd=project).returncode == 2
    assert _snapshot(project) == before


def test_check_output_accepts_new_empty_and_previous_folders(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for name in ("data", "docs", "schemas"):
        (project / name).mkdir(parents=True)
    fresh = tmp_path / "fresh"
    assert check_output(fresh, project, "--site-dir", replaces_folder=True) == fresh
    built = tmp_path / "built"
    built.mkdir()
    (built / "index.html").write_text("old", encoding="utf-8")
    mark_site(built)
    assert check_output(built, project, "--site-dir", replaces_folder=True) == built
    empty = tmp_path / "empty"
    empty.mkdir()
    assert check_output(empty, project, "--out", replaces_folder=True) == empty
    pdfs = tmp_path / "pdfs"
    (pdfs / "runbooks").mkdir(parents=True)
    (pdfs / "runbooks" / "a.pdf").write_bytes(b"%PDF")
    assert check_output(pdfs, project, "--out", replaces_folder=False) == pdfs
    with pytest.raises(OutputError, match="other things than a site"):
        check_output(pdfs, project, "--site-dir", replaces_folder=True)
    (pdfs / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="other things than PDFs"):
        check_output(pdfs, project, "--out", replaces_folder=False)


def test_a_symlink_to_a_source_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (tmp_path / "link").symlink_to(project / "data")
    with pytest.raises(OutputError, match="overwrite the project's data/"):
        check_output(tmp_path / "link", project, "--site-dir", replaces_folder=True)


def test_scratch_left_by_a_killed_build_is_removed_by_the_next(tmp_path: Path) -> None:
    target = tmp_path / "site"
    finished = subprocess.Popen(["true"])
    finished.wait()
    stale = tmp_path / f".site.new-{finished.pid}-abc"
    (stale / "contacts").mkdir(parents=True)
    (stale / "contacts" / "index.html").write_text("+15550100100", encoding="utf-8")
    live = scratch_beside(target)  # this process's own, still in use
    other = tmp_path / f".sitemap.new-{finished.pid}-abc"  # another target's
    other.mkdir()
    assert clean_leftovers(target) == [stale]
    assert not stale.exists()
    assert live.is_dir() and other.is_dir()
    assert live.name.startswith(f".site.new-{os.getpid()}-")


def test_gitignore_covers_scratch_folders() -> None:
    from tests.conftest import REPO

    for name in (".site.new-123-abcd", ".site.old-123"):
        ignored = subprocess.run(
            ["git", "check-ignore", "-q", "--no-index", name], cwd=REPO, check=False
        )
        assert ignored.returncode == 0, name


def test_a_folder_that_only_looks_like_a_site_is_not_replaced(
    project: Path, tmp_path: Path
) -> None:
    pages = tmp_path / "user.github.io"  # a GitHub Pages checkout: index.html, sitemap, .git
    (pages / ".git").mkdir(parents=True)
    (pages / "posts").mkdir()
    for name, text in [("index.html", "x"), ("sitemap.xml", "x"), ("posts/2024.md", "precious")]:
        (pages / name).write_text(text, encoding="utf-8")
    before = _snapshot(pages)
    completed = handbook_cli("build", "--site-dir", str(pages), cwd=project)
    assert completed.returncode == 1
    assert "holding other things than a site handbook build wrote" in completed.stderr
    assert _snapshot(pages) == before and (pages / ".git").is_dir()


def test_unresolvable_output_paths_are_refused_without_a_traceback(
    project: Path, tmp_path: Path
) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    for command in (["build", "--site-dir"], ["pdf", "--out"]):
        for given in (str(loop), "~no-such-user-here/site"):
            completed = handbook_cli(*command, given, cwd=project)
            assert completed.returncode == 1, completed.stderr
            assert "cannot be resolved" in completed.stderr
            assert "Traceback" not in completed.stderr
