"""Release history from git: the tags of the repository, newest first."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Release:
    """A git tag: its name, the date of its commit and the subject line."""

    name: str
    date: str
    subject: str


def git_releases(root: Path) -> tuple[Release, ...]:
    """Every tag of the repository at ``root``; empty outside a git checkout.

    Read again on every call (one ``git`` process, a few milliseconds): each build asks once,
    so a tag made while ``handbook serve`` runs shows at the next rebuild.
    """
    try:
        completed = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "for-each-ref",
                "--sort=-creatordate",
                "--format=%(refname:short)%09%(creatordate:short)%09%(contents:subject)",
                "refs/tags",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        return ()
    if completed.returncode != 0:
        return ()
    releases = []
    for line in completed.stdout.splitlines():
        name, date, subject = [*line.split("\t"), "", ""][:3]
        releases.append(Release(name, date, subject))
    return tuple(releases)


def tag_paths(root: Path) -> list[Path]:
    """Where git keeps the tags of the checkout at ``root``: watched by ``handbook serve``."""
    git = root / ".git"
    return [path for path in (git / "refs" / "tags", git / "packed-refs") if path.exists()]
