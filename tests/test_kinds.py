"""The kinds registry: a kind declared in handbook/kinds.py has everything it names."""

from __future__ import annotations

import dataclasses
import importlib
import json
import re

import pytest
import yaml

from handbook.kinds import KINDS, KINDS_BY_NAME, Layout, RecordPages, Section
from handbook.render.catalogue import MACROS, MacroClash, collect
from tests.conftest import REPO

_BY_ID = pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)


def _properties(kind_name: str) -> set[str]:
    schema = json.loads((REPO / "schemas" / f"{kind_name}.schema.json").read_text("utf-8"))
    if schema.get("type") == "array":
        schema = schema["$defs"][schema["items"]["$ref"].rsplit("/", 1)[-1]]
    return set(schema["properties"])


def _nav_pages() -> set[str]:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda *_: None)  # !!python/name tags of mkdocs.yml
    config = yaml.load((REPO / "mkdocs.yml").read_text("utf-8"), Loader=Loader)
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, str) and node.endswith(".md"):
            found.add(node)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)

    walk(config["nav"])
    return found


@_BY_ID
def test_a_kind_has_its_schema_template_and_model_field(kind) -> None:
    assert (REPO / "schemas" / kind.schema).is_file()
    assert (REPO / "templates" / kind.template).is_file()
    assert dataclasses.is_dataclass(kind.model)


def test_the_model_holds_every_kind_and_nothing_else(handbook) -> None:
    assert set(handbook.kinds) == {kind.attribute for kind in KINDS}
    for kind in KINDS:
        records = getattr(handbook, kind.attribute)
        if kind.layout is Layout.OBJECT:
            assert isinstance(records, kind.model)
        else:
            assert isinstance(records, tuple)
            assert all(isinstance(r, kind.model) for r in records)
    with pytest.raises(AttributeError, match="no kind 'exercise'"):
        handbook.exercise  # noqa: B018
    with pytest.raises(AttributeError, match="no kind 'exercise'"):
        handbook.replace(exercise=())


@_BY_ID
def test_where_a_kind_shows_exists(kind) -> None:
    shown = kind.shown
    if isinstance(shown, RecordPages):
        module = importlib.import_module(f"handbook.render.{kind.name}")
        assert callable(getattr(module, shown.render))
        assert (REPO / "docs" / shown.index).is_file()
        assert shown.index in _nav_pages()
    elif isinstance(shown, Section):
        assert (REPO / "docs" / shown.page).is_file()
    else:
        assert kind.layout is Layout.OBJECT  # handbook.yml and policy.yml show on pages
    if kind.pdf:
        assert "{}" in kind.pdf and kind.pdf.endswith(".pdf")


@_BY_ID
def test_review_and_named_fields_are_fields_of_the_kind(kind) -> None:
    properties = _properties(kind.name)
    assert set(kind.named_fields) <= properties
    if kind.review:
        assert {kind.review.last, kind.review.interval} <= properties
        defaults = _properties("handbook")
        assert "review_defaults" in defaults


def test_the_core_kinds_are_required() -> None:
    required = {kind.name for kind in KINDS if kind.required}
    assert required == {"handbook", "policy", "roles", "people", "teams", "severities", "runbooks"}


def _mentions_visibility(node: object) -> bool:
    if isinstance(node, dict):
        return (
            "visibility" in node.get("properties", {})
            or any(_mentions_visibility(v) for v in node.values())
            or "visibility" in str(node.get("$ref", ""))
        )
    if isinstance(node, list):
        return any(_mentions_visibility(v) for v in node)
    return False


def test_every_kind_decides_who_may_read_it() -> None:
    from handbook.audience import FILTERS
    from handbook.kinds import Visibility

    people = json.loads((REPO / "schemas" / "people.schema.json").read_text("utf-8"))
    assert _mentions_visibility(people)  # the detector sees a kind that can be internal
    filtered = {kind.name for kind in KINDS if kind.visibility is Visibility.FILTERED}
    assert filtered == set(FILTERS)
    for kind in KINDS:
        schema = json.loads((REPO / "schemas" / kind.schema).read_text("utf-8"))
        if kind.visibility is Visibility.PUBLIC:
            # A record that could say "internal" in a kind nobody filters would be published.
            assert not _mentions_visibility(schema), kind.name


@_BY_ID
def test_a_kind_with_pages_brings_the_macro_its_index_page_calls(kind) -> None:
    if not isinstance(kind.shown, RecordPages):
        return
    module = importlib.import_module(f"handbook.render.{kind.name}")
    called = set(re.findall(r"\{\{\s*(\w+)\(", (REPO / "docs" / kind.shown.index).read_text()))
    assert called & set(getattr(module, "MACROS", {})), kind.name


def test_macros_are_gathered_from_every_renderer_module_and_clash_loudly(
    tmp_path, monkeypatch
) -> None:
    assert set(collect()) == set(MACROS)
    assert MACROS["runbooks"].__module__ == "handbook.render.runbooks"
    package = tmp_path / "someone_elses_renderers"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for module in ("first", "second"):
        (package / f"{module}.py").write_text(f"MACROS = {{'shared_name': lambda c: '{module}'}}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(MacroClash, match=r"'shared_name'.*first and .*second"):
        collect("someone_elses_renderers")


def _schema_at(schema: dict, root: dict, path: tuple[str, ...]) -> dict | None:
    """The subschema a field path leads to (``*`` steps into list items), or None."""
    node = schema
    for step in path:
        while "$ref" in node:
            document, _, pointer = node["$ref"].partition("#")
            if document:
                root = json.loads((REPO / "schemas" / document).read_text("utf-8"))
            node = root["$defs"][pointer.rsplit("/", 1)[-1]]
        node = node.get("items") if step == "*" else node.get("properties", {}).get(step)
        if node is None:
            return None
    return node


@_BY_ID
def test_every_reference_a_kind_declares_is_a_field_naming_a_kind(kind) -> None:
    schema = json.loads((REPO / "schemas" / kind.schema).read_text("utf-8"))
    record = schema
    if schema.get("type") == "array":
        record = schema["$defs"][schema["items"]["$ref"].rsplit("/", 1)[-1]]
    for ref in kind.references:
        assert set(ref.targets) <= {k.name for k in KINDS}, ref
        assert all(KINDS_BY_NAME[t].has_ids for t in ref.targets), ref
        assert _schema_at(record, schema, ref.pattern) is not None, (kind.name, ref.pattern)
