"""The lock: every dependency pinned, each pin inside the range pyproject.toml allows."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO, run


def _pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not an exact pin: {line!r}"
            pins[canonicalize_name(name)] = version.strip()
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    texts = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    return [Requirement(text) for text in texts]


def test_every_declared_dependency_is_pinned_inside_its_range() -> None:
    pins = _pins()
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements.lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {name}=={pins[name]}, outside {requirement.specifier}"
        )


def test_every_install_command_uses_the_lock() -> None:
    places = [
        REPO / "README.md",
        REPO / ".ci" / "run",
        # drift.yml installs without the lock on purpose: the newest and lowest versions.
        *(p for p in (REPO / ".github" / "workflows").glob("*.yml") if p.name != "drift.yml"),
    ]
    for path in places:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "pip install" in line and "-e " in line:
                assert "-c requirements.lock" in line, f"{path.name}: {line.strip()}"


def test_every_installed_distribution_is_the_locked_one() -> None:
    """What a fresh machine installs from the lock is what this environment tested.

    A dependency added to pyproject.toml but not to the lock would be installed at whatever
    version is newest that day: this fails until the lock is regenerated.
    """
    from importlib import metadata

    pins = _pins()
    own = {"incident-handbook", "pip", "wheel"}  # setuptools is locked: the tests build the wheel
    checked = 0
    for distribution in metadata.distributions():
        name = canonicalize_name(distribution.metadata["Name"])
        if name in own:
            continue
        checked += 1
        assert name in pins, f"{name} is installed but not in requirements.lock"
        assert pins[name] == distribution.version, (
            f"{name} {distribution.version} is installed, requirements.lock says {pins[name]}"
        )
    assert checked >= len(_declared())  # the environment holds at least what is declared


def _lowest(name: str) -> str:
    """The lowest version ``pyproject.toml`` allows of ``name`` (its ``>=`` bound)."""
    requirement = next(r for r in _declared() if canonicalize_name(r.name) == name)
    return next(s.version for s in requirement.specifier if s.operator == ">=")


# The reader is the one place PyYAML's own behaviour reaches users: its refusals (nesting
# depth, sizes, tags...) must not change with the libyaml a release of PyYAML bundles.
@pytest.mark.parametrize("version", [_lowest("pyyaml"), "6.0.3", _pins()["pyyaml"]])
def test_the_reader_behaves_alike_with_every_pyyaml_the_range_allows(
    tmp_path: Path, version: str
) -> None:
    target = tmp_path / "pyyaml"
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
    completed = run([*install, "--target", str(target), f"pyyaml=={version}"], REPO)
    assert completed.returncode == 0, completed.stderr
    check = "import yaml; print(yaml.__version__, yaml.__with_libyaml__)"
    env = {**os.environ, "PYTHONPATH": str(target)}
    tests = ["tests/test_reader.py", "tests/test_cases.py", "-k", "yaml or reader or deep"]
    completed = subprocess.run(
        [sys.executable, "-c", check], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert completed.stdout.split() == [version, "True"], completed.stderr
    pytest_run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests]
    completed = subprocess.run(pytest_run, cwd=REPO, env=env, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert " passed" in completed.stdout and " skipped" not in completed.stdout
