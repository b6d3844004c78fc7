"""The wheel is the engine: built from this repository, installed in a fresh environment.

It carries the schemas, templates, default pages and example exactly as the repository
holds them (one source of truth), and ``handbook init`` works from it in a folder that
knows nothing of this repository.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from handbook.bundle import BUNDLED
from tests.conftest import ENV, REPO

SOURCES = ("handbook", *BUNDLED, "pyproject.toml", "setup.py", "MANIFEST.in", "README.md")


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, check=False, env=ENV, timeout=900
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built offline from a copy of the repository's sources."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "bundle")
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=ignore)
        else:
            shutil.copy2(REPO / name, source / name)
    if (REPO / "LICENSE").is_file():
        shutil.copy2(REPO / "LICENSE", source / "LICENSE")
    out = work / "dist"
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    built = _run([*command, "-w", str(out), str(source)], work)
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = out.glob("incident_handbook-*.whl")
    return found


def _repository_files() -> Iterator[tuple[str, Path]]:
    for name in BUNDLED:
        path = REPO / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            yield file.relative_to(REPO).as_posix(), file


def test_the_wheel_carries_the_repositorys_files_unchanged(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        expected = dict(_repository_files())
        bundled = {n.removeprefix("handbook/bundle/") for n in names if "/bundle/" in n}
        assert bundled == set(expected)
        for name, path in expected.items():
            assert archive.read(f"handbook/bundle/{name}") == path.read_bytes(), name
        starter = REPO / "handbook/starter"
        for path in (p for p in starter.rglob("*") if p.is_file()):
            assert f"handbook/starter/{path.relative_to(starter).as_posix()}" in names
        assert "handbook/data/bip39-english.txt" in names


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment holding the wheel; its dependencies are this one's (offline)."""
    env = tmp_path_factory.mktemp("venv") / "env"
    assert (
        _run([sys.executable, "-m", "venv", "--without-pip", str(env)], env.parent).returncode == 0
    )
    python = env / "bin/python"
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps"]
    done = _run([*install, str(wheel)], env.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    # The dependencies from this environment, as a plain path: its editable install of the
    # engine (a .pth hook) is not activated, so only the wheel's engine can be imported.
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], env
        ).stdout.strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env


def test_the_installed_engine_is_the_wheel(installed: Path, tmp_path: Path) -> None:
    python = str(installed / "bin/python")
    where = _run([python, "-c", "import handbook.bundle as b; print(b.bundle_root())"], tmp_path)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed)


def test_init_validate_and_build_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    handbook = str(installed / "bin/handbook")
    made = _run([handbook, "init", "mine", "--example"], tmp_path)
    assert made.returncode == 0, made.stderr
    mine = tmp_path / "mine"
    checked = _run([handbook, "validate"], mine)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = _run([handbook, "build"], mine)
    assert built.returncode == 0, built.stdout + built.stderr
    assert (mine / "site/severities/index.html").is_file()
    assert (mine / "site/runbooks/oracle-outage/index.html").is_file()

    assert _run([handbook, "init", "starter"], tmp_path).returncode == 0
    starter = _run([handbook, "validate"], tmp_path / "starter")
    assert starter.returncode == 1
    assert "Traceback" not in starter.stderr
    assert "data/handbook.yml:" in starter.stdout and "[placeholder]" in starter.stdout
