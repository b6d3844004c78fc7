"""The whole pipeline: read, validate, check references and rules, build the model."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from handbook import bundle, drills, facts, model, phones
from handbook.diagnostics import Diagnostic, has_errors, sort_diagnostics
from handbook.files import FileState, state_of, walk_tree
from handbook.kinds import KINDS, Layout
from handbook.load import LoadedData, load_data, refused_entries
from handbook.memo import Recent, owned
from handbook.mentions import mentions
from handbook.reader import Limits
from handbook.references import build_index, check_references
from handbook.rules import RuleContext, check_rules
from handbook.schemas import SchemaFileError, load_schemas, validate_schemas
from handbook.secret_scan import redact_diagnostics, scan_files, scan_names
from handbook.site_sources import plugin_option, read_config


@dataclass(frozen=True)
class Project:
    """Where a handbook project keeps its data and schemas."""

    root: Path
    data_dir: Path
    schema_dir: Path

    @classmethod
    def at(
        cls, root: Path, schema_dir: Path | None = None, data_dir: Path | None = None
    ) -> Project:
        """The project rooted at ``root``: its ``data/``, and the schemas it is checked with.

        The schemas are ``schema_dir`` when given, else the project's own ``schemas/`` when
        it has one (it extends or pins them), else the engine's.
        """
        if schema_dir is None:
            own = root / "schemas"
            schema_dir = own if own.is_dir() else bundle.schema_dir()
        return cls(root, data_dir or root / "data", schema_dir)

    @classmethod
    def configured(cls, root: Path) -> Project:
        """The project at ``root`` with the folders its ``mkdocs.yml`` gives the plugin.

        The command line and the site then read the same data: the plugin's ``data_dir``
        and ``schema_dir`` options, relative to ``root``.
        """
        config = read_config(root / "mkdocs.yml")
        data, schemas = plugin_option(config, "data_dir"), plugin_option(config, "schema_dir")
        return cls.at(root, root / str(schemas) if schemas else None, root / str(data or "data"))

    @property
    def schema_folder(self) -> str | None:
        """The schema folder relative to the root, None when it is the engine's own."""
        inside = self.schema_dir.resolve().is_relative_to(self.root.resolve())
        return Path(os.path.relpath(self.schema_dir, self.root)).as_posix() if inside else None

    @property
    def data_folder(self) -> str:
        """The data folder relative to the root, as git and CODEOWNERS name it (``data``)."""
        return Path(os.path.relpath(self.data_dir, self.root)).as_posix()

    @property
    def docs_dir(self) -> Path:
        """The hand-written pages and assets (scanned for secrets, never written to)."""
        return self.root / "docs"


@dataclass(frozen=True)
class Result:
    """Everything validation found; the model exists only when there is no error."""

    diagnostics: list[Diagnostic]
    file_count: int  # data files read
    handbook: model.Handbook | None = field(default=None)

    @property
    def ok(self) -> bool:
        """True when no error was found (warnings allowed)."""
        return not has_errors(self.diagnostics)


def build_model(loaded: LoadedData) -> model.Handbook:
    """Turn validated data into the frozen model: one attribute per kind.

    Prose states the facts it refers to (``{intervention:pause-market.quorum}``) from here
    on, for every output; phone numbers are in E.164.
    """
    fields: dict[str, object] = {}
    for kind in KINDS:
        records = loaded.records(kind.name)
        if kind.layout is Layout.OBJECT:
            fields[kind.attribute] = model.build(kind.model, next(records).data)
        else:
            fields[kind.attribute] = tuple(model.build(kind.model, r.data) for r in records)
    # Drill dates last: resolving facts rebuilds the records that state any from the data.
    handbook = phones.normalised(facts.resolved(loaded, model.Handbook(fields)))
    return drills.derived(loaded, handbook)


def check(loaded: LoadedData, project: Project, today: dt.date) -> list[Diagnostic]:
    """Schema, reference and rule diagnostics for data already read."""
    return _checked(loaded, project, today)[0]


def _checked(
    loaded: LoadedData, project: Project, today: dt.date
) -> tuple[list[Diagnostic], model.Handbook | None]:
    """``check``'s diagnostics, and the model when the data got through reader and schemas.

    The model is built once: the ``visibility`` rule reads it, and ``validate`` returns it.
    """
    diagnostics = list(loaded.diagnostics)
    try:
        schemas = load_schemas(project.schema_dir.resolve())
    except SchemaFileError as exc:
        return sort_diagnostics(redact_diagnostics([*diagnostics, exc.diagnostic])), None
    schema_errors = validate_schemas(loaded, schemas)
    index, duplicates = build_index(loaded)
    flagged = {(d.file, d.line, d.column) for d in schema_errors}
    references = check_references(loaded, index, flagged)
    rules = check_rules(RuleContext(loaded, index, today))
    # A value still a template placeholder ("[EMAIL]", "[DATE]") is reported as that: its
    # schema error at the same place (not an email, not a date) says nothing more.
    unfilled = {(d.file, d.line, d.column) for d in rules if d.rule == "placeholder"}
    shown = [d for d in schema_errors if (d.file, d.line, d.column) not in unfilled]
    diagnostics += [*shown, *duplicates, *references, *rules]
    handbook = None
    if not has_errors([*loaded.diagnostics, *schema_errors]):  # the model can be built
        handbook = build_model(loaded)
        diagnostics += mentions(loaded, handbook, schemas)  # rule ``visibility``
    # No message, path or file name shows more of a secret than a short prefix, whichever
    # step made it (a token as a mapping key, a file name, in a schema error...).
    return sort_diagnostics(redact_diagnostics(diagnostics)), handbook


def validate(
    project: Project,
    today: dt.date | None = None,
    limits: Limits | None = None,
    reuse: bool = False,
) -> Result:
    """Run the whole pipeline on a project and return every diagnostic, and the model.

    With ``reuse``, files unchanged since the previous such run are not read and checked
    again (schemas and text rules): what ``handbook serve`` does after each save.
    """
    loaded = load_data(project.data_dir, project.root, limits, reuse)
    diagnostics, handbook = _checked(loaded, project, today or dt.date.today())
    # Secrets outside the data's text: in the names of data files, and anywhere in docs/.
    docs = walk_tree(project.docs_dir, project.root)
    found = (
        scan_names(project.data_dir, project.root)
        + refused_entries(docs, project.root)
        + scan_files(docs.files, project.root)
    )
    if found:
        diagnostics = sort_diagnostics([*diagnostics, *redact_diagnostics(found)])
    files = sum(len(documents) for documents in loaded.documents.values())
    if has_errors(diagnostics):
        return Result(diagnostics, files)
    return Result(diagnostics, files, handbook)


def _fingerprint(project: Project) -> tuple[FileState, ...]:
    """Names, sizes and modification times of every input file: changes when any does.

    Absolute names, so that ``handbook build -C .`` and the plugin (which knows the project
    by its absolute path) agree and the plugin reuses the command's validation.
    """
    return (
        state_of([project.data_dir])
        + state_of([project.schema_dir], ".schema.json")
        + state_of([project.docs_dir])  # scanned for secrets
    )


# The latest projects' validations (a serve session has one, the tests many).
_VALIDATIONS: Recent[Path, tuple[tuple[FileState, ...], Result]] = owned(Recent(4))


def validate_cached(project: Project) -> Result:
    """``validate`` once per state of the files: the plugin and every macro share the result."""
    key = project.root.resolve()
    fingerprint = _fingerprint(project)
    cached = _VALIDATIONS.get(key)
    if cached is None or cached[0] != fingerprint:
        cached = (fingerprint, validate(project, reuse=True))
        _VALIDATIONS.put(key, cached)
    return cached[1]
