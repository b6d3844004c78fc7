"""Safe HTML building blocks: every string from data goes through one of these.

Plain-text fields are HTML-escaped. Fields designated as Markdown are rendered with a
bare Python-Markdown (no raw-HTML passthrough survives) and then sanitised by nh3 with an
allow-list. Links from data may only use https, mailto and tel.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable

import markdown as markdown_lib
import nh3

SAFE_SCHEMES = frozenset({"https", "mailto", "tel"})
_ALLOWED_TAGS = frozenset(
    {"p", "em", "strong", "code", "pre", "ul", "ol", "li", "a", "blockquote", "br", "hr"}
)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def esc(text: object) -> str:
    """HTML-escape any value for use in text or a quoted attribute."""
    return html.escape(str(text), quote=True)


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()>#+\-.!])")


def md_inline(text: str) -> str:
    """Plain text made safe inside a Markdown line (a heading): escaped, never markup."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", esc(text))


def safe_url(url: str) -> str | None:
    """The URL when its scheme is https, mailto or tel; None otherwise."""
    match = _SCHEME.match(url.strip())
    return url.strip() if match and match.group(1).lower() in SAFE_SCHEMES else None


def link(url: str, label: str, css_class: str | None = None) -> str:
    """An ``<a>`` to an external URL, or the escaped label alone when the URL is unsafe."""
    target = safe_url(url)
    if target is None:
        return esc(label)
    extra = f' class="{esc(css_class)}"' if css_class else ""
    if target.lower().startswith("https:"):
        extra += ' rel="noopener noreferrer"'
    return f'<a href="{esc(target)}"{extra}>{esc(label)}</a>'


def internal_link(href: str, label: str, css_class: str | None = None) -> str:
    """An ``<a>`` to a page of the handbook itself (``href`` built by the engine)."""
    extra = f' class="{esc(css_class)}"' if css_class else ""
    return f'<a href="{esc(href)}"{extra}>{esc(label)}</a>'


_MARKDOWN = markdown_lib.Markdown(extensions=[], output_format="html")


@functools.lru_cache(maxsize=16384)
def markdown(text: str) -> str:
    """Render a Markdown field and sanitise the result against an allow-list.

    One parser, reset between texts (building one costs more than most conversions), and
    each text rendered once per process: index pages and record pages show the same fields.
    """
    rendered = _MARKDOWN.reset().convert(text)
    return nh3.clean(
        rendered,
        tags=set(_ALLOWED_TAGS),
        attributes={"a": {"href"}},
        url_schemes=set(SAFE_SCHEMES),
        url_relative="deny",
        link_rel="noopener noreferrer",
    )


def tag(name: str, content: str, css_class: str | None = None, **attributes: str) -> str:
    """One element around already-safe ``content``; attribute values are escaped."""
    attrs = "".join(
        f' {key.rstrip("_").replace("_", "-")}="{esc(value)}"' for key, value in attributes.items()
    )
    if css_class:
        attrs = f' class="{esc(css_class)}"' + attrs
    return f"<{name}{attrs}>{content}</{name}>"


def items(values: Iterable[str], ordered: bool = False, css_class: str | None = None) -> str:
    """A list of already-safe HTML fragments."""
    body = "".join(f"<li>{value}</li>" for value in values)
    return tag("ol" if ordered else "ul", body, css_class)


def items_or(values: Iterable[str], empty: str, ordered: bool = False) -> str:
    """``items(values)``, or a muted note (plain text) when there are none."""
    found = list(values)
    return items(found, ordered) if found else f'<p class="handbook-muted">{esc(empty)}</p>'


def checklist(fragments: Iterable[str], ordered: bool = False) -> str:
    """Tick boxes that stay visible on screen and on paper, around already-safe fragments."""
    body = "".join(
        '<li class="task-list-item"><label class="task-list-control">'
        f'<input type="checkbox"> <span>{fragment}</span></label></li>'
        for fragment in fragments
    )
    return tag("ol" if ordered else "ul", body, "task-list handbook-checklist")


def table(headers: Iterable[str], rows: Iterable[Iterable[str]], css_class: str = "") -> str:
    """A table of already-safe cells under plain-text headers."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return (
        f'<table class="{esc(("handbook-table " + css_class).strip())}">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def block(*parts: str, css_class: str = "handbook", id: str | None = None) -> str:
    """Wrap fragments in one ``<div>`` on its own lines: Markdown passes it through as is."""
    ident = f' id="{esc(id)}"' if id else ""
    return f'\n<div class="{esc(css_class)}"{ident}>' + "".join(parts) + "</div>\n"
