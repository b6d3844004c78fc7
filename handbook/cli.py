"""The ``handbook`` command line."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import logging
import shutil
import sys
from pathlib import Path

from handbook.audience import leaks_in_public_build
from handbook.codeowners import MissingHandle, codeowners
from handbook.diagnostics import Level
from handbook.diff import DiffError, diff_data, load_side
from handbook.diff_report import as_json, format_markdown
from handbook.incident_command import (
    CLOSING,
    IncidentUsageError,
    close_incident,
    new_incident,
    utc_time,
)
from handbook.memo import session
from handbook.outputs import (
    OutputError,
    check_output,
    clean_leftovers,
    mark_site,
    replace_folder,
    scratch_beside,
)
from handbook.pdf import run as write_pdfs_command
from handbook.pipeline import Project, validate, validate_cached
from handbook.readiness import FINDINGS
from handbook.report import FORMATS
from handbook.scaffold import ScaffoldError, init, template_text
from handbook.site_sources import ConfigError
from handbook.upgrades import MigrateError, engine_version, migrate

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _folder(text: str) -> str:
    """An output folder as given; an empty one (an unset variable) is a usage error."""
    if not text.strip():
        raise argparse.ArgumentTypeError("empty folder name (an unset variable?)")
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="handbook", description="Validate and publish an incident-response handbook."
    )
    parser.add_argument(
        "-C",
        "--project",
        type=Path,
        default=Path("."),
        help="project folder holding mkdocs.yml, data/ and schemas/ (default: .)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {engine_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    init = commands.add_parser("init", help="start a new handbook in an empty folder")
    init.add_argument("folder", type=Path, metavar="DIR", help="where to write it (empty or new)")
    init.add_argument(
        "--example",
        action="store_true",
        help="the example organisation's data, which builds at once, instead of the starter",
    )
    template = commands.add_parser("template", help="print the commented template of a kind")
    template.add_argument("kind", metavar="KIND", help="runbook, dependency, roles, ...")
    check = commands.add_parser("validate", help="check the data; exit 1 when invalid")
    check.add_argument("--format", choices=sorted(FORMATS), default="text")
    check.add_argument("--today", type=_date, help="date to judge review deadlines by")
    build = commands.add_parser("build", help="validate, then build the site with MkDocs")
    build.add_argument("--site-dir", type=_folder, help="where to write the site")
    build.add_argument(
        "--audience",
        choices=("internal", "public"),
        help="who the build is for; public drops every internal contact detail",
    )
    build.add_argument(
        "--pdf", action="store_true", help="also write the PDFs into <site>/pdf/ and link them"
    )
    pdf = commands.add_parser("pdf", help="write PDFs: runbooks, break-glass cards, handbook")
    pdf.add_argument("runbook_ids", nargs="*", metavar="RUNBOOK_ID", help="only these runbooks")
    pdf.add_argument("--out", type=_folder, help="folder to write to (default: site/pdf)")
    pdf.add_argument("--paper", choices=("a4", "letter"), default="a4")
    pdf.add_argument(
        "--cache",
        type=_folder,
        metavar="DIR",
        help="keep PDFs between runs here (default: .handbook-cache/pdf, or $HANDBOOK_PDF_CACHE)",
    )
    pdf.add_argument("--no-cache", action="store_true", help="lay out every PDF, keep none")
    pdf.add_argument(
        "--audience",
        choices=("internal", "public"),
        help="who the PDFs are for; public drops every internal contact detail",
    )
    diff = commands.add_parser("diff", help="what changed in the handbook between two refs")
    diff.add_argument("base", metavar="BASE", help="git ref to compare from")
    diff.add_argument("head", metavar="HEAD", nargs="?", help="git ref (default: working tree)")
    diff.add_argument("--format", choices=("markdown", "json"), default="markdown")
    diff.add_argument(
        "--fail-on",
        choices=("weakening",),
        help="exit 1 when a change weakens readiness (a required check for decision makers)",
    )
    review = commands.add_parser("review", help="what is past its review interval")
    review.add_argument("--today", type=_date, help="date to judge review deadlines by")
    review.add_argument("--strict", action="store_true", help="overdue items are errors")
    review.add_argument("--format", choices=sorted(FORMATS), default="text")
    incident = commands.add_parser("incident", help="open or close an incident record")
    steps = incident.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = steps.add_parser("new", help="write data/incidents/<id>.yml, ready to commit")
    new.add_argument("title", metavar="TITLE", help="what happened, in one line")
    new.add_argument("--severity", required=True, metavar="LEVEL", help="an id of severities.yml")
    new.add_argument("--id", help="the record's id (default: <YYYY-MM>-<title as kebab-case>)")
    new.add_argument("--now", type=utc_time, help="the time to record (YYYY-MM-DDTHH:MMZ, UTC)")
    close = steps.add_parser("close", help="check what the policy requires, then set the status")
    close.add_argument("id", metavar="ID", help="the incident's id (its file name)")
    close.add_argument("--status", choices=CLOSING, default="reviewed")
    owners = commands.add_parser("codeowners", help="write .github/CODEOWNERS from the data")
    owners.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    commands.add_parser("migrate", help="bring the data to this engine's version")
    serve = commands.add_parser("serve", help="preview the site, reloading on every change")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on")
    return parser


def run_validate(args: argparse.Namespace) -> int:
    """``handbook validate``: print every problem; exit 1 when any is an error."""
    result = validate(args.configured, today=args.today)
    sys.stdout.write(FORMATS[args.format](result.diagnostics, result.file_count))
    return EXIT_OK if result.ok else EXIT_INVALID


def run_build(args: argparse.Namespace) -> int:
    """``handbook build``: validate, build into a scratch folder, then swap it into place."""
    # Cached: the MkDocs plugin and the macros reuse this result instead of validating again.
    result = validate_cached(args.configured)
    if not result.ok:
        sys.stderr.write(FORMATS["text"](result.diagnostics, result.file_count))
        return EXIT_INVALID
    from mkdocs.commands.build import build as mkdocs_build  # MkDocs only when building
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    _show_mkdocs_log(logging.WARNING)  # in strict mode any warning fails the build
    try:
        config = load_config(str(args.project / "mkdocs.yml"), strict=True)
        config.plugins.on_startup(command="build", dirty=False)  # as `mkdocs build` does
        plugin = config.plugins["handbook"]
        plugin.choose(audience=args.audience, pdfs=True if args.pdf else None)
        given = args.site_dir if args.site_dir is not None else config.site_dir
        option = "--site-dir" if args.site_dir is not None else "site_dir (mkdocs.yml)"
        target = check_output(given, args.project, option, replaces_folder=True)
        clean_leftovers(target)
        scratch = scratch_beside(target)
        config["site_dir"] = str(scratch)
        try:
            mkdocs_build(config)
            # A public site is scanned for every internal value before it replaces the old one.
            public = plugin.site is not None and plugin.site.audience == "public"
            if public and (found := leaks_in_public_build(result.handbook, scratch)):
                sys.stderr.write("".join(f"handbook build: {m}\n" for m in found))
                sys.stderr.write("handbook build: public build refused; nothing written\n")
                return EXIT_INVALID
            mark_site(scratch)
            scratch.chmod(0o755)  # mkdtemp makes it private; a site is meant to be read
            replace_folder(scratch, target)
        finally:
            if scratch.exists():
                shutil.rmtree(scratch)
    except (MkDocsException, OutputError) as exc:
        sys.stderr.write(f"handbook build: {exc}\n")
        return EXIT_INVALID
    except (ImportError, OSError) as exc:  # a broken site set-up, not a bug of ours
        sys.stderr.write(f"handbook build: {type(exc).__name__}: {exc}\n")
        return EXIT_INVALID
    sys.stdout.write(f"handbook build: site written to {target}\n")
    return EXIT_OK


def _show_mkdocs_log(level: int, own_info: bool = False) -> None:
    """Print MkDocs' messages (and the engine's, under ``mkdocs.handbook``) from ``level``.

    With ``own_info``, MkDocs and its plugins say only warnings and errors; the engine's
    own lines (what is served, what was rebuilt) are all there is to read otherwise.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    handler.setLevel(level)
    if own_info:
        handler.addFilter(
            lambda record: (
                record.levelno >= logging.WARNING or record.name.startswith("mkdocs.handbook")
            )
        )
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(min(level, logger.getEffectiveLevel()))


def run_serve(args: argparse.Namespace) -> int:
    """``handbook serve``: the site with live reload; a data change rebuilds only its pages."""
    from mkdocs.exceptions import MkDocsException

    from handbook.mkdocs_serve import serve  # MkDocs only when serving

    _show_mkdocs_log(logging.INFO, own_info=True)
    try:
        serve(args.project / "mkdocs.yml", args.dev_addr)
    except MkDocsException as exc:
        sys.stderr.write(f"handbook serve: {exc}\n")
        return EXIT_INVALID
    return EXIT_OK


def run_pdf(args: argparse.Namespace) -> int:
    """``handbook pdf``: runbooks, break-glass cards and the whole handbook as PDFs."""
    given = args.out if args.out is not None else args.project / "site" / "pdf"
    try:
        out = check_output(given, args.project, "--out", replaces_folder=False)
    except OutputError as exc:
        sys.stderr.write(f"handbook pdf: {exc}\n")
        return EXIT_INVALID
    return write_pdfs_command(
        args.project,
        args.runbook_ids,
        out,
        args.paper,
        args.audience,
        cache=Path(args.cache) if args.cache is not None else None,
        no_cache=args.no_cache,
    )


def run_diff(args: argparse.Namespace) -> int:
    """``handbook diff``: the policy-level changes between two states of the data."""
    try:
        data = args.configured.data_folder
        old = load_side(args.project, args.base, data)
        new = load_side(args.project, args.head, data)
    except DiffError as exc:
        sys.stderr.write(f"handbook diff: {exc}\n")
        return EXIT_USAGE
    changes = diff_data(old, new)
    if args.format == "json":
        sys.stdout.write(json.dumps(as_json(changes, args.base, args.head), indent=2) + "\n")
    else:
        sys.stdout.write(format_markdown(changes, args.base, args.head))
    if args.fail_on == "weakening" and any(change.weakens for change in changes):
        return EXIT_INVALID
    return EXIT_OK


def run_review(args: argparse.Namespace) -> int:
    """``handbook review``: readiness findings, overdue reviews included (errors if strict)."""
    result = validate(args.configured, today=args.today)
    if not result.ok:
        sys.stdout.write(FORMATS[args.format](result.diagnostics, result.file_count))
        return EXIT_INVALID
    level = Level.ERROR if args.strict else Level.WARNING
    findings = [
        dataclasses.replace(d, level=level) for d in result.diagnostics if d.rule in FINDINGS
    ]
    sys.stdout.write(FORMATS[args.format](findings, result.file_count))
    return EXIT_INVALID if args.strict and findings else EXIT_OK


def run_codeowners(args: argparse.Namespace) -> int:
    """``handbook codeowners``: write (or with --check, compare) .github/CODEOWNERS."""
    project = args.configured
    result = validate(project)
    if result.handbook is None:
        sys.stderr.write(FORMATS["text"](result.diagnostics, result.file_count))
        return EXIT_INVALID
    try:
        content = codeowners(result.handbook, project.data_folder, project.schema_folder)
    except MissingHandle as exc:
        sys.stderr.write(f"handbook codeowners: {exc}\n")
        return EXIT_INVALID
    target = args.project / ".github" / "CODEOWNERS"
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if args.check:
        if current != content:
            sys.stderr.write(
                f"handbook codeowners: {target} is not current; run `handbook codeowners`\n"
            )
            return EXIT_INVALID
        return EXIT_OK
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8")
    sys.stdout.write(f"handbook codeowners: wrote {target}\n")
    return EXIT_OK


def run_incident(args: argparse.Namespace) -> int:
    """``handbook incident new|close``: open an incident record, or check and close one."""
    try:
        if args.action == "new":
            done = new_incident(args.configured, args.title, args.severity, args.id, args.now)
        else:
            done = close_incident(args.configured, args.id, args.status)
    except IncidentUsageError as exc:
        sys.stderr.write(f"handbook incident {args.action}: {exc}\n")
        return EXIT_USAGE
    sys.stdout.write(done.out)
    sys.stderr.write(done.err)
    return EXIT_OK if done.ok else EXIT_INVALID


def run_init(args: argparse.Namespace) -> int:
    """``handbook init DIR``: write a starter (or the example) handbook into DIR."""
    try:
        written = init(args.folder, example=args.example)
    except (ScaffoldError, OSError) as exc:
        sys.stderr.write(f"handbook init: {exc}\n")
        return EXIT_INVALID
    sys.stdout.write(f"handbook init: {len(written)} files written to {args.folder}\n")
    if not args.example:
        sys.stdout.write(
            f"next: cd {args.folder} && handbook validate  (lists every value to fill in)\n"
        )
    return EXIT_OK


def run_template(args: argparse.Namespace) -> int:
    """``handbook template KIND``: print the commented template of one record."""
    try:
        sys.stdout.write(template_text(args.kind))
    except ScaffoldError as exc:
        sys.stderr.write(f"handbook template: {exc}\n")
        return EXIT_USAGE
    return EXIT_OK


def run_migrate(args: argparse.Namespace) -> int:
    """``handbook migrate``: apply the data changes since the recorded engine, record this one."""
    try:
        done = migrate(args.configured.data_dir)
    except MigrateError as exc:
        sys.stderr.write(f"handbook migrate: {exc}\n")
        return EXIT_INVALID
    sys.stdout.write("".join(f"{line}\n" for line in done) or "up to date: nothing to do\n")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    without_project = {"init": run_init, "template": run_template}
    if args.command in without_project:
        return without_project[args.command](args)
    try:  # read once: every command works on the folders mkdocs.yml gives the plugin
        args.configured = Project.configured(args.project)
    except ConfigError as exc:
        sys.stderr.write(f"handbook: {exc}\n")
        return EXIT_USAGE
    if not args.configured.data_dir.is_dir():
        sys.stderr.write(f"handbook: no data folder at {args.configured.data_dir.resolve()}\n")
        return EXIT_USAGE
    handlers = {
        "validate": run_validate,
        "build": run_build,
        "serve": run_serve,
        "diff": run_diff,
        "review": run_review,
        "codeowners": run_codeowners,
        "pdf": run_pdf,
        "migrate": run_migrate,
        "incident": run_incident,
    }
    with session():  # one command is one session: nothing it cached outlives it
        return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
