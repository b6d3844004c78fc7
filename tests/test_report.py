"""Reporters: exact text, GitHub annotation escaping and JSON shape."""

from __future__ import annotations

import json

from handbook.diagnostics import Diagnostic, Level, sort_diagnostics
from handbook.references import walk
from handbook.report import format_github, format_json, format_text

ERROR = Diagnostic(
    "data/b.yml", 3, 5, Level.ERROR, "$.owner", "required field is missing", "runbook-owner"
)
WARNING = Diagnostic(
    "data/a.yml",
    9,
    1,
    Level.WARNING,
    "$.last_reviewed",
    "last reviewed 2026-01-01; was due again by 2026-07-01",
    "review-overdue",
)


def test_text_is_sorted_by_file_and_line_with_a_summary() -> None:
    out = format_text(sort_diagnostics([ERROR, WARNING, ERROR]), 12)
    assert out == (
        "data/a.yml:9:1: warning: $.last_reviewed: last reviewed 2026-01-01; "
        "was due again by 2026-07-01 [review-overdue]\n"
        "data/b.yml:3:5: error: $.owner: required field is missing [runbook-owner]\n"
        "invalid: 1 error, 1 warning in 12 files\n"
    )


def test_summary_for_clean_data() -> None:
    assert format_text([], 1) == "valid: 0 errors, 0 warnings in 1 file\n"


def test_github_annotations_escape_properties_and_data() -> None:
    odd = Diagnostic("data/x,y:z.yml", 1, 2, Level.ERROR, "$", "100% bad\nsecond line", "yaml")
    lines = format_github([odd, WARNING], 2).splitlines()
    assert lines[0] == (
        "::error file=data/x%2Cy%3Az.yml,line=1,col=2,title=yaml"
        "::$: 100%25 bad%0Asecond line [yaml]"
    )
    assert lines[1].startswith("::warning file=data/a.yml,line=9,col=1,title=review-overdue::")
    assert lines[2] == "invalid: 1 error, 1 warning in 2 files"


def test_json_is_a_list_of_plain_objects() -> None:
    assert json.loads(format_json([ERROR], 1)) == [
        {
            "file": "data/b.yml",
            "line": 3,
            "column": 5,
            "level": "error",
            "path": "$.owner",
            "message": "required field is missing",
            "rule": "runbook-owner",
        }
    ]
    assert json.loads(format_json([], 1)) == []


def test_walk_reaches_every_list_item_and_skips_absent_fields() -> None:
    data = {"escalation": [{"role": "a"}, {"team": "t"}, {"role": "b"}], "x": 1}
    assert list(walk(data, ("escalation", "*", "role"))) == [
        (("escalation", 0, "role"), "a"),
        (("escalation", 2, "role"), "b"),
    ]
    assert list(walk(data, ("missing", "*"))) == []
    assert list(walk({"escalation": "not a list"}, ("escalation", "*"))) == []


def test_text_lines_cannot_be_forged_by_names_or_keys() -> None:
    forged = Diagnostic(
        "data/runbooks/a\n::error file=x.yml::forged.yml",
        1,
        1,
        Level.ERROR,
        "$.a\r\n::warning file=y::also forged",
        "unknown field 'a\\n'\u2028x\x85y",
        "schema",
    )
    out = format_text([forged], 1)
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0] == (
        "data/runbooks/a\\n::error file=x.yml::forged.yml:1:1: error: "
        "$.a\\r\\n::warning file=y::also forged: unknown field 'a\\n'\\u2028x\\x85y [schema]"
    )


def test_a_quoted_key_with_line_breaks_stays_on_its_line(tmp_path) -> None:
    from tests.conftest import TODAY, handbook_cli, make_project

    project = make_project(tmp_path)
    runbook = next((project / "data" / "runbooks").glob("*.yml"))
    with runbook.open("a", encoding="utf-8") as stream:
        stream.write('"x\\n::warning file=README.md,line=1::forged": 1\n')
    completed = handbook_cli("validate", "--today", TODAY.isoformat(), cwd=project)
    assert completed.returncode == 1
    for line in completed.stdout.splitlines():
        assert line.startswith(("data/", "invalid: ")), line
    assert "::warning" in completed.stdout  # shown, escaped, on the error's own line
