"""``handbook init``: a new handbook repository, as a starter to fill in or as the example.

A starter holds ``data/`` with one record of each core kind, written as the engine's
commented templates (placeholders such as ``[Name]``, ``[DATE]`` and ``TODO`` that
``handbook validate`` lists with file, line and column until each is filled in), the site
configuration, the workflows, the pre-commit hooks and a README for the team. The example
holds the example organisation's data instead, which validates and builds at once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from handbook.bundle import bundle_root, templates_dir
from handbook.kinds import KINDS, KINDS_BY_NAME, Layout
from handbook.outputs import replace_folder, scratch_beside
from handbook.upgrades import engine_version

STARTER = Path(__file__).resolve().parent / "starter"
VERSION_MARK = "@ENGINE_VERSION@"  # replaced by the installed engine's version


class ScaffoldError(Exception):
    """The handbook cannot be written there (the message says why; nothing was written)."""


def template_text(kind_name: str) -> str:
    """The commented template of one record of a kind (one file for one-file kinds)."""
    kind = KINDS_BY_NAME.get(kind_name) or next((k for k in KINDS if k.noun == kind_name), None)
    if kind is None:
        known = ", ".join(k.noun if k.layout is Layout.DIRECTORY else k.name for k in KINDS)
        raise ScaffoldError(f"no kind {kind_name!r}; one of: {known}")
    return (templates_dir() / kind.template).read_text(encoding="utf-8")


def _starter_data(data: Path) -> None:
    """One record of each core kind, as its template."""
    for kind in KINDS:
        if not kind.required:
            continue
        source = templates_dir() / kind.template
        if kind.layout is Layout.DIRECTORY:
            target = data / kind.location / f"first-{kind.noun}.yml"
        else:
            target = data / kind.location
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def _copy_starter(target: Path, version: str) -> None:
    """The starter's files, with the engine version filled in where they pin it."""
    for path in sorted(p for p in STARTER.rglob("*") if p.is_file()):
        out = target / path.relative_to(STARTER)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(path.read_text(encoding="utf-8").replace(VERSION_MARK, version), "utf-8")


def _unmark(info: Path) -> None:
    """Drop the example's ``example: true``: the copy is the team's to make its own.

    Validation then warns about every invented address and URL it still holds, and about
    the example's name once the organisation is renamed (rule ``example-leftover``).
    """
    lines = info.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("example: true")]
    if len(kept) != len(lines) - 1:
        raise ScaffoldError(f"{info}: expected one 'example: true' line in the example")
    info.write_text("".join(kept), encoding="utf-8")


def init(target: Path, example: bool = False) -> list[Path]:
    """Write a new handbook at ``target`` (absent or empty); the files written.

    Written into a scratch folder beside it first: an error leaves nothing behind.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target} exists and is not an empty folder; nothing was written")
    scratch = scratch_beside(target)
    try:
        _copy_starter(scratch, engine_version())
        if example:
            shutil.copytree(bundle_root() / "data", scratch / "data")
            _unmark(scratch / "data" / "handbook.yml")
        else:
            _starter_data(scratch / "data")
        scratch.chmod(0o755)  # mkdtemp makes it private; a repository is meant to be shared
        written = sorted(p.relative_to(scratch) for p in scratch.rglob("*") if p.is_file())
        if target.exists():
            target.rmdir()  # empty: checked above
        replace_folder(scratch, target)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return [target / p for p in written]
