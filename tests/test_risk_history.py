"""A risk's history across releases: the rule that keeps it honest, its page and the heat
map as the register stood at an earlier version."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from handbook.diagnostics import Level
from handbook.load import load_data
from handbook.model import Handbook
from handbook.pipeline import Project, validate
from handbook.references import build_index
from handbook.render import risks
from handbook.risk_history import (
    change_as_of,
    history_versions,
    ratings_as_of,
    risk_history,
    version_key,
)
from handbook.rules import RuleContext
from handbook.site import Site
from tests.conftest import REPO, TODAY, make_project

RISKS = """\
# Risks with their history across releases.
- id: oracle-manipulation
  title: Oracle price manipulation
  description: An attacker moves the price feed to borrow too much.
  likelihood: 3
  impact: 5
  owner: secops
  mitigations:
    runbooks:
      - exploit-in-progress
    interventions:
      - pause-pool
  status: open
  introduced_in: v1.0.0
  last_reviewed: "2026-10-01"
  history:
    - date: 2026-03-01
      version: "0.9"
      likelihood: 2
      impact: 5
      note: Rated at the first release review.
    - date: 2026-09-05
      version: "1.0"
      likelihood: 3
      impact: 5
      was: {likelihood: 2, impact: 5}
      incident: 2026-09-oracle-drain
      note: The drain showed that a thin market can move the feed.
- id: single-cloud
  title: Single cloud region
  description: One region hosts the whole API.
  likelihood: 3
  impact: 3
  owner: carla-diaz
  mitigations:
    runbooks:
      - api-outage
  status: accepted
  introduced_in: v1.2.0
  last_reviewed: "2026-09-10"
  review_interval_days: 120
  history:
    - date: 2026-08-01
      version: "1.0"
      likelihood: 3
      impact: 3
      exercise: 2026-08-region-failover
      note: The failover drill took two hours, not the twenty minutes we planned.
"""

INCIDENT = """\
# An incident that changed a risk's rating.
id: 2026-09-oracle-drain
title: Thin-market oracle drain of the stable pool
severity: P1
status: resolved
detected:
  at: "2026-09-05T02:00Z"
  source: Outflow alert on the stable pool
"""

EXERCISE = """\
# An exercise that rated a risk.
id: 2026-08-region-failover
title: Failover of the API to the second region
date: 2026-08-01
kind: restore-test
"""


def _project(tmp_path: Path, risks_text: str = RISKS) -> Path:
    """The base fixture with an incident, an exercise and risks that record their history."""
    project = make_project(tmp_path)
    data = project / "data"
    (data / "incidents").mkdir()
    (data / "incidents" / "2026-09-oracle-drain.yml").write_text(INCIDENT, encoding="utf-8")
    (data / "exercises").mkdir()
    (data / "exercises" / "2026-08-region-failover.yml").write_text(EXERCISE, encoding="utf-8")
    (data / "risks.yml").write_text(risks_text, encoding="utf-8")
    # Once exercises are recorded they, not typed dates, say when an intervention was drilled.
    interventions = data / "interventions.yml"
    kept = [
        line
        for line in interventions.read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.lstrip().startswith("last_drilled:")
    ]
    interventions.write_text("".join(kept), encoding="utf-8")
    return project


def _found(project: Path) -> list[str]:
    """The rule's diagnostics on the project's data, as ``file:line:column: message``."""
    loaded = load_data(project / "data", project)
    context = RuleContext(loaded, build_index(loaded)[0], TODAY)
    found = []
    for d in risk_history(context):
        assert d.rule == "risk-history" and d.level is Level.ERROR
        found.append(f"{d.file}:{d.line}:{d.column}: {d.path}: {d.message}")
    return found


def _at(text: str, line_text: str, value: str) -> str:
    """``data/risks.yml:line:column`` of ``value`` on the first line holding ``line_text``."""
    lines = text.splitlines()
    number = next(n for n, line in enumerate(lines) if line_text in line)
    return f"data/risks.yml:{number + 1}:{lines[number].index(value) + 1}"


def _model(project: Path) -> Handbook:
    result = validate(Project(project, project / "data", project / "schemas"), today=TODAY)
    assert result.handbook is not None, [str(d) for d in result.diagnostics]
    assert not [d for d in result.diagnostics if d.rule in ("schema", "risk-history")]
    return result.handbook


@pytest.fixture
def handbook(tmp_path: Path) -> Handbook:
    return _model(_project(tmp_path))


# --- the rule ---------------------------------------------------------------------------


def test_a_clean_history_passes(tmp_path: Path) -> None:
    assert _found(_project(tmp_path)) == []


def test_the_shipped_histories_pass_and_end_at_the_current_ratings() -> None:
    assert _found(REPO) == []
    loaded = load_data(REPO / "data", REPO)
    (document,) = loaded.documents["risks"]
    with_history = [r for r in document.data if "history" in r]
    assert len(with_history) >= 3
    for risk in with_history:
        last = risk["history"][-1]
        assert (last["likelihood"], last["impact"]) == (risk["likelihood"], risk["impact"])
    causes = {key for r in with_history for change in r["history"] for key in change}
    assert {"incident", "exercise"} <= causes


def test_changes_out_of_date_order_are_an_error_at_the_date(tmp_path: Path) -> None:
    text = RISKS.replace("- date: 2026-09-05", "- date: 2026-02-01")
    assert _found(_project(tmp_path, text)) == [
        f"{_at(text, '- date: 2026-02-01', '2026-02-01')}: $[0].history[1].date: "
        "change dated 2026-02-01 comes after one dated 2026-03-01: list the changes oldest first"
    ]


def test_a_history_that_does_not_end_at_the_current_rating_is_an_error_at_its_last_change(
    tmp_path: Path,
) -> None:
    text = RISKS.replace("  likelihood: 3\n  impact: 5\n", "  likelihood: 4\n  impact: 5\n", 1)
    assert _found(_project(tmp_path, text)) == [
        f"{_at(text, '- date: 2026-09-05', 'date')}: $[0].history[1]: the register says 4×5 "
        "but its history ends at 3×5 on 2026-09-05: the last change's rating is the risk's "
        "current likelihood and impact"
    ]


def test_a_rating_before_that_is_not_the_previous_change_is_an_error_at_was(
    tmp_path: Path,
) -> None:
    text = RISKS.replace("was: {likelihood: 2, impact: 5}", "was: {likelihood: 1, impact: 5}")
    assert _found(_project(tmp_path, text)) == [
        f"{_at(text, 'was: {likelihood: 1', '{')}: $[0].history[1].was: was 1×5, but the "
        "change before on 2026-03-01 left it at 2×5"
    ]


def test_a_change_dated_in_the_future_is_an_error_at_the_date(tmp_path: Path) -> None:
    text = RISKS.replace("- date: 2026-08-01", "- date: 2026-12-24")
    assert _found(_project(tmp_path, text)) == [
        f"{_at(text, '- date: 2026-12-24', '2026-12-24')}: $[1].history[0].date: "
        "change dated 2026-12-24 is in the future"
    ]


def test_a_change_in_an_earlier_version_than_the_one_before_is_an_error_at_the_version(
    tmp_path: Path,
) -> None:
    earlier = 'version: "0.8"'
    text = RISKS.replace('version: "1.0"', earlier, 1)
    assert _found(_project(tmp_path, text)) == [
        f"{_at(text, earlier, chr(34))}: $[0].history[1].version: "
        "change in version 0.8 comes after one in version 0.9: a later change lands in the "
        "same version or a later one"
    ]


def test_the_schema_refuses_both_an_incident_and_an_exercise_and_an_empty_history(
    tmp_path: Path,
) -> None:
    both = RISKS.replace(
        "      incident: 2026-09-oracle-drain\n",
        "      incident: 2026-09-oracle-drain\n      exercise: 2026-08-region-failover\n",
    )
    empty = RISKS.replace(
        RISKS[RISKS.index("  history:\n    - date: 2026-08-01") :], "  history: []\n"
    )
    for text, where in ((both, "$[0].history[1]"), (empty, "$[1].history")):
        project = _project(tmp_path / where.replace("$", "x"), text)
        result = validate(Project(project, project / "data", project / "schemas"), today=TODAY)
        assert [d.path for d in result.diagnostics if d.rule == "schema"] == [where]


# --- the model and the pages ------------------------------------------------------------


def test_versions_compare_by_their_numbers() -> None:
    assert version_key("2.10") > version_key("2.9") > version_key("2.1")
    assert version_key("2.1") == version_key("2.1.0")
    with pytest.raises(ValueError):
        version_key("2.x")


def test_the_model_holds_each_change(handbook: Handbook) -> None:
    oracle = handbook.get("risks", "oracle-manipulation")
    assert [(c.version, c.likelihood, c.impact) for c in oracle.history] == [
        ("0.9", 2, 5),
        ("1.0", 3, 5),
    ]
    assert oracle.history[1].was is not None and oracle.history[1].was.likelihood == 2
    assert oracle.history[1].incident == "2026-09-oracle-drain"
    assert history_versions(handbook.risks) == ["0.9", "1.0"]
    assert change_as_of(oracle, "0.9") == oracle.history[0]
    assert [r.id for r, _ in ratings_as_of(handbook.risks, "0.9")] == ["oracle-manipulation"]


def test_the_risk_page_shows_each_change_with_its_cause(handbook: Handbook) -> None:
    site = Site(handbook, TODAY)
    page = risks.render_risk(site.page("risks/oracle-manipulation.md"), "oracle-manipulation")
    history = page[page.index("## History") :]
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", history)
    assert len(rows) == 2
    assert rows[0].startswith("2026-03-01</td> <td>0.9</td> <td>")
    assert "Release review" in rows[0] and "Rated at the first release review." in rows[0]
    assert rows[1].startswith("2026-09-05</td> <td>1.0</td> <td>")
    assert (
        '<span class="handbook-badge handbook-risk-high" title="high">2 × 5 = 10</span> → '
        '<span class="handbook-badge handbook-risk-high" title="high">3 × 5 = 15</span>'
    ) in rows[1]
    assert (
        'Incident: <a href="../../incidents/2026-09-oracle-drain/">'
        "Thin-market oracle drain of the stable pool</a>"
    ) in rows[1]

    cloud = risks.render_risk(site.page("risks/single-cloud.md"), "single-cloud")
    assert (
        'Exercise: <a href="../../exercises/#exercise-2026-08-region-failover">'
        "Failover of the API to the second region</a>"
    ) in cloud


def test_the_public_page_does_not_name_an_incident_it_leaves_out(handbook: Handbook) -> None:
    site = Site(handbook, TODAY, audience="public")  # a resolved, not reviewed, incident
    page = risks.render_risk(site.page("risks/oracle-manipulation.md"), "oracle-manipulation")
    assert "Incident (not published)" in page
    assert "Thin-market oracle drain" not in page


def test_a_risk_without_history_has_no_history_section(tmp_path: Path) -> None:
    text = (
        RISKS[: RISKS.index("  history:\n    - date: 2026-03-01")]
        + RISKS[RISKS.index("- id: single-cloud") :]
    )
    hb = _model(_project(tmp_path, text))
    page = risks.render_risk(
        Site(hb, TODAY).page("risks/oracle-manipulation.md"), "oracle-manipulation"
    )
    assert "## History" not in page


def _cells(fragment: str) -> dict[str, str]:
    """Each heat-map cell's tooltip by its likelihood and impact: ``"3,5"`` -> the titles."""
    svg = ET.fromstring(fragment[fragment.index("<svg") : fragment.index("</svg>") + 6])
    ns = "{http://www.w3.org/2000/svg}"
    found = {}
    for group in svg.iter(f"{ns}g"):
        title = group.find(f"{ns}title")
        assert title is not None and title.text
        match = re.match(r"Likelihood (\d), impact (\d) \(\w+\): (.*)", title.text)
        assert match
        found[f"{match.group(1)},{match.group(2)}"] = match.group(3)
    return found


def test_the_heat_map_as_of_an_earlier_version_shows_the_rating_then(handbook: Handbook) -> None:
    ctx = Site(handbook, TODAY).page("risks.md")
    now = _cells(risks.render_risk_heatmap(ctx))
    then_fragment = risks.render_risk_heatmap_as_of(ctx, "0.9")
    then = _cells(then_fragment)
    assert now["3,5"] == "Oracle price manipulation" and now["2,5"] == "no risks"
    assert then["2,5"] == "Oracle price manipulation" and then["3,5"] == "no risks"
    # single-cloud had no rating by 0.9: left off, and the legend says so.
    assert now["3,3"] == "Single cloud region" and then["3,3"] == "no risks"
    assert "1 risk with no recorded rating by version 0.9 not shown" in then_fragment
    assert "Risk heat map as of version 0.9: 1 risks" in then_fragment
    assert _cells(risks.render_risk_heatmap_as_of(ctx, "1.0")) == now
    assert risks.render_risk_heatmap_as_of(ctx) == risks.render_risk_heatmap_as_of(ctx, "1.0")
    with pytest.raises(ValueError, match="not a handbook version"):
        risks.render_risk_heatmap_as_of(ctx, "latest")


def test_the_register_shows_each_version_with_its_changes_and_heat_map(
    handbook: Handbook,
) -> None:
    out = risks.render_risk_history(Site(handbook, TODAY).page("risks.md"))
    headings = re.findall(r"^### (.*)$", out, re.MULTILINE)
    assert headings == ["Version 0.9", "Version 1.0 (published 2026-10-01)"]
    first, second = out.split("### Version 1.0")
    assert first.count("<svg") == second.count("<svg") == 1
    assert '<a href="oracle-manipulation/">Oracle price manipulation</a>' in first
    assert "Single cloud" not in first
    # The changes of 1.0, oldest first: the exercise (2026-08-01), then the incident.
    assert second.index("2026-08-region-failover") < second.index("2026-09-oracle-drain")
    assert _cells(second)["3,5"] == "Oracle price manipulation"


def _later(text: str = RISKS) -> str:
    return text.replace(
        'version: "1.0"\n      likelihood: 3\n      impact: 3',
        'version: "1.1"\n      likelihood: 3\n      impact: 3',
    )


def test_a_change_in_a_version_after_the_handbooks_own_is_an_error(tmp_path: Path) -> None:
    text = _later()
    where = _at(text, 'version: "1.1"', chr(34))
    assert _found(_project(tmp_path, text)) == [
        f"{where}: $[1].history[0].version: "
        "change in version 1.1, after the handbook's own version 1.0 (handbook.yml): raise "
        "handbook_version when the release is made"
    ]


def test_the_handbook_version_not_in_document_control_is_not_yet_published(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path, _later())
    info = project / "data/handbook.yml"
    info.write_text(
        info.read_text(encoding="utf-8").replace(
            'handbook_version: "1.0"', 'handbook_version: "1.1"'
        ),
        encoding="utf-8",
    )
    hb = _model(project)
    out = risks.render_risk_history(Site(hb, TODAY).page("risks.md"))
    assert "### Version 1.1 (not yet published)" in out


def test_a_register_without_history_says_so(tmp_path: Path) -> None:
    hb = _model(make_project(tmp_path))
    out = risks.render_risk_history(Site(hb, TODAY).page("risks.md"))
    assert "No risk records a change of its rating yet" in out and "<svg" not in out
