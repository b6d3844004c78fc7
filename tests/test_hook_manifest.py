"""``.pre-commit-hooks.yaml``: the hooks other repositories can take from this one.

Each hook must be one pre-commit accepts, and its entry must be a command that exists and
behaves as a hook should: exit 0 when all is well, non-zero when it is not.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import ENV, REPO

MANIFEST = REPO / ".pre-commit-hooks.yaml"
REQUIRED = {"id", "name", "entry", "language"}
# Every key a hook definition may have (pre-commit's manifest schema); a typo is an error.
KNOWN = REQUIRED | {
    "alias",
    "files",
    "exclude",
    "types",
    "types_or",
    "exclude_types",
    "additional_dependencies",
    "args",
    "always_run",
    "fail_fast",
    "pass_filenames",
    "description",
    "language_version",
    "log_file",
    "minimum_pre_commit_version",
    "require_serial",
    "stages",
    "verbose",
}
EXPECTED = {
    "handbook-validate": "handbook validate",
    "handbook-codeowners": "handbook codeowners --check",
    "handbook-secrets": "python -m handbook.secret_scan",
}


def _hooks() -> dict[str, dict]:
    hooks = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and all(isinstance(h, dict) for h in hooks)
    by_id = {hook["id"]: hook for hook in hooks}
    assert len(by_id) == len(hooks), "a hook id repeats"
    return by_id


def _run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_manifest_says_what_it_defines() -> None:
    assert MANIFEST.read_text(encoding="utf-8").startswith("# ")


def test_every_hook_is_one_pre_commit_accepts() -> None:
    hooks = _hooks()
    assert set(hooks) == set(EXPECTED)
    for hook_id, hook in hooks.items():
        assert set(hook) >= REQUIRED, f"{hook_id} lacks {REQUIRED - set(hook)}"
        assert set(hook) <= KNOWN, f"{hook_id}: unknown keys {set(hook) - KNOWN}"
        assert all(isinstance(hook[key], str) and hook[key] for key in REQUIRED)
        assert hook["language"] == "python"
        assert hook["entry"] == EXPECTED[hook_id]
        for key in ("files", "exclude"):
            if key in hook:
                re.compile(hook[key])
    assert hooks["handbook-validate"]["pass_filenames"] is False
    assert hooks["handbook-secrets"]["types"] == ["text"]


def test_validate_runs_on_data_and_schemas_only() -> None:
    pattern = re.compile(_hooks()["handbook-validate"]["files"])
    for path in ("data/roles.yml", "data/runbooks/oracle-outage.yml", "schemas/a.schema.json"):
        assert pattern.search(path), path
    for path in ("docs/index.md", "README.md", "tests/data/roles.yml"):
        assert not pattern.search(path), path


def test_the_hooks_match_this_repositorys_own() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    local = {
        hook["id"]: hook
        for repo in config["repos"]
        if repo["repo"] == "local"
        for hook in repo["hooks"]
    }
    for hook_id, hook in _hooks().items():
        assert hook_id in local
        for key in ("entry", "files", "pass_filenames", "types"):
            assert hook.get(key) == local[hook_id].get(key), (hook_id, key)


@pytest.mark.parametrize("hook_id", ["handbook-validate", "handbook-codeowners"])
def test_handbook_entries_name_real_subcommands(hook_id: str) -> None:
    program, subcommand, *options = shlex.split(_hooks()[hook_id]["entry"])
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    assert scripts[program] == "handbook.cli:main"
    listed = _run(sys.executable, "-m", "handbook.cli", "--help")
    assert listed.returncode == 0, listed.stderr
    assert re.search(rf"^\s+{re.escape(subcommand)}\s", listed.stdout, re.MULTILINE), listed.stdout
    own = _run(sys.executable, "-m", "handbook.cli", subcommand, "--help")
    assert own.returncode == 0, own.stderr
    for option in options:
        assert option in own.stdout.split(), (subcommand, option)


def _secret_scan(*files: Path) -> subprocess.CompletedProcess[str]:
    program, *args = shlex.split(_hooks()["handbook-secrets"]["entry"])
    assert program == "python"
    # pre-commit appends the staged file names to the entry.
    return _run(sys.executable, *args, *map(str, files))


def test_secret_scan_passes_a_clean_file(tmp_path: Path) -> None:
    clean = tmp_path / "notes.md"
    clean.write_text("# Notes\n\nCall the incident commander first.\n", encoding="utf-8")
    completed = _secret_scan(clean)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_secret_scan_fails_a_file_holding_a_key(tmp_path: Path) -> None:
    clean = tmp_path / "notes.md"
    clean.write_text("nothing to see\n", encoding="utf-8")
    leaky = tmp_path / "config.ini"
    key = "AKIA" + "IOSFODNN7EXAMPLE"  # AWS's documented example id, built here
    leaky.write_text(f"[aws]\naccess_key_id = {key}\n", encoding="utf-8")
    completed = _secret_scan(clean, leaky)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "AWS access key id" in completed.stdout
    assert "config.ini:2:" in completed.stdout
    assert key not in completed.stdout  # reported, never printed
