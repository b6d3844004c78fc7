"""Which edition of the site a build makes, and the site described for it.

The audience and whether PDFs are written (the caller's choice, an environment override,
the project's setting), the build date, and the ``Site`` of the project's data for that
edition, kept while the data, the date and the git tags stay the same.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from handbook.history import git_releases
from handbook.memo import Recent, owned
from handbook.pipeline import Project, Result, validate_cached
from handbook.site import AUDIENCES, Audience, Site


class SiteError(Exception):
    """The site cannot be built: invalid data or settings (the message says which)."""


def build_date() -> dt.date:
    """Today, or the date of ``SOURCE_DATE_EPOCH`` when set, so builds can be reproduced."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return dt.date.today()
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()


def resolve_audience(chosen: object = None, configured: object = None) -> Audience:
    """Who a build is for: the first that is set of these, else internal.

    The caller's explicit choice (``handbook build --audience``), ``HANDBOOK_AUDIENCE``, the
    project's setting (the plugin's ``audience`` option).
    """
    value = chosen or os.environ.get("HANDBOOK_AUDIENCE") or configured or "internal"
    if value not in AUDIENCES:
        raise SiteError(f"audience must be one of {', '.join(AUDIENCES)}, not {value!r}")
    return value  # type: ignore[return-value]


def resolve_pdfs(chosen: bool | None = None, configured: object = None) -> bool:
    """Whether a build writes the PDFs: the first that is set of these, else no.

    The caller's explicit choice (``handbook build --pdf``), ``HANDBOOK_PDF``, the project's
    setting (the plugin's ``pdf`` option).
    """
    if chosen is not None:
        return chosen
    value = os.environ.get("HANDBOOK_PDF")
    if value:
        return value.strip().lower() in ("1", "true", "yes", "on")
    return configured is True


# The latest sites described (each edition of a serve session, and the tests' projects).
_SITES: Recent[tuple[Path, Audience, bool, bool], tuple[object, Site]] = owned(Recent(8))


def load_site(
    root: Path,
    audience: Audience,
    directory_urls: bool,
    pdfs: bool = False,
    result: Result | None = None,
) -> Site:
    """Validate the project (once per state of its files) and describe the site to build.

    ``result`` is the project's validation when the caller has it already. The site is kept
    while the validation result, the date and the git tags stay the same: a public site's
    view (and the model's lookup indexes) are built once.
    """
    result = result or validate_cached(Project.configured(root))
    if result.handbook is None:
        raise SiteError("invalid handbook data")
    key = (root.resolve(), audience, directory_urls, pdfs)
    today = build_date()
    releases = git_releases(root)
    cached = _SITES.get(key)
    if (
        cached is not None
        and cached[0] is result
        and cached[1].today == today
        and cached[1].releases == releases
    ):
        return cached[1]
    site = Site(result.handbook, today, audience, directory_urls, pdfs=pdfs, releases=releases)
    _SITES.put(key, (result, site))
    return site


def edition(site: Site) -> str:
    """The line every page footer (and printout) carries: version, build date, audience."""
    version = site.handbook.info.handbook_version
    return f"Handbook version {version} · built {site.today.isoformat()} · {site.audience}"
