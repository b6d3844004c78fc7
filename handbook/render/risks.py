"""Risk pages, the risk register and its likelihood x impact heat map."""

from __future__ import annotations

from collections.abc import Callable

from handbook import markup
from handbook.clocks import review_clock
from handbook.model import Handbook, Risk
from handbook.render.common import owner_link, quickref_box, section, title_link
from handbook.render.extensions import more
from handbook.render.review import clock_summary
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
_MAX_DOTS = 8


def band(score: int) -> tuple[str, str]:
    """(name, fill colour) of the band a score falls in."""
    return next((name, fill) for low, name, fill in BANDS if score >= low)


def ranked_risks(handbook: Handbook) -> list[Risk]:
    """Every risk, highest score first, then highest impact, then title; unrated ones last."""
    return sorted(handbook.risks, key=lambda r: (-(r.score or 0), -(r.impact or 0), r.title, r.id))


def score_badge(risk: Risk) -> str:
    """``L x I = score`` in a badge coloured by its band; ``not rated`` without a rating."""
    if risk.score is None:
        return markup.muted("not rated")
    name, _ = band(risk.score)
    return (
        f'<span class="handbook-badge handbook-risk-{name}" title="{name}">'
        f"{risk.likelihood} {_TIMES} {risk.impact} = {risk.score}</span>"
    )


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


def render_risk(ctx: Context, risk_id: str) -> str:
    """A risk's page: score, owner, status, description and mitigations."""
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
    return markup.block(
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


def _dots(ctx: Context, risks: list[Risk], x: int, y: int) -> str:
    """One linked dot per risk (up to eight, centred) along the bottom of a cell."""
    shown = risks[:_MAX_DOTS]
    dots = []
    for n, risk in enumerate(shown):
        row, col = divmod(n, _DOTS_PER_ROW)
        in_row = min(_DOTS_PER_ROW, len(shown) - row * _DOTS_PER_ROW)
        cx = x + _CELL // 2 + col * 14 - (in_row - 1) * 7
        cy = y + _CELL - 9 - row * 12
        dot = (
            f'<circle class="handbook-heat-dot" cx="{cx}" cy="{cy}" r="5" fill="#37474f">'
            f"<title>{markup.esc(risk.title)}</title></circle>"
        )
        target = record_source("risks", risk.id)
        if ctx.site.has(target):
            dot = f'<a href="{markup.esc(ctx.url(target))}">{dot}</a>'
        dots.append(dot)
    return "".join(dots)


def _cell(ctx: Context, likelihood: int, impact: int, risks: list[Risk]) -> str:
    x = _LEFT + (impact - 1) * _CELL
    y = _TOP + (5 - likelihood) * _CELL
    name, fill = band(likelihood * impact)
    names = "; ".join(r.title for r in risks) or "no risks"
    tooltip = f"Likelihood {likelihood}, impact {impact} ({name}): {names}"
    count_class = "handbook-heat-count" + ("" if risks else " handbook-heat-empty")
    opacity = "" if risks else ' fill-opacity="0.4"'
    return (
        f'<g class="handbook-heat-{name}"><title>{markup.esc(tooltip)}</title>'
        f'<rect class="handbook-heat-cell" x="{x}" y="{y}" width="{_CELL}" height="{_CELL}" '
        f'fill="{fill}" stroke="#ffffff" stroke-width="2"/>'
        f'<text class="{count_class}" x="{x + _CELL // 2}" y="{y + 30}" text-anchor="middle" '
        f'font-size="20" fill="#212121"{opacity}>{len(risks)}</text>'
        f"{_dots(ctx, risks, x, y)}</g>"
    )


def _axes() -> str:
    grid_bottom = _TOP + 5 * _CELL
    labels = []
    for n in range(1, 6):
        labels.append(
            f'<text x="{_LEFT + (n - 1) * _CELL + _CELL // 2}" y="{grid_bottom + 18}" '
            f'text-anchor="middle" font-size="13" fill="currentColor">{n}</text>'
        )
        labels.append(
            f'<text x="{_LEFT - 10}" y="{_TOP + (5 - n) * _CELL + _CELL // 2 + 5}" '
            f'text-anchor="end" font-size="13" fill="currentColor">{n}</text>'
        )
    middle_y = _TOP + 5 * _CELL // 2
    labels.append(
        f'<text x="{_LEFT + 5 * _CELL // 2}" y="{grid_bottom + 40}" text-anchor="middle" '
        'font-size="14" font-weight="bold" fill="currentColor">Impact →</text>'
    )
    labels.append(
        f'<text x="16" y="{middle_y}" text-anchor="middle" font-size="14" font-weight="bold" '
        f'fill="currentColor" transform="rotate(-90 16 {middle_y})">Likelihood →</text>'
    )
    return "".join(labels)


def render_risk_heatmap(ctx: Context) -> str:
    """A 5 x 5 likelihood x impact heat map as inline SVG, each risk linked to its page.

    Unrated risks have no place on it: the legend says how many were left off.
    """
    ranked = ranked_risks(ctx.handbook)
    risks = [r for r in ranked if r.score is not None]
    unrated = len(ranked) - len(risks)
    cells = "".join(
        _cell(
            ctx,
            likelihood,
            impact,
            [r for r in risks if (r.likelihood, r.impact) == (likelihood, impact)],
        )
        for likelihood in range(5, 0, -1)
        for impact in range(1, 6)
    )
    width = _LEFT + 5 * _CELL + 8
    height = _TOP + 5 * _CELL + _BOTTOM
    label = (
        f"Risk heat map: {len(risks)} risks by likelihood (1 to 5, bottom to top) "
        "and impact (1 to 5, left to right)"
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{markup.esc(label)}" class="handbook-heatmap" '
        f'style="max-width: {width * 3 // 2}px; width: 100%; height: auto">'
        f"<title>{markup.esc(label)}</title>{cells}{_axes()}</svg>"
    )
    legend = " ".join(
        f'<span class="handbook-badge handbook-risk-{name}" style="background: {fill}; '
        f'color: #212121">{name} (score {low}+)</span>'
        for low, name, fill in reversed(BANDS)
    )
    if unrated:
        legend += f" · {unrated} unrated risk{'' if unrated == 1 else 's'} not shown"
    return markup.block(
        f'<figure class="handbook-heatmap-figure">{svg}<figcaption>{legend}</figcaption></figure>'
    )


# The macros pages may call, by name (collected by handbook.render.catalogue).
MACROS: dict[str, Callable[..., str]] = {
    "risks": render_risks,
    "risk_heatmap": render_risk_heatmap,
}
