"""Strict YAML reader: plain data plus the line and column of every node.

The reader walks the parser's event stream itself instead of using a YAML constructor, so
that nothing the data did not literally say is ever inferred. Only ``true``/``false``,
decimal integers and ``null`` (or an empty value) are typed; every other scalar stays the
string that was written (``1.10`` and ``1e3`` included), except YAML's infinity and
not-a-number (``.inf``, ``-.Inf``, ``.NaN``...), which are refused: no field holds them and
other tools would read them as floats. Anchors, aliases, merge keys, explicit tags,
directives, duplicate or non-string keys, multiple documents and control characters (also
when written as escapes) are refused. Limits on size, nesting depth and node count are
enforced while the events arrive, before anything is built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml

from handbook.diagnostics import Diagnostic, Level, line_column

# libyaml's parser is incremental and heap-based; only its recursive composer is unsafe, and
# we never use a composer. The pure-Python parser is the fallback when libyaml is missing.
_Parser = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
# libyaml 0.2.6 (PyYAML 6.0.4 wheels) stops at 1,000 flow levels while scanning ahead, before
# its first event reaches the depth limit here; the pure-Python parser, which does not read
# that far ahead, then finds where the limit is crossed.
_DEEP = "maximum nesting depth"

RULE = "yaml"
PathKey = tuple[str | int, ...]

_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_MAX_INT_DIGITS = 18
# YAML 1.1 and 1.2 spell infinity and not-a-number in these ways (core schema, any case form).
# The first characters an integer or a special float can start with.
_NUMBER_START = frozenset("+-.0123456789")
_SPECIAL_FLOAT = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
# C0/C1 controls, Unicode line separators (YAML 1.1 would count them as line breaks and
# shift every position), a BOM after the start, bidirectional overrides that make text
# read differently from what it says, and non-characters.
_FORBIDDEN_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)
_BOM = b"\xef\xbb\xbf"
# A comment glued to a word ("in #ops-channel") right after a plain value: almost always
# text that was meant to be part of the value. A comment written "# like this" is fine.
# The look-behind makes a search start only where a run of blanks starts: linear time on
# a line of a million spaces, where the bare pattern would retry from every position.
_SWALLOWED = re.compile(r"(?<![ \t])[ \t]+#(?=\S)")
_CORE_TAG_PREFIX = "tag:yaml.org,2002:"


@dataclass(frozen=True)
class Limits:
    """Caps that keep hostile input from costing time or memory."""

    max_bytes: int = 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 100_000


class Mark(NamedTuple):
    """A 1-based position in a file (a tuple: made for every node, it must be cheap)."""

    line: int
    column: int


@dataclass
class Document:
    """A parsed file: its data and where each value (and each mapping key) was written."""

    file: str
    data: Any
    positions: dict[PathKey, Mark] = field(default_factory=dict)
    key_positions: dict[PathKey, Mark] = field(default_factory=dict)
    # The text as parsed (after decoding): the ``secret`` rule scans comments and keys too.
    text: str = field(default="", repr=False, compare=False)

    def mark(self, path: PathKey) -> Mark:
        """Position of the node at ``path``; else where its nearest written ancestor's key is."""
        if path in self.positions:
            return self.positions[path]
        for end in range(len(path) - 1, -1, -1):
            found = self.key_positions.get(path[:end]) or self.positions.get(path[:end])
            if found is not None:
                return found
        return Mark(1, 1)


class ReaderRefusal(Exception):
    """Raised inside the reader to stop at the first problem that ends parsing."""

    def __init__(self, mark: Mark, message: str) -> None:
        """Record where reading stopped and why."""
        super().__init__(message)
        self.mark = mark
        self.message = message


def _tag(tag: str) -> str:
    """Show a tag the way it was written (``!!str``, not its expanded URI)."""
    return "!!" + tag.removeprefix(_CORE_TAG_PREFIX) if tag.startswith(_CORE_TAG_PREFIX) else tag


def _mark(event_mark: Any) -> Mark:
    return Mark(event_mark.line + 1, event_mark.column + 1)


def decode(raw: bytes, limits: Limits) -> str:
    """Decode UTF-8 (a leading BOM is tolerated) and refuse oversize or control characters."""
    if len(raw) > limits.max_bytes:
        raise ReaderRefusal(
            Mark(1, 1), f"file is larger than the limit of {limits.max_bytes} bytes"
        )
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8")
        where = Mark(*line_column(good, len(good)))
        raise ReaderRefusal(
            where, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})"
        ) from None
    bad = _FORBIDDEN_CHARS.search(text)
    if bad:
        raise ReaderRefusal(Mark(*line_column(text, bad.start())), _forbidden(bad.group()))
    return text


def _forbidden(char: str, how: str = "") -> str:
    return (
        f"character U+{ord(char):04X}{how} is not allowed (control, separator or "
        "bidirectional override)"
    )


def scalar_value(value: str, plain: bool) -> Any:
    """Type a scalar: only plain true/false/null/empty and decimal integers are not strings."""
    if not plain:
        return value
    if value in ("true", "false"):
        return value == "true"
    if value in ("null", ""):
        return None
    if value[0] not in _NUMBER_START:  # neither an integer nor a special float
        return value
    if _SPECIAL_FLOAT.fullmatch(value):
        meaning = "not-a-number" if value.lower() == ".nan" else "infinity"
        raise ValueError(f"{value} is YAML's {meaning}; quote it if it is text")
    if _INT.match(value):
        if len(value.lstrip("-")) > _MAX_INT_DIGITS:
            shown = value if len(value) <= 24 else value[:24] + "..."
            raise ValueError(
                f"integer {shown} has more than {_MAX_INT_DIGITS} digits; quote it if it is text"
            )
        return int(value)
    return value


@dataclass
class _Frame:
    """A container being built: a mapping (collects key, value pairs) or a sequence."""

    container: dict[str, Any] | list[Any]
    path: PathKey
    pending_key: str | None = None
    pending_path: PathKey = ()  # path of the pending key's value, built once for both dicts
    key_lines: dict[str, int] = field(default_factory=dict)


class _Builder:
    """Turns parser events into plain data, positions and refusals."""

    def __init__(self, limits: Limits, lines: list[str]) -> None:
        """Start empty; ``lines`` are the file's lines, for refusals that need the text."""
        self.limits = limits
        # Only lines with " #" in them can hide a swallowed comment: checked first, cheaply.
        self.commented = {n: line for n, line in enumerate(lines) if _SWALLOWED.search(line)}
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.documents = 0
        self.nodes = 0
        self.positions: dict[PathKey, Mark] = {}
        self.key_positions: dict[PathKey, Mark] = {}
        self.problems: list[tuple[Mark, str]] = []

    def refuse(self, mark: Mark, message: str) -> None:
        """Note a problem that does not stop parsing."""
        self.problems.append((mark, message))

    def feed(self, event: Any) -> None:
        """Consume one parser event."""
        (_HANDLERS.get(type(event)) or _handler(type(event)))(self, event)

    def _document_start(self, event: Any) -> None:
        mark = _mark(event.start_mark)
        self.documents += 1
        if self.documents > 1:
            raise ReaderRefusal(mark, "a file holds exactly one YAML document")
        if event.version or event.tags:
            self.refuse(mark, "YAML directives (%YAML, %TAG) are not allowed")

    def _alias(self, event: Any) -> None:
        mark = _mark(event.start_mark)
        self.refuse(mark, f"alias *{event.anchor} is not allowed; write the value out")
        self._place(None, mark)

    def _end(self, event: Any) -> None:
        self.stack.pop()

    def _skip(self, event: Any) -> None:
        return None

    def _node(self, event: Any) -> Mark:
        """Count a scalar or collection against the cap, refuse its anchor; return its mark."""
        mark = _mark(event.start_mark)
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            raise ReaderRefusal(mark, f"more than {self.limits.max_nodes} nodes in one file")
        if event.anchor is not None:
            self.refuse(mark, f"anchor &{event.anchor} is not allowed; write the value out")
        return mark

    def _scalar_event(self, event: Any) -> None:
        self._scalar(event, self._node(event))

    def _collection_start(self, event: Any) -> None:
        mark = self._node(event)
        if len(self.stack) >= self.limits.max_depth:
            raise ReaderRefusal(
                mark, f"nesting deeper than {self.limits.max_depth} levels is not allowed"
            )
        if event.tag is not None:
            self.refuse(mark, f"explicit tag {_tag(event.tag)} is not allowed")
        container: dict[str, Any] | list[Any] = (
            {} if isinstance(event, yaml.MappingStartEvent) else []
        )
        self.stack.append(_Frame(container, self._place(container, mark)))

    def _scalar(self, event: Any, mark: Mark) -> None:
        plain = event.style in (None, "") and event.implicit[0]
        if event.tag is not None:
            self.refuse(mark, f"explicit tag {_tag(event.tag)} is not allowed")
        # The text passed decode(), so such a character can only come from an escape
        # sequence of a double-quoted scalar ("\0", "\e", "\u202e", "\L").
        if bad := _FORBIDDEN_CHARS.search(event.value):
            self.refuse(mark, _forbidden(bad.group(), " (written as an escape)"))
        if plain and event.end_mark.line in self.commented:
            self._swallowed_comment(event.end_mark)
        try:
            value = scalar_value(event.value, plain)
        except ValueError as exc:
            self.refuse(mark, str(exc))
            value = event.value
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.container, dict) and frame.pending_key is None:
            self._key(frame, event.value, value, plain, mark)
            return
        self._place(value, mark)

    def _swallowed_comment(self, end: Any) -> None:
        """Refuse ``text #word`` in a plain value: YAML drops everything from `` #`` on."""
        found = _SWALLOWED.match(self.commented[end.line], end.column)
        if found:
            self.refuse(
                Mark(end.line + 1, found.end()),
                "' #' starts a YAML comment, so the rest of this line is not part of the value; "
                "quote the whole value",
            )

    def _key(self, frame: _Frame, text: str, value: Any, plain: bool, mark: Mark) -> None:
        if plain and text == "<<":
            self.refuse(mark, "merge key << is not allowed; write the keys out")
        elif not isinstance(value, str):
            self.refuse(mark, f"key {text!r} is not a string; quote it")
        if text in frame.key_lines:
            self.refuse(
                mark,
                f"duplicate key {text!r} (first written on line {frame.key_lines[text]})",
            )
        else:
            frame.key_lines[text] = mark.line
        frame.pending_key = text
        frame.pending_path = (*frame.path, text)
        self.key_positions[frame.pending_path] = mark

    def _place(self, value: Any, mark: Mark) -> PathKey:
        """Attach a value to the open container (or make it the root); return its path."""
        if not self.stack:
            self.root = value
            self.positions[()] = mark
            return ()
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            path = (*frame.path, len(frame.container))
            frame.container.append(value)
        else:
            if frame.pending_key is None:
                raise ReaderRefusal(mark, "a mapping key must be a plain or quoted string")
            path = frame.pending_path
            frame.container.setdefault(frame.pending_key, value)
            frame.pending_key = None
        self.positions[path] = mark
        return path


Handler = Callable[[_Builder, Any], None]
# Event class -> builder method, filled as classes are met: one dict look-up per event
# instead of a chain of isinstance tests (the reader's own work dominates large handbooks).
_HANDLERS: dict[type, Handler] = {}


def _handler(kind: type) -> Handler:
    """The builder method for an event class, chosen by the same tests as isinstance."""
    if issubclass(kind, yaml.DocumentStartEvent):
        found = _Builder._document_start
    elif issubclass(kind, yaml.AliasEvent):
        found = _Builder._alias
    elif issubclass(kind, yaml.MappingEndEvent | yaml.SequenceEndEvent):
        found = _Builder._end
    elif not issubclass(kind, yaml.NodeEvent):
        found = _Builder._skip
    elif issubclass(kind, yaml.ScalarEvent):
        found = _Builder._scalar_event
    else:
        found = _Builder._collection_start
    _HANDLERS[kind] = found
    return found


def _syntax_message(text: str, where: Mark, problem: str | None) -> str:
    """The parser's complaint, with a hint for the commonest cause: a tab used to indent."""
    lines = text.splitlines()
    line = lines[where.line - 1] if 0 < where.line <= len(lines) else ""
    if "\t" in line[: where.column]:
        return "invalid YAML: a tab is used for indentation; indent with spaces"
    return f"invalid YAML: {problem or 'syntax error'}"


def _events(text: str, parser_class: type = _Parser) -> Iterator[Any]:
    parser = parser_class(text)
    try:
        # get_event() alone (not check_event() first) halves the calls into the parser.
        while (event := parser.get_event()) is not None:
            yield event
            if isinstance(event, yaml.StreamEndEvent):
                return
    finally:
        parser.dispose()


def parse(text: str, file: str, limits: Limits) -> tuple[Document | None, list[tuple[Mark, str]]]:
    """Parse YAML text into a document, or return every reason it was refused."""
    try:
        return _parse(text, file, limits, _Parser)
    except _TooDeepForLibyaml:
        return _parse(text, file, limits, yaml.BaseLoader)


class _TooDeepForLibyaml(Exception):
    """libyaml refused nesting before the reader's own limit could."""


def _parse(
    text: str, file: str, limits: Limits, parser_class: type
) -> tuple[Document | None, list[tuple[Mark, str]]]:
    builder = _Builder(limits, text.splitlines())
    try:
        for event in _events(text, parser_class):
            builder.feed(event)
    except ReaderRefusal as exc:
        builder.refuse(exc.mark, exc.message)
    except yaml.MarkedYAMLError as exc:
        if _DEEP in str(exc.problem) and parser_class is not yaml.BaseLoader:
            raise _TooDeepForLibyaml from None
        problem_mark = exc.problem_mark or exc.context_mark
        where = _mark(problem_mark) if problem_mark is not None else Mark(1, 1)
        builder.refuse(where, _syntax_message(text, where, exc.problem or exc.context))
    except yaml.YAMLError as exc:
        builder.refuse(Mark(1, 1), f"invalid YAML: {str(exc).splitlines()[0]}")
    if not builder.problems and builder.documents == 0:
        builder.refuse(Mark(1, 1), "file is empty")
    if builder.problems:
        return None, builder.problems
    return Document(file, builder.root, builder.positions, builder.key_positions, text), []


def read_bytes(
    raw: bytes, file: str, limits: Limits | None = None
) -> tuple[Document | None, list[Diagnostic]]:
    """Read one file's bytes; return the document, or None and the reasons it was refused."""
    limits = limits or Limits()
    try:
        document, problems = parse(decode(raw, limits), file, limits)
    except ReaderRefusal as exc:
        document, problems = None, [(exc.mark, exc.message)]
    return document, [
        Diagnostic(file, mark.line, mark.column, Level.ERROR, "$", message, RULE)
        for mark, message in problems
    ]
