"""Build step: the wheel carries the repository's schemas, templates, pages and example.

They stay at the repository's top level (one source of truth, edited and reviewed there);
``build_py`` copies them under ``handbook/bundle/`` of the built package. An editable
install reads them in place (``handbook/bundle.py``).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from handbook.bundle import BUNDLED  # noqa: E402  (standard library only: safe in a build)


class BuildWithBundle(build_py):
    """``build_py`` that also copies the bundled files into the built package."""

    def run(self) -> None:
        """Build the package, then add the bundle (not for an editable install)."""
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "handbook" / "bundle"
        if target.exists():
            shutil.rmtree(target)
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        for name in BUNDLED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=ignore)
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildWithBundle})
