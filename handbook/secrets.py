"""Secrets that must never be written into a handbook: private keys, tokens, seed phrases.

Plain detectors over text, used by the ``secret`` validation rule (every string of the
data) and by the pre-commit hook ``python -m handbook.secrets FILE...`` (every committed
text file, comments included). A finding never holds the secret: only what kind of secret
it looks like and a short redacted prefix.

What is detected:

- PEM private keys (``-----BEGIN ... PRIVATE KEY-----``, OpenSSH, PGP private key blocks);
- AWS access key ids, GitHub, GitLab and Slack tokens, Slack webhook URLs, Stripe live
  keys and Google API keys, by their documented prefixes;
- ``api_key=...``, ``token: ...``, ``password=...`` style assignments whose value looks
  random (letters and digits, at least 16 characters, high entropy);
- Ethereum private keys: 64 hex digits. Transaction and block hashes have the same shape,
  so 64 hex digits are accepted when the words just before them say it is a hash (``tx``,
  ``transaction``, ``hash``, ``block``, ``sha256``...) or they are part of a URL path (an
  explorer link), and refused when the words before them speak of a key, secret or seed.
  With no such words, ``0x`` and 64 hex digits are refused (write ``tx 0x...``), and 64
  bare hex digits (a file checksum) are accepted;
- wallet seed phrases: 12 or more consecutive words of the BIP-39 English wordlist
  (12/15/18/21/24 words make a seed; a longer run contains one). Words may be separated by
  spaces, line breaks, list markers, commas or numbers (not by code punctuation), or be the
  items of a list. The checksum is not required: a phrase with one wrong word is still a
  seed anyone can recover by trying 2,048 words in each place.

The wordlist ``handbook/data/bip39-english.txt`` is the BIP-39 English list as shipped by
the ``mnemonic`` package (Trezor's reference implementation, version 0.21), unchanged:
SHA-256 ``2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda``, the hash the
BIP-39 specification gives for it (checked by ``tests/test_secrets.py``).
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from handbook.diagnostics import Diagnostic, Level, line_column

RULE = "secret"
SEED_WORDS = 12
_SHOWN = 4  # characters of a secret shown in a message
# What may separate two words of a seed phrase: spaces, line breaks, numbers, list marks.
_SEED_GAP = re.compile(r"[\s\d.,()*•-]{1,8}")
_CONTEXT = 48  # characters before 64 hex digits that say what they are
_MIN_ENTROPY = 3.5  # bits per character of an assigned value that looks random


@dataclass(frozen=True)
class Finding:
    """One secret in a text: where it is, what it looks like, and a redacted prefix."""

    start: int
    end: int
    kind: str
    shown: str
    hint: str = "remove it, and rotate it if it was real: git history keeps it"

    @property
    def message(self) -> str:
        """What was found, never the secret itself."""
        return f"possible {self.kind} ({self.shown!r}); {self.hint}"


def _shown(secret: str) -> str:
    return secret[:_SHOWN] + "…"


# Tokens known by their prefix, one named group each: the whole match is the secret.
_TOKEN_KINDS = {
    "aws": "AWS access key id",
    "github": "GitHub token",
    "gitlab": "GitLab token",
    "slack": "Slack token",
    "slack_hook": "Slack webhook URL",
    "stripe": "Stripe live key",
    "google": "Google API key",
}
_TOKENS = re.compile(
    r"(?P<aws>(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9]))"
    r"|(?P<github>(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}))"
    r"|(?P<gitlab>(?<![A-Za-z0-9_])glpat-[A-Za-z0-9_-]{20,})"
    r"|(?P<slack>(?<![A-Za-z0-9])xox[abeoprs]-[A-Za-z0-9-]{10,})"
    r"|(?P<slack_hook>https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9/_-]{20,})"
    r"|(?P<stripe>(?<![A-Za-z0-9])[rs]k_live_[A-Za-z0-9]{16,})"
    r"|(?P<google>(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35})"
)
# No secret above is shorter (a Slack token: "xoxb-" and ten characters).
_SHORTEST = 15
_PEM = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_ASSIGNED = re.compile(
    r"(?i)(?<![a-z])(api[_-]?key|apikey|secret(?:[_-]?key)?|client[_-]?secret|"
    r"(?:access|auth|bearer|refresh)?[_-]?token|password|passwd|private[_-]?key)"
    r"[\"']?\s*(?:[:=]|=>)\s*[\"']?([A-Za-z0-9+/_.=-]{16,})"
)
_PEM_END = "-----END "
_HEX64 = re.compile(r"(?<![0-9A-Za-z])(0x)?[0-9a-fA-F]{64}(?![0-9A-Za-z])")
_KEY_WORDS = re.compile(
    r"(?i)priv|secret|seed|mnemonic|signing|keystore|wallet key|(?<![a-z])(?:pk|key)(?![a-z])"
)
# A hash says what it is in the word just before it ("tx 0x...", "block hash: 0x...") or
# sits in a URL path (".../tx/0x...").
_HASH_WORDS = re.compile(
    r"(?i)(?:(?<![a-z])(?:tx|txn|txid|txhash|transaction|hash|block|digest|sha-?256|checksum|"
    r"commit|event|topic|log|id)s?[\s:=#(]*|/)$"
)
_WORD = re.compile(r"[A-Za-z]+")


@cache
def bip39_words() -> frozenset[str]:
    """The 2,048 words of the BIP-39 English wordlist."""
    text = resources.files("handbook").joinpath("data/bip39-english.txt").read_text("utf-8")
    return frozenset(text.split())


@cache
def _shortest_phrase() -> int:
    """The fewest characters a seed phrase can take: its shortest words, one-character gaps."""
    return SEED_WORDS * min(map(len, bip39_words())) + SEED_WORDS - 1


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
    for match in _TOKENS.finditer(text):
        kind = _TOKEN_KINDS[match.lastgroup or ""]
        yield Finding(match.start(), match.end(), kind, _shown(match.group()))
    yield from _pem_keys(text)
    for match in _ASSIGNED.finditer(text):
        value = match.group(2)
        if _looks_random(value):
            kind = f"secret assigned to {match.group(1)}"
            yield Finding(match.start(2), match.end(2), kind, _shown(value))


def _pem_keys(text: str) -> Iterator[Finding]:
    """Each PEM private key, from its header to its END line (or the end of the text)."""
    covered = 0
    for match in _PEM.finditer(text):
        if match.start() < covered:
            continue
        end = text.find(_PEM_END, match.end())
        close = text.find("-----", end + len(_PEM_END)) if end >= 0 else -1
        covered = len(text) if close < 0 else close + len("-----")
        # The header says what it is and is not secret: it is what a message shows.
        yield Finding(match.start(), covered, "private key", match.group())


def _hex_keys(text: str) -> Iterator[Finding]:
    for match in _HEX64.finditer(text):
        before = text[max(0, match.start() - _CONTEXT) : match.start()]
        if _KEY_WORDS.search(before):
            hint = "remove it, and move the funds if it was real: git history keeps it"
        elif match.group(1) and not _HASH_WORDS.search(before):
            hint = (
                "if it is a transaction or block hash, say so just before it "
                "(tx 0x…, block hash 0x…) or link it on a block explorer"
            )
        else:
            continue
        kind = "Ethereum private key (64 hex digits)"
        yield Finding(match.start(), match.end(), kind, _shown(match.group()), hint)


def seed_phrases(text: str) -> Iterator[Finding]:
    """Every run of 12 or more BIP-39 words in ``text``."""
    words = bip39_words()
    if len(text) < _shortest_phrase():
        return  # most values: too short to hold 12 words and 11 gaps
    run: list[re.Match[str]] = []

    def flush() -> Iterator[Finding]:
        if len(run) >= SEED_WORDS:
            yield Finding(
                run[0].start(),
                run[-1].end(),
                f"wallet seed phrase ({len(run)} BIP-39 words in a row)",
                _shown(run[0].group()),
                "remove it, and move the funds if it was real: git history keeps it",
            )

    for match in _WORD.finditer(text):
        if match.group().lower() not in words:
            yield from flush()
            run = []
            continue
        if run and not _SEED_GAP.fullmatch(text, run[-1].end(), match.start()):
            yield from flush()
            run = []
        run.append(match)
    yield from flush()


def find_secrets(text: str) -> list[Finding]:
    """Every secret in ``text``, in order; overlapping findings are reported once."""
    if len(text) < _SHORTEST:
        return []
    found = sorted(
        [*_tokens(text), *_hex_keys(text), *seed_phrases(text)], key=lambda f: (f.start, -f.end)
    )
    kept: list[Finding] = []
    for finding in found:
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
    return kept


def redact(text: str) -> str:
    """``text`` with every secret in it replaced by its redacted prefix."""
    for finding in reversed(find_secrets(text)):
        text = text[: finding.start] + finding.shown + text[finding.end :]
    return text


def scan_file(path: Path, shown: str | None = None) -> list[Diagnostic]:
    """The secrets in one text file, located by line and column (binary files are skipped)."""
    raw = path.read_bytes()
    if b"\0" in raw[:8192]:
        return []
    text = raw.decode("utf-8", errors="replace")
    name = shown or path.as_posix()
    return [
        Diagnostic(name, *line_column(text, f.start), Level.ERROR, "$", f.message, RULE)
        for f in find_secrets(text)
    ]


def main(argv: list[str] | None = None) -> int:
    """``python -m handbook.secrets FILE...``: exit 1 when any file holds a secret."""
    from handbook.report import format_text

    paths = [Path(arg) for arg in (sys.argv[1:] if argv is None else argv)]
    diagnostics: list[Diagnostic] = []
    for path in paths:
        try:
            diagnostics += scan_file(path)
        except OSError as exc:
            sys.stderr.write(f"handbook.secrets: cannot read {path}: {exc.strerror}\n")
            return 2
    if diagnostics:
        sys.stdout.write(format_text(diagnostics, len(paths)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
