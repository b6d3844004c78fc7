"""``visibility``: an internal value mentioned in public text is an error where it is written.

``public_view`` leaves every internal item out of the public edition, but it cannot know
that a public runbook's step says "Wake Dev Patel, who keeps the admin key at home" about
an internal person. So validation looks for every internal value (``audience.audit``:
names and titles of internal items, internal channel values, sentences of internal
items) in every string the public view keeps, with the leak scan's matcher
(``leaks.Needles``: whole words, normalised, phone numbers however they are written), and
reports each mention at the file, line and column of the string that holds it (a block
scalar: where it starts). The internal item's own fields are never public text; ids are
not values to look for, and a field that names a record by its id is not text either
(``public_view`` drops such a reference, or the rule's other check refuses it). Nor is a
field whose schema fixes its values (``enum``, ``const``, or a ``pattern`` of letters,
digits and hyphens only: ids, states, severities, durations): ``purpose: escalation``
does not mention an internal mitigation titled "Escalation". These fields are read off
the schemas, when the caller passes them.

It runs on the model, so only when the data got through the reader and the schemas: on
data that cannot be built into a model, the errors that stop it come first.
"""

from __future__ import annotations

import re
from typing import Any

from handbook.audience import audit, path_of
from handbook.diagnostics import Diagnostic
from handbook.leaks import Needles
from handbook.load import LoadedData, Record
from handbook.model import Handbook
from handbook.references import REFERENCES, walk
from handbook.schemas import SchemaSet

RULE = "visibility"
Path = tuple[str | int, ...]
# The handbook's attributes that are one record of an object kind, by kind name.
_OBJECTS = {"info": "handbook", "policy": "policy"}


class _Records:
    """The data record of a model path, each kind's records listed once when first asked."""

    def __init__(self, loaded: LoadedData) -> None:
        self._loaded = loaded
        self._by_kind: dict[str, list[Record]] = {}

    def of(self, kind: str) -> list[Record]:
        """The records of ``kind``, in the model's order."""
        records = self._by_kind.get(kind)
        if records is None:
            records = self._by_kind[kind] = list(self._loaded.records(kind))
        return records

    def place(self, path: Path) -> tuple[str, int, Path]:
        """(kind, record number, path inside the record) of the string at model ``path``."""
        head = str(path[0])
        if head in _OBJECTS:
            return _OBJECTS[head], 0, path[1:]
        return head, int(path[1]), path[2:]


def _references(records: _Records) -> set[tuple[str, int, Path]]:
    """Where the data names another record by its id: references, not text."""
    found = set()
    for reference in REFERENCES:
        for number, record in enumerate(records.of(reference.kind)):
            for path, _ in walk(record.data, reference.pattern):
                found.add((reference.kind, number, path))
    return found


# A pattern that only letters, digits and hyphens can match (``^[a-z0-9]+(?:-[a-z0-9]+)*$``,
# ``^P[1-5]$``): no escape, dot, space or other sign in it.
_LABEL_PATTERN = re.compile(r"[\^$()|?*+{},0-9A-Za-z\[\]-]*")


def _fixed(schema: dict[str, Any]) -> bool:
    """Whether a schema fixes a string's values: an enum, a const or an id-like pattern."""
    if "enum" in schema or "const" in schema:
        return True
    pattern = schema.get("pattern")
    return isinstance(pattern, str) and bool(_LABEL_PATTERN.fullmatch(pattern.replace("(?:", "(")))


def _fixed_paths(validator: Any, schema: Any, data: Any, path: Path, out: set[Path]) -> None:
    """Add to ``out`` the path of every string in ``data`` whose ``schema`` fixes its values.

    Subschemas are followed where they apply: every ``allOf``; the ``anyOf``, ``oneOf`` and
    ``if`` branches that ``data`` is valid against; properties and items. Each data node is
    visited once per subschema that applies to it.
    """
    if not isinstance(schema, dict):
        return
    if isinstance(data, str) and _fixed(schema):
        out.add(path)
    subschemas = list(schema.get("allOf", ()))
    for key in ("anyOf", "oneOf"):
        subschemas += [s for s in schema.get(key, ()) if validator.evolve(schema=s).is_valid(data)]
    if isinstance(schema.get("if"), dict):
        valid = validator.evolve(schema=schema["if"]).is_valid(data)
        subschemas.append(schema.get("then" if valid else "else"))
    for subschema in subschemas:
        _fixed_paths(validator, subschema, data, path, out)
    if isinstance(data, dict):
        properties = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        for key, value in data.items():
            if key in properties:
                _fixed_paths(validator, properties[key], value, (*path, key), out)
                continue
            matched = [s for p, s in patterns.items() if re.search(p, str(key))]
            for subschema in matched or [schema.get("additionalProperties")]:
                _fixed_paths(validator, subschema, value, (*path, key), out)
    elif isinstance(data, list):
        prefix = schema.get("prefixItems", [])
        for index, item in enumerate(data):
            subschema = prefix[index] if index < len(prefix) else schema.get("items")
            _fixed_paths(validator, subschema, item, (*path, index), out)


def _fixed_fields(loaded: LoadedData, schemas: SchemaSet) -> set[tuple[str, Path]]:
    """(file, path in the document) of every string whose schema fixes its values."""
    found: set[tuple[str, Path]] = set()
    for kind, documents in loaded.documents.items():
        validator = schemas.validators.get(kind)
        if validator is None:
            continue
        for document in documents:
            paths: set[Path] = set()
            _fixed_paths(validator, validator.schema, document.data, (), paths)
            found.update((document.file, p) for p in paths)
    return found


def _message(shown: str, source: str) -> str:
    return (
        f"mentions {shown!r}, which is internal ({source}); the public build would "
        "publish it here: leave it out, or make it public"
    )


def mentions(
    loaded: LoadedData, handbook: Handbook, schemas: SchemaSet | None = None
) -> list[Diagnostic]:
    """Every mention of an internal value in the public strings of ``handbook``.

    ``handbook`` is the model built from ``loaded``: its paths are the data's. With
    ``schemas``, a field whose values they fix (an enum, an id) is not looked at.
    """
    found = audit(handbook)
    needles = Needles(found.secrets)
    if not needles:
        return []
    # One pass over all public text first; string by string only when something is there
    # (a name found across two strings in the first pass is not found in the second).
    candidates = needles.find(prose="\n\0\n".join(found.texts))
    if not candidates:
        return []
    needles = Needles(candidates)
    records = _Records(loaded)
    references: set[tuple[str, int, Path]] | None = None
    fixed: set[tuple[str, Path]] | None = None
    diagnostics = []
    for leaf in found.public():
        hits = needles.find(prose=leaf.text)
        if not hits:
            continue
        kind, number, path = place = records.place(path_of(handbook, leaf))
        references = _references(records) if references is None else references
        if place in references:  # an id: ``public_view`` drops it or another rule refuses it
            continue
        record = records.of(kind)[number]
        if schemas is not None:
            fixed = _fixed_fields(loaded, schemas) if fixed is None else fixed
            if (record.document.file, (*record.path, *path)) in fixed:  # an enum value, an id
                continue
        for secret in hits:
            message = _message(secret.shown, secret.source)
            diagnostics.append(record.diagnostic(path, message, RULE))
    return diagnostics
