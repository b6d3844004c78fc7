"""Where the engine keeps what a handbook needs besides the team's own data.

The JSON Schemas, the commented templates, the default pages and assets of ``docs/``, and
the example organisation (``data/`` and its ``mkdocs.yml``). This repository holds them at
its top level, where they are edited and reviewed; a wheel carries the same files under
``handbook/bundle/`` (copied at build time by ``setup.py``, compared by
``tests/test_bundle.py``). One source of truth: a source checkout uses the files in place.
"""

from __future__ import annotations

from pathlib import Path

# What the wheel carries, relative to the repository root.
BUNDLED = ("schemas", "templates", "docs", "data", "mkdocs.yml")

_PACKAGE = Path(__file__).resolve().parent
_PACKAGED = _PACKAGE / "bundle"  # in an installed wheel
_CHECKOUT = _PACKAGE.parent  # a source checkout (an editable install)


class BundleMissing(RuntimeError):
    """The engine was installed without its bundled files (a broken install)."""


def bundle_root() -> Path:
    """The folder holding the bundled files: the wheel's copy, else the source checkout."""
    for root in (_PACKAGED, _CHECKOUT):
        if all((root / name).exists() for name in BUNDLED):
            return root
    raise BundleMissing(
        f"the engine's schemas, templates and pages are missing from {_PACKAGED}: "
        "reinstall the incident-handbook package"
    )


def schema_dir() -> Path:
    """The engine's JSON Schemas."""
    return bundle_root() / "schemas"


def templates_dir() -> Path:
    """The commented template of each kind."""
    return bundle_root() / "templates"


def pages_dir() -> Path:
    """The default pages and assets a site gets unless it has its own."""
    return bundle_root() / "docs"


def example_root() -> Path:
    """The example organisation: ``data/`` and the ``mkdocs.yml`` that builds it."""
    return bundle_root()
