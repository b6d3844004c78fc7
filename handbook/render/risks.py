"""Risk pages, the risk register and its likelihood x impact heat map."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from handbook import markup
from handbook.clocks import review_clock
from handbook.model import Handbook, Risk, RiskChange
from handbook.render.common import owner_link, quickref_box, section, title_link, unindexed
from handbook.render.extensions import more
from handbook.render.review import clock_summary
from handbook.risk_history import history_versions, ratings_as_of, version_key
from handbook.site import Context, record_source

# (lowest score of the band, band name, fill colour); text stays dark on every fill.
BANDS = (
    (20, "critical", "#ef9a9a"),
    (10, "high", "#ffcc80"),
    (5, "medium", "#fff59d"),
    (1, "low", "#c8e6c9"),
)
_TIMES = "\u00d7"  # the multiplication sign
_CELL = 64
_LEFT = 56  # room for the likelihood axis
_TOP = 8
_BOTTOM = 48  # room for the impact axis
_DOTS_PER_ROW = 4
_SPACING = 16  # between dots' centres: a quarter of a cell
_MAX_DOTS = 8


def band(score: int) -> tuple[str, str]:
    """(name, fill colour) of the band a score falls in."""
    return next((name, fill) for low, name, fill in BANDS if score >= low)


def ranked_risks(handbook: Handbook) -> list[Risk]:
    """Every risk, highest score first, then highest impact, then title; unrated ones last."""
    return sorted(handbook.risks, key=lambda r: (-(r.score or 0), -(r.impact or 0), r.title, r.id))


def rating_badge(likelihood: int, impact: int) -> str:
    """``L x I = score`` in a badge coloured by its band."""
    score = likelihood * impact
    name, _ = band(score)
    return (
        f'<span class="handbook-badge handbook-risk-{name}" title="{name}">'
        f"{likelihood} {_TIMES} {impact} = {score}</span>"
    )


def score_badge(risk: Risk) -> str:
    """``L x I = score`` in a badge coloured by its band; ``not rated`` without a rating."""
    if risk.likelihood is None or risk.impact is None:
        return markup.muted("not rated")
    return rating_badge(risk.likelihood, risk.impact)


def _said(value: str | None) -> str:
    """A value as text, or that the register does not say it."""
    return markup.esc(value) if value else markup.muted("not stated")


def _facts(ctx: Context, risk: Risk) -> list[tuple[str, str]]:
    """The quick-reference rows of a risk's page."""
    if risk.score is None:
        rows = [("Score", score_badge(risk))]
    else:
        rows = [
            ("Score", f"{score_badge(risk)} ({markup.esc(band(risk.score)[0])})"),
            ("Likelihood", f"{risk.likelihood} of 5"),
            ("Impact", f"{risk.impact} of 5"),
        ]
    if risk.inherent:
        inherent = risk.inherent.likelihood * risk.inherent.impact
        rows.append(
            (
                "Before controls",
                f"{risk.inherent.likelihood} {_TIMES} {risk.inherent.impact} = {inherent}",
            )
        )
    rows += [
        ("Status", _said(risk.status)),
        ("Treatment", _said(risk.treatment)),
        ("Owner", owner_link(ctx, risk.owner) if risk.owner else _said(None)),
    ]
    if risk.due:
        rows.append(("Treatment due", risk.due.isoformat()))
    if risk.introduced_in:
        rows.append(("Introduced in", markup.esc(risk.introduced_in)))
    if risk.categories:
        rows.append(("Categories", markup.esc(", ".join(risk.categories))))
    return rows


def _mitigations(ctx: Context, risk: Risk) -> list[str]:
    return [
        *(title_link(ctx, "runbooks", r) for r in risk.mitigations.runbooks),
        *(title_link(ctx, "interventions", i) for i in risk.mitigations.interventions),
    ]


def _cause(ctx: Context, change: RiskChange) -> str:
    """What changed the rating: a link to the incident or exercise, or a release review.

    A record the handbook being rendered leaves out (the public edition keeps only reviewed,
    public incidents) is not named: its title may be internal.
    """
    for kind, record_id, noun in (
        ("incidents", change.incident, "Incident"),
        ("exercises", change.exercise, "Exercise"),
    ):
        if record_id is None:
            continue
        try:
            record = ctx.handbook.get(kind, record_id)
        except KeyError:
            return markup.muted(f"{noun} (not published)")
        return f"{noun}: {ctx.ref(kind, record_id, record.title)}"
    return "Release review"


def _moves(risk: Risk) -> list[tuple[RiskChange, str]]:
    """Each change of a risk with its rating change as badges: ``before -> after``.

    Before is the change's ``was`` or, when it does not say, the change before it (rule
    ``risk-history`` keeps the two equal); the first change without ``was`` shows only after.
    """
    moves = []
    before: tuple[int, int] | None = None
    for change in risk.history:
        if change.was is not None:
            before = (change.was.likelihood, change.was.impact)
        after = rating_badge(change.likelihood, change.impact)
        moves.append((change, f"{rating_badge(*before)} \u2192 {after}" if before else after))
        before = (change.likelihood, change.impact)
    return moves


def _history(ctx: Context, risk: Risk) -> str:
    """A risk's changes, oldest first: date, version, rating before and after, cause, note."""
    rows = [
        [
            change.date.isoformat(),
            markup.esc(change.version),
            moved,
            _cause(ctx, change),
            markup.markdown(change.note),
        ]
        for change, moved in _moves(risk)
    ]
    return markup.table(
        ["Date", "Version", f"Rating (L {_TIMES} I)", "Cause", "Why"],
        rows,
        "handbook-risk-history",
    )


def render_risk(ctx: Context, risk_id: str) -> str:
    """A risk's page: score, owner, status, description, mitigations and history."""
    hb = ctx.handbook
    risk = hb.get("risks", risk_id)
    quickref = [
        *_facts(ctx, risk),
        ("Last reviewed", clock_summary(ctx, review_clock(hb, "risks", risk.id))),
    ]
    mitigations = _mitigations(ctx, risk)
    return "\n".join(
        [
            f"# {markup.md_inline(risk.title)}\n",
            quickref_box(quickref),
            markup.block(markup.markdown(risk.description), css_class="handbook handbook-summary"),
            *(
                [section("Controls in place", markup.items(markup.esc(c) for c in risk.controls))]
                if risk.controls
                else []
            ),
            section(
                "Mitigations",
                markup.items_or(mitigations, "No runbook or intervention mitigates it yet."),
            ),
            *([section("History", _history(ctx, risk))] if risk.history else []),
            *([more(risk.extensions)] if risk.extensions else []),
            markup.block("<p>" + ctx.link("risks.md", "Risk register and heat map") + "</p>"),
        ]
    )


def render_risks(ctx: Context) -> str:
    """The register: every risk by score, with status, owner, release and mitigations."""
    rows = [
        [
            ctx.ref("risks", r.id, r.title)
            + "".join(
                f' <span class="handbook-badge handbook-category">{markup.esc(c)}</span>'
                for c in r.categories
            ),
            score_badge(r),
            _said(r.status),
            owner_link(ctx, r.owner) if r.owner else _said(None),
            _said(r.introduced_in),
            ", ".join(_mitigations(ctx, r)) or markup.muted("none"),
            r.last_reviewed.isoformat() if r.last_reviewed else "never",
        ]
        for r in ranked_risks(ctx.handbook)
    ]
    return unindexed(
        markup.table(
            [
                "Risk",
                f"Score (L {_TIMES} I)",
                "Status",
                "Owner",
                "Introduced in",
                "Mitigations",
                "Last reviewed",
            ],
            rows,
            "handbook-risk-register",
        )
    )


def _dots(ctx: Context, risks: list[Risk], x: int, y: int, where: str) -> str:
    """One linked dot per risk (up to eight, centred) along the bottom of a cell.

    Each link is named by its risk and ``where`` (the cell's rating), and is tapped on a
    transparent circle of ``_SPACING`` units round the dot: 24 px across where the map is
    drawn at its full width (WCAG 2.2 target size), its neighbours' just touching it.
    """
    shown = risks[:_MAX_DOTS]
    dots = []
    for n, risk in enumerate(shown):
        row, col = divmod(n, _DOTS_PER_ROW)
        in_row = min(_DOTS_PER_ROW, len(shown) - row * _DOTS_PER_ROW)
        cx = x + _CELL // 2 + col * _SPACING - (in_row - 1) * _SPACING // 2
        cy = y + _CELL - 9 - row * _SPACING
        dot = (
            f'<circle class="handbook-heat-dot" cx="{cx}" cy="{cy}" r="5" fill="#37474f">'
            f"<title>{markup.esc(risk.title)}</title></circle>"
        )
        target = record_source("risks", risk.id)
        if ctx.site.has(target):
            name = f"{risk.title}: {where}"
            dot = (
                f'<a href="{markup.esc(ctx.url(target))}" aria-label="{markup.esc(name)}">'
                f'<circle class="handbook-heat-target" cx="{cx}" cy="{cy}" '
                f'r="{_SPACING // 2}" fill="#ffffff" fill-opacity="0"/>{dot}</a>'
            )
        dots.append(dot)
    return "".join(dots)


def _cell(ctx: Context, likelihood: int, impact: int, risks: list[Risk]) -> str:
    x = _LEFT + (impact - 1) * _CELL
    y = _TOP + (5 - likelihood) * _CELL
    name, fill = band(likelihood * impact)
    names = "; ".join(r.title for r in risks) or "no risks"
    tooltip = f"Likelihood {likelihood}, impact {impact} ({name}): {names}"
    where = f"likelihood {likelihood} {_TIMES} impact {impact} = {likelihood * impact} ({name})"
    count_class = "handbook-heat-count" + ("" if risks else " handbook-heat-empty")
    opacity = "" if risks else ' fill-opacity="0.4"'
    return (
        f'<g class="handbook-heat-{name}"><title>{markup.esc(tooltip)}</title>'
        f'<rect class="handbook-heat-cell" x="{x}" y="{y}" width="{_CELL}" height="{_CELL}" '
        f'fill="{fill}" stroke="#ffffff" stroke-width="2"/>'
        f'<text class="{count_class}" x="{x + _CELL // 2}" y="{y + 30}" text-anchor="middle" '
        f'font-size="20" fill="#212121"{opacity} aria-hidden="true">{len(risks)}</text>'
        f"{_dots(ctx, risks, x, y, where)}</g>"
    )


def _axes() -> str:
    grid_bottom = _TOP + 5 * _CELL
    labels = []
    for n in range(1, 6):
        labels.append(
            f'<text x="{_LEFT + (n - 1) * _CELL + _CELL // 2}" y="{grid_bottom + 18}" '
            f'text-anchor="middle" font-size="13" fill="currentColor" aria-hidden="true">{n}</text>'
        )
        labels.append(
            f'<text x="{_LEFT - 10}" y="{_TOP + (5 - n) * _CELL + _CELL // 2 + 5}" '
            f'text-anchor="end" font-size="13" fill="currentColor" aria-hidden="true">{n}</text>'
        )
    middle_y = _TOP + 5 * _CELL // 2
    labels.append(
        f'<text x="{_LEFT + 5 * _CELL // 2}" y="{grid_bottom + 40}" text-anchor="middle" '
        'font-size="14" font-weight="bold" fill="currentColor" aria-hidden="true">'
        "Impact →</text>"
    )
    labels.append(
        f'<text x="16" y="{middle_y}" text-anchor="middle" font-size="14" font-weight="bold" '
        f'fill="currentColor" transform="rotate(-90 16 {middle_y})" aria-hidden="true">'
        "Likelihood →</text>"
    )
    return "".join(labels)


# A risk and the likelihood and impact it is drawn at on a heat map.
Placed = tuple[Risk, int, int]


def _ranked(placed: Sequence[Placed]) -> list[Placed]:
    """Highest score first, then highest impact, then title: the order ``ranked_risks`` uses."""
    return sorted(placed, key=lambda p: (-(p[1] * p[2]), -p[2], p[0].title, p[0].id))


def heatmap(ctx: Context, placed: Sequence[Placed], left_off: str = "", what: str = "") -> str:
    """A 5 x 5 likelihood x impact heat map as inline SVG, each risk linked to its page.

    ``placed`` gives each risk with the rating it is drawn at (its current one, or the one
    it had at some version), in the order its dots take within a cell; ``left_off`` says in
    the legend which risks have no place on it, ``what`` (" as of version 2.0") what the
    map shows.
    """
    cells_risks: dict[tuple[int, int], list[Risk]] = {}
    for risk, likelihood, impact in placed:
        cells_risks.setdefault((likelihood, impact), []).append(risk)
    cells = "".join(
        _cell(ctx, likelihood, impact, cells_risks.get((likelihood, impact), []))
        for likelihood in range(5, 0, -1)
        for impact in range(1, 6)
    )
    width = _LEFT + 5 * _CELL + 8
    height = _TOP + 5 * _CELL + _BOTTOM
    label = (
        f"Risk heat map{what}: {len(placed)} risks by likelihood (1 to 5, bottom to top) "
        "and impact (1 to 5, left to right)"
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="group" aria-label="{markup.esc(label)}" class="handbook-heatmap" '
        f'style="max-width: {width * 3 // 2}px; width: 100%; height: auto">'
        f"<title>{markup.esc(label)}</title>{cells}{_axes()}</svg>"
    )
    legend = " ".join(
        f'<span class="handbook-badge handbook-risk-{name}" style="background: {fill}; '
        f'color: #212121">{name} (score {low}+)</span>'
        for low, name, fill in reversed(BANDS)
    )
    if left_off:
        legend += f" · {markup.esc(left_off)}"
    return markup.block(
        f'<figure class="handbook-heatmap-figure">{svg}<figcaption>{legend}</figcaption></figure>'
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def render_risk_heatmap(ctx: Context) -> str:
    """The heat map of the register as it stands: every rated risk at its current rating.

    Unrated risks have no place on it: the legend says how many were left off.
    """
    ranked = ranked_risks(ctx.handbook)
    placed = [
        (r, r.likelihood, r.impact)
        for r in ranked
        if r.likelihood is not None and r.impact is not None
    ]
    unrated = len(ranked) - len(placed)
    return heatmap(ctx, placed, f"{_plural(unrated, 'unrated risk')} not shown" if unrated else "")


def _as_of(ctx: Context, version: str) -> str:
    """The heat map as the register stood at ``version``: each risk's last change by then."""
    placed = _ranked(
        [(r, c.likelihood, c.impact) for r, c in ratings_as_of(ctx.handbook.risks, version)]
    )
    missing = len(ctx.handbook.risks) - len(placed)
    return heatmap(
        ctx,
        placed,
        f"{_plural(missing, 'risk')} with no recorded rating by version {version} not shown"
        if missing
        else "",
        f" as of version {version}",
    )


def render_risk_heatmap_as_of(ctx: Context, version: str | None = None) -> str:
    """The heat map as it stood at a handbook version, from the risks' histories.

    Each risk is drawn at the rating of its latest change that landed in ``version`` or
    before; a risk with no change by then is left off (the legend says how many). Without
    a version: the handbook's own (``handbook_version``).
    """
    if version is None:
        version = ctx.handbook.info.handbook_version
    try:
        version_key(version)
    except (AttributeError, ValueError):
        raise ValueError(
            f'risk_heatmap_as_of: {version!r} is not a handbook version such as "2.1"'
        ) from None
    return _as_of(ctx, version)


def _version_label(ctx: Context, version: str) -> str:
    """A version with its publication date from the document control, or that it is next."""
    key = version_key(version)
    for published in ctx.handbook.policy.document_control.versions:
        if version_key(published.version) == key:
            return f"{version} (published {published.date.isoformat()})"
    if key >= version_key(ctx.handbook.info.handbook_version):  # the release in the works
        return f"{version} (not yet published)"
    return version


def render_risk_history(ctx: Context) -> str:
    """The register across releases, from the risks' histories.

    For every version named in any history, oldest first: the changes that landed in it
    and the heat map as the register stood then.
    """
    hb = ctx.handbook
    versions = history_versions(hb.risks)
    if not versions:
        return markup.block(
            '<p class="handbook-muted">No risk records a change of its rating yet: give a '
            "risk a <code>history</code> in data/risks.yml.</p>"
        )
    landed: dict[tuple[int, ...], list[tuple[RiskChange, list[str]]]] = {}
    for risk in ranked_risks(hb):
        for change, moved in _moves(risk):
            landed.setdefault(version_key(change.version), []).append(
                (
                    change,
                    [
                        change.date.isoformat(),
                        ctx.ref("risks", risk.id, risk.title),
                        moved,
                        _cause(ctx, change),
                    ],
                )
            )
    parts = []
    for version in versions:
        rows = [row for _, row in sorted(landed[version_key(version)], key=lambda c: c[0].date)]
        parts.append(f"\n### Version {markup.esc(_version_label(ctx, version))}\n")
        parts.append(
            markup.block(
                markup.table(
                    ["Date", "Risk", f"Rating (L {_TIMES} I)", "Cause"],
                    rows,
                    "handbook-risk-changes",
                )
            )
        )
        parts.append(_as_of(ctx, version))
    return "".join(parts)


# The macros pages may call, by name (collected by handbook.render.catalogue).
MACROS: dict[str, Callable[..., str]] = {
    "risks": render_risks,
    "risk_heatmap": render_risk_heatmap,
    "risk_heatmap_as_of": render_risk_heatmap_as_of,
    "risk_history": render_risk_history,
}
