"""The mkdocs-macros module of this repository's site: the engine's own (``handbook.macros``).

A team's site can name the installed module directly instead
(``macros: {modules: [handbook.macros]}``); this folder stays for ``module_name: macros``.
"""

from handbook.macros import define_env

__all__ = ["define_env"]
