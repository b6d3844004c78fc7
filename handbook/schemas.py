"""JSON Schema validation of documents, every error reported with its line and column."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError, ValidationError
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from handbook.diagnostics import Diagnostic, Level
from handbook.files import FileState, state_of
from handbook.kinds import KINDS
from handbook.load import LoadedData, json_path
from handbook.memo import PerObject, owned
from handbook.reader import Document, PathKey
from handbook.secret_scan import redact

RULE = "schema"

# Schema errors at these fields break a named rule, so they carry that rule's id.
# Keyed by (kind, first field of the record); the first match wins.
NAMED_FIELDS: dict[tuple[str, str], str] = {
    (kind.name, name): rule for kind in KINDS for name, rule in kind.named_fields.items()
}

_MAX_SHOWN = 60


@dataclass(frozen=True)
class SchemaSet:
    """Compiled validators for every kind, built once and reused."""

    validators: dict[str, Draft202012Validator]


def _short(value: Any) -> str:
    """A value as a message shows it: short, and with any secret in it redacted."""
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    # A long hex run (a hash, or a key no word names) is cut to a prefix, as secrets are.
    text = re.sub(r"[0-9a-fA-F]{32,}", lambda m: m.group()[:4] + "…", redact(text))
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


_ANNOTATIONS = frozenset({"title", "description", "examples", "default", "$comment"})


def inline_refs(node: Any, resolver: Any, depth: int = 0) -> Any:
    """Replace every ``$ref`` by the schema it names, so validation never looks refs up.

    Looking references up dominates validation time; the handbook's schemas are not
    recursive, so they can be expanded once when compiled. A ``$ref`` with validating
    siblings becomes ``allOf``; annotation siblings are dropped (they do not validate).
    """
    if depth > 32:
        raise ValueError("schema references nest too deeply (recursive schema?)")
    if isinstance(node, list):
        return [inline_refs(item, resolver, depth) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        resolved = resolver.lookup(node["$ref"])
        target = inline_refs(resolved.contents, resolved.resolver, depth + 1)
        rest = {k: v for k, v in node.items() if k != "$ref" and k not in _ANNOTATIONS}
        if not rest:
            return target
        return {"allOf": [target], **inline_refs(rest, resolver, depth)}
    return {
        key: value
        if key in ("$defs", "examples", "enum", "const")
        else inline_refs(value, resolver, depth)
        for key, value in node.items()
        if key != "$defs"
    }


class SchemaFileError(Exception):
    """A schema file that cannot be used: nothing can be validated against it."""

    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        """Keep the problem as a diagnostic."""
        super().__init__(message)
        self.diagnostic = Diagnostic(file, line, column, Level.ERROR, "$", message, "schema-file")


def _read_schema(path: Path, shown: str) -> dict[str, Any]:
    try:
        contents = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SchemaFileError(shown, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaFileError(shown, 1, 1, f"cannot read: {exc}") from None
    try:
        Draft202012Validator.check_schema(contents)
    except SchemaError as exc:
        raise SchemaFileError(shown, 1, 1, f"{exc.json_path}: {exc.message}") from None
    return contents


def load_schemas(schema_dir: Path) -> SchemaSet:
    """The validators of the schemas in ``schema_dir``, compiled once per state of its files."""
    return _compile(schema_dir, state_of([schema_dir], ".schema.json"))


@lru_cache(maxsize=8)
def _compile(schema_dir: Path, files: tuple[FileState, ...]) -> SchemaSet:
    """Read every schema in ``schema_dir`` and compile one validator per kind.

    Each schema is registered under its ``$id`` (an absolute URL, against which its
    relative ``$ref``s resolve) and under its file name, the address it was read from, so a
    schema whose ``$id`` is relative or missing resolves too. Nothing is ever fetched: the
    registry has no retrieval function, so a ``$ref`` to a schema that is not in the folder
    is a broken ``$ref``, whatever its URL.
    """
    registry: Registry = Registry()
    ids: dict[str, str] = {}  # file name -> the URI its $refs resolve against
    owners: dict[str, str] = {}  # URI -> the file registered under it
    for path in sorted(schema_dir.glob("*.schema.json")):
        shown = f"{schema_dir.name}/{path.name}"
        contents = _read_schema(path, shown)
        uri = contents.get("$id", path.name)
        resource = Resource(contents, DRAFT202012)
        for name in dict.fromkeys((uri, path.name)):
            if name in owners:
                raise SchemaFileError(
                    shown, 1, 1, f"$id {name} is already the address of {owners[name]}"
                )
            owners[name] = path.name
            registry = registry.with_resource(name, resource)
        ids[path.name] = uri
    validators = {}
    for kind in KINDS:
        shown = f"{schema_dir.name}/{kind.schema}"
        if kind.schema not in ids:
            raise SchemaFileError(shown, 1, 1, f"missing schema for {kind.name}")
        uri = ids[kind.schema]
        try:
            schema = registry.contents(uri)
            expanded = inline_refs(schema, registry.resolver(base_uri=uri))
        except (Unresolvable, ValueError) as exc:
            raise SchemaFileError(shown, 1, 1, f"broken $ref: {exc}") from None
        validators[kind.name] = Draft202012Validator(
            expanded, registry=registry, format_checker=FORMAT_CHECKER
        )
    return SchemaSet(validators)


# One address and nothing else: jsonschema's own email check only looks for an "@", so
# "a@b.org?cc=c@evil.example&body=x" passed and became a mailto: link that adds a
# recipient and a message. Letters, digits and . _ + ' - before the @, a host name after.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_+'-]+(?:\.[A-Za-z0-9_+'-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)


def is_plain_email(instance: object) -> bool:
    """Whether a string is one plain email address (other types are the schema's to judge)."""
    return not isinstance(instance, str) or _PLAIN_EMAIL.fullmatch(instance) is not None


def _format_checker() -> FormatChecker:
    """Draft 2020-12's format checks, with ``email`` strict enough for a mailto: link."""
    checker = FormatChecker(formats=())
    checker.checkers = {**Draft202012Validator.FORMAT_CHECKER.checkers}
    checker.checks("email")(is_plain_email)
    return checker


FORMAT_CHECKER = _format_checker()


def _one_of_names(branches: Any) -> list[str] | None:
    """Names of a ``oneOf`` whose branches each only require one field (role/team/person)."""
    if not isinstance(branches, list):
        return None
    names = [
        b["required"][0]
        for b in branches
        if isinstance(b, dict) and set(b) == {"required"} and len(b["required"]) == 1
    ]
    return names if len(names) == len(branches) else None


def _pattern_message(instance: Any, schema: Any, pattern: str) -> str:
    """What a value should look like, from the schema's own examples, not its regex.

    ``'one day' is not written like 15m or 1h (Duration)``; the pattern itself only when
    the schema gives no example.
    """
    examples = schema.get("examples") if isinstance(schema, dict) else None
    shown = [str(e) for e in examples or () if isinstance(e, str)][:2]
    if not shown:
        return f"{_short(instance)} does not match the pattern {pattern}"
    title = schema.get("title")
    what = f" ({title})" if isinstance(title, str) else ""
    return f"{_short(instance)} is not written like {' or '.join(shown)}{what}"


def _message(error: ValidationError) -> tuple[str, PathKey] | None:
    """A short message for an error and the path it is about, or None when another says it."""
    path: PathKey = tuple(error.absolute_path)
    validator, expected, instance = error.validator, error.validator_value, error.instance
    if validator == "required":
        # jsonschema raises one error per missing field; its message names the field.
        missing = next(n for n in expected if error.message == f"{n!r} is a required property")
        return "required field is missing", (*path, missing)
    if validator == "dependentRequired" and isinstance(instance, dict):
        given = next((k for k in expected if k in instance), None)
        missing = [d for d in expected.get(given, ()) if d not in instance] if given else []
        if given and missing:
            return f"{given} needs {', '.join(missing)} too: give both or neither", path
    if validator == "oneOf" and (names := _one_of_names(expected)) is not None:
        if not isinstance(instance, dict):
            return None  # the type error on the same node says it
        return f"must name exactly one of: {', '.join(names)}", path
    if validator == "not" and isinstance(expected, dict) and set(expected) == {"required"}:
        return f"give at most one of: {', '.join(expected['required'])}", path
    if validator == "type":
        return f"expected {expected}, found {_short(instance)}", path
    if validator == "enum":
        return f"{_short(instance)} is not one of: {', '.join(map(str, expected))}", path
    if validator == "pattern":
        return _pattern_message(instance, error.schema, expected), path
    if validator == "format":
        return f"{_short(instance)} is not a valid {expected}", path
    if validator == "maxLength":
        return f"is {len(instance):,} characters long; at most {expected:,} are allowed", path
    if validator in ("minItems", "minLength") and expected == 1:
        return "must not be empty", path
    if validator == "minItems":
        return f"needs at least {expected} entries, found {len(instance)}", path
    if validator == "maxItems":
        return f"allows at most {expected} entries, found {len(instance)}", path
    if validator == "uniqueItems":
        return "entries must not repeat", path
    if validator == "minimum":
        return f"{instance} is less than the minimum {expected}", path
    if validator == "maximum":
        return f"{instance} is more than the maximum {expected}", path
    if validator == "const":
        return f"must be {_short(expected)}", path
    return error.message if len(error.message) <= 200 else error.message[:197] + "...", path


def _record_field(document: Document, path: PathKey) -> str | None:
    """The first field name of the record that ``path`` points into."""
    rest = path[1:] if isinstance(document.data, list) else path
    return rest[0] if rest and isinstance(rest[0], str) else None


def _rule(kind: str, document: Document, path: PathKey) -> str:
    name = _record_field(document, path)
    return NAMED_FIELDS.get((kind, name), RULE) if name is not None else RULE


def validate_document(kind: str, document: Document, schemas: SchemaSet) -> list[Diagnostic]:
    """Check one document against its kind's schema; return every error found."""
    diagnostics = []
    for error in schemas.validators[kind].iter_errors(document.data):
        if error.validator == "additionalProperties":
            parent: PathKey = tuple(error.absolute_path)
            allowed = error.schema.get("properties", {})
            for key in error.instance:
                if key in allowed:
                    continue
                mark = document.key_positions.get((*parent, key), document.mark(parent))
                diagnostics.append(
                    Diagnostic(
                        document.file,
                        mark.line,
                        mark.column,
                        Level.ERROR,
                        json_path((*parent, key)),
                        f"unknown field {redact(repr(key))}",
                        _rule(kind, document, (*parent, key)),
                    )
                )
            continue
        explained = _message(error)
        if explained is None:
            continue
        message, path = explained
        mark = document.mark(path)
        diagnostics.append(
            Diagnostic(
                document.file,
                mark.line,
                mark.column,
                Level.ERROR,
                json_path(path),
                message,
                _rule(kind, document, path),
            )
        )
    return diagnostics


# A document the reader reused (same bytes) is not checked again by the same validators.
SCHEMA_RESULTS: PerObject[list[Diagnostic]] = owned(PerObject())


def validate_schemas(loaded: LoadedData, schemas: SchemaSet) -> list[Diagnostic]:
    """Check every loaded document against its kind's schema (once, for reused documents)."""
    result = SCHEMA_RESULTS.run(loaded.reused)
    return [
        diagnostic
        for kind, documents in loaded.documents.items()
        for document in documents
        for diagnostic in result(
            partial(validate_document, kind, document, schemas), document, kind, schemas
        )
    ]
