"""The MkDocs plugin: the only MkDocs-aware module of the engine.

It runs the validation pipeline once per build, fails the build listing every error
before MkDocs renders anything from invalid data, and adds one generated page per record
of every kind shown on pages of its own (``handbook.kinds``). It refuses to replace a page
the site has at a generated page's path. Every default page of the engine (the severity
matrix, contacts, runbooks... and their stylesheets and scripts) that the site does not
have itself is added, its macros rendered by the plugin, so that every link the
generated pages carry has a page to land on. After the build it writes the go-bag
(``offline.html``) and, with the option ``pdf: true`` or ``HANDBOOK_PDF=1`` (``handbook
build --pdf``), the PDFs under ``pdf/``.

Page titles are HTML in MkDocs (a title taken from a heading keeps its ``&lt;``), and the
theme's templates are rendered without autoescaping: Material writes ``{{ page.title |
striptags }}`` into ``<title>``, and Jinja's ``striptags`` unescapes what it leaves. The
plugin replaces that filter, for every template of the theme, by one that returns the
same text escaped again (``handbook.markup.plain_text``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from jinja2 import Environment
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from handbook import markup
from handbook.book import (
    MARKDOWN_CONFIGS,
    MARKDOWN_EXTENSIONS,
    BookError,
    expand_macros,
    render_book,
)
from handbook.bundle import pages_dir
from handbook.diagnostics import Level
from handbook.editions import SiteError, edition, load_site, resolve_audience, resolve_pdfs
from handbook.history import tag_paths
from handbook.memo import forget
from handbook.offline import write_offline
from handbook.pages import downloads, record_pages
from handbook.pipeline import Project, validate_cached
from handbook.print_html import PRINT_CSS, SITE_PRINT_CSS
from handbook.progress import BUILD_PAGES, Progress, wanted
from handbook.render.catalogue import variables
from handbook.report import format_text
from handbook.site import AUDIENCES, PDF_DIR, Site
from handbook.site_sources import default_pages, read_sources, with_engine_assets

# The default pages, by name (``severities`` for severities.md): the ``sections`` option.
SECTIONS = tuple(sorted(page.removesuffix(".md") for page in default_pages(pages_dir())))


class HandbookConfig(base.Config):
    """The plugin's options in ``mkdocs.yml`` (``plugins: [handbook: {audience: public}]``)."""

    audience = c.Optional(c.Choice(AUDIENCES))
    pdf = c.Optional(c.Type(bool))
    # Folders, relative to mkdocs.yml: the data, and schemas that replace the engine's.
    data_dir = c.Type(str, default="data")
    schema_dir = c.Optional(c.Type(str))
    # The default pages to add (those the site lacks), by name; unset: all of them. A
    # kind's record pages come with its index page (runbooks/... with runbooks), and a
    # link to a page the site then does not have is left out.
    sections = c.Optional(c.ListOfItems(c.Choice(SECTIONS)))


# Files of the default pages folder that are not part of a site.
_NOT_SITE_FILES = frozenset({"assets/vendor/README.md"})


class HandbookPlugin(BasePlugin[HandbookConfig]):
    """Validates the handbook's data and generates its record pages.

    It keeps what ``handbook serve`` needs to rebuild single pages after a data change
    (``handbook.mkdocs_serve``): the generated pages' text, the files, nav and template
    environment of the last build.
    """

    def __init__(self) -> None:
        """No build yet."""
        self.site: Site | None = None
        self.generated: dict[str, str] = {}  # source path -> text of each generated page
        self.site_wide_facts: tuple[object, ...] = ()
        self.files: Files | None = None
        self.nav: Navigation | None = None
        self.env: Environment | None = None
        self.serving = False
        self.defaults: set[str] = set()  # default pages added to this build (macros rendered here)
        self.pages: frozenset[str] | None = None  # the site's pages besides record pages
        # What the caller asked for explicitly (``handbook build --audience``): it wins over
        # the environment and mkdocs.yml, for this plugin object only.
        self.chosen_audience: str | None = None
        self.chosen_pdfs: bool | None = None
        self.progress: Progress | None = None  # of a large build's pages
        self.page_count = 0

    def choose(self, audience: str | None = None, pdfs: bool | None = None) -> None:
        """Set the audience and PDFs of the builds this plugin object runs."""
        self.chosen_audience, self.chosen_pdfs = audience, pdfs

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Note whether serving (MkDocs keeps one plugin object then, for every rebuild)."""
        self.serving = command == "serve"

    def on_shutdown(self) -> None:
        """The build, or the serve session, is over: its caches go (``handbook.memo``)."""
        forget()

    def project(self, config: MkDocsConfig) -> Project:
        """The handbook project this site builds: its data and schemas, by the options."""
        root = Path(config.config_file_path).parent
        schemas = root / self.config.schema_dir if self.config.schema_dir else None
        return Project.at(root, schemas, root / self.config.data_dir)

    def load(self, config: MkDocsConfig) -> Site:
        """The site of the data as it is now; ``PluginError`` listing every error if invalid."""
        root = Path(config.config_file_path).parent
        project = self.project(config)
        if not project.data_dir.is_dir():
            raise PluginError(f"handbook: no data folder at {project.data_dir}")
        result = validate_cached(project)
        if not result.ok:
            errors = [d for d in result.diagnostics if d.level is Level.ERROR]
            raise PluginError("invalid handbook data:\n" + format_text(errors, result.file_count))
        try:
            # ``extra.audience``/``extra.pdf``: where handbooks before the plugin options said it.
            audience = resolve_audience(
                self.chosen_audience, self.config.audience or config.extra.get("audience")
            )
            pdfs = resolve_pdfs(
                self.chosen_pdfs,
                self.config.pdf if self.config.pdf is not None else config.extra.get("pdf"),
            )
            site = load_site(root, audience, config.use_directory_urls, pdfs, result)
        except SiteError as exc:
            raise PluginError(str(exc)) from None
        return site if self.pages is None else replace(site, pages=self.pages)

    @staticmethod
    def site_wide(site: Site) -> tuple[object, ...]:
        """What every page shows of the data: the footer's edition, the macros' variables."""
        return edition(site), sorted(variables(site.handbook).items())

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Fail the build with every error when the data is invalid."""
        self.site = self.load(config)
        self.site_wide_facts = self.site_wide(self.site)
        stamp = markup.esc(edition(self.site))  # the theme writes the copyright as HTML
        config.copyright = f"{config.copyright} · {stamp}" if config.copyright else stamp
        if not config.site_name.strip():  # the starter leaves it empty: the organisation's
            # Data, so text: the theme writes site_name into its HTML as it is.
            organisation = self.site.handbook.info.organisation.name
            config.site_name = markup.esc(f"{organisation} incident handbook")
        # The stylesheets and scripts the default pages need (print.css for printing).
        css, js = with_engine_assets(map(str, config.extra_css), map(str, config.extra_javascript))
        config.extra_css.extend(css[len(config.extra_css) :])
        config.extra_javascript.extend(js[len(config.extra_javascript) :])
        # The Markdown the default and generated pages are written in (admonitions, task
        # lists, Mermaid fences), unless the site configures the extension itself.
        for extension in MARKDOWN_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
                if extension in MARKDOWN_CONFIGS:
                    config.mdx_configs[extension] = MARKDOWN_CONFIGS[extension]
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        """Add the generated record pages and the print stylesheet (one source with PDFs)."""
        assert self.site is not None  # on_config ran
        own = {file.src_uri for file in files.documentation_pages()}
        added = self.default_pages(config) - own
        self.pages = frozenset(own | added)
        self.site = replace(self.site, pages=self.pages)
        self.generated = record_pages(self.site)
        taken = sorted(src for src in self.generated if files.get_file_from_path(src) is not None)
        if taken:
            raise PluginError(
                f"handbook: {len(taken)} page(s) of {config.docs_dir} are where the handbook "
                f"generates a record's page: {', '.join(taken[:5])}"
                + (" ..." if len(taken) > 5 else "")
                + "; move or rename them (nothing was replaced)"
            )
        for src, content in self.generated.items():
            files.append(File.generated(config, src, content=content))
        self.defaults = self.add_defaults(files, config, added)
        shared = files.get_file_from_path(SITE_PRINT_CSS)
        if shared is not None:
            files.remove(shared)
        files.append(File.generated(config, SITE_PRINT_CSS, abs_src_path=str(PRINT_CSS)))
        return files

    def default_pages(self, config: MkDocsConfig) -> set[str]:
        """The default pages this site asks for (none in this repository: they are its own)."""
        if Path(config.docs_dir).resolve() == pages_dir().resolve():
            return set()
        return default_pages(pages_dir(), self.config.sections)

    @staticmethod
    def add_defaults(files: Files, config: MkDocsConfig, pages: set[str]) -> set[str]:
        """Add the default ``pages`` and every default asset the site does not have."""
        folder = pages_dir()
        added: set[str] = set()
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            src = path.relative_to(folder).as_posix()
            if src in _NOT_SITE_FILES or files.get_file_from_path(src) is not None:
                continue
            if src.endswith(".md") and src not in pages:
                continue
            files.append(File(src, str(folder), config.site_dir, config.use_directory_urls))
            if src.endswith(".md"):
                added.add(src)
        return added

    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Render the macros of a default page (the site may not use mkdocs-macros)."""
        if page.file.src_uri not in self.defaults:
            return markdown
        assert self.site is not None
        page.meta["render_macros"] = False  # rendered here; mkdocs-macros must not again
        try:
            return expand_macros(self.site, page.file.src_uri, markdown)
        except BookError as exc:
            raise PluginError(str(exc)) from None

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        """Keep the files and navigation for page-level rebuilds; start counting pages."""
        self.files, self.nav = files, nav
        self.page_count = len(files.documentation_pages())
        self.progress = None
        if not self.serving and wanted(self.page_count, BUILD_PAGES):
            self.progress = Progress("handbook build", self.page_count, "pages", verb="convert")
        return nav

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Count a page converted from Markdown (progress of a large build)."""
        if self.progress is not None:
            self.progress.advance()
        return html

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        """The page without the indentation of the theme's templates; counted as written."""
        if self.progress is not None:
            if self.progress.verb == "convert":
                self.progress.close(f"{self.page_count} pages converted")
                self.progress = Progress("handbook build", self.page_count, "pages")
            self.progress.advance()
        return markup.squeeze(output)

    def on_post_template(
        self, output_content: str, template_name: str, config: MkDocsConfig
    ) -> str:
        """A page of the theme's own (404.html) squeezed as the others."""
        return markup.squeeze(output_content) if template_name.endswith(".html") else output_content

    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        """Make ``striptags`` return escaped text; keep the environment for page rebuilds."""
        env.filters["striptags"] = markup.plain_text
        self.env = env
        return env

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        """Rebuild when data, schemas or git tags change, not only the pages in docs/."""
        root = Path(config.config_file_path).parent
        project = self.project(config)
        for folder in (project.data_dir, project.schema_dir):
            server.watch(str(folder))
        for path in tag_paths(root):  # a new tag shows on the document-control page
            server.watch(str(path))
        return server

    def on_post_build(self, config: MkDocsConfig) -> None:
        """Write the downloads, the go-bag and, when asked for, the PDFs.

        The downloads are Markdown files MkDocs would otherwise turn into pages.
        """
        assert self.site is not None
        if self.progress is not None:
            self.progress.close(f"{self.page_count} pages written")
            self.progress = None
        for path, content in downloads(self.site).items():
            target = Path(config.site_dir) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        site_dir = Path(config.site_dir)
        sources = read_sources(Path(config.config_file_path), pages_dir())
        try:
            public_url = self.site.handbook.info.public_url
            pages = render_book(self.site, sources, public_url, reuse=self.serving)
            write_offline(self.site, pages, sources, site_dir)
            if self.site.pdfs:
                from handbook import pdf_cache  # WeasyPrint only when asked
                from handbook.pdf import PdfError, write_pdfs

                root = Path(config.config_file_path).parent
                try:
                    write_pdfs(
                        self.site,
                        sources,
                        site_dir / PDF_DIR,
                        book_pages=pages,
                        cache=pdf_cache.configured(root),
                        progress="handbook build --pdf",
                    )
                except PdfError as exc:
                    raise PluginError(f"handbook pdf: {exc}") from None
        except BookError as exc:
            raise PluginError(str(exc)) from None
