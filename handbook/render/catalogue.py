"""Every render function a page may call, under the short name pages use for it.

The mkdocs-macros module registers each as a macro; another engine can do the same.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from handbook import html
from handbook.model import Handbook
from handbook.render import (
    communications,
    dependencies,
    history,
    home,
    incident_templates,
    interventions,
    policy,
    review,
    risks,
    roles,
    runbooks,
    severities,
    signals,
)

MACROS: dict[str, Callable[..., str]] = {
    "what_now": home.render_home,
    "purpose_and_scope": policy.render_purpose_and_scope,
    "role_rules": policy.render_role_rules,
    "principles": policy.render_principles,
    "process": policy.render_process,
    "communication_guidelines": policy.render_communication_guidelines,
    "document_control": policy.render_document_control,
    "releases": history.render_releases,
    "roles": roles.render_roles,
    "contacts": roles.render_contacts,
    "severity_matrix": severities.render_severity_matrix,
    "escalation": severities.render_escalation,
    "escalations": severities.render_escalations,
    "runbooks": runbooks.render_runbook_index,
    "dependencies": dependencies.render_dependencies,
    "interventions": interventions.render_interventions,
    "intervention_matrix": interventions.render_intervention_matrix,
    "signals": signals.render_signals,
    "risks": risks.render_risks,
    "risk_heatmap": risks.render_risk_heatmap,
    "review_status": review.render_review_status,
    "communications": communications.render_communications,
    "incident_templates": incident_templates.render_incident_templates,
}


def variables(handbook: Handbook) -> dict[str, Markup]:
    """The variables pages may use besides the macros: data, so text wherever it lands.

    Each is ``html.text``: in a page's Markdown, its HTML or an attribute it reads as the
    characters of the data, never as markup, a link or a template.
    """
    return {
        "organisation": html.text(handbook.info.organisation.name),
        "handbook_version": html.text(handbook.info.handbook_version),
    }
