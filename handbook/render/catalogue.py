"""Every render function a page may call, under the short name pages use for it.

Each module of ``handbook.render`` declares its own macros in a ``MACROS`` table; this
module gathers them, so that a kind's renderer module brings its macros with it. The
mkdocs-macros module registers each as a macro; another engine can do the same.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from markupsafe import Markup

from handbook import markup, render
from handbook.model import Handbook


class MacroClash(RuntimeError):
    """Two renderer modules declare a macro of the same name."""


def collect(package: str = render.__name__) -> dict[str, Callable[..., str]]:
    """The ``MACROS`` of every module of ``package``; a name declared twice is an error."""
    found: dict[str, Callable[..., str]] = {}
    owners: dict[str, str] = {}
    path = importlib.import_module(package).__path__
    for info in sorted(pkgutil.iter_modules(path), key=lambda i: i.name):
        module = importlib.import_module(f"{package}.{info.name}")
        if module.__name__ == __name__:  # this module's MACROS is the gathered table
            continue
        for name, function in getattr(module, "MACROS", {}).items():
            if name in found:
                raise MacroClash(
                    f"macro {name!r} is declared by {owners[name]} and {module.__name__}"
                )
            found[name], owners[name] = function, module.__name__
    return found


MACROS: dict[str, Callable[..., str]] = collect()


def variables(handbook: Handbook) -> dict[str, Markup]:
    """The variables pages may use besides the macros: data, so text wherever it lands.

    Each is ``markup.text``: in a page's Markdown, its HTML or an attribute it reads as the
    characters of the data, never as markup, a link or a template.
    """
    return {
        "organisation": markup.text(handbook.info.organisation.name),
        "handbook_version": markup.text(handbook.info.handbook_version),
    }
