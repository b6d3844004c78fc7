"""Leak scan: find internal values in text, as the data's public strings or a built site.

``Needles`` is one search structure over every value that must not be published, and
``Needles.find`` looks for all of them in one pass over a text: validation
(``handbook.mentions``) runs it on every public string of the data, the public build on
every file it wrote (``scan``). Its cost grows with the length of the text, not with the
number of values.

Text is normalised the same way on both sides before it is compared: NFKC, format
characters (zero-width spaces, soft hyphens, ...) and accents removed, every Unicode
decimal digit made ASCII, dashes made ``-`` and spaces `` ``, case folded, Cyrillic and
Greek look-alikes of Latin letters made Latin (``_CONFUSABLES``), every run of white space
one space. Then it is cut into words, and a value is found only as whole words, by an
Aho–Corasick automaton over words (or tokens), in time linear in the text:

- names, titles and sentences (``Secret.words``) as their words in a row, whatever lies
  between them (``Dev Patel``, ``dev.patel``, ``DEV-PATEL``);
- other values (e-mail addresses, handles, URLs) as their words and punctuation in a row,
  spacing aside (``ana@example.org``, ``ana @ example . org``); a value of one bare word
  is not looked for;
- phone numbers by their digits, up to four separators between two of them (any dash or
  space, dots, commas, slashes, brackets, ``+``), with or without ``+`` and country code, and in
  the national form with a trunk ``0`` (``+44 20 7946 0000`` as ``020 7946 0000``); the
  number without country code or trunk must start and end where a group of digits does.

A value of one word is looked for in text only, not in code (scripts, stylesheets, source
maps, markup attributes): a name such as "Ops" is a common identifier there.

A site's files are read the way a reader or a search engine sees them (``file_texts``):
HTML and XML with tags stripped (an inline element such as ``<code>`` without a space, so
it cannot split a number or a word) and entities decoded, JSON (the search index) as its
strings, JavaScript escapes and URLs decoded, ``.gz`` files decompressed, PDFs as their
extracted text (with ``pdftotext``, else pypdf), UTF-16 and UTF-32 files by their
byte-order mark, zip files (office files: ``.docx``, ``.xlsx``, ``.odt``, ...) by their
parts. Images and fonts whose content is what their name says (PNG, JPEG, GIF, WebP, ICO,
WOFF, TrueType, OpenType) are skipped; any other file that cannot be read as text (binary,
not UTF-8, UTF-16 without a byte-order mark, a symbolic link, a damaged or nested-too-deep
archive, more than ``MAX_UNPACKED`` unpacked) is reported (``Unreadable``), never skipped.
A value that reading would change (``R&amp;D``) is also looked for in the file as written.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import html
import io
import json
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import accumulate
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pypdf import PdfReader
from pypdf.errors import PyPdfError

_SHOWN = 4
_PHONE = re.compile(r"\+?[\d\s().-]{7,}")
_MIN_PHONE_DIGITS = 7  # a whole number, country code included
_MIN_NATIONAL_DIGITS = 7  # a number found without its country code
_TAIL = 7  # every form of a number is at least this long
# E.164 country codes of one and two digits; every other one has three.
_COUNTRY_CODES = frozenset(
    re.findall(
        r"\d+",
        "1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 "
        "60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98",
    )
)
# After ``normalise``: digits are ASCII, dashes ``-``, spaces `` ``. A number is seven
# digits or more with at most four separators between two digits: the separators between
# two digits are bounded, and digits and separators never overlap, so matching is linear.
_NUMBER = re.compile(r"\d(?:[\s\-/.,()\[\]+]{0,4}\d){6,}", re.ASCII)
_DIGIT_GROUP = re.compile(r"\d+", re.ASCII)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SPACES = re.compile(r"\s+")
# Cyrillic and Greek letters that look like Latin ones (after case folding), read as those:
# "lodestar-supp\u043ert" (a Cyrillic o) is "lodestar-support" to a reader.
_CONFUSABLES = str.maketrans(
    # Cyrillic a ie o er es u ha (a e o p c y x), byelorussian i, je, dze, komi de, qa, we,
    # shha, palochka, straight u (i j s d q w h l y), ve ka em en te (b k m h t); Latin
    # script g (g); Greek alpha beta epsilon zeta iota kappa nu omicron rho tau upsilon chi,
    # lunate sigma, yot (a b e z i k v o p t u x c j). Capitals fold to these first.
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u0501\u051b\u051d\u04bb"
    "\u04cf\u04af\u0432\u043a\u043c\u043d\u0442\u0261"
    "\u03b1\u03b2\u03b5\u03b6\u03b9\u03ba\u03bd\u03bf\u03c1\u03c4\u03c5\u03c7\u03f2\u03f3",
    "aeopcyxijsdqwhlybkmhtgabezikvoptuxcj",
)
_WORD = re.compile(r"[^\W_]+")  # letters and digits; underscores separate words
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]|_")  # words and single punctuation marks

# Caps on what one file may unpack to, so that a compressed bomb costs no memory.
MAX_UNPACKED = 256 * 1024 * 1024
MAX_ZIP_DEPTH = 2  # a zip inside a zip is read; one more level is refused


# --- Normalisation -------------------------------------------------------------------


@cache
def _folded(char: str) -> str:
    """One non-ASCII character as compared (its own text, or what replaces it)."""
    category = unicodedata.category(char)
    if category in ("Cf", "Mn"):  # format characters, accents on their own
        return ""
    if category == "Nd":
        return str(unicodedata.decimal(char))
    if category == "Pd":
        return "-"
    if category in ("Zs", "Zl", "Zp"):
        return " "
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return (bare or char).casefold().translate(_CONFUSABLES)


def normalise(text: str) -> str:
    """Text as compared: NFKC, no format characters or accents, ASCII digits, case-folded.

    Cyrillic and Greek look-alikes of Latin letters are read as those letters, and every
    run of white space as one space (as a browser shows it).
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        text = _NON_ASCII.sub(lambda m: _folded(m.group()), text)
    return _SPACES.sub(" ", text.casefold())


def _value_tokens(tokens: list[str]) -> list[str]:
    """What a channel value is looked for as: its tokens, trimmed of edge punctuation.

    ``@dev.patel`` is found as ``dev.patel``; ``#ops`` keeps its ``#``; a value of one
    bare word (``secops``) is not looked for at all: it cannot be told from an ordinary
    word or an id.
    """
    start, end = 0, len(tokens)
    while end > start and not tokens[end - 1].isalnum():
        end -= 1
    while start < end and not tokens[start].isalnum():
        start += 1
    if end - start >= 2:
        return tokens[start:end]
    if start > 0 and end - start == 1:
        return tokens[start - 1 : end]
    return []


def _phone_digits(value: str) -> str | None:
    """A phone number's digits, or None when the value is not a phone number."""
    if not _PHONE.fullmatch(value.strip()):
        return None
    digits = "".join(_DIGIT_GROUP.findall(value))
    return digits if len(digits) >= _MIN_PHONE_DIGITS else None


def phone_forms(value: str) -> tuple[set[str], set[str]]:
    """(digits found anywhere in a number, digits found as whole groups) of a phone value.

    ``+442079460000`` gives ``442079460000`` and its national form ``02079460000``
    anywhere, and ``2079460000`` (the number without country code or trunk prefix) when
    it starts and ends at a separator.
    """
    digits = _phone_digits(normalise(value))
    if digits is None:
        return set(), set()
    if not value.strip().startswith("+"):
        return {digits}, {digits}
    code = next((digits[:n] for n in (1, 2) if digits[:n] in _COUNTRY_CODES), digits[:3])
    national = digits[len(code) :]
    anywhere = {digits}
    if len(national) + 1 >= _MIN_PHONE_DIGITS:
        anywhere.add("0" + national)
        if code == "7":
            anywhere.add("8" + national)
    whole = {national} if len(national) >= _MIN_NATIONAL_DIGITS else set()
    return anywhere, whole


# --- Values and where they are found ---------------------------------------------------


@dataclass(frozen=True)
class Secret:
    """A value that must not be published, and where it comes from (for the report).

    ``words``: a name, a title or a sentence, found as its words in a row whatever the
    punctuation; otherwise (a channel value) its punctuation must match too.
    """

    value: str
    source: str
    words: bool = False

    @property
    def shown(self) -> str:
        """The value redacted to a short prefix."""
        return str(self.value)[:_SHOWN] + "…"

    @cached_property
    def tokens(self) -> list[str]:
        """What is looked for: the value's words (and punctuation, unless ``words``)."""
        text = normalise(str(self.value))
        return _WORD.findall(text) if self.words else _value_tokens(_TOKEN.findall(text))

    @cached_property
    def escapable(self) -> bool:
        """Whether reading a file (decoding entities, escapes, URLs; tags) changes the value."""
        value = str(self.value)
        return _unescaped(value) != value or _TAG.search(value) is not None


@dataclass(frozen=True)
class Leak:
    """A secret found in one file of the site."""

    file: str
    secret: Secret

    @property
    def message(self) -> str:
        """Where the leak is and whose value it is, without the value itself."""
        return (
            f"{self.file}: internal value of {self.secret.source} "
            f"({self.secret.shown!r}) is in the public build"
        )


class _Automaton:
    """Token sequences in one Aho–Corasick automaton: all found in one pass over a text.

    Each token of the text moves the state along a goto edge, or back along failure links
    (the longest suffix of what was read that is also a prefix of a sequence) until one
    fits: the failure steps taken never outnumber the tokens read, so a pass costs time
    linear in the text, whatever the sequences' lengths and however often their first
    tokens occur. Output links lead from a state to the next one where sequences end; a
    state already reported is not reported again, so reporting is linear too.
    """

    def __init__(self) -> None:
        self._goto: list[dict[str, int]] = [{}]
        self._fail: list[int] = [0]
        self._link: list[int] = [0]  # the nearest proper suffix state where sequences end
        self._ends: list[list[int]] = [[]]  # the numbers of the sequences ending here
        self._size: list[int] = [0]  # how many words those sequences have
        self._needs: set[frozenset[str]] = set()  # each sequence's words

    def __bool__(self) -> bool:
        return len(self._goto) > 1

    def add(self, tokens: list[str], number: int, size: int) -> None:
        """Add a sequence (``size``: its words, for the shortest looked for)."""
        node = 0
        for token in tokens:
            child = self._goto[node].get(token)
            if child is None:
                child = self._goto[node][token] = len(self._goto)
                self._goto.append({})
                self._fail.append(0)
                self._link.append(0)
                self._ends.append([])
                self._size.append(0)
            node = child
        self._ends[node].append(number)
        self._size[node] = size
        self._needs.add(frozenset(t for t in tokens if t.isalnum()))

    def build(self) -> None:
        """Compute failure and output links, breadth first (once every sequence is added)."""
        goto, fail, link, ends = self._goto, self._fail, self._link, self._ends
        queue = list(goto[0].values())
        for node in queue:  # the queue grows while it is read
            for token, child in goto[node].items():
                state = fail[node]
                while state and token not in goto[state]:
                    state = fail[state]
                target = goto[state].get(token, 0)
                fail[child] = target if target != child else 0
                link[child] = fail[child] if ends[fail[child]] else link[fail[child]]
                queue.append(child)

    def may_be_in(self, words: set[str]) -> bool:
        """Whether a text of these words may hold a sequence (all of one's words are there).

        One set comparison per distinct sequence: most texts are done with here.
        """
        return any(needed <= words for needed in self._needs)

    def find(self, tokens: list[str], found: set[int], shortest: int) -> None:
        """Add to ``found`` every sequence of ``shortest`` words or more found in ``tokens``."""
        goto, fail, link, ends, size = self._goto, self._fail, self._link, self._ends, self._size
        root = goto[0]
        seen: set[int] = set()
        state = 0
        for token in tokens:
            if not state:  # most tokens: at the root, and no sequence starts with them
                state = root.get(token, 0)
                if not state:
                    continue
            else:
                while (child := goto[state].get(token)) is None and state:
                    state = fail[state]
                state = child or 0
            node = state if ends[state] else link[state]
            while node and node not in seen:
                seen.add(node)
                if size[node] >= shortest:
                    found.update(ends[node])
                node = link[node]


class Needles:
    """Every secret of a list, in one structure that finds them all in one pass.

    Names, titles and sentences are found as a run of the text's words, channel values as
    a run of its tokens (words and punctuation marks): each by one automaton, whose pass
    over a text is linear in its length; phone numbers by their digits.
    """

    def __init__(self, secrets: Iterable[Secret]) -> None:
        """Index the secrets (values with nothing to look for are left out)."""
        self.secrets: list[Secret] = []
        self._words = _Automaton()  # names, titles, sentences: by words
        self._values = _Automaton()  # channel values: by words and punctuation
        self._anywhere: dict[str, list[int]] = {}
        self._whole: dict[str, list[int]] = {}
        for secret in secrets:
            number = len(self.secrets)
            anywhere, whole = set(), set()
            if not secret.words:
                anywhere, whole = phone_forms(secret.value)
            words = [t for t in secret.tokens if t.isalnum()]
            if not (words or anywhere or whole):
                continue
            self.secrets.append(secret)
            if words:
                if secret.words:
                    self._words.add(words, number, len(words))
                else:
                    self._values.add(secret.tokens, number, len(words))
            for form in anywhere:
                self._anywhere.setdefault(form, []).append(number)
            for form in whole:
                self._whole.setdefault(form, []).append(number)
        self._words.build()
        self._values.build()
        self._lengths = sorted({len(form) for form in (*self._anywhere, *self._whole)})
        self._endings = {form[-_TAIL:] for form in (*self._anywhere, *self._whole)}

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def _numbers(self, text: str, found: set[int]) -> None:
        """Phone numbers in normalised ``text``, however their digits are grouped."""
        if not self._endings:
            return
        for run in _NUMBER.finditer(text):
            groups = _DIGIT_GROUP.findall(run.group())
            digits = "".join(groups)
            # Every form of a number ends with its last seven digits: a run holding none of
            # them (most runs: dates, coordinates of drawings) is done with in one step.
            tails = {digits[k : k + _TAIL] for k in range(len(digits) - _TAIL + 1)}
            if tails.isdisjoint(self._endings):
                continue
            bounds = set(accumulate(map(len, groups), initial=0))
            for length in self._lengths:
                for start in range(len(digits) - length + 1):
                    piece = digits[start : start + length]
                    found.update(self._anywhere.get(piece, ()))
                    if start in bounds and start + length in bounds:
                        found.update(self._whole.get(piece, ()))

    def find_numbers(self, prose: str = "", code: str = "") -> set[int]:
        """Numbers (indexes into ``secrets``) of the secrets in normalised text and code.

        In ``code`` a secret of one word is not looked for.
        """
        found: set[int] = set()
        for text, shortest in ((prose, 1), (code, 2)):
            if not text:
                continue
            words = _WORD.findall(text)
            present = set(words)
            if self._words.may_be_in(present):
                self._words.find(words, found, shortest)
            if self._values.may_be_in(present):
                self._values.find(_TOKEN.findall(text), found, shortest)
            self._numbers(text, found)
        return found

    def find(self, prose: str = "", code: str = "") -> list[Secret]:
        """The secrets found in ``prose`` and ``code`` (raw text: normalised here), in order."""
        numbers = self.find_numbers(normalise(prose), normalise(code))
        return [self.secrets[n] for n in sorted(numbers)]


# --- Reading a site's files ------------------------------------------------------------


class Unreadable(Exception):
    """A file that may hold text but cannot be read to scan it."""


@dataclass(frozen=True)
class Texts:
    """One file as read: text a reader sees, and code (scripts, styles, attributes).

    ``written`` is the text before any decoding, for values that decoding would change.
    """

    prose: str
    code: tuple[str, ...]  # each script, style, source map... on its own
    written: str


# Images and fonts, by file name and by the bytes they start with (both must agree).
_MEDIA: dict[str, tuple[bytes, ...]] = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".ico": (b"\x00\x00\x01\x00",),
    ".woff": (b"wOFF",),
    ".woff2": (b"wOF2",),
    ".ttf": (b"\x00\x01\x00\x00", b"true"),
    ".otf": (b"OTTO",),
}
_CODE_SUFFIXES = frozenset((".js", ".mjs", ".css", ".map"))
# Byte-order marks, longest first (UTF-32 LE starts like UTF-16 LE).
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# Elements that sit inside a word or a line: dropped without a space, so that a number or a
# name split by them reads whole (``<code>+44</code><code>20</code>``, ``Da<b>v</b>e``).
_INLINE = frozenset(
    re.findall(
        r"\w+",
        "a abbr b bdi bdo cite code data del dfn em font i ins kbd mark q s samp small span "
        "strong sub sup time tt u var wbr",
    )
)
_TAG = re.compile(r"<[^<>]*>")  # stops at the next "<": linear on a text of unclosed "<"
_INLINE_TAG = re.compile(  # an inline element's tag, with or without a namespace prefix
    r"</?(?:[\w.-]+:)?(?:" + "|".join(sorted(_INLINE, key=len, reverse=True)) + r")\b[^<>]*>",
    re.IGNORECASE,
)
_RAW_OPEN = re.compile(r"<(?:script|style)\b[^<>]*>", re.IGNORECASE)
_RAW_CLOSE = re.compile(r"</(?:script|style)\s*>", re.IGNORECASE)
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")


def _webp(raw: bytes) -> bool:
    return raw[:4] == b"RIFF" and raw[8:12] == b"WEBP"


def _is_media(suffix: str, raw: bytes) -> bool:
    """An image or a font, by name and content alike."""
    if suffix == ".webp":
        return _webp(raw)
    return any(raw.startswith(magic) for magic in _MEDIA.get(suffix, ()))


def _pdf_text(raw: bytes) -> str:
    """A PDF's text: with poppler's ``pdftotext`` (fast) when installed, else with pypdf."""
    tool = shutil.which("pdftotext")
    if tool is not None:
        done = subprocess.run(
            [tool, "-q", "-enc", "UTF-8", "-", "-"], input=raw, capture_output=True, check=False
        )
        if done.returncode != 0:
            raise Unreadable("pdftotext could not read it")
        return done.stdout.decode("utf-8", errors="replace")
    try:
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(raw)).pages)
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise Unreadable(f"pypdf could not read it ({type(exc).__name__})") from None


def _gunzip(raw: bytes) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
            data = stream.read(MAX_UNPACKED + 1)
    except (OSError, EOFError) as exc:
        raise Unreadable(f"not a valid gzip file ({exc})") from None
    if len(data) > MAX_UNPACKED:
        raise Unreadable(f"unpacks to more than {MAX_UNPACKED // 2**20} MiB")
    return data


def _decoded(raw: bytes) -> str:
    """Bytes as text: by their byte-order mark, else UTF-8; anything else is unreadable."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                raise Unreadable(f"not valid {encoding.removesuffix('-sig')} text") from None
    if b"\0" in raw:
        raise Unreadable("binary, or UTF-16/32 text without a byte-order mark")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable("not UTF-8 text") from None


def _json_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _json_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _json_strings(item)


def _unescaped(text: str) -> str:
    """Entities, JavaScript escapes (backslash u, backslash x) and percent-encoding decoded."""
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return unquote(html.unescape(text))


def _markup(text: str, glue: str = "inline") -> tuple[str, tuple[str, ...]]:
    """(text, code) of markup: scripts and styles are code, tags go, attributes are code.

    A tag leaves a space, except (``glue``) an inline element's ("inline") or any ("all").
    """
    prose: list[str] = []
    code: list[str] = []
    position = 0
    while (opening := _RAW_OPEN.search(text, position)) is not None:
        prose.append(text[position : opening.start()])
        closing = _RAW_CLOSE.search(text, opening.end())
        end = closing.start() if closing else len(text)
        code.append(text[opening.end() : end])
        position = closing.end() if closing else len(text)
    prose.append(text[position:])
    joined = "".join(prose)
    code.append("\n".join(_TAG.findall(joined)))
    if glue == "inline":
        joined = _INLINE_TAG.sub("", joined)
    stripped = _TAG.sub("" if glue == "all" else " ", joined)
    return _unescaped(stripped), tuple(_unescaped(c) for c in code if c)


def _texts(name: str, raw: bytes, depth: int = 0) -> Texts | None:
    """One file's text, given its name and bytes; None for images and fonts."""
    if name.endswith(".gz"):
        raw, name = _gunzip(raw), name.removesuffix(".gz")
    suffix = Path(name).suffix.lower()
    if _is_media(suffix, raw):
        return None
    if suffix == ".pdf" or raw.startswith(b"%PDF-"):
        text = _pdf_text(raw)
        return Texts(text, (), text)
    if raw.startswith(_ZIP_MAGIC):
        return _zip_texts(raw, depth)
    text = _decoded(raw)
    if suffix in _CODE_SUFFIXES:
        return Texts("", (_unescaped(text),), text)
    readable = text
    if suffix == ".json":
        with contextlib.suppress(ValueError, RecursionError):
            readable = "\n".join(_json_strings(json.loads(text)))
    prose, code = _markup(readable)
    if suffix in (".xml", ".svg") or depth:  # XML (office files): a word may span elements
        prose = "\n".join((prose, _markup(readable, "all")[0], _markup(readable, "none")[0]))
    return Texts(prose, code, text)


def _zip_texts(raw: bytes, depth: int) -> Texts:
    """Every part of a zip file (office documents are zips of XML), as one text."""
    if depth >= MAX_ZIP_DEPTH:
        raise Unreadable("a zip file nested too deep")
    parts: list[Texts] = []
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                total += info.file_size
                if total > MAX_UNPACKED:
                    raise Unreadable(f"unpacks to more than {MAX_UNPACKED // 2**20} MiB")
                with archive.open(info) as member:
                    data = member.read(info.file_size + 1)
                if len(data) != info.file_size:
                    raise Unreadable(f"{info.filename}: size does not match the zip index")
                try:
                    found = _texts(info.filename, data, depth + 1)
                except Unreadable as exc:
                    raise Unreadable(f"{info.filename}: {exc}") from None
                if found is not None:
                    parts.append(found)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError) as exc:
        raise Unreadable(f"not a readable zip file ({exc})") from None
    except (OSError, EOFError) as exc:  # a damaged member
        raise Unreadable(f"not a readable zip file ({type(exc).__name__})") from None
    return Texts(
        "\n".join(p.prose for p in parts),
        tuple(c for p in parts for c in p.code),
        "\n".join(p.written for p in parts),
    )


def file_texts(path: Path) -> Texts | None:
    """One file's text as written and as read, or None for images and fonts."""
    return _texts(path.name, path.read_bytes())


# Code at least this long is scanned once per content in a scan: a script inlined in a
# page as well as served on its own (Mermaid in the go-bag) costs one pass.
MEMO_FROM = 64 * 1024


def scan_text(
    file: str,
    texts: Texts,
    needles: Needles,
    escapable: Needles,
    memo: dict[bytes, set[int]] | None = None,
) -> list[Leak]:
    """The secrets found in one file, given its texts.

    ``escapable`` holds the secrets that reading changes: also looked for in the text as
    written. ``memo`` keeps what was found in long code, by its content.
    """
    found = needles.find_numbers(normalise(texts.prose))
    for code in texts.code:
        if memo is None or len(code) < MEMO_FROM:
            found |= needles.find_numbers(code=normalise(code))
            continue
        key = hashlib.blake2b(code.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        if key not in memo:
            memo[key] = needles.find_numbers(code=normalise(code))
        found |= memo[key]
    leaks = [Leak(file, needles.secrets[n]) for n in sorted(found)]
    if escapable and texts.written:
        shown = {leak.secret for leak in leaks}
        leaks += [Leak(file, s) for s in escapable.find(prose=texts.written) if s not in shown]
    return leaks


def scan(folder: Path, secrets: Sequence[Secret]) -> tuple[list[Leak], list[str]]:
    """Every secret found in any file under ``folder``, and the files that could not be read."""
    leaks: list[Leak] = []
    unreadable: list[str] = []
    needles = Needles(secrets)
    escapable = Needles(s for s in needles.secrets if s.escapable)
    memo: dict[bytes, set[int]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink()):
        shown = path.relative_to(folder).as_posix()
        if path.is_symlink() or not path.is_file():
            unreadable.append(f"{shown}: cannot be scanned: not a regular file")
            continue
        try:
            texts = file_texts(path)
        except Unreadable as exc:
            unreadable.append(f"{shown}: cannot be scanned: {exc}")
            continue
        if texts is not None:
            leaks += scan_text(shown, texts, needles, escapable, memo)
    return leaks, unreadable
