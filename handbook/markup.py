"""Safe HTML building blocks: every string from data goes through one of these.

Plain-text fields are HTML-escaped (``esc``); in a Markdown line they are escaped for
Markdown too (``md_inline``); handed to a template they are ``text``: markup-safe text
that stays text in Markdown, HTML and attributes alike. Fields designated as Markdown are
rendered with a bare Python-Markdown in which raw HTML is text, whose scans for the end of
a link or code span are bounded (linear time on any input), and then sanitised by nh3 with
an allow-list. Links from data may only use https, mailto and tel.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable

import markdown as markdown_lib
import nh3
from markdown import inlinepatterns
from markupsafe import Markup, escape

SAFE_SCHEMES = frozenset({"https", "mailto", "tel"})
_ALLOWED_TAGS = frozenset(
    {"p", "em", "strong", "code", "pre", "ul", "ol", "li", "a", "blockquote", "br", "hr"}
)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def esc(text: object) -> str:
    """HTML-escape any value for use in text or a quoted attribute."""
    return html.escape(str(text), quote=True)


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]()>#+\-.!])")
# Braces as character references: a template engine reading the Markdown (mkdocs-macros
# renders a page title holding `{{` or `{%`) finds no delimiter in it.
_BRACES = {"{": "&#123;", "}": "&#125;"}


def md_inline(text: str) -> str:
    """Plain text made safe inside a Markdown line (a heading): escaped, never markup.

    Quotes stay as they are: Markdown text needs no escaping for them, and the ``#`` of
    ``&#x27;`` escaped for Markdown would show the reference instead of the apostrophe.
    """
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(str(text), quote=False))
    return re.sub(r"[{}]", lambda m: _BRACES[m.group()], escaped)


# What Markdown (CommonMark, GitHub's and Python-Markdown's) could read as a link, an image,
# code, emphasis, strike-through, a table cell or a heading's end, escaped with a backslash.
_MD_TEXT_SPECIALS = re.compile(r"([\\`*_\[\]|~#])")


def md_text(value: str) -> str:
    """Data text as literal Markdown on one line, after fixed text: nothing but text.

    For Markdown that another program renders (a download, the pull-request comment): no
    raw HTML (``<`` and ``&`` as references), no line break, every character that could
    start a link, an image, code, emphasis or a table cell escaped (``[x](javascript:...)``
    and ``![](https://tracker/pixel)`` stay characters), and ``@`` as a reference, so that
    ``@team`` notifies nobody on GitHub.
    """
    one_line = " ".join(value.split())
    escaped = one_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_TEXT_SPECIALS.sub(r"\\\1", escaped).replace("@", "&#64;")


# Every ASCII character that means something to Markdown, its extensions, Jinja or HTML.
_TEXT_SPECIALS = re.compile(r"[\\`*_{}\[\]()#+\-.!|~^=:$%<>&\"']")


def text(value: object) -> Markup:
    """Data text for a template: the same characters wherever the template puts it.

    One line (white space runs become one space), with every character that means
    something to HTML, Markdown or a template engine written as a character reference.
    Markdown shows references as the characters, so do HTML text and quoted attributes;
    ``Markup`` keeps Jinja's escaping from escaping it twice.
    """
    line = " ".join(str(value).split())
    return Markup(_TEXT_SPECIALS.sub(lambda m: f"&#{ord(m.group())};", line))


def plain_text(fragment: object) -> Markup:
    """The text of an HTML fragment (tags dropped, references read), escaped again.

    Jinja's ``striptags`` returns that text unescaped: a page title holding
    ``&lt;img ...&gt;`` came out as ``<img ...>``. The MkDocs plugin puts this filter in
    its place, so that every theme template using it writes text, not markup.
    """
    return escape(Markup(str(fragment)).striptags())


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


def muted(text: str) -> str:
    """What the data does not say, said quietly: ``not set``, ``not rated``, ``none``."""
    return f'<span class="handbook-muted">{esc(text)}</span>'


def internal_link(href: str, label: str, css_class: str | None = None) -> str:
    """An ``<a>`` to a page of the handbook itself (``href`` built by the engine)."""
    extra = f' class="{esc(css_class)}"' if css_class else ""
    return f'<a href="{esc(href)}"{extra}>{esc(label)}</a>'


# Python-Markdown scans from every `[`, `](` and backtick to the end of the paragraph for
# what closes it: 40,000 `[` took minutes. Its scans here stop at these bounds instead, and
# an opener that does not close within them stays literal text: no real link text nests
# 16 brackets, no link target holds 16 brackets or quotes, no code span 32 backtick runs.
MAX_LINK_NESTING = 16
MAX_LINK_MARKS = 16
MAX_CODE_RUNS = 32
# Each rule or heading underline splits its paragraph, and Python-Markdown parses the rest
# of the paragraph again: a text of thousands such lines took seconds. Beyond this many,
# each is followed by a blank line (the paragraph would end there anyway, but for an
# underline that is not under a heading's first line).
MAX_RULE_LINES = 64
_RULE_LINE = re.compile(r"^ {0,3}(?:=+|(?:-[ ]*)+|(?:\*[ ]*)+|(?:_[ ]*)+)[ ]*$", re.MULTILINE)
# Lists and quotes nested deeper than this (on one line or by indentation) would have
# Python-Markdown recurse until Python stops it; such a text is shown as plain text.
MAX_BLOCK_NESTING = 24

_BRACKETS = re.compile(r"[\[\]]")
_LINK_MARKS = re.compile(r"[()'\"]")
_TICKS = re.compile(r"`+")
_NESTING = re.compile(r"^(?:[ \t]|>|[*+-](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))+", re.MULTILINE)
_MARKERS = re.compile(r">|[*+-]|\d{1,9}[.)]")


class _BoundedLinks:
    """Link, image and reference parsing whose scans stop at the bounds above."""

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        """The text up to the bracket closing the one before ``index`` (as Python-Markdown's)."""
        depth = 1
        for found in _BRACKETS.finditer(data, index):
            depth += 1 if found.group() == "[" else -1
            if depth == 0:
                return data[index : found.start()], found.end(), True
            if depth > MAX_LINK_NESTING:
                break
        return "", index, False

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        """Python-Markdown's, over the text up to the bound only."""
        if not data.startswith("(", index):
            return super().getLink(data, index)  # type: ignore[misc]  # not a link: at once
        for count, found in enumerate(_LINK_MARKS.finditer(data, index), start=1):
            if count > MAX_LINK_MARKS:
                data = data[: found.start()]
                break
        return super().getLink(data, index)  # type: ignore[misc]


class _Link(_BoundedLinks, inlinepatterns.LinkInlineProcessor):
    pass


class _Image(_BoundedLinks, inlinepatterns.ImageInlineProcessor):
    pass


class _Reference(_BoundedLinks, inlinepatterns.ReferenceInlineProcessor):
    pass


class _ShortReference(_BoundedLinks, inlinepatterns.ShortReferenceInlineProcessor):
    pass


class _ImageReference(_BoundedLinks, inlinepatterns.ImageReferenceInlineProcessor):
    pass


class _ShortImageReference(_BoundedLinks, inlinepatterns.ShortImageReferenceInlineProcessor):
    pass


class _Backtick(inlinepatterns.BacktickInlineProcessor):
    """Code spans found as Python-Markdown finds them, looking at most at MAX_CODE_RUNS."""

    def find_code_spans(self, start: int, text: str) -> tuple[int, int | None]:
        """(start, end) of the span's content; (after the opening run, None) when none."""
        opening = _TICKS.match(text, start)
        ticks = opening.end() - start if opening else 0
        start += ticks
        longest, end = 0, 0
        for count, run in enumerate(_TICKS.finditer(text, start)):
            length = run.end() - run.start()
            if length == ticks:
                return start, run.start()
            if length > longest:
                longest, end = length, run.end()
            if count + 1 >= MAX_CODE_RUNS:
                break
        if 0 < longest < ticks:
            return start - (ticks - longest), end - longest
        return start + ticks, None


def _parser() -> markdown_lib.Markdown:
    """Python-Markdown with raw HTML as text and every scan for a closing mark bounded."""
    md = markdown_lib.Markdown(extensions=[], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    patterns = md.inlinePatterns
    for name, processor in (
        ("backtick", _Backtick(inlinepatterns.BACKTICK_RE)),
        ("reference", _Reference(inlinepatterns.REFERENCE_RE, md)),
        ("link", _Link(inlinepatterns.LINK_RE, md)),
        ("image_link", _Image(inlinepatterns.IMAGE_LINK_RE, md)),
        ("image_reference", _ImageReference(inlinepatterns.IMAGE_REFERENCE_RE, md)),
        ("short_reference", _ShortReference(inlinepatterns.REFERENCE_RE, md)),
        ("short_image_ref", _ShortImageReference(inlinepatterns.IMAGE_REFERENCE_RE, md)),
    ):
        priority = next(item.priority for item in patterns._priority if item.name == name)
        patterns.register(processor, name, priority)
    return md


_MARKDOWN = _parser()


def block_nesting(text: str) -> int:
    """How deep the lists and quotes of a text may nest: the most on any one line."""
    deepest = 0
    for prefix in _NESTING.finditer(text):
        found = prefix.group()
        indent = found.count("\t") + (found.count(" ") // 4)
        deepest = max(deepest, indent + len(_MARKERS.findall(found)))
    return deepest


def _plain(text: str) -> str:
    """A text shown as it is written: escaped paragraphs."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f"<p>{esc(p.strip())}</p>" for p in paragraphs)


@functools.lru_cache(maxsize=16384)
def markdown(text: str) -> str:
    """Render a Markdown field and sanitise the result against an allow-list.

    One parser, reset between texts (building one costs more than most conversions), and
    each text rendered once per process: index pages and record pages show the same fields.
    Raw HTML in the field is text. A text nesting lists or quotes deeper than
    ``MAX_BLOCK_NESTING`` is shown as plain text, as written.
    """
    if block_nesting(text) > MAX_BLOCK_NESTING:
        return _plain(text)
    if len(_RULE_LINE.findall(text)) > MAX_RULE_LINES:
        text = _RULE_LINE.sub(lambda m: m.group() + "\n", text)
    try:
        rendered = _MARKDOWN.reset().convert(text)
    except RecursionError:  # nesting the count above did not see
        return _plain(text)
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


def table(
    headers: Iterable[str],
    rows: Iterable[Iterable[str]],
    css_class: str = "",
    stacked: bool = False,
) -> str:
    """A table of already-safe cells under plain-text headers.

    Cells and rows are separated by a space, which a browser does not lay out but text
    extraction (the site's search index, a copy and paste) reads as a word break. With
    ``stacked``, every cell carries its column's header (``data-label``) and the table the
    class ``handbook-stacked``: on a narrow screen it shows as one card per row, each value
    after its label (handbook.css, "Small screens").
    """
    labels = [esc(h) for h in headers]
    head = " ".join(f"<th>{h}</th>" for h in labels)

    def cell(column: int, value: str) -> str:
        label = f' data-label="{labels[column]}"' if stacked and column < len(labels) else ""
        return f"<td{label}>{value}</td>"

    body = " ".join(
        "<tr>" + " ".join(cell(n, value) for n, value in enumerate(row)) + "</tr>" for row in rows
    )
    stack = "handbook-stacked" if stacked else ""
    classes = " ".join(c for c in ("handbook-table", css_class, stack) if c)
    return (
        f'<table class="{esc(classes)}">'
        f"<thead><tr>{head}</tr></thead> <tbody>{body}</tbody></table>"
    )


def definitions(rows: Iterable[tuple[str, str]], css_class: str | None = None) -> str:
    """A definition list of plain-text terms and already-safe descriptions.

    Each term ends with a colon and a space separates the entries, so that the list's text
    (the site's search snippets, a copy and paste) reads ``When: … Impact: …``.
    """
    body = " ".join(f"<dt>{esc(term)}:</dt> <dd>{value}</dd>" for term, value in rows)
    return tag("dl", body, css_class)


def block(
    *parts: str, css_class: str = "handbook", id: str | None = None, search: bool = True
) -> str:
    """Wrap fragments in one ``<div>`` on its own lines: Markdown passes it through as is.

    ``search=False`` leaves it out of the site's search index (Material's
    ``data-search-exclude``).
    """
    ident = f' id="{esc(id)}"' if id else ""
    excluded = "" if search else " data-search-exclude"
    return f'\n<div class="{esc(css_class)}"{ident}{excluded}>' + "".join(parts) + "</div>\n"


# A run of whitespace holding a line break, or an element whose whitespace shows (pre,
# code, kbd, textarea: pre-wrap in the theme's stylesheet) or is code (script, style).
_INDENTATION = re.compile(
    r"<(pre|code|kbd|textarea|script|style)\b.*?</\1\s*>|[ \t]*\n\s*", re.S | re.I
)


def squeeze(html: str) -> str:
    """``html`` with each run of whitespace that holds a line break made one line break.

    A browser lays both out alike; the runs are the indentation of the theme's templates,
    a fifth of every page of the site. Elements that show or run their whitespace are left
    as they are. (An HTML minifier would take more, but rewrites quoting and tags too.)
    """
    return _INDENTATION.sub(lambda found: found.group(0) if found.group(1) else "\n", html)
