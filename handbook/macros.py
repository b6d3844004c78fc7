"""mkdocs-macros module: registers macros that call the engine's render functions.

A site uses it with ``plugins: [handbook, macros: {modules: [handbook.macros]}]`` (listed
after the handbook plugin) to call ``{{ severity_matrix() }}`` and the others in its own
pages. Nothing else lives here. Each macro renders for the page it is called on, from the site
the handbook plugin loaded for this build (``handbook.editions.load_site`` without it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from handbook.editions import load_site, resolve_audience, resolve_pdfs
from handbook.render import catalogue
from handbook.site import Context, Site


def define_env(env: Any) -> None:
    """Register one macro per render function of the catalogue."""
    root = Path(env.conf["config_file_path"]).parent

    def site() -> Site:
        # The handbook plugin (listed before macros) loaded this build's site already.
        plugin = env.conf.plugins.get("handbook")
        if getattr(plugin, "site", None) is not None:
            return plugin.site
        audience = resolve_audience(None, env.conf["extra"].get("audience"))
        pdfs = resolve_pdfs(None, env.conf["extra"].get("pdf"))
        return load_site(root, audience, env.conf["use_directory_urls"], pdfs)

    def context() -> Context:
        return site().page(env.page.file.src_uri)

    env.variables.update(catalogue.variables(site().handbook))

    def register(name: str, render: Callable[..., str]) -> None:
        env.macro(lambda *args: render(context(), *args), name)

    for name, render in catalogue.MACROS.items():
        register(name, render)
