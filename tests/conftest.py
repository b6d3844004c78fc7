"""Shared helpers: build a project from the base fixture plus one case's overlay."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import markdown
import pytest

from handbook.model import Handbook
from handbook.pipeline import Project, validate
from handbook.site import Site

REPO = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
BASE = CASES / "base"
SCHEMAS = REPO / "schemas"
GOLDEN = Path(__file__).resolve().parent / "golden"
TODAY = dt.date(2026, 11, 23)
# The Markdown extensions mkdocs.yml enables, so hostile text meets the real pipeline.
MKDOCS_EXTENSIONS = [
    "admonition",
    "attr_list",
    "tables",
    "toc",
    "pymdownx.superfences",
    "pymdownx.tasklist",
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


def as_site_html(fragment: str) -> str:
    """What the site's Markdown makes of a rendered fragment."""
    return markdown.markdown(fragment, extensions=MKDOCS_EXTENSIONS)


def assert_golden(name: str, text: str) -> None:
    """Compare ``text`` with ``tests/golden/<name>``; ``UPDATE_GOLDEN=1`` rewrites the file."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no golden file {path}; run with UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8")
