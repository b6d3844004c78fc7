"""Secrets that must never be written into a handbook: private keys, tokens, seed phrases.

Plain detectors over text, used by the ``secret`` validation rule (every value and mapping
key of the data, each data file's own text with its comments, the names of the files
under ``data/`` and ``docs/``, the text of every file under ``docs/``) and by the pre-commit
hook ``python -m handbook.secret_scan FILE...`` (every committed text file). A finding never
holds the secret: only what kind of secret it looks like and a short redacted prefix, and
``redact`` removes anything taken for a secret from any other text (the pipeline passes
every diagnostic's file, path and message through it).

Text is normalised before it is searched, so that a secret cannot hide behind look-alike
characters: HTML entities are decoded (``AKIA&#8203;…``, ``&#x41;``, ``&shy;``), then each
character is replaced by its NFKC form (full-width letters and
mathematical letters become ASCII; composition of combining marks is not needed, it never
makes an ASCII character) and format characters (Unicode category Cf: zero-width spaces and
joiners, soft hyphens...) and the other default-ignorable code points are removed. Every
finding is reported at its place in the text as written.

What is detected:

- PEM private keys (``-----BEGIN ... PRIVATE KEY-----``, OpenSSH, PGP private key blocks,
  SSH2 keys with four dashes), also with the header broken over lines, its dashes or words
  spaced out (``- - - - - BEGIN …``), in any letter case; PuTTY private keys
  (``PuTTY-User-Key-File-2:`` or ``-3:`` and their ``Private-Lines:``);
- AWS access key ids, GitHub, GitLab and Slack tokens, Slack webhook URLs, Stripe live
  keys, Google API keys, OpenAI (``sk-proj-``, ``sk-`` and 32 or more letters and digits)
  and Anthropic (``sk-ant-``) API keys, by their documented prefixes; JSON Web Tokens
  (``eyJ….eyJ….signature``); a password in a URL (``https://user:password@host``, any
  scheme; a placeholder such as ``${DB_PASSWORD}``, ``<password>``, ``****`` or the word
  ``password`` itself is not one);
- ``api_key=...``, ``token: ...``, ``AWS_SECRET_ACCESS_KEY=...``, ``"client_secret": "..."``
  style assignments: a name holding a word such as key, secret, token, password or
  credential, then ``=``, ``:`` or ``=>``, then a value that looks random (letters and
  digits, ``+/_.=-`` allowed, at least 16 characters, high entropy);
- Ethereum private keys: 64 hex digits, with or without ``0x``. Transaction and block
  hashes and storage slots have the same shape, so they are judged by the words just
  before them (on their own line, or the lines before when theirs holds no word; for a
  value of the data, its mapping key is read as written before it: ``attack_tx: 0x…``),
  names split into words (``safeTxHash`` is ``safe Tx Hash``, ``attack_tx`` is
  ``attack tx``):

  - accepted when the last word says it is a hash (``tx``, ``Tx(s):``, ``transaction``,
    ``hash``, ``block``, ``slot``, ``root``, ``sha256``, ``id``...), when such a word comes
    earlier in a label of the same clause with no key word after it (``Attacker tx on
    Etherscan: 0x…``, ``Exploit transaction (block 19000000): 0x…``) or in brackets right
    after them (```0x…` (exploit tx)``), when they sit in a URL path
    (``https://etherscan.io/tx/0x…``) or are the text of a link (``[0x…](https://…)``),
    when they follow such a hash in a list (``Tx(s): 0x…, 0x…``), when they are a known
    public constant (the EIP-1967 and EIP-1822 proxy storage slots, the empty code hash
    and trie root), or when they cannot be a key at all (zero, or not below the secp256k1
    group order);
  - otherwise refused when the words before them speak of a key, signer, secret or seed
    (``signer keys: …``), and refused with ``0x`` and no word (write ``tx 0x…``); 64 bare
    hex digits with no word (a file checksum) are accepted;
- wallet seed phrases: 12 or more consecutive words of the BIP-39 English wordlist
  (12/15/18/21/24 words make a seed; a longer run contains one). Words may be separated by
  up to 8 spaces, line breaks, numbers, list marks, ``<br>``, quotes, backticks or
  ``. , ; | / _ ( ) [ ] * • -`` (``"abandon", "ability"``, ``['abandon', …]``), each be
  numbered with a colon (``1:abandon 2:ability``; not by other code punctuation such as
  ``:`` or ``=``), or be the items of a list or the values of a mapping (``1. word``,
  ``- word``, ``- `word```). The checksum is not required: a phrase with one
  wrong word is still a seed anyone can recover by trying 2,048 words in each place.

Every pattern runs in time linear in the length of the text (no quantifier can backtrack
over what another one consumed; ``tests/test_secrets.py`` measures it on 1 MiB inputs).

The wordlist ``handbook/data/bip39-english.txt`` is the BIP-39 English list as shipped by
the ``mnemonic`` package (Trezor's reference implementation, version 0.21), unchanged:
SHA-256 ``2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda``, the hash the
BIP-39 specification gives for it (checked by ``tests/test_secrets.py``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import math
import re
import sys
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import accumulate
from pathlib import Path

import yaml

from handbook.diagnostics import Diagnostic, Level
from handbook.files import walk_tree
from handbook.memo import LastRun, owned
from handbook.report import format_text

RULE = "secret"
SEED_WORDS = 12
_SHOWN = 4  # characters of a secret shown in a message
_SEED_GAP = 8  # the most characters between two words of a seed phrase
_CONTEXT = 48  # characters before 64 hex digits that say what they are
_MIN_ENTROPY = 3.5  # bits per character of an assigned value that looks random
_NAME = 64  # the most characters of a name a secret is assigned to
_KEY_HINT = "remove it, and rotate it if it was real: git history keeps it"
_FUNDS_HINT = "remove it, and move the funds if it was real: git history keeps it"
_TX_HINT = (
    "if it is a transaction or block hash, say so just before it "
    "(tx 0x…, block hash 0x…) or link it on a block explorer"
)


@dataclass(frozen=True)
class Finding:
    """One secret in a text: where it is, what it looks like, and a redacted prefix.

    ``family`` names the detector (``token``, ``pem``, ``assignment``, ``hex``, ``seed``):
    two findings of one family at one place are the same secret.
    """

    start: int
    end: int
    kind: str
    shown: str
    hint: str = _KEY_HINT
    family: str = "token"

    @property
    def message(self) -> str:
        """What was found, never the secret itself."""
        return f"possible {self.kind} ({self.shown!r}); {self.hint}"


def _shown(secret: str) -> str:
    return secret[:_SHOWN] + "…"


# --- Normalisation -----------------------------------------------------------------------

# Default-ignorable code points that are not of category Cf (Unicode's
# DerivedCoreProperties): invisible, and as able to split a token as a zero-width space.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0000, 0xE0FFF),
)
_FEW = 8  # see Normalised.__init__
# An HTML entity: named, decimal or hexadecimal, closed by ";" (bounded, so linear).
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or any(
        low <= ord(char) <= high for low, high in _IGNORABLE_RANGES
    )


@lru_cache(maxsize=8192)
def _replacement(char: str) -> str | None:
    """What a non-ASCII character becomes in normalised text; None when it stays."""
    if _invisible(char):
        return ""
    normal = "".join(c for c in unicodedata.normalize("NFKC", char) if not _invisible(c))
    return None if normal == char else normal


def _one_of(chars: Iterable[str]) -> str:
    """A pattern matching any one of ``chars``."""
    return f"[{re.escape(''.join(chars))}]"


class Normalised:
    """A text in NFKC form without invisible characters, and the way back to the original.

    The normalised text is made by C-speed string operations (each distinct character is
    looked at once). Positions are mapped back only when a finding must be placed, through
    a table of stretches built then: from ``_normal[k]`` on, normalised text matches the
    original from ``_original[k]`` on, one character for one (``_expanded[k]`` false), or
    all of it comes from the single character ``_original[k]`` (true: an expansion such as
    ``ﬁ`` to ``fi``).
    """

    __slots__ = (
        "_changes",
        "_entities",
        "_expanded",
        "_normal",
        "_original",
        "_source",
        "text",
    )

    def __init__(self, text: str) -> None:
        """Normalise ``text`` (ASCII text, the usual case, is taken as it is)."""
        # HTML entities first (``&#8203;`` is a zero-width space once decoded): each
        # decoded entity is (decoded start, decoded end, original start, original end).
        self._entities: list[tuple[int, int, int, int]] = []
        if "&" in text:
            text = self._decode_entities(text)
        self._source = text
        self._changes: dict[str, str] = {}
        self._normal: list[int] = []
        self._original: list[int] = []
        self._expanded: list[bool] = []
        found = [] if text.isascii() else _NON_ASCII.findall(text)
        for char in set(found):
            if (replacement := _replacement(char)) is not None:
                self._changes[char] = replacement
        # Each character replaced once, in one pass, however many there are: a regex for a
        # few of them in a long text, replace() for many of a few kinds (all ASCII once
        # replaced, so no replacement is replaced again), else str.translate.
        changes = self._changes
        if not changes:
            pass
        elif len(found) * _FEW < len(text):
            text = re.sub(_one_of(changes), lambda m: changes[m.group()], text)
        elif len(changes) <= _FEW and all(r.isascii() for r in changes.values()):
            for char, replacement in changes.items():
                text = text.replace(char, replacement)
        else:
            text = text.translate({ord(c): r for c, r in changes.items()})
        self.text = text

    def _decode_entities(self, text: str) -> str:
        parts: list[str] = []
        done = shift = 0  # shift: decoded position minus original position
        for match in _ENTITY.finditer(text):
            decoded = html.unescape(match.group())
            if decoded == match.group():
                continue  # not an entity HTML knows
            start, end = match.span()
            parts += [text[done:start], decoded]
            at = start + shift
            self._entities.append((at, at + len(decoded), start, end))
            shift += len(decoded) - (end - start)
            done = end
        if not self._entities:
            return text
        parts.append(text[done:])
        return "".join(parts)

    def _undecoded(self, position: int, end: bool) -> int:
        """Where a position of the entity-decoded text is in the original text.

        ``end``: the position after the original character (or entity) written there.
        """
        k = bisect_right(self._entities, (position, float("inf"))) - 1
        if k < 0:
            return position + end
        _, stop, original_start, original_end = self._entities[k]
        if position < stop:
            return original_end if end else original_start
        return original_end + position - stop + end

    def _add(self, normal: int, original: int, expanded: bool) -> None:
        self._normal.append(normal)
        self._original.append(original)
        self._expanded.append(expanded)

    def _build(self) -> None:
        """The table of stretches: one look at each character that changed its length."""
        self._add(0, 0, False)
        resized = [c for c, r in self._changes.items() if len(r) != 1]
        shift = 0  # normalised position minus original position
        for match in re.finditer(_one_of(resized), self._source):
            at, replacement = match.start(), self._changes[match.group()]
            if replacement:
                self._add(at + shift, at, True)
            shift += len(replacement) - 1
            self._add(at + 1 + shift, at + 1, False)

    @property
    def same_places(self) -> bool:
        """True when every character kept its place (the text as written was normal)."""
        return not self._entities and self._same_places_decoded

    @property
    def _same_places_decoded(self) -> bool:
        return all(len(r) == 1 for r in self._changes.values())

    def _at(self, position: int) -> int:
        k = bisect_right(self._normal, position) - 1
        if self._expanded[k]:
            return self._original[k]
        return self._original[k] + position - self._normal[k]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's span of the normalised span ``[start, end)``."""
        if self.same_places:
            return start, end
        if not self._same_places_decoded:
            if not self._normal:
                self._build()
            start, end = self._at(start), self._at(end - 1) + 1
        if self._entities:
            start, end = self._undecoded(start, False), self._undecoded(end - 1, True)
        return start, end


def normalise(text: str) -> Normalised:
    """``text`` as the detectors read it (see the module docstring)."""
    return Normalised(text)


# --- Detectors ---------------------------------------------------------------------------

# Tokens known by their prefix; the whole match is the secret. Each pattern starts with its
# literal prefix (the regex engine then skips ahead to it) and checks what precedes the
# prefix with a lookbehind placed after it. With each kind, the literals one of which it
# must hold: a quick test that skips the pattern.
_TOKENS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = tuple(
    (kind, literals, re.compile(pattern))
    for kind, literals, pattern in (
        (
            "AWS access key id",
            ("AKIA", "ASIA", "ABIA", "ACCA"),
            r"A(?:KIA|SIA|BIA|CCA)(?<![A-Z0-9]....)[A-Z0-9]{16}(?![A-Z0-9])",
        ),
        ("GitHub token", ("gh",), r"gh[pousr]_(?<![A-Za-z0-9_]....)[A-Za-z0-9]{36,}"),
        (
            "GitHub token",
            ("github_pat_",),
            r"github_pat_(?<![A-Za-z0-9_]github_pat_)[A-Za-z0-9_]{22,}",
        ),
        ("GitLab token", ("glpat-",), r"glpat-(?<![A-Za-z0-9_]glpat-)[A-Za-z0-9_-]{20,}"),
        ("Slack token", ("xox",), r"xox[abeoprs]-(?<![A-Za-z0-9]xox.-)[A-Za-z0-9-]{10,}"),
        (
            "Slack webhook URL",
            ("https://hooks.slack.com/",),
            r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9/_-]{20,}",
        ),
        ("Stripe live key", ("sk_live_",), r"sk_live_(?<![A-Za-z0-9]sk_live_)[A-Za-z0-9]{16,}"),
        ("Stripe live key", ("rk_live_",), r"rk_live_(?<![A-Za-z0-9]rk_live_)[A-Za-z0-9]{16,}"),
        ("Google API key", ("AIza",), r"AIza(?<![A-Za-z0-9]AIza)[0-9A-Za-z_-]{35}"),
        (
            "Anthropic API key",
            ("sk-ant-",),
            r"sk-ant-(?<![A-Za-z0-9_-]sk-ant-)[A-Za-z0-9_-]{20,}",
        ),
        (
            "OpenAI API key",
            ("sk-",),
            r"sk-(?<![A-Za-z0-9_-]sk-)(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}"
            r"|[A-Za-z0-9]{32,}(?![A-Za-z0-9_-]))",
        ),
        (
            "JSON Web Token",
            ("eyJ",),
            r"eyJ(?<![A-Za-z0-9_-]eyJ)[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
        ),
    )
)
# A plain ``sk-`` key must look random; the prefixed kinds are certain.
_MUST_LOOK_RANDOM = re.compile(r"sk-[A-Za-z0-9]{32,}")
# No secret is shorter than this (a Slack token: "xoxb-" and ten characters).
_SHORTEST = 15
# Four to eight dashes, maybe spaced out ("-----", "----" of SSH2 keys, "- - - - -"): a
# bounded run, so that a long run of dashes costs each start a few steps only.
_DASHES = r"-(?:[ \t]{0,2}-){3,7}"
_PEM = re.compile(
    rf"{_DASHES}[ \t]*"
    r"(?P<header>(?i:BEGIN\s+(?:[A-Z0-9]+\s+){0,4}PRIVATE\s+KEY(?:\s+BLOCK)?))"
    rf"\s*{_DASHES}"
)
_PRIVATE_KEY = re.compile(r"(?i)private\s+key")  # what any PEM header holds: a quick test
_PEM_END = re.compile(rf"{_DASHES}[ \t]*(?i:END)\b")
_PEM_END_LINE = re.compile(rf"[^-]{{0,100}}{_DASHES}")  # the rest of an END line
# What may follow a PEM header when its END line is missing: the key's own lines.
_PEM_BODY = re.compile(r"[A-Za-z0-9+/=\s:,.-]*")
# A PuTTY private key file (.ppk): its header, and its private lines (base64 lines after
# "Private-Lines: N", then the MAC that closes the file).
_PUTTY = re.compile(r"PuTTY-User-Key-File-[23]:")
_PUTTY_PRIVATE = re.compile(
    r"Private-Lines:[ \t]*[0-9]+[ \t]*\r?\n(?:[ \t]*[A-Za-z0-9+/=]+[ \t]*\r?\n)*"
    r"(?:[ \t]*Private-(?:MAC|Hash):[ \t]*[0-9A-Fa-f]*)?"
)
# A password in a URL's userinfo (scheme://user:password@host), in any scheme. Each
# match starts at "://" and stops at the first "/", so no text is read twice.
_URL_PASSWORD = re.compile(r"://(?<=[A-Za-z0-9+.-]://)[^\s:/?#@\[\]<>\"'`]*:([^\s/?#@<>\"'`]+)@")
# Passwords of documentation examples, not secrets: "user:password@", "${DB_PASSWORD}".
_URL_PASSWORD_EXAMPLES = frozenset({"password", "passwd", "pass", "pwd", "pw", "secret"})
# An assignment is found by its operator and value first (a fast scan); the name before
# the operator is then read backwards from the reversed text, at most _NAME characters.
_ASSIGNMENT = re.compile(r"[:=]>?\s*[\"']?([A-Za-z0-9+/_.=-]{16,})")
_NAME_REVERSED = re.compile(rf"[ \t]*[\"']?([A-Za-z0-9_.-]{{1,{_NAME}}})")
_SECRET_NAME = re.compile(
    r"(?i)api[_-]?key|apikey|secret|token|passw(?:or)?d|(?<![a-z])pwd(?![a-z])|credential"
    r"|(?:access|signing|private|encryption|master|deploy|ssh)[_-]?key"
    r"|(?<![a-z])auth(?:[_-]?(?:key|code))?(?![a-z])"
)
# 64 hex digits not inside a longer word; ``0x`` before them is checked apart (a pattern
# that starts with a character class, not a lookbehind, is searched for much faster).
_HEX64 = re.compile(r"[0-9a-fA-F](?<![0-9A-Za-wyz].)[0-9a-fA-F]{63}(?![0-9A-Za-z])")
_ALNUM_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ALNUM = frozenset(_ALNUM_CHARS)
_KEY_WORDS = re.compile(
    r"(?i)priv|secret|seed|mnemonic|signing|signer|keystore|wallet key"
    r"|(?<![a-z])(?:pk|keys?)(?![a-z])"
)
# A hash says what it is in the word just before it ("tx 0x...", "Attack Tx(s): 0x...",
# "block hash: 0x...") or sits in a URL path or query (".../tx/0x...", "?hash=0x...").
_HASH_WORD = (
    r"(?<![a-z])(?:tx|txn|txid|txhash|transaction|hash|codehash|block|digest|sha-?256"
    r"|checksum|commit|event|topic|log|id|slot|root|salt)(?:e?s|\(s\))?"
)
_HASH_LABEL = re.compile(rf"(?i)(?:{_HASH_WORD}[\s:=#(\[\"'`*_-]*|/|[?&][A-Za-z_]*=)$")
# A hash word anywhere ("Attacker tx on Etherscan: 0x…"), read in the hash's own clause.
_HASH_WORD_ANYWHERE = re.compile(rf"(?i){_HASH_WORD}(?![a-z])")
_LABEL_END = re.compile(r":[\s`*\"'(\[]*$")
# Where a clause ends: the words before it do not speak of what follows.
_CLAUSE_END = re.compile(r"[.;!?](?:\s|$)")
# Where camelCase and snake_case names split into words: safeTxHash, TXHash, attack_tx.
_NAME_SPLIT = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|_")
# What may follow a hash to say what it is: "`0x…` (exploit tx)", "0x… [block hash]".
_AFTER = re.compile(r"[`'\"*]*[ \t]*[(\[]([^()\[\]\n]{1,40})[)\]]")
# A hash as the text of a Markdown link: "[0x…](https://etherscan.io/tx/0x…)".
_LINKED = re.compile(r"[`*]*\]\(https?://")
# What may separate hashes of one list: "Tx(s): 0x…, 0x…" or one per line, "- 0x…".
_HASH_LIST_GAP = re.compile(r"[\s,;|*()\[\]\"'`-]*")
_SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
# 64-hex-digit values every Ethereum engineer writes and no one can sign with (each is a
# Keccak-256 image, so no private key is known for it; tests/test_secrets.py derives them):
# proxy storage slots (EIP-1967, EIP-1822), the empty code hash and the empty trie root.
PUBLIC_HEX = {
    "360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc": "EIP-1967 implementation",
    "b53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103": "EIP-1967 admin",
    "a3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50": "EIP-1967 beacon",
    "4910fdfa16fed3260ed0e7147f7cc6da11a60208b5b9406d12a635614ffd9143": "EIP-1967 rollback",
    "c5f16f0fcc639fa48a6947836d9850f504798523bf8c9a3a87d5876cf622bcf7": "EIP-1822 proxiable",
    "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470": "empty code hash",
    "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421": "empty trie root",
}
_LETTERS = re.compile(r"[A-Za-z]")
# What may separate two words of a seed phrase: these characters (quotes and brackets of
# a list, "abandon", "ability" or ['abandon', ...], `backticks`) and HTML line breaks
# (abandon<br>ability). A colon only after a number that comes before each word
# (1:abandon 2:ability): "case 1:return 7;case 2:return" is code.
_SEED_GAPS = r"\s\d.,;|/_()*•\"'`\[\]-"
_SEED_GAP_UNIT = rf"(?:[{_SEED_GAPS}]|<(?i:br)[ \t]?/?>)"
# A word of a seed phrase, or a <br> between two (skipped).
_SEED_WORD = re.compile(r"<(?i:br)[ \t]?/?>|[A-Za-z]+")


@cache
def bip39_words() -> frozenset[str]:
    """The 2,048 words of the BIP-39 English wordlist."""
    text = resources.files("handbook").joinpath("data/bip39-english.txt").read_text("utf-8")
    return frozenset(text.split())


@cache
def _seed_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Where seed phrases may be: two fast passes before each word is looked up.

    First whole runs of letters and gap characters long enough to hold 12 words; in them,
    runs of 12 or more words of a BIP-39 word's length (3 to 8 letters) with short gaps.
    Letters and gaps never overlap, so the second pattern cannot backtrack far.
    """
    lengths = {len(word) for word in bip39_words()}
    shortest = SEED_WORDS * min(lengths) + SEED_WORDS - 1
    areas = re.compile(rf"(?<![A-Za-z:<>{_SEED_GAPS}])[A-Za-z:<>{_SEED_GAPS}]{{{shortest},}}")
    word = f"[A-Za-z]{{{min(lengths)},{max(lengths)}}}"
    gap = f"{_SEED_GAP_UNIT}{{1,{_SEED_GAP}}}"
    runs = re.compile(rf"(?<![A-Za-z])(?:{word}{gap}){{{SEED_WORDS - 1},}}{word}(?![A-Za-z])")
    numbered = f"[0-9]{{1,2}}:[ \t]?{word}"
    numbered_runs = re.compile(
        rf"(?<![A-Za-z0-9])(?:{numbered}[\s,;|/]{{1,4}}){{{SEED_WORDS - 1},}}{numbered}(?![A-Za-z])"
    )
    return areas, runs, numbered_runs


# Any literal a token starts with: one search instead of one per kind.
_ANY_TOKEN = re.compile("|".join(re.escape(s) for _, starts, _ in _TOKENS for s in starts))
_SHORT = 256  # characters: a shorter text is first tested with _may_hold()
_HEX_RUN = re.compile(r"[0-9a-fA-F]{64}")


def _may_hold(text: str) -> bool:
    """False when no detector can find anything in ``text``: cheap tests of what each needs.

    ``redact`` looks at every diagnostic's file, path and message: short texts, almost none
    with a secret, on which running each detector would cost more than the tests.
    """
    return bool(
        _ANY_TOKEN.search(text)
        or _PRIVATE_KEY.search(text)
        or "PuTTY-User-Key-File-" in text
        or _URL_PASSWORD.search(text)
        or "&" in text  # an entity may hide any of them
        or _ASSIGNMENT.search(text)
        or (len(text) >= 64 and _HEX_RUN.search(text))
        or (
            len(text) >= SEED_WORDS * 4 - 1
            and (_seed_patterns()[1].search(text) or _seed_patterns()[2].search(text))
        )
    )


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _looks_random(value: str) -> bool:
    return (
        any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
        and _entropy(value) >= _MIN_ENTROPY
    )


def _tokens(text: str) -> Iterator[Finding]:
    for kind, literals, pattern in _TOKENS:
        if not any(literal in text for literal in literals):
            continue
        for match in pattern.finditer(text):
            secret = match.group()
            if _MUST_LOOK_RANDOM.fullmatch(secret) and not _looks_random(secret[3:]):
                continue
            yield Finding(match.start(), match.end(), kind, _shown(secret))


def _assignments(text: str) -> Iterator[Finding]:
    for match in _ASSIGNMENT.finditer(text):
        value = match.group(1)
        if not _looks_random(value):
            continue
        at = match.start()
        before = text[max(0, at - _NAME - 2) : at][::-1]
        found = _NAME_REVERSED.match(before)
        name = found.group(1)[::-1] if found else ""
        if _SECRET_NAME.search(name):
            kind = f"secret assigned to {name}"
            yield Finding(match.start(1), match.end(1), kind, _shown(value), family="assignment")


def _pem_keys(text: str) -> Iterator[Finding]:
    """Each PEM private key, from its header to its END line (or the end of its body)."""
    if not _PRIVATE_KEY.search(text):
        return
    covered = 0
    end: re.Match[str] | None = None
    exhausted = False  # no END line after the last header: none after a later one either
    for match in _PEM.finditer(text):
        if match.start() < covered:
            continue
        if not exhausted and (end is None or end.start() < match.end()):
            end = _PEM_END.search(text, match.end())  # each stretch of text searched once
            exhausted = end is None
        if end is not None:
            close = _PEM_END_LINE.match(text, end.end())
            line_end = text.find("\n", end.end())
            covered = close.end() if close else len(text) if line_end < 0 else line_end
        else:
            covered = _PEM_BODY.match(text, match.end()).end()  # type: ignore[union-attr]
        # The header says what it is and is not secret: it is what a message shows.
        shown = " ".join(match.group("header").split())
        yield Finding(match.start(), covered, "private key", f"-----{shown}-----", family="pem")


def _putty_keys(text: str) -> Iterator[Finding]:
    """Each PuTTY private key, from its header to the end of its private lines."""
    if "PuTTY-User-Key-File-" not in text:
        return
    covered = 0
    private: re.Match[str] | None = None
    exhausted = False  # no private lines after the last header: none after a later one
    for match in _PUTTY.finditer(text):
        if match.start() < covered:
            continue
        if not exhausted and (private is None or private.start() < match.end()):
            private = _PUTTY_PRIVATE.search(text, match.end())  # each stretch searched once
            exhausted = private is None
        if private is None:
            return  # a header without private lines is not a key
        covered = private.end()
        shown = match.group().removesuffix(":")
        yield Finding(match.start(), covered, "PuTTY private key", shown, family="pem")


def _url_passwords(text: str) -> Iterator[Finding]:
    """The password of each URL written with one (``https://user:password@host``)."""
    if "://" not in text:
        return
    for match in _URL_PASSWORD.finditer(text):
        password = match.group(1)
        if (
            password[0] in "$<{%[*"
            or len(set(password)) == 1  # masked: "****", "xxxx"
            or password.lower() in _URL_PASSWORD_EXAMPLES
        ):
            continue
        kind = "password in a URL"
        yield Finding(match.start(1), match.end(1), kind, _shown(password), family="url")


def _possible_key(digits: str) -> bool:
    return digits.lower() not in PUBLIC_HEX and 0 < int(digits, 16) < _SECP256K1_ORDER


def _words(text: str) -> str:
    """``text`` with its names split into words (``safeTxHash`` -> ``safe Tx Hash``)."""
    return _NAME_SPLIT.sub(" ", text)


def _named_hash(clause: str) -> bool:
    """True when ``clause`` is a label (ending in ``:``) with a hash word and no key after it.

    ``Attacker tx on Etherscan: 0x…``, ``Exploit transaction (block 1): 0x…``.
    """
    if not _LABEL_END.search(clause):
        return False
    found = list(_HASH_WORD_ANYWHERE.finditer(clause))  # a clause of a few words
    return bool(found) and not _KEY_WORDS.search(clause, found[-1].end())


def _hex_keys(text: str, lead: str = "") -> Iterator[Finding]:
    """64 hex digits taken for keys; ``lead`` is read as if written just before ``text``."""
    if len(text) < 64:
        return
    hash_end = -1  # where the last hash ended: the next one of its list is a hash too
    for match in _HEX64.finditer(text):
        start, digits = match.start(), match.group()
        prefixed = start > 0 and text[start - 1] == "x"
        if prefixed:  # only as 0x, itself not glued to a word
            if text[start - 2 : start] != "0x" or (start > 2 and text[start - 3] in _ALNUM):
                continue
            start -= 2
        listed = hash_end >= 0 and _HASH_LIST_GAP.fullmatch(text, hash_end, start)
        hash_end = -1
        if not _possible_key(digits):
            continue
        written = (lead if start < _CONTEXT else "") + text[max(0, start - _CONTEXT) : start]
        before = written[-_CONTEXT:]
        if len(written) > _CONTEXT or start > _CONTEXT:
            before = before.lstrip(_ALNUM_CHARS)  # a word cut in two is no word
        before = _words(before)
        line = before.rpartition("\n")[2]
        context = line if _LETTERS.search(line) else before
        # Words in brackets right after it: "`0x…` (exploit tx)", "0x… (signer key)".
        after = _AFTER.match(text, match.end())
        noted = _words(after.group(1)) if after else ""
        if (
            listed
            or _HASH_LABEL.search(context)
            or (_HASH_WORD_ANYWHERE.search(noted) and not _KEY_WORDS.search(noted))
            or (
                text[max(0, start - 3) : start].rstrip("`*").endswith("[")
                and _LINKED.match(text, match.end())
            )
            or _named_hash(_CLAUSE_END.split(context)[-1])
        ):
            hash_end = match.end()
            continue
        if _KEY_WORDS.search(context) or _KEY_WORDS.search(noted):
            hint = _FUNDS_HINT
        elif prefixed:
            hint = _TX_HINT
        else:
            continue
        kind = "Ethereum private key (64 hex digits)"
        yield Finding(start, match.end(), kind, _shown(text[start : match.end()]), hint, "hex")


def _seeds(text: str) -> Iterator[Finding]:
    areas, runs, numbered_runs = _seed_patterns()
    if len(text) < SEED_WORDS * 4 - 1:  # twelve words of three letters and their gaps
        return
    words = bip39_words()
    for area in areas.finditer(text):
        for candidates in runs.finditer(text, area.start(), area.end()):
            yield from _seeds_in(text, candidates.start(), candidates.end(), words)
        if ":" in area.group():
            for candidates in numbered_runs.finditer(text, area.start(), area.end()):
                yield from _seeds_in(text, candidates.start(), candidates.end(), words)


def _seeds_in(text: str, start: int, end: int, words: frozenset[str]) -> Iterator[Finding]:
    first: re.Match[str] | None = None  # the first word of the current run
    last = count = 0  # where its last word ends, how many words it has
    for match in _SEED_WORD.finditer(text, start, end):
        if match.group()[0] == "<":
            continue  # a line break between two words
        if match.group().lower() in words:  # the pattern has kept every gap short
            first, last, count = (first or match), match.end(), count + 1
            continue
        if first is not None and count >= SEED_WORDS:
            yield _seed(first, last, count)
        first, count = None, 0
    if first is not None and count >= SEED_WORDS:
        yield _seed(first, last, count)


def _seed(first: re.Match[str], end: int, count: int) -> Finding:
    return Finding(
        first.start(),
        end,
        f"wallet seed phrase ({count} BIP-39 words in a row)",
        _shown(first.group()),
        _FUNDS_HINT,
        "seed",
    )


def _in_original(normalised: Normalised, findings: list[Finding]) -> list[Finding]:
    """The findings, placed in the text as it was written."""
    if not findings or normalised.same_places:
        return findings
    placed = []
    for finding in findings:
        start, end = normalised.span(finding.start, finding.end)
        placed.append(dataclasses.replace(finding, start=start, end=end))
    return placed


def seed_phrases(text: str) -> list[Finding]:
    """Every run of 12 or more BIP-39 words in ``text``."""
    normalised = normalise(text)
    return _in_original(normalised, list(_seeds(normalised.text)))


# An item of a seed phrase written one word per item: "abandon", "1. abandon", "#1 abandon".
_ONE_WORD = re.compile(r"[\s\d.,;:|/_()*•#\"'`-]*([A-Za-z]+)[\s.,;*\"'`]*")


def single_word(text: str) -> str | None:
    """The one word ``text`` holds, numbered or marked as a list item; else None."""
    if len(text) > _NAME:
        return None
    found = _ONE_WORD.fullmatch(text if text.isascii() else normalise(text).text)
    return found.group(1) if found else None


def find_secrets(text: str, name: str = "") -> list[Finding]:
    """Every secret in ``text``, in order; overlapping findings are reported once.

    ``name`` is what the text is called (a mapping key): words that say whether 64 hex
    digits are a hash or a key may be there (``attack_tx: 0x…``, ``signer_key: …``).
    """
    if text.isascii() and (len(text) < _SHORTEST or (len(text) < _SHORT and not _may_hold(text))):
        return []
    normalised = normalise(text)
    normal = normalised.text
    found = sorted(
        [
            *_tokens(normal),
            *_pem_keys(normal),
            *_putty_keys(normal),
            *_url_passwords(normal),
            *_assignments(normal),
            *_hex_keys(normal, f"{normalise(name).text}: " if name else ""),
            *_seeds(normal),
        ],
        key=lambda f: (f.start, -f.end),
    )
    kept: list[Finding] = []
    for finding in found:
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
    return _in_original(normalised, kept)


def redact(text: str) -> str:
    """``text`` with every secret in it replaced by its redacted prefix."""
    for finding in reversed(find_secrets(text)):
        text = text[: finding.start] + finding.shown + text[finding.end :]
    return text


def redact_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics with any secret in their file, path or message redacted.

    File names and paths repeat from one diagnostic to the next: each is looked at once.
    """
    seen: dict[str, str] = {}

    def clean(text: str) -> str:
        if text not in seen:
            seen[text] = redact(text)
        return seen[text]

    redacted = []
    for d in diagnostics:
        file, path, message = clean(d.file), clean(d.path), redact(d.message)
        if (file, path, message) != (d.file, d.path, d.message):
            d = dataclasses.replace(d, file=file, path=path, message=message)
        redacted.append(d)
    return redacted


# --- Where findings are reported ---------------------------------------------------------


def _line_columns(text: str, offsets: Iterable[int]) -> Iterator[tuple[int, int]]:
    """1-based line and column of each of ``offsets`` (ascending): one pass over ``text``."""
    line, line_start, done = 1, 0, 0
    for offset in offsets:
        line += text.count("\n", done, offset)
        newline = text.rfind("\n", done, offset)
        if newline >= 0:
            line_start = newline + 1
        done = offset
        yield line, offset - line_start + 1


def diagnostics_at(file: str, text: str, findings: list[Finding]) -> list[Diagnostic]:
    """A diagnostic for each finding in ``text`` (in order), at its line and column."""
    places = _line_columns(text, [f.start for f in findings])
    return [
        Diagnostic(file, line, column, Level.ERROR, "$", f.message, RULE)
        for f, (line, column) in zip(findings, places, strict=True)
    ]


def scan_text(text: str, file: str) -> list[Diagnostic]:
    """The secrets in one file's text, located by line and column."""
    return diagnostics_at(file, text, find_secrets(text))


def scan_name(name: str) -> list[Diagnostic]:
    """A secret in a file's name (``name`` is also where it is reported: line 1, column 1)."""
    return [
        Diagnostic(name, 1, 1, Level.ERROR, "$", f"in the file name: {f.message}", RULE)
        for f in find_secrets(name)
    ]


def _is_binary(raw: bytes) -> bool:
    return b"\0" in raw[:8192]


def scan_file(path: Path, shown: str | None = None) -> list[Diagnostic]:
    """The secrets in one text file and in its name (binary files: in the name only)."""
    name = shown or path.as_posix()
    raw = path.read_bytes()
    found = scan_name(name)
    if not _is_binary(raw):
        found += scan_text(raw.decode("utf-8", errors="replace").removeprefix("\ufeff"), name)
    return found


# Files under docs/ by name and content: a file read again with the same bytes (the
# next validation of ``handbook serve``, another copy of the project) is not scanned again.
_SCANNED: LastRun[tuple[str, bytes], list[Diagnostic]] = owned(LastRun())


def scan_files(paths: Iterable[Path], root: Path) -> list[Diagnostic]:
    """The secrets in the names and text of ``paths`` (regular files, named from ``root``)."""
    get = _SCANNED.run(True)
    found: list[Diagnostic] = []
    for path in paths:
        shown = path.relative_to(root).as_posix()
        try:
            raw = path.read_bytes()
        except OSError:
            continue  # unreadable: nothing MkDocs could publish either
        key = (shown, hashlib.blake2b(raw, digest_size=16).digest())
        found += get(key, lambda path=path, shown=shown: scan_file(path, shown))
    return found


def scan_tree(folder: Path, root: Path) -> list[Diagnostic]:
    """The secrets in the names and text of every file under ``folder`` (named from ``root``).

    Hidden files and folders are scanned too: they are committed like any other. Links out
    of ``root`` and FIFOs are not read (``files.walk_tree``).
    """
    return scan_files(walk_tree(folder, root).files, root)


def scan_names(folder: Path, root: Path) -> list[Diagnostic]:
    """A secret in the name of any file or folder under ``folder`` (named from ``root``)."""
    if not folder.is_dir():
        return []
    names = [path.relative_to(root).as_posix() for path in sorted(folder.rglob("*"))]
    return [diagnostic for name in names for diagnostic in scan_name(name)]


# --- A YAML file's own text --------------------------------------------------------------


@dataclass(frozen=True)
class Flagged:
    """A node (or mapping key) of a YAML file whose value already had a finding.

    ``line`` and ``column`` (1-based) are where the node starts, as the reader marks it.
    """

    line: int
    column: int
    collection: bool
    family: str


_LOADERS = (getattr(yaml, "CBaseLoader", yaml.BaseLoader), yaml.BaseLoader)


def _node_spans(
    text: str,
) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], int], list[int]]:
    """Where each scalar and each collection of a YAML text ends, by where it starts.

    A collection ends where its last scalar does (not at the next key: a comment after it
    is not part of it). Only called for a text the reader accepted, limits and all; libyaml
    caps nesting below the reader's own limit, and the pure-Python parser then reads it,
    as the reader does.
    """
    starts = [0, *accumulate(len(line) for line in text.splitlines(keepends=True))]

    def offset(mark: yaml.Mark) -> int:
        return starts[min(mark.line, len(starts) - 1)] + mark.column

    for loader in _LOADERS:
        scalars: dict[tuple[int, int], int] = {}
        collections: dict[tuple[int, int], int] = {}
        stack: list[list[int]] = []  # [line, column, end so far] of each open collection
        try:
            for event in yaml.parse(text, Loader=loader):
                if isinstance(event, yaml.ScalarEvent):
                    end = offset(event.end_mark)
                    scalars[(event.start_mark.line + 1, event.start_mark.column + 1)] = end
                elif isinstance(event, yaml.CollectionStartEvent):
                    mark = event.start_mark
                    stack.append([mark.line + 1, mark.column + 1, offset(event.end_mark)])
                    continue
                elif isinstance(event, yaml.CollectionEndEvent):
                    line, column, end = stack.pop()
                    collections[(line, column)] = end
                else:
                    continue
                if stack:
                    stack[-1][2] = max(stack[-1][2], end)
        except yaml.YAMLError:
            continue
        break
    return scalars, collections, starts


def yaml_text_findings(text: str, flagged: Iterable[Flagged]) -> list[Finding]:
    """The secrets in a YAML file's own text that its values' findings do not already cover.

    These are the secrets of comments and mapping keys, and of values whose neighbours tell
    what they are (``signer_key: <64 hex digits>``). A finding is left out when it overlaps
    a value (or key) that had a finding of the same family: that one is reported already.
    """
    found = find_secrets(text)
    flagged = list(flagged)
    if not found or not flagged:
        return found
    scalars, collections, starts = _node_spans(text)
    spans: dict[str, list[tuple[int, int]]] = {}
    for node in flagged:
        ends = collections if node.collection else scalars
        end = ends.get((node.line, node.column))
        if end is not None and node.line <= len(starts):
            start = starts[node.line - 1] + node.column - 1
            spans.setdefault(node.family, []).append((start, end))
    # Per family, spans sorted by start and the furthest end of those so far: a finding
    # [a, b) overlaps one when a span starting before b ends after a.
    index = {
        family: ([s for s, _ in ordered], list(accumulate((e for _, e in ordered), max)))
        for family, ordered in ((f, sorted(s)) for f, s in spans.items())
    }

    def covered(finding: Finding) -> bool:
        if finding.family not in index:
            return False
        begins, furthest = index[finding.family]
        k = bisect_right(begins, finding.end - 1)
        return k > 0 and furthest[k - 1] > finding.start

    return [finding for finding in found if not covered(finding)]


def main(argv: list[str] | None = None) -> int:
    """``python -m handbook.secret_scan FILE...``: exit 1 when any file holds a secret."""
    paths = [Path(arg) for arg in (sys.argv[1:] if argv is None else argv)]
    diagnostics: list[Diagnostic] = []
    for path in paths:
        try:
            diagnostics += scan_file(path)
        except OSError as exc:
            shown = redact(path.as_posix())
            sys.stderr.write(f"handbook.secret_scan: cannot read {shown}: {exc.strerror}\n")
            return 2
    if diagnostics:
        # As the pipeline does: a secret in a file name is not printed either.
        sys.stdout.write(format_text(redact_diagnostics(diagnostics), len(paths)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
