"""Secret detection: what is refused, what is not, and that no message repeats a secret."""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from handbook.cli import main as handbook
from handbook.diagnostics import Diagnostic, Level
from handbook.load import Record
from handbook.pipeline import Project, validate
from handbook.reader import Document, Mark, read_bytes
from handbook.report import FORMATS
from handbook.rules import check_text, placeholders, secrets
from handbook.secret_scan import (
    PUBLIC_HEX,
    bip39_words,
    find_secrets,
    main,
    normalise,
    redact,
    redact_diagnostics,
    scan_file,
    scan_tree,
    seed_phrases,
)
from tests.conftest import REPO, TODAY, make_project

# Fake secrets, assembled at run time so that no scanner mistakes this file for a leak.
AWS = "AKIA" + "IOSFODNN7EXAMPLE"
GITHUB = "ghp_" + "EXAMPLE0token0not0real0EXAMPLE0token0"
GITHUB_PAT = "github_pat_" + "11EXAMPLE0000000000000_notARealTokenNotARealTokenNotARealToken"
GITLAB = "glpat-" + "EXAMPLEnotArealTOKEN00"
SLACK = "xoxb-" + "EXAMPLE-not-a-real-token"
SLACK_HOOK = "https://hooks.slack.com/services/" + "T00000000/B00000000/EXAMPLEEXAMPLEEXAMPLE"
STRIPE = "sk_" + "live_" + "EXAMPLEnotAREALkey000000"
GOOGLE = "AIza" + "SyEXAMPLE-notARealKey-0000000000000"
ETH_KEY = "4c0883a69102937d6231471b5dbb6204" + "fe5129617082792ae468d01a3f362318"
PEM = "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEowIBAAKCAQEAexample\n-----END RSA PRIVATE KEY-----"
SEED_12 = " ".join(["abandon"] * 11 + ["about"])
SEED_24 = " ".join(["zoo"] * 23 + ["wrong"])
ASSIGNED = "api_key=" + "Zk3j9XqL0pW2rT8vB5nM"
AWS_SECRET = "wJalrXUtnFEMI" + "/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
JWT = "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiJkZXBsb3kifQ.dGhpcy1pcy1ub3QtYS1yZWFsLXNpZ25hdHVyZQ"
OPENAI_PROJECT = "sk-" + "proj-EXAMPLE0not0a0real0key0EXAMPLE0not0a0real0key0"
OPENAI = "sk-" + "EXAMPLE0not0a0real0key0EXAMPLE0not0a0real"
ANTHROPIC = "sk-" + "ant-api03-EXAMPLE0not0a0real0key0EXAMPLE"
ZWSP, SOFT_HYPHEN, WORD_JOINER = "\u200b", "\u00ad", "\u2060"
WORDS = ["legal", "winner", "thank", "year", "wave", "sausage"] * 2
TX = "9b8f3a2c1d4e5f60718293a4b5c6d7e8" + "f90a1b2c3d4e5f60718293a4b5c6d7e8"
TX2 = "7e3a9b1c2d4f5e6a7b8c9d0e1f2a3b4c" + "5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a"
PEM_SPACED = (
    "- - - - - BEGIN RSA " + "PRIVATE KEY - - - - -\nMIIEowIBAAKCAQEAexample\n"
    "- - - - - END RSA PRIVATE KEY - - - - -"
)
SSH2 = (
    "---- BEGIN SSH2 ENCRYPTED " + 'PRIVATE KEY ----\nComment: "rsa-key"\nP2/56wAAAi4AAAA3\n'
    "---- END SSH2 ENCRYPTED PRIVATE KEY ----"
)
PUTTY = (
    "PuTTY-User-Key-File-" + "3: ssh-ed25519\nEncryption: none\nComment: ed25519-key\n"
    "Public-Lines: 2\nAAAAC3NzaC1lZDI1NTE5\nAAAAIExampleExample\n"
    "Private-Lines: 1\nAAAAIExampleExampleExample\nPrivate-MAC: " + "0f1e2d3c" * 8
)
URL_PASSWORD = "https://admin:" + "Zx9qW3rT7yU1" + "@db.internal.example/"

SECRETS = {
    "AWS access key id": AWS,
    "GitHub token": GITHUB,
    "GitHub fine-grained token": GITHUB_PAT,
    "GitLab token": GITLAB,
    "Slack token": SLACK,
    "Slack webhook URL": SLACK_HOOK,
    "Stripe live key": STRIPE,
    "Google API key": GOOGLE,
    "Ethereum key with 0x": "0x" + ETH_KEY,
    "Ethereum key named": "the signer's private key: " + ETH_KEY,
    "PEM private key": PEM,
    "seed phrase, 12 words": SEED_12,
    "seed phrase, 24 words": SEED_24,
    "seed phrase, numbered": " ".join(f"{n}. {w}" for n, w in enumerate(SEED_12.split(), 1)),
    "seed phrase, capitalised, commas": ", ".join(w.capitalize() for w in SEED_12.split()),
    "assignment": ASSIGNED,
    "assignment, quoted": 'client_secret: "' + "q8Vn2LxT5wR9mK3pZ7aB" + '"',
    # Secrets that passed before "Trust under a hostile pull request".
    "AWS secret access key, spaced": "aws_secret_access_key = " + AWS_SECRET,
    "AWS secret access key, env": "AWS_SECRET_ACCESS_KEY=" + AWS_SECRET,
    "assignment, JSON": '"x-api-key": "' + "Zk3j9XqL0pW2rT8vB5nM" + '"',
    "assignment, arrow": "'db_password' => '" + "Zk3j9XqL0pW2rT8vB5nM" + "'",
    "seed phrase, numbered lines": "\n".join(f"{n}. {w}" for n, w in enumerate(WORDS, 1)),
    "seed phrase, numbered with )": "\n".join(f"{n}) {w}" for n, w in enumerate(WORDS, 1)),
    "seed phrase, ;": ";".join(WORDS),
    "seed phrase, |": "|".join(WORDS),
    "seed phrase, /": "/".join(WORDS),
    "seed phrase, _": "_".join(WORDS),
    "seed phrase, ; and spaces": " ; ".join(WORDS),
    "AWS key, zero-width space": "AKIA" + ZWSP + "IOSFODNN7EXAMPLE",
    "AWS key, soft hyphen": "AKIAIOSF" + SOFT_HYPHEN + "ODNN7EXAMPLE",
    "AWS key, full width": "\uff21\uff2b\uff29\uff21" + "IOSFODNN7EXAMPLE",
    "GitHub token, word joiner": GITHUB[:10] + WORD_JOINER + GITHUB[10:],
    "GitHub token, zero-width spaces everywhere": ZWSP.join(GITHUB),
    "seed phrase, zero-width joiners": " ".join(w[:2] + "\u200d" + w[2:] for w in WORDS),
    "PEM, header broken before KEY": PEM.replace("RSA PRIVATE KEY", "PRIVATE\nKEY", 1),
    "PEM, header broken and indented": PEM.replace(" PRIVATE KEY", " PRIVATE\n    KEY", 1),
    "PEM, extra spaces": PEM.replace("BEGIN RSA", "BEGIN  RSA  ", 1),
    "PEM, lower case": PEM.lower(),
    "JSON Web Token": JWT,
    "OpenAI project key": OPENAI_PROJECT,
    "OpenAI key": OPENAI,
    "Anthropic key": ANTHROPIC,
    "Ethereum key, signer keys": "signer keys: " + ETH_KEY,
    "Ethereum key, YAML key name": "signer_key: " + ETH_KEY,
    "Ethereum key, on the line after its name": "The deployer's private key is\n" + ETH_KEY,
    # Keys among Web3 hashes are still keys.
    "Ethereum key, signer key with 0x": "signer key: 0x" + ETH_KEY,
    "Ethereum key, private key 0x": "private key 0x" + ETH_KEY,
    "Ethereum key, camelCase name": "deployerKey: " + ETH_KEY,
    "Ethereum key, named in brackets after it": "`0x" + ETH_KEY + "` (signer key)",
    "Ethereum key, a hash word but no label": "Multisig transaction signed with 0x" + ETH_KEY,
    # Seed phrases written as lists, in code or in HTML.
    "seed phrase, quoted list": ", ".join(f'"{w}"' for w in WORDS),
    "seed phrase, JSON list": "[" + ", ".join(f"'{w}'" for w in WORDS) + "]",
    "seed phrase, backticked words": " ".join(f"`{w}`" for w in WORDS),
    "seed phrase, <br>": "<br>".join(WORDS),
    "seed phrase, <br />": "<br />\n".join(WORDS),
    "seed phrase, numbered with :": " ".join(f"{n}:{w}" for n, w in enumerate(WORDS, 1)),
    # Private keys in other armours.
    "PEM, spaced out dashes": PEM_SPACED,
    "SSH2 private key, four dashes": SSH2,
    "PuTTY private key, version 3": PUTTY,
    "PuTTY private key, version 2": PUTTY.replace("File-3: ssh-ed25519", "File-2: ssh-rsa"),
    # HTML entities hide a token as well as the characters they stand for.
    "AWS key, zero-width space entity": "AKIA&#8203;" + "IOSFODNN7EXAMPLE",
    "AWS key, hex entity": "AKIA&#x200B;" + "IOSFODNN7EXAMPLE",
    "AWS key, named entity": "AKIA&shy;" + "IOSFODNN7EXAMPLE",
    "AWS key, letter as an entity": "AK&#73;A" + "IOSFODNN7EXAMPLE",
    "password in a URL": URL_PASSWORD,
    "password in a URL, other scheme": "postgres://app:" + "q8Vn2LxT5wR9" + "@10.0.0.5:5432/db",
}

LOOK_ALIKES = [
    "The exploit tx 0x" + "9b" * 32 + " was replayed.",
    "Block hash: 0x" + "00" * 8 + "3a" * 24,
    "https://etherscan.io/tx/0x" + "7e" * 32,
    "Release checksum e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.",
    "The deployer address is 0x52908400098527886E0F7030069857D2E4169EE7.",
    "A signature 0x" + "ab" * 65,
    "Rotate the API key and the access token in the vault.",
    "password: ask the decision maker",
    "token: see-the-vault-entry-for-it",
    "AKIA is the prefix of AWS access key ids.",
    "Abandon the deploy, call the bridge team and keep the public updated about the issue.",
    # Eleven BIP-39 words in a row are not a seed phrase yet.
    " ".join(["abandon"] * 11),
    # Code punctuation breaks a run: minified JavaScript is full of BIP-39 words.
    "case 1:return 8;case 2:return 9;case 3:break;case 4:return this.begin(a),15;case 5:",
    "a=b;c=d;e=f;g=h;i=j;k=l;m=n;o=p;q=r;s=t;u=v;w=x;y=z;a=b;c=d",
    # Real Web3 text: SEAL's war-room format, hashes named or linked, public constants.
    "Attack Tx(s): 0x" + TX,
    "Attack Tx(s): 0x" + TX + ", 0x" + TX2,
    "Attack Tx(s):\n- 0x" + TX + "\n- 0x" + TX2,
    "**Attack Tx(s):** `0x" + TX + "`",
    "tx hash 0x" + TX,
    "Tx 0x" + TX + " drained the pool.",
    "txs: 0x" + TX,
    "Transaction hashes: 0x" + TX,
    "The attacker used the compromised deployer key to send tx 0x" + TX,
    "https://etherscan.io/tx/0x" + TX,
    "[the attack](https://basescan.org/tx/0x" + TX + ")",
    "https://app.example.org/receipt?txhash=0x" + TX,
    "Storage slot 0x" + TX,
    "Merkle root: 0x" + TX,
    *(f"0x{value}" for value in PUBLIC_HEX),
    *(f"cast storage $PROXY 0x{value}" for value in PUBLIC_HEX),
    "bytes32(0): 0x" + "0" * 64,
    # An id is kebab-case: sk- followed by words is not a key.
    "sk-hynix-memory-supplier-outage-runbook-and-more-words",
    "author: 2026-10-01T12:00:00Z and more text after it",
    "A 65-digit run is no key: 0x" + TX + "f",
    # Web3 hashes named in camelCase, by a label earlier in their clause, by words in
    # brackets after them, or linked on an explorer.
    "safeTxHash: 0x" + TX,
    "blockHash: 0x" + TX,
    "userOpHash: 0x" + TX,
    "proposalId: 0x" + TX,
    "safe_tx_hash: 0x" + TX,
    "- Exploit: [0x" + TX + "](https://etherscan.io/tx/0x" + TX + ")",
    "Exploit: [`0x" + TX + "`](https://etherscan.io/tx/0x" + TX + ")",
    "Attacker tx on Etherscan: 0x" + TX,
    "Exploit transaction (block 19000000): 0x" + TX,
    "`0x" + TX + "` (exploit tx)",
    "0x" + TX + " [block hash]",
    "The attacker stole the private key; then the exploit tx on mainnet: 0x" + TX,
    # URLs with a user and no password, or an example's placeholder for one.
    "https://deploy@git.example.org/repo.git",
    "ssh://git@github.com:22/org/repo.git",
    "postgres://user:password@localhost:5432/db",
    "https://user:${DB_PASSWORD}@db.example/",
    "https://user:<password>@db.example/",
    "https://user:****@db.example/",
    "https://example.org:8443/path?q=a:b@c",
    # Public keys and key headers with no key.
    "---- BEGIN SSH2 PUBLIC KEY ----",
    "A PuTTY key file starts with PuTTY-User-Key-File-3: and its algorithm.",
    "Tom &amp; Jerry &lt;3 &#8203;&nbsp;&unknown; & more",
]


def test_the_wordlist_is_bip39_english_unchanged() -> None:
    raw = (REPO / "handbook" / "data" / "bip39-english.txt").read_bytes()
    expected = "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"
    assert hashlib.sha256(raw).hexdigest() == expected
    assert len(bip39_words()) == 2048


@pytest.mark.parametrize("text", SECRETS.values(), ids=SECRETS.keys())
def test_secrets_are_found_and_never_repeated(text: str) -> None:
    sentence = f"Before it. {text} After it."
    found = find_secrets(sentence)
    assert len(found) == 1, found
    finding = found[0]
    assert sentence[finding.start : finding.end] in text
    assert len(finding.shown) <= len("-----BEGIN SSH2 ENCRYPTED " + "PRIVATE KEY-----")
    secret_part = sentence[finding.start : finding.end]
    assert secret_part not in finding.message
    assert secret_part not in redact(sentence)
    assert redact(sentence).startswith("Before it.") and redact(sentence).endswith("After it.")


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_are_not_secrets(text: str) -> None:
    assert find_secrets(text) == []


def test_a_key_word_after_a_hash_label_in_its_clause_makes_it_a_key() -> None:
    # A hash word earlier in the clause counts only with no key word between it and the
    # value: the attacker's tx is not a label for the key written after it.
    (finding,) = find_secrets("Exploit tx, signed with the deployer key: 0x" + ETH_KEY)
    assert "move the funds" in finding.message
    (finding,) = find_secrets("Exploit transaction (block 1), signer key: 0x" + ETH_KEY)
    assert "move the funds" in finding.message


def test_an_unprefixed_hash_with_no_words_is_accepted_but_a_bare_0x_key_is_not() -> None:
    assert find_secrets(ETH_KEY) == []
    (finding,) = find_secrets("0x" + ETH_KEY)
    assert "tx 0x…" in finding.message  # says how to write a hash so it is accepted


def test_a_pem_key_is_redacted_to_its_end_line() -> None:
    header = "-----BEGIN RSA " + "PRIVATE KEY-----"
    assert redact(f"a\n{PEM}\nb") == f"a\n{header}\nb"
    assert redact(f"{header}\nMIIE and no end") == header


def test_the_hook_scans_any_text_file_comments_included(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = tmp_path / "clean.md"
    clean.write_text("Nothing to see.\n", encoding="utf-8")
    leaky = tmp_path / "leaky.yml"
    leaky.write_text(f"id: x\n# old key: {AWS}\nseed:\n  - " + "\n  - ".join(SEED_12.split()))
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\0" + AWS.encode())
    assert main([str(clean), str(binary)]) == 0
    assert main([str(clean), str(leaky)]) == 1
    out = capsys.readouterr().out
    assert f"{leaky.as_posix()}:2:12: error: $: possible AWS access key id ('AKIA…')" in out
    assert f"{leaky.as_posix()}:4:5: error: $: possible wallet seed phrase" in out
    assert out.splitlines()[-1] == "invalid: 2 errors, 0 warnings in 2 files"
    assert AWS not in out
    assert main([str(tmp_path / "missing.txt")]) == 2


def _hook() -> dict:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    return hooks["handbook-secrets"]


# Folders that are not the project's own files (tools, caches, build output).
NOT_OURS = {"build", "dist", "node_modules", "site", "__pycache__"}
OURS_HIDDEN = {".ci", ".github", ".vscode"}


def _project_files() -> list[Path]:
    """Every file of the project itself, as ``pre-commit run --all-files`` would see it."""
    found = []
    for folder, dirs, names in os.walk(REPO):
        dirs[:] = [
            d
            for d in dirs
            if d not in NOT_OURS
            and not d.endswith(".egg-info")
            and (not d.startswith(".") or d in OURS_HIDDEN)
        ]
        found += [Path(folder) / name for name in names]
    return found


def test_the_hook_passes_on_every_file_of_the_project() -> None:
    excluded = re.compile(_hook()["exclude"])
    files = [
        path for path in _project_files() if not excluded.search(path.relative_to(REPO).as_posix())
    ]
    assert len(files) > 100
    assert [d for path in files for d in scan_file(path)] == []


def test_pre_commit_runs_the_secret_hook_on_every_text_file() -> None:
    hook = _hook()
    assert hook["entry"] == "python -m handbook.secret_scan"
    assert hook["types"] == ["text"]
    assert "files" not in hook


# --- Normalisation: found where it was written ----------------------------------------


def test_positions_point_into_the_text_as_written() -> None:
    text = "café — " + "AK" + ZWSP + "IA" + SOFT_HYPHEN + "IOSFODNN7EXAMPLE — ﬁn"
    (finding,) = find_secrets(text)
    assert (
        text[finding.start : finding.end] == "AK" + ZWSP + "IA" + SOFT_HYPHEN + "IOSFODNN7EXAMPLE"
    )
    assert redact(text) == "café — AKIA… — ﬁn"
    # An expansion (ﬁ is two letters once normalised) before the secret shifts nothing.
    text = "ﬁ ﬁ ﬃ " + "\uff21\uff2b\uff29\uff21IOSFODNN7EXAMPLE"
    (finding,) = find_secrets(text)
    assert (finding.start, finding.end) == (6, len(text))
    assert normalise(text).text == "fi fi ffi " + AWS


def test_seed_phrases_in_a_list_of_numbered_items_are_found(tmp_path: Path) -> None:
    items = "".join(f"  - {n}. {w}\n" for n, w in enumerate(WORDS, 1))
    document, problems = read_bytes(f"steps:\n{items}".encode(), "data/x.yml")
    assert document is not None and not problems
    (diagnostic,) = check_text(document)
    assert (diagnostic.line, diagnostic.column, diagnostic.path) == (2, 3, "$.steps")
    assert "12 BIP-39 words" in diagnostic.message
    assert seed_phrases(" ".join(WORDS))  # the public detector agrees


# --- Web3 text: which 64-hex-digit values are public ------------------------------------


def _keccak256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum uses it (original padding): to derive the public constants."""
    mask = (1 << 64) - 1

    def rol(lane: int, n: int) -> int:
        return ((lane << n) | (lane >> (64 - n))) & mask if n else lane

    def rc_bit(t: int) -> int:
        r = 1
        for _ in range(t % 255):
            r <<= 1
            if r & 0x100:
                r ^= 0x171
        return r & 1

    constants = [sum(rc_bit(j + 7 * i) << (2**j - 1) for j in range(7)) for i in range(24)]
    offsets = [[0] * 5 for _ in range(5)]
    x, y = 1, 0
    for t in range(24):
        offsets[x][y] = (t + 1) * (t + 2) // 2 % 64
        x, y = y, (2 * x + 3 * y) % 5
    rate = 136
    padded = bytearray(data) + b"\x01" + bytes(-(len(data) + 1) % rate)
    padded[-1] |= 0x80
    state = [[0] * 5 for _ in range(5)]
    for block in range(0, len(padded), rate):
        for i in range(rate // 8):
            chunk = padded[block + 8 * i : block + 8 * i + 8]
            state[i % 5][i // 5] ^= int.from_bytes(chunk, "little")
        for constant in constants:
            c = [
                state[x][0] ^ state[x][1] ^ state[x][2] ^ state[x][3] ^ state[x][4]
                for x in range(5)
            ]
            d = [c[(x - 1) % 5] ^ rol(c[(x + 1) % 5], 1) for x in range(5)]
            state = [[state[x][y] ^ d[x] for y in range(5)] for x in range(5)]
            b = [[0] * 5 for _ in range(5)]
            for x in range(5):
                for y in range(5):
                    b[y][(2 * x + 3 * y) % 5] = rol(state[x][y], offsets[x][y])
            state = [
                [b[x][y] ^ (~b[(x + 1) % 5][y] & b[(x + 2) % 5][y]) for y in range(5)]
                for x in range(5)
            ]
            state[0][0] ^= constant
    return b"".join(state[i % 5][i // 5].to_bytes(8, "little") for i in range(4))


def test_the_public_constants_are_what_their_standards_derive() -> None:
    def minus_one(label: str) -> str:
        return f"{int.from_bytes(_keccak256(label.encode())) - 1:064x}"

    assert _keccak256(b"abc").hex() == (  # the published Keccak-256 test vector
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    )
    assert set(PUBLIC_HEX) == {
        minus_one("eip1967.proxy.implementation"),
        minus_one("eip1967.proxy.admin"),
        minus_one("eip1967.proxy.beacon"),
        minus_one("eip1967.proxy.rollback"),
        _keccak256(b"PROXIABLE").hex(),  # EIP-1822
        _keccak256(b"").hex(),  # the code hash of an account without code
        _keccak256(b"\x80").hex(),  # the root of an empty trie (RLP of nothing)
    }


def test_a_key_word_before_a_hash_word_does_not_make_a_hash_a_key() -> None:
    # The word just before decides: "tx" here, "key" there.
    assert find_secrets("Rotate the signer key; the attack was tx 0x" + TX) == []
    (finding,) = find_secrets("Attack tx 0x" + TX + " and the signer key 0x" + TX2)
    assert finding.shown == "0x7e…" and "move the funds" in finding.message
    # Only other hashes of the same list follow a label: a key after words does not.
    (finding,) = find_secrets("Tx(s): 0x" + TX + " then the deployer key " + ETH_KEY)
    assert finding.shown == "4c08…"


# --- Placeholders: code is not a template field -----------------------------------------


def _nodes(text: str) -> list:
    document = Document("data/x.yml", text, {(): Mark(1, 1)}, text=text)
    return [(Record("", text, document, ()), (), text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Ask [Name] to sign.", "'[Name]'"),
        ("[Protocol Name] paused its pools.", "'[Protocol Name]'"),
        ("([Name]) signs.", "'[Name]'"),
        ("It drained balances[user] and mapping[address].", None),
        ("Check `balances[user]` and `allowance[owner][spender]`.", None),
        ("Compare `sum(balances[holder])` with [Name]'s total.", "'[Name]'"),
        ("```\nreserves[token]\n```", None),
        ("{{ " + "x" * 60 + " }}", "'{{ " + "x" * 36 + "…'"),
    ],
)
def test_placeholders_in_code_and_standing_alone(text: str, found: str | None) -> None:
    messages = [d.message for d in placeholders(_nodes(text))]
    if found is None:
        assert messages == []
    else:
        (message,) = messages
        assert message.startswith(f"placeholder {found} left in the data")


# --- Linear time -------------------------------------------------------------------------

KIB = 1024
# Inputs that make a backtracking regex slow, each repeated to the size measured.
ADVERSARIAL = {
    "open braces": "{",
    "double braces never closed": "{{ a",
    "open brackets": "[",
    "brackets never closed": "[ab cd ",
    "spaces": " ",
    "dashes": "-",
    "hex digits": "a",
    "63 hex digits then a letter": "a" * 63 + "g",
    "0x": "0x",
    "BIP-39 words and long gaps": "abandon          ",
    "BIP-39 words": "abandon ",
    "11 BIP-39 words then another word": "abandon " * 11 + "zebra ",
    "AKIA": "AKIA",
    "PEM headers": "-----BEGIN ",
    "PEM header words": "-----BEGIN A B C D E ",
    "PEM headers without END": "-----BEGIN PRIVATE " + "KEY-----\n",
    "eyJ": "eyJ",
    "JWT parts": "eyJabcdefgh.",
    "equals signs": "=",
    "assignments": "token=",
    "names": "a_",
    "sk-": "sk-",
    "ghp_": "ghp_",
    "backticks": "`",
    "zero-width spaces": "A" + ZWSP,
    "ellipses": "…",
    "AWS keys": AWS + " ",
    "spaced dashes": "- ",
    "dashes and tabs": "-\t\t",
    "four dashes and BEGIN": "---- BEGIN ",
    "spaced PEM headers without END": "- - - - - BEGIN RSA PRIVATE " + "KEY - - - - -\n",
    "PEM headers and END words": "-----BEGIN PRIVATE " + "KEY-----\n-----END",
    "PuTTY headers": "PuTTY-User-Key-File-" + "2: ssh-rsa\n",
    "PuTTY private lines": "Private-Lines: 1\nAAAA\n",
    "PuTTY header then private lines": "PuTTY-User-Key-File-3:\nPrivate-Lines: 9\n" + "A\n" * 8,
    "URL userinfo without @": "https://user:pass",
    "URL userinfo colons": "://a:b:c",
    "scheme separators": "://",
    "ampersands": "&",
    "entities": "&#8203;",
    "named entities": "&amp;",
    "entities never closed": "&#12345",
    "quoted BIP-39 words": '"abandon", ',
    "bracketed BIP-39 words": "['abandon'] ",
    "BIP-39 words and <br>": "abandon<br>",
    "BIP-39 words and <br> never closed": "abandon<br ",
    "numbered BIP-39 words": "1:abandon ",
    "colons": ":",
    "camelCase hash labels": "safeTxHash: 0x" + TX + "\n",
    "hashes linked": "[0x" + TX + "](https://etherscan.io/tx/0x" + TX + ") ",
    "hashes in brackets never closed": "`0x" + TX + "` (exploit ",
    "labels in a long clause": "Attacker tx on Etherscan and ",
}


TEXT_RULES: dict[str, Callable[[str], object]] = {
    "placeholder": lambda text: list(placeholders(_nodes(text))),
    # A string value whose document's own text is the same string: both scans run.
    "secret": lambda text: list(secrets(_nodes(text))),
}


def _seconds(run: Callable[[str], object], text: str, tries: int) -> float:
    """The best time of ``run(text)`` in ``tries``, each repeated for at least 20 ms."""
    best = float("inf")
    for _ in range(tries):
        count, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < 0.02 or count == 0:
            run(text)
            count += 1
        best = min(best, elapsed / count)
    return best


@pytest.mark.parametrize("rule", TEXT_RULES)
@pytest.mark.parametrize("piece", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_every_text_rule_runs_in_linear_time(rule: str, piece: str) -> None:
    """4 times the input costs about 4 times the time (a quadratic pattern: 16 times).

    Measured against the same input 4 times smaller, in the same run: no wall-clock limit.
    Small sizes first, so that a quadratic pattern fails before the 1 MiB run that would
    take it many minutes. A ratio of 8 or more is measured again, as the best of 3,
    twice, before it fails: a noisy machine slows one run, not the best of three.
    """
    run = TEXT_RULES[rule]
    times: dict[int, float] = {}

    def seconds(size: int, tries: int = 1) -> float:
        if size not in times or tries > 1:
            times[size] = _seconds(run, (piece * (size // len(piece) + 1))[:size], tries)
        return times[size]

    for small, large in ((16 * KIB, 64 * KIB), (64 * KIB, 256 * KIB), (256 * KIB, 1024 * KIB)):
        ratios = [seconds(large) / seconds(small)]
        while ratios[-1] >= 8 and len(ratios) < 3:
            ratios.append(seconds(large, 3) / seconds(small, 3))
        assert min(ratios) < 8, (small, large, ratios)


# --- Where validation looks: keys, comments, file names, docs/ --------------------------


def test_a_secret_in_a_value_is_reported_once_at_the_value() -> None:
    raw = f"steps:\n  - 'Use {AWS} and {GITHUB}'\n  - other  # {GITHUB}\n".encode()
    document, _ = read_bytes(raw, "data/x.yml")
    assert document is not None
    found = [(d.line, d.column, d.path, d.message.split(" (")[0]) for d in check_text(document)]
    assert sorted(found) == [
        (2, 5, "$.steps[0]", "possible AWS access key id"),
        (2, 5, "$.steps[0]", "possible GitHub token"),
        (3, 14, "$", "possible GitHub token"),  # the comment's own
    ]


def test_a_key_names_its_value() -> None:
    raw = (
        f"x-evidence:\n  signer_key: {ETH_KEY}\n  attack_tx: 0x{TX}\n"
        f"  attack_txs:\n    - 0x{TX}\n    - 0x{TX2}\n  note: 0x{TX2}\n"
    )
    document, _ = read_bytes(raw.encode(), "data/x.yml")
    assert document is not None
    found = [(d.line, d.column, d.path, d.message[:50]) for d in check_text(document)]
    assert found == [
        (2, 15, "$.x-evidence.signer_key", "possible Ethereum private key (64 hex digits) ('4c"),
        (7, 9, "$.x-evidence.note", "possible Ethereum private key (64 hex digits) ('0x"),
    ]


def _leaky_project(tmp_path: Path) -> Path:
    """A project where secrets show up as keys, file names, values, ids and in comments."""
    project = make_project(tmp_path)
    runbook = project / "data" / "runbooks" / "api-outage.yml"
    text = runbook.read_text(encoding="utf-8")
    seed_id = "-".join(WORDS)  # a valid id, and a seed phrase
    owner = f"owner: {seed_id}\n{GITHUB}: x\n# {GITHUB}\nsummary: {GITHUB}\n"
    text = text.replace("owner: devops\n", owner).replace("summary:", "title_:", 1)
    runbook.write_text(text, encoding="utf-8")
    (project / "data" / f"{GITHUB}.yml").write_text(f"{GITHUB}: 1\n", encoding="utf-8")
    (project / "data" / "runbooks" / f"{AWS}.yml").write_text("id: [Name\n", encoding="utf-8")
    return project


def test_no_diagnostic_shows_a_secret_whichever_step_made_it(tmp_path: Path) -> None:
    result = validate(Project.at(_leaky_project(tmp_path)), today=TODAY)
    rules = {d.rule for d in result.diagnostics}
    assert {"secret", "schema", "runbook-owner", "unknown-file", "yaml"} <= rules
    for format_ in FORMATS.values():
        out = format_(result.diagnostics, result.file_count)
        assert GITHUB[:10] not in out and AWS[:10] not in out and "winner" not in out
        assert "ghp_…" in out and "AKIA…" in out and "'lega…'" in out
    assert any(d.path == "$.ghp_…" for d in result.diagnostics)
    assert any(d.file == "data/ghp_….yml" for d in result.diagnostics)


def test_redacting_diagnostics_is_cheap_and_changes_only_secrets() -> None:
    clean = [
        Diagnostic(f"data/runbooks/r{n}.yml", n, 1, Level.ERROR, f"$.steps[{n}]", "m " * n, "x")
        for n in range(2_000)
    ]
    assert redact_diagnostics(clean) == clean
    leaky = Diagnostic(f"data/{AWS}.yml", 1, 1, Level.ERROR, f"$.{AWS}", f"'{AWS}' bad", "x")
    (redacted,) = redact_diagnostics([leaky])
    assert (redacted.file, redacted.path, redacted.message) == (
        "data/AKIA….yml",
        "$.AKIA…",
        "'AKIA…' bad",
    )


def test_docs_are_scanned_so_a_leak_in_a_page_fails_validate_and_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path)
    docs = project / "docs"
    (docs / "assets").mkdir(parents=True)
    (docs / "policy.md").write_text(f"# Policy\n\nThe key is {AWS}.\n", encoding="utf-8")
    (docs / "assets" / "x.js").write_text(f"const t = '{GITHUB[:4]}' + 1;\n", encoding="utf-8")
    (docs / "assets" / "logo.png").write_bytes(b"\x89PNG\0" + AWS.encode())  # binary: skipped
    (docs / f"{GITHUB}.md").write_text("fine\n", encoding="utf-8")
    assert handbook(["-C", str(project), "validate", "--today", TODAY.isoformat()]) == 1
    out = capsys.readouterr().out
    assert "docs/policy.md:3:12: error: $: possible AWS access key id ('AKIA…')" in out
    assert "docs/ghp_….md:1:1: error: $: in the file name: possible GitHub token" in out
    assert out.count("[secret]") == 2 and AWS not in out and GITHUB not in out
    assert handbook(["-C", str(project), "build", "--site-dir", str(tmp_path / "site")]) == 1
    assert "docs/policy.md:3:12" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_the_shipped_docs_vendored_code_included_hold_no_secret() -> None:
    assert (REPO / "docs" / "assets" / "vendor").is_dir()
    assert scan_tree(REPO / "docs", REPO) == []


def test_the_hook_normalises_text_and_scans_file_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hidden = tmp_path / "notes.md"
    hidden.write_text(f"é {AWS[:6]}{ZWSP}{AWS[6:]}\n", encoding="utf-8")
    named = tmp_path / f"{GITHUB}.txt"
    named.write_text("fine\n", encoding="utf-8")
    assert main([str(hidden), str(named)]) == 1
    out = capsys.readouterr().out
    assert f"{hidden.as_posix()}:1:3: error: $: possible AWS access key id ('AKIA…')" in out
    assert "in the file name: possible GitHub token ('ghp_…')" in out


@pytest.mark.parametrize("version", ["2", "3"])
def test_a_putty_key_is_found_from_its_header_to_its_mac(version: str) -> None:
    key = PUTTY.replace("File-3", f"File-{version}")
    assert [f.kind for f in find_secrets(f"a\n{key}\nb")] == ["PuTTY private key"]
    assert redact(f"a\n{key}\nb") == f"a\nPuTTY-User-Key-File-{version}\nb"
    # Indented in a YAML block scalar, as a data file's own text holds it.
    indented = "x: |\n" + "".join(f"  {line}\n" for line in key.splitlines())
    assert [f.kind for f in find_secrets(indented)] == ["PuTTY private key"]


def test_the_hook_never_prints_a_secret_of_a_file_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    named = tmp_path / f"notes-{GITHUB}.txt"
    named.write_text(f"key {AWS}\n", encoding="utf-8")
    assert main([str(named)]) == 1
    out = capsys.readouterr().out
    assert GITHUB not in out and GITHUB[4:] not in out and AWS not in out
    assert f"{tmp_path.as_posix()}/notes-ghp_….txt:1:1: error: $: in the file name" in out
    assert f"{tmp_path.as_posix()}/notes-ghp_….txt:1:5: error: $: possible AWS" in out
    assert main([str(tmp_path / f"gone-{GITHUB}.txt")]) == 2
    assert GITHUB not in capsys.readouterr().err


def test_html_entities_are_decoded_and_findings_placed_where_written(tmp_path: Path) -> None:
    hidden = "AKIA&#8203;" + "IOSF&#x4F;DNN7EXAMPLE"
    text = f"&amp; &lt;b&gt; ﬁ {hidden} &eacute; {GITHUB}"
    found = find_secrets(text)
    assert [text[f.start : f.end] for f in found] == [hidden, GITHUB]
    assert redact(text) == "&amp; &lt;b&gt; ﬁ AKIA… &eacute; ghp_…"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "page.html").write_text(f"<p>&nbsp;Key:\n&lt;{text}</p>\n", encoding="utf-8")
    found_in_docs = [(d.line, d.column, d.message[:30]) for d in scan_tree(docs, tmp_path)]
    assert found_in_docs == [
        (2, 23, "possible AWS access key id ('A"),
        (2, 65, "possible GitHub token ('ghp_…'"),
    ]


def test_a_schema_message_cuts_long_hex_runs() -> None:
    from handbook.schemas import _short

    assert _short(ETH_KEY) == "'4c08…'"
    assert _short({"a": "tx 0x" + TX, "b": "ok"}) == '{"a": "tx 0x9b8f…", "b": "ok"}'
    assert _short("deadbeef" * 3) == repr("deadbeef" * 3)  # 24 digits: a short value


@pytest.mark.parametrize("padding", [0, 100_000], ids=["dense", "sparse"])
def test_many_kinds_of_characters_to_normalise_keep_positions(padding: int) -> None:
    # More than a few distinct characters change (full-width digits, ligatures, a zero-width
    # space): the text is rewritten in one pass, in a long text or a dense one.
    odd = "".join(chr(0xFF10 + n) for n in range(10)) + "ﬁﬂﬃ" + ZWSP
    text = " " * padding + odd + " " + AWS[:4] + ZWSP + AWS[4:] + " " + odd
    (finding,) = find_secrets(text)
    assert text[finding.start : finding.end] == AWS[:4] + ZWSP + AWS[4:]
    assert normalise(text).text == " " * padding + f"0123456789fiflffi {AWS} 0123456789fiflffi"
