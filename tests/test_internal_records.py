"""A whole runbook or dependency can be internal: the public build leaves it out, and every
link to it, and refuses where a public record cannot do without it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from handbook.audience import public_view
from handbook.model import Handbook
from handbook.pipeline import Project, validate
from tests.conftest import check_links, copy_project, make_project
from tests.test_public_build import build

TITLE = "Primary RPC provider outage or degradation"


def _mark_internal(path: Path, record_id: str) -> None:
    """Add ``visibility: internal`` to the record ``record_id`` of a data file."""
    text = path.read_text(encoding="utf-8")
    own_file = f"\nid: {record_id}\n"  # data/runbooks/<id>.yml: one record a file
    listed = f"- id: {record_id}\n"  # one item of a list file
    if own_file in text:
        marked = text.replace(own_file, f"{own_file}visibility: internal\n", 1)
    else:
        marked = text.replace(listed, f"{listed}  visibility: internal\n", 1)
    assert marked != text
    path.write_text(marked, encoding="utf-8")


def test_a_public_intervention_cannot_rest_on_an_internal_runbook(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    _mark_internal(project / "data/runbooks/rpc-outage.yml", "rpc-outage")
    result = validate(Project.at(project))
    errors = [d for d in result.diagnostics if d.level == "error"]
    # The intervention that follows it, and the dependency that repeats one of its steps.
    assert [(e.file, e.path, e.rule) for e in errors] == [
        ("data/dependencies/primary-rpc.yml", "$.degraded_mode.how_to_enter[2]", "visibility"),
        ("data/interventions.yml", "$[8].runbook", "visibility"),
    ]
    assert "runbook 'rpc-outage' is internal" in errors[1].message


def test_an_internal_runbook_and_every_link_to_it_stay_out_of_the_public_build(
    tmp_path: Path,
) -> None:
    project = copy_project(tmp_path / "p")
    _mark_internal(project / "data/runbooks/rpc-outage.yml", "rpc-outage")
    _mark_internal(project / "data/interventions.yml", "rpc-failover")
    _mark_internal(project / "data/dependencies/primary-rpc.yml", "primary-rpc")
    # The example's one sentence naming the runbook goes, as a team would reword it.
    oracle = project / "data/runbooks/oracle-outage.yml"
    oracle.write_text(oracle.read_text().replace("; check with the rpc-outage runbook", ""))
    result = validate(Project.at(project))
    assert result.ok, [d for d in result.diagnostics if d.level == "error"]
    site = tmp_path / "public"
    done = build(project, site, "--audience", "public")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (site / "runbooks/rpc-outage").exists()
    assert not (site / "dependencies/primary-rpc").exists()
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "rpc-outage/" not in html and "primary-rpc/" not in html, page
        assert TITLE not in html, page
    assert TITLE not in (site / "search/search_index.json").read_text(encoding="utf-8")
    check_links(site)
    # The internal build still has all of it.
    internal = tmp_path / "internal"
    assert build(project, internal).returncode == 0
    assert TITLE in (internal / "runbooks/rpc-outage/index.html").read_text(encoding="utf-8")
    signals = (internal / "signals/index.html").read_text(encoding="utf-8")
    assert re.search(r'href="\.\./runbooks/rpc-outage/"', signals)


def test_a_short_internal_name_mentioned_in_public_text_is_refused(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "data/runbooks/treasury-drain.yml").write_text(
        "# Runbook: an internal one, with a two-word title.\nid: treasury-drain\n"
        "title: Treasury drain\nowner: secops\nvisibility: internal\n"
        "immediate_actions:\n  - text: Freeze the treasury module.\n",
        encoding="utf-8",
    )
    public = project / "data/runbooks/api-outage.yml"
    text = public.read_text(encoding="utf-8")
    public.write_text(text.replace("summary: ", "summary: See the Treasury drain runbook. ", 1))
    result = validate(Project.at(project))
    errors = [d for d in result.diagnostics if d.level == "error"]
    assert len(errors) == 1 and errors[0].rule == "visibility", errors
    assert errors[0].file == "data/runbooks/api-outage.yml" and "Trea" in errors[0].message


def test_a_signal_calling_an_internal_responder_keeps_it_out_of_the_public_view(
    handbook_model: Handbook,
) -> None:
    signal = dataclasses.replace(
        handbook_model.signals[0], notify_external=("pr-agency", "seal-911")
    )
    handbook = handbook_model.replace(signals=(signal, *handbook_model.signals[1:]))
    assert public_view(handbook).signals[0].notify_external == ("seal-911",)
