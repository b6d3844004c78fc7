"""The schemas are valid Draft 2020-12, fully documented, and the templates match them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from handbook.kinds import KINDS, Layout
from handbook.reader import read_bytes
from handbook.rules import PLACEHOLDER
from handbook.schemas import FORMAT_CHECKER, is_plain_email, load_schemas
from tests.conftest import REPO, SCHEMAS

SCHEMA_FILES = sorted(SCHEMAS.glob("*.schema.json"))
TEMPLATES = REPO / "templates"
# A template shows one record; its name is the kind's file (singular for per-file kinds).
TEMPLATE_NAMES = {kind.name: kind.template for kind in KINDS}


def test_every_kind_has_a_schema() -> None:
    assert {p.name for p in SCHEMA_FILES} == {k.schema for k in KINDS} | {"common.schema.json"}


def test_schemas_pass_check_jsonschema_metaschema() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--check-metaschema", *map(str, SCHEMA_FILES)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def _subschemas(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema that documents something: each file, each $defs entry, each property."""
    if not isinstance(node, dict):
        return
    for name, child in node.get("properties", {}).items():
        yield f"{where}.properties.{name}", child
        yield from _subschemas(child, f"{where}.properties.{name}")
    for name, child in node.get("$defs", {}).items():
        yield f"{where}.$defs.{name}", child
        yield from _subschemas(child, f"{where}.$defs.{name}")
    for keyword in ("items", "then", "else", "if"):
        if isinstance(node.get(keyword), dict):
            yield from _subschemas(node[keyword], f"{where}.{keyword}")
    for keyword in ("allOf", "anyOf", "oneOf"):
        for number, child in enumerate(node.get(keyword, [])):
            yield from _subschemas(child, f"{where}.{keyword}[{number}]")


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_schema_and_field_is_documented(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    nodes = [(path.name, schema), *_subschemas(schema, path.name)]
    undocumented = [
        where
        for where, node in nodes
        if not all(node.get(key) for key in ("title", "description", "examples"))
    ]
    assert undocumented == []
    open_objects = [
        where
        for where, node in nodes
        if node.get("type") == "object" and node.get("additionalProperties") is not False
    ]
    assert open_objects == []


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_template_is_complete_and_only_its_placeholders_are_invalid(kind) -> None:
    path = TEMPLATES / TEMPLATE_NAMES[kind.name]
    raw = path.read_bytes()
    assert raw.startswith(b"#"), "a template opens with a comment saying where to copy it"
    document, problems = read_bytes(raw, path.name)
    assert problems == [] and document is not None
    validator = load_schemas(SCHEMAS.resolve()).validators[kind.name]
    for error in validator.iter_errors(document.data):
        # The only acceptable failures are placeholder strings where real values belong.
        assert isinstance(error.instance, str) and PLACEHOLDER.search(error.instance), (
            f"{path.name}: {error.json_path}: {error.message}"
        )
    assert PLACEHOLDER.search(raw.decode("utf-8")), "a template shows what to fill in"
    schema = json.loads((SCHEMAS / kind.schema).read_text(encoding="utf-8"))
    record = document.data
    if kind.layout is Layout.LIST:
        # As few records as the kind allows (a severity scale has at least two levels).
        assert isinstance(record, list) and len(record) == max(1, schema.get("minItems", 0))
        schema = schema["$defs"][schema["items"]["$ref"].rsplit("/", 1)[-1]]
        record = record[0]
    assert set(schema["properties"]) - set(record) == set(), "the template shows every field"


def _plain_validators() -> dict[str, Draft202012Validator]:
    """Validators that resolve $ref through the registry, as any other tool would."""
    resources = [(json.loads(p.read_text(encoding="utf-8"))["$id"], p) for p in SCHEMA_FILES]
    registry = Registry().with_resources(
        (uri, Resource(json.loads(p.read_text(encoding="utf-8")), DRAFT202012))
        for uri, p in resources
    )
    return {
        kind.name: Draft202012Validator(
            json.loads((SCHEMAS / kind.schema).read_text(encoding="utf-8")),
            registry=registry,
            format_checker=FORMAT_CHECKER,  # the engine's own formats (a strict email)
        )
        for kind in KINDS
    }


def test_inlined_schemas_judge_exactly_like_the_originals() -> None:
    plain = _plain_validators()
    inlined = load_schemas(SCHEMAS.resolve()).validators
    samples = [*TEMPLATES.glob("*.yml"), *(REPO / "tests" / "cases").rglob("*.yml")]
    compared = 0
    for path in samples:
        document, _ = read_bytes(path.read_bytes(), path.name)
        if document is None:
            continue
        for kind in KINDS:
            found = [
                {(e.json_path, e.message) for e in v.iter_errors(document.data)}
                for v in (inlined[kind.name], plain[kind.name])
            ]
            assert found[0] == found[1], (path, kind)
            compared += 1
    assert compared > 100


def test_editor_settings_map_every_kind_to_its_schema() -> None:
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapped = settings["yaml.schemas"]
    for kind in KINDS:
        target = f"data/{kind.location}" + ("/*.yml" if kind.layout is Layout.DIRECTORY else "")
        assert mapped[f"./schemas/{kind.schema}"] == [target]


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        ("security@example.org", True),
        ("first.last+oncall@sub.example.co.uk", True),
        ("o'brien@example.ie", True),
        ("ines@example.org?cc=attacker@evil.example&body=hi", False),
        ("a?cc=b@evil.example", False),
        ("a%3Fcc%3Db@example.org", False),
        ("a@localhost", False),
        ("a..b@example.org", False),
        ("a@-example.org", False),
        ("a b@example.org", False),
    ],
)
def test_an_email_is_one_plain_address(value: str, plain: bool) -> None:
    assert is_plain_email(value) is plain
    assert FORMAT_CHECKER.conforms(value, "email") is plain


def test_a_pattern_error_shows_the_schemas_examples_not_its_regex() -> None:
    from handbook.schemas import _pattern_message

    duration = {"title": "Duration", "examples": ["15m", "1h", "3d"], "pattern": "^x$"}
    assert _pattern_message("one day", duration, "^x$") == (
        "'one day' is not written like 15m or 1h (Duration)"
    )
    # A schema of a team's own without examples: the pattern is all there is to say.
    assert _pattern_message("v1", {"title": "Version"}, "^[0-9]+$") == (
        "'v1' does not match the pattern ^[0-9]+$"
    )
