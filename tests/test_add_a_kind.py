"""The README's "Add a data kind" walk-through, done in a temporary copy and built.

A contributor adds "trainings" (sessions: which runbooks were trained, who took part, what
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
    "$id": "trainings.schema.json",
    "title": "Training",
    "description": "One training session for responders (data/trainings/<id>.yml).",
    "type": "object",
    "properties": {
        "id": {
            "title": "Training id",
            "description": "Kebab-case id; equals the file name without .yml.",
            "$ref": "common.schema.json#/$defs/id",
        },
        "title": {
            "title": "Title",
            "description": "What was trained.",
            "$ref": "common.schema.json#/$defs/text",
        },
        "held_on": {
            "title": "Held on",
            "description": "The date of the training.",
            "$ref": "common.schema.json#/$defs/date",
        },
        "runbooks": {
            "title": "Runbooks covered",
            "description": "Ids of the runbooks the training walked through.",
            "$ref": "common.schema.json#/$defs/id_list",
        },
        "participants": {
            "title": "Participants",
            "description": "Ids of the people who took part.",
            "$ref": "common.schema.json#/$defs/id_list",
        },
        "findings": {
            "title": "Findings",
            "description": "What the training showed.",
            "$ref": "common.schema.json#/$defs/text_list",
        },
    },
    "required": ["id", "title", "held_on", "runbooks", "participants", "findings"],
    "additionalProperties": False,
}

TEMPLATE = """\
# Template for one training. Copy it to data/trainings/<id>.yml.
id: "[training-id]"            # required: equal to the file name without .yml
title: "TODO: what was trained"  # required
held_on: "2026-01-01"          # required: the date it was held
runbooks: ["[runbook-id]"]     # required: the runbooks walked through
participants: ["[person-id]"]  # required: who took part
findings: ["TODO: what it showed"]  # required
"""

MODEL = '''

@dataclass(frozen=True)
class Training:
    """A training session for responders."""

    id: str
    title: str
    held_on: dt.date
    runbooks: tuple[str, ...]
    participants: tuple[str, ...]
    findings: tuple[str, ...]
'''

RENDERER = '''\
"""Trainings: what was trained, by whom, and what it showed."""

from __future__ import annotations

from collections.abc import Callable

from handbook import markup
from handbook.site import Context


def render_training(ctx: Context, training_id: str) -> str:
    """One training's page."""
    training = ctx.handbook.get("trainings", training_id)
    runbooks = [ctx.ref("runbooks", r) for r in training.runbooks]
    return "\\n".join(
        [
            f"# {markup.md_inline(training.title)}\\n",
            markup.block(
                f"<p>Held on {training.held_on.isoformat()}. Runbooks: {', '.join(runbooks)}.</p>"
            ),
            markup.block(markup.items([markup.esc(f) for f in training.findings])),
        ]
    )


def render_trainings(ctx: Context) -> str:
    """Every training, latest first."""
    ordered = sorted(ctx.handbook.trainings, key=lambda e: e.held_on, reverse=True)
    return markup.block(markup.items([ctx.ref("trainings", e.id, e.title) for e in ordered]))


MACROS: dict[str, Callable[..., str]] = {"trainings": render_trainings}
'''

REGISTRATION = """\
    Kind(
        "trainings",
        Layout.DIRECTORY,
        "training",
        model.Training,
        Visibility.PUBLIC,
        shown=RecordPages("trainings.md", "render_training"),
        references=(
            Ref(("runbooks", EVERY), ("runbooks",)),
            Ref(("participants", EVERY), ("people",)),
        ),
    ),
"""

INDEX_PAGE = "# Trainings\n\n{{ trainings() }}\n"

TRAINING = """\
# The first signer training of the year.
id: signer-training-2026
title: Signer training on the test network
held_on: "2026-10-02"
runbooks: [RUNBOOK]
participants: [PERSON]
findings:
  - Two signers needed more than ten minutes to reach their hardware wallets.
"""

# Every file of the copy a contributor writes or edits to add the kind (data aside).
PLACES = {
    "schemas/trainings.schema.json",
    "templates/training.yml",
    "handbook/model.py",
    "handbook/render/trainings.py",
    "handbook/kinds.py",
    "docs/trainings.md",
    "mkdocs.yml",
}


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def _add_trainings(root: Path) -> None:
    """Follow the README: the places it names, and nothing else of the engine."""
    (root / "schemas/trainings.schema.json").write_text(json.dumps(SCHEMA, indent=2))
    (root / "templates/training.yml").write_text(TEMPLATE)
    with (root / "handbook/model.py").open("a") as model:
        model.write(MODEL)
    (root / "handbook/render/trainings.py").write_text(RENDERER)
    kinds = root / "handbook/kinds.py"
    text = kinds.read_text()
    end = text.index("\n)\n\nKINDS_BY_NAME")  # the end of the KINDS tuple
    kinds.write_text(text[: end + 1] + REGISTRATION + text[end + 1 :])
    (root / "docs/trainings.md").write_text(INDEX_PAGE)
    config = root / "mkdocs.yml"
    text = config.read_text()
    config.write_text(
        text.replace(
            "      - Review status: review.md\n",
            "      - Review status: review.md\n      - Trainings: trainings.md\n",
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
def with_trainings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("kind") / "project")
    for part in ("handbook", "templates"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    before = _tree(root)
    _add_trainings(root)
    after = _tree(root)
    changed = {name for name in after if before.get(name) != after[name]}
    assert changed == PLACES
    return root


def _data(root: Path, **replace: str) -> None:
    text = TRAINING.replace("RUNBOOK", replace.get("runbook", "oracle-outage"))
    text = text.replace("PERSON", replace.get("person", first_person(root)))
    folder = root / "data/trainings"
    folder.mkdir(exist_ok=True)
    (folder / "signer-training-2026.yml").write_text(text)


def first_person(root: Path) -> str:
    return re.search(r"^- id: (\S+)", (root / "data/people.yml").read_text(), re.M).group(1)


def test_the_copy_runs_the_copied_engine(with_trainings: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", "import handbook; print(handbook.__file__)"],
        cwd=with_trainings.parent,  # not a folder holding an engine: PYTHONPATH decides
        capture_output=True,
        text=True,
        check=True,
        env={**ENV, "PYTHONPATH": str(with_trainings)},
    )
    assert Path(completed.stdout.strip()).is_relative_to(with_trainings)


def test_a_new_kind_is_optional(with_trainings: Path) -> None:
    shutil.rmtree(with_trainings / "data/trainings", ignore_errors=True)
    completed = _handbook(with_trainings, "validate")
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_a_new_kind_is_validated_and_its_references_checked(with_trainings: Path) -> None:
    _data(with_trainings, runbook="no-such-runbook")
    completed = _handbook(with_trainings, "validate")
    assert completed.returncode == 1
    assert re.search(
        r"data/trainings/signer-training-2026\.yml:5:12: error: "
        r".*unknown runbook 'no-such-runbook' \[reference\]",
        completed.stdout,
    ), completed.stdout
    assert "Traceback" not in completed.stderr


def test_a_new_kind_is_built_into_pages_linked_from_its_index(
    with_trainings: Path, tmp_path: Path
) -> None:
    _data(with_trainings)
    site = tmp_path / "site"
    completed = _handbook(with_trainings, "build", "--site-dir", str(site))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    page = (site / "trainings/signer-training-2026/index.html").read_text()
    assert "Signer training on the test network" in page
    assert "hardware wallets" in page
    assert re.search(r'href="\.\./\.\./runbooks/oracle-outage/"', page)
    index = (site / "trainings/index.html").read_text()
    assert 'href="signer-training-2026/"' in index
    search = (site / "search/search_index.json").read_text()
    assert "hardware wallets" in search
