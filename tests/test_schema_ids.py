"""Schemas carry absolute ``$id``s and refer to each other by relative ``$ref``s.

The engine resolves them from the local folder and never looks anything up on the web;
check-jsonschema does the same when told where the folder is (``--base-uri``). The checks
below run with every proxy pointing at a closed port and no download cache, so anything
that tried to fetch a schema would fail.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

from handbook.kinds import KINDS, Layout
from handbook.schemas import SchemaFileError, load_schemas
from tests.conftest import ENV, REPO, SCHEMAS

BASE_URL = "https://incident-handbook.github.io/schemas/v1/"
SCHEMA_FILES = sorted(SCHEMAS.glob("*.schema.json"))
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
CLOSED = "http://127.0.0.1:9"  # the discard port: nothing answers there


def _schema(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_every_schema_has_an_absolute_id_named_after_its_file() -> None:
    assert len(SCHEMA_FILES) > 10
    ids = []
    for path in SCHEMA_FILES:
        schema_id = _schema(path)["$id"]
        parts = urlsplit(schema_id)
        assert parts.scheme == "https" and parts.netloc, f"{path.name}: {schema_id} is relative"
        assert not parts.fragment and not parts.query, schema_id
        assert schema_id.endswith("/" + path.name), f"{path.name}: {schema_id}"
        assert schema_id == BASE_URL + path.name
        ids.append(schema_id)
    assert len(set(ids)) == len(ids), "two schemas share an $id"


def test_refs_between_schemas_stay_relative() -> None:
    names = {path.name for path in SCHEMA_FILES}
    between = 0
    for path in SCHEMA_FILES:
        for ref in _refs(_schema(path)):
            target, _ = urldefrag(ref)
            assert not urlsplit(ref).scheme, f"{path.name}: {ref} is absolute"
            if target:
                assert target in names, f"{path.name}: {ref} names no schema of the folder"
                between += 1
    assert between > 50  # the kinds really do share common.schema.json


def test_the_loader_never_fetches_a_ref_outside_the_folder(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, schemas)
    runbooks = schemas / "runbooks.schema.json"
    text = runbooks.read_text(encoding="utf-8")
    # An absolute URL on the schemas' own host, but of a file the folder does not hold.
    moved = text.replace('"common.schema.json#/$defs/id"', f'"{BASE_URL}gone.schema.json#/id"')
    assert moved != text
    runbooks.write_text(moved, encoding="utf-8")
    with pytest.raises(SchemaFileError) as caught:
        load_schemas(schemas)
    assert caught.value.diagnostic.file == "schemas/runbooks.schema.json"
    assert "broken $ref" in caught.value.diagnostic.message
    assert "gone.schema.json" in caught.value.diagnostic.message


def test_two_schemas_with_one_id_are_refused(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, schemas)
    roles = schemas / "roles.schema.json"
    roles.write_text(
        roles.read_text(encoding="utf-8").replace(
            f'"$id": "{BASE_URL}roles.schema.json"', f'"$id": "{BASE_URL}teams.schema.json"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(SchemaFileError) as caught:
        load_schemas(schemas)
    assert caught.value.diagnostic.file == "schemas/teams.schema.json"
    assert "roles.schema.json" in caught.value.diagnostic.message


def _check_jsonschema(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the venv's check-jsonschema from the repository root, unable to reach any host."""
    if not CHECK_JSONSCHEMA.exists():
        pytest.fail(f"{CHECK_JSONSCHEMA} is missing: install the project with '.[test]'")
    env = {k: v for k, v in ENV.items() if k.lower() != "no_proxy"}
    env |= {name: CLOSED for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")}
    env |= {name.lower(): CLOSED for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--no-cache", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _local(schema: str) -> list[str]:
    """The options that make check-jsonschema read every $ref from schemas/."""
    return ["--base-uri", SCHEMAS.as_uri() + "/", "--schemafile", f"schemas/{schema}"]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_check_jsonschema_validates_the_shipped_data_offline(tmp_path: Path, kind) -> None:
    location = REPO / "data" / kind.location
    files = sorted(location.glob("*.yml")) if kind.layout is Layout.DIRECTORY else [location]
    assert files and all(f.is_file() for f in files)
    shown = [str(f.relative_to(REPO)) for f in files]
    completed = _check_jsonschema(tmp_path, *_local(kind.schema), *shown)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "ok -- validation done" in completed.stdout


def test_check_jsonschema_rejects_a_broken_copy_through_common(tmp_path: Path) -> None:
    original = REPO / "data" / "runbooks" / "oracle-outage.yml"
    text = original.read_text(encoding="utf-8")
    assert "\nid: oracle-outage\n" in text
    broken = tmp_path / "oracle-outage.yml"
    # The id's pattern lives in common.schema.json: the error proves the $ref was resolved.
    broken.write_text(text.replace("\nid: oracle-outage\n", "\nid: Oracle_Outage\n"), "utf-8")
    completed = _check_jsonschema(tmp_path, *_local("runbooks.schema.json"), str(broken))
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert "$.id: 'Oracle_Outage' does not match" in output
    assert "Unresolvable" not in output


def test_without_the_base_uri_check_jsonschema_would_go_to_the_web(tmp_path: Path) -> None:
    # The absolute $id sends common.schema.json to the schemas' host; with every host out of
    # reach that fails, which also shows the checks above really ran offline.
    completed = _check_jsonschema(
        tmp_path, "--schemafile", "schemas/runbooks.schema.json", "data/runbooks/oracle-outage.yml"
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    assert "incident-handbook.github.io/schemas/v1/common.schema.json" in output
    assert "ok -- validation done" not in output
