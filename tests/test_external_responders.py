"""External responders: parties outside the team, listed apart, reachable from escalations."""

from __future__ import annotations

from pathlib import Path

import pytest

from handbook.audience import public_view
from handbook.model import Handbook
from handbook.pipeline import Project, validate
from handbook.render.signals import render_signals
from handbook.site import Site
from tests.conftest import TODAY, make_project

RESPONDER = """\
# External responders of the test handbook.
- id: ir-retainer
  name: Incident response retainer
  kind: incident-response-retainer
  contacts:
    - type: email
      value: hotline@ir.example.org
      visibility: public
  when_to_contact:
    - A P1 incident needs forensic help.
  message_template: "[Protocol] needs help with [what]. Call [name] on [number]."
"""

STEP = "    - external: ir-retainer\n      within: 1h\n"


def _with_responder(tmp_path: Path, responder: str = RESPONDER) -> Path:
    project = make_project(tmp_path)
    (project / "data/external_responders.yml").write_text(responder, encoding="utf-8")
    severities = project / "data/severities.yml"
    text = severities.read_text(encoding="utf-8")
    severities.write_text(text.replace("  escalation:\n", "  escalation:\n" + STEP, 1))
    return project


def _diagnostics(project: Path) -> list[str]:
    result = validate(Project.at(project), today=TODAY)
    return [f"{d.file}:{d.line}: {d.path}: {d.message} [{d.rule}]" for d in result.diagnostics]


def test_an_escalation_step_may_call_an_external_responder(tmp_path: Path) -> None:
    project = _with_responder(tmp_path)
    assert _diagnostics(project) == []  # its [fields] are the message's, not placeholders
    result = validate(Project.at(project), today=TODAY)
    assert result.handbook is not None
    first = result.handbook.severities[0].escalation[0]
    assert first.target == ("external_responders", "ir-retainer")


def test_an_unknown_external_responder_is_a_reference_error(tmp_path: Path) -> None:
    project = _with_responder(tmp_path)
    (project / "data/external_responders.yml").write_text(
        RESPONDER.replace("id: ir-retainer", "id: other-firm"), encoding="utf-8"
    )
    found = _diagnostics(project)
    assert len(found) == 1 and "unknown external responder 'ir-retainer'" in found[0], found
    assert found[0].startswith("data/severities.yml:") and found[0].endswith("[reference]")


@pytest.mark.parametrize(
    ("template", "rule"), [("TODO: write it", "placeholder"), ("{{ name }}", "placeholder")]
)
def test_a_message_template_still_refuses_leftover_markers(
    tmp_path: Path, template: str, rule: str
) -> None:
    responder = RESPONDER.replace(
        '"[Protocol] needs help with [what]. Call [name] on [number]."', f'"{template}"'
    )
    found = _diagnostics(_with_responder(tmp_path, responder))
    assert any("message_template" in f and f.endswith(f"[{rule}]") for f in found), found


def test_an_internal_responder_and_its_steps_stay_out_of_the_public_view(tmp_path: Path) -> None:
    project = _with_responder(tmp_path, RESPONDER + "  visibility: internal\n")
    result = validate(Project.at(project), today=TODAY)
    assert result.ok and result.handbook is not None
    public = public_view(result.handbook)
    assert public.external_responders == ()
    assert all(s.external is None for level in public.severities for s in level.escalation)


def test_the_example_lists_them_apart_and_calls_seal_911(built_site: Path) -> None:
    contacts = (built_site / "contacts/index.html").read_text(encoding="utf-8")
    assert contacts.index('id="external-responders"') > contacts.index('id="people"')
    assert 'id="external-seal-911"' in contacts and "What to send" in contacts
    runbook = (built_site / "runbooks/active-exploit/index.html").read_text(encoding="utf-8")
    assert 'href="../../contacts/#external-seal-911"' in runbook


def test_the_example_keeps_its_internal_responder_internal(handbook_model: Handbook) -> None:
    names = {r.id: r.visibility for r in handbook_model.external_responders}
    assert names["pr-agency"] == "internal" and names["seal-911"] == "public"
    assert "pr-agency" not in {r.id for r in public_view(handbook_model).external_responders}


def test_a_signal_may_name_whom_to_contact_outside_the_team(tmp_path: Path) -> None:
    project = _with_responder(tmp_path)
    signals = project / "data/signals.yml"
    text = signals.read_text(encoding="utf-8")
    signals.write_text(
        text.replace("  notify_roles:\n", "  notify_external: [ir-retainer]\n  notify_roles:\n", 1)
    )
    result = validate(Project.at(project), today=TODAY)
    assert result.ok and result.handbook is not None
    assert result.handbook.signals[0].notify_external == ("ir-retainer",)
    html = render_signals(Site(result.handbook, TODAY).page("signals.md"))
    assert "Outside the team" in html and 'href="../contacts/#external-ir-retainer"' in html
    signals.write_text(
        text.replace("  notify_roles:\n", "  notify_external: [nobody]\n  notify_roles:\n", 1)
    )
    found = _diagnostics(project)
    assert len(found) == 1 and "unknown external responder 'nobody'" in found[0]
