"""The MkDocs plugin: the only MkDocs-aware module of the engine.

It runs the validation pipeline once per build, fails the build listing every error
before MkDocs renders anything from invalid data, and adds one generated page per
runbook, dependency, intervention, role and risk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from handbook.diagnostics import Level
from handbook.pages import (
    SiteError,
    downloads,
    edition,
    load_site,
    record_pages,
    resolve_audience,
)
from handbook.pipeline import Project, validate_cached
from handbook.report import format_text
from handbook.site import Site


class HandbookPlugin(BasePlugin):
    """Validates the handbook's data and generates its record pages."""

    site: Site | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Fail the build with every error when the data is invalid."""
        root = Path(config.config_file_path).parent
        result = validate_cached(Project.at(root))
        if not result.ok:
            errors = [d for d in result.diagnostics if d.level is Level.ERROR]
            raise PluginError("invalid handbook data:\n" + format_text(errors, result.files))
        try:
            audience = resolve_audience(config.extra.get("audience"))
            self.site = load_site(root, audience, config.use_directory_urls)
        except SiteError as exc:
            raise PluginError(str(exc)) from None
        stamp = edition(self.site)
        config.copyright = f"{config.copyright} · {stamp}" if config.copyright else stamp
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        """Add the generated record pages."""
        assert self.site is not None  # on_config ran
        for src, content in record_pages(self.site).items():
            files.append(File.generated(config, src, content=content))
        return files

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        """Rebuild when data or schemas change, not only the pages in docs/."""
        root = Path(config.config_file_path).parent
        for folder in ("data", "schemas"):
            server.watch(str(root / folder))
        return server

    def on_post_build(self, config: MkDocsConfig) -> None:
        """Write the downloads: Markdown files MkDocs would otherwise turn into pages."""
        assert self.site is not None
        for path, content in downloads(self.site).items():
            target = Path(config.site_dir) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
