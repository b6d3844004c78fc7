"""The MkDocs plugin: the only MkDocs-aware module of the engine.

It runs the validation pipeline once per build and fails the build, listing every error,
before MkDocs renders anything from invalid data.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from handbook.diagnostics import Level
from handbook.pipeline import Project, validate_cached
from handbook.report import format_text


class HandbookPlugin(BasePlugin):
    """Validates the handbook's data before every build."""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Fail the build with every error when the data is invalid."""
        project = Project.at(Path(config.config_file_path).parent)
        result = validate_cached(project)
        if not result.ok:
            errors = [d for d in result.diagnostics if d.level is Level.ERROR]
            raise PluginError("invalid handbook data:\n" + format_text(errors, result.files))
        return config
