"""``example-leftover``: what a handbook still carries of the example it was started from.

A team that starts from the example (``handbook init --example``) and renames the
organisation must not leave the example behind: its name in a runbook, its public URL
(every printed QR code points there), or a contact on a domain reserved for examples
(``example.com``, ``.org``, ``.net``, RFC 2606), which reaches nobody at 3 a.m. The
example's facts are read from the example the engine carries, never written here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from handbook.bundle import example_root
from handbook.diagnostics import Diagnostic, Level
from handbook.load import Record

RULE = "example-leftover"
# Domains reserved for documentation and tests: no mailbox or site there reaches anyone.
_RESERVED = re.compile(
    r"(?<![\w.-])(?:[\w-]+\.)*(?:example\.(?:com|org|net)|[\w-]+\.(?:example|invalid|test))(?![\w-])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Example:
    """What marks the example organisation's data."""

    name: str  # "Harbor Finance"
    short: str  # its first word, as people write it: "Harbor"
    public_url: str | None


@cache
def _example(root: Path) -> Example | None:
    try:
        info = yaml.safe_load((root / "data/handbook.yml").read_text(encoding="utf-8"))
        name = str(info["organisation"]["name"])
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return None
    return Example(name, name.split()[0], info.get("public_url"))


def example() -> Example | None:
    """The example the engine carries (None when it cannot be read)."""
    return _example(example_root())


def leftovers(
    nodes: Iterable[tuple[Record, tuple[str | int, ...], Any]], organisation: str
) -> Iterator[Diagnostic]:
    """Warnings for the example's name, URL and reserved domains in a team's own data.

    The caller skips handbooks marked ``example: true`` (the example, test fixtures). The
    example's name is looked for only under another organisation's name.
    """
    found = example()
    if found is None:
        return
    short = found.short if organisation != found.name else None
    name = re.compile(rf"(?<![\w-]){re.escape(short)}(?![\w-])") if short else None
    for record, path, text in nodes:
        if not isinstance(text, str):
            continue
        if found.public_url and text.rstrip("/") == found.public_url.rstrip("/"):
            message = (
                f"{text!r} is the example's public URL: every printed QR code would "
                "point there; set your own or remove it"
            )
        elif name is not None and (match := name.search(text)):
            message = (
                f"{match.group()!r} is the example organisation's name "
                f"({found.name}); write your own"
            )
        elif match := _RESERVED.search(text):
            message = (
                f"{match.group()!r} is a domain reserved for examples: "
                "nothing there reaches anyone; write the real address"
            )
        else:
            continue
        yield record.diagnostic(path, message, RULE, Level.WARNING)
