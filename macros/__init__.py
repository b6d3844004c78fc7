"""mkdocs-macros module: registers the handbook's variables and macros, nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from handbook.pipeline import Project, validate_cached


def define_env(env: Any) -> None:
    """Expose handbook-wide values to the pages."""
    result = validate_cached(Project.at(Path(env.conf["config_file_path"]).parent))
    if result.handbook is None:
        return  # the handbook plugin has already failed the build with every error
    info = result.handbook.info
    env.variables["organisation"] = info.organisation.name
    env.variables["handbook_version"] = info.handbook_version
    env.variables["fallback_team"] = info.fallback_team
