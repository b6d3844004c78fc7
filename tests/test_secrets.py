"""Secret detection: what is refused, what is not, and that no message repeats a secret."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
import yaml

from handbook.secrets import bip39_words, find_secrets, main, redact, scan_file
from tests.conftest import REPO

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
    assert len(finding.shown) <= len("-----BEGIN ENCRYPTED " + "PRIVATE KEY-----")
    secret_part = sentence[finding.start : finding.end]
    assert secret_part not in finding.message
    assert secret_part not in redact(sentence)
    assert redact(sentence).startswith("Before it.") and redact(sentence).endswith("After it.")


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_are_not_secrets(text: str) -> None:
    assert find_secrets(text) == []


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
    assert hook["entry"] == "python -m handbook.secrets"
    assert hook["types"] == ["text"]
    assert "files" not in hook
