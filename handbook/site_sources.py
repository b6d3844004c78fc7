"""The hand-written side of a site as ``mkdocs.yml`` describes it, read without MkDocs.

``handbook pdf`` and the go-bag lay out the same pages the site shows: this reads their
order (the nav, else MkDocs' default order), their Markdown and the settings that shape
links and styles. The only I/O of the book.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from handbook.bundle import example_root

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Sources:
    """The hand-written side of the site, as ``mkdocs.yml`` describes it."""

    pages: tuple[tuple[str, str], ...] = ()  # (source path, Markdown), in reading order
    directory_urls: bool = True
    audience: str | None = None
    extra_css: tuple[str, ...] = ()
    extra_javascript: tuple[str, ...] = ()
    # Every Markdown page of the site, in the nav or not: its own and the default pages added.
    site_pages: frozenset[str] | None = None


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml; the Python and local tags MkDocs resolves itself become None."""


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)
_ConfigLoader.add_multi_constructor("!", lambda *_: None)


def _nav_sources(nav: Iterable[Any]) -> list[str]:
    """The page sources of a nav, depth first, without external links."""
    found: list[str] = []
    for entry in nav:
        values = entry.values() if isinstance(entry, dict) else [entry]
        for value in values:
            if isinstance(value, list):
                found += _nav_sources(value)
            elif isinstance(value, str) and value.endswith(".md") and not _SCHEME.match(value):
                found.append(value)
    return found


def _markdown_pages(folder: Path) -> set[str]:
    """The Markdown pages under ``folder`` (assets aside), as source paths."""
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*.md")}
    return {n for n in names if not n.startswith("assets/")}


def _default_order(names: Iterable[str]) -> list[str]:
    """MkDocs' order without a nav: by folder, each folder's index first, then by name."""
    return sorted(
        names, key=lambda n: (posixpath.dirname(n), posixpath.basename(n) != "index.md", n)
    )


def plugin_option(config: dict[str, Any], name: str) -> Any:
    """An option of the handbook plugin in ``mkdocs.yml``, None when not set.

    ``plugins`` may be a list (``- handbook: {...}``) or, as MkDocs also accepts, a mapping.
    """
    plugins = config.get("plugins") or ()
    entries = [plugins] if isinstance(plugins, dict) else plugins
    for plugin in entries if isinstance(entries, list | tuple) else ():
        options = plugin.get("handbook") if isinstance(plugin, dict) else None
        if isinstance(options, dict) and options.get(name) is not None:
            return options[name]
    return None


def _configured_audience(config: dict[str, Any]) -> str | None:
    """The handbook plugin's ``audience`` option, else ``extra.audience`` (older handbooks)."""
    if audience := plugin_option(config, "audience"):
        return str(audience)
    extra = config.get("extra")
    return extra.get("audience") if isinstance(extra, dict) else None


def default_pages(defaults: Path, sections: Iterable[str] | None = None) -> set[str]:
    """The default pages a site gets (source paths): those of ``sections``, else all.

    A section is named by its page without ``.md``: ``severities``, ``contacts``...
    """
    pages = _markdown_pages(defaults)
    if sections is None:
        return pages
    wanted = set(sections)
    return {page for page in pages if posixpath.splitext(page)[0] in wanted}


class ConfigError(Exception):
    """``mkdocs.yml`` cannot be read (the message names the file, line and column)."""


def read_config(config_file: Path) -> dict[str, Any]:
    """The settings of ``mkdocs.yml`` (empty when there is none), without MkDocs."""
    if not config_file.is_file():
        return {}
    try:
        loaded = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_ConfigLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{config_file}:{mark.line + 1}:{mark.column + 1}" if mark else str(config_file)
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"{where}: {problem}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_file}: {exc}") from None
    return loaded if isinstance(loaded, dict) else {}


def _assets(config: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A site's stylesheets and scripts, as paths."""
    return (
        tuple(str(c) for c in config.get("extra_css") or ()),
        tuple(str(j) for j in config.get("extra_javascript") or ()),
    )


@cache
def engine_assets() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The stylesheets and scripts the default pages need: those the example site lists."""
    return _assets(read_config(example_root() / "mkdocs.yml"))


def with_engine_assets(
    css: Iterable[str], js: Iterable[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A site's stylesheets and scripts, then the engine's it does not list already."""
    css, js = tuple(css), tuple(js)
    wanted_css, wanted_js = engine_assets()
    return (
        css + tuple(c for c in wanted_css if c not in css),
        js + tuple(j for j in wanted_js if j not in js),
    )


def read_sources(config_file: Path, defaults: Path | None = None) -> Sources:
    """The pages, stylesheets and settings of the site ``config_file`` (mkdocs.yml) builds.

    Without that file, the pages of ``docs/`` beside it in MkDocs' default order. A page the
    site does not have is read from ``defaults`` (the engine's default pages), as the
    plugin adds it to the site.
    """
    config = read_config(config_file)
    docs = config_file.parent / str(config.get("docs_dir") or "docs")
    own = _markdown_pages(docs) if docs.is_dir() else set()
    added: set[str] = set()
    if defaults is not None and defaults.is_dir() and defaults.resolve() != docs.resolve():
        # The plugin adds the default pages of its ``sections`` the site does not have.
        added = default_pages(defaults, plugin_option(config, "sections")) - own
    if not own and not added:
        return Sources()
    order = _nav_sources(config["nav"]) if config.get("nav") else _default_order(own | added)
    pages = tuple(
        (src, (docs / src if src in own else defaults / src).read_text(encoding="utf-8"))
        for src in order
        if src in own or src in added
    )
    css, js = _assets(config)
    if defaults is not None:  # the plugin adds the engine's own, as it adds its pages
        css, js = with_engine_assets(css, js)
    return Sources(
        pages=pages,
        directory_urls=bool(config.get("use_directory_urls", True)),
        audience=_configured_audience(config),
        extra_css=css,
        extra_javascript=js,
        site_pages=frozenset(own | added),
    )
