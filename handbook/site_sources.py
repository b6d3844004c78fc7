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
from pathlib import Path
from typing import Any

import yaml

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Sources:
    """The hand-written side of the site, as ``mkdocs.yml`` describes it."""

    pages: tuple[tuple[str, str], ...] = ()  # (source path, Markdown), in reading order
    directory_urls: bool = True
    audience: str | None = None
    extra_css: tuple[str, ...] = ()
    extra_javascript: tuple[str, ...] = ()


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


def _default_order(docs: Path) -> list[str]:
    """MkDocs' order without a nav: by folder, each folder's index first, then by name."""
    names = [p.relative_to(docs).as_posix() for p in docs.rglob("*.md")]
    names = [n for n in names if not n.startswith("assets/")]
    return sorted(
        names, key=lambda n: (posixpath.dirname(n), posixpath.basename(n) != "index.md", n)
    )


def _configured_audience(config: dict[str, Any]) -> str | None:
    """The handbook plugin's ``audience`` option, else ``extra.audience`` (older handbooks)."""
    for plugin in config.get("plugins") or ():
        options = plugin.get("handbook") if isinstance(plugin, dict) else None
        if isinstance(options, dict) and options.get("audience"):
            return str(options["audience"])
    extra = config.get("extra")
    return extra.get("audience") if isinstance(extra, dict) else None


def read_sources(config_file: Path) -> Sources:
    """The pages, stylesheets and settings of the site ``config_file`` (mkdocs.yml) builds.

    Without that file, the pages of ``docs/`` beside it in MkDocs' default order.
    """
    config: dict[str, Any] = {}
    if config_file.is_file():
        loaded = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_ConfigLoader)
        config = loaded if isinstance(loaded, dict) else {}
    docs = config_file.parent / str(config.get("docs_dir") or "docs")
    if not docs.is_dir():
        return Sources()
    order = _nav_sources(config["nav"]) if config.get("nav") else _default_order(docs)
    pages = tuple(
        (src, (docs / src).read_text(encoding="utf-8")) for src in order if (docs / src).is_file()
    )
    return Sources(
        pages=pages,
        directory_urls=bool(config.get("use_directory_urls", True)),
        audience=_configured_audience(config),
        extra_css=tuple(str(c) for c in config.get("extra_css") or ()),
        extra_javascript=tuple(str(j) for j in config.get("extra_javascript") or ()),
    )
