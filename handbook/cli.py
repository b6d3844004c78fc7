"""The ``handbook`` command line."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path

from handbook.pipeline import Project, validate
from handbook.report import FORMATS

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


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
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("validate", help="check the data; exit 1 when invalid")
    check.add_argument("--format", choices=sorted(FORMATS), default="text")
    check.add_argument("--today", type=_date, help="date to judge review deadlines by")
    build = commands.add_parser("build", help="validate, then build the site with MkDocs")
    build.add_argument("--site-dir", type=Path, help="where to write the site")
    return parser


def run_validate(args: argparse.Namespace) -> int:
    """``handbook validate``: print every problem; exit 1 when any is an error."""
    result = validate(Project.at(args.project), today=args.today)
    sys.stdout.write(FORMATS[args.format](result.diagnostics, result.files))
    return EXIT_OK if result.ok else EXIT_INVALID


def run_build(args: argparse.Namespace) -> int:
    """``handbook build``: validate, then run a strict MkDocs build."""
    result = validate(Project.at(args.project))
    if not result.ok:
        sys.stderr.write(FORMATS["text"](result.diagnostics, result.files))
        return EXIT_INVALID
    from mkdocs.commands.build import build as mkdocs_build  # MkDocs only when building
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    # Show MkDocs' own warnings: in strict mode any of them fails the build.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handler.setLevel(logging.WARNING)
    logging.getLogger("mkdocs").addHandler(handler)
    options = {"strict": True}
    if args.site_dir is not None:
        options["site_dir"] = str(args.site_dir.resolve())
    try:
        config = load_config(str(args.project / "mkdocs.yml"), **options)
        mkdocs_build(config)
    except MkDocsException as exc:
        sys.stderr.write(f"handbook build: {exc}\n")
        return EXIT_INVALID
    except (ImportError, OSError) as exc:  # a broken site set-up, not a bug of ours
        sys.stderr.write(f"handbook build: {type(exc).__name__}: {exc}\n")
        return EXIT_INVALID
    sys.stdout.write(f"handbook build: site written to {config.site_dir}\n")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    if not (args.project / "data").is_dir():
        sys.stderr.write(f"handbook: no data/ folder in {args.project.resolve()}\n")
        return EXIT_USAGE
    handlers = {"validate": run_validate, "build": run_build}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
