"""Fuzzing the whole pipeline: any file content yields a model or the project's own errors.

Each example writes one data file of a project on disk, then runs what ``handbook validate``
runs (``load_data``, every check, the model when valid) and, when the data is valid,
renders every page for both audiences. Nothing may raise, every diagnostic must carry one
of the rule ids the README documents, and the hostile corpus must stay large.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handbook.diagnostics import Level
from handbook.pipeline import Project, validate
from handbook.references import HINT_COMPARISONS
from handbook.site import Site
from tests.conftest import BASE, CASES, REPO, TODAY, make_project
from tests.test_audience import whole_site
from tests.test_pipeline_properties import RULES as PROPERTY_RULES

DATA_FILES = sorted(p.relative_to(BASE).as_posix() for p in (BASE / "data").rglob("*.yml"))
# Pieces of YAML that hostile or careless input is made of.
HOSTILE = [
    "&a ", "*a", "<<: ", "!!python/object/apply:os.system ", "!x ", "? ", ": ", "- ", "--- ",
    "...\n", "%YAML 1.1\n", "{", "}", "[", "]", ",", "'", '"', "|", ">-", "#", " #x", "\t",
    "\n", "  ", ".inf", ".NaN", "-.Inf", "NO", "on", "~", "null", "0x1F", "1e3", "010",
    "9" * 25, "2024-02-30", "\x00", "\x1b", "\u202e", "\ufeff", "\u2028", "\\0", '"\\e"',
    "\xff", "é", "TODO", "[Name]", "{{ x }}", "AKIA" + "IOSFODNN7EXAMPLE", "0x" + "ab" * 32,
    " ".join(["abandon"] * 11 + ["about"]), "<script>", "javascript:", "[" * 70, "]" * 70,
]  # fmt: skip


def documented_rules() -> set[str]:
    """The rule ids of the README's table of rules."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (`[a-z-]+`(?:, `[a-z-]+`)*)(?: \(warning\))? \|", readme, re.MULTILINE)
    return {rule for row in rows for rule in re.findall(r"`([a-z-]+)`", row)}


RULES = documented_rules()


@pytest.fixture(scope="module")
def project() -> Iterator[Path]:
    """One project on disk for every example; each example restores what it changed."""
    folder = Path(tempfile.mkdtemp(prefix="handbook-fuzz-"))
    try:
        yield make_project(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def judge(project: Path, name: str, content: bytes) -> None:
    """Write ``content`` as data file ``name``, run the whole pipeline, check the answer."""
    path = project / name
    original = path.read_bytes() if path.exists() else None
    path.write_bytes(content)
    try:
        result = validate(Project.at(project), today=TODAY)
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)
    for diagnostic in result.diagnostics:
        assert diagnostic.rule in RULES, diagnostic
        assert diagnostic.line >= 1 and diagnostic.column >= 1, diagnostic
        assert diagnostic.file.startswith(("data/", "schemas/")), diagnostic
    errors = [d for d in result.diagnostics if d.level is Level.ERROR]
    assert (result.handbook is None) == bool(errors)
    if result.handbook is not None:  # whatever validates must render, for both audiences
        for audience in ("internal", "public"):
            whole_site(Site(result.handbook, TODAY, audience=audience))


def test_the_documented_rules_are_the_ones_known() -> None:
    assert {"yaml", "schema", "secret", "visibility", "review-overdue", "unknown-file"} <= RULES
    assert PROPERTY_RULES <= RULES


FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(name=st.sampled_from(DATA_FILES), content=st.binary(max_size=600))
def test_any_bytes_as_any_data_file(project: Path, name: str, content: bytes) -> None:
    judge(project, name, content)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """One data file of the base fixture with a few hostile edits."""
    name = draw(st.sampled_from(DATA_FILES))
    text = (BASE / name).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "duplicate-line", "replace"]))
        if edit == "insert":
            text = text[:at] + draw(st.sampled_from(HOSTILE)) + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif edit == "duplicate-line":
            lines = text.splitlines(keepends=True) or [""]
            line = draw(st.integers(0, len(lines) - 1))
            text = "".join([*lines[: line + 1], *lines[line:]])
        else:
            text = text[:at] + draw(st.text(max_size=12)) + text[at + 12 :]
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16", "latin-1"]))
    return name, text.encode(encoding, errors="replace")


@FUZZ
@given(mutated())
def test_mutated_yaml_of_every_kind(project: Path, case: tuple[str, bytes]) -> None:
    judge(project, *case)


@FUZZ
@given(content=st.text(max_size=400))
def test_any_text_in_a_file_nothing_reads(project: Path, content: str) -> None:
    judge(project, "data/notes.yml", content.encode("utf-8"))


def test_the_hostile_corpus_has_at_least_30_cases_each_with_its_errors() -> None:
    hostile = sorted(p for p in (CASES / "invalid").iterdir() if p.name.startswith("yaml-"))
    assert len(hostile) >= 30
    for case in hostile:
        expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
        assert expected, case.name  # at least one error...
        assert all(line.endswith("[yaml]") for line in expected), case.name  # ...each the reader's
    secrets = [p for p in (CASES / "invalid").iterdir() if p.name.startswith("secret-")]
    assert len(secrets) >= 8


def test_suggestions_for_unknown_ids_stop_after_a_bounded_amount_of_work(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    person = (
        "- id: person-{n}\n  name: Person {n}\n  team: secops\n  contacts:\n"
        "    - type: email\n      value: p{n}@example.org\n      visibility: public\n"
    )
    with (project / "data" / "people.yml").open("a", encoding="utf-8") as people:
        people.write("".join(person.format(n=n) for n in range(1_000)))
    steps = "".join(f"  - person: persn-{n}\n" for n in range(500))
    runbook = project / "data" / "runbooks" / "api-outage.yml"
    runbook.write_text(
        runbook.read_text(encoding="utf-8").replace("escalation:\n", f"escalation:\n{steps}", 1),
        encoding="utf-8",
    )
    result = validate(Project.at(project), today=TODAY)
    unknown = [d for d in result.diagnostics if d.rule == "reference"]
    assert len(unknown) == 500
    hinted = [d for d in unknown if "; did you mean 'person-" in d.message]
    assert 0 < len(hinted) <= HINT_COMPARISONS // 1_000
