"""Reporters: diagnostics as compiler-style text, GitHub annotations or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict

from handbook.diagnostics import Diagnostic, Level


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summary(diagnostics: list[Diagnostic], files: int) -> str:
    """One line: how many files were checked and what was found."""
    errors = sum(d.level is Level.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    verdict = "invalid" if errors else "valid"
    return (
        f"{verdict}: {_count(errors, 'error')}, {_count(warnings, 'warning')} "
        f"in {_count(files, 'file')}"
    )


# Line breaks and other control characters in a file name or a quoted key would start a
# new output line, which CI runners read as a command (``::warning file=...::``): shown escaped.
_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))} | {
    0x0A: "\\n",
    0x0D: "\\r",
    0x09: "\\t",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
    0x85: "\\x85",
}


def one_line(text: str) -> str:
    """``text`` on one line: every control character written as its escape."""
    return text.translate(_CONTROLS)


def format_text(diagnostics: list[Diagnostic], files: int) -> str:
    """``file:line:col: level: $.path: message [rule]`` lines, then the summary."""
    lines = [
        one_line(f"{d.file}:{d.line}:{d.column}: {d.level}: {d.path}: {d.message} [{d.rule}]")
        for d in diagnostics
    ]
    return "\n".join([*lines, summary(diagnostics, files)]) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(diagnostics: list[Diagnostic], files: int) -> str:
    """GitHub Actions workflow commands that annotate the offending lines."""
    lines = [
        f"::{d.level} file={_escape_property(d.file)},line={d.line},col={d.column},"
        f"title={_escape_property(d.rule)}::{_escape_data(f'{d.path}: {d.message} [{d.rule}]')}"
        for d in diagnostics
    ]
    return "\n".join([*lines, summary(diagnostics, files)]) + "\n"


def format_json(diagnostics: list[Diagnostic], files: int) -> str:
    """A JSON list of diagnostics, one object each, with stable keys."""
    del files  # the list is the whole answer; counts are derivable
    return json.dumps([asdict(d) for d in diagnostics], indent=2, ensure_ascii=False) + "\n"


FORMATS: dict[str, Callable[[list[Diagnostic], int], str]] = {
    "text": format_text,
    "github": format_github,
    "json": format_json,
}
