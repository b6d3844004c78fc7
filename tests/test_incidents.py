"""Incidents, drills and action items as data: tracked to completion, drill dates derived.

The shipped example's incidents and exercises drive the review, the site pages and the
public post-mortem; copies of it show what a new drill, a disagreeing hand-typed date or
a deleted open action item does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
import yaml

from handbook.audience import public_view
from handbook.model import Handbook
from handbook.render.exercises import drill_summary
from handbook.site import Site
from tests.conftest import REPO, TODAY, copy_project, git_commit_all, handbook_cli

INCIDENTS = sorted((REPO / "data/incidents").glob("*.yml"))
EXERCISES = sorted((REPO / "data/exercises").glob("*.yml"))


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _open_items(path: Path) -> list[dict]:
    return [i for i in _yaml(path).get("action_items", []) if i["status"] == "open"]


def test_the_example_keeps_incidents_and_drills() -> None:
    severities = {_yaml(p)["severity"] for p in INCIDENTS}
    assert len(INCIDENTS) >= 2 and "P1" in severities
    assert len(EXERCISES) >= 2
    assert any(_open_items(p) for p in INCIDENTS)


def test_review_names_every_incident_with_open_items_once_they_are_overdue() -> None:
    holders = [p for p in [*INCIDENTS, *EXERCISES] if _open_items(p)]
    lenient = handbook_cli("review", "--today", "2099-01-01", cwd=REPO)
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr
    strict = handbook_cli("review", "--today", "2099-01-01", "--strict", cwd=REPO)
    assert strict.returncode == 1
    lines = [line for line in strict.stdout.splitlines() if "[action-item-overdue]" in line]
    for path in holders:
        record = _yaml(path)
        for item in _open_items(path):
            wanted = (
                f"{path.relative_to(REPO).as_posix()}:"
                rf"\d+:\d+: error: .*{item['owner']}: open action item {item['id']} .*"
                f"was due {item['due']}"
            )
            assert any(re.match(wanted, line) for line in lines), (record["id"], item["id"])
    assert len(lines) == sum(len(_open_items(p)) for p in holders)
    assert "Traceback" not in strict.stderr


def test_an_item_due_soon_is_a_warning_and_a_closed_one_nothing(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    target = project / "data/incidents/2026-09-breth-pool-exploit.yml"
    text = target.read_text(encoding="utf-8")
    item = _open_items(target)[0]
    completed = handbook_cli("review", "--today", _day_before(item["due"]), cwd=project)
    assert completed.returncode == 0
    assert f"open action item {item['id']} " in completed.stdout
    assert "action-item-due-soon" in completed.stdout
    closed = text.replace(
        f"  - id: {item['id']}\n", f"  - id: {item['id']}\n    closed_on: 2026-11-30\n", 1
    )
    closed = re.sub(
        rf"(- id: {item['id']}\n(?:    .*\n)*?    status: )open", r"\g<1>done", closed, count=1
    )
    assert closed != text
    target.write_text(closed, encoding="utf-8")
    completed = handbook_cli("review", "--today", "2099-01-01", cwd=project)
    assert f"open action item {item['id']} " not in completed.stdout


def _day_before(date: object) -> str:
    day = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))
    return (day - dt.timedelta(days=1)).isoformat()


def _drill(project: Path, runbook: str, date: str) -> None:
    (project / "data/exercises/2026-11-new-drill.yml").write_text(
        "# A tabletop exercise added by the test.\n"
        "id: 2026-11-new-drill\n"
        "title: Tabletop of the runbook\n"
        f"date: {date}\n"
        "kind: tabletop\n"
        f"runbooks: [{runbook}]\n",
        encoding="utf-8",
    )


def test_a_drill_record_changes_last_drilled_on_the_page_and_in_the_review(
    tmp_path: Path,
) -> None:
    project = copy_project(tmp_path / "project")
    drilled = {r for p in EXERCISES for r in _yaml(p).get("runbooks", [])}
    runbook = next(
        p.stem for p in sorted((REPO / "data/runbooks").glob("*.yml")) if p.stem not in drilled
    )
    before = handbook_cli("review", cwd=project)
    assert re.search(rf"data/runbooks/{runbook}\.yml:\d+:\d+: .*never drilled", before.stdout)
    _drill(project, runbook, "2026-11-20")
    after = handbook_cli("review", cwd=project)
    assert after.returncode == 0, after.stdout
    assert f"data/runbooks/{runbook}.yml" not in after.stdout
    site = tmp_path / "site"
    built = handbook_cli("build", "--site-dir", str(site), cwd=project)
    assert built.returncode == 0, built.stdout + built.stderr
    page = (site / f"runbooks/{runbook}/index.html").read_text(encoding="utf-8")
    row = re.search(r"<th>Last drilled:</th> <td>(.*?)</td>", page)
    assert row and "2026-11-20" in row.group(1)
    assert 'href="../../exercises/#exercise-2026-11-new-drill"' in row.group(1)
    calendar = (site / "exercises/index.html").read_text(encoding="utf-8")
    assert 'id="exercise-2026-11-new-drill"' in calendar


def test_a_hand_typed_drill_date_that_disagrees_is_refused_where_it_is(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    exercise = _yaml(EXERCISES[0])
    intervention = exercise["interventions"][0]
    target = project / "data/interventions.yml"
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index(f"- id: {intervention}\n")
    lines.insert(start + 1, "  last_drilled: 2020-01-01\n")
    target.write_text("".join(lines), encoding="utf-8")
    completed = handbook_cli("validate", cwd=project)
    assert completed.returncode == 1
    assert re.search(
        rf"^data/interventions\.yml:{start + 2}:17: error: .*last drilled 2020-01-01 disagrees "
        rf"with the exercises: .*drilled it on {exercise['date']}.* \[drill-record\]$",
        completed.stdout,
        re.M,
    ), completed.stdout
    assert "Traceback" not in completed.stderr


@pytest.fixture(scope="module")
def public_model(handbook_model: Handbook) -> Handbook:
    return public_view(handbook_model)


def test_the_public_view_keeps_only_reviewed_post_mortems_without_internal_parts(
    handbook_model: Handbook, public_model: Handbook
) -> None:
    reviewed = {i.id for i in handbook_model.incidents if i.status == "reviewed"}
    assert {i.id for i in public_model.incidents} == {
        i.id for i in handbook_model.incidents if i.id in reviewed and i.visibility != "internal"
    }
    assert len(reviewed) < len(handbook_model.incidents)  # one is not reviewed yet
    for incident in public_model.incidents:
        assert incident.roles == ()
        full = handbook_model.get("incidents", incident.id)
        if "web3" in full.internal_sections:
            assert incident.web3 is None
        assert all(e.visibility != "internal" for e in incident.timeline)
        assert all(a.visibility != "internal" for a in incident.action_items)
    for exercise in public_model.exercises:
        assert exercise.signers == () and exercise.participants == ()


@pytest.fixture(scope="module")
def public_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("public") / "project")
    site = project.parent / "site"
    completed = handbook_cli("build", "--audience", "public", "--site-dir", str(site), cwd=project)
    assert completed.returncode == 0, completed.stdout + completed.stderr  # leak scan passed
    return site


def test_the_public_post_mortem_holds_no_internal_section(
    public_site: Path, handbook_model: Handbook
) -> None:
    for incident in handbook_model.incidents:
        page = public_site / f"incidents/{incident.id}/index.html"
        if incident.status != "reviewed":
            assert not page.exists()
            continue
        html = unescape(page.read_text(encoding="utf-8"))
        assert "Roles held" not in html
        if "web3" in incident.internal_sections:
            assert "On-chain details" not in html
            for tx in incident.web3.transactions if incident.web3 else ():
                assert tx.hash not in html
        for entry in incident.timeline:
            first_words = " ".join(entry.text.split()[:8])
            assert (first_words in html) == (entry.visibility != "internal"), first_words
        for item in incident.action_items:
            assert (item.title in html) == (item.visibility != "internal"), item.id
        assert "<th>Owner</th>" not in html  # the public edition names no owner


def test_internal_pages_show_roles_on_chain_details_and_owners(built_site: Path) -> None:
    html = (built_site / "incidents/2026-09-breth-pool-exploit/index.html").read_text("utf-8")
    assert "Roles held" in html and "On-chain details" in html
    assert "<th>Owner</th>" in html
    index = (built_site / "incidents/index.html").read_text("utf-8")
    for path in INCIDENTS:
        assert f'href="{path.stem}/"' in index
    items = (built_site / "action-items/index.html").read_text("utf-8")
    for path in [*INCIDENTS, *EXERCISES]:
        for item in _open_items(path):
            assert item["title"] in items


def _diff(project: Path, edit: Callable[[Path], None]) -> dict:
    git_commit_all(project)
    edit(project)
    completed = handbook_cli("diff", "HEAD", "--format", "json", cwd=project)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return json.loads(completed.stdout)


def test_deleting_an_incident_with_open_items_or_delaying_one_weakens(tmp_path: Path) -> None:
    holder = next(p for p in INCIDENTS if _open_items(p))
    item = _open_items(holder)[0]

    def delete(project: Path) -> None:
        (project / "data/incidents" / holder.name).unlink()

    removed = _diff(copy_project(tmp_path / "a"), delete)
    (change,) = [c for c in removed["changes"] if c["record"] == holder.stem]
    assert change["weakens"] and change["category"] == "cover"

    def delay(project: Path) -> None:
        target = project / "data/incidents" / holder.name
        text = target.read_text(encoding="utf-8")
        target.write_text(text.replace(f"due: {item['due']}", "due: 2099-01-01", 1), "utf-8")

    delayed = _diff(copy_project(tmp_path / "b"), delay)
    (change,) = [c for c in delayed["changes"] if c["record"] == holder.stem]
    assert change["weakens"] and change["category"] == "time"
    gate = handbook_cli("diff", "HEAD", "--fail-on", "weakening", cwd=tmp_path / "b")
    assert gate.returncode == 1
    assert "Weakens readiness" in gate.stdout


def test_an_open_incident_is_announced_on_the_home_page(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    opened = handbook_cli(
        "incident",
        "new",
        "Oracle price stuck",
        "--severity",
        "P1",
        "--now",
        "2026-11-30T02:10Z",
        cwd=project,
    )
    assert opened.returncode == 0, opened.stdout + opened.stderr
    site = tmp_path / "site"
    built = handbook_cli("build", "--site-dir", str(site), cwd=project)
    assert built.returncode == 0, built.stdout + built.stderr
    home = (site / "index.html").read_text(encoding="utf-8")
    banner = home.split("handbook-active-incidents", 1)[1].split("</div>", 1)[0]
    assert "Incident in progress" in banner
    assert 'href="incidents/2026-11-oracle-price-stuck/"' in banner
    assert "2026-11-30 02:10 UTC" in banner
    article = home.split("<article", 1)[1]
    assert article.index("handbook-active-incidents") < article.index("Pick a severity")
    closed = handbook_cli("build", "--site-dir", str(tmp_path / "before"), cwd=REPO)
    assert closed.returncode == 0
    assert "handbook-active-incidents" not in (tmp_path / "before/index.html").read_text("utf-8")


def test_a_drill_the_public_edition_leaves_out_still_dates_the_runbook(
    handbook_model: Handbook,
) -> None:
    exercise = next(e for e in handbook_model.exercises if e.runbooks)
    runbook = exercise.runbooks[0]
    hidden = handbook_model.replace(
        exercises=tuple(
            dataclasses.replace(e, visibility="internal") for e in handbook_model.exercises
        )
    )
    internal = drill_summary(Site(hidden, TODAY).page("index.md"), "runbooks", runbook)
    public = drill_summary(
        Site(hidden, TODAY, audience="public").page("index.md"), "runbooks", runbook
    )
    when = hidden.get("runbooks", runbook).last_drilled
    assert when is not None and when >= exercise.date
    assert internal.startswith(when.isoformat()) and "href=" in internal
    assert public == when.isoformat()  # the date stays; the drill it names does not


def test_every_drilled_record_carries_the_date_of_its_latest_exercise(
    handbook_model: Handbook,
) -> None:
    for kind in ("runbooks", "interventions"):
        for record in getattr(handbook_model, kind):
            dates = [e.date for e in handbook_model.exercises if record.id in getattr(e, kind)]
            assert record.last_drilled == (max(dates) if dates else None), record.id


def test_an_intervention_names_no_older_drill_beside_a_date_the_public_edition_hides(
    handbook_model: Handbook,
) -> None:
    from handbook.render.interventions import render_intervention

    latest = next(e for e in handbook_model.exercises if e.interventions)
    item = handbook_model.get("interventions", latest.interventions[0])
    older = dataclasses.replace(
        latest, id="EX-older", title="An older pause drill", date=dt.date(2020, 1, 2)
    )
    hidden = handbook_model.replace(
        exercises=(
            *(
                dataclasses.replace(e, visibility="internal") if e is latest else e
                for e in handbook_model.exercises
            ),
            older,
        )
    )
    assert hidden.get("interventions", item.id).last_drilled == latest.date
    src = f"interventions/{item.id}.md"
    internal = render_intervention(Site(hidden, TODAY).page(src), item.id)
    public = render_intervention(Site(hidden, TODAY, audience="public").page(src), item.id)
    assert "Drilled in" in internal and latest.title in internal
    assert latest.date.isoformat() in public  # the date stays
    assert "Drilled in" not in public and older.title not in public
