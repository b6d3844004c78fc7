"""Folders of valid and invalid data, each turned into a test of ``handbook validate``.

``cases/valid/<name>/`` must validate with no error; ``cases/invalid/<name>/`` must fail
with exactly the diagnostic lines in its ``expected.txt`` (the text report without its
summary, whose file count changes whenever a kind is added). ``UPDATE_GOLDEN=1`` rewrites
every ``expected.txt``, as it does the golden HTML.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from handbook.cli import main
from tests.conftest import CASES, TODAY, make_project


def _cases(group: str) -> list[Path]:
    return sorted(p for p in (CASES / group).iterdir() if p.is_dir())


def _validate(project: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["-C", str(project), "validate", "--today", TODAY.isoformat()])
    return status, capsys.readouterr().out


@pytest.mark.parametrize("case", _cases("valid"), ids=lambda p: p.name)
def test_valid_case(case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _validate(make_project(tmp_path, case), capsys)
    assert " 0 errors" in out, out
    assert status == 0


@pytest.mark.parametrize("case", _cases("invalid"), ids=lambda p: p.name)
def test_invalid_case(case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _validate(make_project(tmp_path, case), capsys)
    *lines, summary = out.splitlines()
    errors = sum(": error: " in line for line in lines)
    assert summary.startswith(f"invalid: {errors} error{'' if errors == 1 else 's'}, ")
    found = "".join(line + "\n" for line in lines)
    path = case / "expected.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(found, encoding="utf-8")
    assert found == path.read_text(encoding="utf-8")
    assert status == 1


def test_base_fixture_is_valid(base_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _validate(base_project, capsys)
    assert out.splitlines()[-1].startswith("valid: 0 errors, 0 warnings"), out
    assert status == 0
