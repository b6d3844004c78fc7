"""A whole runbook or dependency can be internal: the public build leaves it out, and every
link to it, and refuses where a public record cannot do without it."""

from __future__ import annotations

import re
from pathlib import Path

from handbook.pipeline import Project, validate
from tests.conftest import check_links, copy_project
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
