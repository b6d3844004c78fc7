"""``handbook serve``: the site with live reload, rebuilt page by page after a data change.

MkDocs' own ``serve`` rebuilds the whole site on every change: 35 seconds at 1,000
runbooks. Here a change under ``data/`` alone is applied in place: the data is validated
again (unchanged files are not read again), every generated page is rendered again as
text and compared with the last build's, every hand-written page's Markdown is expanded
again (its macros read the data) and compared, and only the pages whose text changed go
through Markdown, the theme and the search index; then the post-build steps (search
index, downloads, go-bag) run as in a full build. Comparing the rendered text rather
than tracking which record a page shows is what keeps this correct: a runbook's title
appears on its dependency, risk, signal, index and review pages, and each of them is
rebuilt because its text changed.

A change anywhere else (``docs/``, ``mkdocs.yml``, ``schemas/``, the macros), a record
added, removed or re-tagged, or a change of the handbook's version or organisation name
(on every page) rebuilds the whole site, as MkDocs does. So does the first save after a
rebuild that failed half-way.

This module and ``mkdocs_plugin`` are the engine's only MkDocs-aware code; the
page-level steps mirror ``mkdocs.commands.build`` (MkDocs 1.6).
"""

from __future__ import annotations

import html
import logging
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment
from mkdocs import utils
from mkdocs.commands.build import _build_page, build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.livereload import LiveReloadServer, _serve_url
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.structure.pages import Page

from handbook.files import state_of
from handbook.history import tag_paths
from handbook.mkdocs_plugin import HandbookPlugin
from handbook.pages import record_pages
from handbook.site import Site

log = logging.getLogger("mkdocs.handbook")

SEARCH, TAGS = "material/search", "material/tags"


@dataclass(frozen=True)
class Inputs:
    """The state of every watched file: the data apart from everything else."""

    data: tuple[tuple[str, int, int], ...]
    other: tuple[tuple[str, int, int], ...]

    def changed_data(self, before: Inputs, root: Path) -> list[str]:
        """Data files added, removed or changed since ``before``, relative to ``root``."""
        changed = {Path(entry[0]) for entry in set(self.data) ^ set(before.data)}
        return sorted(path.relative_to(root).as_posix() for path in changed)


def watched(config: MkDocsConfig) -> tuple[Path, list[Path]]:
    """(the data folder, everything else a rebuild depends on) of a loaded configuration."""
    root = Path(config.config_file_path).parent
    others = [Path(config.docs_dir), Path(config.config_file_path), root / "schemas"]
    others += [Path(path) for path in config.watch]
    others += tag_paths(root)  # a new git tag shows on the document-control page
    if config.theme.custom_dir:
        others.append(Path(config.theme.custom_dir))
    return root / "data", others


def inputs(config: MkDocsConfig) -> Inputs:
    """The current state of the watched files."""
    data, others = watched(config)
    return Inputs(state_of([data]), state_of(others))


class NeedsFullBuild(Exception):
    """The change cannot be applied page by page (the message says why)."""


@dataclass(frozen=True)
class Rebuilt:
    """What one rebuild did."""

    pages: int  # pages written again
    total: int  # pages in the site
    full: bool
    reason: str


def _plugin(config: MkDocsConfig) -> HandbookPlugin:
    plugin = config.plugins.get("handbook")
    if not isinstance(plugin, HandbookPlugin):
        raise Abort("mkdocs.yml must list the handbook plugin under plugins:")
    return plugin


def _read(page: Page, config: MkDocsConfig) -> None:
    """The first half of MkDocs' page population: the source and its Markdown events."""
    config._current_page = page
    try:
        files = _plugin(config).files
        page = config.plugins.on_pre_page(page, config=config, files=files)
        page.read_source(config)
        page.markdown = config.plugins.on_page_markdown(
            page.markdown, page=page, config=config, files=files
        )
    finally:
        config._current_page = None


def _render(page: Page, config: MkDocsConfig) -> None:
    """The second half: Markdown to HTML and the content events."""
    config._current_page = page
    try:
        files = _plugin(config).files
        page.render(config, files)
        page.content = config.plugins.on_page_content(
            page.content, page=page, config=config, files=files
        )
    finally:
        config._current_page = None


def _page_url(location: str) -> str:
    return location.partition("#")[0]


def _tag_listing_pages(config: MkDocsConfig) -> set[str]:
    """Sources of the pages holding a tag listing, whose listings are dropped to be remade."""
    tags = config.plugins.get(TAGS)
    if tags is None or not hasattr(tags, "listings"):
        return set()
    pages = {listing.page.file.src_uri for listing in tags.listings.data}
    tags.listings.data = set()
    return pages


def apply_data_change(config: MkDocsConfig, site: Site) -> tuple[int, int]:
    """Rebuild the pages the new ``site`` changes; return (pages written, pages in the site).

    Raises ``NeedsFullBuild`` before writing anything when the change reaches every page
    or the set of pages.
    """
    plugin = _plugin(config)
    if plugin.files is None or plugin.nav is None or plugin.env is None:
        raise NeedsFullBuild("no earlier build to update")
    if plugin.site_wide(site) != plugin.site_wide_facts:
        raise NeedsFullBuild("the version or organisation shown on every page changed")
    generated = record_pages(site)
    if generated.keys() != plugin.generated.keys():
        raise NeedsFullBuild("records were added, removed or renamed")
    changed = {src for src, text in generated.items() if text != plugin.generated[src]}
    if any(_front_matter(generated[s]) != _front_matter(plugin.generated[s]) for s in changed):
        raise NeedsFullBuild("tags changed")
    files = plugin.files
    for src in changed:
        file = files.get_file_from_path(src)
        assert file is not None
        file.content_string = generated[src]
    plugin.site, plugin.generated = site, generated

    listings = _tag_listing_pages(config)
    rebuilt = []
    doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
    for file in doc_files:
        page = file.page
        assert page is not None
        if file.src_uri in plugin.generated and file.src_uri not in changed:
            continue  # a generated page whose text did not change
        before = page.markdown
        _read(page, config)
        if page.markdown != before or file.src_uri in listings:
            _render(page, config)
            rebuilt.append(page)
    env = config.plugins.on_env(plugin.env, config=config, files=files)
    _build_pages(config, rebuilt, doc_files, env)
    for file in doc_files:  # a page not rebuilt may link to an anchor a rebuilt one lost
        assert file.page is not None
        file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
    config.plugins.on_post_build(config=config)
    return len(rebuilt), len(doc_files)


def _front_matter(text: str) -> str:
    return text.partition("\n---\n")[0]


def _build_pages(
    config: MkDocsConfig, pages: list[Page], doc_files: Sequence[File], env: Environment
) -> None:
    """Write ``pages``; their search entries replace theirs, in the order of a full build."""
    plugin = _plugin(config)
    search = config.plugins.get(SEARCH)
    index = getattr(search, "search_index", None)
    if index is None:
        for page in pages:
            _build_page(page, config, doc_files, plugin.nav, env)
        return
    entries: dict[str, list[dict[str, Any]]] = {}
    for entry in index.entries:
        entries.setdefault(_page_url(entry["location"]), []).append(entry)
    for page in pages:
        index.entries = []
        _build_page(page, config, doc_files, plugin.nav, env)
        entries[page.url] = index.entries
    order = [file.page.url for file in doc_files if file.page is not None]
    index.entries = [entry for url in order for entry in entries.get(url, [])]


class LiveSite:
    """The served site: a full build first, then page-level rebuilds where they suffice."""

    def __init__(self, config_file: Path, site_dir: str, dev_addr: str | None) -> None:
        """Serve the project of ``config_file`` from ``site_dir``."""
        self.config_file = config_file
        self.site_dir = site_dir
        self.dev_addr = dev_addr
        self.config: MkDocsConfig | None = None  # of the last good build, None to build all
        self.inputs: Inputs | None = None
        self.serve_url = ""
        # MkDocs keeps one plugin object per process: its pages must be from our build.
        self.files: object = None
        # Why the data cannot be built (file:line:column lines), shown on every served page
        # over the last good build until the data is valid again; None while it is.
        self.problems: str | None = None

    def load_config(self) -> MkDocsConfig:
        """The configuration as ``mkdocs serve`` loads it (strict, our site folder)."""
        options: dict[str, Any] = {"site_dir": self.site_dir}
        if self.dev_addr:
            options["dev_addr"] = self.dev_addr
        config = load_config(str(self.config_file), **options)
        if self.serve_url:
            config.site_url = self.serve_url
        return config

    def rebuild(self) -> Rebuilt:
        """Bring the site up to date with the files; the builder the server calls."""
        before, config = self.inputs, self.config
        if before is None or config is None:
            return self.full_build("first build")
        if _plugin(config).files is not self.files:
            return self.full_build("another site was built in this process")
        now = inputs(config)
        if now.other != before.other:
            return self.full_build("a change outside data/")
        try:
            site = _plugin(config).load(config)
        except PluginError as exc:  # invalid data: nothing written, the last good build stays
            return self._invalid(str(exc))
        self.problems = None
        try:
            with _strict(config):
                written, total = apply_data_change(config, site)
        except NeedsFullBuild as reason:
            return self.full_build(str(reason))
        except Exception:
            self.config = None  # written in part, or not at all: the next change rebuilds all
            raise
        self.inputs = now
        root = Path(config.config_file_path).parent
        changed = ", ".join(now.changed_data(before, root)) or "no file"
        return Rebuilt(written, total, False, f"changed: {changed}")

    def _invalid(self, problems: str) -> Rebuilt:
        """Invalid data: say so once in the terminal and on every page; keep the last build."""
        if problems != self.problems:
            log.error(f"{problems.rstrip()}\nThe browser shows this over the last good build.")
        self.problems = problems
        index = Path(self.site_dir) / "index.html"
        if not index.exists():  # nothing built yet: a page to show the problems on
            index.write_text(_NOTHING_BUILT, encoding="utf-8")
        return Rebuilt(0, 0, False, "invalid data")

    def full_build(self, reason: str) -> Rebuilt:
        """Build every page, as ``mkdocs build`` does; nothing when the data is invalid."""
        self.config = None
        config = self.load_config()
        snapshot = inputs(config)
        try:
            _plugin(config).load(config)  # validated once: the build below reuses it
        except PluginError as exc:
            return self._invalid(str(exc))
        self.problems = None
        build(config, serve_url=self.serve_url or None)
        plugin = _plugin(config)
        self.config, self.inputs, self.files = config, snapshot, plugin.files
        total = len(plugin.files.documentation_pages()) if plugin.files else 0
        return Rebuilt(total, total, True, reason)


_NOTHING_BUILT = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Handbook</title>'
    "</head><body><main><h1>Nothing built yet</h1><p>The handbook's data is invalid: fix "
    "what is listed above; this page reloads by itself.</p></main></body></html>"
)
BANNER_ID = "handbook-serve-problems"


def problems_banner(problems: str) -> bytes:
    """The banner every served page shows while the data is invalid (text, never markup)."""
    text = html.escape(problems.strip())
    return (
        f'<div id="{BANNER_ID}" role="alert" style="position:sticky;top:0;z-index:1000;'
        "margin:0;padding:.75rem 1rem;background:#b71c1c;color:#fff;font:14px/1.4 "
        'system-ui,sans-serif;max-height:50vh;overflow:auto"><strong>The data is invalid: '
        "this is the last good build.</strong> Fix these and the page reloads."
        f'<pre style="white-space:pre-wrap;margin:.5rem 0 0;color:#fff;background:none">'
        f"{text}</pre></div>"
    ).encode()


class HandbookServer(LiveReloadServer):
    """MkDocs' live-reload server, showing the data's problems on every page while any."""

    def __init__(self, live: LiveSite, **options: Any) -> None:
        super().__init__(**options)
        self.live = live

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        content = super()._inject_js_into_html(content, epoch)
        if self.live.problems is None:
            return content
        body = re.search(rb"<body\b[^>]*>", content)
        at = body.end() if body else 0
        return content[:at] + problems_banner(self.live.problems) + content[at:]


@contextmanager
def _strict(config: MkDocsConfig) -> Iterator[None]:
    """Count MkDocs' warnings during an update; in strict mode any of them fails it."""
    counter = utils.CountHandler()
    counter.setLevel(logging.WARNING)
    logger = logging.getLogger("mkdocs")
    if config.strict:
        logger.addHandler(counter)
    try:
        yield
    finally:
        logger.removeHandler(counter)
    if counts := counter.get_counts():
        shown = ", ".join(f"{v} {k.lower()}s" for k, v in counts)
        raise Abort(f"Aborted with {shown} in strict mode!")


def _relative(path: Path, root: Path) -> str:
    """A watched path as the user knows it: relative to the project, folders with a slash."""
    try:
        shown = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = str(path)
    return shown + "/" if path.is_dir() else shown


def serve(config_file: Path, dev_addr: str | None = None) -> None:
    """Serve the site with live reload until interrupted."""
    site_dir = tempfile.mkdtemp(prefix="handbook_")
    site = LiveSite(config_file, site_dir, dev_addr)
    config = site.load_config()
    config.plugins.on_startup(command="serve", dirty=False)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    site.serve_url = _serve_url(host, port, mount_path)

    def builder(starting: bool = False) -> None:
        start = time.monotonic()
        done = site.rebuild()
        if site.problems is not None or starting:
            return  # said once with the problems; the start by the "Serving" line below
        seconds = time.monotonic() - start
        what = "the whole site" if done.full else f"{done.pages} of {done.total} pages"
        log.info(f"Rebuilt {what} in {seconds:.2f} s ({done.reason})")

    server = HandbookServer(
        site, builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path
    )
    try:
        builder(starting=True)
        data, others = watched(config)
        root = Path(config.config_file_path).parent
        shown = []
        for path in [data, *others]:
            if path.exists():
                server.watch(str(path))
                shown.append(_relative(path, root))
        log.info(f"Serving {site.serve_url} (watching {', '.join(shown)}; Ctrl+C stops)")
        config.plugins.on_serve(server, config=config, builder=builder)
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
