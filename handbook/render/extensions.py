"""The "More" block: a record's own ``x-*`` fields, shown as written."""

from __future__ import annotations

from typing import Any

from handbook import markup
from handbook.model import EXTENSION_PREFIX, Extension, XMap


def _label(key: str) -> str:
    """``x-escalation-tier`` -> ``Escalation tier``."""
    words = key.removeprefix(EXTENSION_PREFIX).replace("-", " ")
    return words[:1].upper() + words[1:]


def _value(value: Any) -> str:
    """One value as HTML: text escaped, lists as items, mappings as a definition list."""
    if isinstance(value, XMap):
        return markup.definitions((key, _value(item)) for key, item in value.items)
    if isinstance(value, tuple):
        return markup.items(_value(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return markup.esc("" if value is None else str(value))


def more(extensions: tuple[Extension, ...], heading: bool = True) -> str:
    """A record's extension fields under "More"; empty without any.

    A heading on the record's own page, a bold line in a section of a shared page.
    """
    if not extensions:
        return ""
    rows = markup.definitions((_label(e.key), _value(e.value)) for e in extensions)
    if heading:
        return "\n## More\n" + markup.block(rows, css_class="handbook handbook-more")
    return f'<div class="handbook-more"><p><strong>More</strong></p>{rows}</div>'
