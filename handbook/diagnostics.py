"""Diagnostics: the one shape in which every pipeline step reports a problem."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of character ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class Level(StrEnum):
    """How serious a diagnostic is: errors fail validation, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in the data, located by file, line and column (1-based)."""

    file: str
    line: int
    column: int
    level: Level
    path: str
    message: str
    rule: str

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        """Order by file, position, then rule, so output is stable."""
        return (self.file, self.line, self.column, self.rule, self.path, self.message)


def sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Return the diagnostics sorted by file and position, duplicates removed."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    """Return True when any diagnostic is an error."""
    return any(d.level is Level.ERROR for d in diagnostics)
