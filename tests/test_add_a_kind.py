"""The README's "Add a data kind" walk-through, done in a temporary copy and built.

A contributor adds "exercises" (drills: which runbooks were exercised, who took part, what
was found) exactly as the README says: a schema, a template, a model class, a renderer
module with its macros, one registration, and the page that lists the records. Nothing
else of the engine is touched; if a new table ever has to be edited by hand, the build
below fails and so does this test.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ENV, REPO, copy_project

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "exercises.schema.json",
    "title": "Exercise",
    "description": "One drill or tabletop exercise (data/exercises/<id>.yml).",
    "type": "object",
    "properties": {
        "id": {
            "title": "Exercise id",
            "description": "Kebab-case id; equals the file name without .yml.",
            "$ref": "common.schema.json#/$defs/id",
        },
        "title": {
            "title": "Title",
            "description": "What was exercised.",
            "$ref": "common.schema.json#/$defs/text",
        },
        "held_on": {
            "title": "Held on",
            "description": "The date of the exercise.",
            "$ref": "common.schema.json#/$defs/date",
        },
        "runbooks": {
            "title": "Runbooks exercised",
            "description": "Ids of the runbooks the exercise walked through.",
            "$ref": "common.schema.json#/$defs/id_list",
        },
        "participants": {
            "title": "Participants",
            "description": "Ids of the people who took part.",
            "$ref": "common.schema.json#/$defs/id_list",
        },
        "findings": {
            "title": "Findings",
            "description": "What the exercise showed.",
            "$ref": "common.schema.json#/$defs/text_list",
        },
    },
    "required": ["id", "title", "held_on", "runbooks", "participants", "findings"],
    "additionalProperties": False,
}

TEMPLATE = """\
# Template for one exercise. Copy it to data/exercises/<id>.yml.
id: "[exercise-id]"            # required: equal to the file name without .yml
title: "TODO: what was exercised"  # required
held_on: "2026-01-01"          # required: the date it was held
runbooks: ["[runbook-id]"]     # required: the runbooks walked through
participants: ["[person-id]"]  # required: who took part
findings: ["TODO: what it showed"]  # required
"""

MODEL = '''

@dataclass(frozen=True)
class Exercise:
    """A drill or tabletop exercise."""

    id: str
    title: str
    held_on: dt.date
    runbooks: tuple[str, ...]
    participants: tuple[str, ...]
    findings: tuple[str, ...]
'''

RENDERER = '''\
"""Exercises: what was drilled, by whom, and what it showed."""

from __future__ import annotations

from collections.abc import Callable

from handbook import markup
from handbook.site import Context


def render_exercise(ctx: Context, exercise_id: str) -> str:
    """One exercise's page."""
    exercise = ctx.handbook.get("exercises", exercise_id)
    runbooks = [ctx.ref("runbooks", r) for r in exercise.runbooks]
    return "\\n".join(
        [
            f"# {markup.md_inline(exercise.title)}\\n",
            markup.block(
                f"<p>Held on {exercise.held_on.isoformat()}. Runbooks: {', '.join(runbooks)}.</p>"
            ),
            markup.block(markup.items([markup.esc(f) for f in exercise.findings])),
        ]
    )


def render_exercises(ctx: Context) -> str:
    """Every exercise, latest first."""
    ordered = sorted(ctx.handbook.exercises, key=lambda e: e.held_on, reverse=True)
    return markup.block(markup.items([ctx.ref("exercises", e.id, e.title) for e in ordered]))


MACROS: dict[str, Callable[..., str]] = {"exercises": render_exercises}
'''

REGISTRATION = """\
    Kind(
        "exercises",
        Layout.DIRECTORY,
        "exercise",
        model.Exercise,
        Visibility.PUBLIC,
        shown=RecordPages("exercises.md", "render_exercise"),
        references=(
            Ref(("runbooks", EVERY), ("runbooks",)),
            Ref(("participants", EVERY), ("people",)),
        ),
    ),
"""

INDEX_PAGE = "# Exercises\n\n{{ exercises() }}\n"

EXERCISE = """\
# The first pause drill of the year.
id: pause-drill-2026
title: Live pause drill on the test network
held_on: "2026-10-02"
runbooks: [RUNBOOK]
participants: [PERSON]
findings:
  - Two signers needed more than ten minutes to reach their hardware wallets.
"""

# Every file of the copy a contributor writes or edits to add the kind (data aside).
PLACES = {
    "schemas/exercises.schema.json",
    "templates/exercise.yml",
    "handbook/model.py",
    "handbook/render/exercises.py",
    "handbook/kinds.py",
    "docs/exercises.md",
    "mkdocs.yml",
}


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def _add_exercises(root: Path) -> None:
    """Follow the README: the places it names, and nothing else of the engine."""
    (root / "schemas/exercises.schema.json").write_text(json.dumps(SCHEMA, indent=2))
    (root / "templates/exercise.yml").write_text(TEMPLATE)
    with (root / "handbook/model.py").open("a") as model:
        model.write(MODEL)
    (root / "handbook/render/exercises.py").write_text(RENDERER)
    kinds = root / "handbook/kinds.py"
    text = kinds.read_text()
    end = text.index("\n)\n\nKINDS_BY_NAME")  # the end of the KINDS tuple
    kinds.write_text(text[: end + 1] + REGISTRATION + text[end + 1 :])
    (root / "docs/exercises.md").write_text(INDEX_PAGE)
    config = root / "mkdocs.yml"
    text = config.read_text()
    config.write_text(
        text.replace(
            "      - Review status: review.md\n",
            "      - Review status: review.md\n      - Exercises: exercises.md\n",
            1,
        )
    )


def _handbook(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The copied engine's command line (``PYTHONPATH`` puts the copy first)."""
    return subprocess.run(
        [sys.executable, "-c", "import sys, handbook.cli; sys.exit(handbook.cli.main())", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**ENV, "PYTHONPATH": str(root)},
        timeout=600,
    )


@pytest.fixture(scope="module")
def with_exercises(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("kind") / "project")
    for part in ("handbook", "templates"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    before = _tree(root)
    _add_exercises(root)
    after = _tree(root)
    changed = {name for name in after if before.get(name) != after[name]}
    assert changed == PLACES
    return root


def _data(root: Path, **replace: str) -> None:
    text = EXERCISE.replace("RUNBOOK", replace.get("runbook", "oracle-outage"))
    text = text.replace("PERSON", replace.get("person", first_person(root)))
    folder = root / "data/exercises"
    folder.mkdir(exist_ok=True)
    (folder / "pause-drill-2026.yml").write_text(text)


def first_person(root: Path) -> str:
    return re.search(r"^- id: (\S+)", (root / "data/people.yml").read_text(), re.M).group(1)


def test_the_copy_runs_the_copied_engine(with_exercises: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", "import handbook; print(handbook.__file__)"],
        cwd=with_exercises.parent,  # not a folder holding an engine: PYTHONPATH decides
        capture_output=True,
        text=True,
        check=True,
        env={**ENV, "PYTHONPATH": str(with_exercises)},
    )
    assert Path(completed.stdout.strip()).is_relative_to(with_exercises)


def test_a_new_kind_is_optional(with_exercises: Path) -> None:
    shutil.rmtree(with_exercises / "data/exercises", ignore_errors=True)
    completed = _handbook(with_exercises, "validate")
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_a_new_kind_is_validated_and_its_references_checked(with_exercises: Path) -> None:
    _data(with_exercises, runbook="no-such-runbook")
    completed = _handbook(with_exercises, "validate")
    assert completed.returncode == 1
    assert re.search(
        r"data/exercises/pause-drill-2026\.yml:5:12: error: .*unknown runbook 'no-such-runbook' "
        r"\[reference\]",
        completed.stdout,
    ), completed.stdout
    assert "Traceback" not in completed.stderr


def test_a_new_kind_is_built_into_pages_linked_from_its_index(
    with_exercises: Path, tmp_path: Path
) -> None:
    _data(with_exercises)
    site = tmp_path / "site"
    completed = _handbook(with_exercises, "build", "--site-dir", str(site))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    page = (site / "exercises/pause-drill-2026/index.html").read_text()
    assert "Live pause drill on the test network" in page
    assert "hardware wallets" in page
    assert re.search(r'href="\.\./\.\./runbooks/oracle-outage/"', page)
    index = (site / "exercises/index.html").read_text()
    assert 'href="pause-drill-2026/"' in index
    search = (site / "search/search_index.json").read_text()
    assert "hardware wallets" in search
