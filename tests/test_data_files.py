"""Entries of data/ that are not plain files of the project are refused unread."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import TODAY, handbook_cli

PRIVATE = "root:x:0:0:private-first-line-never-echoed"


def _validate(project: Path) -> tuple[int, str]:
    completed = handbook_cli("validate", "--today", TODAY.isoformat(), cwd=project)
    output = completed.stdout + completed.stderr
    assert "Traceback" not in output
    return completed.returncode, output


def test_a_link_out_of_data_is_refused_by_name_without_reading_it(
    base_project: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "passwd"
    outside.write_text(f"{PRIVATE}\nid: leak\n", encoding="utf-8")
    (base_project / "data" / "runbooks" / "leak.yml").symlink_to(outside)
    status, output = _validate(base_project)
    assert status == 1
    assert (
        "data/runbooks/leak.yml:1:1: error: $: leak.yml is a symbolic link out of data/; "
        "data files must be in it [unknown-file]"
    ) in output
    assert "private-first-line" not in output and str(outside) not in output


def test_a_kind_file_or_folder_linked_out_of_data_is_refused(
    base_project: Path, tmp_path: Path
) -> None:
    data = base_project / "data"
    moved = tmp_path / "elsewhere"
    (data / "runbooks").rename(moved)
    (data / "runbooks").symlink_to(moved)
    status, output = _validate(base_project)
    assert status == 1
    assert "is a symbolic link out of data/" in output
    handbook = tmp_path / "handbook.yml"
    (data / "handbook.yml").rename(handbook)
    (data / "handbook.yml").symlink_to(handbook)
    assert (
        "data/handbook.yml:1:1: error: $: handbook.yml is a symbolic link out of data/"
        in (_validate(base_project)[1])
    )


def test_a_link_inside_data_is_followed(base_project: Path) -> None:
    data = base_project / "data"
    (data / "shared").mkdir()
    (data / "roles.yml").rename(data / "shared" / "roles.yml")
    (data / "roles.yml").symlink_to(data / "shared" / "roles.yml")
    status, output = _validate(base_project)
    assert "symbolic link" not in output
    # The folder holding the real file is itself unknown to the handbook: one error, its own.
    assert status == 1 and "shared is not a handbook data file" in output


def test_a_fifo_does_not_hang_validation(base_project: Path) -> None:
    os.mkfifo(base_project / "data" / "runbooks" / "pipe.yml")
    os.mkfifo(base_project / "data" / "pipe-kind.yml")
    (base_project / "data" / "signals.yml").unlink()
    os.mkfifo(base_project / "data" / "signals.yml")
    status, output = _validate(base_project)  # the helper's timeout fails a hang
    assert status == 1
    assert (
        "data/runbooks/pipe.yml:1:1: error: $: pipe.yml is not a regular file "
        "(a FIFO, socket or device) [unknown-file]"
    ) in output
    assert "data/signals.yml:1:1: error: $: signals.yml is not a regular file" in output
    assert "pipe-kind.yml is not a handbook data file" in output


def test_docs_entries_a_build_must_not_copy_are_refused(base_project: Path, tmp_path: Path) -> None:
    from tests.conftest import add_site_sources

    add_site_sources(base_project)
    docs = base_project / "docs"
    secret = tmp_path / "environ"
    secret.write_text(f"{PRIVATE}\n", encoding="utf-8")
    (docs / "notes.txt").symlink_to(secret)
    (docs / "assets" / "outside").symlink_to(tmp_path)
    (docs / "readme-link.md").symlink_to(base_project / "docs" / "index.md")  # inside: fine
    os.mkfifo(docs / "pipe.txt")
    status, output = _validate(base_project)
    assert status == 1
    assert "docs/notes.txt:1:1: error: $: notes.txt is a symbolic link out of the project" in output
    assert "docs/assets/outside:1:1: error: $: outside is a symbolic link out of" in output
    assert "docs/pipe.txt:1:1: error: $: pipe.txt is not a regular file" in output
    assert "readme-link" not in output and "private-first-line" not in output
    built = handbook_cli("build", "--site-dir", str(tmp_path / "site"), cwd=base_project)
    assert built.returncode == 1  # refused before MkDocs copies (or blocks on) anything
    assert not (tmp_path / "site").exists()
